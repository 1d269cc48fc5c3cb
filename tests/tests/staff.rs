//! Enforcement staff: added with the CLI (name, credential number, categories, photo), shown to
//! public screens through the API, and acting in their own name: a session started with a staff
//! member's token records who started it, and retiring them revokes their token.

use liuhen_tests::{ROOM, TestSite, authorised_client};
use site_api::{SessionState, StaffView};

#[tokio::test(flavor = "multi_thread")]
async fn staff_are_shown_to_screens_and_sessions_record_who_started_them() {
    let site = TestSite::new(1).expect("site");
    let photo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/screens/door-panel-recording.png");
    let add = |id: &str, more: &[&str]| {
        let mut args = vec![
            "add",
            "--id",
            id,
            "--agency",
            "scjg",
            "--name",
            "王芳",
            "--credential",
            "32010019001",
            "--role",
            "clerk",
        ];
        args.extend_from_slice(more);
        site.cli("staff", &args)
    };
    let added = add(
        "wang-fang",
        &["--category", "市场监管", "--photo", photo.to_str().unwrap()],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let twice = add("wang-fang-2", &[]);
    assert!(
        !twice.status.success(),
        "a credential number is one person's"
    );
    assert!(String::from_utf8_lossy(&twice.stderr).contains("32010019001"));

    let issued = site.cli(
        "token",
        &["issue", "--name", "王芳 平板", "--staff", "wang-fang"],
    );
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let clerk_token = String::from_utf8(issued.stdout).unwrap().trim().to_string();
    let clerk = authorised_client(&clerk_token).unwrap();
    let kiosk = site.client("hall board", "kiosk", None).unwrap();
    let controller = site.start_controller().expect("controller");

    let staff: Vec<StaffView> = controller
        .api(&kiosk)
        .staff(Some("scjg"))
        .await
        .expect("the controller answers");
    assert_eq!(staff.len(), 1);
    assert_eq!(
        (staff[0].name.as_str(), staff[0].credential_number.as_str()),
        ("王芳", "32010019001")
    );
    assert_eq!(staff[0].categories, ["市场监管"]);
    assert!(staff[0].has_photo);
    let other: Vec<StaffView> = controller
        .api(&kiosk)
        .staff(Some("zrzy"))
        .await
        .expect("the controller answers");
    assert!(other.is_empty());
    let shown = kiosk
        .get(controller.url("/api/staff/wang-fang/photo"))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.headers()["content-type"], "image/png");
    assert_eq!(
        shown.bytes().await.unwrap().as_ref(),
        std::fs::read(&photo).unwrap()
    );

    let session = controller.start_session(&clerk, "市监罚〔2026〕88号").await;
    assert_eq!(session.agency_id, "scjg", "the staff member's agency");
    assert_eq!(session.started_by, "王芳（执法证 32010019001）");
    let stopped = controller.stop_session(&clerk, session.id).await;
    assert_eq!(stopped.state, SessionState::Finished);

    let retired = site.cli("staff", &["retire", "--id", "wang-fang"]);
    assert!(retired.status.success());
    let refused = clerk
        .get(controller.url(&format!("/api/rooms/{ROOM}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        401,
        "a retired member's token no longer works"
    );
    let staff: Vec<StaffView> = controller
        .api(&kiosk)
        .staff(None)
        .await
        .expect("the controller answers");
    assert!(staff.is_empty(), "gone from the screens");
}
