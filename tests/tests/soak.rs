//! A room records many short sessions in a row in one controller process, as a busy service
//! centre does all day, with its preview running between them: the process's open files,
//! threads and memory stay where they were after the first session, no media worker process
//! outlives its session, and after each one the room previews again in a worker of its own.

use liuhen_tests::{ROOM, TestSite};
use site_api::{SessionState, SessionView, SourceState};
use std::time::{Duration, Instant};

const SESSIONS: usize = 100;

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_sessions_in_a_row_leak_no_files_and_no_threads() {
    let site = TestSite::new(1).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    controller
        .wait_for_room(&http, "the room previews before the first session", |r| {
            r.sources.iter().all(|s| s.state == SourceState::Ready)
        })
        .await;
    let mut after_first = None;
    for n in 0..SESSIONS {
        let started: SessionView = controller.start_session(&http, &format!("连续{n}")).await;
        let recorder = controller
            .media_worker_of(ROOM)
            .expect("a worker records the session");
        let stopped: SessionView = controller.stop_session(&http, started.id).await;
        assert_eq!(stopped.state, SessionState::Finished, "session {n}");
        assert!(!stopped.segments.is_empty(), "session {n} wrote media");
        // The recording's media worker has ended and been reaped (no zombies pile up), and
        // one new worker previews the room.
        let preview = next_preview(&controller, recorder).await;
        let children = controller.child_processes();
        assert_eq!(
            children.iter().map(|(pid, _)| *pid).collect::<Vec<_>>(),
            [preview],
            "session {n}: processes: {children:?}"
        );
        if n == 0 {
            after_first = Some((
                controller.fds_and_threads(),
                controller.open_files(),
                controller.resident_kib(),
            ));
        }
    }
    // Let finished GStreamer threads wind down before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (fds, threads) = controller.fds_and_threads();
    let ((first_fds, first_threads), first_files, first_kib) = after_first.unwrap();
    let files = controller.open_files();
    let kib = controller.resident_kib();
    println!(
        "after 1 session: {first_fds} fds, {first_threads} threads, {first_kib} KiB; after {SESSIONS}: {fds} fds, {threads} threads, {kib} KiB"
    );
    // Files and devices must be exactly as before; the pipes to the preview worker are new
    // ones (counted, not named); HTTP connections come and go with the client's connection
    // pool, so a couple more sockets are not a leak (100 would be).
    let not_sockets = |files: &[String]| {
        files
            .iter()
            .filter(|f| !f.starts_with("socket:"))
            .map(|f| if f.starts_with("pipe:") { "pipe" } else { f })
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        not_sockets(&files),
        not_sockets(&first_files),
        "open files changed"
    );
    assert!(
        fds <= first_fds + 2,
        "file descriptors grew from {first_fds} to {fds}: {first_files:?} then {files:?}"
    );
    assert!(
        threads <= first_threads + 2,
        "threads grew from {first_threads} to {threads}"
    );
    // A leak of one session's pipeline bookkeeping would be megabytes over a hundred.
    assert!(
        kib <= first_kib + 8 * 1024,
        "resident memory grew from {first_kib} KiB to {kib} KiB"
    );
}

/// The room's new preview worker after the session recorded by `recorder` stopped.
async fn next_preview(controller: &liuhen_tests::Controller, recorder: i32) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match controller.media_worker_of(ROOM) {
            Some(pid) if pid != recorder => return pid,
            _ if Instant::now() > deadline => panic!("no preview after the stop"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}
