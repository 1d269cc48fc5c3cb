//! The three systems' rules end to end, through the real controller's API and CLI: the legal
//! review gate on a major case, publication of decisions (masked, withheld, due dates on the
//! official calendar, revoked and withdrawn), archiving deadlines, access to recordings from
//! outside the producing team (purpose, approval, confidentiality) with its log, and the
//! static publicity pages.

use liuhen_tests::{TestSite, authorised_client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use site_api::{AccessEntry, AccessRequestView, AgencyDue, CaseView, DueQuery, PublicityView};
use site_api::{CHECKLIST, MajorBecause};

fn day(text: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
}

const PUBLICITY: &str = r#"area = "本市行政区域"
major_decisions = ["吊销许可证件"]

[[items]]
name = "食品经营许可"
category = "行政许可"
basis = "《中华人民共和国食品安全法》第三十五条"
body = "行政审批科"
deadline = "十个工作日"
fees = "不收费"

[[guides]]
title = "行政处罚一般程序流程"
steps = ["立案", "调查取证", "法制审核", "决定"]

[channels]
reconsideration = "六十日内向市人民政府申请行政复议"
"#;

/// The case number with the characters real ones have (〔〕 and 号), sent in the path.
const MAJOR: &str = "市监罚〔2026〕7号";

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("controller answers");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn checklist(all_hold: bool) -> Value {
    CHECKLIST
        .iter()
        .enumerate()
        .map(|(n, item)| json!({"item": item, "holds": all_hold || n > 0, "note": "已核"}))
        .collect()
}

#[tokio::test]
async fn review_gate_publication_archiving_and_access_through_the_api() {
    let site = TestSite::new(1).unwrap();
    std::fs::write(site.dir.path().join("scjg-publicity.toml"), PUBLICITY).unwrap();
    site.set_agency(
        "scjg",
        "publicity = \"scjg-publicity.toml\"\nrecordings_need_approval = true\naccess_approvers = [\"boss\"]",
    )
    .unwrap();
    let wang =
        authorised_client(&site.add_staff("wang", "王芳", "32010019001", None).unwrap()).unwrap();
    let li =
        authorised_client(&site.add_staff("li", "李明", "32010019002", None).unwrap()).unwrap();
    let boss =
        authorised_client(&site.add_staff("boss", "赵局", "32010019003", None).unwrap()).unwrap();
    let zhou = authorised_client(
        &site
            .add_staff_as("zhou", "周律", "32010019004", "reviewer", None)
            .unwrap(),
    )
    .unwrap();
    let head = authorised_client(
        &site
            .add_staff_as("ju", "钱局长", "32010019005", "head", None)
            .unwrap(),
    )
    .unwrap();
    let kiosk = site.client("hall kiosk", "kiosk", None).unwrap();
    let admin = site.client("site admin", "admin", None).unwrap();
    let other_agency = site.client("孙丽 自然资源", "clerk", Some("zrzy")).unwrap();
    let controller = site.start_controller().unwrap();
    let case_url = |number: &str, tail: &str| controller.url(&format!("/api/cases/{number}{tail}"));

    // The handling unit files the case, naming its handler (立案): a licence revoked is in the
    // agency's catalogue of major decisions (from its publicity file). Then the hearing is
    // recorded.
    let (status, body) = send(wang.put(case_url(MAJOR, "")).json(&json!({
        "action_type": "penalty", "party": "张三丰", "decision_kind": "吊销许可证件",
        "handler_id": "wang"
    })))
    .await;
    assert_eq!(status, 200, "{body}");
    let case: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(case.major_because, [MajorBecause::Catalogue]);
    let session = controller.start_session(&wang, MAJOR).await;
    controller.stop_session(&wang, session.id).await;
    let case: CaseView = controller.api(&wang).case(MAJOR).await.unwrap();
    assert_eq!(case.sessions, [session.id]);

    // The decision is refused before a legal review has passed.
    let decision = json!({"document_number": "市监罚决〔2026〕7号",
        "conclusion": "吊销食品经营许可证", "decided_on": "2026-09-30"});
    let (status, body) = send(wang.post(case_url(MAJOR, "/decision")).json(&decision)).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("法制审核"),
        "{body}"
    );

    // Only a reviewer reviews; a pass needs every checklist item; a return keeps the gate shut.
    let review = |outcome: &str, all_hold: bool| {
        json!({"checklist": checklist(all_hold), "outcome": outcome, "opinion": "证据充分，程序合法",
               "disagreement": "承办科室认为无需听证", "settled": "经集体讨论，维持审核意见"})
    };
    let (status, _) = send(
        wang.post(case_url(MAJOR, "/reviews"))
            .json(&review("pass", true)),
    )
    .await;
    assert_eq!(status, 403, "a clerk is not a legal reviewer");
    let (status, body) = send(
        zhou.post(case_url(MAJOR, "/reviews"))
            .json(&review("pass", false)),
    )
    .await;
    assert_eq!(
        status, 409,
        "a pass with an item that does not hold: {body}"
    );
    let (status, _) = send(
        zhou.post(case_url(MAJOR, "/reviews"))
            .json(&review("return", false)),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = send(wang.post(case_url(MAJOR, "/decision")).json(&decision)).await;
    assert_eq!(status, 409, "returned for correction: still refused");
    let (status, _) = send(
        zhou.post(case_url(MAJOR, "/reviews"))
            .json(&review("pass", true)),
    )
    .await;
    assert_eq!(status, 201);
    // Passed: the head approves (负责人审批) with their own token, and no one else does.
    let (status, body) = send(wang.post(case_url(MAJOR, "/decision")).json(&decision)).await;
    assert_eq!(status, 409, "not approved yet: {body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("负责人审批"),
        "{body}"
    );
    let (status, _) = send(zhou.post(case_url(MAJOR, "/approval")).json(&json!({}))).await;
    assert_eq!(status, 403, "a reviewer approved a decision");
    let (status, body) = send(
        head.post(case_url(MAJOR, "/approval"))
            .json(&json!({"note": "同意，按审核意见办理"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let approved: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(approved.approvals.len(), 1);
    assert_eq!(approved.approvals[0].approved_by, "钱局长");
    let (status, body) = send(wang.post(case_url(MAJOR, "/decision")).json(&decision)).await;
    assert_eq!(status, 409, "a major decision without its reasons: {body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("说明理由"),
        "{body}"
    );
    let mut decision = decision.clone();
    decision["reasons"] = json!({"evidence": "现场笔录、检验报告与听证笔录相互印证",
        "legal_basis": "《食品安全法》第一百三十五条", "discretion": "情节严重，依法吊销"});
    let (status, body) = send(wang.post(case_url(MAJOR, "/decision")).json(&decision)).await;
    assert_eq!(status, 201, "accepted after the review passed: {body}");
    let case: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(case.reviews.len(), 2);
    assert_eq!(case.reviews[1].settled, "经集体讨论，维持审核意见");
    let kept = case.decision.as_ref().expect("the decision");
    assert_eq!(kept.reasons.legal_basis, "《食品安全法》第一百三十五条");
    let entry = case.publication.expect("entered for publication");
    assert_eq!(entry.party_shown, "张某某");
    // A penalty: 7 working days, not counting 30 September; 1–7 October are the National
    // Day holiday and Saturday 10 October is a make-up working day.
    assert_eq!(entry.due_on.to_string(), "2026-10-15");
    let (status, _) = send(wang.post(case_url(MAJOR, "/decision")).json(&decision)).await;
    assert_eq!(status, 409, "a decision is recorded once");

    // A reviewer never reviews a case they handle.
    let (status, _) = send(wang.put(case_url("市监罚〔2026〕8号", "")).json(&json!({
        "action_type": "penalty", "party": "某公司", "organisation": true, "hearing_held": true,
        "handler_id": "zhou"})))
    .await;
    assert_eq!(status, 200);
    let (status, body) = send(
        zhou.post(case_url("市监罚〔2026〕8号", "/reviews"))
            .json(&review("pass", true)),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("handles"),
        "{body}"
    );

    // A minor's case is recorded but never published.
    let minor = "市监罚〔2026〕9号";
    send(
        wang.put(case_url(minor, ""))
            .json(&json!({"action_type": "penalty", "party": "王小明", "minor": true})),
    )
    .await;
    let (status, _) = send(wang.post(case_url(minor, "/decision")).json(&json!({
        "document_number": "市监罚决〔2026〕9号", "conclusion": "警告", "decided_on": "2026-09-30"})))
    .await;
    assert_eq!(status, 201);
    let (status, body) = send(
        wang.post(case_url(minor, "/publication"))
            .json(&json!({"action": "publish"})),
    )
    .await;
    assert_eq!(
        status, 403,
        "released by the publicity reviewer (the approver) only: {body}"
    );
    let (status, body) = send(
        boss.post(case_url(minor, "/publication"))
            .json(&json!({"action": "publish"})),
    )
    .await;
    assert_eq!(status, 409, "{body}");

    // The agency's list: due soon, then overdue.
    let due: AgencyDue = controller
        .api(&wang)
        .agency_due(&DueQuery {
            day: Some(day("2026-10-13")),
            soon: Some(3),
            agency: None,
        })
        .await
        .expect("the due list");
    assert_eq!(due.publicity.due_soon.len(), 1, "{due:?}");
    let due: AgencyDue = controller
        .api(&wang)
        .agency_due(&DueQuery {
            day: Some(day("2026-10-16")),
            soon: None,
            agency: None,
        })
        .await
        .expect("the due list");
    assert_eq!(due.publicity.overdue[0].case_number, MAJOR);
    assert_eq!(due.reviewer_ratio.reviewers, 1);
    assert!(
        !due.reviewer_ratio.below_five_percent,
        "1 reviewer to 3 clerks"
    );

    // Published, the public sees it masked; the minor's case and the real name never.
    let (status, _) = send(
        boss.post(case_url(MAJOR, "/publication"))
            .json(&json!({"action": "publish", "on": "2026-10-12"})),
    )
    .await;
    assert_eq!(status, 200);
    let public = kiosk
        .get(controller.url("/api/publicity"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !public.contains("张三丰") && !public.contains("王小明"),
        "{public}"
    );
    let public: PublicityView = serde_json::from_str(&public).unwrap();
    let scjg = &public.agencies[0];
    assert_eq!(scjg.decisions.len(), 1);
    assert_eq!(scjg.decisions[0].party, "张某某");
    assert_eq!(scjg.before.items[0].name, "食品经营许可");
    assert!(
        scjg.staff.iter().any(|s| s.name == "周律"),
        "reviewers are enforcement staff"
    );

    // The static pages show the same.
    let pages = site.dir.path().join("pages");
    let out = site.cli("publicity", &["--out", pages.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(pages.join("scjg.html")).unwrap();
    assert!(page.contains("张某某") && page.contains("市监罚决〔2026〕7号"));
    assert!(page.contains("食品经营许可") && page.contains("法制审核"));
    assert!(!page.contains("张三丰") && !page.contains("王小明"));

    // Revoked: it must come down; withdrawn, the public no longer sees it.
    send(
        wang.post(case_url(MAJOR, "/publication"))
            .json(&json!({"action": "revoke", "on": "2026-10-20"})),
    )
    .await;
    let due: AgencyDue = controller
        .api(&wang)
        .agency_due(&DueQuery {
            day: Some(day("2026-10-20")),
            soon: None,
            agency: None,
        })
        .await
        .expect("the due list");
    assert_eq!(due.publicity.to_withdraw.len(), 1);
    send(
        wang.post(case_url(MAJOR, "/publication"))
            .json(&json!({"action": "withdraw"})),
    )
    .await;
    let public: PublicityView = controller
        .api(&kiosk)
        .publicity()
        .await
        .expect("the controller answers");
    assert!(public.agencies[0].decisions.is_empty());

    // Archiving: 30 days from 4 September end on 4 October, a holiday: due 8 October.
    let (_, body) = send(
        wang.post(case_url(MAJOR, "/archive"))
            .json(&json!({"on": "2026-09-04"})),
    )
    .await;
    let case: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(case.archive_due_on.unwrap().to_string(), "2026-10-08");
    send(
        wang.post(case_url(MAJOR, "/archive"))
            .json(&json!({"part": "text", "on": "2026-09-20"})),
    )
    .await;
    let due: AgencyDue = controller
        .api(&wang)
        .agency_due(&DueQuery {
            day: Some(day("2026-10-09")),
            soon: None,
            agency: None,
        })
        .await
        .expect("the due list");
    let item = &due.archiving[0];
    assert!(item.overdue && item.missing.len() == 1, "{item:?}");
    assert!(item.missing[0].contains("音视频"), "{item:?}");

    // Access to the recording. The producing team needs no purpose.
    let session_url = controller.url(&format!("/api/sessions/{}", session.id));
    assert_eq!(wang.get(&session_url).send().await.unwrap().status(), 200);
    // A colleague states a purpose, and this agency also wants an approval.
    let (status, body) = send(li.get(&session_url)).await;
    assert_eq!(status, 403);
    assert!(
        body["error"].as_str().unwrap().contains("purpose"),
        "{body}"
    );
    let (status, body) = send(li.get(&session_url).query(&[("purpose", "行政复议答复")])).await;
    assert_eq!(status, 403);
    assert!(
        body["error"].as_str().unwrap().contains("approval"),
        "{body}"
    );
    let (status, body) = send(
        li.post(format!("{session_url}/access-requests"))
            .json(&json!({"use": "view", "purpose": "行政复议答复"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let request: AccessRequestView = serde_json::from_value(body).unwrap();
    let decide = |approve: bool| json!({"approve": approve, "note": "同意查阅"});
    let (status, _) = send(
        li.post(controller.url(&format!("/api/access-requests/{}", request.id)))
            .json(&decide(true)),
    )
    .await;
    assert_eq!(status, 403, "not an approver (and their own request)");
    let (status, _) = send(
        boss.post(controller.url(&format!("/api/access-requests/{}", request.id)))
            .json(&decide(true)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(li.get(&session_url).send().await.unwrap().status(), 200);
    let export = li
        .get(format!("{session_url}/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 403, "approved to view, not to export");
    let (status, body) = send(other_agency.get(&session_url).query(&[("purpose", "x")])).await;
    assert_eq!(
        status, 404,
        "another agency's recording does not exist for it: {body}"
    );

    // A state secret is never exported, even by its team.
    send(wang.put(case_url(MAJOR, "")).json(&json!({
        "action_type": "penalty", "party": "张三丰", "decision_kind": "吊销许可证件",
        "handler_id": "wang", "confidentiality": "state_secret"})))
    .await;
    let (status, body) = send(wang.get(format!("{session_url}/export"))).await;
    assert_eq!(status, 403);
    assert!(
        body["error"].as_str().unwrap().contains("国家秘密"),
        "{body}"
    );

    // Every access is in the log, with who and why; no API edits it.
    let log: Vec<AccessEntry> = controller
        .api(&admin)
        .access_log(&Default::default())
        .await
        .expect("the controller answers");
    let target = format!("session {}", session.id);
    let li_views: Vec<_> = log
        .iter()
        .filter(|e| e.target == target && e.who.starts_with("李明") && e.action == "view")
        .map(|e| (e.allowed, e.purpose.as_str()))
        .collect();
    assert_eq!(
        li_views,
        [(false, ""), (false, "行政复议答复"), (true, "行政复议答复")]
    );
    assert!(
        log.iter()
            .any(|e| e.action == "approve" && e.who.starts_with("赵局"))
    );
    assert!(
        log.iter()
            .any(|e| e.action == "export" && !e.allowed && e.who.starts_with("王芳"))
    );
    let theirs: Vec<AccessEntry> = controller
        .api(&other_agency)
        .access_log(&Default::default())
        .await
        .expect("the controller answers");
    assert!(
        theirs
            .iter()
            .all(|e| e.agency_id.as_deref() == Some("zrzy"))
    );
    // The log comes in pages, oldest first, each after the last line of the one before: a
    // log that grows for years never comes back whole.
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = controller
            .api(&admin)
            .access_log(&site_api::AccessLogQuery {
                after,
                limit: Some(2),
            })
            .await
            .expect("a page");
        assert!(page.len() <= 2, "{page:?}");
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        paged.extend(page);
    }
    assert_eq!(paged, log, "the pages together are the whole log");
    let bad = admin
        .get(controller.url("/api/access-log?after=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
    ] {
        let status = admin
            .request(method.clone(), controller.url("/api/access-log"))
            .json(&json!([]))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 405, "{method} on the access log");
    }
    assert_eq!(
        kiosk
            .get(controller.url("/api/access-log"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let store = rusqlite::Connection::open(site.records_file()).unwrap();
    assert!(store.execute("DELETE FROM access_log", []).is_err());
    assert!(
        store
            .execute("UPDATE access_log SET purpose = ''", [])
            .is_err()
    );
    assert!(store.execute("DELETE FROM access_requests", []).is_err());
}

/// Changed pixels between two pictures of the same size, as a share.
fn changed(a: &[u8], b: &[u8]) -> f64 {
    let differ = a
        .chunks_exact(3)
        .zip(b.chunks_exact(3))
        .filter(|(p, q)| p != q)
        .count();
    differ as f64 / (a.len() / 3).max(1) as f64
}

#[tokio::test]
async fn the_publicity_kiosk_shows_every_page_and_a_published_decision() {
    let site = TestSite::new(1).unwrap();
    // The demo site's publicity file, as shipped.
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sites/demo/publicity/scjg.toml"
    );
    std::fs::copy(shipped, site.dir.path().join("scjg-publicity.toml")).unwrap();
    site.set_agency("scjg", "publicity = \"scjg-publicity.toml\"")
        .unwrap();
    let wang =
        authorised_client(&site.add_staff("wang", "王芳", "32010019001", None).unwrap()).unwrap();
    site.add_staff_as("zhou", "周律", "32010019004", "reviewer", None)
        .unwrap();
    let token = site.issue_token("publicity kiosk", "kiosk", None).unwrap();
    let kiosk = authorised_client(&token).unwrap();
    let controller = site.start_controller().unwrap();
    let dir = site.dir.path();
    let state = dir.join("publicity-state.json");
    let api = controller.base.clone();
    let draw = |page: &str, size: &str, name: &str| {
        let png = dir.join(name);
        liuhen_tests::draw_screen(
            &api,
            &token,
            &[
                "--size",
                size,
                "publicity",
                "--agency",
                "scjg",
                "--page",
                page,
            ],
            &png,
            &state,
        );
        png
    };

    let before = draw("decisions", "1920x1080", "before.png");
    // A penalty on a person, published: the decisions page gains its row.
    let case = "市监罚〔2026〕21号";
    send(
        wang.put(controller.url(&format!("/api/cases/{case}")))
            .json(&json!({"action_type": "penalty", "party": "李四", "handler_id": "wang"})),
    )
    .await;
    let (status, _) = send(
        wang.post(controller.url(&format!("/api/cases/{case}/decision")))
            .json(&json!({"document_number": "市监罚决〔2026〕21号",
                "conclusion": "警告，并处罚款人民币五千元", "decided_on": "2026-11-20"})),
    )
    .await;
    assert_eq!(status, 201);
    send(
        wang.post(controller.url(&format!("/api/cases/{case}/publication")))
            .json(&json!({"action": "publish"})),
    )
    .await;
    let after = draw("decisions", "1920x1080", "after.png");
    let (_, _, before) = liuhen_tests::read_png(&before).unwrap();
    let (_, _, after_pixels) = liuhen_tests::read_png(&after).unwrap();
    assert!(
        changed(&before, &after_pixels) > 0.005,
        "the published decision shows on the decisions page"
    );
    liuhen_tests::keep_screenshot(&after, "publicity-decisions-1080p.png");

    // The hall board's rotating notices carry it too, masked.
    let hall: site_api::HallView = controller
        .api(&kiosk)
        .hall()
        .await
        .expect("the controller answers");
    assert!(
        hall.notices
            .iter()
            .any(|n| n.contains("李某") && n.contains("市监罚决〔2026〕21号")),
        "{:?}",
        hall.notices
    );
    assert!(!hall.notices.iter().any(|n| n.contains("李四")));

    // Every page at both sizes: the page's tab is highlighted, and each page differs.
    for (size, label) in [("1920x1080", "1080p"), ("800x480", "800x480")] {
        let mut pictures: Vec<(String, Vec<u8>)> = Vec::new();
        for page in [
            "staff",
            "items",
            "inspections",
            "guides",
            "remedy",
            "decisions",
        ] {
            let png = draw(page, size, &format!("{page}-{label}.png"));
            let (width, _, pixels) = liuhen_tests::read_png(&png).unwrap();
            assert_eq!(
                width,
                size.split('x').next().unwrap().parse::<u32>().unwrap()
            );
            assert!(
                liuhen_tests::share_of(&pixels, liuhen_tests::PAUSED_BLUE) > 0.002,
                "{page} at {size}: its tab is highlighted"
            );
            assert!(
                liuhen_tests::distinct_colours(&pixels) > 50,
                "{page} at {size} is drawn"
            );
            for (other, seen) in &pictures {
                assert!(
                    changed(seen, &pixels) > 0.003,
                    "{page} and {other} look alike at {size}"
                );
            }
            pictures.push((page.to_string(), pixels));
            liuhen_tests::keep_screenshot(&png, &format!("publicity-{page}-{label}.png"));
        }
    }

    // Offline, the kiosk keeps its last state, marked.
    let online = draw("staff", "1920x1080", "staff-online.png");
    controller.kill();
    let offline = draw("staff", "1920x1080", "staff-offline.png");
    let (_, _, offline_pixels) = liuhen_tests::read_png(&offline).unwrap();
    let (_, _, online_pixels) = liuhen_tests::read_png(&online).unwrap();
    assert!(liuhen_tests::share_of(&offline_pixels, liuhen_tests::WARNING_AMBER) > 0.005);
    let text = [0xf5, 0xf7, 0xfa];
    assert!(
        liuhen_tests::share_of(&offline_pixels, text)
            > 0.8 * liuhen_tests::share_of(&online_pixels, text),
        "the staff list is still shown"
    );
    liuhen_tests::keep_screenshot(&offline, "publicity-offline.png");
}
