//! Element chains for each kind of source, from the device to an encoded stream ready to mux.
//! Every element is named `liuhen-<device>-<role>` so that logs, bus messages and `.dot` dumps
//! (`GST_DEBUG_DUMP_DOT_DIR`) say which device they belong to.

use gstreamer as gst;
use gstreamer::prelude::*;
use hardware_profiles::{CameraSource, CameraSpec, MicrophoneSource, MicrophoneSpec};

use crate::PipelineError;

/// Opus is always encoded at 48 kHz, whatever the microphone captures.
const OPUS_RATE: i32 = 48_000;

/// The raw branch of a device, made by its chain when the composite view takes it.
pub(crate) fn raw_tee_name(device: &str) -> String {
    format!("liuhen-{device}-raw")
}

pub(crate) fn make(
    factory: &str,
    name: String,
    purpose: &str,
) -> Result<gst::Element, PipelineError> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .map_err(|_| PipelineError::MissingElement {
            element: factory.to_string(),
            purpose: purpose.to_string(),
        })
}

pub(crate) fn caps_filter(name: String, caps: gst::Caps) -> Result<gst::Element, PipelineError> {
    let filter = make("capsfilter", name, "fixing formats")?;
    filter.set_property("caps", &caps);
    Ok(filter)
}

/// A queue bounded by time only (3 s), so that live sources of very different bitrates never
/// block each other at the muxer.
pub(crate) fn time_queue(id: &str) -> Result<gst::Element, PipelineError> {
    let queue = make("queue", format!("liuhen-{id}-queue"), "buffering")?;
    queue.set_property("max-size-time", 3_000_000_000u64);
    queue.set_property("max-size-bytes", 0u32);
    queue.set_property("max-size-buffers", 0u32);
    Ok(queue)
}

/// Adds the chain and links it; returns the last element, whose src pad gives encoded data.
pub(crate) fn add_chain(
    pipeline: &gst::Pipeline,
    chain: &[gst::Element],
) -> Result<gst::Element, PipelineError> {
    pipeline
        .add_many(chain)
        .map_err(|err| PipelineError::Build(err.to_string()))?;
    gst::Element::link_many(chain).map_err(|err| PipelineError::Build(err.to_string()))?;
    chain
        .last()
        .cloned()
        .ok_or_else(|| PipelineError::Build("empty element chain".into()))
}

/// A raw branch for the composite view: a tee after the device's format is fixed, then a
/// queue so that the device's own encoder runs in a thread of its own.
fn raw_branch(id: &str) -> Result<[gst::Element; 2], PipelineError> {
    Ok([
        make("tee", raw_tee_name(id), "the composite view's branch")?,
        make("queue", format!("liuhen-{id}-rawqueue"), "buffering")?,
    ])
}

/// camera ─ caps ─ videoconvert ─ x264enc ─ h264parse ─ queue ─▶ (muxer)
/// With `raw_tee`, a tee after the caps feeds the composite view (see `composite`).
/// An RTSP camera's stream is recorded as it comes: see [`network_camera`].
pub(crate) fn camera(
    pipeline: &gst::Pipeline,
    cam: &CameraSpec,
    raw_tee: bool,
) -> Result<gst::Element, PipelineError> {
    let id = &cam.id;
    let p = &cam.profile;
    let src = match p.source {
        CameraSource::Rtsp => return network_camera(pipeline, cam),
        CameraSource::TestPattern => {
            let src = make(
                "videotestsrc",
                format!("liuhen-{id}-src"),
                "test-pattern cameras",
            )?;
            src.set_property("is-live", true);
            src
        }
        CameraSource::V4l2 => {
            let src = make("v4l2src", format!("liuhen-{id}-src"), "USB cameras")?;
            src.set_property("device", cam.device.as_deref().unwrap_or("/dev/video0"));
            src
        }
    };
    let framerate = i32::try_from(p.framerate).unwrap_or(25);
    // 8-bit 4:2:0: without it x264 picks 4:4:4 10-bit ("High 4:4:4"), which most players and
    // every hardware decoder refuse.
    let caps = gst::Caps::builder("video/x-raw")
        .field("format", "I420")
        .field("width", i32::try_from(p.width).unwrap_or(1280))
        .field("height", i32::try_from(p.height).unwrap_or(720))
        .field("framerate", gst::Fraction::new(framerate, 1))
        .build();
    let convert = make(
        "videoconvert",
        format!("liuhen-{id}-convert"),
        "video conversion",
    )?;
    let scale = make("videoscale", format!("liuhen-{id}-scale"), "video scaling")?;
    let rate = make("videorate", format!("liuhen-{id}-rate"), "video frame rate")?;
    let encoder = make("x264enc", format!("liuhen-{id}-enc"), "H.264 encoding")?;
    encoder.set_property("bitrate", p.bitrate_kbps);
    encoder.set_property_from_str("tune", "zerolatency");
    encoder.set_property_from_str("speed-preset", "ultrafast");
    // Two key frames a second: splitmuxsink holds a whole GOP before it writes it (it must see
    // the next key frame to know where a segment may end), so the GOP bounds what a killed
    // recorder loses.
    encoder.set_property("key-int-max", (p.framerate / 2).max(1));
    let parse = make("h264parse", format!("liuhen-{id}-parse"), "H.264 parsing")?;
    let queue = time_queue(id)?;
    let mut chain = vec![
        src,
        convert,
        scale,
        rate,
        caps_filter(format!("liuhen-{id}-caps"), caps)?,
    ];
    if raw_tee {
        chain.extend(raw_branch(id)?);
    }
    chain.extend([encoder, parse, queue]);
    add_chain(pipeline, &chain)
}

