//! How fast a display learns of a change: the time from a clerk's stop request to the moment a
//! subscriber of `/api/events` receives the room's "stopping" change, over 40 sessions, with the
//! real (release-built) controller; then the same while 4 exports of a recorded session stream
//! without pause (an export must never hold up the screens).
//! Run with `cargo bench -p liuhen-tests --bench live_push`.

use liuhen_tests::{ROOM, TestSite};
use site_api::SessionView;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

const RUNS: usize = 40;
const EXPORTS: usize = 4;

async fn start(http: &reqwest::Client, base: &str, case: &str) -> SessionView {
    http.post(format!("{base}/api/rooms/{ROOM}/sessions"))
        .json(&serde_json::json!({ "case_number": case }))
        .send()
        .await
        .expect("start")
        .json()
        .await
        .expect("session")
}

async fn drain(events: &mut UnboundedReceiver<site_api::LiveEvent>, quiet: Duration) {
    while tokio::time::timeout(quiet, events.recv()).await.is_ok() {}
}

/// Stop request → the pushed change at a subscriber, over `RUNS` sessions.
async fn stop_to_push(
    http: &reqwest::Client,
    base: &str,
    events: &mut UnboundedReceiver<site_api::LiveEvent>,
    label: &str,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for n in 0..RUNS {
        let session = start(http, base, &format!("bench {label} {n}")).await;
        // Drain the "recording" change of the start.
        drain(events, Duration::from_millis(200)).await;
        let stop_url = format!("{base}/api/sessions/{}/stop", session.id);
        let sent = Instant::now();
        let stop = tokio::spawn({
            let http = http.clone();
            async move { http.post(stop_url).send().await }
        });
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
        latencies.push(sent.elapsed());
        assert!(matches!(event, Ok(Some(_))), "no event for run {n}");
        let _ = stop.await;
        drain(events, Duration::from_millis(100)).await;
    }
    latencies.sort();
    latencies
}

fn report(what: &str, latencies: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{what} ({RUNS} runs): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(latencies[RUNS / 2]),
        ms(latencies[RUNS * 95 / 100]),
        ms(latencies[RUNS - 1])
    );
}

#[tokio::main]
async fn main() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let base = controller.base.clone();
    let kiosk = site
        .issue_token("bench display", "kiosk", None)
        .expect("token");
    let http = site
        .client("bench clerk", "clerk", Some("scjg"))
        .expect("client");
    let mut events = controller.subscribe(&kiosk).await;

    let quiet = stop_to_push(&http, &base, &mut events, "quiet").await;
    report("stop request to pushed change at a subscriber", &quiet);

    // A session of some length to export, again and again, four at a time.
    let recorded = start(&http, &base, "bench export").await;
    tokio::time::sleep(Duration::from_secs(8)).await;
    let stopped = http
        .post(format!("{base}/api/sessions/{}/stop", recorded.id))
        .send()
        .await
        .expect("stop");
    assert_eq!(stopped.status(), 200);
    drain(&mut events, Duration::from_millis(300)).await;
    let exporting = Arc::new(AtomicBool::new(true));
    let exported = Arc::new(AtomicU64::new(0));
    let mut exporters = Vec::new();
    for _ in 0..EXPORTS {
        let (http, exporting, exported) = (http.clone(), exporting.clone(), exported.clone());
        let url = format!("{base}/api/sessions/{}/export", recorded.id);
        exporters.push(tokio::spawn(async move {
            let mut exports = 0;
            while exporting.load(Ordering::Relaxed) {
                let mut response = http.get(&url).send().await.expect("export");
                if response.status() == 503 {
                    // A permit is given back when a download ends: the next may ask first.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
                assert_eq!(response.status(), 200, "export");
                while let Ok(Some(chunk)) = response.chunk().await {
                    exported.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                exports += 1;
            }
            exports
        }));
    }
    let started = Instant::now();
    let busy = stop_to_push(&http, &base, &mut events, "exports").await;
    exporting.store(false, Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    let mut exports = 0;
    for e in exporters {
        exports += e.await.expect("exporter");
    }
    report(
        &format!("the same while {EXPORTS} exports stream without pause"),
        &busy,
    );
    println!(
        "  meanwhile: {exports} exports, {:.0} MB/s exported",
        exported.load(Ordering::Relaxed) as f64 / 1e6 / seconds
    );
}
