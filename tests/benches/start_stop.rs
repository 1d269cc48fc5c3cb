//! A clerk's start and stop as the room feels them, with the real (release-built) controller:
//! - start request → the first frame on disk, and → the light's "on" bytes on its serial wire;
//! - stop request → answered (every file closed, hashed and in the records);
//!
//! over 20 sessions in one room (a 640×360 test camera and a test tone), the same with the
//! room's preview off (`preview = false`: the worker is started by the start), and over 20 with
//! an RTSP camera (1280×720 H.264 from the loopback test server) beside them. Each start is
//! made 2 s after the room previews again, as a clerk's start comes to a room that has been
//! idle.
//!
//! Then what a preview costs while the room is idle: the CPU its worker uses over 10 s, for the
//! local room, the RTSP room and a room with a composite view (two cameras, 640×360).
//!
//! Run with `cargo bench -p liuhen-tests --bench start_stop` (`LIUHEN_BENCH_EACH=1` prints
//! each run).

use liuhen_tests::{LIGHT_ON, RtspCamera, TestSite, cpu_time_of};
use site_api::SourceState;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const RUNS: usize = 20;
const IDLE_BEFORE_A_START: Duration = Duration::from_secs(2);

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// True once a segment file of the camera's `track` in `dir` holds a byte.
fn first_frame_on_disk(dir: &Path, track: &str) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            evidence::segment_name(&e.path()).is_some_and(|(t, _)| t == track)
                && e.metadata().is_ok_and(|m| m.len() > 0)
        })
    })
}

