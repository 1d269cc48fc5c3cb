//! Property-based: random JSON bodies at every route that takes one, and random site files at
//! `room-controller check`. Whatever arrives, the controller answers with a JSON error and a
//! status below 500 where the input is at fault, and `check` says what is wrong instead of
//! panicking.

use liuhen_tests::{Caller, ROOM, TestSite, workspace_binary};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;
use site_api::routes::{self, fill};

/// Any JSON document, a few levels deep, with the keys the API's bodies use among random ones
/// so that bodies come close to valid ones too.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("case_number".to_string()),
        Just("action".to_string()),
        Just("text".to_string()),
        Just("purpose".to_string()),
        Just("use".to_string()),
        Just("level".to_string()),
        Just("service_id".to_string()),
        Just("starts_at".to_string()),
        Just("confidentiality".to_string()),
        Just("checklist".to_string()),
        Just("outcome".to_string()),
        Just("decided_on".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("call_next"),
            Just("sign_in"),
            Just("publish"),
            Just("view"),
            Just("export"),
            Just("pass"),
            Just("very_satisfied"),
            Just("2026-10-12"),
            Just("state_secret"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Every route that takes a JSON body, with its method, filled with ids that exist or not.
fn json_routes() -> Vec<(reqwest::Method, String)> {
    use reqwest::Method;
    vec![
        (Method::POST, fill(routes::ROOM_SESSIONS, ROOM)),
        (Method::POST, fill(routes::ROOM_SESSIONS, "no-such-room")),
        (Method::POST, fill(routes::ROOM_BOOKINGS, ROOM)),
        (Method::POST, fill(routes::SESSION_MARKERS, 1)),
        (Method::POST, fill(routes::SESSION_ACCESS_REQUESTS, 1)),
        (Method::POST, fill(routes::ACCESS_REQUEST, 1)),
        (Method::POST, routes::HALL_TICKETS.to_string()),
        (Method::POST, fill(routes::HALL_TICKET_RATING, 1)),
        (Method::POST, fill(routes::HALL_WINDOW, "w1")),
        (Method::POST, fill(routes::HALL_FOLLOW_UP, 1)),
        (Method::PUT, fill(routes::CASE, "罚1号")),
        (Method::POST, fill(routes::CASE_REVIEWS, "罚1号")),
        (Method::POST, fill(routes::CASE_DECISION, "罚1号")),
        (Method::POST, fill(routes::CASE_PUBLICATION, "罚1号")),
        (Method::POST, fill(routes::CASE_ARCHIVE, "罚1号")),
    ]
}

async fn send(
    base: &str,
    who: &Caller,
    method: &reqwest::Method,
    path: &str,
    body: &Value,
) -> (u16, String) {
    let response = who
        .request(method.clone(), format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .expect("the controller answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn random_bodies_get_json_errors_never_a_server_error() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(
        "[hall]\nconsult = \"服务台\"\ncomplain = \"12345\"\n\n[[hall.services]]\nid = \"licence\"\n\
         agency = \"scjg\"\nname = \"营业执照\"\nprefix = \"A\"\nhours = \"00:00-24:00\"\n\n\
         [[hall.windows]]\nid = \"w1\"\nnumber = 1\nname = \"一号窗口\"\nservices = [\"licence\"]\n",
    )
    .expect("hall");
    let clerk = liuhen_tests::authorised_client(
        &site
            .add_staff("wang", "王芳", "32010019001", None)
            .expect("staff"),
    )
    .expect("clerk");
    let kiosk = site.client("kiosk", "kiosk", None).expect("kiosk");
    let controller = site.start_controller().expect("controller");
    let mut runner = TestRunner::deterministic();
    let bodies = json();
    for (method, path) in json_routes() {
        for who in [&clerk, &kiosk] {
            for _ in 0..12 {
                let body = bodies.new_tree(&mut runner).expect("a body").current();
                let (status, text) = send(&controller.base, who, &method, &path, &body).await;
                assert!(status < 500, "{method} {path} {body}: {status} {text}");
                if status >= 400 {
                    let error: Value = serde_json::from_str(&text)
                        .unwrap_or_else(|_| panic!("{method} {path} {body}: not JSON: {text}"));
                    assert!(error["error"].is_string(), "{method} {path} {body}: {text}");
                }
            }
        }
    }
    // Still up and answering.
    controller.room(&clerk).await;
}

/// Random damage to a valid site file: lines dropped, doubled, cut short, or given other values.
fn damaged(base: &str) -> impl Strategy<Value = String> {
    let lines: Vec<String> = base.lines().map(str::to_string).collect();
    let count = lines.len();
    prop::collection::vec((0..count, 0u8..5, ".{0,12}"), 1..6).prop_map(move |edits| {
        let mut lines = lines.clone();
        for (at, how, text) in edits {
            let at = at.min(lines.len().saturating_sub(1));
            if lines.is_empty() {
                break;
            }
            match how {
                0 => {
                    lines.remove(at);
                }
                1 => {
                    let line = lines[at].clone();
                    lines.insert(at, line);
                }
                2 => {
                    let keep = lines[at].chars().count() / 2;
                    lines[at] = lines[at].chars().take(keep).collect();
                }
                3 => {
                    if let Some((key, _)) = lines[at].split_once('=') {
                        lines[at] = format!("{key}= {text:?}");
                    }
                }
                _ => lines[at] = text,
            }
        }
        lines.join("\n")
    })
}

#[test]
fn random_site_files_are_refused_with_a_reason_never_a_panic() {
    let site = TestSite::new(2).expect("site");
    let base = std::fs::read_to_string(site.dir.path().join("site.toml")).expect("site file");
    let mut runner = TestRunner::deterministic();
    let files = damaged(&base);
    for n in 0..40 {
        let text = files.new_tree(&mut runner).expect("a file").current();
        let file = site.dir.path().join(format!("damaged-{n}.toml"));
        std::fs::write(&file, &text).expect("write");
        let out = std::process::Command::new(workspace_binary("room-controller"))
            .args(["check", "--site"])
            .arg(&file)
            .output()
            .expect("check runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)) && !stderr.contains("panicked"),
            "check of\n{text}\nanswered {:?}: {stderr}",
            out.status
        );
        if !out.status.success() {
            assert!(!stderr.trim().is_empty(), "a refusal says why:\n{text}");
        }
    }
}
