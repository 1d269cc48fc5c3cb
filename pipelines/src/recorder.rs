//! A room's recording pipeline.
//!
//! ```text
//! cam1 ─ … ─ x264enc ─ h264parse ─ queue ─┐
//! mic1 ─ … ─ level ─ opusenc ─── queue ───┼─ splitmuxsink(matroskamux) ▶ <dir>/cam1-00000.mkv …
//! mic2 ─ … ─ level ─ opusenc ─── queue ───┘
//! cam2 ─ … ─ x264enc ─ h264parse ─ queue ─── splitmuxsink(matroskamux) ▶ <dir>/cam2-00000.mkv …
//! ```
//!
//! Each camera is a *track*: its own series of segment files. The first camera's track also
//! carries every microphone, so that its files play with sound; a room with no camera records
//! its microphones as one audio track. Matroska is written cluster by cluster, so a segment that
//! was open when the process died stays readable up to its last cluster, and every closed
//! segment is complete.

use futures_util::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use hardware_profiles::RoomSpec;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::PipelineError;
use crate::sources::{self, make};

/// One series of segment files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub id: String,
    pub camera: Option<String>,
    pub microphones: Vec<String>,
}

/// What the pipeline says happened, in the recorder's terms. Serialisable, so that a recorder
/// can run in a process of its own and report over a pipe.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RecorderEvent {
    /// A microphone's loudest sample over the last half second, in dBFS (all channels).
    Level { microphone: String, peak_db: f64 },
    /// A segment file was opened and its first data written.
    SegmentOpened {
        track: String,
        seq: i64,
        file: PathBuf,
        start_ns: u64,
    },
    /// A segment file was finished and closed; it is complete on disk.
    SegmentClosed {
        track: String,
        seq: i64,
        file: PathBuf,
        start_ns: u64,
        end_ns: u64,
    },
    /// Every track has written its end: the recording is complete.
    Eos,
    /// An element failed; the recording cannot go on as it is.
    Error { element: String, message: String },
}

pub struct Recorder {
    pipeline: gst::Pipeline,
    tracks: Vec<Track>,
    interpreter: Arc<Interpreter>,
    description: serde_json::Value,
}

/// Reads the pipeline's bus messages as recorder events.
struct Interpreter {
    /// splitmuxsink element name → track id.
    sinks: HashMap<String, String>,
    /// Start time of each track's open segment, from its "opened" message.
    open_starts: Mutex<HashMap<String, u64>>,
}

/// The recorder's events, in the order the pipeline reports them.
pub struct RecorderEvents {
    messages: gst::bus::BusStream,
    interpreter: Arc<Interpreter>,
}

impl RecorderEvents {
    /// The next event; `None` once the pipeline is gone.
    pub async fn next(&mut self) -> Option<RecorderEvent> {
        while let Some(msg) = self.messages.next().await {
            if let Some(event) = self.interpreter.interpret(&msg) {
                return Some(event);
            }
        }
        None
    }
}

const CONTAINER_EXT: &str = "mkv";
/// opusenc's default bitrate for one microphone.
const OPUS_KBPS: u64 = 64;

