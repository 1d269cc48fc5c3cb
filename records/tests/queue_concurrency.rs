//! Fifty counters call "next" at the same moment until 10 000 tickets are served: no ticket is
//! called twice and none is skipped. The counters share one connection, as every counter's
//! request does in the controller (its single records handle); a second test runs a few
//! counters on connections of their own, as separate processes would, to hold the
//! transactions themselves to the same rule.

use chrono::{FixedOffset, NaiveTime, TimeZone};
use records::{SiteAgency, SiteRoom, SiteService, SiteWindow, Store};
use site_api::Priority;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};

const COUNTERS: usize = 50;
const TICKETS: usize = 10_000;

/// A records file with one service and `counters` windows serving it, and `tickets` issued.
fn hall(path: &Path, counters: usize, tickets: usize) -> chrono::DateTime<FixedOffset> {
    let now = FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
        .single()
        .expect("time");
    let mut store = Store::open(path).expect("open");
    store
        .sync_site(
            &[SiteAgency {
                id: "a".into(),
                name: "甲局".into(),
            }],
            &[] as &[SiteRoom],
        )
        .expect("site");
    let windows: Vec<SiteWindow> = (1..=counters)
        .map(|n| SiteWindow {
            id: format!("w{n}"),
            number: n as u32,
            name: format!("{n}号窗口"),
            services: vec!["general".into()],
        })
        .collect();
    store
        .sync_hall(
            &[SiteService {
                id: "general".into(),
                agency_id: "a".into(),
                name: "综合受理".into(),
                prefix: "A".into(),
                daily_cap: None,
                opens: NaiveTime::MIN,
                closes: NaiveTime::from_hms_opt(23, 59, 0).expect("time"),
            }],
            &windows,
        )
        .expect("hall");
    for _ in 0..tickets {
        store
            .take_ticket("general", Priority::Ordinary, now)
            .expect("ticket");
    }
    now
}

/// Checks that every one of `tickets` numbers was called exactly once.
fn assert_each_called_once(per_counter: &[Vec<String>], tickets: usize) {
    let mut times_called: HashMap<String, usize> = HashMap::new();
    for number in per_counter.iter().flatten() {
        *times_called.entry(number.clone()).or_default() += 1;
    }
    let twice: Vec<_> = times_called.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "called more than once: {twice:?}");
    assert_eq!(times_called.len(), tickets, "every ticket was called");
}

/// One counter's day: call, start, finish, until nobody waits.
fn counter(store: &Mutex<Store>, window: &str, now: chrono::DateTime<FixedOffset>) -> Vec<String> {
    let mut called = Vec::new();
    loop {
        {
            let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
            let Some(ticket) = store.call_next(window, now).expect("call next") else {
                return called;
            };
            called.push(ticket.number);
            store.start_service(window, now).expect("start");
            store.finish_service(window, now).expect("done");
        }
        // A moment at the counter between calls: a std mutex lets the thread that just let go
        // take it again at once, and calls are quick enough now for one counter to take all.
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}

type Counter = Box<dyn FnOnce() -> Vec<String> + Send>;

/// Runs counters 1..=`n` on threads of their own, released together once each is ready (made
/// by `prepare`); returns what each called.
fn at_once(
    n: usize,
    prepare: impl Fn(usize) -> Counter + Send + Sync + 'static,
) -> Vec<Vec<String>> {
    let start = Arc::new(Barrier::new(n));
    let prepare = Arc::new(prepare);
    let threads: Vec<_> = (1..=n)
        .map(|i| {
            let (start, prepare) = (start.clone(), prepare.clone());
            std::thread::spawn(move || {
                let run = prepare(i);
                start.wait();
                run()
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("a counter finished"))
        .collect()
}

#[test]
fn fifty_counters_calling_at_once_never_share_or_skip_a_ticket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("site.db");
    let now = hall(&path, COUNTERS, TICKETS);
    let store = Arc::new(Mutex::new(Store::open(&path).expect("open")));
    let called = at_once(COUNTERS, move |n| {
        let store = store.clone();
        Box::new(move || counter(&store, &format!("w{n}"), now))
    });
    assert_each_called_once(&called, TICKETS);
    let busiest = called.iter().map(Vec::len).max().unwrap_or(0);
    assert!(
        busiest < TICKETS,
        "the calls were shared among the counters (one did {busiest})"
    );
}

#[test]
fn counters_on_connections_of_their_own_never_share_or_skip_a_ticket() {
    const OWN_CONNECTIONS: usize = 4;
    const THEIR_TICKETS: usize = 400;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("site.db");
    let now = hall(&path, OWN_CONNECTIONS, THEIR_TICKETS);
    let called = at_once(OWN_CONNECTIONS, move |n| {
        let store = Mutex::new(Store::open(&path).expect("a counter's connection"));
        Box::new(move || counter(&store, &format!("w{n}"), now))
    });
    // SQLite does not share its write lock fairly between connections (one may well serve
    // them all); what must hold is that none is called twice or lost. This is why the
    // controller keeps the one connection every counter goes through.
    assert_each_called_once(&called, THEIR_TICKETS);
}
