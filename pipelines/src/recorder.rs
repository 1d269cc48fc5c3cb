//! A room's recording pipeline.
//!
//! ```text
//! cam1 ─ … ─ x264enc ─ h264parse ─ queue ─┐
//! mic1 ─ … ─ level ─ opusenc ─── queue ───┼─ splitmuxsink(matroskamux) ▶ <dir>/cam1-00000.mkv …
//! mic2 ─ … ─ level ─ opusenc ─── queue ───┘
//! cam2 ─ … ─ x264enc ─ h264parse ─ queue ─── splitmuxsink(matroskamux) ▶ <dir>/cam2-00000.mkv …
//!
//! ipcam ─ rtspsrc ─ rtph264depay ─ watchdog ─ h264parse ─ splitmuxsink ▶ <dir>/ipcam-00000.mkv …
//!   (a pipeline of its own, rebuilt with back-off when the camera is lost)
//! ```
//!
//! Each camera is a *track*: its own series of segment files. The first local camera's track
//! also carries every microphone, so that its files play with sound; a room with no local
//! camera records its microphones as one audio track. Matroska is written cluster by cluster, so
//! a segment that was open when the process died stays readable up to its last cluster, and
//! every closed segment is complete.
//!
//! A recorder runs in two steps: [`Recorder::preview`] plays the pipelines with nothing written
//! (an idle room's devices open, levels measured, encoders warm; see `gate`), and
//! [`Recorder::record`] says where the files go and opens the gates, so that a recording starts
//! within a frame or two. `record` alone does both.
//!
//! Local devices share one pipeline. Each RTSP camera has a pipeline of its own on the same
//! clock and base time, so that a camera that goes away (network, power, a reboot) is a
//! [`RecorderEvent::SourceLost`] and a retry with back-off, never the end of the other tracks;
//! its segment times stay on the session's timeline across reconnections.

use futures_channel::mpsc;
use futures_util::StreamExt;
use gstreamer as gst;
use gstreamer::prelude::*;
use hardware_profiles::{CameraSource, CameraSpec, RoomSpec};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::PipelineError;
use crate::composite::{self, COMPOSITE_TRACK};
use crate::gate::Gates;
use crate::sources::{self, make};
use crate::stream_format::StreamFormat;

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
    /// A network camera stopped sending (or could not be reached); its track has a gap from
    /// now on, and the recorder retries it with back-off. The other tracks go on.
    SourceLost { source: String, reason: String },
    /// A lost camera sends again: its track goes on in new segments.
    SourceBack { source: String },
    /// A stream of a track (`video`, `audio_0`, …) reaches its files in this format: at the
    /// start, and again whenever it changes (a camera that comes back at another size).
    Format {
        track: String,
        stream: String,
        format: StreamFormat,
    },
    /// Every track has written its end: the recording is complete.
    Eos,
    /// An element failed; the recording cannot go on as it is.
    Error { element: String, message: String },
}

/// Where a recording's files go, and what its composite view says.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Destination {
    /// The session's folder (it must exist).
    pub dir: PathBuf,
    /// The first segment number of every track: a resumed session never overwrites a file.
    pub first_seq: i64,
    /// Room, agency and case number, written over the composite view, if any.
    pub caption: String,
}

/// Shared with each writer's file namer: none until the recording opens.
type DestinationSlot = Arc<Mutex<Option<Destination>>>;

pub struct Recorder {
    shared: Arc<Shared>,
    events: Mutex<Option<mpsc::UnboundedReceiver<Input>>>,
    tracks: Vec<Track>,
    description: serde_json::Value,
}

/// Where a bus message came from: the local pipeline, or one build (generation) of a network
/// camera's pipeline. Messages of an older generation are from a pipeline already given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Local,
    Network { camera: usize, generation: u32 },
}

