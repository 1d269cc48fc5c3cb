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
//! another at once (and again with each picture until it comes): splitmuxsink writes a GOP
//! only when it sees the next key frame (it must know where a segment may end), so a
//! one-frame first GOP puts the first frame on the disk within a frame or two of the start.
//!
//! A stream recorded as it comes (an IP camera's H.264: no encoder here to obey at once) keeps
//! its pictures since the last key frame while the gate is closed, and the opening lets that
//! GOP through first: the recording starts with the camera's last key frame (up to a GOP
//! before the start, never less than asked for), and a camera that honours the key frame
//! request puts it on the disk at once instead of a GOP later.
//!
//! Sound keeps its last 0.3 s the same way: the first sound to pass an opening could begin
//! just after a one-frame first GOP ends, and the muxer would hold those pictures until the
//! next planned key frame.

use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

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
    /// What the stream keeps while the gate is closed, to let through first at the opening:
    /// the pictures since the last key frame (video as sent), or the last moments of sound.
    kept: Option<Kept>,
}

/// Where a video stream is in its start: waiting for its first key frame; then the number of
/// times the second one was asked for; then started (its first GOP is complete).
const WAITING: u32 = 0;
const STARTED: u32 = u32::MAX;
/// How many pictures the second key frame is asked for at most (half a second at 25/s).
const ASKS_MOST: u32 = 12;

/// How many buffers of sound are kept while the gate is closed: Opus's are 20 ms, so 0.3 s.
const SOUND_KEPT: usize = 15;

/// At most this many pictures are kept of a GOP (a 4 s GOP at 60 frames a second); a longer
/// one is not kept, and its recording starts at the next key frame.
const GOP_MOST: usize = 240;

