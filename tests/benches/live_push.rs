//! How fast a display learns of a change: the time from a clerk's stop request to the moment a
//! subscriber of `/api/events` receives the room's "stopping" change, over 20 sessions, with the
//! real (release-built) controller. Run with `cargo bench -p liuhen-tests --bench live_push`.

use liuhen_tests::{ROOM, TestSite};
use site_api::SessionView;
use std::time::{Duration, Instant};

const RUNS: usize = 20;

#[tokio::main]
async fn main() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let kiosk = site
        .issue_token("bench display", "kiosk", None)
        .expect("token");
    let http = site
        .client("bench clerk", "clerk", Some("scjg"))
        .expect("client");
    let mut events = controller.subscribe(&kiosk).await;
    let mut latencies = Vec::new();
    for n in 0..RUNS {
        let session: SessionView = http
            .post(controller.url(&format!("/api/rooms/{ROOM}/sessions")))
            .json(&serde_json::json!({"case_number": format!("bench {n}")}))
            .send()
            .await
            .expect("start")
            .json()
            .await
            .expect("session");
        // Drain the "recording" change of the start.
        while tokio::time::timeout(Duration::from_millis(200), events.recv())
            .await
            .is_ok()
        {}
        let stop_url = controller.url(&format!("/api/sessions/{}/stop", session.id));
        let sent = Instant::now();
        let stop = tokio::spawn({
            let http = http.clone();
            async move { http.post(stop_url).send().await }
        });
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
        latencies.push(sent.elapsed());
        assert!(matches!(event, Ok(Some(_))), "no event for run {n}");
        let _ = stop.await;
        while tokio::time::timeout(Duration::from_millis(100), events.recv())
            .await
            .is_ok()
        {}
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "stop request to pushed change at a subscriber ({RUNS} runs): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(latencies[RUNS / 2]),
        ms(latencies[RUNS * 95 / 100]),
        ms(latencies[RUNS - 1])
    );
}