/// How long the RTSP client buffers to put packets back in order, in ms: small, because a
/// killed recorder loses what is buffered.
const RTSP_LATENCY_MS: u32 = 200;
/// An IP camera that sends nothing for this long is lost (and reconnected).
const RTSP_SILENCE_MS: i32 = 5_000;

/// rtspsrc ─ rtph264depay ─ watchdog ─ h264parse ─▶ (muxer): the camera's own H.264, not
/// re-encoded. RTSP over TCP, because a lost UDP packet is a broken picture in the record.
fn network_camera(
    pipeline: &gst::Pipeline,
    cam: &CameraSpec,
) -> Result<gst::Element, PipelineError> {
    let id = &cam.id;
    let src = make("rtspsrc", format!("liuhen-{id}-src"), "IP (RTSP) cameras")?;
    src.set_property("location", cam.device.as_deref().unwrap_or_default());
    src.set_property("latency", RTSP_LATENCY_MS);
    src.set_property_from_str("protocols", "tcp");
    let depay = make(
        "rtph264depay",
        format!("liuhen-{id}-depay"),
        "H.264 from RTSP",
    )?;
    // A camera that hangs keeps its connection open and sends nothing: without a watchdog its
    // track would stop without anyone knowing.
    let watchdog = make(
        "watchdog",
        format!("liuhen-{id}-watchdog"),
        "noticing an IP camera that stops sending",
    )?;
    watchdog.set_property("timeout", RTSP_SILENCE_MS);
    let parse = make("h264parse", format!("liuhen-{id}-parse"), "H.264 parsing")?;
    pipeline
        .add(&src)
        .map_err(|err| PipelineError::Build(err.to_string()))?;
    // No queue of ours after the parser: the jitter buffer already runs the chain in a thread
    // of its own, and splitmuxsink queues each input before its muxer. A third thread per
    // camera cost 6 % of the recorder's CPU at 64 cameras.
    let last = add_chain(pipeline, &[depay.clone(), watchdog, parse])?;
    // rtspsrc makes its pads once the camera has said what it sends: link the H.264 video one.
    let depay_sink = depay
        .static_pad("sink")
        .ok_or_else(|| PipelineError::Build("rtph264depay without a sink pad".into()))?;
    let camera = id.clone();
    src.connect_pad_added(move |src, pad| {
        let Some(caps) = pad.current_caps() else {
            return;
        };
        let Some(s) = caps.structure(0) else {
            return;
        };
        let encoding = s.get::<&str>("encoding-name").unwrap_or("?");
        if s.get::<&str>("media").ok() == Some("audio") {
            // Recorded only when the site file says the camera's microphone is used.
            let decoder = src
                .parent()
                .and_then(|p| p.downcast::<gst::Bin>().ok())
                .and_then(|bin| bin.by_name(&format!("liuhen-{camera}-audio-decode")))
                .and_then(|d| d.static_pad("sink"));
            if let Some(sink) = decoder
                && !sink.is_linked()
            {
                let _ = pad.link(&sink);
            }
            return;
        }
        if encoding == "H264" {
            if !depay_sink.is_linked() {
                let _ = pad.link(&depay_sink);
            }
        } else {
            gst::element_error!(
                src,
                gst::StreamError::WrongType,
                (
                    "camera {camera} sends {encoding} video; Liuhen records IP cameras as they send, and only H.264: set the camera's video encoding to H.264 in its web settings"
                )
            );
        }
    });
    Ok(last)
}

