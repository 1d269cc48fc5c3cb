//! Checks that a room's devices really work, before anyone relies on them: each camera delivers
//! pictures in its profile's format (through the same chain a recording uses, encoder included),
//! and each microphone delivers sound, with its level. For `room-controller check --probe`.

use gstreamer as gst;
use gstreamer::prelude::*;
use hardware_profiles::{CameraSpec, MicrophoneSpec};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::PipelineError;
use crate::sources::{self, make};

/// How long a device may take to deliver its first data.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs a camera through its recording chain to a fake sink; returns the encoded format it
/// delivered, e.g. "H.264 constrained-baseline 1280x720 25/1 fps 4:2:0 8-bit".
pub fn check_camera(camera: &CameraSpec) -> Result<String, PipelineError> {
    crate::init()?;
    let pipeline = gst::Pipeline::with_name(&format!("liuhen-check-{}", camera.id));
    let last = sources::camera(&pipeline, camera, false)?;
    let (caps, _) = run_until_data(&pipeline, &last, &camera.id, false)?;
    Ok(caps)
}

/// Runs a microphone through its recording chain; returns its format and its loudest level
/// (dBFS) over about a second.
pub fn check_microphone(mic: &MicrophoneSpec) -> Result<(String, f64), PipelineError> {
    crate::init()?;
    let pipeline = gst::Pipeline::with_name(&format!("liuhen-check-{}", mic.id));
    let last = sources::microphone(&pipeline, mic, false)?;
    let (caps, peak) = run_until_data(&pipeline, &last, &mic.id, true)?;
    Ok((caps, peak.unwrap_or(f64::MIN)))
}

/// Level reports to wait for: about a second of sound.
const LEVELS_WANTED: usize = 2;

/// Plays the pipeline into a fake sink until data arrives (and, with `levels`, a second of
/// level reports); returns the caps of the first buffer and the loudest level. Always tears the
/// pipeline down.
fn run_until_data(
    pipeline: &gst::Pipeline,
    last: &gst::Element,
    device: &str,
    levels: bool,
) -> Result<(String, Option<f64>), PipelineError> {
    let sink = make(
        "fakesink",
        format!("liuhen-check-{device}-sink"),
        "checking",
    )?;
    sink.set_property("sync", false);
    pipeline
        .add(&sink)
        .map_err(|err| PipelineError::Build(err.to_string()))?;
    last.link(&sink)
        .map_err(|err| PipelineError::Build(err.to_string()))?;
    let pad = sink
        .static_pad("sink")
        .ok_or_else(|| PipelineError::Build("fakesink without a sink pad".into()))?;
    let (tx, rx) = mpsc::channel();
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, _| {
        let caps = pad.current_caps().map(|c| describe(&c)).unwrap_or_default();
        let _ = tx.send(caps);
        gst::PadProbeReturn::Remove
    });
    let result = watch(pipeline, device, levels, &rx);
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn watch(
    pipeline: &gst::Pipeline,
    device: &str,
    levels: bool,
    first_buffer: &mpsc::Receiver<String>,
) -> Result<(String, Option<f64>), PipelineError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| PipelineError::Build("pipeline without a bus".into()))?;
    let failed = |why: String| PipelineError::Start(format!("{device}: {why}"));
    if pipeline.set_state(gst::State::Playing).is_err() {
        let why = bus
            .timed_pop_filtered(gst::ClockTime::from_seconds(1), &[gst::MessageType::Error])
            .and_then(|msg| match msg.view() {
                gst::MessageView::Error(err) => Some(err.error().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "refused to start".into());
        return Err(failed(why));
    }
    let deadline = Instant::now() + PROBE_TIMEOUT;
    let mut caps = None;
    let mut peaks = Vec::new();
    loop {
        if caps.is_none() {
            caps = first_buffer.try_recv().ok();
        }
        if let Some(caps) = &caps
            && (!levels || peaks.len() >= LEVELS_WANTED)
        {
            let peak = peaks.into_iter().reduce(f64::max);
            return Ok((caps.clone(), peak));
        }
        if Instant::now() > deadline {
            return Err(failed(format!(
                "delivered no {} within {} s; check that it is connected and not in use",
                if caps.is_none() {
                    "data"
                } else {
                    "sound level"
                },
                PROBE_TIMEOUT.as_secs()
            )));
        }
        if let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(50)) {
            if let gst::MessageView::Error(err) = msg.view() {
                return Err(failed(err.error().to_string()));
            }
            if let Some(crate::RecorderEvent::Level { peak_db, .. }) =
                crate::recorder::level_event(&msg)
            {
                peaks.push(peak_db);
            }
        }
    }
}

/// The parts of an encoded format a person checks: codec, profile, size, rate, sampling.
fn describe(caps: &gst::CapsRef) -> String {
    let Some(s) = caps.structure(0) else {
        return "no format".into();
    };
    let text = |field: &str| s.get::<String>(field).ok().unwrap_or_default();
    let int = |field: &str| s.get::<i32>(field).ok().unwrap_or_default();
    match s.name().as_str() {
        "video/x-h264" => format!(
            "H.264 {} {}x{} {} fps {} {}-bit",
            text("profile"),
            int("width"),
            int("height"),
            s.get::<gst::Fraction>("framerate")
                .map(|f| f.to_string())
                .unwrap_or_default(),
            text("chroma-format"),
            s.get::<u32>("bit-depth-luma").unwrap_or_default()
        ),
        "audio/x-opus" => format!("Opus {} Hz {} channel(s)", int("rate"), int("channels")),
        other => other.to_string(),
    }
}
