//! The media disk while recording: when space runs low the clerk is warned and recording goes
//! on; when the disk is really full the session stops cleanly and keeps every segment. The
//! thresholds are the site file's, and set here beyond any disk so that the real free-space
//! check of this machine crosses them.

use liuhen_tests::{LIGHT_OFF, LIGHT_ON, TestSite};
use site_api::SessionState;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn a_low_disk_raises_an_alarm_and_recording_goes_on() {
    let site = TestSite::new(1).expect("site");
    site.set_site_settings("min_free_minutes = 0\nwarn_free_minutes = 4000000000")
        .unwrap();
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let session = controller.start_session(&http, "磁盘告警").await;
    let warned = controller
        .wait_for_session(&http, session.id, "low-disk alarm", |v| {
            v.events.iter().any(|e| e.kind == "alarm")
        })
        .await;
    let alarm = warned.events.iter().find(|e| e.kind == "alarm").unwrap();
    assert!(alarm.detail.contains("media disk low"), "{}", alarm.detail);
    assert_eq!(
        warned.state,
        SessionState::Recording,
        "an alarm never stops a recording"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopped = controller.stop_session(&http, session.id).await;
    assert_eq!(
        stopped.events.iter().filter(|e| e.kind == "alarm").count(),
        1,
        "warned once"
    );
    assert_eq!(stopped.state, SessionState::Finished);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_the_session_cleanly_and_keeps_every_segment() {
    let site = TestSite::new(1).expect("site");
    site.set_site_settings("min_free_minutes = 0\nstop_free_mb = 1000000000000")
        .unwrap();
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let session = controller.start_session(&http, "磁盘已满").await;
    let ended = controller
        .wait_for_session(&http, session.id, "stopped by the full disk", |v| {
            v.state == SessionState::Finished
        })
        .await;
    assert!(
        ended
            .events
            .iter()
            .any(|e| e.kind == "alarm" && e.detail.contains("media disk full")),
        "{:?}",
        ended.events
    );
    assert!(!ended.segments.is_empty());
    let dir = site.media_root().join(&ended.media_dir);
    liuhen_tests::assert_verifies(&dir, "the session folder verifies");
    let wire = site.light.wait_for_len(8, Duration::from_secs(5));
    assert_eq!(
        wire,
        [LIGHT_ON, LIGHT_OFF].concat(),
        "the light goes off with the stop"
    );
}
