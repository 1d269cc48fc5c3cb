//! The composite ("synchronised") view: a track of its own with the main camera full-frame, a
//! second camera as a small picture, the room, agency and case number and the time written over
//! it, and the microphones mixed in. The overlay is checked on decoded pictures: the composite
//! differs from the plain camera where the text is, and matches it elsewhere.

use liuhen_tests::{
    TWO_CAMERAS_ONE_MICROPHONE_AND_A_COMPOSITE, TestSite, assert_verifies, keep_screenshot,
    read_png,
};
use site_api::SessionState;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The first picture of a segment file, decoded by GStreamer into a PNG.
fn first_picture(segment: &Path, png: &Path) -> (u32, u32, Vec<u8>) {
    let status = Command::new("gst-launch-1.0")
        .arg("-q")
        .args(["filesrc", &format!("location={}", segment.display())])
        .args(["!", "matroskademux", "!", "h264parse", "!", "avdec_h264"])
        .args(["!", "videoconvert", "!", "video/x-raw,format=RGB"])
        .args(["!", "pngenc", "snapshot=true", "!", "filesink"])
        .arg(format!("location={}", png.display()))
        .status()
        .expect("gst-launch-1.0 runs");
    assert!(status.success(), "decoding {}", segment.display());
    read_png(png).expect("a PNG")
}

/// Share of pixels in the rectangle that differ clearly between two same-sized RGB pictures.
fn differing(
    a: &[u8],
    b: &[u8],
    width: u32,
    rows: std::ops::Range<u32>,
    cols: std::ops::Range<u32>,
) -> f64 {
    let mut differ = 0;
    let mut all = 0;
    for y in rows {
        for x in cols.clone() {
            let i = ((y * width + x) * 3) as usize;
            let clear = (0..3).any(|c| a[i + c].abs_diff(b[i + c]) > 60);
            differ += usize::from(clear);
            all += 1;
        }
    }
    differ as f64 / all.max(1) as f64
}

#[tokio::test(flavor = "multi_thread")]
async fn the_composite_view_carries_the_overlay_and_the_mixed_sound() {
    let site =
        TestSite::with_devices(2, TWO_CAMERAS_ONE_MICROPHONE_AND_A_COMPOSITE, &[]).expect("site");
    let controller = site.start_controller().expect("controller");
    let http = site.client("王芳", "clerk", Some("scjg")).unwrap();
    let session = controller.start_session(&http, "市监罚〔2026〕77号").await;
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let done = controller.stop_session(&http, session.id).await;
    assert_eq!(done.state, SessionState::Finished);

    let dir = site.media_root().join(&done.media_dir);
    let composite: Vec<_> = done
        .segments
        .iter()
        .filter(|s| s.track == "composite")
        .collect();
    assert!(composite.len() >= 2, "{:?}", done.segments);
    for seg in &composite {
        let info = pipelines::probe(&dir.join(&seg.file)).expect("parses");
        assert_eq!(info.video.len(), 1, "{}", seg.file);
        assert_eq!((info.video[0].width, info.video[0].height), (640, 360));
        assert_eq!(info.audio.len(), 1, "{}: the microphones, mixed", seg.file);
    }
    let span = |track: &str| -> i64 {
        done.segments
            .iter()
            .filter(|s| s.track == track)
            .map(|s| s.duration_ns)
            .sum()
    };
    assert!(
        (span("composite") - span("cam1")).abs() < 1_000_000_000,
        "the composite covers the session as cam1 does"
    );

    // The `seq`-th segment of a track. The composite's very first pictures may be its black
    // background while a busy machine still starts the cameras, so its second segment is
    // compared; the test pattern does not move, so any of cam1's pictures will do.
    let segment = |track: &str, seq: usize| {
        let mut files: Vec<_> = done.segments.iter().filter(|s| s.track == track).collect();
        files.sort_by_key(|s| s.seq);
        dir.join(&files[seq].file)
    };
    let out = site.dir.path();
    let (w, h, mixed) = first_picture(&segment("composite", 1), &out.join("composite.png"));
    let (cw, ch, plain) = first_picture(&segment("cam1", 0), &out.join("cam1.png"));
    assert_eq!((w, h), (cw, ch), "the main picture is cam1 at its own size");
    // The caption (top left) and the clock (bottom left) are drawn over the picture…
    let caption = differing(&mixed, &plain, w, 0..h / 10, 0..w / 2);
    let clock = differing(&mixed, &plain, w, h - h / 10..h, 0..w / 3);
    assert!(caption > 0.05, "caption area differs by {caption:.3}");
    assert!(clock > 0.05, "clock area differs by {clock:.3}");
    // … and the rest of the main picture is cam1's.
    let middle = differing(&mixed, &plain, w, h / 4..h / 2, w / 8..w / 2);
    assert!(middle < 0.05, "the middle differs by {middle:.3}");
    keep_screenshot(&out.join("composite.png"), "composite-view.png");
    assert_verifies(&dir, "a session with a composite view");
}
