//! A room records many short sessions in a row in one controller process, as a busy service
//! centre does all day: the process's open files and threads stay where they were after the
//! first session, and no media worker process outlives its session.

use liuhen_tests::TestSite;
use site_api::{SessionState, SessionView};

const SESSIONS: usize = 100;

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_sessions_in_a_row_leak_no_files_and_no_threads() {
    let site = TestSite::new(1).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let mut after_first = None;
    for n in 0..SESSIONS {
        let started: SessionView = controller.start_session(&http, &format!("连续{n}")).await;
        let stopped: SessionView = controller.stop_session(&http, started.id).await;
        assert_eq!(stopped.state, SessionState::Finished, "session {n}");
        assert!(!stopped.segments.is_empty(), "session {n} wrote media");
        // Each recording's media worker has ended and been reaped (no zombies pile up).
        let children = controller.child_processes();
        assert!(
            children.is_empty(),
            "session {n}: processes left: {children:?}"
        );
        if n == 0 {
            after_first = Some((controller.fds_and_threads(), controller.open_files()));
        }
    }
    // Let finished GStreamer threads wind down before counting.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let (fds, threads) = controller.fds_and_threads();
    let ((first_fds, first_threads), first_files) = after_first.unwrap();
    let files = controller.open_files();
    println!(
        "after 1 session: {first_fds} fds, {first_threads} threads; after {SESSIONS}: {fds} fds, {threads} threads"
    );
    // Files, pipes and devices must be exactly as before; HTTP connections come and go with
    // the client's connection pool, so a couple more sockets are not a leak (100 would be).
    let not_sockets = |files: &[String]| {
        files
            .iter()
            .filter(|f| !f.starts_with("socket:"))
            .cloned()
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
}
