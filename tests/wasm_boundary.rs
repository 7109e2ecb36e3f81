//! The JS boundary in Node (`wasm-pack test --node`). See tests/wasm/common.rs.
#![cfg(target_arch = "wasm32")]
include!("wasm/common.rs");
