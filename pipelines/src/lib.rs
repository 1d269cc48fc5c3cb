//! Liuhen's recording pipelines: GStreamer graphs built from a room's profiles that write every
//! camera and microphone into segmented, crash-safe files (named as the `evidence` crate says),
//! and media probing. Hashing, the chain and the manifest are the `evidence` crate's.
//!
//! This crate knows GStreamer and nothing of SQL or HTTP. A [`Recorder`] is driven by its bus:
//! the caller reads [`RecorderEvent`]s from [`Recorder::events`] and treats them as the only
//! truth about what is being written. [`check_camera`] and [`check_microphone`] try a device
//! through the same chain a recording uses.

mod composite;
mod device_check;
mod error;
mod gate;
mod media_info;
mod recorder;
mod sources;
mod stream_format;

pub use composite::COMPOSITE_TRACK;
pub use device_check::{check_camera, check_microphone};
pub use error::PipelineError;
pub use media_info::{AudioStream, MediaInfo, VideoStream, media_span, probe};
pub use recorder::{Destination, Recorder, RecorderEvent, RecorderEvents, Track, plan_tracks};
pub use stream_format::StreamFormat;

/// Initialises GStreamer once per process; later calls are cheap.
pub fn init() -> Result<(), PipelineError> {
    gstreamer::init().map_err(|err| PipelineError::Init(err.to_string()))
}
