//! `cargo +nightly fuzz run render`: the body is `calmly::fuzzing::render`, which
//! `tests/fuzz_replay.rs` replays on stable (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| calmly::fuzzing::render(data));
