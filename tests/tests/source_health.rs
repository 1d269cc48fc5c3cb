//! Each camera and microphone shows how it is doing: a microphone's level before (the room's
//! preview) and while recording, and a silence alarm for one that hears nothing for longer than
//! its profile allows while recording. The alarm is kept in the session's events, and the
//! recording goes on.

use liuhen_tests::{CAMERA_TONE_AND_SILENT_MICROPHONE, QUICK_SILENCE_PROFILE, TestSite};
use site_api::{SessionState, SourceKind, SourceState, SourceStatus};

fn source<'a>(sources: &'a [SourceStatus], id: &str) -> &'a SourceStatus {
    sources
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} listed: {sources:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_microphone_raises_an_alarm_while_the_others_show_their_level() {
    let site = TestSite::with_devices(
        1,
        CAMERA_TONE_AND_SILENT_MICROPHONE,
        &[QUICK_SILENCE_PROFILE],
    )
    .expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    // Before any recording, the room lists its devices; its preview shows them ready and the
    // microphones' levels, with no alarm for the silent one: nothing is being recorded.
    let idle = controller
        .wait_for_room(&http, "the preview shows the tone's level", |r| {
            r.sources
                .iter()
                .any(|s| s.id == "mic1" && s.level_db.is_some())
        })
        .await;
    assert_eq!(idle.sources.len(), 3, "{:?}", idle.sources);
    assert_eq!(source(&idle.sources, "cam1").kind, SourceKind::Camera);
    assert!(
        idle.sources
            .iter()
            .all(|s| s.state == SourceState::Ready && s.alarm.is_none()),
        "{:?}",
        idle.sources
    );
    assert!(
        source(&idle.sources, "mic1")
            .level_db
            .is_some_and(|db| db > -20.0)
    );

    let session = controller.start_session(&http, "市监罚〔2026〕77号").await;
    let room = controller
        .wait_for_room(&http, "the silent microphone raises its alarm", |r| {
            r.sources
                .iter()
                .any(|s| s.id == "mic2" && s.state == SourceState::Silent)
        })
        .await;
    let silent = source(&room.sources, "mic2");
    assert!(
        silent.alarm.as_deref().is_some_and(|a| a.contains("无声")),
        "{silent:?}"
    );
    let tone = source(&room.sources, "mic1");
    assert_eq!(tone.state, SourceState::Ok);
    let level = tone.level_db.expect("the tone's level");
    assert!(
        level > -20.0 && level <= 0.0,
        "a test tone is loud: {level} dB"
    );
    assert!(silent.level_db.is_some_and(|db| db < -60.0));
    assert_eq!(source(&room.sources, "cam1").state, SourceState::Ok);

    let during = controller.session(&http, session.id).await;
    assert_eq!(
        during.state,
        SessionState::Recording,
        "an alarm never stops a recording"
    );
    assert!(
        during
            .events
            .iter()
            .any(|e| e.kind == "source-alarm" && e.detail.contains("mic2")),
        "the alarm is kept with the session: {:?}",
        during.events
    );

    let stopped = controller.stop_session(&http, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);
    let after = controller
        .wait_for_room(&http, "the room previews again after the stop", |r| {
            r.sources.iter().all(|s| s.state == SourceState::Ready)
        })
        .await;
    assert!(after.sources.iter().all(|s| s.alarm.is_none()));
}

#[tokio::test(flavor = "multi_thread")]
async fn while_recording_each_source_shows_its_segment_bytes_and_bitrate() {
    let site = TestSite::new(1).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let idle = controller.room(&http).await;
    let cam = source(&idle.sources, "cam1");
    assert_eq!((cam.segment, cam.recorded_bytes), (None, 0), "{cam:?}");

    let session = controller.start_session(&http, "市监罚〔2026〕78号").await;
    // With 1 s segments, the third file is open after two have finished.
    let room = controller
        .wait_for_room(&http, "the camera is in its third segment", |r| {
            r.sources
                .iter()
                .any(|s| s.id == "cam1" && s.segment.is_some_and(|n| n >= 2))
        })
        .await;
    let cam = source(&room.sources, "cam1");
    let mic = source(&room.sources, "mic1");
    assert_eq!(cam.track.as_deref(), Some("cam1"));
    assert_eq!(
        mic.track.as_deref(),
        Some("cam1"),
        "the mic is in the camera's files"
    );
    assert_eq!(mic.segment, cam.segment);
    let kbps = cam
        .bitrate_kbps
        .expect("a bitrate once a segment has finished");
    assert!(
        (100..20_000).contains(&kbps),
        "a test camera's bitrate is plausible: {kbps} kbit/s"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let later = controller.room(&http).await;
    let later_cam = source(&later.sources, "cam1");
    assert!(
        later_cam.recorded_bytes > cam.recorded_bytes && later_cam.segment > cam.segment,
        "bytes and segment numbers move on: {cam:?} then {later_cam:?}"
    );
    let done = controller.stop_session(&http, session.id).await;
    let on_disk: i64 = done
        .segments
        .iter()
        .filter(|s| s.track == "cam1")
        .map(|s| s.size_bytes)
        .sum();
    assert!(
        i64::try_from(later_cam.recorded_bytes).unwrap_or(i64::MAX) <= on_disk,
        "shown bytes {} are at most what was written in the end, {on_disk}",
        later_cam.recorded_bytes
    );
}
