//! The hostile insider: a person with a valid token (another clerk of the agency, another
//! agency's clerk, counter staff, a kiosk on a public screen) tries, through the real controller
//! and CLI, what worked before and must not: joining a case's team to reach its recordings,
//! resetting a case's protections, publishing what has since become secret, flooding the access
//! log, and taking over a counter or rating one's own service. One test per way in.

use liuhen_tests::{Caller, Controller, TestSite, authorised_client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use site_api::{CaseView, Confidentiality, MajorBecause, SessionState};

const CASE: &str = "市监罚〔2026〕31号";

/// Clerks wang (the handler) and li (a colleague) and the approver boss, of agency scjg, which
/// has approvers; the running controller.
struct Agency {
    site: TestSite,
    controller: Controller,
    wang: Caller,
    li: Caller,
    boss: Caller,
}

fn agency() -> Agency {
    let site = TestSite::new(1).expect("site");
    site.set_agency("scjg", "access_approvers = [\"boss\"]")
        .expect("approvers");
    let staff = |id: &str, name: &str, credential: &str| {
        authorised_client(&site.add_staff(id, name, credential, None).expect("staff"))
            .expect("caller")
    };
    let wang = staff("wang", "王芳", "32010019001");
    let li = staff("li", "李明", "32010019002");
    let boss = staff("boss", "赵局", "32010019003");
    let controller = site.start_controller().expect("controller");
    Agency {
        site,
        controller,
        wang,
        li,
        boss,
    }
}

async fn put_case(agency: &Agency, who: &Caller, body: Value) -> (StatusCode, Value) {
    let response = who
        .put(agency.controller.url(&format!("/api/cases/{CASE}")))
        .json(&body)
        .send()
        .await
        .expect("controller answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The handler records the case's decision; the controller's answer.
async fn decide(agency: &Agency, conclusion: &str) -> StatusCode {
    agency
        .wang
        .post(
            agency
                .controller
                .url(&format!("/api/cases/{CASE}/decision")),
        )
        .json(
            &json!({"document_number": "市监罚决〔2026〕31号", "conclusion": conclusion,
                      "decided_on": "2026-10-12",
                      "reasons": {"evidence": "现场笔录", "legal_basis": "《行政处罚法》"}}),
        )
        .send()
        .await
        .expect("answer")
        .status()
}

/// Records a short session of the case as `who`; returns its id once it has finished.
async fn record(agency: &Agency, who: &Caller) -> i64 {
    let session = agency.controller.start_session(who, CASE).await;
    let stopped = agency.controller.stop_session(who, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);
    session.id
}

async fn view_status(agency: &Agency, who: &Caller, session: i64, purpose: Option<&str>) -> u16 {
    match agency.controller.api(who).session(session, purpose).await {
        Ok(_) => 200,
        Err(err) => err.status().unwrap_or(0),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clerk_cannot_join_a_cases_team_to_reach_its_recordings() {
    let agency = agency();
    let (status, body) = put_case(
        &agency,
        &agency.wang,
        json!({"action_type": "penalty", "party": "张三", "handler_id": "wang"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let hearing = record(&agency, &agency.wang).await;
    assert_eq!(view_status(&agency, &agency.li, hearing, None).await, 403);

    // Naming oneself handler or co-handler of a case that has its team: refused.
    for grab in [json!({"handler_id": "li"}), json!({"co_handlers": ["li"]})] {
        let (status, body) = put_case(&agency, &agency.li, grab).await;
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("approvers"),
            "{body}"
        );
    }
    // Recording a session of the case: that session is theirs to see, the others are not.
    let own = record(&agency, &agency.li).await;
    assert_eq!(view_status(&agency, &agency.li, own, None).await, 200);
    assert_eq!(
        view_status(&agency, &agency.li, hearing, None).await,
        403,
        "recording a session grants nothing over the case's other recordings"
    );

    // An approver adds them; that is kept in the case's history.
    let (status, body) = put_case(&agency, &agency.boss, json!({"co_handlers": ["li"]})).await;
    assert_eq!(status, 200, "{body}");
    let case: CaseView = serde_json::from_value(body).expect("case");
    assert_eq!(case.co_handlers, ["li"]);
    let change = case
        .history
        .iter()
        .find(|c| c.field == "co_handlers")
        .expect("the team's change is kept");
    assert!(
        change.who.contains("赵局") && change.new == "li",
        "{change:?}"
    );
    assert_eq!(view_status(&agency, &agency.li, hearing, None).await, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_change_keeps_a_case_as_it_was_and_only_an_approver_loosens_it() {
    let agency = agency();
    let (status, body) = put_case(
        &agency,
        &agency.wang,
        json!({"action_type": "penalty", "party": "王小明", "minor": true,
               "confidentiality": "state_secret", "large_amount": true, "handler_id": "wang"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = put_case(&agency, &agency.li, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let case: CaseView = serde_json::from_value(body).expect("case");
    assert_eq!(case.confidentiality, Confidentiality::StateSecret);
    assert_eq!(case.major_because, [MajorBecause::LargeAmount]);

    for loosen in [
        json!({"confidentiality": "public"}),
        json!({"minor": false}),
        json!({"large_amount": false}),
        json!({"publishable_after_redaction": true}),
    ] {
        let (status, body) = put_case(&agency, &agency.wang, loosen.clone()).await;
        assert_eq!(status, 403, "{loosen}: {body}");
    }
    // Still major: its decision waits for a legal review.
    assert_eq!(decide(&agency, "罚款").await, StatusCode::CONFLICT);

    let (status, body) = put_case(&agency, &agency.boss, json!({"minor": false})).await;
    assert_eq!(status, 200, "an approver may: {body}");
    let case: CaseView = serde_json::from_value(body).expect("case");
    let last = case.history.last().expect("history");
    assert_eq!(
        (last.field.as_str(), last.old.as_str(), last.new.as_str()),
        ("minor", "yes", "no")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_decision_is_published_only_if_the_case_allows_it_when_published() {
    let agency = agency();
    let (status, body) = put_case(
        &agency,
        &agency.wang,
        json!({"action_type": "penalty", "party": "张三", "handler_id": "wang"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(decide(&agency, "警告").await, StatusCode::CREATED);
    // Found out afterwards: the party is a minor.
    let (status, body) = put_case(&agency, &agency.li, json!({"minor": true})).await;
    assert_eq!(status, 200, "tightening is any clerk's: {body}");
    // Released by the publicity reviewer (the agency's approver, as none is named).
    let published = agency
        .boss
        .post(
            agency
                .controller
                .url(&format!("/api/cases/{CASE}/publication")),
        )
        .json(&json!({"action": "publish"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(published.status(), StatusCode::CONFLICT);
    let body: Value = published.json().await.expect("error body");
    assert!(
        body["error"].as_str().unwrap().contains("未成年人"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_attempts_cannot_flood_the_access_log() {
    let agency = agency();
    let (status, _) = put_case(&agency, &agency.wang, json!({"handler_id": "wang"})).await;
    assert_eq!(status, 200);
    let hearing = record(&agency, &agency.wang).await;
    let log_len = |log: &[site_api::AccessEntry], who: &str| {
        log.iter().filter(|e| e.who.contains(who)).count()
    };

    // A kiosk on a public screen never reaches a session, and writes nothing.
    let kiosk = agency
        .site
        .client("hall kiosk", "kiosk", None)
        .expect("kiosk");
    let long = "为".repeat(3000);
    for _ in 0..5 {
        assert_eq!(
            view_status(&agency, &kiosk, hearing, Some(&long)).await,
            403
        );
    }
    // A clerk's purpose is at most 200 characters; the log keeps no more.
    assert_eq!(
        view_status(&agency, &agency.li, hearing, Some(&long)).await,
        400
    );
    // Asking again and again: refused, then held back, the log growing by one row a minute.
    let mut held_back = 0;
    for _ in 0..60 {
        if view_status(&agency, &agency.li, hearing, None).await == 429 {
            held_back += 1;
        }
    }
    assert!(held_back >= 25, "held back {held_back} of 60");
    let log = agency
        .controller
        .api(&agency.boss)
        .access_log(&Default::default())
        .await
        .expect("the agency's log");
    assert_eq!(log_len(&log, "kiosk"), 0, "kiosks write no rows");
    let rows = log_len(&log, "李明");
    assert!((30..=33).contains(&rows), "{rows} rows for 61 attempts");
    assert!(
        log.iter()
            .filter(|e| e.who.contains("李明"))
            .all(|e| e.purpose.chars().count() <= 200),
        "no overlong purpose in the log"
    );
    assert!(
        log.iter()
            .any(|e| e.reason.contains("refused attempts within a minute")),
        "one summary row for the rest of the minute"
    );

    // Another agency's clerk: told the session does not exist; the owner's log shows it.
    let other = agency
        .site
        .client("孙丽 自然资源", "clerk", Some("zrzy"))
        .expect("other agency");
    assert_eq!(
        view_status(&agency, &other, hearing, Some("看看")).await,
        404
    );
    let log = agency
        .controller
        .api(&agency.wang)
        .access_log(&Default::default())
        .await
        .expect("the agency's log");
    assert!(
        log.iter().any(|e| e.who.contains("孙丽")
            && !e.allowed
            && e.agency_id.as_deref() == Some("zrzy")),
        "the attempt on scjg's recording is in scjg's log"
    );
}

/// Window w1 serves scjg's licences; window w3 serves zrzy's land registration.
const HALL: &str = r#"[hall]
consult = "服务台"
complain = "12345"

[[hall.services]]
id = "licence"
agency = "scjg"
name = "营业执照办理"
prefix = "A"
hours = "00:00-24:00"

[[hall.services]]
id = "land"
agency = "zrzy"
name = "不动产登记"
prefix = "C"
hours = "00:00-24:00"

[[hall.windows]]
id = "w1"
number = 1
name = "市场监管窗口"
services = ["licence"]

[[hall.windows]]
id = "w3"
number = 3
name = "不动产窗口"
services = ["land"]
"#;

async fn counter(controller: &Controller, who: &Caller, window: &str, action: Value) -> StatusCode {
    who.post(controller.url(&format!("/api/hall/windows/{window}")))
        .json(&action)
        .send()
        .await
        .expect("answer")
        .status()
}

#[tokio::test(flavor = "multi_thread")]
async fn counters_belong_to_their_staff_and_ratings_to_the_public() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(HALL).expect("hall");
    let staff = |id: &str, name: &str, credential: &str| {
        authorised_client(&site.add_staff(id, name, credential, None).expect("staff"))
            .expect("caller")
    };
    let wang = staff("wang", "王芳", "32010019001");
    let li = staff("li", "李明", "32010019002");
    let admin = site.client("site admin", "admin", None).expect("admin");
    let kiosk = site.client("hall kiosk", "kiosk", None).expect("kiosk");
    let controller = site.start_controller().expect("controller");
    let act = |action: &str| json!({ "action": action });

    // Only at a window serving their agency's services.
    assert_eq!(
        counter(&controller, &wang, "w3", act("sign_in")).await,
        StatusCode::FORBIDDEN,
        "w3 serves no service of scjg"
    );
    // Nobody takes over a window someone else is signed in at.
    assert_eq!(
        counter(&controller, &wang, "w1", act("sign_in")).await,
        StatusCode::OK
    );
    assert_eq!(
        counter(&controller, &li, "w1", act("sign_in")).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        counter(&controller, &wang, "w1", act("sign_out")).await,
        StatusCode::OK
    );
    assert_eq!(
        counter(&controller, &li, "w1", act("sign_in")).await,
        StatusCode::OK
    );
    // The site's admin frees a window whose staff member left without signing out.
    assert_eq!(
        counter(&controller, &admin, "w1", act("sign_out")).await,
        StatusCode::OK
    );
    assert_eq!(
        counter(&controller, &wang, "w1", act("sign_in")).await,
        StatusCode::OK
    );

    // A window calls by number only tickets of its own services.
    let api = controller.api(&kiosk);
    let land = api
        .take_ticket(&site_api::TakeTicket {
            service_id: "land".into(),
            priority: site_api::Priority::Ordinary,
        })
        .await
        .expect("a land ticket");
    assert_eq!(
        counter(
            &controller,
            &wang,
            "w1",
            json!({"action": "call", "number": land.number})
        )
        .await,
        StatusCode::CONFLICT
    );

    // The service is rated by the public at the kiosk, never by the staff who gave it.
    let licence = api
        .take_ticket(&site_api::TakeTicket {
            service_id: "licence".into(),
            priority: site_api::Priority::Ordinary,
        })
        .await
        .expect("a licence ticket");
    for step in ["call_next", "start", "done"] {
        assert_eq!(
            counter(&controller, &wang, "w1", act(step)).await,
            StatusCode::OK
        );
    }
    let good = json!({"level": "very_satisfied"});
    let rating_url = controller.url(&format!("/api/hall/tickets/{}/rating", licence.id));
    let by_staff = wang
        .post(&rating_url)
        .json(&good)
        .send()
        .await
        .expect("answer");
    assert_eq!(by_staff.status(), StatusCode::FORBIDDEN);
    let by_public = kiosk
        .post(&rating_url)
        .json(&good)
        .send()
        .await
        .expect("answer");
    assert_eq!(by_public.status(), StatusCode::NO_CONTENT);

    // A counter's token is checked with the action itself (on the records writer): a kiosk is
    // no staff member, and a retired member's token stops working at once.
    assert_eq!(
        counter(&controller, &kiosk, "w1", act("call_next")).await,
        StatusCode::FORBIDDEN
    );
    assert!(
        site.cli("staff", &["retire", "--id", "li"])
            .status
            .success()
    );
    assert_eq!(
        counter(&controller, &li, "w1", act("sign_in")).await,
        StatusCode::UNAUTHORIZED
    );
    // Who is asking is answered before what was sent.
    assert_eq!(
        counter(&controller, &li, "w1", json!({"action": "fly"})).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        counter(&controller, &wang, "w1", json!({"action": "fly"})).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_exports_are_limited_and_the_controller_keeps_answering() {
    let site = TestSite::new(1).expect("site");
    site.set_site_settings("max_exports = 2").expect("limit");
    let wang = authorised_client(
        &site
            .add_staff("wang", "王芳", "32010019001", None)
            .expect("staff"),
    )
    .expect("caller");
    let controller = site.start_controller().expect("controller");
    let session = controller.start_session(&wang, CASE).await;
    let session = controller.stop_session(&wang, session.id).await;
    // A long hearing: its first file made large (sparse), so that a download that is not read
    // stays open as a slow client's would.
    let first = site
        .media_root()
        .join(&session.media_dir)
        .join(&session.segments[0].file);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&first)
        .and_then(|f| f.set_len(256 << 20))
        .expect("a large file");
    let export_url = controller.url(&format!("/api/sessions/{}/export", session.id));

    // Two slow downloads take both permits; they read nothing further.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let response = wang.get(&export_url).send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::OK);
        slow.push(response);
    }
    let third = wang.get(&export_url).send().await.expect("answer");
    assert_eq!(third.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        third
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
        Some("30")
    );
    // The rest of the site answers all the while: records, rooms, sessions.
    for _ in 0..20 {
        let room = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            controller.api(&wang).room(liuhen_tests::ROOM),
        )
        .await
        .expect("the API answers while exports stream")
        .expect("the room");
        assert!(room.session.is_none());
    }
    // A download that goes away gives its permit back.
    slow.pop();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let again = wang.get(&export_url).send().await.expect("answer");
        if again.status() == StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the permit came back: {}",
            again.status()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

fn verify(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = std::process::Command::new(liuhen_tests::workspace_binary("room-controller"))
        .arg("verify")
        .args(args)
        .output()
        .expect("verify runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chain_is_signed_by_the_site_and_anchored_in_the_records() {
    use std::ffi::OsStr;
    use std::os::unix::fs::PermissionsExt;
    let agency = agency();
    let session = agency.controller.start_session(&agency.wang, CASE).await;
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let session = agency
        .controller
        .stop_session(&agency.wang, session.id)
        .await;
    assert!(session.segments.len() >= 3, "{:?}", session.segments);
    let folder = agency.site.media_root().join(&session.media_dir);
    let records = agency.site.records_file();

    // The key pair was made at first start: private beside the records (0600), public on the API.
    let key_file = records.parent().expect("records folder").join("site-key");
    let mode = std::fs::metadata(&key_file)
        .expect("key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let public = agency
        .controller
        .api(&agency.wang)
        .site_key()
        .await
        .expect("the site key")
        .public_key;
    let (ok, report) = verify(&[
        OsStr::new("--records"),
        records.as_os_str(),
        folder.as_os_str(),
    ]);
    assert!(
        ok && report.contains("signed with the site's key"),
        "{report}"
    );

    // An export verifies with the public key alone, and not with another.
    let out = tempfile::tempdir().expect("tempdir");
    let exported = std::process::Command::new(liuhen_tests::workspace_binary("room-controller"))
        .args(["session", "--api", &agency.controller.base, "export"])
        .arg(session.id.to_string())
        .arg("--out")
        .arg(out.path())
        .env("LIUHEN_TOKEN", agency.wang.token())
        .output()
        .expect("export runs");
    assert!(exported.status.success(), "{exported:?}");
    let package = out.path().join(format!("session-{}", session.id));
    let (ok, report) = verify(&[
        OsStr::new("--key"),
        OsStr::new(&public),
        package.as_os_str(),
    ]);
    assert!(ok, "{report}");
    let stranger = evidence::SiteKey::generate().expect("another key");
    let (ok, report) = verify(&[
        OsStr::new("--key"),
        OsStr::new(&stranger.public_hex()),
        package.as_os_str(),
    ]);
    assert!(!ok && report.contains("not the site's key"), "{report}");

    // The last segment deleted together with its manifest entry: the signature no longer holds.
    let cut = out.path().join("cut");
    copy_folder(&folder, &cut);
    let mut manifest = evidence::Manifest::read(&cut).expect("manifest");
    let last = manifest.segments.pop().expect("a segment");
    std::fs::remove_file(cut.join(&last.file)).expect("delete");
    manifest.write(&cut).expect("write");
    let (ok, report) = verify(&[cut.as_os_str()]);
    assert!(
        !ok && report.contains("signature does not match"),
        "{report}"
    );

    // Re-signed with another key: caught against the site's key, and against the records.
    manifest.sign(&stranger).expect("re-signed");
    manifest.write(&cut).expect("write");
    let (ok, report) = verify(&[OsStr::new("--key"), OsStr::new(&public), cut.as_os_str()]);
    assert!(!ok && report.contains("not the site's key"), "{report}");
    let (ok, report) = verify(&[
        OsStr::new("--records"),
        records.as_os_str(),
        cut.as_os_str(),
    ]);
    assert!(
        !ok && report.contains(&format!("{} is in the records", last.file)),
        "{report}"
    );

    // The records refuse to change a segment; changed behind the triggers, the chain shows it.
    let db = rusqlite::Connection::open(&records).expect("records");
    assert!(
        db.execute(
            "UPDATE segments SET sha256 = 'x' WHERE session_id = ?1",
            [session.id]
        )
        .is_err()
    );
    assert!(db.execute("DELETE FROM segments", []).is_err());
    db.execute_batch(
        "DROP TRIGGER segments_no_update;
         UPDATE segments SET size_bytes = size_bytes + 1 WHERE seq = 0;",
    )
    .expect("an attacker with the records file");
    let (ok, report) = verify(&[
        OsStr::new("--records"),
        records.as_os_str(),
        folder.as_os_str(),
    ]);
    assert!(!ok && report.contains("chain is broken"), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn case_numbers_are_one_trimmed_line_and_may_start_with_a_dash() {
    let agency = agency();
    let start_url = agency
        .controller
        .url(&format!("/api/rooms/{}/sessions", liuhen_tests::ROOM));
    for bad in [
        "罚\n2026\n1号".to_string(),
        "号".repeat(65),
        "   ".to_string(),
    ] {
        let answer = agency
            .wang
            .post(&start_url)
            .json(&json!({ "case_number": bad }))
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
    // Written with spaces around it, kept without: the case is found by its number.
    let (status, body) = put_case(&agency, &agency.wang, json!({"party": "张三"})).await;
    assert_eq!(status, 200, "{body}");
    let padded = agency
        .wang
        .put(agency.controller.url(&format!("/api/cases/%20{CASE}%20")))
        .json(&json!({"action_type": "penalty"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(padded.status(), StatusCode::OK);
    let case = agency
        .controller
        .api(&agency.wang)
        .case(CASE)
        .await
        .expect("case");
    assert_eq!(case.party, "张三", "the same case, not a new one");

    // A case number that starts with "-" is a case number on the command line too.
    let started = std::process::Command::new(liuhen_tests::workspace_binary("room-controller"))
        .args([
            "session",
            "--api",
            &agency.controller.base,
            "start",
            "--room",
        ])
        .arg(liuhen_tests::ROOM)
        .args(["--case", "-7"])
        .env("LIUHEN_TOKEN", agency.wang.token())
        .output()
        .expect("the CLI runs");
    assert!(started.status.success(), "{started:?}");
    let room = agency.controller.room(&agency.wang).await;
    let session = room.session.expect("recording");
    assert_eq!(session.case_number, "-7");
    agency
        .controller
        .stop_session(&agency.wang, session.id)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stop_that_meets_a_records_error_closes_the_media_and_is_recorded_later() {
    use liuhen_tests::{LIGHT_OFF, LIGHT_ON};
    use std::time::{Duration, Instant};
    let agency = agency();
    let session = agency.controller.start_session(&agency.wang, CASE).await;
    assert_eq!(
        agency.site.light.wait_for_len(4, Duration::from_secs(5)),
        LIGHT_ON
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The records refuse to note the session finished (as a full or failing disk would).
    let records = rusqlite::Connection::open(agency.site.records_file()).expect("records");
    records
        .execute_batch(
            "CREATE TRIGGER records_trouble BEFORE UPDATE OF state ON sessions
             WHEN NEW.state = 'finished'
             BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
        )
        .expect("trouble");
    let stop = {
        let api = agency.controller.api(&agency.wang);
        tokio::spawn(async move { api.stop_session(session.id).await })
    };
    // The media close and the light goes off all the same.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !agency.site.light.bytes().ends_with(&LIGHT_OFF) {
        assert!(Instant::now() < deadline, "the light goes off");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        !stop.is_finished(),
        "the stop keeps trying to record the end"
    );
    records
        .execute_batch("DROP TRIGGER records_trouble;")
        .expect("the trouble passes");

    let stopped = stop
        .await
        .expect("the stop task")
        .expect("the stop is recorded once the records take it");
    assert_eq!(stopped.state, SessionState::Finished);
    let room = agency.controller.room(&agency.wang).await;
    assert!(
        room.session.is_none(),
        "the room is free, not left stopping"
    );
    let folder = agency.site.media_root().join(&stopped.media_dir);
    liuhen_tests::assert_verifies(&folder, "the stopped session");
}

#[test]
fn a_token_typed_on_the_command_line_is_warned_about() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(liuhen_tests::workspace_binary("kiosk-app"))
        .args([
            "--api",
            "http://127.0.0.1:9",
            "--token",
            "lh_secret",
            "--once",
            "--png",
        ])
        .arg(dir.path().join("door.png"))
        .arg("--state-file")
        .arg(dir.path().join("door.json"))
        .args(["door", "--room", "interview-1"])
        .output()
        .expect("kiosk-app runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--token-file"), "{stderr}");
    assert!(
        !stderr.contains("lh_secret"),
        "the token itself is never logged"
    );
}
