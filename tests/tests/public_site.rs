//! The public website on its own listener, without a token, through the real controller and a
//! real headless Chromium at phone and desktop size: every page linked from it is public data
//! only (no API path, no session, no party's full name), and a party looks up their decision
//! by its number and the code printed on it, with failed lookups limited per address.

use liuhen_tests::browser::Browser;
use liuhen_tests::{TestSite, authorised_client, keep_screenshot};
use reqwest::StatusCode;
use serde_json::{Value, json};
use site_api::{CaseView, LOOKUP_CODE_LEN};
use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.expect("controller answers");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

/// The same-site links of a page: `href="…"` values that are paths.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| !href.contains("://") && !href.starts_with('#'))
        .map(|href| {
            if href.starts_with('/') {
                href.to_string()
            } else {
                format!("/{href}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_reads_publicity_and_looks_up_their_decision_without_a_token() {
    let site = TestSite::new(1).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    site.set_site_settings(&format!("public_listen = \"127.0.0.1:{port}\""))
        .unwrap();
    let clerk_token = site.issue_token("王芳", "clerk", Some("scjg")).unwrap();
    let clerk = authorised_client(&clerk_token).unwrap();
    let controller = site.start_controller().unwrap();
    let public = format!("http://127.0.0.1:{port}");

    // A decision on a person, published: shown with the name masked.
    let case = "市监罚〔2026〕21号";
    let url = |tail: &str| controller.url(&format!("/api/cases/{case}{tail}"));
    let (status, body) = send(clerk.put(url("")).json(&json!({
        "action_type": "penalty", "party": "张三丰"})))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let today = chrono::Local::now().date_naive().to_string();
    let (status, body) = send(clerk.post(url("/decision")).json(&json!({
        "document_number": "市监罚决〔2026〕21号", "conclusion": "警告", "decided_on": today})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let view: CaseView = serde_json::from_str(&body).unwrap();
    let code = view.decision.unwrap().lookup_code;
    assert_eq!(code.len(), LOOKUP_CODE_LEN);
    let session = controller.start_session(&clerk, case).await;
    controller.stop_session(&clerk, session.id).await;

    // Before it is published, the lookup says it awaits publication.
    let web = reqwest::Client::new();
    let lookup = |code: String| {
        web.post(format!("{public}/lookup"))
            .form(&[("document_number", "市监罚决〔2026〕21号"), ("code", &code)])
    };
    let (status, page) = send(lookup(code.to_lowercase())).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("待公示"), "{page}");
    let (status, body) = send(
        clerk
            .post(url("/publication"))
            .json(&json!({"action": "publish"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The agency's publicity is changed through the API, kept as a version, and in force at
    // once on the public website (no restart).
    let publicity = controller.url("/api/agency/publicity");
    let item = json!({"items": [{"name": "食品经营许可", "category": "行政许可",
        "basis": "《食品安全法》第三十五条", "body": "市场监管局"}],
        "discussed_decisions": ["责令停产停业"]});
    let (status, body) = send(clerk.put(&publicity).json(&json!({"items": [{"name": " ",
        "category": "x", "basis": "x", "body": "x"}]})))
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an empty name: {body}");
    let (status, body) = send(clerk.put(&publicity).json(&json!({"itemz": []}))).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown field: {body}"
    );
    let (status, body) = send(clerk.put(&publicity).json(&item)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(clerk.get(&publicity)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let versions: Vec<site_api::PublicityVersion> = serde_json::from_str(&body).unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [0, 1]
    );
    assert_eq!(versions[1].changed_by, "王芳");
    let (_, agency) = send(web.get(format!("{public}/scjg.html"))).await;
    assert!(
        agency.contains("食品经营许可") && agency.contains("责令停产停业"),
        "{agency}"
    );

    // Inspection results wait on the due list by batch, and go public a batch at a time.
    // (through the typed client, as a program of the agency would)
    let api = controller.api(&clerk);
    for subject in ["某超市", "某餐馆"] {
        let inspection = site_api::RecordInspection {
            subject: subject.into(),
            item: "食品安全".into(),
            done_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 15).unwrap(),
            result: "未发现问题".into(),
        };
        let kept = api.record_inspection(&inspection).await.unwrap();
        assert_eq!(kept.period, "2026-09");
    }
    let (_, body) = send(clerk.get(controller.url("/api/agency/due"))).await;
    let due: site_api::AgencyDue = serde_json::from_str(&body).unwrap();
    assert_eq!(due.inspections.len(), 1, "{body}");
    assert_eq!(
        (
            due.inspections[0].period.as_str(),
            due.inspections[0].inspections
        ),
        ("2026-09", 2)
    );
    assert!(
        due.inspections[0].overdue,
        "due 20 working days after September"
    );
    assert_eq!(api.publish_inspections("2026-09").await.unwrap(), 2);
    let (_, body) = send(clerk.get(controller.url("/api/agency/due"))).await;
    let due: site_api::AgencyDue = serde_json::from_str(&body).unwrap();
    assert!(due.inspections.is_empty(), "{body}");
    let (_, agency) = send(web.get(format!("{public}/scjg.html"))).await;
    assert!(
        agency.contains("某超市") && agency.contains("未发现问题"),
        "{agency}"
    );

    // Every page linked from the home page answers, and holds public data only.
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_string()]);
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 60 {
            continue;
        }
        let (status, html) = send(web.get(format!("{public}{path}"))).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
        for private in [clerk_token.as_str(), "张三丰", "/api/", "/desk", "session"] {
            assert!(!html.contains(private), "{path} shows {private}");
        }
        queue.extend(links(&html));
    }
    assert!(
        seen.contains("/scjg.html") && seen.contains("/lookup"),
        "{seen:?}"
    );
    let (_, agency) = send(web.get(format!("{public}/scjg.html"))).await;
    assert!(
        agency.contains("市监罚决〔2026〕21号") && agency.contains("张某"),
        "{agency}"
    );
    // No API route, session, desk page or file of the site is reachable there.
    let mut paths: Vec<String> = site_api::routes::ALL
        .iter()
        .map(|route| {
            route
                .split('/')
                .map(|part| if part.starts_with('{') { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    paths.extend(
        [
            "/desk",
            "/desk/reviews",
            "/desk/sessions/1",
            "/../site.toml",
            "/site.toml",
        ]
        .map(String::from),
    );
    for path in paths {
        let (status, _) = send(web.get(format!("{public}{path}")).bearer_auth(&clerk_token)).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED,
            "{path} answers {status} on the public website"
        );
    }

    // The right code finds it; five wrong ones, and the address must wait, right code or not.
    let (status, page) = send(lookup(code.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已公示"), "{page}");
    for _ in 0..5 {
        let (status, page) = send(lookup("22222222".into())).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
        assert!(
            !page.contains("警告"),
            "a failed lookup reveals nothing: {page}"
        );
    }
    let (status, page) = send(lookup(code.clone())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{page}");

    // At phone size and desktop size, in a real browser: nothing runs off the side.
    let screens = tempfile::tempdir().unwrap();
    for (width, height, size) in [(360, 800, "phone"), (1280, 900, "desktop")] {
        let browser = Browser::start(width, height).await.unwrap();
        for (path, name) in [
            ("/", "index"),
            ("/scjg.html", "agency"),
            ("/lookup", "lookup"),
        ] {
            browser.open(&format!("{public}{path}")).await.unwrap();
            let wide = browser
                .run("return document.documentElement.scrollWidth <= window.innerWidth + 1")
                .await
                .unwrap();
            assert_eq!(
                wide,
                Value::Bool(true),
                "{path} at {width} px runs off the side"
            );
            let png = screens.path().join(format!("public-{name}-{size}.png"));
            browser.screenshot_page(&png).await.unwrap();
            keep_screenshot(&png, &format!("public-{name}-{size}.png"));
        }
        browser
            .wait_until(
                "return !!document.getElementById('lookup')",
                Duration::from_secs(5),
                "the form",
            )
            .await
            .unwrap();
    }
}
