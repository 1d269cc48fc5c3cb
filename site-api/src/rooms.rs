//! Rooms as their door panels and clerk panels see them: kind, the session holding the room,
//! the light, and each camera and microphone now.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{BookingView, SessionSummary, SessionView};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// 询问室
    Interview,
    /// 听证室
    Hearing,
}

impl RoomKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interview => "interview",
            Self::Hearing => "hearing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "interview" => Some(Self::Interview),
            "hearing" => Some(Self::Hearing),
            _ => None,
        }
    }
}

/// What a door panel and a room list show of a room. Never the party's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoomView {
    pub id: String,
    pub name: String,
    pub kind: RoomKind,
    /// The session holding the room now, if any: a live one, or the room's last session when a
    /// crash interrupted it and it is neither resumed nor closed yet.
    pub session: Option<SessionSummary>,
    /// The room's "recording" light, when it has one.
    #[serde(default)]
    pub light: Option<LightStatus>,
    /// Each camera and microphone of the room and how it is doing now.
    #[serde(default)]
    pub sources: Vec<SourceStatus>,
    /// Whether a clerk may pause a session in this room (the site file's `pause_allowed`).
    #[serde(default)]
    pub pause_allowed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Camera,
    Microphone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceState {
    /// The room is not recording, and shows nothing of its devices (no preview runs yet, or
    /// the room's preview is off).
    Idle,
    /// The room is not recording; its preview runs, so the device works (a microphone's level
    /// is shown).
    Ready,
    /// The room is not recording, and its preview failed on this device: what is wrong is in
    /// `alarm`. The preview is tried again; a start tries the device again at once.
    Fault,
    /// Recording, and (for a microphone) hearing sound.
    Ok,
    /// A microphone that has heard nothing for longer than its profile allows.
    Silent,
    /// A network camera that stopped sending: it is being reconnected, and its track has a gap
    /// until it is back. The other sources go on recording.
    Lost,
}

/// One camera or microphone of a room, as the running controller sees it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SourceStatus {
    pub id: String,
    pub kind: SourceKind,
    /// The device profile, e.g. "usb-uvc-720p".
    pub profile: String,
    pub state: SourceState,
    /// A microphone's loudest sample over the last half second, in dBFS (0 is full scale),
    /// while recording or previewing.
    pub level_db: Option<f64>,
    /// What is wrong, in words for the clerk, while it is.
    pub alarm: Option<String>,
    /// The series of files this source is written into (a microphone shares its camera's).
    #[serde(default)]
    pub track: Option<String>,
    /// While recording: the number of the segment file being written now.
    #[serde(default)]
    pub segment: Option<i64>,
    /// While recording: bytes of this source's track written since the recording started (or
    /// last resumed).
    #[serde(default)]
    pub recorded_bytes: u64,
    /// While recording: the track's bitrate over its last finished segment.
    #[serde(default)]
    pub bitrate_kbps: Option<u32>,
}

/// What the room's light is told to show, and whether the light can be reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LightStatus {
    /// True while it is told to show "recording"; false for "free"; None before the first command.
    pub on: Option<bool>,
    /// Why the light cannot be driven now (port gone, no reply), in words for the clerk.
    pub fault: Option<String>,
}

/// What a room's clerk panel shows: the room, the latest session of the clerk's agency in it
/// (without its segment list: the panel is not an access to the recording), and the agency's
/// next booking of the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClerkView {
    pub room: RoomView,
    pub session: Option<SessionView>,
    pub next_booking: Option<BookingView>,
    /// Free space of the media disk, in MB, and about how many minutes of this room it holds.
    pub disk_free_mb: u64,
    pub disk_minutes_left: u64,
}
