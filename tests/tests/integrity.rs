//! Anyone holding a session's folder can check it with `room-controller verify`, no database
//! needed: every altered, cut, missing, re-ordered or unlisted segment and every edit of the
//! manifest is reported, and the command fails.

use liuhen_tests::{TestSite, verify_folder, workspace_binary};
use site_api::SessionView;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// Records a short session and returns its folder and records.
async fn recorded_session(site: &TestSite) -> (PathBuf, SessionView) {
    let controller = site.start_controller().expect("controller");
    let http = site
        .client("王芳", "clerk", Some("scjg"))
        .expect("clerk token");
    let started: SessionView = controller.start_session(&http, "市监罚〔2026〕7号").await;
    tokio::time::sleep(Duration::from_millis(4200)).await;
    let stopped: SessionView = controller.stop_session(&http, started.id).await;
    (site.media_root().join(&stopped.media_dir), stopped)
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_accepts_the_recording_and_reports_every_kind_of_tampering() {
    let site = TestSite::new(1).expect("site");
    let (dir, session) = recorded_session(&site).await;
    assert!(session.segments.len() >= 4, "{:?}", session.segments);
    let files: Vec<&str> = session.segments.iter().map(|s| s.file.as_str()).collect();

    // The manifest says what the records say, and the untouched folder verifies.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["session"]["case_number"], "市监罚〔2026〕7号");
    let links: Vec<&str> = manifest["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["link"].as_str().unwrap())
        .collect();
    assert_eq!(
        links,
        session
            .segments
            .iter()
            .map(|s| s.link.as_str())
            .collect::<Vec<_>>()
    );
    let (ok, out) = verify_folder(&dir);
    assert!(ok, "untouched session must verify: {out}");
    assert!(
        out.contains(&format!("chain head {}", links.last().unwrap())),
        "{out}"
    );

    let scratch = tempfile::tempdir().unwrap();
    let case = |name: &str| {
        let copy = scratch.path().join(name);
        copy_dir(&dir, &copy);
        copy
    };

    let flipped = case("flipped");
    let mut bytes = std::fs::read(flipped.join(files[1])).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(flipped.join(files[1]), bytes).unwrap();
    let (ok, out) = verify_folder(&flipped);
    assert!(
        !ok && out.contains(&format!("{}: altered", files[1])),
        "one flipped byte: {out}"
    );

    let cut = case("cut");
    let len = std::fs::metadata(cut.join(files[2])).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(cut.join(files[2]))
        .unwrap()
        .set_len(len - 100)
        .unwrap();
    let (ok, out) = verify_folder(&cut);
    assert!(
        !ok && out.contains(&format!("{}: truncated", files[2])),
        "cut file: {out}"
    );

    let deleted = case("deleted");
    std::fs::remove_file(deleted.join(files[2])).unwrap();
    let (ok, out) = verify_folder(&deleted);
    assert!(
        !ok && out.contains(&format!("{}: missing", files[2])),
        "deleted segment: {out}"
    );

    let swapped = case("swapped");
    std::fs::rename(swapped.join(files[0]), swapped.join("tmp")).unwrap();
    std::fs::rename(swapped.join(files[1]), swapped.join(files[0])).unwrap();
    std::fs::rename(swapped.join("tmp"), swapped.join(files[1])).unwrap();
    let (ok, out) = verify_folder(&swapped);
    assert!(!ok, "swapped segments: {out}");
    for file in &files[..2] {
        assert!(
            out.contains(&format!("{file}: altered"))
                || out.contains(&format!("{file}: truncated")),
            "swap shows at {file}: {out}"
        );
    }

    let edited = case("edited");
    edit_manifest(&edited, |m| {
        m["segments"][1]["duration_ns"] = serde_json::json!(1)
    });
    let (ok, out) = verify_folder(&edited);
    assert!(
        !ok && out.contains(&format!("{}: chain broken", files[1])),
        "edited manifest: {out}"
    );

    let dropped = case("dropped-entry");
    edit_manifest(&dropped, |m| {
        m["segments"].as_array_mut().unwrap().remove(1);
    });
    let (ok, out) = verify_folder(&dropped);
    assert!(
        !ok && out.contains(&format!("{}: chain broken", files[2])),
        "entry removed from manifest: {out}"
    );
    assert!(out.contains(&format!("{}: not listed", files[1])), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_session_verifies_on_its_own_and_the_export_is_logged() {
    let site = TestSite::new(1).expect("site");
    let controller = site.start_controller().expect("controller");
    let token = site.issue_token("王芳", "clerk", Some("scjg")).unwrap();
    let http = liuhen_tests::authorised_client(&token).unwrap();
    let session = controller.start_session(&http, "市监罚〔2026〕21号").await;
    let marked = controller.mark(&http, session.id, "出示执法证件").await;
    assert_eq!(marked, 200);
    let early = http
        .get(controller.url(&format!("/api/sessions/{}/export", session.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(early.status(), 409, "a running session is not exported");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let stopped = controller.stop_session(&http, session.id).await;

    let out = tempfile::tempdir().unwrap();
    let exported = Command::new(workspace_binary("room-controller"))
        .args([
            "session",
            "--api",
            &controller.base,
            "export",
            &session.id.to_string(),
            "--out",
        ])
        .arg(out.path())
        .env("LIUHEN_TOKEN", &token)
        .output()
        .unwrap();
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let package = out.path().join(format!("session-{}", session.id));
    for seg in &stopped.segments {
        assert!(
            package.join(&seg.file).exists(),
            "{} is in the package",
            seg.file
        );
    }
    let (ok, report) = verify_folder(&package);
    assert!(ok, "the export verifies on its own: {report}");
    assert!(
        report.contains(&stopped.segments.last().unwrap().link),
        "{report}"
    );
    let summary = std::fs::read_to_string(package.join("summary.txt")).unwrap();
    for must in [
        "市监罚〔2026〕21号",
        "市市场监督管理局",
        "出示执法证件",
        "cam1 (test-pattern)",
        "cam1/video: video/x-h264 640×360",
        "cam1/audio_0: audio/x-opus",
        "room-controller verify",
        "王芳",
    ] {
        assert!(summary.contains(must), "summary shows {must}:\n{summary}");
    }
    let events: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(package.join("events.json")).unwrap())
            .unwrap();
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["detail"] == "出示执法证件")
    );

    let log = records::Store::open(&site.records_file())
        .unwrap()
        .access_log()
        .unwrap();
    assert!(
        log.iter().any(|e| e.action == "export"
            && e.allowed
            && e.who == "王芳"
            && e.target == format!("session {}", session.id)),
        "the export is in the access log"
    );
}