fn folders(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|e| e.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// The session folders made since `before` was listed.
fn new_folders(dir: &Path, before: &[PathBuf]) -> Vec<PathBuf> {
    folders(dir)
        .into_iter()
        .filter(|d| !before.contains(d))
        .collect()
}

struct Figures {
    to_disk: Vec<Duration>,
    to_light: Vec<Duration>,
    stop: Vec<Duration>,
}

/// Waits until the room previews (every source ready), unless its preview is off.
async fn until_previewing(api: &site_api::Client, preview: bool) {
    if !preview {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let room = api.room(liuhen_tests::ROOM).await.expect("room");
        if room.sources.iter().all(|s| s.state == SourceState::Ready) {
            return;
        }
        assert!(Instant::now() < deadline, "the room never previews");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The share of one core the room's idle preview worker uses, over 10 s.
async fn idle_preview_cpu(site: &TestSite, what: &str) {
    let clerk = site.client("值班员", "clerk", Some("scjg")).expect("clerk");
    let controller = site.start_controller().expect("controller");
    until_previewing(&controller.api(&clerk), true).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pid = controller
        .media_worker_of(liuhen_tests::ROOM)
        .expect("a preview worker");
    let pid = u32::try_from(pid).expect("pid");
    let (cpu, wall) = (cpu_time_of(pid), Instant::now());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let share = (cpu_time_of(pid) - cpu).as_secs_f64() / wall.elapsed().as_secs_f64();
    println!(
        "{what}, idle with its preview: {:.1} % of one core",
        share * 100.0
    );
}

async fn measure(site: &TestSite, what: &str, track: &str, preview: bool) {
    let clerk = site.client("王芳", "clerk", Some("scjg")).expect("clerk");
    let controller = site.start_controller().expect("controller");
    let api = controller.api(&clerk);
    let mut figures = Figures {
        to_disk: Vec::new(),
        to_light: Vec::new(),
        stop: Vec::new(),
    };
    // One session first, so that every figure is of a warm controller.
    for run in 0..=RUNS {
        until_previewing(&api, preview).await;
        // A clerk's start comes to a room idle for a while: its devices connected, an IP
        // camera's GOP kept. (Right after the previous stop, the preview is still connecting.)
        tokio::time::sleep(IDLE_BEFORE_A_START).await;
        let light_before = site.light.bytes().len();
        let media = site.media_root().join(liuhen_tests::ROOM);
        let before = folders(&media);
        let sent = Instant::now();
        let start = {
            let api = api.clone();
            tokio::spawn(async move {
                api.start_session(
                    liuhen_tests::ROOM,
                    &site_api::StartSession {
                        case_number: format!("计时〔2026〕{run}号"),
                        agency_id: None,
                        action_type: None,
                        party: None,
                    },
                )
                .await
            })
        };
        let mut to_light = None;
        let mut to_disk = None;
        while to_light.is_none() || to_disk.is_none() {
            assert!(sent.elapsed() < Duration::from_secs(20), "{what}: no start");
            let wire = site.light.bytes();
            if to_light.is_none()
                && wire.len() >= light_before + 4
                && wire[light_before..].ends_with(&LIGHT_ON)
            {
                to_light = Some(sent.elapsed());
            }
            if to_disk.is_none()
                && new_folders(&media, &before)
                    .iter()
                    .any(|d| first_frame_on_disk(d, track))
            {
                to_disk = Some(sent.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let session = start.await.expect("task").expect("started");
        tokio::time::sleep(Duration::from_millis(800)).await;
        let stopping = Instant::now();
        api.stop_session(session.id).await.expect("stopped");
        let stop = stopping.elapsed();
        if std::env::var_os("LIUHEN_BENCH_EACH").is_some() {
            println!("  run {run}: disk {to_disk:?}, light {to_light:?}, stop {stop:?}");
        }
        if run > 0 {
            figures.to_disk.push(to_disk.unwrap_or_default());
            figures.to_light.push(to_light.unwrap_or_default());
            figures.stop.push(stop);
        }
    }
    for list in [
        &mut figures.to_disk,
        &mut figures.to_light,
        &mut figures.stop,
    ] {
        list.sort();
    }
    println!(
        "{what}, {RUNS} sessions: start → camera's first frame on disk p50 {:.0} ms, p95 {:.0} ms; start → light on p50 {:.0} ms, p95 {:.0} ms; stop → every file closed and hashed p50 {:.0} ms, p95 {:.0} ms",
        percentile(&figures.to_disk, 50),
        percentile(&figures.to_disk, 95),
        percentile(&figures.to_light, 50),
        percentile(&figures.to_light, 95),
        percentile(&figures.stop, 50),
        percentile(&figures.stop, 95),
    );
}

#[tokio::main]
async fn main() {
    let site = TestSite::new(2).expect("site");
    measure(&site, "local camera and microphone", "cam1", true).await;
    idle_preview_cpu(&site, "local camera (640×360) and microphone").await;
    let cold = TestSite::with_devices(
        2,
        &format!(
            "preview = false\n\n{}",
            liuhen_tests::ONE_CAMERA_ONE_MICROPHONE
        ),
        &[],
    )
    .expect("site");
    measure(&cold, "the same with preview = false", "cam1", false).await;
    let composite = TestSite::with_devices(
        2,
        liuhen_tests::TWO_CAMERAS_ONE_MICROPHONE_AND_A_COMPOSITE,
        &[],
    )
    .expect("site");
    idle_preview_cpu(&composite, "two cameras, a microphone and a composite view").await;

    let camera = RtspCamera::start(0, "1280x720").expect("RTSP camera");
    let site = TestSite::with_devices(
        2,
        &format!(
            "[[rooms.cameras]]\nid = \"ipcam\"\nprofile = \"rtsp-h264\"\ndevice = \"{}\"\n\n[[rooms.microphones]]\nid = \"mic1\"\nprofile = \"test-tone\"\n",
            camera.url
        ),
        &[],
    )
    .expect("site");
    measure(
        &site,
        "RTSP camera (1280×720 H.264) and microphone",
        "ipcam",
        true,
    )
    .await;
    idle_preview_cpu(&site, "RTSP camera (1280×720 H.264) and microphone").await;
}
