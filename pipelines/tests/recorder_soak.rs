//! One process records a hundred short sessions in a row, as a room's recorder does on a busy
//! day: after the last one the process has exactly the open files and threads it had after the
//! first, and its memory grows by no more than caches do. (The controller runs each recording in a worker process; this holds the recorder
//! itself to the same standard, for anyone embedding it.)

use evidence::segment_name;
use hardware_profiles::{CameraSpec, CompositeSpec, MicrophoneSpec, RoomSpec};
use pipelines::{Destination, Recorder};
use std::path::Path;
use std::time::Duration;

const SESSIONS: usize = 100;
/// Memory is compared from this session on: the first few fill GStreamer's and the
/// allocator's caches.
const WARMED_UP: usize = 25;
/// Allowed growth from `WARMED_UP` to the end: about 440 KiB a recording. Measured here: 4 to
/// 11 MiB in all (allocator fragmentation and GStreamer's caches; the recorder's own unit test
/// shows its pipeline is freed). Holding on to one recording's frames (several 320×240 pictures
/// in each of three encoders' queues) costs more than this a recording.
const GROWTH_ALLOWED_KIB: u64 = 32 * 1024;

/// Two cameras, two microphones and the composite view: every kind of branch the local
/// pipeline has.
fn room() -> RoomSpec {
    let camera = |id| CameraSpec::test_pattern(id, 320, 240, 15, 300);
    let mut room = RoomSpec::interview(
        "soak",
        1,
        vec![camera("cam1"), camera("cam2")],
        vec![
            MicrophoneSpec::test_tone("mic1"),
            MicrophoneSpec::test_tone("mic2"),
        ],
    );
    room.composite = Some(CompositeSpec {
        cameras: vec!["cam1".into(), "cam2".into()],
        width: 320,
        height: 240,
        framerate: 15,
        bitrate_kbps: 300,
    });
    room
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn count(what: &str) -> usize {
    std::fs::read_dir(format!("/proc/self/{what}")).map_or(0, |d| d.count())
}

/// Open files of this process other than sockets and anonymous objects (eventfds, pipes),
/// sorted: paths that stay open after a session are a leak.
fn open_paths() -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.flatten()
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .map(|p| p.display().to_string())
                .filter(|p| p.starts_with('/'))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

fn record_once(dir: &Path) {
    let recorder = Recorder::build(&room()).expect("build");
    recorder
        .record(Destination {
            dir: dir.to_path_buf(),
            first_seq: 0,
            caption: "连续录制 · 测试局 · 案1".into(),
        })
        .expect("start");
    std::thread::sleep(Duration::from_millis(300));
    recorder.send_eos();
    assert!(
        recorder.wait_for_end(Duration::from_secs(10)),
        "the recording ended cleanly"
    );
    recorder.shutdown();
    let tracks: std::collections::BTreeSet<String> = std::fs::read_dir(dir)
        .expect("session folder")
        .flatten()
        .filter(|e| e.metadata().is_ok_and(|m| m.len() > 0))
        .filter_map(|e| segment_name(&e.path()).map(|(track, _)| track))
        .collect();
    assert_eq!(
        tracks.into_iter().collect::<Vec<_>>(),
        ["cam1", "cam2", "composite"],
        "every track wrote media"
    );
}

/// Threads of GStreamer's pools end a little after their last task: wait until the count
/// stops falling.
fn settled_threads() -> usize {
    let mut last = count("task");
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(100));
        let now = count("task");
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

#[test]
fn a_hundred_recordings_in_one_process_leak_no_files_and_no_threads() {
    // One malloc arena, so that resident memory follows what is allocated rather than how
    // many threads happened to allocate it.
    // SAFETY: mallopt only sets an allocator parameter; it is called before any recording.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
    let root = tempfile::tempdir().expect("tempdir");
    let mut after_first = None;
    let mut warmed_rss = 0;
    for n in 0..SESSIONS {
        let dir = root.path().join(format!("s{n}"));
        std::fs::create_dir(&dir).expect("session folder");
        record_once(&dir);
        if n == WARMED_UP {
            warmed_rss = rss_kib();
        }
        if n == 0 {
            after_first = Some((settled_threads(), count("fd"), open_paths()));
        }
    }
    let (first_threads, first_fds, first_paths) = after_first.expect("a first session");
    let (threads, fds, paths, rss) = (settled_threads(), count("fd"), open_paths(), rss_kib());
    println!(
        "after 1 recording: {first_fds} fds, {first_threads} threads; after {WARMED_UP}: {warmed_rss} KiB; after {SESSIONS}: {fds} fds, {threads} threads, {rss} KiB"
    );
    assert_eq!(paths, first_paths, "files left open");
    assert_eq!(
        fds, first_fds,
        "file descriptors after {SESSIONS} recordings"
    );
    assert_eq!(
        threads, first_threads,
        "threads after {SESSIONS} recordings"
    );
    assert!(
        rss.saturating_sub(warmed_rss) < GROWTH_ALLOWED_KIB,
        "memory grew from {warmed_rss} KiB to {rss} KiB over {} recordings",
        SESSIONS - WARMED_UP
    );
}
