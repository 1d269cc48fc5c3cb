//! The collection station for body-worn cameras, end to end: a fake camera is a folder tree of
//! real MP4 (H.264 + AAC) and JPEG files made by GStreamer, named as the shipped GA/T 947
//! profile says; it is "docked" by appearing under the station's mount root and "unplugged" by
//! vanishing from it, and the real controller collects it.

use liuhen_tests::{Caller, Controller, TestSite, authorised_client, sha256_of, workspace_binary};
use site_api::{DockState, DockView, FootageQuery, LinkFootage, NewDevice, RemoveExpired};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

const OFFICER: &str = "li-ming";
/// The camera's file time: fixed, as a camera's own clock wrote it.
const CAMERA_FILE_TIME: u64 = 1_796_000_000;

/// A two-second MP4 (H.264 320×240 + AAC) and a JPEG, made once per test process.
fn samples() -> &'static (PathBuf, PathBuf) {
    static SAMPLES: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        let mp4 = dir.join("sample.mp4");
        let jpg = dir.join("sample.jpg");
        gst(&format!(
            "videotestsrc num-buffers=50 ! video/x-raw,width=320,height=240,framerate=25/1 ! \
             x264enc ! h264parse ! mp4mux name=mux ! filesink location={} \
             audiotestsrc num-buffers=94 ! audio/x-raw,rate=48000,channels=1 ! audioconvert ! \
             avenc_aac ! aacparse ! mux.",
            mp4.display()
        ));
        gst(&format!(
            "videotestsrc num-buffers=1 ! video/x-raw,width=640,height=480 ! jpegenc ! \
             filesink location={}",
            jpg.display()
        ));
        (mp4, jpg)
    })
}