enum Input {
    Bus {
        origin: Origin,
        message: gst::Message,
    },
    /// Time to rebuild a lost network camera (scheduled after its back-off).
    Retry { camera: usize, generation: u32 },
    /// Look whether everything has ended (after an EOS request with nothing left running).
    CheckEnded,
    /// The caps that reached a track's muxer.
    Format {
        track: String,
        stream: String,
        format: StreamFormat,
    },
}

/// The first wait before a lost camera is tried again; it doubles up to `RETRY_MAX`.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(30);

/// What the recorder and its event stream share: the pipelines and what is known of them.
struct Shared {
    local: gst::Pipeline,
    /// False when the room has only network cameras: the local pipeline is then never run.
    local_used: bool,
    local_ended: AtomicBool,
    network: Mutex<Vec<NetworkCamera>>,
    clock: gst::Clock,
    base_time: Mutex<Option<gst::ClockTime>>,
    stopping: AtomicBool,
    destination: DestinationSlot,
    gates: Arc<Gates>,
    segment_ns: u64,
    inputs: mpsc::UnboundedSender<Input>,
    /// splitmuxsink element name → track id.
    sinks: HashMap<String, String>,
    /// Start time of each track's open segment, from its "opened" message.
    open_starts: Mutex<HashMap<String, u64>>,
    /// The last format reported for each (track, stream): a format is reported when it changes.
    formats: Mutex<HashMap<(String, String), StreamFormat>>,
}

/// An RTSP camera and its current pipeline, if it runs.
struct NetworkCamera {
    spec: CameraSpec,
    pipeline: Option<gst::Pipeline>,
    generation: u32,
    /// The segment its next pipeline starts at, counted from the destination's first one: one
    /// past the last one opened.
    next_fragment: i64,
    /// Set while the camera is lost: how many rebuilds have failed since.
    lost: Option<u32>,
    /// Its end of stream arrived after an EOS request.
    ended: bool,
}

/// The recorder's events, in the order the pipelines report them.
pub struct RecorderEvents {
    inputs: mpsc::UnboundedReceiver<Input>,
    shared: Arc<Shared>,
    ready: VecDeque<RecorderEvent>,
}

impl RecorderEvents {
    /// The next event; `None` once the recorder is gone.
    pub async fn next(&mut self) -> Option<RecorderEvent> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            let input = self.inputs.next().await?;
            self.ready.extend(self.shared.handle(input));
        }
    }
}

/// opusenc's default bitrate for one microphone.
const OPUS_KBPS: u64 = 64;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep using it.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sends every message of `pipeline`'s bus into the recorder's inputs, tagged with its origin.
fn forward_bus(
    pipeline: &gst::Pipeline,
    origin: Origin,
    inputs: &mpsc::UnboundedSender<Input>,
) -> Result<(), PipelineError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| PipelineError::Build("pipeline without a bus".into()))?;
    let inputs = inputs.clone();
    bus.set_sync_handler(move |_, message| {
        let _ = inputs.unbounded_send(Input::Bus {
            origin,
            message: message.clone(),
        });
        gst::BusSyncReply::Drop
    });
    Ok(())
}

/// A `splitmuxsink` writing `<dir>/<track>-NNNNN.mkv` segments of the destination, from its
/// first segment number plus `fragment` on.
fn segment_sink(
    pipeline: &gst::Pipeline,
    track: &str,
    segment_ns: u64,
    fragment: i64,
    destination: &DestinationSlot,
) -> Result<gst::Element, PipelineError> {
    let split = make(
        "splitmuxsink",
        format!("liuhen-{track}-split"),
        "segmented recording",
    )?;
    let muxer = make(
        "matroskamux",
        format!("liuhen-{track}-mux"),
        "Matroska files",
    )?;
    split.set_property("muxer", &muxer);
    // Unbuffered: every write reaches the kernel at once, so a killed process loses nothing
    // that the muxer has written (filesink would otherwise hold up to 64 KiB).
    let file = make("filesink", format!("liuhen-{track}-file"), "writing files")?;
    file.set_property_from_str("buffer-mode", "unbuffered");
    split.set_property("sink", &file);
    split.set_property("max-size-time", segment_ns);
    split.set_property("send-keyframe-requests", true);
    split.set_property("start-index", i32::try_from(fragment).unwrap_or(i32::MAX));
    // Named when each file opens: the destination is known only once the recording opens.
    let (destination, track_id) = (destination.clone(), track.to_string());
    split.connect("format-location", false, move |args| {
        let fragment = args.get(1).and_then(|v| v.get::<u32>().ok())?;
        let guard = lock(&destination);
        let to = guard.as_ref()?;
        let file = evidence::segment_file(&to.dir, &track_id, to.first_seq + i64::from(fragment));
        Some(file.to_string_lossy().to_value())
    });
    pipeline
        .add(&split)
        .map_err(|err| PipelineError::Build(err.to_string()))?;
    Ok(split)
}