/// An IP camera's own microphone, as the camera sends it (AAC, G.711 or another codec
/// GStreamer decodes): decoded and encoded to Opus like every microphone, into the camera's
/// track. The camera's audio pad is linked to it when the stream starts.
///
/// (rtspsrc audio pad) ▷ decodebin ─ audioconvert ─ audioresample ─ caps ─ opusenc ─ queue
pub(crate) fn network_camera_audio(
    pipeline: &gst::Pipeline,
    cam: &CameraSpec,
) -> Result<gst::Element, PipelineError> {
    let id = format!("{}-audio", cam.id);
    let decode = make(
        "decodebin",
        format!("liuhen-{id}-decode"),
        "decoding an IP camera's sound",
    )?;
    let convert = make(
        "audioconvert",
        format!("liuhen-{id}-convert"),
        "audio conversion",
    )?;
    let encode = gst::Caps::builder("audio/x-raw")
        .field("rate", OPUS_RATE)
        .build();
    let chain = [
        convert.clone(),
        make(
            "audioresample",
            format!("liuhen-{id}-resample"),
            "audio resampling",
        )?,
        caps_filter(format!("liuhen-{id}-enccaps"), encode)?,
        make("opusenc", format!("liuhen-{id}-enc"), "Opus encoding")?,
        time_queue(&id)?,
    ];
    pipeline
        .add(&decode)
        .map_err(|err| PipelineError::Build(err.to_string()))?;
    let last = add_chain(pipeline, &chain)?;
    let convert_sink = convert
        .static_pad("sink")
        .ok_or_else(|| PipelineError::Build("audioconvert without a sink pad".into()))?;
    decode.connect_pad_added(move |_, pad| {
        if !convert_sink.is_linked() {
            let _ = pad.link(&convert_sink);
        }
    });
    Ok(last)
}

/// A microphone's `level` element is named `liuhen-<mic id>-level`, so its messages name the mic.
pub(crate) fn level_element_mic(element: &str) -> Option<&str> {
    element.strip_prefix("liuhen-")?.strip_suffix("-level")
}
const LEVEL_INTERVAL_NS: u64 = 500_000_000;

/// microphone ─ caps ─ audioconvert ─ audioresample ─ level ─ opusenc ─ queue ─▶ (muxer)
/// With `raw_tee`, a tee after the level feeds the composite view's mix.
pub(crate) fn microphone(
    pipeline: &gst::Pipeline,
    mic: &MicrophoneSpec,
    raw_tee: bool,
) -> Result<gst::Element, PipelineError> {
    let id = &mic.id;
    let p = &mic.profile;
    let src = match p.source {
        MicrophoneSource::TestTone => {
            let src = make(
                "audiotestsrc",
                format!("liuhen-{id}-src"),
                "test-tone microphones",
            )?;
            src.set_property("is-live", true);
            src
        }
        MicrophoneSource::TestSilence => {
            let src = make(
                "audiotestsrc",
                format!("liuhen-{id}-src"),
                "test microphones",
            )?;
            src.set_property("is-live", true);
            src.set_property_from_str("wave", "silence");
            src
        }
        MicrophoneSource::Alsa => {
            let src = make("alsasrc", format!("liuhen-{id}-src"), "ALSA microphones")?;
            src.set_property("device", mic.device.as_deref().unwrap_or("default"));
            src
        }
    };
    let capture = gst::Caps::builder("audio/x-raw")
        .field("rate", i32::try_from(p.rate).unwrap_or(OPUS_RATE))
        .field("channels", i32::try_from(p.channels).unwrap_or(1))
        .build();
    let encode = gst::Caps::builder("audio/x-raw")
        .field("rate", OPUS_RATE)
        .build();
    let convert = make(
        "audioconvert",
        format!("liuhen-{id}-convert"),
        "audio conversion",
    )?;
    let resample = make(
        "audioresample",
        format!("liuhen-{id}-resample"),
        "audio resampling",
    )?;
    let level = make("level", format!("liuhen-{id}-level"), "microphone levels")?;
    // Twice a second: enough for a live meter, little enough to pass between processes.
    level.set_property("interval", LEVEL_INTERVAL_NS);
    let encoder = make("opusenc", format!("liuhen-{id}-enc"), "Opus encoding")?;
    let queue = time_queue(id)?;
    let mut chain = vec![
        src,
        caps_filter(format!("liuhen-{id}-caps"), capture)?,
        convert,
        resample,
        level,
    ];
    if raw_tee {
        chain.extend(raw_branch(id)?);
    }
    chain.extend([
        caps_filter(format!("liuhen-{id}-enccaps"), encode)?,
        encoder,
        queue,
    ]);
    add_chain(pipeline, &chain)
}
