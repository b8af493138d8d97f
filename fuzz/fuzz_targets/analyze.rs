//! `cargo +nightly fuzz run analyze`: the body is `calmly::fuzzing::analyze`, which
//! `tests/fuzz_replay.rs` replays on stable (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| calmly::fuzzing::analyze(data));
