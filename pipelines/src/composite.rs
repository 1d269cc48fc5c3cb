//! The composite ("synchronised", 同步合成) view that interview-room systems record beside the
//! cameras: the first camera full-frame, the others as small pictures in its lower right
//! corner, the room, agency and case number in the top left, the date and time to the second in
//! the bottom left, and every microphone mixed in.
//!
//! ```text
//! cam1 ─ … ─ tee(liuhen-cam1-raw) ─ queue ─┐
//! cam2 ─ … ─ tee(liuhen-cam2-raw) ─ queue ─┴─ compositor ─ caps ─ textoverlay ─ clockoverlay
//!                                              ─ videoconvert ─ x264enc ─ h264parse ─ queue ─▶
//! mic1 ─ … ─ tee(liuhen-mic1-raw) ─ queue ─┬─ audiomixer ─ audioconvert ─ … ─ opusenc ─ queue ─▶
//! mic2 ─ … ─ tee(liuhen-mic2-raw) ─ queue ─┘
//! ```

use gstreamer as gst;
use gstreamer::prelude::*;
use hardware_profiles::{CompositeSpec, RoomSpec};

use crate::PipelineError;
use crate::sources::{add_chain, caps_filter, make, raw_tee_name, time_queue};

/// The track name of the composite view's files: `composite-00000.mkv` …
pub const COMPOSITE_TRACK: &str = "composite";

/// Takes a new branch off `device`'s raw tee into `into` (a mixer's request pad `pad`), through
/// a queue of its own so that the mixer never holds the device's recording back.
fn branch(
    pipeline: &gst::Pipeline,
    device: &str,
    into: &gst::Element,
    pad: &str,
) -> Result<gst::Pad, PipelineError> {
    let build = |what: &str| PipelineError::Build(format!("composite, {device}: {what}"));
    let tee = pipeline
        .by_name(&raw_tee_name(device))
        .ok_or_else(|| build("no raw branch"))?;
    let queue = make(
        "queue",
        format!("liuhen-composite-{device}-queue"),
        "buffering",
    )?;
    pipeline.add(&queue).map_err(|e| build(&e.to_string()))?;
    tee.link(&queue).map_err(|e| build(&e.to_string()))?;
    let sink = into
        .request_pad_simple(pad)
        .ok_or_else(|| build("the mixer gave no pad"))?;
    queue
        .static_pad("src")
        .ok_or_else(|| build("queue without src pad"))?
        .link(&sink)
        .map_err(|e| build(&format!("{e:?}")))?;
    Ok(sink)
}

/// Builds the composite view; returns its encoded video and, when the room has microphones,
/// its encoded mixed audio, both ready for one segment sink.
/// `text` with the characters Pango markup gives a meaning written as entities.
pub(crate) fn markup_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// Writes `caption` (room, agency and case number) over the composite view of `pipeline`, if
/// it has one: set when the recording opens, since the view runs before (the preview).
pub(crate) fn set_caption(pipeline: &gst::Pipeline, caption: &str) {
    if let Some(text) = pipeline.by_name(CAPTION_ELEMENT) {
        // textoverlay reads its text as Pango markup: escaped, a case number with "<" or "&"
        // is shown as written instead of breaking the caption.
        text.set_property("text", markup_escaped(caption).as_str());
    }
}

const CAPTION_ELEMENT: &str = "liuhen-composite-caption";