impl Recorder {
    /// Builds the pipeline for `room`, writing into `dir` (which must exist). Segment numbers
    /// start at `first_seq`, so that a resumed session never overwrites an earlier file.
    #[must_use = "a recorder does nothing until it is started"]
    pub fn build(room: &RoomSpec, dir: &Path, first_seq: i32) -> Result<Self, PipelineError> {
        crate::init()?;
        let pipeline = gst::Pipeline::with_name(&format!("liuhen-{}", room.id));
        let mut tracks = Vec::new();
        let mut sinks = HashMap::new();
        let segment_ns = u64::from(room.segment_seconds) * 1_000_000_000;

        let split_for = |track: &str| -> Result<gst::Element, PipelineError> {
            let name = format!("liuhen-{track}-split");
            let split = make("splitmuxsink", name, "segmented recording")?;
            let muxer = make(
                "matroskamux",
                format!("liuhen-{track}-mux"),
                "Matroska files",
            )?;
            split.set_property("muxer", &muxer);
            // Unbuffered: every write reaches the kernel at once, so a killed process loses
            // nothing that the muxer has written (filesink would otherwise hold up to 64 KiB).
            let file = make("filesink", format!("liuhen-{track}-file"), "writing files")?;
            file.set_property_from_str("buffer-mode", "unbuffered");
            split.set_property("sink", &file);
            split.set_property("max-size-time", segment_ns);
            split.set_property("send-keyframe-requests", true);
            split.set_property("start-index", first_seq);
            let pattern = dir.join(format!("{track}-%05d.{CONTAINER_EXT}"));
            split.set_property("location", pattern.to_string_lossy().as_ref());
            pipeline
                .add(&split)
                .map_err(|err| PipelineError::Build(err.to_string()))?;
            Ok(split)
        };
        let link_to =
            |from: &gst::Element, split: &gst::Element, pad: &str| -> Result<(), PipelineError> {
                let sink_pad = split.request_pad_simple(pad).ok_or_else(|| {
                    PipelineError::Build(format!("splitmuxsink gave no {pad} pad"))
                })?;
                let src_pad = from
                    .static_pad("src")
                    .ok_or_else(|| PipelineError::Build("element without src pad".into()))?;
                src_pad
                    .link(&sink_pad)
                    .map_err(|err| PipelineError::Build(format!("{}: {err:?}", from.name())))?;
                Ok(())
            };

        let mics_track = room
            .cameras
            .first()
            .map(|c| c.id.clone())
            .or_else(|| room.microphones.first().map(|m| m.id.clone()));
        for cam in &room.cameras {
            let split = split_for(&cam.id)?;
            let encoded = sources::camera(&pipeline, cam)?;
            link_to(&encoded, &split, "video")?;
            sinks.insert(split.name().to_string(), cam.id.clone());
            tracks.push(Track {
                id: cam.id.clone(),
                camera: Some(cam.id.clone()),
                microphones: Vec::new(),
            });
        }
        if let Some(track_id) = mics_track.filter(|_| !room.microphones.is_empty()) {
            let split = match pipeline.by_name(&format!("liuhen-{track_id}-split")) {
                Some(split) => split,
                None => {
                    let split = split_for(&track_id)?;
                    sinks.insert(split.name().to_string(), track_id.clone());
                    tracks.push(Track {
                        id: track_id.clone(),
                        camera: None,
                        microphones: Vec::new(),
                    });
                    split
                }
            };
            for mic in &room.microphones {
                let encoded = sources::microphone(&pipeline, mic)?;
                link_to(&encoded, &split, "audio_%u")?;
            }
            if let Some(track) = tracks.iter_mut().find(|t| t.id == track_id) {
                track.microphones = room.microphones.iter().map(|m| m.id.clone()).collect();
            }
        }

        let description = serde_json::json!({
            "container": "matroska",
            "video_codec": "H.264",
            "audio_codec": "Opus",
            "segment_seconds": room.segment_seconds,
            "cameras": room.cameras.iter().map(|c| serde_json::json!({
                "id": c.id, "profile": c.profile_id, "device": c.device,
                "width": c.profile.width, "height": c.profile.height,
                "framerate": c.profile.framerate, "bitrate_kbps": c.profile.bitrate_kbps,
            })).collect::<Vec<_>>(),
            "microphones": room.microphones.iter().map(|m| serde_json::json!({
                "id": m.id, "profile": m.profile_id, "device": m.device,
                "rate": m.profile.rate, "channels": m.profile.channels,
            })).collect::<Vec<_>>(),
            "tracks": tracks.iter().map(|t| serde_json::json!({
                "id": t.id, "camera": t.camera, "microphones": t.microphones,
            })).collect::<Vec<_>>(),
        });
        Ok(Self {
            pipeline,
            tracks,
            interpreter: Arc::new(Interpreter {
                sinks,
                open_starts: Mutex::new(HashMap::new()),
            }),
            description,
        })
    }

    /// Bytes a second this room writes, from its profiles, with a margin for the containers:
    /// the figure a free-space check needs.
    pub fn estimated_bytes_per_second(room: &RoomSpec) -> u64 {
        let video_kbps: u64 = room
            .cameras
            .iter()
            .map(|c| u64::from(c.profile.bitrate_kbps))
            .sum();
        let audio_kbps = OPUS_KBPS * room.microphones.len() as u64;
        (video_kbps + audio_kbps) * 1000 / 8 * 110 / 100
    }

    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// How the recording is made (devices, format), for the case file.
    pub fn description(&self) -> &serde_json::Value {
        &self.description
    }

    /// The stream of this recorder's events. Take it once, before [`Recorder::start`].
    pub fn events(&self) -> Result<RecorderEvents, PipelineError> {
        let bus = self
            .pipeline
            .bus()
            .ok_or_else(|| PipelineError::Build("pipeline without a bus".into()))?;
        Ok(RecorderEvents {
            messages: bus.stream(),
            interpreter: self.interpreter.clone(),
        })
    }

    /// Sets the pipeline playing. "Recording" is only true once a segment opens.
    pub fn start(&self) -> Result<(), PipelineError> {
        self.pipeline
            .set_state(gst::State::Playing)
            .map(|_| ())
            .map_err(|_| {
                PipelineError::Start(
                    "a device refused to start; see the error that follows on the bus".into(),
                )
            })
    }