/// Links `from` into a new `pad` of `split` (track `track`), and reports the format that
/// reaches the file whenever it is set or changes.
/// The stream passes a gate (see `gate`) on its way in; `as_sent` for a stream recorded as a
/// camera sent it (its GOP is kept while the gate is closed).
fn link_to(
    from: &gst::Element,
    split: &gst::Element,
    pad: &str,
    track: &str,
    inputs: &mpsc::UnboundedSender<Input>,
    gates: &Gates,
    as_sent: bool,
) -> Result<(), PipelineError> {
    let sink_pad = split
        .request_pad_simple(pad)
        .ok_or_else(|| PipelineError::Build(format!("splitmuxsink gave no {pad} pad")))?;
    let src_pad = from
        .static_pad("src")
        .ok_or_else(|| PipelineError::Build("element without src pad".into()))?;
    gates.install(&src_pad, track, &sink_pad.name(), pad == "video", as_sent);
    let (track, stream, inputs) = (
        track.to_string(),
        sink_pad.name().to_string(),
        inputs.clone(),
    );
    sink_pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
        if let Some(gst::PadProbeData::Event(event)) = &info.data
            && let gst::EventView::Caps(caps) = event.view()
            && let Some(format) = StreamFormat::of_caps(caps.caps())
        {
            let _ = inputs.unbounded_send(Input::Format {
                track: track.clone(),
                stream: stream.clone(),
                format,
            });
        }
        gst::PadProbeReturn::Ok
    });
    src_pad
        .link(&sink_pad)
        .map_err(|err| PipelineError::Build(format!("{}: {err:?}", from.name())))?;
    Ok(())
}

/// The tracks a recording of `room` writes, in order: each local camera (the first one with
/// every microphone, or the microphones alone, named after the first, when there is no local
/// camera), the composite view, then each network camera.
pub fn plan_tracks(room: &RoomSpec) -> Vec<Track> {
    let is_network = |c: &&CameraSpec| c.profile.source == CameraSource::Rtsp;
    let microphones: Vec<String> = room.microphones.iter().map(|m| m.id.clone()).collect();
    let mut tracks: Vec<Track> = room
        .cameras
        .iter()
        .filter(|c| !is_network(c))
        .map(|c| Track {
            id: c.id.clone(),
            camera: Some(c.id.clone()),
            microphones: Vec::new(),
        })
        .collect();
    match (tracks.first_mut(), microphones.first()) {
        (Some(first), _) => first.microphones = microphones.clone(),
        (None, Some(first_mic)) => tracks.push(Track {
            id: first_mic.clone(),
            camera: None,
            microphones: microphones.clone(),
        }),
        (None, None) => {}
    }
    if room.composite.is_some() {
        tracks.push(Track {
            id: COMPOSITE_TRACK.to_string(),
            camera: None,
            microphones,
        });
    }
    tracks.extend(room.cameras.iter().filter(is_network).map(|c| Track {
        id: c.id.clone(),
        camera: Some(c.id.clone()),
        microphones: Vec::new(),
    }));
    tracks
}

/// An RTSP address with any user and password taken out, for records and logs.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        }
        None => url.to_string(),
    }
}

