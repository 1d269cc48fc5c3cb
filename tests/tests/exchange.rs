//! The exchange with the province's platform through the real controller, against a local
//! receiver that drops the first connection, answers the second too late and acknowledges the
//! rest: every published and revoked decision arrives, in order, and each document id is
//! acknowledged once it is received (duplicates carry the same id); last year's annual report
//! stays on the due list until it is delivered; `exchange status` shows nothing pending at the
//! end.

use chrono::Datelike;
use liuhen_tests::{TestSite, authorised_client};
use serde_json::{Value, json};
use site_api::{EXCHANGE_SCHEMA, ExchangeDocument, ExchangeKind};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every document the receiver was sent, in the order it came, acknowledged or not.
type Received = Arc<Mutex<Vec<Value>>>;

/// A receiver on loopback: request 1 is dropped unanswered, request 2 answered after 2.5 s
/// (past the controller's 1 s timeout), every other acknowledged at once.
fn receiver() -> (u16, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received: Received = Arc::default();
    let kept = received.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
                line.clear();
            }
            let mut body = vec![0u8; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            if let Ok(document) = serde_json::from_slice::<Value>(&body) {
                kept.lock().unwrap().push(document);
            }
            match n {
                0 => drop(stream),
                1 => {
                    std::thread::sleep(Duration::from_millis(2500));
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    );
                }
                _ => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    (port, received)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_publication_step_reaches_the_platform_once_per_id_and_in_order() {
    let site = TestSite::new(1).unwrap();
    let (port, received) = receiver();
    let text = std::fs::read_to_string(&site.site_file).unwrap();
    std::fs::write(
        &site.site_file,
        format!(
            "{text}\n[exchange]\nurl = \"http://127.0.0.1:{port}/documents\"\ntimeout_seconds = 1\n"
        ),
    )
    .unwrap();
    let clerk =
        authorised_client(&site.issue_token("王芳", "clerk", Some("scjg")).unwrap()).unwrap();
    let controller = site.start_controller().unwrap();
    let send = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await.expect("controller answers");
        let status = response.status().as_u16();
        (
            status,
            response.json::<Value>().await.unwrap_or(Value::Null),
        )
    };
    // Last month's figures of each agency go first, handed over when the delivery starts.
    let (year, month) = {
        let today = chrono::Local::now().date_naive();
        if today.month() == 1 {
            (today.year() - 1, 12)
        } else {
            (today.year(), today.month() - 1)
        }
    };
    let mut expected: Vec<String> = ["scjg", "zrzy"]
        .iter()
        .map(|agency| format!("{agency}/monthly-figures/{year:04}-{month:02}"))
        .collect();
    for n in 1..=3 {
        let case = format!("市监罚〔2026〕{n}号");
        let url = |tail: &str| controller.url(&format!("/api/cases/{case}{tail}"));
        let (status, body) = send(
            clerk
                .put(url(""))
                .json(&json!({"action_type": "penalty", "party": "某公司", "organisation": true})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = send(clerk.post(url("/decision")).json(&json!({
            "document_number": format!("市监罚决〔2026〕{n}号"), "conclusion": "警告", "decided_on": "2026-11-20"}))).await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = send(
            clerk
                .post(url("/publication"))
                .json(&json!({"action": "publish"})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        expected.push(format!("scjg/市监罚决〔2026〕{n}号/decision_published"));
    }
    let url = controller.url("/api/cases/市监罚〔2026〕1号/publication");
    let (status, body) = send(clerk.post(url).json(&json!({"action": "revoke"}))).await;
    assert_eq!(status, 200, "{body}");
    expected.push("scjg/市监罚决〔2026〕1号/decision_revoked".to_string());

    // Last year's annual report is on the due list until the platform has it.
    let due = || clerk.get(controller.url("/api/agency/due"));
    let (_, body) = send(due()).await;
    let last_year = chrono::Local::now().date_naive().year() - 1;
    assert_eq!(body["annual_report"]["year"], json!(last_year), "{body}");
    let (status, body) = send(
        clerk
            .post(controller.url("/api/agency/annual-report"))
            .json(&json!({ "year": last_year + 1 })),
    )
    .await;
    assert_eq!(status, 400, "a year not ended: {body}");
    let (status, body) = send(
        clerk
            .post(controller.url("/api/agency/annual-report"))
            .json(&json!({ "year": last_year })),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // Until the outbox is empty (dropped and late answers are retried after 1 and 2 s).
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        let out = site.cli("exchange", &["status"]);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if text.contains("pending: 0") && text.contains("delivered: 7") {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox did not empty: {text}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(status.contains(&format!("127.0.0.1:{port}")), "{status}");
    let received = received.lock().unwrap().clone();
    let mut first_seen: Vec<String> = Vec::new();
    for document in &received {
        assert_eq!(document["schema"], EXCHANGE_SCHEMA);
        let id = document["id"].as_str().unwrap_or_default().to_string();
        if !first_seen.contains(&id) {
            first_seen.push(id);
        }
    }
    expected.push(format!("scjg/annual-report/{last_year}"));
    assert_eq!(first_seen, expected, "every document, in order");
    assert!(
        received.len() > expected.len(),
        "the dropped and the late try were sent again with the same id: {} sent",
        received.len()
    );
    let seqs: Vec<i64> = received
        .iter()
        .map(|d| d["seq"].as_i64().unwrap_or(0))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[1] >= w[0]),
        "never ahead of an unacknowledged one: {seqs:?}"
    );
    let kinds: Vec<&str> = received
        .iter()
        .map(|d| d["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds.first(), Some(&"monthly_figures"));
    assert_eq!(kinds.last(), Some(&"annual_report"));
    assert_eq!(received[0]["month"], json!(month));
    assert!(
        received[0]["report"]["decisions"].is_number(),
        "{}",
        received[0]
    );
    let decision: ExchangeDocument = received
        .iter()
        .find(|d| d["kind"] == "decision_published")
        .map(|d| serde_json::from_value(d.clone()).unwrap())
        .unwrap();
    assert_eq!(decision.party, "某公司");
    assert_eq!(decision.kind, ExchangeKind::DecisionPublished);
    let (_, body) = send(due()).await;
    assert_eq!(body["annual_report"], Value::Null, "delivered: {body}");
}
