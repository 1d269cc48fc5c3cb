//! Each camera and microphone shows how it is doing: a microphone's level while recording, and a
//! silence alarm for one that hears nothing for longer than its profile allows. The alarm is
//! kept in the session's events, and the recording goes on.

use liuhen_tests::{CAMERA_TONE_AND_SILENT_MICROPHONE, QUICK_SILENCE_PROFILE, TestSite};
use records::api::{SessionState, SourceKind, SourceState, SourceStatus};

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

    // Before any recording, the room lists its devices, idle.
    let idle = controller.room(&http).await;
    assert_eq!(idle.sources.len(), 3, "{:?}", idle.sources);
    assert_eq!(source(&idle.sources, "cam1").kind, SourceKind::Camera);
    assert!(idle.sources.iter().all(|s| s.state == SourceState::Idle));

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
    let after = controller.room(&http).await;
    assert!(
        after
            .sources
            .iter()
            .all(|s| s.state == SourceState::Idle && s.alarm.is_none())
    );
}
