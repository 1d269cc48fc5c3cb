//! The site API over HTTPS: the controller serves the certificate the site file names, and
//! the screens and the CLI trust only the site's own CA (`--ca`), so a token never crosses the
//! network in the clear and a machine posing as the controller is refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use liuhen_tests::{ROOM, TestSite, workspace_binary};
use site_api::Client;

/// Makes a CA and a certificate for 127.0.0.1 signed by it in `dir` with the project's own
/// script; returns the CA file.
fn make_site_cert(dir: &Path) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/make-site-cert.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(dir)
        .args(["127.0.0.1", "localhost"])
        .output()
        .expect("the script runs");
    assert!(out.status.success(), "{out:?}");
    dir.join("ca.pem")
}

fn https_site() -> (TestSite, PathBuf) {
    let site = TestSite::new(1).expect("site");
    let ca = make_site_cert(&site.dir.path().join("tls"));
    site.set_site_settings("tls = { cert = \"tls/api.pem\", key = \"tls/api.key\" }")
        .expect("tls");
    (site, ca)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_is_served_over_https_to_clients_that_trust_the_site_ca() {
    let (site, ca) = https_site();
    let token = site
        .issue_token("王芳", "clerk", Some("scjg"))
        .expect("token");
    let controller = site.start_controller().expect("controller");
    assert!(
        controller.base.starts_with("https://127.0.0.1:"),
        "{}",
        controller.base
    );

    let trusting = Client::trusting(&controller.base, &token, Some(&ca)).expect("client");
    let key = trusting.site_key().await.expect("the site key over HTTPS");
    assert_eq!(key.public_key.len(), 64);
    let room = trusting.room(ROOM).await.expect("a room over HTTPS");
    assert!(room.session.is_none());

    // A client with no CA given trusts nothing, so it never sends the token.
    let plain_trust = Client::new(&controller.base, &token);
    let refused = plain_trust
        .site_key()
        .await
        .expect_err("an unknown CA is refused");
    assert!(refused.is_unreachable(), "{refused}");

    // A certificate from another CA (a machine posing as the controller) is refused as well.
    let other = tempfile::tempdir().expect("tempdir");
    let other_ca = make_site_cert(other.path());
    let impostor_trust =
        Client::trusting(&controller.base, &token, Some(&other_ca)).expect("client");
    assert!(
        impostor_trust.site_key().await.is_err(),
        "another CA is not the site's"
    );

    // Plain HTTP on the same port gets no answer: the token is never read in the clear.
    let http = controller.base.replacen("https://", "http://", 1);
    assert!(Client::new(&http, &token).health().await.is_err());

    // A file that holds no certificate is named with the fix.
    let garbage = other.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").expect("write");
    let bad = Client::trusting(&controller.base, &token, Some(&garbage)).expect_err("no CA");
    assert!(bad.to_string().contains("garbage.pem"), "{bad}");
    assert!(bad.to_string().contains("--ca"), "{bad}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_that_never_finishes_its_handshake_holds_up_no_one() {
    use tokio::io::AsyncWriteExt;
    let (site, ca) = https_site();
    let token = site
        .issue_token("王芳", "clerk", Some("scjg"))
        .expect("token");
    let controller = site.start_controller().expect("controller");
    let addr = controller.base.trim_start_matches("https://").to_string();

    // Ten connections that say nothing, and one that sends half a handshake and stops.
    let mut silent = Vec::new();
    for _ in 0..10 {
        silent.push(
            tokio::net::TcpStream::connect(&addr)
                .await
                .expect("connects"),
        );
    }
    let mut half = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .await
        .expect("half a hello");

    let client = Client::trusting(&controller.base, &token, Some(&ca))
        .expect("client")
        .with_timeout(std::time::Duration::from_secs(5));
    client
        .room(ROOM)
        .await
        .expect("answered while others stall");
    drop(silent);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_and_a_screen_reach_an_https_controller_with_the_site_ca() {
    let (site, ca) = https_site();
    let token = site
        .issue_token("王芳", "clerk", Some("scjg"))
        .expect("token");
    let kiosk = site
        .issue_token("door", "kiosk", None)
        .expect("kiosk token");
    let controller = site.start_controller().expect("controller");
    let token_file = site.dir.path().join("clerk.token");
    std::fs::write(&token_file, &token).expect("token file");

    let cli = |args: &[&str]| {
        Command::new(workspace_binary("room-controller"))
            .args(["session", "--api", &controller.base, "--ca"])
            .arg(&ca)
            .arg("--token-file")
            .arg(&token_file)
            .args(args)
            .env_remove("LIUHEN_TOKEN")
            .output()
            .expect("the CLI runs")
    };
    let started = cli(&["start", "--room", ROOM, "--case", "市监罚〔2026〕88号"]);
    assert!(started.status.success(), "{started:?}");
    let api = Client::trusting(&controller.base, &token, Some(&ca)).expect("client");
    let session = api
        .room(ROOM)
        .await
        .expect("room")
        .session
        .expect("recording");
    let stopped = cli(&["stop", &session.id.to_string()]);
    assert!(stopped.status.success(), "{stopped:?}");

    // Without --ca the CLI says it cannot reach the controller, and does not hang.
    let untrusting = Command::new(workspace_binary("room-controller"))
        .args(["session", "--api", &controller.base, "--token-file"])
        .arg(&token_file)
        .args(["show", &session.id.to_string()])
        .env_remove("LIUHEN_CA")
        .output()
        .expect("the CLI runs");
    assert!(!untrusting.status.success());
    let said = String::from_utf8_lossy(&untrusting.stderr);
    assert!(said.contains("cannot reach the controller"), "{said}");

    // The door screen draws the room from the HTTPS controller.
    let png = site.dir.path().join("door.png");
    let kiosk_token = site.dir.path().join("door.token");
    std::fs::write(&kiosk_token, &kiosk).expect("token file");
    let drawn = Command::new(workspace_binary("kiosk-app"))
        .args(["--api", &controller.base, "--once", "--png"])
        .arg(&png)
        .arg("--ca")
        .arg(&ca)
        .arg("--token-file")
        .arg(&kiosk_token)
        .arg("--state-file")
        .arg(site.dir.path().join("door.state"))
        .args(["door", "--room", ROOM])
        .output()
        .expect("kiosk-app runs");
    assert!(drawn.status.success(), "{drawn:?}");
    let state = std::fs::read_to_string(site.dir.path().join("door.state")).expect("state");
    assert!(
        state.contains("第一询问室") || state.contains(ROOM),
        "{state}"
    );
}

#[test]
fn a_certificate_that_does_not_go_with_its_key_stops_the_start_with_the_fix() {
    let (site, _) = https_site();
    let other = tempfile::tempdir().expect("tempdir");
    make_site_cert(other.path());
    std::fs::copy(
        other.path().join("api.key"),
        site.dir.path().join("tls/api.key"),
    )
    .expect("copy");
    let failed = site.start_controller().err().expect("refuses to start");
    let said = failed.to_string();
    assert!(said.contains("does not go with the certificate"), "{said}");

    std::fs::write(site.dir.path().join("tls/api.pem"), "garbage").expect("write");
    let failed = site.start_controller().err().expect("refuses to start");
    let said = failed.to_string();
    assert!(said.contains("tls.cert"), "{said}");
}
