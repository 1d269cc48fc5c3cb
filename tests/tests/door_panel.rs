//! The door panel, drawn by the real kiosk binary from the real controller's API: people outside
//! the room see whether it is recording, the panel keeps its last state when offline, a session
//! cut off by a crash holds the room as "interrupted", and closing it frees the room.

use liuhen_tests::{
    FREE_GREEN, RECORDING_RED, ROOM, TestSite, WARNING_AMBER, distinct_colours, draw_screen,
    keep_screenshot, read_png, share_of,
};

#[tokio::test(flavor = "multi_thread")]
async fn door_panel_shows_free_then_recording_and_keeps_its_state_offline() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let out = site.dir.path();
    let state_file = out.join("door-state.json");
    let kiosk = site
        .issue_token("door interview-1", "kiosk", None)
        .expect("kiosk token");
    let door = ["door", "--room", ROOM];

    draw_screen(
        &controller.base,
        &kiosk,
        &door,
        &out.join("free.png"),
        &state_file,
    );
    let http = site
        .client("王芳", "clerk", Some("scjg"))
        .expect("clerk token");
    let session = controller.start_session(&http, "市监罚〔2026〕12号").await;
    draw_screen(
        &controller.base,
        &kiosk,
        &door,
        &out.join("recording.png"),
        &state_file,
    );

    let (w, h, free) = read_png(&out.join("free.png")).unwrap();
    assert_eq!((w, h), (800, 480));
    let (_, _, recording) = read_png(&out.join("recording.png")).unwrap();
    // Text was drawn (anti-aliased glyphs give many colours), not a blank or flat image.
    assert!(distinct_colours(&free) > 50, "free panel looks blank");
    assert!(
        distinct_colours(&recording) > 50,
        "recording panel looks blank"
    );
    assert_ne!(free, recording, "the two states look the same");
    assert!(
        share_of(&free, FREE_GREEN) > 0.15,
        "free panel shows a large green band"
    );
    assert!(
        share_of(&free, RECORDING_RED) < 0.01,
        "free panel shows no red"
    );
    assert!(
        share_of(&recording, RECORDING_RED) > 0.15,
        "recording panel shows a large red band"
    );
    assert!(
        share_of(&recording, WARNING_AMBER) < 0.001,
        "online panel has no offline mark"
    );

    // The controller goes away: the panel keeps showing "recording", with an offline mark.
    controller.kill();
    draw_screen(
        "http://127.0.0.1:9",
        &kiosk,
        &door,
        &out.join("offline.png"),
        &state_file,
    );
    let (_, _, offline) = read_png(&out.join("offline.png")).unwrap();
    assert!(
        share_of(&offline, RECORDING_RED) > 0.10,
        "last state (recording) is kept offline"
    );
    assert!(
        share_of(&offline, WARNING_AMBER) > 0.01,
        "offline mark shown"
    );

    // Back after the crash: the room is held by the interrupted session, in amber.
    let controller = site.start_controller().expect("restart");
    draw_screen(
        &controller.base,
        &kiosk,
        &door,
        &out.join("interrupted.png"),
        &state_file,
    );
    let (_, _, interrupted) = read_png(&out.join("interrupted.png")).unwrap();
    assert!(
        share_of(&interrupted, WARNING_AMBER) > 0.15,
        "interrupted: a large amber band"
    );
    assert!(
        share_of(&interrupted, FREE_GREEN) < 0.01,
        "not shown as free"
    );

    // The clerk closes it without resuming: the room is free again.
    let closed = controller.stop_session(&http, session.id).await;
    assert_eq!(closed.state, site_api::SessionState::Finished);
    assert!(closed.events.iter().any(|e| e.kind == "closed"));
    liuhen_tests::assert_verifies(
        &site.media_root().join(&closed.media_dir),
        "a closed session",
    );
    draw_screen(
        &controller.base,
        &kiosk,
        &door,
        &out.join("closed.png"),
        &state_file,
    );
    let (_, _, closed) = read_png(&out.join("closed.png")).unwrap();
    assert!(share_of(&closed, FREE_GREEN) > 0.15, "free after closing");

    for name in [
        "free.png",
        "recording.png",
        "offline.png",
        "interrupted.png",
    ] {
        keep_screenshot(&out.join(name), &format!("door-panel-{name}"));
    }
}
