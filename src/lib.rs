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

pub mod core;

/// The JS boundary (public so the wasm-bindgen tests can drive it).
#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// The allocator of the wasm build (see Cargo.toml for why talc); native builds keep the system's.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
