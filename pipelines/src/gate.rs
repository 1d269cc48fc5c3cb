//! The gates in front of a room's writers (as Galicaster's valves): a room's pipeline runs
//! while the room is idle (its preview: devices open, levels measured, encoders warm) and
//! writes nothing until the recording opens the gates.
//!
//! ```text
//! … ─ x264enc ─ h264parse ─ queue ─▷gate─ splitmuxsink
//! ```
//!
//! A gate drops buffers while closed and lets events through, so the writer already knows the
//! formats when the first buffer comes. Opening it shifts every gated stream's running time
//! by the moment of opening (a pad offset), so the files count from zero as if the pipeline had
//! just started, and asks the encoder (or an IP camera, through RTCP) for a key frame at once;
//! a video stream passes from its first key frame on. That first key frame passing asks for
//! another at once: splitmuxsink writes a GOP only when it sees the next key frame (it must
//! know where a segment may end), so a one-frame first GOP puts the first frame on the disk
//! within a frame or two of the start.

use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// How much earlier than the gates' opening the files' zero lies; more than any capture to
/// gate delay (a GOP the encoder holds, a queue's backlog).
const BEFORE_THE_START: gst::ClockTime = gst::ClockTime::from_seconds(1);

/// Every gate of one recorder: all open together, at one moment.
#[derive(Default)]
pub(crate) struct Gates {
    open: Arc<AtomicBool>,
    origin_ns: AtomicU64,
    /// The pad in front of each writer's input, by (track, stream): a rebuilt network camera's
    /// pipeline replaces its own.
    pads: Mutex<HashMap<(String, String), GatedPad>>,
}

struct GatedPad {
    pad: gst::Pad,
    video: bool,
}

impl Gates {
    /// Puts a gate on `pad` (the src pad that feeds stream `stream` of `track`'s writer). A
    /// gate added once the recording is open (a reconnected camera) is open from the start.
    pub(crate) fn install(&self, pad: &gst::Pad, track: &str, stream: &str, video: bool) {
        let open = self.open.clone();
        let key_frame_seen = AtomicBool::new(!video);
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            if !open.load(Ordering::Acquire) {
                return gst::PadProbeReturn::Drop;
            }
            if key_frame_seen.load(Ordering::Relaxed) {
                return gst::PadProbeReturn::Ok;
            }
            if let Some(gst::PadProbeData::Buffer(buffer)) = &info.data
                && buffer.flags().contains(gst::BufferFlags::DELTA_UNIT)
            {
                return gst::PadProbeReturn::Drop;
            }
            key_frame_seen.store(true, Ordering::Relaxed);
            ask_for_a_key_frame(pad);
            gst::PadProbeReturn::Ok
        });
        if self.open.load(Ordering::Acquire) {
            pad.set_offset(-self.offset());
        }
        if let Ok(mut pads) = self.pads.lock() {
            pads.insert(
                (track.to_string(), stream.to_string()),
                GatedPad {
                    pad: pad.clone(),
                    video,
                },
            );
        }
    }

    /// Opens every gate at `now` (the pipelines' running time). The files' zero is a little
    /// earlier: the first frames to pass were captured before the gate opened (the encoder
    /// and the queues hold some), and a frame before the zero would have a negative time,
    /// which the muxer drops: a first key frame lost that way leaves a file that starts with
    /// frames no player can show.
    pub(crate) fn open(&self, now: gst::ClockTime) {
        let origin = now.saturating_sub(BEFORE_THE_START);
        self.origin_ns.store(origin.nseconds(), Ordering::Release);
        let Ok(pads) = self.pads.lock() else {
            return;
        };
        for gated in pads.values() {
            gated.pad.set_offset(-self.offset());
        }
        self.open.store(true, Ordering::Release);
        for gated in pads.values().filter(|g| g.video) {
            ask_for_a_key_frame(&gated.pad);
        }
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    fn offset(&self) -> i64 {
        i64::try_from(self.origin_ns.load(Ordering::Acquire)).unwrap_or(i64::MAX)
    }
}

/// Asks upstream of `pad` (a src pad) for a key frame with its headers: the encoder obeys at
/// once; an IP camera is asked through RTCP, and one that does not listen keeps its own GOP.
fn ask_for_a_key_frame(pad: &gst::Pad) {
    let request = gst::event::CustomUpstream::new(
        gst::Structure::builder("GstForceKeyUnit")
            .field("all-headers", true)
            .build(),
    );
    // An upstream event sent to a src pad goes to its element, which passes it up.
    let _ = pad.send_event(request);
}
