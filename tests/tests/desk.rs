//! The desk in a real headless Chromium against the real controller: a legal reviewer signs in,
//! finds the submitted case in the queue, reviews it with the checklist, prints the numbered
//! opinion to PDF; plays the hearing's recording with a stated purpose and jumps to a marker;
//! the agency head approves the decision; the supervisor's page lists an overdue publication,
//! and the supervisor plays the recording for a stated purpose, logged in the agency's log.

use liuhen_tests::browser::{Browser, pdf_first_page, pdf_text};
use liuhen_tests::{TestSite, authorised_client, keep_screenshot};
use reqwest::StatusCode;
use serde_json::{Value, json};
use site_api::{AccessEntry, CaseView};
use std::time::Duration;

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("controller answers");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// Signs in at the desk with `token`, as a person pastes it into the form.
async fn sign_in(browser: &Browser, base: &str, token: &str) {
    browser.open(&format!("{base}/desk/sign-in")).await.unwrap();
    browser.type_into("#token", token).await.unwrap();
    browser.click(".sign-in button").await.unwrap();
    browser
        .wait_until(
            "return !location.pathname.endsWith('/sign-in')",
            Duration::from_secs(10),
            "signed in",
        )
        .await
        .unwrap();
}

/// Clicks what sends a form and waits for the page that answers it to show `answer`.
async fn submit(browser: &Browser, button: &str, answer: &str) {
    browser.click(button).await.unwrap();
    let script = format!("return !!document.querySelector('{answer}')");
    if let Err(err) = browser
        .wait_until(&script, Duration::from_secs(10), answer)
        .await
    {
        panic!("{err}: {}", browser.text("body").await.unwrap_or_default());
    }
}

/// States `purpose` on the form before a recording and waits until the player has loaded the
/// first segment's metadata.
async fn play_for(browser: &Browser, purpose: &str) {
    browser.type_into("#purpose", purpose).await.unwrap();
    submit(browser, "#purpose-form button", "#player").await;
    browser
        .wait_until(
            "return document.getElementById('player').readyState >= 1",
            Duration::from_secs(15),
            "the first segment's metadata loads",
        )
        .await
        .unwrap();
}

