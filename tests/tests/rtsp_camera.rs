//! An IP camera over RTSP, served on loopback by GStreamer's RTSP server: its H.264 is recorded
//! as the camera sends it, in a track of its own beside the room's local camera and microphone.
//! When the camera goes away mid-session the clerk sees it, the gap is recorded, the other
//! tracks run on without a gap, and the camera's track resumes once it is back.

use liuhen_tests::{Controller, RtspCamera, TestSite, assert_no_gap, assert_verifies};
use site_api::{RoomView, SessionState, SessionView, SourceState};
use std::time::Duration;

fn local_camera_and_ip_camera(url: &str) -> String {
    format!(
        r#"[[rooms.cameras]]
id = "cam1"
profile = "test-pattern"

[[rooms.cameras]]
id = "ipcam"
profile = "rtsp-h264"
device = "{url}"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone"
"#
    )
}

/// Waits until the room shows the IP camera in `state`; returns the room as then seen.
async fn ip_camera_is(
    controller: &Controller,
    http: &liuhen_tests::Caller,
    state: SourceState,
    what: &str,
) -> RoomView {
    controller
        .wait_for_room(http, what, |room| {
            room.sources
                .iter()
                .any(|s| s.id == "ipcam" && s.state == state)
        })
        .await
}

fn track_span(session: &SessionView, track: &str) -> i64 {
    session
        .segments
        .iter()
        .filter(|s| s.track == track)
        .map(|s| s.duration_ns)
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_rtsp_camera_is_recorded_as_it_sends_without_re_encoding() {
    let camera = RtspCamera::start(0, "1280x720").expect("RTSP camera");
    let site =
        TestSite::with_devices(1, &local_camera_and_ip_camera(&camera.url), &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "听证〔2026〕7号").await;
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);

    let dir = site.media_root().join(&done.media_dir);
    let ip_segments: Vec<_> = done
        .segments
        .iter()
        .filter(|s| s.track == "ipcam")
        .collect();
    assert!(ip_segments.len() >= 2, "{:?}", done.segments);
    for seg in &ip_segments {
        let info = pipelines::probe(&dir.join(&seg.file))
            .unwrap_or_else(|e| panic!("{} parses: {e}", seg.file));
        assert_eq!(info.video.len(), 1, "{}", seg.file);
        assert_eq!(
            (info.video[0].width, info.video[0].height),
            (1280, 720),
            "{}: the camera's own size",
            seg.file
        );
        assert_eq!(info.video[0].codec, "video/x-h264", "{}", seg.file);
        assert!(
            info.audio.is_empty(),
            "{}: the microphone is in cam1",
            seg.file
        );
    }
    // Both cameras cover the session within a second of each other.
    let (local, ip) = (track_span(&done, "cam1"), track_span(&done, "ipcam"));
    assert!(
        (local - ip).abs() < 1_000_000_000,
        "cam1 {local} ns, ipcam {ip} ns"
    );
    let cameras = done.recorded_with["cameras"].as_array().expect("cameras");
    let ipcam = cameras.iter().find(|c| c["id"] == "ipcam").expect("ipcam");
    assert!(
        ipcam["recorded_as"]
            .as_str()
            .is_some_and(|s| s.contains("not re-encoded")),
        "{ipcam}"
    );
    // The profile expects 1920×1080; the signed manifest states what the camera really sent.
    assert_eq!(ipcam["configured"]["width"], 1920, "{ipcam}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("the manifest"))
            .expect("JSON");
    let recorded = manifest["session"]["recorded_with"]["as_recorded"]
        .as_array()
        .expect("the formats as recorded");
    let stream = |track: &str, stream: &str| {
        recorded
            .iter()
            .find(|f| f["track"] == track && f["stream"] == stream)
            .unwrap_or_else(|| panic!("{track}/{stream} in {recorded:?}"))
    };
    let ip_video = stream("ipcam", "video");
    assert_eq!(
        (&ip_video["width"], &ip_video["height"]),
        (&1280.into(), &720.into())
    );
    assert_eq!(ip_video["codec"], "video/x-h264");
    let sound = stream("cam1", "audio_0");
    assert_eq!(sound["codec"], "audio/x-opus");
    assert!(sound["rate"].as_i64().is_some_and(|r| r > 0), "{sound}");
    assert_eq!(stream("cam1", "video")["codec"], "video/x-h264");
    assert_verifies(&dir, "a session with an RTSP camera");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_rtsp_camera_is_a_gap_and_comes_back_while_the_rest_records_on() {
    let mut camera = RtspCamera::start(0, "640x360").expect("RTSP camera");
    let site =
        TestSite::with_devices(1, &local_camera_and_ip_camera(&camera.url), &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "听证〔2026〕8号").await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    camera.kill();
    let lost = ip_camera_is(
        &controller,
        &http,
        SourceState::Lost,
        "the camera shows as lost",
    )
    .await;
    let ipcam = lost.sources.iter().find(|s| s.id == "ipcam").unwrap();
    assert!(
        ipcam
            .alarm
            .as_deref()
            .is_some_and(|a| a.contains("正在重新连接")),
        "{ipcam:?}"
    );
    let during = controller.session(&http, session.id).await;
    assert_eq!(during.state, SessionState::Recording, "the session goes on");

    tokio::time::sleep(Duration::from_millis(2000)).await;
    let _camera = RtspCamera::start(camera.port, "640x360").expect("the camera is back");
    ip_camera_is(
        &controller,
        &http,
        SourceState::Ok,
        "the camera records again",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);

    let gap = done
        .events
        .iter()
        .find(|e| e.kind == "gap")
        .expect("the camera's gap is recorded");
    assert!(
        gap.detail.starts_with("ipcam: no recording from"),
        "{}",
        gap.detail
    );
    assert!(done.events.iter().any(|e| e.kind == "source-alarm"));
    assert!(done.events.iter().any(|e| e.kind == "source-ok"));
    // The camera's track has a hole of about the outage; the local camera's has none.
    assert_no_gap(&done.segments, "cam1");
    let mut ip: Vec<_> = done
        .segments
        .iter()
        .filter(|s| s.track == "ipcam")
        .collect();
    ip.sort_by_key(|s| s.seq);
    let hole = ip
        .windows(2)
        .map(|p| p[1].start_ns - (p[0].start_ns + p[0].duration_ns))
        .max()
        .unwrap_or(0);
    assert!(
        hole > 1_500_000_000,
        "the camera's track shows the outage: largest hole {hole} ns in {ip:?}"
    );
    let after_hole = ip
        .windows(2)
        .position(|p| p[1].start_ns - (p[0].start_ns + p[0].duration_ns) == hole)
        .map_or(0, |i| ip.len() - i - 1);
    assert!(after_hole >= 1, "segments after the camera came back");
    let dir = site.media_root().join(&done.media_dir);
    assert_verifies(&dir, "a session with a lost and found camera");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_camera_that_hangs_without_closing_its_connection_is_lost_and_comes_back() {
    let camera = RtspCamera::start(0, "640x360").expect("RTSP camera");
    let site =
        TestSite::with_devices(1, &local_camera_and_ip_camera(&camera.url), &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "询问〔2026〕9号").await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    // The connection stays open; only the pictures stop. Nothing but the silence tells.
    camera.freeze();
    let lost = ip_camera_is(
        &controller,
        &http,
        SourceState::Lost,
        "the hung camera shows as lost",
    )
    .await;
    let cam1 = lost.sources.iter().find(|s| s.id == "cam1").unwrap();
    assert_eq!(cam1.state, SourceState::Ok, "the local camera records on");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    camera.thaw();
    ip_camera_is(
        &controller,
        &http,
        SourceState::Ok,
        "the camera records again",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);
    assert!(
        done.events
            .iter()
            .any(|e| e.kind == "gap" && e.detail.starts_with("ipcam")),
        "{:?}",
        done.events
    );
    assert_no_gap(&done.segments, "cam1");
    let dir = site.media_root().join(&done.media_dir);
    assert_verifies(&dir, "a session with a camera that hung");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_camera_set_to_h265_is_an_alarm_that_says_what_to_change() {
    let camera = RtspCamera::start_with(0, "640x360", &["--codec", "h265"]).expect("RTSP camera");
    let site =
        TestSite::with_devices(1, &local_camera_and_ip_camera(&camera.url), &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "询问〔2026〕10号").await;
    let lost = ip_camera_is(
        &controller,
        &http,
        SourceState::Lost,
        "the H.265 camera shows as lost",
    )
    .await;
    let alarm = lost
        .sources
        .iter()
        .find(|s| s.id == "ipcam")
        .and_then(|s| s.alarm.clone())
        .unwrap_or_default();
    assert!(
        alarm.contains("H265") && alarm.contains("set the camera's video encoding to H.264"),
        "{alarm}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);
    assert!(
        done.segments.iter().any(|s| s.track == "cam1"),
        "the local camera is recorded all the same"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ip_cameras_own_microphone_is_recorded_with_its_pictures() {
    let camera = RtspCamera::start_with(0, "640x360", &["--audio", "g711"]).expect("RTSP camera");
    let devices = local_camera_and_ip_camera(&camera.url).replace(
        &format!("device = \"{}\"", camera.url),
        &format!("device = \"{}\"\naudio = true", camera.url),
    );
    let site = TestSite::with_devices(1, &devices, &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "听证〔2026〕11号").await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);
    let dir = site.media_root().join(&done.media_dir);
    let first = done
        .segments
        .iter()
        .find(|s| s.track == "ipcam")
        .expect("the IP camera's track");
    let info = pipelines::probe(&dir.join(&first.file)).expect("parses");
    assert_eq!(info.video[0].codec, "video/x-h264", "pictures as sent");
    assert_eq!(info.audio.len(), 1, "the camera's sound: {info:?}");
    assert_eq!(info.audio[0].codec, "audio/x-opus");
    let ipcam = done.recorded_with["cameras"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "ipcam"))
        .expect("ipcam described");
    assert_eq!(ipcam["audio"], true, "{ipcam}");
    assert_verifies(&dir, "a session with an IP camera's sound");
}
