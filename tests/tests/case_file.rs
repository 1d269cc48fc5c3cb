//! The case file through the real controller: documents as files (PDF, JPEG, DOCX, hashed and
//! checked on every download), the agency's required review materials, the case's steps as
//! text records, and the recording list (音像记录事项清单) that refuses a decision on a listed
//! case with nothing recorded unless the reason is given — shown to the supervisor.

use liuhen_tests::{TestSite, authorised_client};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;
use site_api::{AgencyDue, AttachmentKind, AttachmentView, CaseView, StepKind};

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("controller answers");
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A small but real PDF's first bytes are all the controller looks at.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_cases_documents_steps_and_required_recordings_are_kept() {
    let site = TestSite::new(1).unwrap();
    site.set_site_settings("backup = \"backup-disk/liuhen\"")
        .unwrap();
    site.set_agency(
        "scjg",
        "must_record = [\"coercion\"]\nreview_materials = [\"调查终结报告\"]",
    )
    .unwrap();
    let wang =
        authorised_client(&site.add_staff("wang", "王芳", "32010019001", None).unwrap()).unwrap();
    let other = site
        .client("自然资源局文员", "clerk", Some("zrzy"))
        .unwrap();
    let supervisor = site.client("司法局", "supervisor", None).unwrap();
    let controller = site.start_controller().unwrap();
    let case = "市监强〔2026〕5号";
    let url = |tail: &str| controller.url(&format!("/api/cases/{case}{tail}"));
    let (status, body) = send(
        wang.put(url("")).json(&json!({
        "action_type": "coercion", "party": "某仓库", "organisation": true, "handler_id": "wang"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Documents: a PDF is kept under its hash; what is not a PDF, JPEG or DOCX is refused, and
    // so is a file over the limit; another agency reaches none of it.
    let upload = |name: &str, bytes: Vec<u8>, who: &liuhen_tests::Caller| {
        who.post(url("/attachments"))
            .query(&[("name", name)])
            .body(bytes)
    };
    let (status, body) = send(upload("调查终结报告.pdf", PDF.to_vec(), &wang)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let report: AttachmentView = serde_json::from_value(body).unwrap();
    assert_eq!(report.kind, AttachmentKind::Pdf);
    assert_eq!(report.sha256, hex::encode(sha2::Sha256::digest(PDF)));
    let copy = site
        .dir
        .path()
        .join("backup-disk/liuhen/attachments")
        .join(&report.sha256);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        PDF,
        "the backup disk holds a copy"
    );
    let (status, body) = send(upload("setup.exe.pdf", b"MZ\x90\x00rest".to_vec(), &wang)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let mut big = PDF.to_vec();
    big.resize(21 * 1024 * 1024, b' ');
    let (status, body) = send(upload("扫描件.pdf", big, &wang)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (status, body) = send(upload("x.pdf", PDF.to_vec(), &other)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another agency's case: {body}"
    );
    let download = url(&format!("/attachments/{}", report.id));
    let response = wang.get(&download).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    let (status, _) = send(other.get(&download)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // 送审 must name every material the agency requires, and attach only the case's own files.
    let (status, body) = send(
        wang.post(url("/submissions"))
            .json(&json!({"materials": ["证据材料"]})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("调查终结报告"),
        "{body}"
    );
    let (status, body) = send(
        wang.post(url("/submissions"))
            .json(&json!({"materials": ["调查终结报告"], "attachments": [report.id + 100]})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = send(
        wang.post(url("/submissions"))
            .json(&json!({"materials": ["调查终结报告"], "attachments": [report.id]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["attachments"], json!([report.id]));

    // Steps as text records: each kind carries what it needs.
    let (status, body) = send(wang.post(url("/steps")).json(&json!({
        "kind": "notification", "happened_on": "2026-11-02", "document_number": "市监告〔2026〕5号"})))
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "no day the party was told: {body}"
    );
    let (status, body) = send(wang.post(url("/steps")).json(&json!({
        "kind": "filed", "happened_on": "2026-10-28", "document_number": "市监立〔2026〕5号",
        "attachment_id": report.id})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = send(wang.post(url("/steps")).json(&json!({
        "kind": "notification", "happened_on": "2026-11-02", "party_told_on": "2026-11-02",
        "document_number": "市监告〔2026〕5号"})))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let view: CaseView = serde_json::from_value(body).unwrap();
    let kinds: Vec<StepKind> = view.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [StepKind::Filed, StepKind::Notification]);
    assert_eq!(view.attachments.len(), 1);

    // The recording list names coercion: with nothing recorded, the decision is refused unless
    // the reason is given; the reason is kept and the supervisor sees it.
    let decision = json!({"document_number": "市监强决〔2026〕5号", "conclusion": "查封",
                          "decided_on": "2026-11-03"});
    let (status, body) = send(wang.post(url("/decision")).json(&decision)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("音像记录事项清单"),
        "{body}"
    );
    let mut with_reason = decision.clone();
    with_reason["unrecorded_because"] = json!("现场执法记录仪电量耗尽");
    let (status, body) = send(wang.post(url("/decision")).json(&with_reason)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let view: CaseView = serde_json::from_value(body).unwrap();
    assert_eq!(
        view.decision.unwrap().unrecorded_because.as_deref(),
        Some("现场执法记录仪电量耗尽")
    );
    let (status, body) = send(supervisor.get(controller.url("/api/agency/due?agency=scjg"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let due: AgencyDue = serde_json::from_value(body).unwrap();
    assert_eq!(due.unrecorded.len(), 1);
    assert_eq!(due.unrecorded[0].case_number, case);

    // A stored document changed on the disk is refused at download, with the reason.
    let stored = site.media_root().join("attachments").join(&report.sha256);
    std::fs::write(&stored, b"%PDF-1.4 forged").unwrap();
    let (status, body) = send(wang.get(&download)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("no longer matches its hash"),
        "{body}"
    );
}
