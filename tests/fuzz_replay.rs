//! Replays the fuzz targets' seeds and regression inputs (`fuzz/seeds/<target>/`) through
//! the same library functions cargo-fuzz runs (`calmly::fuzzing`), on stable: every seed
//! and every crash once found stays checked by `cargo test`. See docs/FUZZING.md.

use std::path::PathBuf;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty(), "{}: no seeds", dir.display());
    for f in files {
        let data = std::fs::read(&f).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| run(&data)) {
            let why = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
            panic!("fuzz/seeds/{target}/{}: {why}", f.file_name().unwrap().to_string_lossy());
        }
    }
}

#[test]
fn analyze_seeds() {
    replay("analyze", calmly::fuzzing::analyze);
}

#[test]
fn snapshot_seeds() {
    replay("snapshot", calmly::fuzzing::snapshot);
}

#[test]
fn render_seeds() {
    replay("render", calmly::fuzzing::render);
}

#[test]
fn empty_and_tiny_inputs() {
    for data in [&b""[..], b"\xff", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"{", b"<", b"\x00"] {
        calmly::fuzzing::analyze(data);
        calmly::fuzzing::snapshot(data);
        calmly::fuzzing::render(data);
    }
}
