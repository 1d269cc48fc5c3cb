//! The justice bureau's supervisor (司法局 执法监督): one site-wide token that reads every
//! agency's due list, hall ledger and access log, and changes nothing — every route that writes
//! refuses it, and its attempts at a recording are refused and logged like anyone's.

use liuhen_tests::{ROOM, TestSite};
use reqwest::StatusCode;
use site_api::{AccessEntry, AgencyDue, TicketRecord};

const HALL: &str = "[hall]\n\n[[hall.services]]\nid = \"licence\"\nagency = \"scjg\"\nname = \"营业执照\"\nprefix = \"A\"\nhours = \"00:00-24:00\"\n\n[[hall.services]]\nid = \"land\"\nagency = \"zrzy\"\nname = \"不动产登记\"\nprefix = \"C\"\nhours = \"00:00-24:00\"\n\n[[hall.windows]]\nid = \"w1\"\nnumber = 1\nname = \"综合窗口\"\nservices = [\"licence\", \"land\"]\n";

#[tokio::test(flavor = "multi_thread")]
async fn the_supervisor_reads_every_agencys_lists_and_changes_nothing() {
    let site = TestSite::new(2).expect("site");
    site.add_hall(HALL).expect("hall");
    let controller = site.start_controller().expect("controller");
    let supervisor = site
        .client("司法局 执法监督科", "supervisor", None)
        .expect("a supervisor's token");
    let clerk_a = site.client("王芳 市监", "clerk", Some("scjg")).unwrap();
    let clerk_b = site.client("李强 自然资源", "clerk", Some("zrzy")).unwrap();
    let kiosk = site.client("hall kiosk", "kiosk", None).unwrap();
    let get = |who: &reqwest::Client, path: &str| {
        let request = who.get(controller.url(path));
        async move {
            let response = request.send().await.expect("an answer");
            let status = response.status();
            (status, response.text().await.unwrap_or_default())
        }
    };

    // A supervisor's token is site-wide: it names no agency.
    let refused = std::process::Command::new(liuhen_tests::workspace_binary("room-controller"))
        .args(["token", "--site"])
        .arg(&site.site_file)
        .args([
            "issue",
            "--name",
            "x",
            "--role",
            "supervisor",
            "--agency",
            "scjg",
        ])
        .output()
        .expect("the CLI");
    assert!(
        !refused.status.success(),
        "a supervisor's token for one agency"
    );

    // Something to read in both agencies: tickets, a recording and its accesses.
    for service in ["licence", "land", "licence"] {
        let taken = kiosk
            .post(controller.url("/api/hall/tickets"))
            .json(&serde_json::json!({ "service_id": service }))
            .send()
            .await
            .unwrap();
        assert_eq!(taken.status(), StatusCode::CREATED);
    }
    let session = controller
        .start_session(&clerk_a, "市监罚〔2026〕9号")
        .await;
    let session = controller.stop_session(&clerk_a, session.id).await;
    let session_path = format!("/api/sessions/{}", session.id);
    let (status, _) = get(&clerk_a, &session_path).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get(&clerk_b, &session_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Every agency's due list, by name; a clerk only their own.
    for agency in ["scjg", "zrzy"] {
        let (status, text) = get(&supervisor, &format!("/api/agency/due?agency={agency}")).await;
        assert_eq!(status, StatusCode::OK, "{agency}: {text}");
        let _: AgencyDue = serde_json::from_str(&text).expect("a due list");
    }
    let (status, text) = get(&supervisor, "/api/agency/due").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("?agency="), "{text}");
    let (status, text) = get(&supervisor, "/api/agency/due?agency=gaj").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
    let (status, _) = get(&clerk_a, "/api/agency/due?agency=zrzy").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a clerk reads another agency's list"
    );
    let (status, _) = get(&clerk_a, "/api/agency/due?agency=scjg").await;
    assert_eq!(status, StatusCode::OK);

    // The hall's ledger and the access log of every agency.
    let (status, text) = get(&supervisor, "/api/hall/history").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let tickets: Vec<TicketRecord> = serde_json::from_str(&text).expect("tickets");
    assert_eq!(tickets.len(), 3, "both agencies' tickets");
    let (status, _) = get(&supervisor, "/api/hall/stats").await;
    assert_eq!(status, StatusCode::OK);
    let (status, text) = get(&supervisor, "/api/access-log").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let log: Vec<AccessEntry> = serde_json::from_str(&text).expect("the log");
    for agency in ["scjg", "zrzy"] {
        assert!(
            log.iter().any(|e| e.agency_id.as_deref() == Some(agency)),
            "{agency}'s callers in the supervisor's log: {log:?}"
        );
    }

    // The supervisor views a recording only with a stated purpose, exports none, and every
    // attempt is in the owning agency's access log.
    let (status, text) = get(&supervisor, &session_path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("purpose"), "{text}");
    let (status, text) = get(
        &supervisor,
        &format!("{session_path}?purpose=执法监督：抽查听证程序"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _) = get(
        &supervisor,
        &format!("{session_path}/export?purpose=执法监督"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the supervisor exported a session"
    );
    let (_, text) = get(
        &clerk_a,
        &format!("/api/access-log?after={}", log.last().map_or(0, |e| e.id)),
    )
    .await;
    let later: Vec<AccessEntry> = serde_json::from_str(&text).expect("the log");
    let supervised: Vec<(bool, &str)> = later
        .iter()
        .filter(|e| e.who == "司法局 执法监督科")
        .map(|e| (e.allowed, e.purpose.as_str()))
        .collect();
    assert_eq!(
        supervised,
        [
            (false, ""),
            (true, "执法监督：抽查听证程序"),
            (false, "执法监督")
        ],
        "the supervisor's reads in agency A's own log: {later:?}"
    );

    // Every route that changes something, as the API describes them, refuses the supervisor.
    let (status, text) = get(&supervisor, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let document: serde_json::Value = serde_json::from_str(&text).expect("the API description");
    let mut writes = 0;
    for (path, operations) in document["paths"].as_object().expect("paths") {
        let path = path
            .replace("{id}", &session.id.to_string())
            .replace("{room}", ROOM)
            .replace("{ticket}", "1")
            .replace("{number}", "市监罚〔2026〕9号")
            .replace(['{', '}'], "");
        for method in operations.as_object().expect("operations").keys() {
            let method = match method.as_str() {
                "post" => reqwest::Method::POST,
                "put" => reqwest::Method::PUT,
                "delete" => reqwest::Method::DELETE,
                "patch" => reqwest::Method::PATCH,
                _ => continue,
            };
            writes += 1;
            let response = supervisor
                .request(method.clone(), controller.url(&path))
                .json(&serde_json::json!({}))
                .send()
                .await
                .expect("an answer");
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {text}");
            assert!(text.contains("changes nothing"), "{method} {path}: {text}");
        }
    }
    assert!(writes >= 15, "only {writes} routes that write");
    // The room was never started by it.
    let room = controller.room(&clerk_a).await;
    assert_eq!(room.id, ROOM);
    assert!(room.session.is_none(), "the supervisor started a session");
}
