//! A recorded session of a case in a room: its life (`SessionState` and its legal
//! transitions), what a clerk asks to start one, and how the case file sees it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ActionType;

fn other_action() -> ActionType {
    ActionType::Other
}

/// Where a recorded session is in its life. The controller derives it from the pipeline's own
/// messages, never from a button press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// The pipeline is being built and started; nothing is written yet.
    Starting,
    /// Media is being written to disk.
    Recording,
    /// End of stream was sent; the last segment is being closed.
    Stopping,
    /// Stopped by the clerk; every segment is closed and hashed.
    Finished,
    /// Paused by the clerk where the room allows it: every file so far is closed and hashed,
    /// nothing is written, and the session holds its room until it is resumed or stopped.
    Paused,
    /// The recorder died (killed, power lost) while recording; closed segments are kept.
    Interrupted,
    /// The recording could not start or broke; the reason is kept with the session.
    Failed,
}

impl SessionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Recording => "recording",
            Self::Stopping => "stopping",
            Self::Finished => "finished",
            Self::Paused => "paused",
            Self::Interrupted => "interrupted",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "starting" => Self::Starting,
            "recording" => Self::Recording,
            "stopping" => Self::Stopping,
            "finished" => Self::Finished,
            "paused" => Self::Paused,
            "interrupted" => Self::Interrupted,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    /// A session in one of these states has a recorder running.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Starting | Self::Recording | Self::Stopping)
    }

    /// A session in one of these states holds its room: nobody else may start one there until
    /// it is stopped (or, when paused or interrupted, resumed and stopped).
    pub fn holds_room(self) -> bool {
        Self::HOLDING_ROOM.contains(&self)
    }

    /// The states that hold a room, for SQL: `state IN (…)`.
    pub const HOLDING_ROOM: [SessionState; 5] = [
        Self::Starting,
        Self::Recording,
        Self::Stopping,
        Self::Paused,
        Self::Interrupted,
    ];

    /// Whether a session may move from this state to `next`. Finished and failed are final;
    /// any live state may fail or be found interrupted after a crash; a recording may be paused
    /// (its files closed); a paused or interrupted session may be resumed (back to starting) or
    /// closed as it is (finished, without resuming).
    pub fn can_become(self, next: Self) -> bool {
        use SessionState::*;
        matches!(
            (self, next),
            (Starting, Recording)
                | (Recording, Stopping | Paused)
                | (Stopping, Finished)
                | (Paused | Interrupted, Starting | Finished)
                | (Starting | Recording | Stopping, Failed | Interrupted)
        )
    }
}

/// The public part of a session: enough for the door and the hall, nothing private.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionSummary {
    pub id: i64,
    pub state: SessionState,
    pub agency_name: String,
    pub case_number: String,
    pub started_at: Option<DateTime<Utc>>,
}

/// A clerk's request to start recording a case in a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StartSession {
    /// The case number as the agency writes it, e.g. "京市监罚〔2026〕12号".
    pub case_number: String,
    /// The agency the session belongs to. The clerk's token decides it; when given, it must
    /// be the token's agency.
    #[serde(default)]
    pub agency_id: Option<String>,
    /// The kind of action the case is; kept with the case (default: other).
    #[serde(default)]
    pub action_type: Option<ActionType>,
    /// The party (当事人), for the case file only: never shown on public screens.
    #[serde(default)]
    pub party: Option<String>,
}

/// A clerk's marker in a running session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AddMarker {
    /// What happened, e.g. "已告知当事人权利义务"; 1 to 200 characters.
    pub text: String,
}

/// A session with its closed segments: what the case file needs to know of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub room_id: String,
    pub agency_id: String,
    pub agency_name: String,
    pub case_number: String,
    pub state: SessionState,
    /// Why the session failed, in words for the clerk.
    pub failure: Option<String>,
    /// Devices and format, as the pipeline reported them when it was built.
    #[schema(value_type = Object)]
    pub recorded_with: serde_json::Value,
    /// Folder of the session's media, relative to the site's media root.
    pub media_dir: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Who started it: a staff member's name and credential number, or the token's name.
    #[serde(default)]
    pub started_by: String,
    /// The case's kind of action and its party (当事人); the party only ever reaches the
    /// agency's own clerks.
    #[serde(default = "other_action")]
    pub action_type: ActionType,
    #[serde(default)]
    pub party: String,
    pub segments: Vec<SegmentView>,
    pub events: Vec<EventView>,
}

/// One closed media file of a session and its place in the hash chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SegmentView {
    pub track: String,
    pub seq: i64,
    /// File name inside the session's media folder.
    pub file: String,
    pub size_bytes: i64,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub sha256: String,
    /// The chain link that commits to this segment and every one before it.
    pub link: String,
    /// The recorder died while this segment was open; it was closed on recovery.
    pub recovered: bool,
    /// SHA-256 of the copy in the site's backup folder, read back after writing; equal to
    /// `sha256` when the copy is good. None without a backup copy.
    #[serde(default)]
    pub backup_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub kind: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::SessionState::{self, *};

    const ALL: [SessionState; 7] = [
        Starting,
        Recording,
        Stopping,
        Finished,
        Paused,
        Interrupted,
        Failed,
    ];

    #[test]
    fn every_transition_is_legal_or_refused_as_written_down() {
        let legal = [
            (Starting, Recording),
            (Starting, Failed),
            (Starting, Interrupted),
            (Recording, Stopping),
            (Recording, Paused),
            (Recording, Failed),
            (Recording, Interrupted),
            (Stopping, Finished),
            (Stopping, Failed),
            (Stopping, Interrupted),
            (Paused, Starting),
            (Paused, Finished),
            (Interrupted, Starting),
            (Interrupted, Finished),
        ];
        for from in ALL {
            for to in ALL {
                assert_eq!(
                    from.can_become(to),
                    legal.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn states_read_back_as_written() {
        for state in ALL {
            assert_eq!(SessionState::parse(state.as_str()), Some(state));
        }
        assert_eq!(SessionState::parse("suspended"), None);
    }
}
