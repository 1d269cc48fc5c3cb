//! Pausing a session, where the room's site file allows it: the files so far are closed and
//! hashed, the light goes off, the door says "paused", the room stays held (also across a
//! controller restart), and resuming records on into new segments of the same session with the
//! pause kept as a gap. A hearing room, recorded without pauses by default, refuses a pause.

use liuhen_tests::{
    FREE_GREEN, LIGHT_OFF, LIGHT_ON, ONE_CAMERA_ONE_MICROPHONE, PAUSED_BLUE, ROOM, TestSite,
    assert_verifies, draw_screen, keep_screenshot, read_png, share_of,
};
use site_api::{SessionState, SessionView};
use std::time::Duration;

/// The light's commands as on/off, with repeats (re-sends) folded.
fn light_changes(bytes: &[u8]) -> Vec<&'static str> {
    let mut changes: Vec<&'static str> = Vec::new();
    for frame in bytes.chunks(4) {
        let state = match frame {
            f if f == LIGHT_ON => "on",
            f if f == LIGHT_OFF => "off",
            _ => "garbage",
        };
        if changes.last() != Some(&state) {
            changes.push(state);
        }
    }
    changes
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_session_holds_its_room_survives_a_restart_and_resumes_with_a_gap() {
    let site = TestSite::new(1).expect("site");
    site.allow_pause().unwrap();
    site.add_room("hearing-1", "第一听证室", ONE_CAMERA_ONE_MICROPHONE)
        .unwrap();
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "市监罚〔2026〕60号").await;
    assert!(controller.room(&http).await.pause_allowed);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, body) = controller.act(&http, session.id, "pause").await;
    assert_eq!(status, 200, "{body}");
    let paused: SessionView = serde_json::from_str(&body).expect("a session");
    assert_eq!(paused.state, SessionState::Paused);
    assert!(
        paused
            .events
            .iter()
            .any(|e| e.kind == "paused" && e.detail.contains("王芳")),
        "who paused is kept: {:?}",
        paused.events
    );
    let before_pause = paused.segments.len();
    assert!(
        before_pause >= 2,
        "segments before the pause: {before_pause}"
    );
    assert_eq!(
        light_changes(&site.light.wait_for_len(8, Duration::from_secs(5))),
        ["on", "off"],
        "the light is off while paused"
    );
    let dir = site.media_root().join(&paused.media_dir);
    assert_verifies(&dir, "a paused session's files verify");

    // Paused: no markers, the room is held, the door says so.
    assert_eq!(controller.mark(&http, session.id, "已告知").await, 409);
    let other = site.client("李强", "clerk", Some("zrzy")).unwrap();
    let refused = other
        .post(controller.url(&format!("/api/rooms/{ROOM}/sessions")))
        .json(&serde_json::json!({ "case_number": "自然资罚〔2026〕1号" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let why = refused.text().await.unwrap();
    assert!(why.contains("paused"), "{why}");
    let kiosk = site.issue_token("door", "kiosk", None).unwrap();
    let png = site.dir.path().join("door-paused.png");
    draw_screen(
        &controller.base,
        &kiosk,
        &["door", "--room", ROOM],
        &png,
        &site.dir.path().join("door-state.json"),
    );
    let (_, _, pixels) = read_png(&png).unwrap();
    assert!(
        share_of(&pixels, PAUSED_BLUE) > 0.15,
        "the door shows a large 'paused' band"
    );
    keep_screenshot(&png, "door-panel-paused.png");
    let clerk = site
        .issue_token("王芳 平板", "clerk", Some("scjg"))
        .unwrap();
    let png = site.dir.path().join("clerk-paused.png");
    draw_screen(
        &controller.base,
        &clerk,
        &["clerk", "--room", ROOM],
        &png,
        &site.dir.path().join("clerk-state.json"),
    );
    let (_, _, pixels) = read_png(&png).unwrap();
    assert!(
        share_of(&pixels, PAUSED_BLUE) > 0.02,
        "the clerk panel says 'paused'"
    );
    assert!(
        share_of(&pixels, FREE_GREEN) > 0.01,
        "the clerk panel offers to resume (a green button)"
    );
    keep_screenshot(&png, "clerk-panel-paused.png");

    // A restart leaves a paused session paused (it is not a crash), and it resumes.
    controller.kill();
    let controller = site.start_controller().expect("controller again");
    let after_restart = controller.session(&http, session.id).await;
    assert_eq!(after_restart.state, SessionState::Paused);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = controller.act(&http, session.id, "resume").await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);

    let gap = done
        .events
        .iter()
        .find(|e| e.kind == "gap")
        .expect("the pause is kept as a gap");
    assert!(gap.detail.contains("until"), "{}", gap.detail);
    let mut seqs: Vec<(String, i64)> = done
        .segments
        .iter()
        .map(|s| (s.track.clone(), s.seq))
        .collect();
    let all = seqs.len();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), all, "no segment number is used twice");
    assert!(
        done.segments.len() > before_pause,
        "new segments after the resume"
    );
    let recorded_ns: i64 = done
        .segments
        .iter()
        .filter(|s| s.track == "cam1")
        .map(|s| s.duration_ns)
        .sum();
    let wall = done.ended_at.unwrap() - done.started_at.unwrap();
    assert!(
        recorded_ns < wall.num_nanoseconds().unwrap() - 1_000_000_000,
        "the pause is not recorded: {recorded_ns} ns of media in {wall}"
    );
    assert_eq!(
        light_changes(&site.light.bytes()),
        ["on", "off", "on", "off"]
    );
    assert_verifies(&dir, "the whole session verifies after pause and resume");

    // A hearing room is recorded without pauses unless its site file says otherwise.
    let hearing = controller
        .start_session_in(&http, "hearing-1", "市监罚〔2026〕61号")
        .await;
    let (status, why) = controller.act(&http, hearing.id, "pause").await;
    assert_eq!(status, 409, "{why}");
    assert!(why.contains("without pauses"), "{why}");
    assert_eq!(
        controller.session(&http, hearing.id).await.state,
        SessionState::Recording,
        "a refused pause leaves the recording running"
    );
    controller.stop_session(&http, hearing.id).await;
}
