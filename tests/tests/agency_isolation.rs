//! Several agencies share a room, never each other's records: a clerk of one agency cannot see
//! or stop another agency's session, kiosks see rooms but no session records, calls without a
//! valid token are refused, and every attempt is in the access log, which no one can edit.

use liuhen_tests::{ROOM, TestSite, authorised_client};
use records::Store;
use site_api::ApiError;

#[tokio::test(flavor = "multi_thread")]
async fn one_agency_cannot_see_or_stop_another_agencys_session_and_every_try_is_logged() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let clerk_a = site.client("王芳 市监", "clerk", Some("scjg")).unwrap();
    let clerk_b = site.client("李强 自然资源", "clerk", Some("zrzy")).unwrap();
    let kiosk = site.client("door interview-1", "kiosk", None).unwrap();

    let session = controller
        .start_session(&clerk_a, "市监罚〔2026〕3号")
        .await;
    assert_eq!(
        session.agency_id, "scjg",
        "the clerk's token decides the agency"
    );
    let path = format!("/api/sessions/{}", session.id);

    // The other agency's clerk gets what a missing session gets: nothing leaks.
    let view = clerk_b.get(controller.url(&path)).send().await.unwrap();
    assert_eq!(
        view.status(),
        404,
        "another agency's clerk reads the session"
    );
    let err: ApiError = view.json().await.unwrap();
    assert_eq!(err.error, format!("session {} not found", session.id));
    let stop = clerk_b
        .post(controller.url(&format!("{path}/stop")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stop.status(),
        404,
        "another agency's clerk stops the session"
    );
    // A kiosk never reaches a session at all, whichever it names (and writes nothing).
    for (what, request) in [
        ("reads", kiosk.get(controller.url(&path))),
        ("stops", kiosk.post(controller.url(&format!("{path}/stop")))),
        (
            "reads a missing",
            kiosk.get(controller.url("/api/sessions/9999")),
        ),
    ] {
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 403, "a kiosk {what} session");
    }
    let kiosk_start = kiosk
        .post(controller.url(&format!("/api/rooms/{ROOM}/sessions")))
        .json(&serde_json::json!({"case_number": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(kiosk_start.status(), 403, "a kiosk cannot record");

    // Kiosks see the room's public state: agency and case number, no records.
    let room = controller.room(&kiosk).await;
    assert_eq!(
        room.session.map(|s| s.case_number),
        Some("市监罚〔2026〕3号".to_string())
    );

    // Without a token, or with a made-up or revoked one, nothing is answered.
    let anonymous = reqwest::Client::new()
        .get(controller.url(&format!("/api/rooms/{ROOM}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let guessed = authorised_client("lh_0000")
        .unwrap()
        .get(controller.url(&path))
        .send()
        .await
        .unwrap();
    assert_eq!(guessed.status(), 401);

    // The owner still sees and stops it.
    let own = clerk_a.get(controller.url(&path)).send().await.unwrap();
    assert_eq!(own.status(), 200);
    let stopped = clerk_a
        .post(controller.url(&format!("{path}/stop")))
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);

    // The access log holds every try, the refused ones with their reason.
    let store = Store::open(&site.records_file()).unwrap();
    let log = store.access_log().unwrap();
    let target = format!("session {}", session.id);
    let refused: Vec<_> = log
        .iter()
        .filter(|e| !e.allowed && e.target == target)
        .map(|e| (e.who.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        refused,
        [("李强 自然资源", "view"), ("李强 自然资源", "stop")]
    );
    assert!(
        log.iter()
            .filter(|e| !e.allowed)
            .all(|e| e.reason.contains("another agency"))
    );
    let allowed: Vec<_> = log
        .iter()
        .filter(|e| e.allowed && e.target == target)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(allowed, ["start", "view", "stop"]);
}
