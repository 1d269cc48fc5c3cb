//! Rooms described in code instead of a site file: for benches, tests and programs that embed
//! the recorder. Only test devices, which every machine has.

use crate::{
    CameraProfile, CameraSource, CameraSpec, MicrophoneProfile, MicrophoneSource, MicrophoneSpec,
    RoomKind, RoomSpec,
};

impl CameraSpec {
    /// A `videotestsrc` camera of the given size, frame rate and bitrate.
    pub fn test_pattern(id: &str, width: u32, height: u32, framerate: u32, kbps: u32) -> Self {
        Self {
            id: id.into(),
            profile_id: "test-pattern".into(),
            profile: CameraProfile {
                source: CameraSource::TestPattern,
                width,
                height,
                framerate,
                bitrate_kbps: kbps,
            },
            device: None,
            audio: false,
        }
    }
}

impl MicrophoneSpec {
    /// An `audiotestsrc` tone, mono at 48 kHz, with a profile's default silence alarm.
    pub fn test_tone(id: &str) -> Self {
        Self {
            id: id.into(),
            profile_id: "test-tone".into(),
            profile: MicrophoneProfile {
                source: MicrophoneSource::TestTone,
                rate: 48_000,
                channels: 1,
                silence_alarm_seconds: crate::profile::default_silence_alarm_seconds(),
                silence_below_db: crate::profile::default_silence_below_db(),
            },
            device: None,
        }
    }
}

impl RoomSpec {
    /// An interview room of agency "a" with these devices, no light, no composite view and no
    /// pauses.
    pub fn interview(
        id: &str,
        segment_seconds: u32,
        cameras: Vec<CameraSpec>,
        microphones: Vec<MicrophoneSpec>,
    ) -> Self {
        Self {
            id: id.into(),
            name: id.into(),
            kind: RoomKind::Interview,
            agencies: vec!["a".into()],
            segment_seconds,
            pause_allowed: false,
            preview: true,
            composite: None,
            cameras,
            microphones,
            indicator: None,
        }
    }
}
