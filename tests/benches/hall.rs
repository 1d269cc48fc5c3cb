//! The service hall under load, with the real (release-built) controller and kiosk:
//! - call-next latency at 50 counters calling at once through the API, over 10 000 tickets
//!   (and a check that no ticket was called twice or skipped), two ways: every counter calling
//!   back to back with no one served in between (the most the site can do: bound by
//!   throughput, each call waits for the ~49 queued before it), and 200 bursts of all 50
//!   counters pressing "next" at the same moment, as a hall's counters do when a wave of
//!   people has been served (bound by how fast a burst is served);
//! - the time from a call to the hall board's new state (the pushed event, then the fetch a
//!   board makes);
//! - the hall board's memory and idle CPU, in a real window on a virtual display (Xvfb).
//!
//! The counters' calls go through [`LeanConnection`], on one thread: in a hall they are fifty
//! machines, here they share the controller's two cores, and reqwest's clients took about a
//! third of the CPU of a call away from it. The CPU they still take is printed beside the
//! figures.
//!
//! Run with `cargo bench -p liuhen-tests --bench hall`.

use liuhen_tests::lean_http::LeanConnection;
use liuhen_tests::{TestSite, authorised_client, cpu_time_of, workspace_binary};
use site_api::{HallView, Topic, WindowView};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const COUNTERS: usize = 50;
const TICKETS: usize = 10_000;
/// Bursts of all counters calling at the same moment: 10 000 tickets again.
const BURSTS: usize = TICKETS / COUNTERS;

fn hall_of(windows: usize) -> String {
    let mut text = String::from(
        "[hall]\n\n[[hall.services]]\nid = \"licence\"\nagency = \"scjg\"\nname = \"营业执照办理\"\nprefix = \"A\"\nhours = \"00:00-24:00\"\n",
    );
    for n in 1..=windows {
        text.push_str(&format!(
            "\n[[hall.windows]]\nid = \"w{n}\"\nnumber = {n}\nname = \"综合窗口\"\nservices = [\"licence\"]\n"
        ));
    }
    text
}

/// The controller's CPU time per ticket called and let go between two readings of
/// [`cpu_reading`]: where a call's time goes (the records writer runs one at a time).
fn cpu_per_ticket(before: [Duration; 3], after: [Duration; 3]) -> String {
    let per_ticket = |i: usize| (after[i] - before[i]).as_secs_f64() * 1e6 / TICKETS as f64;
    format!(
        "  CPU per ticket (a call and a no-show): the controller {:.0} µs, of which the records writer {:.0} µs; this bench's own clients {:.0} µs (on the same two cores)",
        per_ticket(0),
        per_ticket(1),
        per_ticket(2)
    )
}

