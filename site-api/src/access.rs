//! Access to recordings by people outside the team that produced them (the case's handler and
//! whoever recorded its sessions): a stated purpose always, an approval where the agency or the
//! case's confidentiality requires one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What someone does with a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingUse {
    /// Read the session: its segments, events and markers.
    View,
    /// Take a copy: the case-file package.
    Export,
}

impl RecordingUse {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Export => "export",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "view" => Some(Self::View),
            "export" => Some(Self::Export),
            _ => None,
        }
    }
}

/// The query of a view or an export: why the caller needs the recording. The team that
/// produced it may leave it out; anyone else must say.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, utoipa::IntoParams,
)]
#[into_params(parameter_in = Query)]
pub struct StatedPurpose {
    /// e.g. "行政复议答复需要 reply to an administrative reconsideration".
    #[serde(default)]
    pub purpose: Option<String>,
}

/// `POST /api/sessions/{id}/access-requests`: ask to view or export a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequestAccess {
    #[serde(rename = "use")]
    pub what: RecordingUse,
    pub purpose: String,
}

/// `POST /api/access-requests/{id}`: an approver's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecideAccess {
    pub approve: bool,
    /// Why, especially when refused.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Pending,
    Approved,
    Refused,
}

/// A request to view or export a recording, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessRequestView {
    pub id: i64,
    /// The room session asked for, or
    #[serde(default)]
    pub session_id: Option<i64>,
    /// the collected body-worn camera file asked for.
    #[serde(default)]
    pub footage_id: Option<i64>,
    /// The case of what is asked for (empty for footage linked to no case).
    pub case_number: String,
    pub requested_by: String,
    #[serde(rename = "use")]
    pub what: RecordingUse,
    pub purpose: String,
    pub requested_at: DateTime<Utc>,
    pub state: RequestState,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub note: String,
}

/// The longest purpose a caller may state, in characters: enough to say why, too short to fill
/// the access log's disk.
pub const PURPOSE_MAX_CHARS: usize = 200;

/// How long an approval lets its requester at the recording.
pub const APPROVAL_VALID_DAYS: i64 = 7;

/// An agency's rule for access to its recordings from outside the producing team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessPolicy {
    /// Every such access needs an approved request, whatever the case's confidentiality.
    pub approval_required: bool,
    /// The staff (ids) who approve requests.
    pub approvers: Vec<String>,
}