type Kept = Arc<Mutex<Vec<gst::Buffer>>>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Gates {
    /// Puts a gate on `pad` (the src pad that feeds stream `stream` of `track`'s writer);
    /// `keeps_gop` for video that is not encoded here. A gate added once the recording is
    /// open (a reconnected camera) is open from the start.
    pub(crate) fn install(
        &self,
        pad: &gst::Pad,
        track: &str,
        stream: &str,
        video: bool,
        keeps_gop: bool,
    ) {
        let open = self.open.clone();
        let stage = AtomicU32::new(if video { WAITING } else { STARTED });
        let replaying = AtomicBool::new(false);
        let asked_for_the_first = AtomicU32::new(0);
        // Video as sent keeps its GOP; sound keeps its last moments, so that it starts with the
        // pictures (a one-frame first GOP ends before the first sound that passes at the
        // opening, and the muxer would hold the pictures until the next GOP); encoded video
        // keeps nothing (its encoder makes a key frame at once).
        let kept: Option<Kept> = (!video || keeps_gop).then(Kept::default);
        let keeping = kept.clone();
        let replayed = AtomicBool::new(false);
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else {
                return gst::PadProbeReturn::Ok;
            };
            let key_frame = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
            if !open.load(Ordering::Acquire) {
                if let Some(kept) = &keeping {
                    let mut kept = lock(kept);
                    if !video {
                        if kept.len() >= SOUND_KEPT {
                            kept.remove(0);
                        }
                        kept.push(buffer.clone());
                        return gst::PadProbeReturn::Drop;
                    }
                    if key_frame {
                        kept.clear();
                    }
                    if (key_frame || !kept.is_empty()) && kept.len() < GOP_MOST {
                        kept.push(buffer.clone());
                    } else {
                        kept.clear();
                    }
                }
                return gst::PadProbeReturn::Drop;
            }
            if replaying.load(Ordering::Relaxed) {
                return gst::PadProbeReturn::Ok;
            }
            if !video && !replayed.swap(true, Ordering::Relaxed) {
                // The sound kept so far goes first, then this.
                replay(pad, keeping.as_ref(), &replaying);
                return gst::PadProbeReturn::Ok;
            }
            match stage.load(Ordering::Relaxed) {
                STARTED => return gst::PadProbeReturn::Ok,
                WAITING => {}
                _ if key_frame => {
                    stage.store(STARTED, Ordering::Relaxed);
                    return gst::PadProbeReturn::Ok;
                }
                asked => {
                    // An encoder may pass over a request that comes as it makes a planned key
                    // frame: asked again at each picture until the second key frame comes.
                    stage.store(
                        if asked >= ASKS_MOST {
                            STARTED
                        } else {
                            asked + 1
                        },
                        Ordering::Relaxed,
                    );
                    ask_for_a_key_frame(pad);
                    return gst::PadProbeReturn::Ok;
                }
            }
            if replay(pad, keeping.as_ref(), &replaying) {
                // The GOP kept so far went first, then this picture.
                stage.store(1, Ordering::Relaxed);
                ask_for_a_key_frame(pad);
                return gst::PadProbeReturn::Ok;
            }
            if !key_frame {
                // The request at the opening may have been passed over too (it came just
                // after a planned key frame): asked again, a few times, while deltas come.
                if asked_for_the_first.fetch_add(1, Ordering::Relaxed) < ASKS_MOST {
                    ask_for_a_key_frame(pad);
                }
                return gst::PadProbeReturn::Drop;
            }
            stage.store(1, Ordering::Relaxed);
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
                    kept,
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
        let Ok(pads) = self.pads.lock() else {
            return;
        };
        // What was kept goes into the files too: the zero comes before its first buffer.
        let origin = pads
            .values()
            .filter_map(|gated| {
                let first = lock(gated.kept.as_ref()?).first()?.pts()?;
                let segment = gated.pad.sticky_event::<gst::event::Segment>(0)?;
                let segment = segment.segment().downcast_ref::<gst::ClockTime>()?;
                segment.to_running_time(first)
            })
            .fold(now.saturating_sub(BEFORE_THE_START), |origin, kept| {
                origin.min(kept.saturating_sub(BEFORE_THE_START))
            });
        self.origin_ns.store(origin.nseconds(), Ordering::Release);
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

/// Pushes what `kept` holds through `pad` (from inside its own probe, which lets it pass while
/// `replaying`); true when there was something.
fn replay(pad: &gst::Pad, kept: Option<&Kept>, replaying: &AtomicBool) -> bool {
    let earlier = kept
        .map(|k| std::mem::take(&mut *lock(k)))
        .unwrap_or_default();
    if earlier.is_empty() {
        return false;
    }
    replaying.store(true, Ordering::Relaxed);
    for buffer in earlier {
        if pad.push(buffer).is_err() {
            break;
        }
    }
    replaying.store(false, Ordering::Relaxed);
    true
}

/// Asks upstream of `pad` (a gated src pad) for a key frame with its headers, at once: the
/// encoder obeys; an IP camera is asked through RTCP, and one that does not listen keeps its
/// own GOP.
fn ask_for_a_key_frame(pad: &gst::Pad) {
    let request = gst::event::CustomUpstream::new(
        gst::Structure::builder("GstForceKeyUnit")
            .field("all-headers", true)
            .build(),
    );
    match asking_pad(pad) {
        Some(sink) => {
            let _ = sink.push_event(request);
        }
        None => {
            let _ = pad.send_event(request);
        }
    }
}

/// Where a key frame request for the stream leaving `pad` is sent from: a sink pad above the
/// gate's offset (through the offset pad, the request's "at once" would turn into "at the
/// files' zero", a time the encoder has passed, and it would wait for its next planned key
/// frame), and above `h264parse` when there is one: it keeps one request at a time and drops
/// the others while it waits, and splitmuxsink's own request for its next segment (a time
/// seconds ahead) can be the one it keeps.
fn asking_pad(pad: &gst::Pad) -> Option<gst::Pad> {
    let below = pad.parent_element()?.static_pad("sink")?;
    let parser = below
        .peer()
        .and_then(|p| p.parent_element())
        .filter(|e| e.factory().is_some_and(|f| f.name() == "h264parse"));
    match parser {
        Some(parser) => parser.static_pad("sink").or(Some(below)),
        None => Some(below),
    }
}
