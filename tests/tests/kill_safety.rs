//! The controller is killed (SIGKILL) at ten different moments of a recording. Each time every
//! file on disk still parses as media, at most about a second is lost at the kill point, and
//! after the restart the session's chain verifies with no database, and the interrupted session
//! holds its room until it is closed.

use liuhen_tests::{ROOM, TestSite};
use site_api::{SessionState, SessionView};
use std::time::Duration;

/// Kill moments, in ms after the start answered: spread over segment boundaries (1 s segments).
const KILL_AFTER_MS: [u64; 10] = [1300, 1750, 2050, 2480, 2900, 3150, 3620, 1990, 2710, 3333];

#[tokio::test(flavor = "multi_thread")]
async fn ten_kills_lose_at_most_a_second_and_every_chain_verifies() {
    let site = TestSite::new(1).expect("site");
    let token = site.issue_token("王芳", "clerk", Some("scjg")).unwrap();
    let http = liuhen_tests::authorised_client(&token).unwrap();
    for (run, after_ms) in KILL_AFTER_MS.into_iter().enumerate() {
        let controller = site.start_controller().expect("controller");
        let response = http
            .post(controller.url(&format!("/api/rooms/{ROOM}/sessions")))
            .json(&serde_json::json!({"case_number": format!("杀进程测试{run}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "run {run}");
        let session: SessionView = response.json().await.unwrap();
        tokio::time::sleep(Duration::from_millis(after_ms)).await;
        controller.kill();
        let killed_at = chrono::Utc::now();

        let dir = site.media_root().join(&session.media_dir);
        let mut media = Duration::ZERO;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if evidence::segment_name(&path).is_none() {
                continue;
            }
            pipelines::probe(&path)
                .unwrap_or_else(|e| panic!("run {run}: {} parses: {e}", path.display()));
            media += pipelines::media_span(&path).unwrap();
        }
        // Stamped before the pipeline started: the time from it to the kill is at least the
        // media the pipeline made, so `lost` can only be overstated, never hidden.
        let recorded_for = (killed_at - session.created_at).to_std().unwrap();
        assert!(
            media <= recorded_for,
            "run {run}: more media ({media:?}) than time ({recorded_for:?})"
        );
        let lost = recorded_for - media;
        println!(
            "run {run}: killed after {after_ms} ms, {recorded_for:?} recording, {media:?} on disk, {lost:?} lost"
        );
        assert!(
            lost <= Duration::from_millis(1000),
            "run {run}: lost {lost:?} of {recorded_for:?}"
        );

        let controller = site.start_controller().expect("restart");
        let after: SessionView = controller.session(&http, session.id).await;
        assert_eq!(after.state, SessionState::Interrupted, "run {run}");
        liuhen_tests::assert_verifies(&dir, &format!("run {run}"));
        // An interrupted session holds its room: close it as it is before the next run.
        let closed = controller.stop_session(&http, session.id).await;
        assert_eq!(closed.state, SessionState::Finished, "run {run}");
        controller.terminate().expect("clean exit");
    }
}