impl Recorder {
    /// Builds the pipelines for `room`; nothing plays until [`Recorder::preview`] or
    /// [`Recorder::record`], and nothing is written until `record`.
    #[must_use = "a recorder does nothing until it is started"]
    pub fn build(room: &RoomSpec) -> Result<Self, PipelineError> {
        crate::init()?;
        let local = gst::Pipeline::with_name(&format!("liuhen-{}", room.id));
        let tracks = plan_tracks(room);
        let mut sinks = HashMap::new();
        let segment_ns = u64::from(room.segment_seconds) * 1_000_000_000;
        let is_network = |c: &&CameraSpec| c.profile.source == CameraSource::Rtsp;
        let (inputs, events) = mpsc::unbounded();
        let destination = DestinationSlot::default();
        let gates = Arc::new(Gates::default());

        for cam in room.cameras.iter().filter(|c| !is_network(c)) {
            let split = segment_sink(&local, &cam.id, segment_ns, 0, &destination)?;
            let in_composite = room
                .composite
                .as_ref()
                .is_some_and(|c| c.cameras.contains(&cam.id));
            let encoded = sources::camera(&local, cam, in_composite)?;
            link_to(&encoded, &split, "video", &cam.id, &inputs, &gates, false)?;
            sinks.insert(split.name().to_string(), cam.id.clone());
        }
        if let Some(track) = tracks
            .iter()
            .find(|t| t.id != COMPOSITE_TRACK && !t.microphones.is_empty())
        {
            let split = match local.by_name(&format!("liuhen-{}-split", track.id)) {
                Some(split) => split,
                None => {
                    let split = segment_sink(&local, &track.id, segment_ns, 0, &destination)?;
                    sinks.insert(split.name().to_string(), track.id.clone());
                    split
                }
            };
            for mic in &room.microphones {
                let encoded = sources::microphone(&local, mic, room.composite.is_some())?;
                link_to(
                    &encoded, &split, "audio_%u", &track.id, &inputs, &gates, false,
                )?;
            }
        }
        if let Some(spec) = &room.composite {
            let (video, audio) = composite::build(&local, room, spec)?;
            let split = segment_sink(&local, COMPOSITE_TRACK, segment_ns, 0, &destination)?;
            link_to(
                &video,
                &split,
                "video",
                COMPOSITE_TRACK,
                &inputs,
                &gates,
                false,
            )?;
            if let Some(audio) = audio {
                link_to(
                    &audio,
                    &split,
                    "audio_%u",
                    COMPOSITE_TRACK,
                    &inputs,
                    &gates,
                    false,
                )?;
            }
            sinks.insert(split.name().to_string(), COMPOSITE_TRACK.to_string());
        }
        let mut network = Vec::new();
        for cam in room.cameras.iter().filter(is_network) {
            sinks.insert(format!("liuhen-{}-split", cam.id), cam.id.clone());
            network.push(NetworkCamera {
                spec: cam.clone(),
                pipeline: None,
                generation: 0,
                next_fragment: 0,
                lost: None,
                ended: false,
            });
        }

        let description = serde_json::json!({
            "container": "matroska",
            "video_codec": "H.264",
            "audio_codec": "Opus",
            "segment_seconds": room.segment_seconds,
            "cameras": room.cameras.iter().map(|c| {
                let network = c.profile.source == CameraSource::Rtsp;
                serde_json::json!({
                    "id": c.id, "profile": c.profile_id,
                    "device": c.device.as_deref().map(|d| if network { without_credentials(d) } else { d.to_string() }),
                    "recorded_as": if network { "as sent by the camera (H.264 over RTSP, not re-encoded)" } else { "encoded here (x264)" },
                    "audio": c.audio,
                    // What the profile expects; a camera may send otherwise, and what reached
                    // the files is in `as_recorded`, noted by the controller from the caps.
                    "configured": {
                        "width": c.profile.width, "height": c.profile.height,
                        "framerate": c.profile.framerate, "bitrate_kbps": c.profile.bitrate_kbps,
                    },
                })
            }).collect::<Vec<_>>(),
            "microphones": room.microphones.iter().map(|m| serde_json::json!({
                "id": m.id, "profile": m.profile_id, "device": m.device,
                "configured": { "rate": m.profile.rate, "channels": m.profile.channels },
            })).collect::<Vec<_>>(),
            "composite": room.composite.as_ref().map(|c| serde_json::json!({
                "cameras": c.cameras, "width": c.width, "height": c.height,
                "framerate": c.framerate, "bitrate_kbps": c.bitrate_kbps,
                "overlay": "room, agency and case number; date and time to the second",
            })),
            "tracks": tracks.iter().map(|t| serde_json::json!({
                "id": t.id, "camera": t.camera, "microphones": t.microphones,
            })).collect::<Vec<_>>(),
        });

        forward_bus(&local, Origin::Local, &inputs)?;
        let local_used = !local.children().is_empty();
        let shared = Arc::new(Shared {
            local,
            local_used,
            local_ended: AtomicBool::new(!local_used),
            network: Mutex::new(network),
            clock: gst::SystemClock::obtain(),
            base_time: Mutex::new(None),
            stopping: AtomicBool::new(false),
            destination,
            gates,
            segment_ns,
            inputs,
            sinks,
            open_starts: Mutex::new(HashMap::new()),
            formats: Mutex::new(HashMap::new()),
        });
        // Build each network camera's pipeline now, so that a missing element shows before
        // the start; connecting to the camera only happens once it plays.
        let count = lock(&shared.network).len();
        for camera in 0..count {
            shared.build_network(camera)?;
        }
        Ok(Self {
            shared,
            events: Mutex::new(Some(events)),
            tracks,
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
        let sounds = room.microphones.len() + room.cameras.iter().filter(|c| c.audio).count();
        let audio_kbps = OPUS_KBPS * sounds as u64;
        let composite_kbps = room.composite.as_ref().map_or(0, |c| {
            u64::from(c.bitrate_kbps)
                + if room.microphones.is_empty() {
                    0
                } else {
                    OPUS_KBPS
                }
        });
        (video_kbps + audio_kbps + composite_kbps) * 1000 / 8 * 110 / 100
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
        let inputs = lock(&self.events).take().ok_or_else(|| {
            PipelineError::Build("the recorder's events were already taken".into())
        })?;
        Ok(RecorderEvents {
            inputs,
            shared: self.shared.clone(),
            ready: VecDeque::new(),
        })
    }

    /// Sets the pipelines playing, all on one clock and base time, with nothing written: the
    /// room's preview. A network camera that cannot be reached is reported lost and retried;
    /// a local device that refuses to start fails the preview. Once playing, does nothing.
    pub fn preview(&self) -> Result<(), PipelineError> {
        self.play().map(|_| ())
    }

    /// Plays the pipelines once (see [`Recorder::preview`]); returns their base time.
    fn play(&self) -> Result<gst::ClockTime, PipelineError> {
        let shared = &self.shared;
        if let Some(base) = *lock(&shared.base_time) {
            return Ok(base);
        }
        let base = shared.clock.time();
        *lock(&shared.base_time) = Some(base);
        if shared.local_used {
            shared.on_session_clock(&shared.local, base);
            shared.local.set_state(gst::State::Playing).map_err(|_| {
                PipelineError::Start(
                    "a device refused to start; see the error that follows on the bus".into(),
                )
            })?;
        }
        let count = lock(&shared.network).len();
        for camera in 0..count {
            shared.play_network(camera, base);
        }
        Ok(base)
    }

    /// Writes from now on into `destination`: plays the pipelines if they are not yet (see
    /// [`Recorder::preview`]) and opens the gates. "Recording" is only true once a segment
    /// opens ([`RecorderEvent::SegmentOpened`]).
    pub fn record(&self, destination: Destination) -> Result<(), PipelineError> {
        let shared = &self.shared;
        if shared.gates.is_open() {
            return Err(PipelineError::Start(
                "this recorder is already recording".into(),
            ));
        }
        composite::set_caption(&shared.local, &destination.caption);
        *lock(&shared.destination) = Some(destination);
        let base = self.play()?;
        shared.gates.open(shared.clock.time().saturating_sub(base));
        // The formats the preview saw are the recording's too: told again, now for it.
        let known: Vec<_> = lock(&shared.formats).drain().collect();
        for ((track, stream), format) in known {
            let _ = shared.inputs.unbounded_send(Input::Format {
                track,
                stream,
                format,
            });
        }
        Ok(())
    }

    /// Asks every source to end; the files are finished when [`RecorderEvent::Eos`] arrives.
    /// A lost camera is not retried any more.
    pub fn send_eos(&self) {
        let shared = &self.shared;
        shared.stopping.store(true, Ordering::SeqCst);
        if shared.local_used {
            shared.local.send_event(gst::event::Eos::new());
        }
        for camera in lock(&shared.network).iter() {
            if let Some(pipeline) = &camera.pipeline {
                pipeline.send_event(gst::event::Eos::new());
            }
        }
        let _ = shared.inputs.unbounded_send(Input::CheckEnded);
    }

    /// Blocks until the recording ends (EOS) or fails, up to `timeout`; for callers without an
    /// async runtime, and only when [`Recorder::events`] is not in use. True on a clean end.
    pub fn wait_for_end(&self, timeout: Duration) -> bool {
        let Ok(mut events) = self.events() else {
            return false;
        };
        let ended = async move {
            while let Some(event) = events.next().await {
                match event {
                    RecorderEvent::Eos => return true,
                    RecorderEvent::Error { .. } => return false,
                    _ => {}
                }
            }
            false
        };
        gst::glib::MainContext::new()
            .block_on(gst::glib::future_with_timeout(timeout, ended))
            .unwrap_or(false)
    }

    /// Tears the pipelines down. Call after EOS arrived, or after giving up waiting for it.
    pub fn shutdown(&self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        let _ = self.shared.local.set_state(gst::State::Null);
        for camera in lock(&self.shared.network).iter_mut() {
            if let Some(pipeline) = camera.pipeline.take() {
                let _ = pipeline.set_state(gst::State::Null);
            }
        }
    }
}

impl Shared {
    /// Puts a pipeline on the session's clock and base time, so that its running time is the
    /// session's, whenever it (re)starts.
    fn on_session_clock(&self, pipeline: &gst::Pipeline, base: gst::ClockTime) {
        pipeline.use_clock(Some(&self.clock));
        pipeline.set_start_time(gst::ClockTime::NONE);
        pipeline.set_base_time(base);
    }

    /// Builds (a new generation of) network camera `camera`'s pipeline, not yet playing.
    fn build_network(&self, camera: usize) -> Result<(), PipelineError> {
        let mut cameras = lock(&self.network);
        let Some(cam) = cameras.get_mut(camera) else {
            return Ok(());
        };
        cam.generation += 1;
        let pipeline =
            gst::Pipeline::with_name(&format!("liuhen-{}-{}", cam.spec.id, cam.generation));
        let split = segment_sink(
            &pipeline,
            &cam.spec.id,
            self.segment_ns,
            cam.next_fragment,
            &self.destination,
        )?;
        let encoded = sources::camera(&pipeline, &cam.spec, false)?;
        link_to(
            &encoded,
            &split,
            "video",
            &cam.spec.id,
            &self.inputs,
            &self.gates,
            true,
        )?;
        if cam.spec.audio {
            let sound = sources::network_camera_audio(&pipeline, &cam.spec)?;
            link_to(
                &sound,
                &split,
                "audio_%u",
                &cam.spec.id,
                &self.inputs,
                &self.gates,
                false,
            )?;
        }
        forward_bus(
            &pipeline,
            Origin::Network {
                camera,
                generation: cam.generation,
            },
            &self.inputs,
        )?;
        cam.pipeline = Some(pipeline);
        Ok(())
    }

    /// Plays network camera `camera`'s pipeline; a refusal is reported on its bus.
    fn play_network(&self, camera: usize, base: gst::ClockTime) {
        let cameras = lock(&self.network);
        if let Some(pipeline) = cameras.get(camera).and_then(|c| c.pipeline.as_ref()) {
            self.on_session_clock(pipeline, base);
            let _ = pipeline.set_state(gst::State::Playing);
        }
    }

    /// Turns one input into the recorder's events (often none).
    fn handle(&self, input: Input) -> Vec<RecorderEvent> {
        match input {
            Input::Bus {
                origin: Origin::Local,
                message,
            } => {
                if matches!(message.view(), gst::MessageView::Eos(_)) {
                    self.local_ended.store(true, Ordering::SeqCst);
                    return self.ended().into_iter().collect();
                }
                self.interpret(&message).into_iter().collect()
            }
            Input::Bus {
                origin: Origin::Network { camera, generation },
                message,
            } => self.network_message(camera, generation, &message),
            Input::Retry { camera, generation } => self.retry(camera, generation),
            Input::CheckEnded => self.ended().into_iter().collect(),
            Input::Format {
                track,
                stream,
                format,
            } => {
                let mut known = lock(&self.formats);
                let key = (track, stream);
                if known.get(&key) == Some(&format) {
                    return Vec::new();
                }
                known.insert(key.clone(), format.clone());
                let (track, stream) = key;
                vec![RecorderEvent::Format {
                    track,
                    stream,
                    format,
                }]
            }
        }
    }

    /// `Eos` once the local pipeline and every network camera have ended (a lost camera has
    /// nothing left to end), and only after an EOS request.
    fn ended(&self) -> Option<RecorderEvent> {
        if !self.stopping.load(Ordering::SeqCst) || !self.local_ended.load(Ordering::SeqCst) {
            return None;
        }
        let all = lock(&self.network)
            .iter()
            .all(|c| c.ended || c.pipeline.is_none());
        all.then_some(RecorderEvent::Eos)
    }

    fn network_message(
        &self,
        camera: usize,
        generation: u32,
        message: &gst::Message,
    ) -> Vec<RecorderEvent> {
        let (current, id, was_lost) = {
            let cameras = lock(&self.network);
            let Some(cam) = cameras.get(camera) else {
                return Vec::new();
            };
            (cam.generation, cam.spec.id.clone(), cam.lost.is_some())
        };
        if generation != current {
            return Vec::new();
        }
        let stopping = self.stopping.load(Ordering::SeqCst);
        let lost_because = match message.view() {
            gst::MessageView::Eos(_) if stopping => {
                if let Some(cam) = lock(&self.network).get_mut(camera) {
                    cam.ended = true;
                }
                return self.ended().into_iter().collect();
            }
            gst::MessageView::Eos(_) => "the camera ended its stream".to_string(),
            gst::MessageView::Error(err) => match err.debug() {
                Some(debug) => format!("{} ({debug})", err.error()),
                None => err.error().to_string(),
            },
            _ => {
                let mut events: Vec<RecorderEvent> = self.interpret(message).into_iter().collect();
                if let Some(RecorderEvent::SegmentOpened { seq, .. }) = events.first() {
                    let fragment =
                        *seq - lock(&self.destination).as_ref().map_or(0, |d| d.first_seq);
                    if let Some(cam) = lock(&self.network).get_mut(camera) {
                        cam.next_fragment = cam.next_fragment.max(fragment + 1);
                        cam.lost = None;
                    }
                    if was_lost {
                        events.push(RecorderEvent::SourceBack { source: id });
                    }
                }
                return events;
            }
        };
        if stopping {
            // Ending anyway: what was written is kept as it is.
            if let Some(cam) = lock(&self.network).get_mut(camera)
                && let Some(pipeline) = cam.pipeline.take()
            {
                let _ = pipeline.set_state(gst::State::Null);
            }
            return self.ended().into_iter().collect();
        }
        let attempts = {
            let mut cameras = lock(&self.network);
            let Some(cam) = cameras.get_mut(camera) else {
                return Vec::new();
            };
            if let Some(pipeline) = cam.pipeline.take() {
                let _ = pipeline.set_state(gst::State::Null);
            }
            let attempts = cam.lost.map_or(0, |n| n + 1);
            cam.lost = Some(attempts);
            attempts
        };
        self.schedule_retry(camera, generation, attempts);
        if was_lost {
            // Still lost: one report per loss, not per failed retry.
            return Vec::new();
        }
        vec![RecorderEvent::SourceLost {
            source: id,
            reason: lost_because,
        }]
    }

    /// Wakes the recorder to rebuild `camera` after 1 s, 2 s, 4 s … at most 30 s.
    fn schedule_retry(&self, camera: usize, generation: u32, attempts: u32) {
        let wait = RETRY_FIRST
            .saturating_mul(1 << attempts.min(5))
            .min(RETRY_MAX);
        let inputs = self.inputs.clone();
        let _ = std::thread::Builder::new()
            .name("liuhen-retry".into())
            .spawn(move || {
                std::thread::sleep(wait);
                let _ = inputs.unbounded_send(Input::Retry { camera, generation });
            });
    }

    fn retry(&self, camera: usize, generation: u32) -> Vec<RecorderEvent> {
        let current = lock(&self.network).get(camera).map(|c| c.generation);
        if self.stopping.load(Ordering::SeqCst) || current != Some(generation) {
            return Vec::new();
        }
        let Some(base) = *lock(&self.base_time) else {
            return Vec::new();
        };
        match self.build_network(camera) {
            Ok(()) => self.play_network(camera, base),
            Err(err) => {
                tracing::warn!(camera, error = %err, "cannot rebuild a lost camera's pipeline");
                let attempts = lock(&self.network)
                    .get(camera)
                    .and_then(|c| c.lost)
                    .unwrap_or(0);
                let next = lock(&self.network)
                    .get(camera)
                    .map_or(generation, |c| c.generation);
                self.schedule_retry(camera, next, attempts + 1);
            }
        }
        Vec::new()
    }

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
                // The files' zero lies before anything the gates let through (see `gate`); a
                // negative running time, were one to come, arrives wrapped: taken as zero.
                let running_time = s.get::<u64>("running-time").ok()?;
                let running_time = if i64::try_from(running_time).is_ok() {
                    running_time
                } else {
                    0
                };
                let seq = seq_of(&file)?;
                let mut starts = lock(&self.open_starts);
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

impl Destination {
    /// Into `dir` from segment 0, with no caption: for tests and benches.
    pub fn folder(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            first_seq: 0,
            caption: String::new(),
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
    evidence::segment_name(file).map(|(_, seq)| seq)
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

    /// Nothing (a bus handler, a queued message) keeps a finished recording's pipeline alive.
    #[test]
    fn a_finished_recorder_frees_its_pipeline() {
        let room = RoomSpec::interview(
            "leak",
            1,
            vec![CameraSpec::test_pattern("cam1", 160, 120, 10, 100)],
            vec![],
        );
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::build(&room).unwrap();
        let weak = recorder.shared.local.downgrade();
        recorder.record(Destination::folder(dir.path())).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        recorder.send_eos();
        assert!(recorder.wait_for_end(Duration::from_secs(5)));
        drop(recorder);
        assert!(
            weak.upgrade().is_none(),
            "the pipeline outlived its recorder"
        );
    }

    #[test]
    fn segment_numbers_come_from_file_names() {
        assert_eq!(seq_of(Path::new("/m/cam-front-00012.mkv")), Some(12));
        assert_eq!(seq_of(Path::new("/m/notes.txt")), None);
    }
}
