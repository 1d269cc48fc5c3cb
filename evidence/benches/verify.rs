//! `verify` against the disk: a session of 64 segments (about 600 MB) is written, then read
//! back by `cat` and checked by `verify`, each from a cold page cache where this process may
//! drop it (root), else from a warm one (said so in the output).
//!
//! Run with `cargo bench -p evidence --bench verify` (`LIUHEN_BENCH_MB` sets the size).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use evidence::{GENESIS_LINK, Manifest, ManifestSegment, SegmentFacts, next_link, verify};

const SEGMENTS: usize = 64;

mod common;
use common::{drop_caches, noise};

fn write_session(dir: &Path, total_mb: usize) {
    let per_segment = total_mb * 1_000_000 / SEGMENTS;
    let mut previous = GENESIS_LINK.to_string();
    let mut segments = Vec::new();
    for seq in 0..SEGMENTS {
        let file = format!("cam1-{seq:05}.mkv");
        let bytes = noise(seq as u64 + 7, per_segment);
        std::fs::write(dir.join(&file), &bytes).expect("write a segment");
        let sha256 = evidence::hash_file(&dir.join(&file)).expect("hash").sha256;
        let seq = i64::try_from(seq).expect("seq");
        let (start_ns, duration_ns) = (seq * 10_000_000_000, 10_000_000_000);
        let size_bytes = i64::try_from(bytes.len()).expect("size");
        let link = next_link(
            &previous,
            &SegmentFacts {
                track: "cam1",
                seq,
                start_ns,
                duration_ns,
                size_bytes,
                sha256: &sha256,
            },
        );
        previous = link.clone();
        segments.push(ManifestSegment {
            file,
            track: "cam1".into(),
            seq,
            start_ns,
            duration_ns,
            size_bytes,
            sha256,
            link,
            recovered: false,
            backup_sha256: None,
            removed: None,
        });
    }
    Manifest::new(serde_json::json!({ "id": 1 }), segments, true)
        .write(dir)
        .expect("manifest");
}

fn main() {
    let total_mb: usize = std::env::var("LIUHEN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    // On the disk the media would be on, not in a RAM-backed /tmp.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-verify");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("bench folder");
    write_session(&root, total_mb);

    let cold = drop_caches();
    let started = Instant::now();
    let files: Vec<_> = (0..SEGMENTS)
        .map(|seq| root.join(format!("cam1-{seq:05}.mkv")))
        .collect();
    let cat = Command::new("cat")
        .args(&files)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("cat runs");
    assert!(cat.success());
    let cat_seconds = started.elapsed().as_secs_f64();

    drop_caches();
    let started = Instant::now();
    let report = verify(&root, |_, _| {});
    let verify_seconds = started.elapsed().as_secs_f64();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    let cache = if cold {
        "cold cache"
    } else {
        "warm cache (not root: cannot drop it)"
    };
    println!(
        "verify {} MB in {SEGMENTS} segments, {cache}: cat {cat_seconds:.2} s ({:.0} MB/s), verify {verify_seconds:.2} s ({:.0} MB/s): verify takes {:.2}× the time of cat (speed {:.2}× of cat's)",
        report.bytes / 1_000_000,
        report.bytes as f64 / 1e6 / cat_seconds,
        report.bytes as f64 / 1e6 / verify_seconds,
        verify_seconds / cat_seconds,
        cat_seconds / verify_seconds,
    );
    let _ = std::fs::remove_dir_all(&root);
}