pub(crate) fn build(
    pipeline: &gst::Pipeline,
    room: &RoomSpec,
    spec: &CompositeSpec,
) -> Result<(gst::Element, Option<gst::Element>), PipelineError> {
    let (w, h) = (spec.width as i32, spec.height as i32);
    let mix = make(
        "compositor",
        "liuhen-composite-mix".into(),
        "the composite view",
    )?;
    mix.set_property_from_str("background", "black");
    pipeline
        .add(&mix)
        .map_err(|e| PipelineError::Build(e.to_string()))?;
    // The others as quarter-size pictures, right to left along the bottom.
    let (pw, ph, margin) = (w / 4, h / 4, w / 64);
    for (i, camera) in spec.cameras.iter().enumerate() {
        let pad = branch(pipeline, camera, &mix, "sink_%u")?;
        let (x, y, width, height) = if i == 0 {
            (0, 0, w, h)
        } else {
            let i = i as i32;
            (w - i * (pw + margin), h - ph - margin, pw, ph)
        };
        pad.set_property("xpos", x);
        pad.set_property("ypos", y);
        pad.set_property("width", width);
        pad.set_property("height", height);
        pad.set_property("zorder", i as u32);
    }
    let size = gst::Caps::builder("video/x-raw")
        .field("width", w)
        .field("height", h)
        .field("framerate", gst::Fraction::new(spec.framerate as i32, 1))
        .build();
    let font = format!("Noto Sans CJK SC {}", (h / 30).max(8));
    let text = make(
        "textoverlay",
        CAPTION_ELEMENT.into(),
        "the composite's caption",
    )?;
    text.set_property_from_str("valignment", "top");
    text.set_property_from_str("halignment", "left");
    text.set_property("shaded-background", true);
    text.set_property("font-desc", font.as_str());
    let clock = make(
        "clockoverlay",
        "liuhen-composite-clock".into(),
        "the composite's clock",
    )?;
    clock.set_property("time-format", "%Y-%m-%d %H:%M:%S");
    clock.set_property_from_str("valignment", "bottom");
    clock.set_property_from_str("halignment", "left");
    clock.set_property("shaded-background", true);
    clock.set_property("font-desc", font.as_str());
    let convert = make(
        "videoconvert",
        "liuhen-composite-convert".into(),
        "video conversion",
    )?;
    let i420 = gst::Caps::builder("video/x-raw")
        .field("format", "I420")
        .build();
    let encoder = make("x264enc", "liuhen-composite-enc".into(), "H.264 encoding")?;
    encoder.set_property("bitrate", spec.bitrate_kbps);
    encoder.set_property_from_str("tune", "zerolatency");
    encoder.set_property_from_str("speed-preset", "ultrafast");
    encoder.set_property("key-int-max", (spec.framerate / 2).max(1));
    let parse = make(
        "h264parse",
        "liuhen-composite-parse".into(),
        "H.264 parsing",
    )?;
    let chain = [
        caps_filter("liuhen-composite-size".into(), size)?,
        text,
        clock,
        convert,
        caps_filter("liuhen-composite-i420".into(), i420)?,
        encoder,
        parse,
        time_queue(COMPOSITE_TRACK)?,
    ];
    let video = add_chain(pipeline, &chain)?;
    mix.link(&chain[0])
        .map_err(|e| PipelineError::Build(format!("composite: {e}")))?;

    if room.microphones.is_empty() {
        return Ok((video, None));
    }
    let audio_mix = make(
        "audiomixer",
        "liuhen-composite-audiomix".into(),
        "mixing microphones",
    )?;
    pipeline
        .add(&audio_mix)
        .map_err(|e| PipelineError::Build(e.to_string()))?;
    for mic in &room.microphones {
        branch(pipeline, &mic.id, &audio_mix, "sink_%u")?;
    }
    let convert = make(
        "audioconvert",
        "liuhen-composite-aconvert".into(),
        "audio conversion",
    )?;
    let resample = make(
        "audioresample",
        "liuhen-composite-resample".into(),
        "audio resampling",
    )?;
    let rate = gst::Caps::builder("audio/x-raw")
        .field("rate", 48_000)
        .build();
    let encoder = make("opusenc", "liuhen-composite-opus".into(), "Opus encoding")?;
    let chain = [
        convert,
        resample,
        caps_filter("liuhen-composite-rate".into(), rate)?,
        encoder,
        time_queue("composite-audio")?,
    ];
    let audio = add_chain(pipeline, &chain)?;
    audio_mix
        .link(&chain[0])
        .map_err(|e| PipelineError::Build(format!("composite audio: {e}")))?;
    Ok((video, Some(audio)))
}

#[cfg(test)]
mod tests {
    use super::markup_escaped;

    #[test]
    fn a_caption_is_shown_as_written_not_read_as_markup() {
        assert_eq!(
            markup_escaped("第一询问室 · 甲&乙局 · 罚<2026>\"1\"号"),
            "第一询问室 · 甲&amp;乙局 · 罚&lt;2026&gt;&quot;1&quot;号"
        );
        assert_eq!(markup_escaped("plain"), "plain");
    }
}
