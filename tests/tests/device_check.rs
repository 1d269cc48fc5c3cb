//! `room-controller check --probe` tries every device the way a recording uses it: each camera
//! delivers pictures in its profile's format, each microphone is heard (a silent one fails),
//! the light takes its "off" command, and a camera that is not there is named with the fix.

use liuhen_tests::{LIGHT_OFF, QUICK_SILENCE_PROFILE, TestSite};
use std::time::Duration;

const DEVICES: &str = r#"[[rooms.cameras]]
id = "cam1"
profile = "test-pattern"

[[rooms.cameras]]
id = "door-cam"
profile = "usb-uvc-720p"
device = "/dev/v4l/by-id/usb-not-plugged-in-video-index0"

[[rooms.microphones]]
id = "mic1"
profile = "test-tone"

[[rooms.microphones]]
id = "mic2"
profile = "quick-silence""#;

fn line_of<'a>(out: &'a str, device: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(&format!("interview-1 {device}:")))
        .unwrap_or_else(|| panic!("a line for {device} in:\n{out}"))
}

#[test]
fn probing_finds_the_working_devices_and_names_the_missing_and_the_silent_ones() {
    let site = TestSite::with_devices(1, DEVICES, &[QUICK_SILENCE_PROFILE]).expect("site");
    let out = site.cli("check", &["--probe"]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed device fails the check:\n{text}"
    );

    let cam = line_of(&text, "cam1");
    assert!(cam.trim_start().starts_with("ok"), "{cam}");
    assert!(
        cam.contains("H.264") && cam.contains("640x360 25 fps"),
        "{cam}"
    );
    // What every player and hardware decoder takes: 4:2:0, 8 bits.
    assert!(cam.contains("4:2:0 8-bit"), "{cam}");
    let missing = line_of(&text, "door-cam");
    assert!(missing.trim_start().starts_with("FAILED"), "{missing}");
    assert!(
        missing.contains("usb-not-plugged-in"),
        "names the device: {missing}"
    );
    let tone = line_of(&text, "mic1");
    assert!(
        tone.trim_start().starts_with("ok") && tone.contains("dB"),
        "{tone}"
    );
    let silent = line_of(&text, "mic2");
    assert!(
        silent.trim_start().starts_with("FAILED") && silent.contains("hears nothing"),
        "{silent}"
    );
    let light = line_of(&text, "light");
    assert!(light.trim_start().starts_with("ok"), "{light}");
    assert_eq!(
        site.light.wait_for_len(4, Duration::from_secs(2)),
        LIGHT_OFF,
        "the relay got its off command"
    );
}

#[test]
fn a_room_whose_devices_all_work_passes() {
    let site = TestSite::new(1).expect("site");
    let out = site.cli("check", &["--probe"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