fn gst(pipeline: &str) {
    let out = Command::new("gst-launch-1.0")
        .arg("-q")
        .args(pipeline.split_whitespace())
        .output()
        .expect("gst-launch-1.0 runs (scripts/setup.sh installs gstreamer1.0-tools)");
    assert!(
        out.status.success(),
        "gst-launch {pipeline}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A camera's files: (path on the camera, content).
enum Content<'a> {
    Copy(&'a Path),
    Zeros(usize),
}

/// Builds the camera's folder tree in `dir` (not yet docked), with its clock file 90 s ahead
/// of the station's; every file has the camera's fixed file time.
fn camera(dir: &Path, files: &[(&str, Content<'_>)]) {
    std::fs::create_dir_all(dir.join("VIDEO")).expect("VIDEO");
    std::fs::create_dir_all(dir.join("PHOTO")).expect("PHOTO");
    let ahead = chrono::Local::now() + chrono::Duration::seconds(90);
    std::fs::write(
        dir.join("TIME.TXT"),
        ahead.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
    .expect("clock file");
    for (path, content) in files {
        let target = dir.join(path);
        match content {
            Content::Copy(from) => {
                std::fs::copy(from, &target).expect("camera file");
            }
            Content::Zeros(size) => std::fs::write(&target, vec![0u8; *size]).expect("big file"),
        }
        set_camera_time(&target);
    }
}

fn set_camera_time(path: &Path) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("camera file");
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(CAMERA_FILE_TIME))
        .expect("file time");
}

struct Station {
    site: TestSite,
    docks: PathBuf,
    controller: Controller,
    officer: Caller,
}

/// A site with a collection station, officer 李明 of scjg and camera ZFY001 issued to him
/// (registered through the API by the site's admin); `agency` adds lines to scjg's entry.
async fn station(agency: &str, settings: &str) -> Station {
    let site = TestSite::new(2).expect("site");
    let docks = site.add_collection_station().expect("station");
    site.set_agency("scjg", agency).expect("agency settings");
    if !settings.is_empty() {
        site.set_site_settings(settings).expect("site settings");
    }
    let photo =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screens/door-panel-recording.png");
    let officer = site
        .add_staff(OFFICER, "李明", "32010019002", Some(&photo))
        .expect("officer");
    let officer = authorised_client(&officer).expect("client");
    let controller = site.start_controller().expect("controller");
    let admin = site.client("facilities", "admin", None).expect("admin");
    let device = controller
        .api(&admin)
        .add_device(&NewDevice {
            serial: "ZFY001".into(),
            model: "bodycam-gat947".into(),
            agency_id: "scjg".into(),
            issued_to: OFFICER.into(),
        })
        .await
        .expect("the camera is registered");
    assert_eq!(device.issued_to_name, "李明");
    Station {
        site,
        docks,
        controller,
        officer,
    }
}

/// Waits until the dock `slot` has ended its visit, and returns it.
async fn visit_ended(controller: &Controller, caller: &Caller, slot: &str) -> DockView {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let station = controller.api(caller).station().await.expect("station");
        if let Some(dock) = station.docks.into_iter().find(|d| d.slot == slot)
            && matches!(
                dock.state,
                DockState::Done | DockState::Failed | DockState::Refused
            )
        {
            return dock;
        }
        assert!(Instant::now() < deadline, "the visit of {slot} ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn undocked(controller: &Controller, caller: &Caller, slot: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while controller
        .api(caller)
        .station()
        .await
        .expect("station")
        .docks
        .iter()
        .any(|d| d.slot == slot)
    {
        assert!(Instant::now() < deadline, "{slot} left the screen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn verify(dir: &Path, records: Option<&Path>) -> (bool, String) {
    let mut command = Command::new(workspace_binary("room-controller"));
    command.arg("verify").arg(dir);
    if let Some(records) = records {
        command.arg("--records").arg(records);
    }
    let out = command.output().expect("verify runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const VIDEO: &str = "VIDEO/ZFY001_012345_20261130101500_0001.MP4";
const PHOTO: &str = "PHOTO/ZFY001_012345_20261130101600_0002.JPG";

#[tokio::test(flavor = "multi_thread")]
async fn a_docked_camera_is_collected_once_verified_and_its_batch_exports_and_verifies() {
    let (mp4, jpg) = samples();
    let s = station("", "").await;
    let api = s.controller.api(&s.officer);
    let held = s.docks.with_file_name("held");
    camera(
        &held.join("ZFY001"),
        &[(VIDEO, Content::Copy(mp4)), (PHOTO, Content::Copy(jpg))],
    );
    std::fs::create_dir_all(&held).expect("held");
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock");

    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Done, "{:?}", dock.problem);
    assert!(
        dock.safe_to_unplug && !dock.cleared,
        "cleared only where the agency says"
    );
    assert_eq!(dock.officer_name.as_deref(), Some("李明"));
    assert_eq!((dock.files_done, dock.files_total), (2, 2));
    let batch_id = dock.batch_id.expect("a batch");

    let footage = api
        .footage(&FootageQuery::default())
        .await
        .expect("footage");
    assert_eq!(footage.len(), 2);
    let video = footage
        .iter()
        .find(|f| f.source_path == VIDEO)
        .expect("the video is collected");
    assert_eq!(
        video.sha256,
        sha256_of(mp4).expect("hash"),
        "the bytes as on the camera"
    );
    assert!(
        video.codecs.contains("h264") && video.codecs.contains("audio/mpeg"),
        "{}",
        video.codecs
    );
    assert_eq!((video.width, video.height), (Some(320), Some(240)));
    let ms = video.duration_ms.expect("a duration from the media");
    assert!((1800..=2300).contains(&ms), "about two seconds: {ms} ms");
    assert_eq!(video.started_from, "name");
    // The name says 10:15:00 on the camera's clock, which ran 90 s ahead of the station's.
    let started = video
        .started_at
        .expect("a start")
        .with_timezone(&chrono::Local);
    assert_eq!(started.format("%Y-%m-%d").to_string(), "2026-11-30");
    let seconds_past =
        (started.time() - chrono::NaiveTime::from_hms_opt(10, 13, 30).expect("time")).num_seconds();
    assert!(
        seconds_past.abs() <= 2,
        "the start corrected by the clock offset: {started}"
    );
    let photo = footage
        .iter()
        .find(|f| f.source_path == PHOTO)
        .expect("photo");
    assert!(photo.codecs.contains("image/jpeg"), "{}", photo.codecs);
    let batch = api.batch(batch_id).await.expect("batch");
    let offset = batch
        .clock_offset_ms
        .expect("the camera's clock offset is recorded");
    assert!((88_000..=92_000).contains(&offset), "{offset}");
    assert_eq!(batch.state, "complete");

    // Unplugged and docked again: nothing is collected twice.
    std::fs::rename(s.docks.join("ZFY001"), held.join("ZFY001")).expect("unplug");
    undocked(&s.controller, &s.officer, "ZFY001").await;
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock again");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(
        (dock.state, dock.files_total, dock.batch_id),
        (DockState::Done, 0, None)
    );
    assert_eq!(
        api.footage(&FootageQuery::default())
            .await
            .expect("footage")
            .len(),
        2
    );

    // The officer links the video to a case: the case view shows what the media holds.
    let linked = api
        .link_footage(
            video.id,
            &LinkFootage {
                case_number: "市监罚〔2026〕88号".into(),
                important: true,
                note: "查封现场".into(),
            },
        )
        .await
        .expect("linked");
    assert_eq!(linked.case_number.as_deref(), Some("市监罚〔2026〕88号"));
    let case = api.case("市监罚〔2026〕88号").await.expect("case");
    assert_eq!(case.footage.len(), 1);
    assert_eq!(case.footage[0].duration_ms, Some(ms));
    assert!(case.footage[0].important);
    // The desk's case page shows it with what the media holds.
    let browser = liuhen_tests::browser::Browser::start(1280, 900)
        .await
        .expect("chromium");
    let base = s.controller.url("");
    browser
        .open(&format!("{base}/desk/sign-in"))
        .await
        .expect("sign-in page");
    browser
        .type_into("#token", s.officer.token())
        .await
        .expect("token");
    browser.click(".sign-in button").await.expect("sign in");
    browser
        .wait_until(
            "return !location.pathname.endsWith('/sign-in')",
            Duration::from_secs(10),
            "signed in",
        )
        .await
        .expect("signed in");
    let number: String = "市监罚〔2026〕88号"
        .bytes()
        .map(|b| format!("%{b:02X}"))
        .collect();
    browser
        .open(&format!("{base}/desk/cases/{number}"))
        .await
        .expect("case page");
    let shown = browser.text("#footage").await.expect("the footage section");
    for expected in [
        "ZFY001_012345_20261130101500_0001.MP4",
        "0:02",
        "320×240",
        "h264",
        "李明",
    ] {
        assert!(shown.contains(expected), "{expected} in {shown}");
    }
    let png = std::env::temp_dir().join(format!("desk-case-footage-{}.png", std::process::id()));
    browser.screenshot_page(&png).await.expect("screenshot");
    liuhen_tests::keep_screenshot(&png, "desk-case-footage.png");

    // Another agency's clerk finds nothing; a colleague states a purpose; a kiosk reaches none.
    let other = s
        .site
        .client("自然资源局书记员", "clerk", Some("zrzy"))
        .expect("other");
    let err = s
        .controller
        .api(&other)
        .footage_file(video.id, Some("看看"))
        .await
        .expect_err("other agency");
    assert!(err.to_string().contains("404"), "{err}");
    let err = s
        .controller
        .api(&other)
        .export_batch(batch_id, Some("看看"))
        .await
        .err()
        .expect("404");
    assert!(err.to_string().contains("404"), "{err}");
    let colleague = s
        .site
        .client("同事", "clerk", Some("scjg"))
        .expect("colleague");
    let err = s
        .controller
        .api(&colleague)
        .footage_file(video.id, None)
        .await
        .expect_err("no purpose");
    assert!(err.to_string().contains("purpose"), "{err}");
    s.controller
        .api(&colleague)
        .footage_file(video.id, Some("复核证据"))
        .await
        .expect("with a purpose");
    let kiosk = s.site.client("kiosk", "kiosk", None).expect("kiosk");
    assert!(
        s.controller.api(&kiosk).station().await.is_ok(),
        "the screen reads the station"
    );
    assert!(
        s.controller
            .api(&kiosk)
            .footage_file(video.id, Some("x"))
            .await
            .is_err()
    );
    let admin = s.site.client("auditor", "admin", None).expect("admin");
    let log = s
        .controller
        .api(&admin)
        .access_log(&Default::default())
        .await
        .expect("log");
    let target = format!("footage {}", video.id);
    assert!(
        log.iter()
            .any(|e| e.target == target && !e.allowed && e.who.contains("自然资源局"))
    );
    assert!(
        log.iter()
            .any(|e| e.target == target && e.allowed && e.purpose == "复核证据")
    );
    assert!(
        log.iter().any(|e| e.target == target
            && e.action == "link"
            && e.reason.contains("市监罚〔2026〕88号")
            && e.who.contains("李明")),
        "linking is in the access log"
    );

    // The batch's package: its files as collected, the signed manifest, the site key; verify
    // checks it anywhere, and the media folder against the records.
    let mut download = api.export_batch(batch_id, None).await.expect("export");
    let mut tar = Vec::new();
    while let Some(chunk) = download.chunk().await.expect("chunk") {
        tar.extend(chunk);
    }
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("batch.tar"), &tar).expect("tar");
    let untar = Command::new("tar")
        .arg("-xf")
        .arg(out.path().join("batch.tar"))
        .arg("-C")
        .arg(out.path())
        .status()
        .expect("tar");
    assert!(untar.success());
    let package = out.path().join(format!("footage-batch-{batch_id}"));
    assert_eq!(
        sha256_of(&package.join("ZFY001_012345_20261130101500_0001.MP4")).expect("hash"),
        video.sha256
    );
    let key = package.join("site-key.pub");
    let (ok, report) = verify(&package, None);
    assert!(ok && report.starts_with("OK"), "{report}");
    assert!(key.exists(), "the package carries the site's key");
    let folder = s.site.media_root().join(&batch.media_dir);
    let (ok, report) = verify(&folder, Some(&s.site.records_file()));
    assert!(ok, "{report}");
    // A copy altered on the media disk shows.
    std::fs::write(
        package.join("ZFY001_012345_20261130101600_0002.JPG"),
        b"altered",
    )
    .expect("alter");
    let (ok, report) = verify(&package, None);
    assert!(!ok && report.contains("0002.JPG"), "{report}");

    // A file changed on the camera after collection is an alarm and a new file, never an
    // overwrite of the one collected.
    std::fs::rename(s.docks.join("ZFY001"), held.join("ZFY001")).expect("unplug");
    undocked(&s.controller, &s.officer, "ZFY001").await;
    let changed = held.join("ZFY001").join(PHOTO);
    let mut bytes = std::fs::read(&changed).expect("photo");
    bytes.extend_from_slice(b"edited on the camera");
    std::fs::write(&changed, bytes).expect("edit");
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock again");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.changed_files, vec![PHOTO.to_string()]);
    let alarms = api.footage_alarms().await.expect("alarms");
    assert!(
        alarms
            .iter()
            .any(|a| a.source_path == PHOTO && a.detail.contains(&photo.sha256))
    );
    let footage = api
        .footage(&FootageQuery::default())
        .await
        .expect("footage");
    assert_eq!(footage.len(), 3, "the new content is a file of its own");
    assert!(
        footage
            .iter()
            .any(|f| f.id == photo.id && f.sha256 == photo.sha256),
        "the collected photo is kept as it was: {footage:?}"
    );
}

const FIRST_VIDEO: &str = "VIDEO/ZFY001_012345_20261130090000_0001.MP4";
const SECOND_VIDEO: &str = "VIDEO/ZFY001_012345_20261130093000_0002.MP4";

/// Docks ZFY001 holding a photo and two 300 MB videos, and returns once the photo is collected
/// and a video is being copied (the moment to pull the camera or kill the controller).
async fn dock_and_wait_for_a_video_copy(s: &Station) {
    let (_, jpg) = samples();
    let held = s.docks.with_file_name("held");
    camera(
        &held.join("ZFY001"),
        &[
            (PHOTO, Content::Copy(jpg)),
            (FIRST_VIDEO, Content::Zeros(300 << 20)),
            (SECOND_VIDEO, Content::Zeros(300 << 20)),
        ],
    );
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let station = s
            .controller
            .api(&s.officer)
            .station()
            .await
            .expect("station");
        let copying = station.docks.iter().any(|d| {
            d.slot == "ZFY001"
                && d.files_done >= 1
                && d.bytes_done < d.bytes_total
                && d.state == DockState::Copying
        });
        if copying {
            return;
        }
        assert!(Instant::now() < deadline, "the copy started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unplugging_mid_copy_loses_nothing_and_the_camera_is_cleared_only_once_all_is_verified() {
    let (_, jpg) = samples();
    let s = station("clear_after_ingest = true", "").await;
    let api = s.controller.api(&s.officer);
    let held = s.docks.with_file_name("held");
    let (first, second) = (FIRST_VIDEO, SECOND_VIDEO);
    // Pulled out once the photo is in and a video is being copied.
    dock_and_wait_for_a_video_copy(&s).await;
    std::fs::rename(s.docks.join("ZFY001"), held.join("ZFY001")).expect("unplug");
    undocked(&s.controller, &s.officer, "ZFY001").await;
    // The visit ends by itself; what it verified is kept, the partial copy is not.
    let deadline = Instant::now() + Duration::from_secs(30);
    let batch = loop {
        let footage = api
            .footage(&FootageQuery::default())
            .await
            .expect("footage");
        let batch = api.batch(footage[0].batch_id).await.expect("batch");
        if batch.state != "collecting" {
            break batch;
        }
        assert!(Instant::now() < deadline, "the interrupted visit ended");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(batch.state, "interrupted");
    assert!(
        batch.problem.as_deref().unwrap_or("").contains("拔出"),
        "{:?}",
        batch.problem
    );
    let kept = batch.files.len();
    assert!(
        (1..3).contains(&kept),
        "{kept} file(s) verified before the unplug"
    );
    let folder = s.site.media_root().join(&batch.media_dir);
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .expect("batch folder")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "no partial copy is left");
    let (ok, report) = verify(&folder, Some(&s.site.records_file()));
    assert!(ok, "{report}");
    for path in [PHOTO, first, second] {
        assert!(
            held.join("ZFY001").join(path).exists(),
            "{path} is still on the camera"
        );
    }

    // Docked again: the visit carries on with what is left, then clears the camera.
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock again");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Done, "{:?}", dock.problem);
    assert_eq!(
        dock.files_total as usize,
        3 - kept,
        "only what was not collected"
    );
    assert!(dock.cleared && dock.safe_to_unplug);
    let footage = api
        .footage(&FootageQuery::default())
        .await
        .expect("footage");
    assert_eq!(footage.len(), 3);
    for path in [PHOTO, first, second] {
        assert!(
            !s.docks.join("ZFY001").join(path).exists(),
            "{path} cleared"
        );
        assert!(footage.iter().any(|f| f.source_path == path));
    }

    // A cleared camera that names a new photo as an old one (its numbering started again): a
    // new recording, collected without an alarm.
    std::fs::rename(s.docks.join("ZFY001"), held.join("ZFY001")).expect("unplug");
    undocked(&s.controller, &s.officer, "ZFY001").await;
    let mut again = std::fs::read(jpg).expect("photo");
    again.extend_from_slice(b"a later photo");
    std::fs::write(held.join("ZFY001").join(PHOTO), again).expect("new photo");
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock again");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(
        (dock.state, dock.files_total),
        (DockState::Done, 1),
        "{:?}",
        dock.problem
    );
    assert!(dock.changed_files.is_empty(), "{:?}", dock.changed_files);
    assert!(api.footage_alarms().await.expect("alarms").is_empty());
    assert_eq!(
        api.footage(&FootageQuery::default())
            .await
            .expect("footage")
            .len(),
        4
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_camera_and_a_full_disk_are_refused_in_plain_words_and_nothing_is_taken() {
    let (mp4, _) = samples();
    let s = station("clear_after_ingest = true", "stop_free_mb = 1000000000000").await;
    let api = s.controller.api(&s.officer);
    let held = s.docks.with_file_name("held");
    camera(&held.join("ZFY999"), &[(VIDEO, Content::Copy(mp4))]);
    std::fs::rename(held.join("ZFY999"), s.docks.join("ZFY999")).expect("dock");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY999").await;
    assert_eq!(dock.state, DockState::Refused);
    let problem = dock.problem.unwrap_or_default();
    assert!(
        problem.contains("未登记") && problem.contains("device add"),
        "{problem}"
    );
    // Registered as the message says, with the CLI (an unknown model is refused by name).
    let unknown = s.site.cli(
        "device",
        &[
            "add",
            "--serial",
            "ZFY999",
            "--model",
            "no-such-camera",
            "--agency",
            "scjg",
            "--issued-to",
            OFFICER,
        ],
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("bodycam-gat947"));
    let added = s.site.cli(
        "device",
        &[
            "add",
            "--serial",
            "ZFY999",
            "--model",
            "bodycam-gat947",
            "--agency",
            "scjg",
            "--issued-to",
            OFFICER,
        ],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let listed = String::from_utf8_lossy(&s.site.cli("device", &["list"]).stdout).to_string();
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("ZFY999\tbodycam-gat947\tscjg\tli-ming")),
        "{listed}"
    );

    camera(&held.join("ZFY001"), &[(VIDEO, Content::Copy(mp4))]);
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Failed);
    let problem = dock.problem.unwrap_or_default();
    assert!(
        problem.contains("存储空间不足") && problem.contains("free space"),
        "{problem}"
    );
    assert!(!dock.cleared);
    assert!(
        s.docks.join("ZFY001").join(VIDEO).exists(),
        "the camera keeps its file"
    );
    assert!(
        api.footage(&FootageQuery::default())
            .await
            .expect("footage")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_footage_is_removed_by_an_approver_and_footage_linked_to_a_case_is_kept() {
    let (mp4, jpg) = samples();
    let s = station(
        "footage_retention_days = 30\naccess_approvers = [\"zhao-min\"]\nrecordings_need_approval = true",
        "",
    )
    .await;
    let approver = s
        .site
        .add_staff("zhao-min", "赵敏", "32010019003", None)
        .expect("approver");
    let approver = s
        .controller
        .api(&authorised_client(&approver).expect("client"));
    let api = s.controller.api(&s.officer);
    let held = s.docks.with_file_name("held");
    camera(
        &held.join("ZFY001"),
        &[(VIDEO, Content::Copy(mp4)), (PHOTO, Content::Copy(jpg))],
    );
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Done, "{:?}", dock.problem);
    let footage = api
        .footage(&FootageQuery::default())
        .await
        .expect("footage");
    let video = footage
        .iter()
        .find(|f| f.source_path == VIDEO)
        .expect("video")
        .clone();
    let photo = footage
        .iter()
        .find(|f| f.source_path == PHOTO)
        .expect("photo")
        .clone();
    // Linked with the CLI, as the case handler would at the controller.
    let linked = s.site.cli(
        "footage",
        &[
            "link",
            "--id",
            &video.id.to_string(),
            "--case",
            "市监罚〔2026〕90号",
            "--by",
            "李明",
        ],
    );
    assert!(
        linked.status.success(),
        "{}",
        String::from_utf8_lossy(&linked.stderr)
    );
    // Where the agency requires it, a colleague needs an approval for the photo, as for a
    // recording: asked with a purpose, decided by an approver.
    let colleague = s
        .site
        .client("同事", "clerk", Some("scjg"))
        .expect("colleague");
    let colleague = s.controller.api(&colleague);
    let err = colleague
        .footage_file(photo.id, Some("复核"))
        .await
        .expect_err("needs an approval");
    assert!(err.to_string().contains("access-requests"), "{err}");
    let request = colleague
        .request_footage_access(
            photo.id,
            &site_api::RequestAccess {
                what: site_api::RecordingUse::View,
                purpose: "复核现场照片".into(),
            },
        )
        .await
        .expect("asked");
    assert_eq!(request.footage_id, Some(photo.id));
    approver
        .decide_access(
            request.id,
            &site_api::DecideAccess {
                approve: true,
                note: String::new(),
            },
        )
        .await
        .expect("approved");
    let seen = colleague
        .footage_file(photo.id, None)
        .await
        .expect("approved access");
    assert_eq!(seen.sha256, photo.sha256);
    // Forty days pass.
    let db = rusqlite::Connection::open(s.site.records_file()).expect("records");
    let past = (chrono::Utc::now() - chrono::Duration::days(40)).to_rfc3339();
    db.execute("UPDATE field_files SET collected_at = ?1", [&past])
        .expect("backdate");

    let expired = approver
        .footage(&FootageQuery {
            expired: true,
            ..Default::default()
        })
        .await
        .expect("expired");
    assert_eq!(
        expired.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![photo.id]
    );
    let remove = |files: Vec<i64>| RemoveExpired {
        files,
        reason: "保存期满，无关联案件".into(),
    };
    let err = api
        .remove_expired(&remove(vec![photo.id]))
        .await
        .expect_err("not an approver");
    assert!(err.to_string().contains("approvers"), "{err}");
    let err = approver
        .remove_expired(&remove(vec![video.id]))
        .await
        .expect_err("linked footage stays");
    assert!(err.to_string().contains("never removed"), "{err}");
    let removed = approver
        .remove_expired(&remove(vec![photo.id]))
        .await
        .expect("removed");
    assert_eq!(removed[0].sha256, photo.sha256, "the hash stays");
    assert!(
        removed[0]
            .removed_by
            .as_deref()
            .unwrap_or("")
            .contains("赵敏")
    );

    let batch = api.batch(photo.batch_id).await.expect("batch");
    let folder = s.site.media_root().join(&batch.media_dir);
    assert!(!folder.join(&photo.file).exists(), "the media is gone");
    assert!(folder.join(&video.file).exists(), "the linked video stays");
    let (ok, report) = verify(&folder, Some(&s.site.records_file()));
    assert!(ok && report.contains("1 removed"), "{report}");
    let admin = s.site.client("auditor", "admin", None).expect("admin");
    let log = s
        .controller
        .api(&admin)
        .access_log(&Default::default())
        .await
        .expect("log");
    assert!(log.iter().any(|e| e.action == "remove"
        && e.target == format!("footage {}", photo.id)
        && e.purpose.contains("保存期满")));
    let err = api.footage_media(photo.id, None).await.err().expect("gone");
    assert!(err.to_string().contains("410"), "{err}");

    // Facilities retire the camera at the controller: docked again, it is not collected from.
    let retired = s.site.cli("device", &["retire", "--serial", "ZFY001"]);
    assert!(
        retired.status.success(),
        "{}",
        String::from_utf8_lossy(&retired.stderr)
    );
    let listed = String::from_utf8_lossy(&s.site.cli("device", &["list"]).stdout).to_string();
    assert!(
        listed.contains("ZFY001") && listed.contains("retired"),
        "{listed}"
    );
    std::fs::rename(s.docks.join("ZFY001"), held.join("ZFY001")).expect("unplug");
    undocked(&s.controller, &s.officer, "ZFY001").await;
    std::fs::write(
        held.join("ZFY001/PHOTO/ZFY001_012345_20261201080000_0003.JPG"),
        b"x",
    )
    .expect("a new photo");
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock again");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Refused);
    assert!(dock.problem.unwrap_or_default().contains("已停用"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_collection_screen_shows_each_camera_its_officer_and_when_to_unplug() {
    use liuhen_tests::{
        ALARM_BACKGROUND, FREE_GREEN, PAUSED_BLUE, distinct_colours, draw_screen, keep_screenshot,
        read_png, share_of,
    };
    let (mp4, jpg) = samples();
    let s = station("", "").await;
    let kiosk = s
        .site
        .issue_token("采集站屏幕", "kiosk", None)
        .expect("kiosk");
    let base = s.controller.url("");
    let out = tempfile::tempdir().expect("tempdir");
    let held = s.docks.with_file_name("held");
    let draw = |size: &str, name: &str| -> (u32, u32, Vec<u8>) {
        let png = out.path().join(format!("{name}.png"));
        draw_screen(
            &base,
            &kiosk,
            &["--size", size, "collect"],
            &png,
            &out.path().join(format!("{name}.json")),
        );
        keep_screenshot(&png, &format!("{name}.png"));
        read_png(&png).expect("png")
    };

    // Nothing docked: the screen says what to do.
    let (w, h, empty) = draw("1920x1080", "collect-empty-1080p");
    assert_eq!((w, h), (1920, 1080));
    assert!(distinct_colours(&empty) > 20, "text is drawn");

    // A camera being collected: its bar fills in blue.
    camera(
        &held.join("ZFY001"),
        &[
            (PHOTO, Content::Copy(jpg)),
            (VIDEO, Content::Copy(mp4)),
            (
                "VIDEO/ZFY001_012345_20261130110000_0003.MP4",
                Content::Zeros(900 << 20),
            ),
        ],
    );
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !s
        .controller
        .api(&s.officer)
        .station()
        .await
        .expect("station")
        .docks
        .iter()
        .any(|d| d.state == DockState::Copying && d.files_done >= 2)
    {
        assert!(Instant::now() < deadline, "copying started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, _, copying) = draw("1920x1080", "collect-copying-1080p");
    assert!(
        share_of(&copying, PAUSED_BLUE) > 0.005 || share_of(&copying, FREE_GREEN) > 0.005,
        "the camera's band and bar are drawn"
    );

    // Done, and beside it a camera nobody registered.
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Done, "{:?}", dock.problem);
    camera(&held.join("ZFY404"), &[(VIDEO, Content::Copy(mp4))]);
    std::fs::rename(held.join("ZFY404"), s.docks.join("ZFY404")).expect("dock");
    visit_ended(&s.controller, &s.officer, "ZFY404").await;
    for (size, name) in [
        ("1920x1080", "collect-1080p"),
        ("800x480", "collect-800x480"),
    ] {
        let (w, _, pixels) = draw(size, name);
        assert_eq!(w.to_string(), size.split('x').next().unwrap_or_default());
        assert!(
            share_of(&pixels, FREE_GREEN) > 0.01,
            "{name}: a green “safe to unplug”"
        );
        assert!(
            share_of(&pixels, ALARM_BACKGROUND) > 0.01,
            "{name}: the unregistered camera's red band"
        );
        assert!(
            distinct_colours(&pixels) > 200,
            "{name}: the officer's photo and text"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn collected_files_have_a_read_back_copy_on_the_backup_disk_that_verifies_alone() {
    let (mp4, jpg) = samples();
    let s = station("", "backup = \"backup-disk/liuhen\"").await;
    let held = s.docks.with_file_name("held");
    camera(
        &held.join("ZFY001"),
        &[
            (VIDEO, Content::Copy(mp4)),
            (PHOTO, Content::Copy(jpg)),
            // A card moved from another camera: its name says ZFY002.
            (MOVED, Content::Copy(jpg)),
        ],
    );
    std::fs::rename(held.join("ZFY001"), s.docks.join("ZFY001")).expect("dock");
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Done, "{:?}", dock.problem);
    let batch = s
        .controller
        .api(&s.officer)
        .batch(dock.batch_id.expect("batch"))
        .await
        .expect("batch");
    let backup = s
        .site
        .dir
        .path()
        .join("backup-disk/liuhen")
        .join(&batch.media_dir);
    for file in &batch.files {
        assert_eq!(
            file.backup_sha256.as_deref(),
            Some(file.sha256.as_str()),
            "{}",
            file.file
        );
        assert_eq!(
            sha256_of(&backup.join(&file.file)).expect("copy"),
            file.sha256
        );
    }
    liuhen_tests::assert_verifies(&backup, "the backup copy of the batch");
    assert_eq!(batch.files.len(), 3, "the moved file is collected too");
    let alarms = s
        .controller
        .api(&s.officer)
        .footage_alarms()
        .await
        .expect("alarms");
    assert!(
        alarms
            .iter()
            .any(|a| a.source_path == MOVED && a.detail.contains("ZFY002")),
        "{alarms:?}"
    );
}

const MOVED: &str = "PHOTO/ZFY002_012345_20261130101700_0003.JPG";

#[test]
fn check_names_the_station_and_a_missing_mount_folder() {
    let site = TestSite::new(2).expect("site");
    let docks = site.add_collection_station().expect("station");
    let out = site.cli("check", &[]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && said.contains("collection station"),
        "{said}"
    );
    assert!(
        said.contains("bodycam-gat947"),
        "the models are listed: {said}"
    );
    std::fs::remove_dir(&docks).expect("no mount folder");
    let out = site.cli("check", &["--probe"]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("FAILED  collection station") && said.contains("mkdir"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_controller_killed_mid_copy_keeps_what_it_verified_and_the_next_visit_carries_on() {
    let mut s = station("", "").await;
    dock_and_wait_for_a_video_copy(&s).await;
    s.controller.kill();
    s.controller = s.site.start_controller().expect("restarted");
    let api = s.controller.api(&s.officer);
    let footage = api
        .footage(&FootageQuery::default())
        .await
        .expect("footage");
    assert!(
        !footage.is_empty(),
        "what was verified before the kill is kept"
    );
    let batch = api.batch(footage[0].batch_id).await.expect("batch");
    assert_eq!(batch.state, "interrupted");
    let folder = s.site.media_root().join(&batch.media_dir);
    let (ok, report) = verify(&folder, Some(&s.site.records_file()));
    assert!(ok, "the folder holds what its manifest lists: {report}");
    // The camera never left: the restarted station visits it again and carries on.
    let dock = visit_ended(&s.controller, &s.officer, "ZFY001").await;
    assert_eq!(dock.state, DockState::Done, "{:?}", dock.problem);
    assert_eq!(dock.files_total as usize, 3 - batch.files.len());
    assert_eq!(
        api.footage(&FootageQuery::default())
            .await
            .expect("footage")
            .len(),
        3
    );
    assert!(api.footage_alarms().await.expect("alarms").is_empty());
}
