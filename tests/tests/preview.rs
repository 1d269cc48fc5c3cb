//! An idle room keeps its pipeline running (its preview): the clerk sees the devices ready and
//! the levels before starting, and a start only opens that running worker into the session's
//! folder. A preview that dies is a device fault on the clerk panel, never a recording, and is
//! started again with back-off; a device that is missing is named; `preview = false` turns it
//! off for a room.

use liuhen_tests::{
    ALARM_BACKGROUND, Controller, ONE_CAMERA_ONE_MICROPHONE, RECORDING_RED, ROOM, TestSite,
    draw_screen, keep_screenshot, read_png, share_of,
};
use site_api::{RoomView, SessionState, SourceState};
use std::time::{Duration, Instant};

const QUIET_ROOM: &str = "hearing-1";

/// The pid of `room`'s media worker once one runs other than `not`.
async fn worker_other_than(controller: &Controller, room: &str, not: Option<i32>) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match controller.media_worker_of(room) {
            Some(pid) if Some(pid) != not => return pid,
            _ if Instant::now() > deadline => {
                panic!("no media worker for {room} other than {not:?}")
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

fn all_ready(room: &RoomView) -> bool {
    room.sources.iter().all(|s| s.state == SourceState::Ready)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_opens_the_rooms_running_preview_and_a_room_may_turn_it_off() {
    let site = TestSite::new(1).expect("site");
    site.add_room(
        QUIET_ROOM,
        "第一听证室",
        &format!("preview = false\n\n{ONE_CAMERA_ONE_MICROPHONE}"),
    )
    .unwrap();
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    controller
        .wait_for_room(&http, "the room's preview is built", all_ready)
        .await;
    let preview = worker_other_than(&controller, ROOM, None).await;
    // A room idle for a while: its pipeline's clock is well past the start.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let session = controller.start_session(&http, "市监罚〔2026〕90号").await;
    assert_eq!(
        controller.media_worker_of(ROOM),
        Some(preview),
        "the start took over the running preview instead of starting a worker"
    );
    assert!(site.light.wait_for_len(4, Duration::from_secs(5)) == liuhen_tests::LIGHT_ON);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stopped = controller.stop_session(&http, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);
    let first = stopped
        .segments
        .iter()
        .find(|s| s.seq == 0)
        .expect("a first segment");
    assert!(
        first.start_ns < 2_000_000_000,
        "the files count from the start, not from the preview's: {first:?}"
    );
    liuhen_tests::assert_no_gap(&stopped.segments, "cam1");
    liuhen_tests::assert_verifies(&site.media_root().join(&stopped.media_dir), "previewed");
    // The room previews again, in a worker of its own.
    worker_other_than(&controller, ROOM, Some(preview)).await;

    // The other room keeps nothing running while idle, and records all the same.
    let quiet = controller.api(&http).room(QUIET_ROOM).await.expect("room");
    assert!(
        quiet.sources.iter().all(|s| s.state == SourceState::Idle),
        "{:?}",
        quiet.sources
    );
    assert_eq!(controller.media_worker_of(QUIET_ROOM), None);
    let session = controller
        .start_session_in(&http, QUIET_ROOM, "市监罚〔2026〕91号")
        .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let stopped = controller.stop_session(&http, session.id).await;
    assert!(!stopped.segments.is_empty());
    assert_eq!(controller.media_worker_of(QUIET_ROOM), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_preview_is_a_device_fault_restarted_with_back_off_never_a_recording() {
    let site = TestSite::new(1).expect("site");
    let controller = site.start_controller().expect("controller");
    let token = site.issue_token("王芳", "clerk", Some("scjg")).unwrap();
    let http = liuhen_tests::authorised_client(&token).unwrap();

    controller
        .wait_for_room(&http, "the room's preview is built", all_ready)
        .await;
    let mut worker = worker_other_than(&controller, ROOM, None).await;
    for retry_in in [1, 2] {
        // SAFETY: kill(2) on a child of our child; no memory effects here.
        unsafe { libc::kill(worker, libc::SIGKILL) };
        let faulty = controller
            .wait_for_room(&http, "the dead preview shows as a fault", |r| {
                r.sources.iter().all(|s| s.state == SourceState::Fault)
            })
            .await;
        let alarm = faulty.sources[0].alarm.clone().unwrap_or_default();
        assert!(alarm.contains("设备故障"), "{alarm}");
        assert!(alarm.contains("SIGKILL"), "says what happened: {alarm}");
        assert!(
            alarm.contains(&format!("tried again in {retry_in} s")),
            "back-off {retry_in} s: {alarm}"
        );
        assert!(faulty.session.is_none(), "a fault is never a recording");
        let back = Instant::now();
        controller
            .wait_for_room(&http, "the preview is started again", all_ready)
            .await;
        assert!(
            back.elapsed() >= Duration::from_millis(retry_in * 1000 - 300),
            "restarted after its back-off, not at once: {:?}",
            back.elapsed()
        );
        worker = worker_other_than(&controller, ROOM, Some(worker)).await;
    }
    assert!(site.light.bytes().is_empty(), "the light never came on");

    // The restarted preview records as any other.
    let session = controller.start_session(&http, "市监罚〔2026〕92号").await;
    assert_eq!(controller.media_worker_of(ROOM), Some(worker));
    let stopped = controller.stop_session(&http, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_camera_is_a_fault_on_that_camera_and_a_start_says_which() {
    let devices = r#"[[rooms.cameras]]
id = "door-cam"
profile = "usb-uvc-720p"
device = "/dev/video-not-plugged-in"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone""#;
    let site = TestSite::with_devices(1, devices, &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let token = site.issue_token("王芳", "clerk", Some("scjg")).unwrap();
    let http = liuhen_tests::authorised_client(&token).unwrap();

    let room = controller
        .wait_for_room(&http, "the missing camera shows as a fault", |r| {
            r.sources
                .iter()
                .any(|s| s.id == "door-cam" && s.state == SourceState::Fault)
        })
        .await;
    let camera = room.sources.iter().find(|s| s.id == "door-cam").unwrap();
    let alarm = camera.alarm.as_deref().unwrap_or_default();
    assert!(alarm.starts_with("摄像机 door-cam 故障"), "{alarm}");
    assert!(alarm.contains("/dev/video-not-plugged-in"), "{alarm}");
    let mic = room.sources.iter().find(|s| s.id == "mic1").unwrap();
    assert_eq!(mic.state, SourceState::Idle, "only the camera is at fault");
    let png = site.dir.path().join("fault.png");
    let state = site.dir.path().join("clerk-state.json");
    draw_screen(
        &controller.base,
        &token,
        &["clerk", "--room", ROOM],
        &png,
        &state,
    );
    let (_, _, pixels) = read_png(&png).unwrap();
    assert!(
        share_of(&pixels, ALARM_BACKGROUND) > 0.01,
        "the alarm box shows"
    );
    assert!(
        share_of(&pixels, RECORDING_RED) < 0.001,
        "nothing says recording"
    );
    keep_screenshot(&png, "clerk-panel-device-fault.png");

    let request = site_api::StartSession {
        case_number: "市监罚〔2026〕93号".into(),
        agency_id: None,
        action_type: None,
        party: None,
    };
    let refused = controller
        .api(&http)
        .start_session(ROOM, &request)
        .await
        .expect_err("a start without its camera fails");
    assert!(
        refused.message().contains("/dev/video-not-plugged-in"),
        "the start names the device: {}",
        refused.message()
    );
    let wire = site.light.bytes();
    assert!(
        !wire.windows(4).any(|w| w == liuhen_tests::LIGHT_ON),
        "the light never came on: {wire:02x?}"
    );
}
