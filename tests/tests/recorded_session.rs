//! A clerk records a session end to end, through the real controller, GStreamer, SQLite and a
//! pseudo-terminal relay; and the recording survives the controller being killed.

use liuhen_tests::{LIGHT_OFF, LIGHT_ON, ROOM, TestSite, sha256_of, workspace_binary};
use site_api::{ActionType, ApiError, RoomView, SessionState, SessionView, StartSession};
use std::path::Path;
use std::time::Duration;

fn start_request() -> StartSession {
    StartSession {
        case_number: "市监罚〔2026〕12号".into(),
        agency_id: Some("scjg".into()),
        action_type: Some(ActionType::Penalty),
        party: Some("张某某".into()),
    }
}

async fn start(http: &reqwest::Client, base: &str) -> SessionView {
    let response = http
        .post(format!("{base}/api/rooms/{ROOM}/sessions"))
        .json(&start_request())
        .send()
        .await
        .expect("controller answers");
    assert_eq!(response.status(), 201, "start: {:?}", response.text().await);
    response.json().await.expect("session view")
}

#[tokio::test(flavor = "multi_thread")]
async fn clerk_records_a_session_and_the_light_follows_the_files() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site
        .client("王芳", "clerk", Some("scjg"))
        .expect("clerk token");

    // Nothing is recording yet, and the light has been sent nothing.
    let room: RoomView = controller.room(&http).await;
    assert_eq!(room.session, None);
    assert!(
        site.light.bytes().is_empty(),
        "light touched before any recording"
    );

    let session = start(&http, &controller.base).await;
    assert_eq!(
        session.state,
        SessionState::Recording,
        "start answers once media is written"
    );
    // The case file knows the kind of action and the party; no public screen shows the party.
    assert_eq!(
        (session.action_type, session.party.as_str()),
        (ActionType::Penalty, "张某某")
    );
    let kiosk = site.client("door", "kiosk", None).expect("kiosk token");
    for public in [format!("/api/rooms/{ROOM}"), "/api/rooms".to_string()] {
        let shown = kiosk
            .get(controller.url(&public))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(shown.contains("市监罚〔2026〕12号"), "{public}: {shown}");
        assert!(
            !shown.contains("张某某"),
            "{public} shows the party: {shown}"
        );
    }
    assert_eq!(
        site.light.wait_for_len(4, Duration::from_secs(5)),
        LIGHT_ON,
        "light on once recording"
    );

    let room: RoomView = controller.room(&http).await;
    let shown = room.session.expect("room shows its session");
    assert_eq!(
        (
            shown.state,
            shown.case_number.as_str(),
            shown.agency_name.as_str()
        ),
        (
            SessionState::Recording,
            "市监罚〔2026〕12号",
            "市市场监督管理局"
        )
    );

    let marked = controller
        .mark(&http, session.id, "已告知当事人权利义务")
        .await;
    assert_eq!(marked, 200);
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let stopped: SessionView = http
        .post(controller.url(&format!("/api/sessions/{}/stop", session.id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .expect("stop answers with the session");
    assert_eq!(stopped.state, SessionState::Finished);
    let markers: Vec<_> = stopped
        .events
        .iter()
        .filter(|e| e.kind == "marker")
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(markers, ["已告知当事人权利义务"]);
    let late = controller.mark(&http, session.id, "迟到的标记").await;
    assert_eq!(late, 409, "no markers after the stop");
    assert_eq!(
        site.light.wait_for_len(8, Duration::from_secs(5)),
        [LIGHT_ON, LIGHT_OFF].concat(),
        "exactly on, then off"
    );

    // Every segment is real media with H.264 video and Opus audio, hashed as recorded.
    let dir = site.media_root().join(&stopped.media_dir);
    assert!(
        stopped.segments.len() >= 3,
        "5.5 s in 2 s segments: {:?}",
        stopped.segments
    );
    let mut total = Duration::ZERO;
    for seg in &stopped.segments {
        let path = dir.join(&seg.file);
        assert_eq!(
            sha256_of(&path).unwrap(),
            seg.sha256,
            "{} hash matches the records",
            seg.file
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().len() as i64,
            seg.size_bytes
        );
        assert!(!seg.recovered);
        let info = pipelines::probe(&path).unwrap_or_else(|e| panic!("{} is media: {e}", seg.file));
        assert_eq!(info.video.len(), 1, "{}: one video stream", seg.file);
        assert_eq!(info.video[0].codec, "video/x-h264");
        assert_eq!(
            (info.video[0].width, info.video[0].height),
            (640, 360),
            "the profile's size"
        );
        assert_eq!(info.audio.len(), 1, "{}: one audio stream", seg.file);
        assert_eq!(info.audio[0].codec, "audio/x-opus");
        let duration = info.duration.expect("duration known");
        let recorded = Duration::from_nanos(seg.duration_ns as u64);
        assert!(
            duration.abs_diff(recorded) < Duration::from_millis(500),
            "{}: file {duration:?} vs records {recorded:?}",
            seg.file
        );
        total += duration;
    }
    assert!(
        total >= Duration::from_secs(5) && total < Duration::from_secs(9),
        "recorded {total:?}"
    );

    // The chain links each segment to the one before.
    let mut previous = evidence::GENESIS_LINK.to_string();
    for seg in &stopped.segments {
        let link = evidence::next_link(&previous, &seg.into());
        assert_eq!(link, seg.link, "chain link of {}", seg.file);
        previous = link;
    }
    // How the recording was made is kept for the case file.
    assert_eq!(stopped.recorded_with["video_codec"], "H.264");
    assert_eq!(
        stopped.recorded_with["cameras"][0]["profile"],
        "test-pattern"
    );

    let room: RoomView = controller.room(&http).await;
    assert_eq!(room.session, None, "the room is free again");
    controller.terminate().expect("clean exit");
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_controller_keeps_every_closed_segment_and_marks_the_session_interrupted() {
    let site = TestSite::new(1).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site
        .client("王芳", "clerk", Some("scjg"))
        .expect("clerk token");
    let session = start(&http, &controller.base).await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let before: SessionView = controller.session(&http, session.id).await;
    assert!(
        before.segments.len() >= 2,
        "segments closed while recording: {:?}",
        before.segments
    );
    controller.kill();

    // Every segment file on disk, the one open at the kill included, still parses as media.
    let dir = site.media_root().join(&session.media_dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| evidence::segment_name(p).is_some())
        .collect();
    files.sort();
    assert!(
        files.len() > before.segments.len(),
        "an open segment was left: {files:?}"
    );
    for file in &files {
        let info = pipelines::probe(file)
            .unwrap_or_else(|e| panic!("{} parses after SIGKILL: {e}", file.display()));
        assert_eq!(info.video.len(), 1, "{}", file.display());
    }
    for seg in &before.segments {
        assert_eq!(
            sha256_of(&dir.join(&seg.file)).unwrap(),
            seg.sha256,
            "closed segment {} unchanged",
            seg.file
        );
    }

    let controller = site.start_controller().expect("restarted controller");
    let after: SessionView = controller.session(&http, session.id).await;
    assert_eq!(after.state, SessionState::Interrupted);
    assert!(
        after
            .failure
            .as_deref()
            .unwrap_or("")
            .contains("stopped while"),
        "{:?}",
        after.failure
    );
    assert_eq!(
        after.segments[..before.segments.len()],
        before.segments[..],
        "recorded segments kept as they were"
    );
    assert_eq!(
        after.segments.len(),
        files.len(),
        "the open segment is recorded on recovery"
    );
    let last = after.segments.last().unwrap();
    assert!(
        last.recovered,
        "the open one is marked as closed on recovery"
    );
    assert_eq!(sha256_of(&dir.join(&last.file)).unwrap(), last.sha256);
    let room: RoomView = controller.room(&http).await;
    assert_eq!(
        room.session.map(|s| (s.id, s.state)),
        Some((session.id, SessionState::Interrupted)),
        "the interrupted session holds the room until it is resumed or closed"
    );
    // The light, possibly left on by the killed recorder, is switched off.
    let wire = site.light.wait_for_len(8, Duration::from_secs(5));
    assert!(wire.ends_with(&LIGHT_OFF), "{wire:02X?}");

    // The recovered session's folder verifies on its own, the recovered segment included.
    liuhen_tests::assert_verifies(&dir, "the session folder verifies");

    // The clerk resumes the same session: new segments after the old ones, the gap recorded.
    let resumed = http
        .post(controller.url(&format!("/api/sessions/{}/resume", session.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200, "{:?}", resumed.text().await);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let finished: SessionView = controller.stop_session(&http, session.id).await;
    assert_eq!(finished.state, SessionState::Finished);
    assert!(
        finished.events.iter().any(|e| e.kind == "gap"),
        "the gap is recorded: {:?}",
        finished.events
    );
    let resumed_segments = &finished.segments[after.segments.len()..];
    assert!(
        resumed_segments.len() >= 2,
        "recording went on: {resumed_segments:?}"
    );
    let last_before = after.segments.iter().map(|s| s.seq).max().unwrap();
    assert!(
        resumed_segments
            .iter()
            .all(|s| s.seq > last_before && !s.recovered),
        "new files after the old ones"
    );
    liuhen_tests::assert_verifies(&dir, "one chain across the gap");
    let again = http
        .post(controller.url(&format!("/api/sessions/{}/resume", session.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409, "a finished session cannot be resumed");

    // The room records new sessions too.
    let next = start(&http, &controller.base).await;
    assert_ne!(next.id, session.id);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_a_clear_json_error() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site
        .client("王芳", "clerk", Some("scjg"))
        .expect("clerk token");
    let cases = [
        (
            format!("/api/rooms/{ROOM}/sessions"),
            "{not json".to_string(),
            400,
            "request body",
        ),
        (
            format!("/api/rooms/{ROOM}/sessions"),
            r#"{"case_number": "  "}"#.to_string(),
            400,
            "case_number",
        ),
        (
            "/api/rooms/no-such-room/sessions".to_string(),
            r#"{"case_number": "1", "agency_id": "scjg"}"#.to_string(),
            404,
            "no-such-room",
        ),
        (
            format!("/api/rooms/{ROOM}/sessions"),
            r#"{"case_number": "1", "agency_id": "zrzy"}"#.to_string(),
            403,
            "acts for agency scjg",
        ),
        (
            format!("/api/rooms/{ROOM}/sessions"),
            format!(r#"{{"case_number": "{}"}}"#, "x".repeat(100_000)),
            413,
            "",
        ),
        (
            "/api/sessions/999/stop".to_string(),
            String::new(),
            404,
            "session 999",
        ),
    ];
    for (path, body, status, says) in cases {
        let response = http
            .post(controller.url(&path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{path}");
        if !says.is_empty() {
            let err: ApiError = response.json().await.expect("JSON error body");
            assert!(err.error.contains(says), "{path}: {}", err.error);
        }
    }
    let bad_query = http
        .get(controller.url("/api/staff?agency=a&agency=b"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_query.status(), 400, "a repeated query key");
    let err: ApiError = bad_query.json().await.expect("JSON error body");
    assert!(err.error.contains("query string"), "{}", err.error);

    // The description of the API is public, and names the calls and the error shape.
    let doc: serde_json::Value = reqwest::get(controller.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/rooms/{room}/sessions"]["post"].is_object());
    assert!(doc["components"]["schemas"]["ApiError"].is_object());
}

#[test]
fn a_malformed_site_file_is_refused_with_its_line_and_nothing_starts() {
    let site = TestSite::new(2).expect("site");
    let text = std::fs::read_to_string(&site.site_file)
        .unwrap()
        .replace("profile = \"test-tone\"", "profile = \"studio-mic\"");
    std::fs::write(&site.site_file, text).unwrap();
    for command in ["check", "serve"] {
        let out = std::process::Command::new(workspace_binary("room-controller"))
            .args([command, "--site"])
            .arg(&site.site_file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("site.toml, line 29: no microphone profile \"studio-mic\""),
            "{command}: {stderr}"
        );
    }
    assert!(
        !Path::new(&site.records_file()).exists(),
        "no records file is created for a bad site"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_that_would_not_fit_on_the_disk_is_refused_before_it_starts() {
    let site = TestSite::new(2).expect("site");
    // More minutes of recording than any disk here can hold.
    site.set_site_settings("min_free_minutes = 4000000000")
        .unwrap();
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let response = http
        .post(controller.url(&format!("/api/rooms/{ROOM}/sessions")))
        .json(&start_request())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 507);
    let err: ApiError = response.json().await.unwrap();
    assert!(
        err.error.contains("media disk") && err.error.contains("min_free_minutes"),
        "{}",
        err.error
    );
    let room: RoomView = controller.room(&http).await;
    assert_eq!(room.session, None, "nothing holds the room");
    assert!(site.light.bytes().is_empty(), "the light was not touched");
    let media_entries = std::fs::read_dir(site.media_root())
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(media_entries, 0, "no media folder was made");
}

/// The media worker records the room the controller has, sent over its standard input: a site
/// file edited while the controller runs (here the room renamed away and its camera changed)
/// does not change what a new session records, and the case number is not on any command line.
#[tokio::test(flavor = "multi_thread")]
async fn the_worker_records_the_room_the_controller_has_not_an_edited_site_file() {
    let site = TestSite::new(1).expect("site");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let controller = site.start_controller().expect("controller");
    let text = std::fs::read_to_string(&site.site_file).expect("site file");
    std::fs::write(
        &site.site_file,
        text.replace(&format!("id = \"{ROOM}\""), "id = \"renamed-room\"")
            .replace(
                "profile = \"test-pattern\"",
                "profile = \"no-such-profile\"",
            ),
    )
    .expect("edit the site file");

    let session = start(&http, &controller.base).await;
    let commands: Vec<String> = controller
        .child_processes()
        .into_iter()
        .map(|(_, cmdline)| cmdline)
        .collect();
    assert!(!commands.is_empty(), "a media worker runs");
    for command in &commands {
        assert!(
            !command.contains("市监罚"),
            "no case number in `ps`: {command}"
        );
        assert!(!command.contains("--site"), "{command}");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);
    assert!(!done.segments.is_empty());
    assert_eq!(done.recorded_with["cameras"][0]["profile"], "test-pattern");
}
