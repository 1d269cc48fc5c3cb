//! Main and backup recording (主备双份): with a backup folder in the site file, every finished
//! segment is copied there, read back and hashed, and the session's manifest follows, so the
//! backup checks on its own. A backup disk that fails is an alarm, once; the recording goes on,
//! and copies resume when the disk is back.

use liuhen_tests::{TestSite, assert_verifies, verify_folder};
use site_api::SessionState;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn every_segment_has_a_hashed_copy_in_the_backup_folder_that_verifies_on_its_own() {
    let site = TestSite::new(1).expect("site");
    site.set_site_settings("backup = \"backup-disk/liuhen\"")
        .expect("backup setting");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "市监罚〔2026〕90号").await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);
    assert!(done.segments.len() >= 3, "{:?}", done.segments);

    let main = site.media_root().join(&done.media_dir);
    let backup = site
        .dir
        .path()
        .join("backup-disk/liuhen")
        .join(&done.media_dir);
    for seg in &done.segments {
        assert_eq!(
            seg.backup_sha256.as_deref(),
            Some(seg.sha256.as_str()),
            "{} has a good backup copy",
            seg.file
        );
        let original = std::fs::read(main.join(&seg.file)).expect("original");
        let copy = std::fs::read(backup.join(&seg.file)).expect("copy");
        assert!(original == copy, "{} is copied byte for byte", seg.file);
    }
    assert_verifies(&backup, "the backup copy");
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(backup.join("manifest.json")).expect("the backup's manifest"),
    )
    .expect("json");
    assert_eq!(
        manifest["complete"], true,
        "the final manifest is copied too"
    );

    // Each copy stands on its own: a damaged backup shows, and the original is unaffected.
    let first = backup.join(&done.segments[0].file);
    let mut bytes = std::fs::read(&first).expect("copy");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&first, bytes).expect("tamper");
    let (ok, report) = verify_folder(&backup);
    assert!(!ok, "a flipped byte in the backup is found: {report}");
    assert_verifies(&main, "the original after the backup was damaged");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_backup_disk_is_one_alarm_and_copies_resume_when_it_is_back() {
    let site = TestSite::new(1).expect("site");
    // A file where the backup folder should be: like an unmounted disk, refused even to root.
    let blocked = site.dir.path().join("backup-disk");
    std::fs::write(&blocked, b"").expect("blocker");
    site.set_site_settings("backup = \"backup-disk\"")
        .expect("backup setting");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();

    let session = controller.start_session(&http, "市监罚〔2026〕91号").await;
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let during = controller.session(&http, session.id).await;
    assert_eq!(
        during.state,
        SessionState::Recording,
        "the recording goes on"
    );
    let alarms: Vec<_> = during
        .events
        .iter()
        .filter(|e| e.kind == "alarm" && e.detail.contains("backup"))
        .collect();
    assert_eq!(
        alarms.len(),
        1,
        "one alarm, not one per segment: {alarms:?}"
    );
    assert!(
        alarms[0].detail.contains("backup-disk") && alarms[0].detail.contains("mounted"),
        "names the folder and the fix: {}",
        alarms[0].detail
    );

    // The disk comes back.
    std::fs::remove_file(&blocked).expect("unblock");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);
    assert!(
        done.events.iter().any(|e| e.kind == "backup-ok"),
        "{:?}",
        done.events
    );
    let first = done.segments.first().expect("segments");
    let last = done.segments.last().expect("segments");
    assert_eq!(first.backup_sha256, None, "no copy while the disk was gone");
    assert_eq!(last.backup_sha256.as_deref(), Some(last.sha256.as_str()));
    assert_verifies(
        &site.media_root().join(&done.media_dir),
        "the original of a session whose backup failed",
    );
}
