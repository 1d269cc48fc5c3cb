//! The door panel, drawn by the real kiosk binary from the real controller's API: people outside
//! the room see whether it is recording, and the panel keeps its last state when offline.

use liuhen_tests::{ROOM, TestSite, read_png, workspace_binary};
use std::path::Path;
use std::process::Command;

/// Draws the door panel once into `png`.
fn draw_door(api: &str, token: &str, png: &Path, state_file: &Path) {
    let out = Command::new(workspace_binary("kiosk-app"))
        .args(["--api", api, "--token", token, "--once", "--png"])
        .arg(png)
        .arg("--state-file")
        .arg(state_file)
        .args(["door", "--room", ROOM])
        .output()
        .expect("kiosk-app runs");
    assert!(
        out.status.success(),
        "kiosk-app failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Share of pixels within a small distance of `rgb`.
fn share_of(pixels: &[u8], rgb: [u8; 3]) -> f64 {
    let near = pixels
        .chunks_exact(3)
        .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 8))
        .count();
    near as f64 / (pixels.len() / 3) as f64
}

fn distinct_colours(pixels: &[u8]) -> usize {
    let mut seen: Vec<[u8; 3]> = pixels.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

const RECORDING_RED: [u8; 3] = [0xc6, 0x28, 0x28];
const FREE_GREEN: [u8; 3] = [0x2e, 0x7d, 0x32];
const OFFLINE_AMBER: [u8; 3] = [0xf9, 0xa8, 0x25];

#[tokio::test(flavor = "multi_thread")]
async fn door_panel_shows_free_then_recording_and_keeps_its_state_offline() {
    let site = TestSite::new(2).expect("site");
    let controller = site.start_controller().expect("controller");
    let out = site.dir.path();
    let state_file = out.join("door-state.json");
    let kiosk = site
        .issue_token("door interview-1", "kiosk", None)
        .expect("kiosk token");

    draw_door(&controller.base, &kiosk, &out.join("free.png"), &state_file);
    let http = site
        .client("王芳", "clerk", Some("scjg"))
        .expect("clerk token");
    let response = http
        .post(controller.url(&format!("/api/rooms/{ROOM}/sessions")))
        .json(&serde_json::json!({"case_number": "市监罚〔2026〕12号", "agency_id": "scjg"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    draw_door(
        &controller.base,
        &kiosk,
        &out.join("recording.png"),
        &state_file,
    );

    let (w, h, free) = read_png(&out.join("free.png")).unwrap();
    assert_eq!((w, h), (800, 480));
    let (_, _, recording) = read_png(&out.join("recording.png")).unwrap();
    // Text was drawn (anti-aliased glyphs give many colours), not a blank or flat image.
    assert!(distinct_colours(&free) > 50, "free panel looks blank");
    assert!(
        distinct_colours(&recording) > 50,
        "recording panel looks blank"
    );
    assert_ne!(free, recording, "the two states look the same");
    assert!(
        share_of(&free, FREE_GREEN) > 0.15,
        "free panel shows a large green band"
    );
    assert!(
        share_of(&free, RECORDING_RED) < 0.01,
        "free panel shows no red"
    );
    assert!(
        share_of(&recording, RECORDING_RED) > 0.15,
        "recording panel shows a large red band"
    );
    assert!(
        share_of(&recording, OFFLINE_AMBER) < 0.001,
        "online panel has no offline mark"
    );

    // The controller goes away: the panel keeps showing "recording", with an offline mark.
    controller.kill();
    draw_door(
        "http://127.0.0.1:9",
        &kiosk,
        &out.join("offline.png"),
        &state_file,
    );
    let (_, _, offline) = read_png(&out.join("offline.png")).unwrap();
    assert!(
        share_of(&offline, RECORDING_RED) > 0.10,
        "last state (recording) is kept offline"
    );
    assert!(
        share_of(&offline, OFFLINE_AMBER) > 0.01,
        "offline mark shown"
    );

    if let Ok(dir) = std::env::var("LIUHEN_SCREENSHOTS") {
        for name in ["free.png", "recording.png", "offline.png"] {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::copy(
                out.join(name),
                Path::new(&dir).join(format!("door-panel-{name}")),
            )
            .unwrap();
        }
    }
}
