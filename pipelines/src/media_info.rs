//! Reads what a media file holds (streams, picture size, duration) with GStreamer's discoverer:
//! the check that a recorded segment is really playable media.

use gstreamer as gst;
use gstreamer_pbutils as pbutils;
use gstreamer_pbutils::prelude::*;
use std::path::Path;
use std::time::Duration;

use crate::PipelineError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoStream {
    pub codec: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioStream {
    pub codec: String,
    pub rate: u32,
    pub channels: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    pub duration: Option<Duration>,
    pub video: Vec<VideoStream>,
    pub audio: Vec<AudioStream>,
    /// When the media says it was made (its container's creation-time tag), ISO 8601.
    pub created: Option<String>,
}

/// Probes one file. Fails if GStreamer cannot read it as media.
pub fn probe(path: &Path) -> Result<MediaInfo, PipelineError> {
    crate::init()?;
    let fail = |reason: String| PipelineError::Probe {
        path: path.to_path_buf(),
        reason,
    };
    let absolute = std::fs::canonicalize(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let uri = gst::glib::filename_to_uri(&absolute, None).map_err(|err| fail(err.to_string()))?;
    let discoverer = pbutils::Discoverer::new(gst::ClockTime::from_seconds(15))
        .map_err(|err| fail(err.to_string()))?;
    let info = discoverer
        .discover_uri(&uri)
        .map_err(|err| fail(err.to_string()))?;
    if info.result() != pbutils::DiscovererResult::Ok {
        return Err(fail(format!("{:?}", info.result())));
    }
    let codec = |caps: Option<gst::Caps>| {
        caps.and_then(|c| c.structure(0).map(|s| s.name().to_string()))
            .unwrap_or_default()
    };
    let video = info
        .video_streams()
        .iter()
        .map(|v| VideoStream {
            codec: codec(v.caps()),
            width: v.width(),
            height: v.height(),
        })
        .collect();
    let audio = info
        .audio_streams()
        .iter()
        .map(|a| AudioStream {
            codec: codec(a.caps()),
            rate: a.sample_rate(),
            channels: a.channels(),
        })
        .collect();
    let created = info
        .stream_list()
        .iter()
        .filter_map(|stream| stream.tags())
        .find_map(|tags| tags.get::<gst::tags::DateTime>())
        .and_then(|date| date.get().to_iso8601_string().ok())
        .map(|text| text.to_string());
    Ok(MediaInfo {
        created,
        duration: info.duration().map(|d| Duration::from_nanos(d.nseconds())),
        video,
        audio,
    })
}

/// The time a file really covers: from its first to its last video frame (plus one frame), or
/// for an audio-only file from its first to its last audio packet. Read by demuxing, from
/// timestamps only: unlike [`probe`]'s duration, which guesses for a file whose writer died
/// before it could write the duration (a segment open when the recorder was killed), and unlike
/// buffer durations, which the demuxer stretches for an unfinished file's last block.
pub fn media_span(path: &Path) -> Result<Duration, PipelineError> {
    match timestamps_span(path, "video")? {
        Some(span) => Ok(span),
        None => Ok(timestamps_span(path, "audio")?.unwrap_or_default()),
    }
}

fn timestamps_span(path: &Path, kind: &'static str) -> Result<Option<Duration>, PipelineError> {
    use std::sync::{Arc, Mutex};
    crate::init()?;
    let fail = |reason: String| PipelineError::Probe {
        path: path.to_path_buf(),
        reason,
    };
    let pipeline = gst::Pipeline::new();
    let src = crate::sources::make("filesrc", "liuhen-span-src".into(), "reading files")?;
    src.set_property("location", path.to_string_lossy().as_ref());
    let demux = crate::sources::make(
        "matroskademux",
        "liuhen-span-demux".into(),
        "reading Matroska",
    )?;
    let sink = crate::sources::make("fakesink", "liuhen-span-sink".into(), "measuring")?;
    sink.set_property("sync", false);
    pipeline
        .add_many([&src, &demux, &sink])
        .map_err(|e| fail(e.to_string()))?;
    src.link(&demux).map_err(|e| fail(e.to_string()))?;
    let sink_weak = sink.downgrade();
    demux.connect_pad_added(move |_, pad| {
        if !pad.name().starts_with(kind) {
            return;
        }
        if let Some(sink_pad) = sink_weak.upgrade().and_then(|s| s.static_pad("sink"))
            && !sink_pad.is_linked()
        {
            let _ = pad.link(&sink_pad);
        }
    });
    // (first PTS, last PTS, one frame's duration)
    let seen: Arc<Mutex<Option<(u64, u64, u64)>>> = Arc::new(Mutex::new(None));
    let record = seen.clone();
    let sink_pad = sink
        .static_pad("sink")
        .ok_or_else(|| fail("fakesink has no pad".into()))?;
    sink_pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        if let Some(pts) = info.buffer().and_then(|b| b.pts()).map(|t| t.nseconds())
            && let Ok(mut seen) = record.lock()
        {
            let (first, last, step) = seen.get_or_insert((pts, pts, 0));
            if pts > *last {
                *step = if *step == 0 {
                    pts - *last
                } else {
                    (*step).min(pts - *last)
                };
            }
            *first = (*first).min(pts);
            *last = (*last).max(pts);
        }
        gst::PadProbeReturn::Ok
    });
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| fail(e.to_string()))?;
    let bus = pipeline.bus().ok_or_else(|| fail("no bus".into()))?;
    // A cut-off file ends in an error where its data stops; what was read until then counts.
    let _ = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(30),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    let _ = pipeline.set_state(gst::State::Null);
    let seen = seen.lock().map_err(|_| fail("measurement lost".into()))?;
    Ok(seen.map(|(first, last, step)| Duration::from_nanos(last - first + step)))
}
