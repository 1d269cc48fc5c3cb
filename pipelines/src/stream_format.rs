//! What a stream is as it reaches the file: read from the caps at the muxer's input, so the
//! manifest states what was recorded (an RTSP camera sending 1280×720 is written down as
//! 1280×720), not what the device profile expected.

use gstreamer as gst;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamFormat {
    /// The caps' media type, e.g. `video/x-h264`, `audio/x-opus`.
    pub codec: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i32>,
    /// Frames a second as a fraction, e.g. `25/1` (`0/1`: variable, as some cameras send).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framerate: Option<String>,
    /// The H.264 profile, e.g. `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Samples a second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<i32>,
}

impl StreamFormat {
    /// The format the first structure of `caps` describes; `None` for empty caps.
    pub fn of_caps(caps: &gst::CapsRef) -> Option<Self> {
        let s = caps.structure(0)?;
        Some(Self {
            codec: s.name().to_string(),
            width: s.get::<i32>("width").ok(),
            height: s.get::<i32>("height").ok(),
            framerate: s
                .get::<gst::Fraction>("framerate")
                .ok()
                .map(|f| format!("{}/{}", f.numer(), f.denom())),
            profile: s.get::<String>("profile").ok(),
            rate: s.get::<i32>("rate").ok(),
            channels: s.get::<i32>("channels").ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_and_audio_caps_are_read_as_recorded() {
        crate::init().expect("gstreamer");
        let video: gst::Caps =
            "video/x-h264, width=(int)1280, height=(int)720, framerate=(fraction)25/1, profile=(string)high"
                .parse()
                .expect("caps");
        let format = StreamFormat::of_caps(&video).expect("a format");
        assert_eq!(format.codec, "video/x-h264");
        assert_eq!((format.width, format.height), (Some(1280), Some(720)));
        assert_eq!(format.framerate.as_deref(), Some("25/1"));
        assert_eq!(format.profile.as_deref(), Some("high"));
        assert_eq!(format.rate, None);

        let audio: gst::Caps = "audio/x-opus, rate=(int)48000, channels=(int)1"
            .parse()
            .expect("caps");
        let format = StreamFormat::of_caps(&audio).expect("a format");
        assert_eq!((format.rate, format.channels), (Some(48000), Some(1)));
        assert_eq!(format.width, None);
        assert!(StreamFormat::of_caps(&gst::Caps::new_empty()).is_none());
    }
}
