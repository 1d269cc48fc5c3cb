//! Displays need not poll: a subscriber to `/api/events` is told, in order and numbered, every
//! time a room's session changes; and an open stream does not hold up a clean shutdown.

use liuhen_tests::{ROOM, TestSite};
use site_api::{LiveEvent, SessionView};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

async fn next(events: &mut UnboundedReceiver<LiveEvent>) -> LiveEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("an event within 5 s")
        .expect("stream open")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_display_is_told_of_every_change_in_order_and_shutdown_does_not_wait_for_it() {
    let site = TestSite::new(2).expect("site");
    // The room's preview is a change of its own (its devices ready): tested in preview.rs.
    site.without_preview().unwrap();
    let controller = site.start_controller().expect("controller");
    let kiosk = site.issue_token("hall board", "kiosk", None).unwrap();
    let mut events = controller.subscribe(&kiosk).await;
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session: SessionView = controller.start_session(&http, "推送测试").await;
    let recording = next(&mut events).await;
    assert_eq!(recording.topic, site_api::Topic::Room(ROOM.into()));
    http.post(controller.url(&format!("/api/sessions/{}/stop", session.id)))
        .send()
        .await
        .unwrap();
    let stopping = next(&mut events).await;
    let finished = next(&mut events).await;
    assert_eq!(
        [stopping.seq, finished.seq],
        [recording.seq + 1, recording.seq + 2],
        "numbered without gaps"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(300), events.recv())
            .await
            .is_err(),
        "nothing more"
    );

    let status = tokio::task::spawn_blocking(move || controller.terminate())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.success(),
        "clean exit with a display still subscribed"
    );
}
