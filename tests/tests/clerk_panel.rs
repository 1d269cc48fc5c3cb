//! The clerk's panel, drawn by the real kiosk binary from the real controller: free with the
//! next booking; recording with a marker, a microphone's level, and alarms for a silent
//! microphone and an unplugged light; interrupted after the controller was killed, offering to
//! resume.

use liuhen_tests::{
    ALARM_BACKGROUND, CAMERA_TONE_AND_SILENT_MICROPHONE, FREE_GREEN, QUICK_SILENCE_PROFILE,
    RECORDING_RED, ROOM, TestSite, WARNING_AMBER, distinct_colours, draw_screen, keep_screenshot,
    read_png, share_of,
};

#[tokio::test(flavor = "multi_thread")]
async fn the_clerk_panel_shows_each_state_with_its_alarms() {
    let site = TestSite::with_devices(
        1,
        CAMERA_TONE_AND_SILENT_MICROPHONE,
        &[QUICK_SILENCE_PROFILE],
    )
    .expect("site");
    site.use_fast_resending_light().unwrap();
    let controller = site.start_controller().expect("controller");
    let token = site.issue_token("王芳", "clerk", Some("scjg")).unwrap();
    let http = liuhen_tests::authorised_client(&token).unwrap();
    let out = site.dir.path();
    let state_file = out.join("clerk-state.json");
    let clerk = ["clerk", "--room", ROOM];
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let booked = http
        .post(controller.url(&format!("/api/rooms/{ROOM}/bookings")))
        .json(&serde_json::json!({"case_number": "市监罚〔2026〕40号", "starts_at": tomorrow, "ends_at": tomorrow + chrono::Duration::hours(1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 201);

    let view: site_api::ClerkView = controller
        .api(&http)
        .clerk_view(ROOM)
        .await
        .expect("the controller answers");
    assert_eq!(
        view.next_booking.and_then(|b| b.case_number).as_deref(),
        Some("市监罚〔2026〕40号")
    );
    assert!(view.disk_free_mb > 0 && view.disk_minutes_left > 0);
    draw_screen(
        &controller.base,
        &token,
        &clerk,
        &out.join("free.png"),
        &state_file,
    );

    // Recording, a marker, a silent microphone and the light's relay pulled out: alarms show.
    let session = controller.start_session(&http, "市监罚〔2026〕40号").await;
    assert_eq!(
        controller
            .mark(&http, session.id, "已告知当事人权利义务")
            .await,
        200
    );
    let view: site_api::ClerkView = controller
        .api(&http)
        .clerk_view(ROOM)
        .await
        .expect("the controller answers");
    assert!(
        view.session.as_ref().is_some_and(|s| s.segments.is_empty()),
        "the panel gets no segment hashes"
    );
    site.light.unplug();
    controller
        .wait_for_room(&http, "light fault and silence shown", |r| {
            r.light.as_ref().is_some_and(|l| l.fault.is_some())
                && r.sources.iter().any(|s| s.alarm.is_some())
                && r.sources
                    .iter()
                    .any(|s| s.level_db.is_some_and(|db| db > -20.0))
        })
        .await;
    draw_screen(
        &controller.base,
        &token,
        &clerk,
        &out.join("recording-alarm.png"),
        &state_file,
    );

    // Killed mid-session and restarted: the panel offers to resume.
    controller.kill();
    let controller = site.start_controller().expect("restart");
    draw_screen(
        &controller.base,
        &token,
        &clerk,
        &out.join("interrupted.png"),
        &state_file,
    );

    let (w, h, free) = read_png(&out.join("free.png")).unwrap();
    assert_eq!((w, h), (1024, 600));
    let (_, _, recording) = read_png(&out.join("recording-alarm.png")).unwrap();
    let (_, _, interrupted) = read_png(&out.join("interrupted.png")).unwrap();
    for (name, pixels) in [
        ("free", &free),
        ("recording", &recording),
        ("interrupted", &interrupted),
    ] {
        assert!(distinct_colours(pixels) > 50, "{name} panel looks blank");
    }
    assert!(
        share_of(&free, FREE_GREEN) > 0.02,
        "free: green state and start button"
    );
    assert!(
        share_of(&free, RECORDING_RED) < 0.001 && share_of(&free, ALARM_BACKGROUND) < 0.001,
        "free: no red, no alarm"
    );
    assert!(
        share_of(&recording, RECORDING_RED) > 0.02,
        "recording: red state and stop button"
    );
    assert!(
        share_of(&recording, ALARM_BACKGROUND) > 0.02,
        "recording: the light's alarm box"
    );
    assert!(
        share_of(&interrupted, WARNING_AMBER) > 0.02,
        "interrupted: amber state"
    );
    assert!(
        share_of(&interrupted, FREE_GREEN) > 0.01,
        "interrupted: the resume button"
    );
    for name in ["free.png", "recording-alarm.png", "interrupted.png"] {
        keep_screenshot(&out.join(name), &format!("clerk-panel-{name}"));
    }
}
