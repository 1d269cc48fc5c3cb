//! The store's share of a counter's call, without HTTP: 50 windows, 10 000 tickets of one
//! service, each window calling next and then marking a no-show, as the hall bench's counters
//! do; every call reads the window back as the API answers it (and in batches, checks its
//! token first, as the controller's writer does). Prints the time per step and
//! how many calls a second the store alone can do on one thread.
//!
//! `LIUHEN_BENCH_TICKETS` sets another number of tickets (1 000 under callgrind);
//! `LIUHEN_BENCH_PHOTO_KB` the size of each staff member's photo (100 KB; 0 for none);
//! `LIUHEN_BENCH_KEEP_DB=<file>` keeps the records file it ends with, for `sqlite3` and
//! `EXPLAIN QUERY PLAN`.
//!
//! Run with `cargo bench -p records --bench queue`.

use chrono::{DateTime, FixedOffset, TimeZone};
use records::{NewStaff, SiteAgency, SiteService, SiteWindow, Store};
use site_api::{Priority, StaffRole};
use std::time::{Duration, Instant};

const WINDOWS: usize = 50;
/// `LIUHEN_BENCH_TICKETS` sets another count (e.g. a smaller one under callgrind).
fn tickets() -> usize {
    std::env::var("LIUHEN_BENCH_TICKETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn now() -> DateTime<FixedOffset> {
    let beijing = FixedOffset::east_opt(8 * 3600).expect("offset");
    beijing
        .with_ymd_and_hms(2026, 12, 1, 10, 0, 0)
        .single()
        .expect("time")
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)].as_secs_f64() * 1e6
}

/// Each staff member's photo, in KB: `LIUHEN_BENCH_PHOTO_KB` (0 for none), else a portrait's
/// 100 KB, as the window screens show.
fn photo_kb() -> usize {
    std::env::var("LIUHEN_BENCH_PHOTO_KB")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100)
}

/// The checks of a counter's action before it acts: the token's caller, on duty at `window`.
fn on_duty(store: &Store, token: &str, window: &str) {
    let caller = store.caller(token).expect("token").expect("a known token");
    assert_eq!(
        store.on_duty(window).expect("window"),
        caller.staff_id,
        "on duty"
    );
}

fn main() {
    let tickets = tickets();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("site.db")).expect("open");
    store
        .sync_site(
            &[SiteAgency {
                id: "scjg".into(),
                name: "市场监管局".into(),
            }],
            &[],
        )
        .expect("site");
    let time = |hm: &str| chrono::NaiveTime::parse_from_str(hm, "%H:%M").expect("time");
    let windows: Vec<SiteWindow> = (1..=WINDOWS)
        .map(|n| SiteWindow {
            id: format!("w{n}"),
            number: n as u32,
            name: "综合窗口".into(),
            services: vec!["licence".into()],
        })
        .collect();
    store
        .sync_hall(
            &[SiteService {
                id: "licence".into(),
                agency_id: "scjg".into(),
                name: "营业执照办理".into(),
                prefix: "A".into(),
                daily_cap: None,
                opens: time("00:00"),
                closes: time("23:59"),
            }],
            &windows,
        )
        .expect("hall");
    let photo = vec![7u8; photo_kb() * 1024];
    let photo = (!photo.is_empty()).then_some(photo);
    let mut tokens = Vec::new();
    for window in &windows {
        let id = format!("s-{}", window.id);
        store
            .add_staff(&NewStaff {
                id: &id,
                agency_id: "scjg",
                name: "员工",
                credential_number: &format!("3201{:07}", window.number),
                categories: &[],
                role: StaffRole::Clerk,
                photo: photo.as_ref().map(|p| (p.as_slice(), "image/jpeg")),
            })
            .expect("staff");
        store.sign_in(&window.id, &id).expect("sign in");
        tokens.push(store.issue_staff_token(&id, &id).expect("token"));
    }

    let issuing = Instant::now();
    for _ in 0..tickets {
        store
            .take_ticket("licence", Priority::Ordinary, now())
            .expect("ticket");
    }
    let per_ticket = issuing.elapsed() / tickets as u32;

    let (mut calls, mut no_shows) = (Vec::new(), Vec::new());
    let started = Instant::now();
    'calling: loop {
        for window in &windows {
            let at = Instant::now();
            let called = store.call_next(&window.id, now()).expect("call");
            if called.is_none() {
                break 'calling;
            }
            store.window(&window.id, now()).expect("window");
            calls.push(at.elapsed());
            let at = Instant::now();
            store.no_show(&window.id, now()).expect("no-show");
            store.window(&window.id, now()).expect("window");
            no_shows.push(at.elapsed());
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    calls.sort();
    no_shows.sort();
    println!(
        "store alone, {WINDOWS} windows (staff photos of {} KB), {tickets} tickets: take a ticket {:.0} µs; call next + window {:.0} µs p50, {:.0} µs p99; no-show + window {:.0} µs p50, {:.0} µs p99; {:.0} tickets called and let go a second",
        photo_kb(),
        per_ticket.as_secs_f64() * 1e6,
        percentile(&calls, 50),
        percentile(&calls, 99),
        percentile(&no_shows, 50),
        percentile(&no_shows, 99),
        calls.len() as f64 / seconds
    );

    // As the controller's writer does in a burst: all 50 windows' calls in one batch (one
    // commit), then all 50 no-shows in another; each checks its token and that its staff
    // member is on duty at the window first, as the API's counter action does.
    for _ in 0..tickets {
        store
            .take_ticket("licence", Priority::Ordinary, now())
            .expect("ticket");
    }
    let mut bursts = Vec::new();
    let started = Instant::now();
    for _ in 0..tickets / WINDOWS {
        let at = Instant::now();
        let calls: Vec<records::BatchCall<'_>> = windows
            .iter()
            .zip(&tokens)
            .map(|(window, token)| {
                Box::new(move |store: &mut Store| {
                    on_duty(store, token, &window.id);
                    let called = store.call_next(&window.id, now()).expect("call");
                    assert!(called.is_some(), "somebody waits");
                    store.window(&window.id, now()).expect("window");
                    true
                }) as records::BatchCall<'_>
            })
            .collect();
        store.write_batch(false, calls).expect("batch");
        bursts.push(at.elapsed());
        let no_shows: Vec<records::BatchCall<'_>> = windows
            .iter()
            .zip(&tokens)
            .map(|(window, token)| {
                Box::new(move |store: &mut Store| {
                    on_duty(store, token, &window.id);
                    store.no_show(&window.id, now()).expect("no-show");
                    store.window(&window.id, now()).expect("window");
                    true
                }) as records::BatchCall<'_>
            })
            .collect();
        store.write_batch(false, no_shows).expect("batch");
    }
    let seconds = started.elapsed().as_secs_f64();
    bursts.sort();
    println!(
        "in batches as the writer commits a burst: {WINDOWS} × (token check, call next, window) {:.0} µs p50, {:.0} µs p99 ({:.0} µs a call); {:.0} tickets called and let go a second",
        percentile(&bursts, 50),
        percentile(&bursts, 99),
        percentile(&bursts, 50) / WINDOWS as f64,
        tickets as f64 / seconds
    );
    if let Some(keep) = std::env::var_os("LIUHEN_BENCH_KEEP_DB") {
        std::fs::copy(dir.path().join("site.db"), keep).expect("copy the records");
    }
}