    /// Asks every source to end; the files are finished when [`RecorderEvent::Eos`] arrives.
    pub fn send_eos(&self) {
        self.pipeline.send_event(gst::event::Eos::new());
    }

    /// Blocks until the pipeline ends (EOS) or fails, up to `timeout`; for callers without an
    /// async runtime, and only when [`Recorder::events`] is not in use. True on a clean end.
    pub fn wait_for_end(&self, timeout: std::time::Duration) -> bool {
        let Some(bus) = self.pipeline.bus() else {
            return false;
        };
        let timeout =
            gst::ClockTime::from_nseconds(u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX));
        matches!(
            bus.timed_pop_filtered(timeout, &[gst::MessageType::Eos, gst::MessageType::Error])
                .map(|msg| msg.type_()),
            Some(gst::MessageType::Eos)
        )
    }

    /// Tears the pipeline down. Call after EOS arrived, or after giving up waiting for it.
    pub fn shutdown(&self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl Interpreter {
    /// Turns a bus message into a recorder event, or `None` for the many messages that do not
    /// change what is being written.
    fn interpret(&self, msg: &gst::Message) -> Option<RecorderEvent> {
        use gst::MessageView;
        match msg.view() {
            MessageView::Element(element) => {
                let s = element.structure()?;
                if s.name() == "level" {
                    return level_event(msg);
                }
                let opened = match s.name().as_str() {
                    "splitmuxsink-fragment-opened" => true,
                    "splitmuxsink-fragment-closed" => false,
                    _ => return None,
                };
                let track = self.sinks.get(msg.src()?.name().as_str())?.clone();
                let file = PathBuf::from(s.get::<String>("location").ok()?);
                let running_time = s.get::<u64>("running-time").ok()?;
                let seq = seq_of(&file)?;
                let mut starts = self.open_starts.lock().ok()?;
                if opened {
                    starts.insert(track.clone(), running_time);
                    Some(RecorderEvent::SegmentOpened {
                        track,
                        seq,
                        file,
                        start_ns: running_time,
                    })
                } else {
                    let start_ns = starts.remove(&track).unwrap_or(running_time);
                    Some(RecorderEvent::SegmentClosed {
                        track,
                        seq,
                        file,
                        start_ns,
                        end_ns: running_time,
                    })
                }
            }
            MessageView::Eos(_) => Some(RecorderEvent::Eos),
            MessageView::Error(err) => Some(RecorderEvent::Error {
                element: msg.src().map(|s| s.name().to_string()).unwrap_or_default(),
                message: match err.debug() {
                    Some(debug) => format!("{} ({debug})", err.error()),
                    None => err.error().to_string(),
                },
            }),
            _ => None,
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The segment number in a file name such as `cam1-00012.mkv`.
fn seq_of(file: &Path) -> Option<i64> {
    segment_name(file).map(|(_, seq)| seq)
}

/// The track and segment number of a segment file name such as `cam1-00012.mkv`, or `None` for
/// any other file.
pub fn segment_name(file: &Path) -> Option<(String, i64)> {
    if file.extension()?.to_str()? != CONTAINER_EXT {
        return None;
    }
    let stem = file.file_stem()?.to_str()?;
    let (track, seq) = stem.rsplit_once('-')?;
    Some((track.to_string(), seq.parse().ok()?))
}

/// A `level` message as the loudest peak over its channels. Silence comes as a very low number
/// (or -inf, kept as `f64::MIN` so that it survives JSON).
pub(crate) fn level_event(msg: &gst::Message) -> Option<RecorderEvent> {
    let gst::MessageView::Element(element) = msg.view() else {
        return None;
    };
    let s = element.structure().filter(|s| s.name() == "level")?;
    let name = msg.src()?.name();
    let microphone = crate::sources::level_element_mic(&name)?.to_string();
    let peaks = s.value("peak").ok()?;
    let channels: Vec<f64> = if let Ok(array) = peaks.get::<gst::glib::ValueArray>() {
        array.iter().filter_map(|v| v.get::<f64>().ok()).collect()
    } else if let Ok(array) = peaks.get::<gst::Array>() {
        array.iter().filter_map(|v| v.get::<f64>().ok()).collect()
    } else {
        return None;
    };
    let peak_db = channels.into_iter().fold(f64::NEG_INFINITY, f64::max);
    let peak_db = if peak_db.is_finite() {
        peak_db
    } else {
        f64::MIN
    };
    Some(RecorderEvent::Level {
        microphone,
        peak_db,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_numbers_come_from_file_names() {
        assert_eq!(seq_of(Path::new("/m/cam-front-00012.mkv")), Some(12));
        assert_eq!(seq_of(Path::new("/m/notes.txt")), None);
    }
}
