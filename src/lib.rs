//! yunxiao-pipeline-jobs: list the jobs a Yunxiao (Alibaba Cloud DevOps) pipeline has run.
//!
//! `core` is plain Rust — request building, path encoding, signing, response validation and
//! normalisation, error classification, the retry plan — and is tested natively.
//! `wasm` is the only module that knows about JavaScript; it exists on wasm32 only.

// Nothing that comes from outside may make the module panic: a panic inside wasm poisons the
// instance for every later call.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unreachable,
        clippy::todo, clippy::unimplemented
    )
)]
// `Error` is 136 bytes on a 64-bit host, past clippy's 128 for an `Err`; on wasm32, the target
// that ships, it is about half that, and the lint is kept there (clippy's wasm32 pass).
#![cfg_attr(not(target_arch = "wasm32"), allow(clippy::result_large_err))]

pub mod core;

/// The JS boundary (public so the wasm-bindgen tests can drive it).
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The allocator of the wasm build (see Cargo.toml for why talc); native builds keep the system's.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
