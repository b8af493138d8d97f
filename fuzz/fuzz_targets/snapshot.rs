//! `cargo +nightly fuzz run snapshot`: the body is `calmly::fuzzing::snapshot`, which
//! `tests/fuzz_replay.rs` replays on stable (docs/FUZZING.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| calmly::fuzzing::snapshot(data));