async fn shot(browser: &Browser, dir: &tempfile::TempDir, name: &str) {
    let png = dir.path().join(name);
    browser.screenshot_page(&png).await.unwrap();
    keep_screenshot(&png, name);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewer_an_agency_head_and_the_supervisor_work_at_the_desk() {
    let site = TestSite::new(1).unwrap();
    let wang_token = site.add_staff("wang", "王芳", "32010019001", None).unwrap();
    let wang = authorised_client(&wang_token).unwrap();
    let li_token = site
        .add_staff_as("li", "李审核", "32010019002", "reviewer", None)
        .unwrap();
    let zhao_token = site
        .add_staff_as("zhao", "赵局长", "32010019003", "head", None)
        .unwrap();
    let supervisor_token = site.issue_token("司法局监督", "supervisor", None).unwrap();
    let controller = site.start_controller().unwrap();
    let base = controller.url("");
    let base = base.trim_end_matches('/').to_string();
    let screens = tempfile::tempdir().unwrap();

    // A hearing case: recorded with a marker, then submitted for review with its materials.
    let case = "市监罚〔2026〕41号";
    let url = |number: &str, tail: &str| controller.url(&format!("/api/cases/{number}{tail}"));
    let (status, body) = send(wang.put(url(case, "")).json(&json!({
        "action_type": "penalty", "party": "某餐饮公司", "organisation": true,
        "hearing_held": true, "handler_id": "wang"})))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session = controller.start_session(&wang, case).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        controller
            .mark(&wang, session.id, "已告知当事人听证权利")
            .await,
        200
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let session = controller.stop_session(&wang, session.id).await;
    assert!(session.segments.len() >= 2, "{:?}", session.segments);
    let (status, body) = send(
        wang.post(url(case, "/attachments"))
            .query(&[("name", "调查终结报告.pdf")])
            .body(b"%PDF-1.4\n%%EOF\n".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let report = body["id"].as_i64().unwrap();
    let (status, body) = send(wang.post(url(case, "/steps")).json(&json!({
        "kind": "filed", "happened_on": "2026-11-02", "document_number": "市监立〔2026〕41号",
        "attachment_id": report})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = send(wang.post(url(case, "/steps")).json(&json!({
        "kind": "hearing", "happened_on": chrono::Local::now().date_naive().to_string(),
        "session_id": session.id, "detail": "听证会"})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = send(wang.post(url(case, "/submissions")).json(
        &json!({"materials": ["调查终结报告", "听证笔录", "证据材料"], "attachments": [report]}),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A decision of another case, made long ago and never published: overdue for the supervisor.
    let late = "市监罚〔2026〕7号";
    let (status, body) = send(wang.put(url(late, "")).json(&json!({
        "action_type": "penalty", "party": "某商店", "organisation": true, "handler_id": "wang"})))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(wang.post(url(late, "/decision")).json(&json!({
        "document_number": "市监罚决〔2026〕7号", "conclusion": "警告",
        "decided_on": (chrono::Local::now().date_naive() - chrono::Days::new(60)).to_string()})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let browser = Browser::start(1280, 900).await.unwrap();
    // Without signing in, the desk sends the browser to the sign-in form.
    browser.open(&format!("{base}/desk/reviews")).await.unwrap();
    assert!(browser.url().await.unwrap().ends_with("/desk/sign-in"));
    shot(&browser, &screens, "desk-sign-in.png").await;

    // The reviewer's queue: the case, with its materials and due date.
    sign_in(&browser, &base, &li_token).await;
    assert!(browser.url().await.unwrap().ends_with("/desk/reviews"));
    let waiting = browser.text("#waiting").await.unwrap();
    assert!(waiting.contains(case), "{waiting}");
    assert!(waiting.contains("听证笔录"), "{waiting}");
    shot(&browser, &screens, "desk-reviews.png").await;

    // The case: materials, timeline with the recording, and the review form.
    submit(&browser, "#waiting a", "#timeline").await;
    let timeline = browser.text("#timeline").await.unwrap();
    assert!(timeline.contains("送审"), "{timeline}");
    assert!(timeline.contains("立案 市监立〔2026〕41号"), "{timeline}");
    assert!(
        browser
            .text("#attachments")
            .await
            .unwrap()
            .contains("调查终结报告.pdf")
    );
    assert!(
        timeline.contains(&format!("第 {} 号", session.id)),
        "{timeline}"
    );
    shot(&browser, &screens, "desk-case.png").await;
    // A pass with an item that does not hold is refused, with the API's sentence.
    browser.click("input[value=pass]").await.unwrap();
    browser
        .type_into(
            "textarea[name=opinion]",
            "事实清楚，证据确凿，程序合法，同意处罚决定。",
        )
        .await
        .unwrap();
    submit(&browser, "#review-form button", "#error").await;
    let refusal = browser.text("#error").await.unwrap();
    assert!(!refusal.is_empty());
    browser.run("history.back(); return true;").await.unwrap();
    browser
        .wait_until(
            "return !!document.getElementById('review-form')",
            Duration::from_secs(10),
            "back at the case",
        )
        .await
        .unwrap();
    browser
        .run("document.querySelectorAll('#review-form input[type=checkbox]').forEach(c => c.checked = true); return true;")
        .await
        .unwrap();
    browser.click("input[value=pass]").await.unwrap();
    browser
        .run("document.querySelector('textarea[name=opinion]').value = '事实清楚，证据确凿，程序合法，同意处罚决定。'; return true;")
        .await
        .unwrap();
    submit(&browser, "#review-form button", "#opinion").await;

    // The numbered opinion, printed to PDF: the CJK text survives in the PDF.
    let opinion = browser.text("#opinion").await.unwrap();
    assert!(opinion.contains("法制审核意见书"), "{opinion}");
    assert!(opinion.contains("法审〔2026〕1号"), "{opinion}");
    assert!(opinion.contains("听证笔录"), "{opinion}");
    shot(&browser, &screens, "desk-opinion.png").await;
    let pdf = browser.print_pdf().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf).unwrap();
    for expected in [
        "法制审核意见书",
        "法审〔2026〕1号",
        "同意处罚决定",
        "李审核",
    ] {
        assert!(text.contains(expected), "the PDF lacks {expected}: {text}");
    }
    assert!(
        !text.contains("退出"),
        "the desk's header is not printed: {text}"
    );
    // The same opinion as a PDF made by the controller, its CJK font embedded.
    let href = browser
        .run("return document.getElementById('pdf').href")
        .await
        .unwrap();
    let made = reqwest::Client::new()
        .get(href.as_str().unwrap())
        .header("cookie", format!("liuhen_desk={li_token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::OK);
    assert_eq!(made.headers()["content-type"], "application/pdf");
    let made = made.bytes().await.unwrap();
    let text = pdf_text(&made).unwrap();
    for expected in [
        "法制审核意见书",
        "法审〔2026〕1号",
        "同意处罚决定",
        "李审核",
        "听证笔录",
    ] {
        assert!(
            text.contains(expected),
            "the controller's PDF lacks {expected}: {text}"
        );
    }
    assert!(
        made.windows(9)
            .any(|w| w == b"FontFile3" || w == b"FontFile2"),
        "the font is embedded"
    );
    let page = screens.path().join("desk-opinion-pdf.png");
    pdf_first_page(&made, &page).unwrap();
    keep_screenshot(&page, "desk-opinion-pdf.png");
    let stranger = reqwest::Client::new()
        .get(href.as_str().unwrap())
        .header("cookie", format!("liuhen_desk={zhao_token}x"))
        .send()
        .await
        .unwrap();
    assert!(
        stranger.url().path().ends_with("/desk/sign-in"),
        "an unknown token is sent to sign in, with no PDF: {}",
        stranger.url()
    );

    // Playback: a purpose first; then the player jumps to the marker.
    browser
        .open(&format!("{base}/desk/sessions/{}", session.id))
        .await
        .unwrap();
    play_for(&browser, "法制审核：核对听证告知").await;
    let marker_at: f64 = browser
        .run("return Number(document.querySelector('.marker').dataset.at)")
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(marker_at > 1500.0, "the marker is 2.5 s in: {marker_at} ms");
    browser.click(".marker").await.unwrap();
    browser
        .wait_until(
            "const v = document.getElementById('player'); return v.readyState >= 1 && v.currentTime > 0.2 && document.getElementById('position').textContent !== '0.0 s'",
            Duration::from_secs(15),
            "the video moves to the marker",
        )
        .await
        .unwrap();
    let position: f64 = browser
        .run("return parseFloat(document.getElementById('position').textContent)")
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        (position * 1000.0 - marker_at).abs() < 1500.0,
        "the player is at {position} s, the marker at {marker_at} ms"
    );
    shot(&browser, &screens, "desk-playback.png").await;
    // The playback is one line in the access log, with its purpose.
    let (status, body) = send(wang.get(controller.url("/api/access-log"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let log: Vec<AccessEntry> = serde_json::from_value(body).unwrap();
    let plays: Vec<&AccessEntry> = log
        .iter()
        .filter(|e| e.who.contains("李审核") && e.purpose == "法制审核：核对听证告知")
        .collect();
    assert_eq!(plays.len(), 1, "{log:?}");

    // The head approves the decision from the list of what awaits approval.
    submit(&browser, "header form button", ".sign-in").await;
    sign_in(&browser, &base, &zhao_token).await;
    let at = browser.url().await.unwrap();
    assert!(at.ends_with("/desk/approvals"), "{at}");
    let awaiting = browser.text("#awaiting").await.unwrap();
    assert!(awaiting.contains(case), "{awaiting}");
    shot(&browser, &screens, "desk-approvals.png").await;
    submit(&browser, "form.approve button", "#approved").await;
    assert!(browser.text("#approved").await.unwrap().contains(case));
    let (status, body) = send(wang.get(url(case, ""))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(view.approvals.len(), 1);
    assert!(view.approvals[0].approved_by.contains("赵局长"));

    // The supervisor sees every agency's overdue items and the access log, and changes nothing.
    submit(&browser, "header form button", ".sign-in").await;
    sign_in(&browser, &base, &supervisor_token).await;
    assert!(browser.url().await.unwrap().ends_with("/desk/supervision"));
    let overdue = browser.text("#overdue").await.unwrap();
    assert!(
        overdue.contains(late) && overdue.contains("决定公示"),
        "{overdue}"
    );
    let log = browser.text("#access-log").await.unwrap();
    assert!(log.contains("法制审核：核对听证告知"), "{log}");
    shot(&browser, &screens, "desk-supervision.png").await;
    // Each agency's annual report opens from the table.
    browser.click("#agencies a").await.unwrap();
    browser
        .wait_until(
            "return document.title.includes('年度行政执法工作报告')",
            Duration::from_secs(10),
            "the annual report opens",
        )
        .await
        .unwrap();
    let report = browser.text("h1").await.unwrap();
    assert!(report.contains("市市场监督管理局"), "{report}");
    browser.run("history.back(); return true;").await.unwrap();
    browser
        .wait_until(
            "return !!document.getElementById('access-log')",
            Duration::from_secs(10),
            "back at the supervision page",
        )
        .await
        .unwrap();
    // From the log, the supervisor plays the recording for a stated purpose (logged too).
    submit(&browser, "#access-log a", "#purpose-form").await;
    play_for(&browser, "执法监督：抽查听证程序").await;
    let (_, body) = send(wang.get(controller.url("/api/access-log"))).await;
    let log: Vec<AccessEntry> = serde_json::from_value(body).unwrap();
    assert!(
        log.iter()
            .any(|e| e.who == "司法局监督" && e.allowed && e.purpose == "执法监督：抽查听证程序"),
        "the supervisor's read is in the agency's log: {log:?}"
    );
    let status = browser
        .run(&format!(
            "return fetch('/desk/cases/' + encodeURIComponent('{case}') + '/approve', \
             {{method: 'POST', body: new URLSearchParams({{note: 'x'}})}}).then(r => r.status);"
        ))
        .await
        .unwrap();
    assert_eq!(status, 403, "the supervisor's desk approves nothing");
}
