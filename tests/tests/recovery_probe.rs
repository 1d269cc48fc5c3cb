//! A segment cut by a crash is measured on recovery by demuxing it, in a short-lived process of
//! its own: a file that crashes the demuxer costs that one probe, never the controller, and is
//! not probed again at the next restart.

use liuhen_tests::{TestSite, assert_verifies};
use site_api::SessionState;
use std::time::Duration;

/// The test-only switch that makes the probe of one file abort, as a crashing demuxer would.
const CRASH_PROBE: &str = "LIUHEN_TEST_CRASH_PROBE";
const CORRUPT: &str = "cam1-00090.mkv";

#[tokio::test(flavor = "multi_thread")]
async fn a_leftover_that_crashes_the_probe_costs_that_probe_never_the_controller() {
    let site = TestSite::new(1).expect("site");
    let clerk = site.client("王芳", "clerk", Some("scjg")).expect("clerk");
    let controller = site.start_controller().expect("controller");
    let session = controller.start_session(&clerk, "市监罚〔2026〕90号").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    controller.kill();

    // Beside the segment the kill cut, a leftover whose bytes are not media at all.
    let dir = site.media_root().join(&session.media_dir);
    let noise: Vec<u8> = (0u32..200_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join(CORRUPT), noise).expect("corrupt leftover");

    let controller = site
        .start_controller_with_env(&[(CRASH_PROBE, CORRUPT)])
        .expect("the controller starts although the probe crashes");
    let after = controller.session(&clerk, session.id).await;
    assert_eq!(after.state, SessionState::Interrupted);
    let corrupt = after
        .segments
        .iter()
        .find(|s| s.file == CORRUPT)
        .expect("the corrupt leftover is recorded, not dropped");
    assert!(corrupt.recovered);
    assert_eq!(corrupt.duration_ns, 0, "its length is unknown");
    assert_eq!(corrupt.size_bytes, 200_000, "hashed whole");
    let cut = after
        .segments
        .iter()
        .filter(|s| s.recovered && s.file != CORRUPT)
        .collect::<Vec<_>>();
    assert!(
        !cut.is_empty(),
        "the segment the kill cut: {:?}",
        after.segments
    );
    assert!(
        cut.iter().all(|s| s.duration_ns > 0),
        "a readable leftover is measured by the probe process: {cut:?}"
    );
    assert_verifies(&dir, "the recovered folder");
    let log = std::fs::read_to_string(&controller.log).expect("log");
    assert_eq!(
        log.matches("cannot read how long a recovered segment is")
            .count(),
        1,
        "{log}"
    );

    // The next start does not probe it again (it is in the records now).
    controller.kill();
    let controller = site
        .start_controller_with_env(&[(CRASH_PROBE, CORRUPT)])
        .expect("restarts");
    let again = controller.session(&clerk, session.id).await;
    assert_eq!(again.segments, after.segments);
    let log = std::fs::read_to_string(&controller.log).expect("log");
    assert_eq!(
        log.matches("cannot read how long a recovered segment is")
            .count(),
        1,
        "not probed at every restart"
    );
}
