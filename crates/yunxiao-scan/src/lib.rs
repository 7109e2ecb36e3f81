//! The byte-level hot path of a big answer: the strict JSON scanner and the jobs walker that
//! validates and writes each job. It is its own crate so that the release profile can compile
//! it for speed (`opt-level = 3`) while the rest of the package is compiled for size: at
//! opt-level "z" the wasm scan of a 100,000-job answer took 105 ms instead of 38 ms, and the
//! speed costs 1.5 KB of gzipped wasm (bench/DESIGN.md).

// As in the package: nothing that comes from outside may make the module panic.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unreachable,
        clippy::todo, clippy::unimplemented
    )
)]

pub mod jobs;
pub mod json;
