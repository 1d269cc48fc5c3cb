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
    Ok(MediaInfo {
        duration: info.duration().map(|d| Duration::from_nanos(d.nseconds())),
        video,
        audio,
    })
}
