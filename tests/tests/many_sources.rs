//! A hearing room with several cameras (panorama, presiding officer, parties) and microphones:
//! every camera is its own track of files at its own profile's size; the first camera's files
//! carry every microphone, so each of them plays with sound.

use liuhen_tests::TestSite;
use site_api::SessionView;
use std::collections::BTreeMap;
use std::time::Duration;

const SMALL_CAMERA: &str = r#"
id = "test-pattern-small"
name = "小测试图案 / small test pattern"

[camera]
source = "test-pattern"
width = 320
height = 240
framerate = 15
bitrate_kbps = 300
"#;

const THREE_CAMERAS_TWO_MICROPHONES: &str = r#"
[[rooms.cameras]]
id = "panorama"
profile = "test-pattern"

[[rooms.cameras]]
id = "presiding"
profile = "test-pattern-small"

[[rooms.cameras]]
id = "parties"
profile = "test-pattern-small"

[[rooms.microphones]]
id = "bench"
profile = "test-tone"

[[rooms.microphones]]
id = "parties-mic"
profile = "test-tone"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn three_cameras_and_two_microphones_are_all_recorded_for_the_whole_session() {
    let site = TestSite::with_devices(
        2,
        THREE_CAMERAS_TWO_MICROPHONES,
        &[("small.toml", SMALL_CAMERA)],
    )
    .expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("书记员", "clerk", Some("scjg")).unwrap();
    let session: SessionView = controller.start_session(&http, "听证〔2026〕1号").await;
    tokio::time::sleep(Duration::from_millis(5200)).await;
    let stopped: SessionView = controller.stop_session(&http, session.id).await;

    let dir = site.media_root().join(&stopped.media_dir);
    let mut per_track: BTreeMap<&str, Duration> = BTreeMap::new();
    for seg in &stopped.segments {
        let info =
            pipelines::probe(&dir.join(&seg.file)).unwrap_or_else(|e| panic!("{}: {e}", seg.file));
        let (size, audio) = match seg.track.as_str() {
            "panorama" => ((640, 360), 2),
            "presiding" | "parties" => ((320, 240), 0),
            other => panic!("unexpected track {other}"),
        };
        assert_eq!(info.video.len(), 1, "{}", seg.file);
        assert_eq!(
            (info.video[0].width, info.video[0].height),
            size,
            "{}",
            seg.file
        );
        assert_eq!(
            info.audio.len(),
            audio,
            "{}: microphones in this track",
            seg.file
        );
        *per_track.entry(seg.track.as_str()).or_default() += info.duration.unwrap_or_default();
    }
    assert_eq!(
        per_track.keys().copied().collect::<Vec<_>>(),
        ["panorama", "parties", "presiding"]
    );
    let recorded = stopped.ended_at.unwrap() - stopped.started_at.unwrap();
    let recorded = recorded.to_std().unwrap();
    for (track, total) in per_track {
        assert!(
            total.abs_diff(recorded) <= Duration::from_secs(1),
            "{track}: {total:?} recorded of {recorded:?}"
        );
    }
    assert_eq!(
        stopped.recorded_with["microphones"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}