/// CPU used so far by the controller, its records writer and this bench process.
fn cpu_reading(controller: &liuhen_tests::Controller) -> [Duration; 3] {
    let (all, writer) = controller.cpu_time_and_writers();
    [all, writer, cpu_time_of(std::process::id())]
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// A counter at window `w<number>`, on a connection of its own.
struct Counter {
    window: String,
    connection: LeanConnection,
}

impl Counter {
    /// The counter's `action`: the answer's status.
    async fn act(&mut self, action: &str) -> u16 {
        self.timed_act(action).await.1
    }

    /// Calls the next ticket: how long the answer took, its status and its body.
    async fn call_next(&mut self) -> (Duration, u16, String) {
        self.timed_act("call_next").await
    }

    async fn timed_act(&mut self, action: &str) -> (Duration, u16, String) {
        let sent = Instant::now();
        let (status, body) = self
            .connection
            .post_json(
                &format!("/api/hall/windows/{}", self.window),
                &format!(r#"{{"action":"{action}"}}"#),
            )
            .await
            .expect("a counter's action");
        (sent.elapsed(), status, body)
    }
}

/// A counter's `action` at `window` through the API's usual client: the answer's status.
async fn act(
    http: &reqwest::Client,
    base: &str,
    window: &str,
    action: &str,
) -> reqwest::StatusCode {
    http.post(format!("{base}/api/hall/windows/{window}"))
        .json(&serde_json::json!({ "action": action }))
        .send()
        .await
        .expect("a counter's action")
        .status()
}

/// `count` tickets, taken by 8 kiosks at once.
async fn take_tickets(kiosk: &reqwest::Client, base: &str, count: usize) {
    let mut kiosks = Vec::new();
    for _ in 0..8 {
        let (kiosk, base) = (kiosk.clone(), base.to_string());
        kiosks.push(tokio::spawn(async move {
            for _ in 0..count / 8 {
                let response = kiosk
                    .post(format!("{base}/api/hall/tickets"))
                    .json(&serde_json::json!({ "service_id": "licence" }))
                    .send()
                    .await
                    .expect("take");
                assert_eq!(response.status(), 201);
            }
        }));
    }
    for k in kiosks {
        k.await.expect("kiosk");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(&hall_of(COUNTERS)).expect("hall");
    // Each staff member has a photo, as at a real site (a window screen shows it): 177 KB.
    let photo =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screens/ticket-1080p.png");
    let (mut staff, mut tokens) = (Vec::new(), Vec::new());
    for n in 1..=COUNTERS {
        let token = site
            .add_staff(
                &format!("s{n}"),
                &format!("员工{n}"),
                &format!("3201{n:07}"),
                Some(&photo),
            )
            .expect("staff");
        staff.push(authorised_client(&token).expect("client"));
        tokens.push(token);
    }
    let kiosk_token = site
        .issue_token("bench kiosk", "kiosk", None)
        .expect("token");
    let kiosk = authorised_client(&kiosk_token).expect("client");
    let controller = site.start_controller().expect("controller");
    let base = controller.base.clone();

    // 10 000 tickets, taken by 8 kiosks at once.
    let issuing = Instant::now();
    take_tickets(&kiosk, &base, TICKETS).await;
    let issue_seconds = issuing.elapsed().as_secs_f64();
    let mut desks = Vec::new();
    for (n, token) in tokens.iter().enumerate() {
        let mut counter = Counter {
            window: format!("w{}", n + 1),
            connection: LeanConnection::open(&base, token)
                .await
                .expect("a counter's connection"),
        };
        assert_eq!(counter.act("sign_in").await, 200);
        desks.push(counter);
    }

    // A hall board follows the pushes meanwhile: how late each reaches it.
    let mut board = controller.subscribe(&kiosk_token).await;
    let (stop_watching, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let watching = tokio::spawn(async move {
        let mut lags = Vec::new();
        loop {
            tokio::select! {
                _ = &mut stopped => return lags,
                event = board.recv() => match event {
                    Some(event) => {
                        if let Some(sent) = event.sent_at {
                            let lag = chrono::Utc::now() - sent;
                            lags.push(lag.to_std().unwrap_or_default());
                        }
                    }
                    None => return lags,
                },
            }
        }
    });

    // 50 counters call next, each then marks a no-show to free its window, until none wait.
    let calling = Instant::now();
    let cpu_before = cpu_reading(&controller);
    let mut counters = Vec::new();
    for mut counter in desks {
        counters.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut called = Vec::new();
            loop {
                let (waited, status, body) = counter.call_next().await;
                latencies.push(waited);
                if status != 200 {
                    assert!(body.contains("nobody is waiting"), "{status}: {body}");
                    break;
                }
                let view: WindowView = serde_json::from_str(&body).expect("window");
                called.push(view.current.expect("a ticket").number);
                assert_eq!(counter.act("no_show").await, 200);
            }
            (latencies, called, counter)
        }));
    }
    let mut latencies = Vec::new();
    let mut called = Vec::new();
    let mut desks = Vec::new();
    for c in counters {
        let (l, n, counter) = c.await.expect("counter");
        latencies.extend(l);
        called.extend(n);
        desks.push(counter);
    }
    let call_seconds = calling.elapsed().as_secs_f64();
    let cpu_calling = cpu_per_ticket(cpu_before, cpu_reading(&controller));
    let _ = stop_watching.send(());
    let mut lags = watching.await.expect("the board");
    let distinct: HashSet<_> = called.iter().collect();
    assert_eq!(called.len(), TICKETS, "every ticket called");
    assert_eq!(distinct.len(), TICKETS, "no ticket called twice");
    latencies.sort();
    println!(
        "issuing {TICKETS} tickets from 8 kiosks: {issue_seconds:.1} s ({:.0}/s)",
        TICKETS as f64 / issue_seconds
    );
    println!(
        "call next at {COUNTERS} counters at once, {TICKETS} tickets (each call followed by a no-show): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.0} calls/s; none called twice, none skipped",
        percentile(&latencies, 50),
        percentile(&latencies, 99),
        percentile(&latencies, 100),
        TICKETS as f64 / call_seconds
    );

    println!("{cpu_calling}");
    lags.sort();
    println!(
        "pushes to a hall board while the 50 counters call ({} events for {} changes, a burst's told together): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms late, from the first change each tells of",
        lags.len(),
        2 * TICKETS,
        percentile(&lags, 50),
        percentile(&lags, 99),
        percentile(&lags, 100)
    );

    // Bursts: every counter presses "next" at the same moment; each waits for its answer,
    // then (untimed) marks a no-show, and the next burst starts when all have.
    take_tickets(&kiosk, &base, TICKETS).await;
    let cpu_before = cpu_reading(&controller);
    let mut burst_latencies = Vec::new();
    let mut burst_called = Vec::new();
    let mut slowest = Vec::new();
    for _ in 0..BURSTS {
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(COUNTERS));
        let mut counters = Vec::new();
        for mut counter in desks.drain(..) {
            let barrier = barrier.clone();
            counters.push(tokio::spawn(async move {
                barrier.wait().await;
                let (waited, status, body) = counter.call_next().await;
                assert_eq!(status, 200, "{body}");
                let view: WindowView = serde_json::from_str(&body).expect("window");
                (waited, view.current.expect("a ticket").number, counter)
            }));
        }
        let mut burst = Vec::new();
        for counter in counters {
            let (waited, number, mut counter) = counter.await.expect("counter");
            burst.push(waited);
            burst_called.push(number);
            assert_eq!(counter.act("no_show").await, 200);
            desks.push(counter);
        }
        slowest.extend(burst.iter().max().copied());
        burst_latencies.extend(burst);
    }
    let cpu_bursts = cpu_per_ticket(cpu_before, cpu_reading(&controller));
    let distinct: HashSet<_> = burst_called.iter().collect();
    assert_eq!(burst_called.len(), TICKETS, "every ticket called");
    assert_eq!(distinct.len(), TICKETS, "no ticket called twice");
    burst_latencies.sort();
    slowest.sort();
    println!(
        "call next in {BURSTS} bursts of {COUNTERS} counters pressing at the same moment, {TICKETS} tickets: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; the burst's last answer p50 {:.1} ms, p99 {:.1} ms; none called twice, none skipped",
        percentile(&burst_latencies, 50),
        percentile(&burst_latencies, 99),
        percentile(&burst_latencies, 100),
        percentile(&slowest, 50),
        percentile(&slowest, 99),
    );
    println!("{cpu_bursts}");

    // A call to the board's new state: the pushed event, then the fetch a board makes.
    for _ in 0..25 {
        kiosk
            .post(format!("{base}/api/hall/tickets"))
            .json(&serde_json::json!({ "service_id": "licence" }))
            .send()
            .await
            .expect("take");
    }
    let mut events = controller.subscribe(&kiosk_token).await;
    let mut updates = Vec::new();
    for _ in 0..20 {
        while tokio::time::timeout(Duration::from_millis(100), events.recv())
            .await
            .is_ok()
        {}
        let sent = Instant::now();
        let call = tokio::spawn({
            let (http, base) = (staff[0].clone(), base.clone());
            async move { act(&http, &base, "w1", "call_next").await }
        });
        loop {
            let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
                .await
                .expect("an event")
                .expect("the stream");
            if event.topic == Topic::Hall {
                break;
            }
        }
        let hall: HallView = kiosk
            .get(format!("{base}/api/hall"))
            .send()
            .await
            .expect("hall")
            .json()
            .await
            .expect("hall view");
        updates.push(sent.elapsed());
        assert_eq!(call.await.expect("call"), 200);
        assert!(hall.windows[0].current.is_some(), "the board sees the call");
        assert_eq!(act(&staff[0], &base, "w1", "no_show").await, 200);
    }
    updates.sort();
    println!(
        "call to the hall board's new state (push + fetch, 20 calls, 50 windows): median {:.1} ms, p95 {:.1} ms",
        percentile(&updates, 50),
        percentile(&updates, 95)
    );

    board_footprint(&base, &kiosk_token, site.dir.path());
}

