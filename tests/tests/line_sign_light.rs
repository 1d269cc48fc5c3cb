//! A custom door sign that speaks a text line protocol and answers "OK" to each command: the
//! controller checks every answer, shows a silent sign as a fault while recording goes on, and
//! puts the sign in its fault state when a recording is cut off.

use liuhen_tests::TestSite;
use site_api::SessionState;
use std::time::{Duration, Instant};

const SIGN: &str = r#"name = "测试文字指示牌 / test text sign"

[indicator]
baud = 9600
on = "REC ON\r\n"
off = "REC OFF\r\n"
fault = "REC FAULT\r\n"
reply = "OK\r\n"
reply_timeout_ms = 300
resend_seconds = 1
"#;

/// The commands the sign received, in order, with repeats (re-sends) folded.
fn commands(site: &TestSite) -> Vec<String> {
    let text = String::from_utf8_lossy(&site.light.bytes()).to_string();
    let mut seen: Vec<String> = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if seen.last().map(String::as_str) != Some(line) {
            seen.push(line.to_string());
        }
    }
    seen
}

fn wait_for_command(site: &TestSite, wanted: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = commands(site);
        if seen == wanted || Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_text_sign_is_checked_by_its_answers_and_shows_a_cut_off_recording() {
    let site = TestSite::new(1).unwrap();
    site.use_light_profile("sign-fast", SIGN).unwrap();
    site.light.answer_with(Some(b"OK\r\n"));
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "自然资罚〔2026〕3号").await;
    assert_eq!(wait_for_command(&site, &["REC ON"]), ["REC ON"]);
    let room = controller
        .wait_for_room(&http, "the sign answered", |r| {
            r.light
                .as_ref()
                .is_some_and(|l| l.on == Some(true) && l.fault.is_none())
        })
        .await;
    assert!(room.light.is_some());

    // The sign stops answering: a fault for the clerk; recording goes on.
    site.light.answer_with(None);
    let silent = controller
        .wait_for_room(&http, "a silent sign is a fault", |r| {
            r.light.as_ref().is_some_and(|l| l.fault.is_some())
        })
        .await;
    let fault = silent.light.unwrap().fault.unwrap();
    assert!(fault.contains("no reply"), "{fault}");
    assert_eq!(
        controller.session(&http, session.id).await.state,
        SessionState::Recording
    );
    site.light.answer_with(Some(b"OK\r\n"));
    controller
        .wait_for_room(&http, "the fault clears when the sign answers", |r| {
            r.light.as_ref().is_some_and(|l| l.fault.is_none())
        })
        .await;

    // The recording is cut off (its media worker dies): the sign shows its fault text.
    let worker = controller
        .media_worker_of(liuhen_tests::ROOM)
        .expect("a media worker");
    // SAFETY: kill(2) on a child of our child; no memory effects here.
    unsafe { libc::kill(worker, libc::SIGKILL) };
    assert_eq!(
        wait_for_command(&site, &["REC ON", "REC FAULT"]),
        ["REC ON", "REC FAULT"]
    );
    let resumed = http
        .post(controller.url(&format!("/api/sessions/{}/resume", session.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200);
    let stopped = controller.stop_session(&http, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);
    assert_eq!(
        wait_for_command(&site, &["REC ON", "REC FAULT", "REC ON", "REC OFF"]),
        ["REC ON", "REC FAULT", "REC ON", "REC OFF"]
    );
}
