//! Two rooms record at once, and the media worker of one is killed, as a GStreamer element
//! crashing on an unplugged webcam would end it. (SIGKILL: Rust's own SIGSEGV handler lets a
//! process survive a SIGSEGV sent from outside, though not a real fault.) The other room records on without a gap, the API keeps
//! answering, and the crashed room's session is left interrupted, with an alarm, every segment
//! kept, and resumes into the same session on request.

use liuhen_tests::{Caller, Controller, ONE_CAMERA_ONE_MICROPHONE, ROOM, TestSite};
use site_api::{SessionState, SessionView};
use std::time::Duration;

const OTHER_ROOM: &str = "hearing-1";

/// The test room and a second room, a clerk, and the controller started with `env`.
fn two_rooms(env: &[(&str, &str)]) -> (TestSite, Caller, Controller) {
    let site = TestSite::new(1).expect("site");
    site.add_room(OTHER_ROOM, "第一听证室", ONE_CAMERA_ONE_MICROPHONE)
        .expect("second room");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let controller = site.start_controller_with_env(env).expect("controller");
    (site, http, controller)
}

/// The clerk resumes an interrupted session: it goes on in the same session.
async fn resume(controller: &Controller, http: &Caller, id: i64) {
    let resumed = http
        .post(controller.url(&format!("/api/sessions/{id}/resume")))
        .send()
        .await
        .expect("resume");
    assert_eq!(
        resumed.status(),
        200,
        "{}",
        resumed.text().await.unwrap_or_default()
    );
}

/// Stops both sessions; the steady room's track ran without a gap, both folders verify, and no
/// media worker outlives its session. Returns (steady, troubled) as stopped.
async fn stop_both(
    site: &TestSite,
    controller: &Controller,
    http: &Caller,
    steady: i64,
    troubled: i64,
) -> (SessionView, SessionView) {
    let recorders: Vec<i32> = [ROOM, OTHER_ROOM]
        .iter()
        .filter_map(|room| controller.media_worker_of(room))
        .collect();
    let steady_end = controller.stop_session(http, steady).await;
    let troubled_end = controller.stop_session(http, troubled).await;
    assert_eq!(steady_end.state, SessionState::Finished);
    assert_eq!(troubled_end.state, SessionState::Finished);
    liuhen_tests::assert_no_gap(&steady_end.segments, "cam1");
    for session in [&steady_end, &troubled_end] {
        let dir = site.media_root().join(&session.media_dir);
        liuhen_tests::assert_verifies(&dir, &session.case_number);
    }
    // Each room previews again with a new worker; the recordings' workers are gone (and reaped).
    let left = controller.child_processes();
    assert!(
        left.iter().all(|(pid, _)| !recorders.contains(pid)),
        "no media worker outlives its session: {recorders:?} among {left:?}"
    );
    (steady_end, troubled_end)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crashed_media_worker_costs_only_its_own_rooms_recording() {
    let (site, http, controller) = two_rooms(&[]);

    let crashed = controller.start_session_in(&http, ROOM, "隔离-甲").await;
    let steady = controller
        .start_session_in(&http, OTHER_ROOM, "隔离-乙")
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let worker = controller
        .media_worker_of(ROOM)
        .expect("room 1 has a media worker");
    assert_ne!(controller.media_worker_of(OTHER_ROOM), Some(worker));
    // SAFETY: kill(2) on a child of our child; no memory effects here.
    unsafe { libc::kill(worker, libc::SIGKILL) };

    let interrupted = controller
        .wait_for_session(
            &http,
            crashed.id,
            "the crashed room's session is interrupted",
            |s| s.state == SessionState::Interrupted,
        )
        .await;
    let alarm = interrupted
        .events
        .iter()
        .find(|e| e.kind == "alarm")
        .expect("an alarm for the clerk");
    assert!(
        alarm.detail.contains("录制进程异常退出"),
        "{}",
        alarm.detail
    );
    assert!(alarm.detail.contains("SIGKILL"), "{}", alarm.detail);
    let before_crash = interrupted.segments.len();
    assert!(
        before_crash >= 2,
        "segments before the crash are kept: {interrupted:?}"
    );
    let health = http
        .get(controller.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the API answers after the crash");
    let other: SessionView = controller.session(&http, steady.id).await;
    assert_eq!(
        other.state,
        SessionState::Recording,
        "the other room records on"
    );

    // The clerk resumes the crashed room's session; it continues in the same session.
    resume(&controller, &http, crashed.id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (steady_end, crashed_end) =
        stop_both(&site, &controller, &http, steady.id, crashed.id).await;
    assert!(
        crashed_end.events.iter().any(|e| e.kind == "gap"),
        "the gap is recorded"
    );
    assert!(
        crashed_end.segments.len() > before_crash,
        "the resumed session has new segments"
    );
    // Together the other room's segments cover the session's wall time but for the start and
    // the stop.
    let covered: i64 = steady_end.segments.iter().map(|s| s.duration_ns).sum();
    let wall = (steady_end.ended_at.unwrap() - steady.created_at)
        .num_nanoseconds()
        .unwrap();
    assert!(
        covered > wall - 1_500_000_000,
        "the other room recorded {covered} ns of {wall} ns"
    );
}

/// A bug in one room's own code (a panic in its task, set off here by a test-only switch) is
/// caught by the room's supervisor: the room restarts from the records, its session kept as
/// interrupted and resumable with every segment, its light off; the other room never notices.
#[tokio::test(flavor = "multi_thread")]
async fn a_room_whose_task_panics_is_restarted_and_its_session_resumes() {
    // The switch is a file the test makes when it wants the next stop to panic.
    let switch_dir = tempfile::tempdir().expect("tempdir");
    let trigger = switch_dir.path().join("panic-on-stop");
    let (site, http, controller) = two_rooms(&[(
        "LIUHEN_TEST_PANIC_ON_STOP",
        trigger.to_str().expect("a plain path"),
    )]);

    let broken = controller.start_session_in(&http, ROOM, "监督-甲").await;
    let steady = controller
        .start_session_in(&http, OTHER_ROOM, "监督-乙")
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let light_before = site.light.bytes().len();

    // The next stop panics inside the room's task.
    std::fs::write(&trigger, "").expect("arm the switch");
    let stop = http
        .post(controller.url(&format!("/api/sessions/{}/stop", broken.id)))
        .send()
        .await
        .expect("the controller answers");
    assert!(
        !stop.status().is_success(),
        "the stop broke off: {}",
        stop.status()
    );
    assert!(!trigger.exists(), "the switch fired");

    let interrupted = controller
        .wait_for_session(
            &http,
            broken.id,
            "the broken-off room's session is interrupted",
            |s| s.state == SessionState::Interrupted,
        )
        .await;
    assert!(interrupted.segments.len() >= 2, "{interrupted:?}");
    assert!(
        interrupted.segments.iter().any(|s| s.recovered),
        "the segment open at the panic is recorded: {:?}",
        interrupted.segments
    );
    let wire = site
        .light
        .wait_for_len(light_before + 4, Duration::from_secs(5));
    assert!(
        wire.ends_with(&liuhen_tests::LIGHT_OFF),
        "the light goes off: {wire:02X?}"
    );
    let other: SessionView = controller.session(&http, steady.id).await;
    assert_eq!(
        other.state,
        SessionState::Recording,
        "the other room records on"
    );

    // The restarted room takes the same handles: resume, then stop as usual.
    resume(&controller, &http, broken.id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, broken_end) = stop_both(&site, &controller, &http, steady.id, broken.id).await;
    assert!(broken_end.segments.len() > interrupted.segments.len());
}