/// Runs the hall board in a real window on Xvfb for 30 s and reads its memory and CPU time
/// from /proc while it idles (its clock ticks and it polls; nothing is called).
fn board_footprint(base: &str, token: &str, dir: &std::path::Path) {
    let display = format!(":{}", 90 + std::process::id() % 9);
    let Ok(mut xvfb) = std::process::Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1920x1080x24",
            "-nolisten",
            "tcp",
        ])
        .stderr(std::process::Stdio::null())
        .spawn()
    else {
        println!("hall board footprint: Xvfb is missing (scripts/setup.sh installs it)");
        return;
    };
    std::thread::sleep(Duration::from_secs(2));
    let mut board = std::process::Command::new(workspace_binary("kiosk-app"))
        .env("DISPLAY", &display)
        .env("RUST_LOG", "warn")
        .args([
            "--api",
            base,
            "--token",
            token,
            "--size",
            "1920x1080",
            "--state-file",
        ])
        .arg(dir.join("board.json"))
        .args(["hall-board", "--no-voice"])
        .spawn()
        .expect("kiosk-app");
    std::thread::sleep(Duration::from_secs(10));
    let ticks = |pid: u32| -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    };
    let rss_kib = |pid: u32| -> Option<u64> {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    let pid = board.id();
    let (start, at) = (ticks(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(20));
    let (end, seconds) = (ticks(pid), at.elapsed().as_secs_f64());
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    match (start, end, rss_kib(pid)) {
        (Some(start), Some(end), Some(rss)) => println!(
            "hall board at 1920x1080 on Xvfb, idle 20 s: {:.1} % of one core, {:.0} MiB resident",
            (end - start) as f64 / hz / seconds * 100.0,
            rss as f64 / 1024.0
        ),
        _ => println!("hall board footprint: the board ended early (see its log above)"),
    }
    let _ = board.kill();
    let _ = board.wait();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
}
