//! Collecting from body-worn cameras against `cp`: two cameras of 2 GB each (8 files of
//! 512 MB between them) are collected at once, one thread per camera as the station runs
//! them, with hashing, fsync and read-back from the disk; `cp` copies the same files to the
//! same disk in one run, followed by `sync` (the station's copies are on the disk when it
//! says so; cp's are not until then). Both start from a cold page cache where this process
//! may drop it (root), else from a warm one (said so).
//!
//! Run with `cargo bench -p evidence --bench collect` (`LIUHEN_BENCH_MB` sets each camera's
//! size; 2048 by default). The target: at least 0.8× cp's throughput.
//!
//! Where the cameras stand in (`LIUHEN_BENCH_CAMERAS`): `/dev/shm` by default (cameras faster
//! than any real one); a folder (e.g. `.`, the media disk itself); or `usb`, two loop-device
//! cameras whose reads are throttled to `LIUHEN_BENCH_USB_MB_S` (default 40, a USB 2.0 camera's
//! pace) for this process and its `cp` alike (root only; see common/usb_cameras.rs).

mod common;
#[path = "common/usb_cameras.rs"]
mod usb_cameras;

use common::{drop_caches, noise};
use evidence::ingest::{Copied, copy_hashed};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const FILES_PER_CAMERA: usize = 4;
const ROUNDS: usize = 3;

fn camera(dir: &Path, seed: u64, mb: usize) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("camera folder");
    (0..FILES_PER_CAMERA)
        .map(|n| {
            let path = dir.join(format!("ZFY{seed:03}_0001_2026113010{n:02}00_{n:04}.MP4"));
            let chunk = noise(seed * 100 + n as u64, 16 << 20);
            let mut file = std::fs::File::create(&path).expect("camera file");
            for _ in 0..(mb / FILES_PER_CAMERA / 16).max(1) {
                std::io::Write::write_all(&mut file, &chunk).expect("write");
            }
            path
        })
        .collect()
}

fn main() {
    let mb: usize = std::env::var("LIUHEN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048);
    let work =
        tempfile::tempdir_in(std::env::var("LIUHEN_BENCH_DIR").unwrap_or_else(|_| ".".into()))
            .expect("work folder");
    // The cameras are devices of their own, not the media disk: by default they stand in
    // memory (/dev/shm), as two cameras faster than any real one would.
    let place = std::env::var("LIUHEN_BENCH_CAMERAS").unwrap_or_else(|_| "/dev/shm".into());
    let camera_dir = tempfile::tempdir_in(if place == "usb" { "." } else { place.as_str() })
        .expect("camera folder");
    let usb = (place == "usb").then(|| {
        let mb_s = std::env::var("LIUHEN_BENCH_USB_MB_S")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(40);
        let cameras = usb_cameras::UsbCameras::new(camera_dir.path(), 2, mb, mb_s)
            .expect("USB-speed cameras (root, losetup, mkfs.ext4, cgroup v1 blkio)");
        (cameras, mb_s)
    });
    let cameras: Vec<Vec<PathBuf>> = (1..=2)
        .map(|n| camera(&camera_dir.path().join(format!("cam{n}")), n as u64, mb))
        .collect();
    let total: u64 = cameras
        .iter()
        .flatten()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let cold = drop_caches();
    // Three rounds, each cp then the station, from a cold cache: a virtual disk's speed wanders.
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        let cp_seconds = cp_run(&cameras, &work.path().join("cp"));
        drop_caches();
        let collect_seconds = station_run(&cameras, &work.path().join(format!("batches{round}")));
        drop_caches();
        rounds.push((cp_seconds, collect_seconds));
    }
    let mb_s = |seconds: f64| total as f64 / (1 << 20) as f64 / seconds;
    println!(
        "collect: {:.1} GB from 2 cameras ({} files) in {}, page cache {}",
        total as f64 / (1u64 << 30) as f64,
        FILES_PER_CAMERA * 2,
        match &usb {
            Some((_, mb_s)) => format!("USB-speed devices ({mb_s} MB/s each)"),
            None => place.clone(),
        },
        if cold {
            "cold"
        } else {
            "warm (not root: cannot drop it)"
        }
    );
    let mut ratios = Vec::new();
    for (cp_seconds, collect_seconds) in &rounds {
        println!(
            "  cp + sync {cp_seconds:5.1} s {:6.0} MB/s | station (hash, fsync, read back) {collect_seconds:5.1} s {:6.0} MB/s | {:.2}× cp",
            mb_s(*cp_seconds),
            mb_s(*collect_seconds),
            cp_seconds / collect_seconds
        );
        ratios.push(cp_seconds / collect_seconds);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "  median ratio: {:.2}× cp (target ≥ 0.80×)",
        ratios[ratios.len() / 2]
    );
}

/// `cp` of every camera file into `dir` in one run, then `sync`; seconds.
fn cp_run(cameras: &[Vec<PathBuf>], dir: &Path) -> f64 {
    std::fs::create_dir_all(dir).expect("cp folder");
    let started = Instant::now();
    let copied = Command::new("cp")
        .args(cameras.iter().flatten())
        .arg(dir)
        .status()
        .expect("cp runs");
    assert!(copied.success());
    let synced = Command::new("sync").status().expect("sync runs");
    assert!(synced.success());
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(dir).expect("cp copy removed");
    seconds
}

/// Both cameras collected at once into `dir`, as the station does; seconds.
fn station_run(cameras: &[Vec<PathBuf>], dir: &Path) -> f64 {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for (n, files) in cameras.iter().enumerate() {
            let batch = dir.join(format!("batch{n}"));
            std::fs::create_dir_all(&batch).expect("batch folder");
            // As the station runs a visit: the next file is copied while the last is read back.
            let (to_check, checking) = std::sync::mpsc::sync_channel::<Copied>(1);
            scope.spawn(move || {
                for copied in checking {
                    copied.read_back().expect("read back");
                }
            });
            scope.spawn(move || {
                for file in files {
                    let target = batch.join(file.file_name().expect("name"));
                    let copied = copy_hashed(file, &target, |_| {}).expect("copied");
                    to_check.send(copied).expect("checker runs");
                }
            });
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(dir).expect("collected copies removed");
    seconds
}
