//! The site API's types, shared by the controller (which serves them) and the kiosk (which
//! reads them), so that both sides always agree on the wire format.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::publicity::ActionType;

mod access;
pub use access::{
    AccessRequestView, DecideAccess, RecordingUse, RequestAccess, RequestState, StatedPurpose,
};
mod cases;
pub use cases::{
    AgencyDue, ArchiveStep, CaseView, DecisionView, PrepareCase, PublicationStep, RecordDecision,
    ReviewCase, ReviewView,
};
mod publicity;
pub use publicity::{
    AgencyPublicity, AgencyPublicityView, EnforcementItem, PublicityView, PublishedDecision,
    RandomInspection, RemedyChannels, ServiceGuide,
};

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
    /// The room is not recording.
    Idle,
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
    /// while recording.
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

/// A clerk's request to book a room for a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewBooking {
    pub case_number: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A booking as a caller may see it: the case number only for the caller's own agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BookingView {
    pub id: i64,
    pub room_id: String,
    pub agency_name: String,
    pub case_number: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
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

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A public screen: sees rooms and what is public, never a session's records.
    Kiosk,
    /// A clerk of one agency: records and reads that agency's sessions only.
    Clerk,
    /// Site administration; reads no agency's recordings.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Clerk => "clerk",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "kiosk" => Some(Self::Kiosk),
            "clerk" => Some(Self::Clerk),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// What a staff member does at the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Records hearings and interviews, serves at a window.
    Clerk,
    /// Looks after rooms and devices.
    Facilities,
    /// Reviews major decisions (法制审核).
    Reviewer,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Facilities => "facilities",
            Self::Reviewer => "reviewer",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "clerk" => Some(Self::Clerk),
            "facilities" => Some(Self::Facilities),
            "reviewer" => Some(Self::Reviewer),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// A staff member as the public may see them (行政执法人员信息公示): at windows, on screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffView {
    pub id: String,
    pub agency_id: String,
    pub agency_name: String,
    pub name: String,
    /// 行政执法证件号.
    pub credential_number: String,
    /// 执法类别, e.g. ["市场监管"].
    pub categories: Vec<String>,
    pub role: StaffRole,
    /// The photo is served at `/api/staff/{id}/photo`.
    pub has_photo: bool,
}

/// Who is calling, as their token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Caller {
    /// The token's name, e.g. "王芳 (clerk)" or "door interview-1".
    pub name: String,
    pub role: Role,
    /// The agency a clerk acts for.
    pub agency_id: Option<String>,
    /// The staff member the token stands for, as "name（执法证 number）".
    #[serde(default)]
    pub staff: Option<String>,
    /// That staff member's id: the one who signs in at a counter and is rated for its service.
    #[serde(default)]
    pub staff_id: Option<String>,
}

impl Caller {
    /// Who did something, for the records: the staff member, else the token's name.
    pub fn who(&self) -> &str {
        self.staff.as_deref().unwrap_or(&self.name)
    }
}

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub who: String,
    pub agency_id: Option<String>,
    pub action: String,
    pub target: String,
    pub allowed: bool,
    /// Why it was refused; empty when allowed.
    pub reason: String,
    /// Why the caller accessed it, as they stated it.
    #[serde(default)]
    pub purpose: String,
}

/// A live change, pushed to displays on `/api/events` (server-sent events). Deliberately
/// small: it names what changed, and the display fetches that room's state. `seq` grows by one
/// per event; a gap means missed events, and the display fetches everything again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LiveEvent {
    pub seq: u64,
    pub room: String,
}

/// The body of every error answer: one sentence that says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    pub error: String,
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

// ── Service hall ─────────────────────────────────────────────────────────────────────────────

/// Who may go first (绿色通道): anyone but `Ordinary` is called before ordinary tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Ordinary,
    Elderly,
    Disabled,
    Appointment,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::Elderly => "elderly",
            Self::Disabled => "disabled",
            Self::Appointment => "appointment",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ordinary" => Self::Ordinary,
            "elderly" => Self::Elderly,
            "disabled" => Self::Disabled,
            "appointment" => Self::Appointment,
            _ => return None,
        })
    }
}

/// Where a ticket is. `Closed` is a ticket still open when its day ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    Called,
    Serving,
    Held,
    Done,
    NoShow,
    Closed,
}

impl TicketState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Held => "held",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "serving" => Self::Serving,
            "held" => Self::Held,
            "done" => Self::Done,
            "no_show" => Self::NoShow,
            "closed" => Self::Closed,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    /// "A023": the service's prefix and the day's number.
    pub number: String,
    pub service_id: String,
    pub service_name: String,
    pub priority: Priority,
    pub state: TicketState,
    /// The window it is called to or served at (or reserved for, after a transfer).
    pub window_id: Option<String>,
    /// How many times it was called (recalls included).
    pub calls: i64,
    /// Waiting tickets that will be called before it, when it was issued or looked at.
    pub people_ahead: i64,
    /// Estimated minutes until it is called, from recent service times.
    pub estimated_wait_minutes: i64,
    pub issued_at: String,
}

/// The five national levels of 政务服务"好差评".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingLevel {
    /// 非常满意
    VerySatisfied,
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意
    Dissatisfied,
    /// 非常不满意
    VeryDissatisfied,
}

impl RatingLevel {
    /// 5 for 非常满意 down to 1 for 非常不满意.
    pub fn score(self) -> i64 {
        match self {
            Self::VerySatisfied => 5,
            Self::Satisfied => 4,
            Self::BasicallySatisfied => 3,
            Self::Dissatisfied => 2,
            Self::VeryDissatisfied => 1,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::BasicallySatisfied => "基本满意",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }

    /// A bad rating (差评) must be followed up.
    pub fn is_bad(self) -> bool {
        self.score() <= 2
    }
}

/// The topic of hall changes on `/api/events`: a `LiveEvent` whose `room` is this names the
/// service hall (queue, windows, calls), not a room. Room ids cannot start with '@'.
pub const HALL_TOPIC: &str = "@hall";

/// Everything the hall's screens show: the queue per service, each window with who serves
/// there and what it calls now, and the latest calls. One document, pushed as `HALL_TOPIC`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HallView {
    pub site_name: String,
    /// The local day the numbers belong to, YYYY-MM-DD.
    pub day: String,
    pub services: Vec<ServiceQueue>,
    pub windows: Vec<WindowView>,
    /// The latest calls, newest first.
    pub recent_calls: Vec<CallView>,
    /// Where to ask (咨询), e.g. "服务台 · 咨询电话 12345".
    pub consult: String,
    /// Where to complain (投诉), e.g. "投诉监督电话 12345".
    pub complain: String,
    /// The agencies' notices for the hall board's rotating panel.
    pub notices: Vec<String>,
}

/// One service (business item) and its queue today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceQueue {
    pub id: String,
    pub name: String,
    pub agency_name: String,
    pub prefix: String,
    pub waiting: i64,
    /// Numbers of the windows that serve it.
    pub windows: Vec<u32>,
    /// Issuing hours, "09:00"–"17:00".
    pub opens: String,
    pub closes: String,
    /// Tickets still to be had today under the daily cap; `None` without a cap.
    pub remaining: Option<i64>,
    /// Whether a ticket can be taken now (within hours and under the cap).
    pub issuing: bool,
}

/// A window (counter) as its screen and the hall board show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WindowView {
    pub id: String,
    pub number: u32,
    pub name: String,
    /// Where it is in the hall, e.g. "一楼东侧".
    pub location: String,
    /// The names of the services it handles.
    pub services: Vec<String>,
    /// The staff member on duty, as the public may see them (name, photo, credential).
    pub staff: Option<StaffView>,
    pub paused: bool,
    /// The ticket called to it or being served there.
    pub current: Option<TicketView>,
    /// Tickets waiting that this window may call.
    pub waiting: i64,
    /// Numbers set aside here (挂起) today, to be called back by number.
    #[serde(default)]
    pub held: Vec<String>,
}

/// One call of a ticket to a window, as the hall board shows and announces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallView {
    /// Grows with every call (recalls included): what a board has already announced.
    pub call_id: i64,
    pub number: String,
    pub window_number: u32,
    pub window_name: String,
    pub at: String,
    pub recall: bool,
}

/// Body of `POST /api/hall/tickets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TakeTicket {
    pub service_id: String,
    #[serde(default = "ordinary")]
    pub priority: Priority,
}

fn ordinary() -> Priority {
    Priority::Ordinary
}

/// Body of `POST /api/hall/windows/{id}`: what the staff member at the counter does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CounterAction {
    /// The caller (a staff member's token) is on duty here from now on.
    SignIn,
    Pause,
    Resume,
    CallNext,
    /// Call a given waiting or held ticket by its number.
    Call {
        number: String,
    },
    Recall,
    /// Set the current ticket aside (挂起); call it again by number.
    Hold {
        #[serde(default)]
        reason: String,
    },
    Transfer {
        #[serde(default)]
        service_id: Option<String>,
        #[serde(default)]
        window_id: Option<String>,
    },
    NoShow,
    Start,
    Done,
}

/// Body of `POST /api/hall/tickets/{id}/rating`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RateService {
    pub level: RatingLevel,
    #[serde(default)]
    pub comment: String,
}

/// One line of the hall's statistics: a service, a window or a staff member on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatLine {
    /// The service, window or staff member's id.
    pub id: String,
    pub name: String,
    pub issued: i64,
    pub done: i64,
    pub no_show: i64,
    /// From taking the number to the first call, for tickets that were called.
    pub average_wait_minutes: Option<f64>,
    /// From start to done.
    pub average_service_minutes: Option<f64>,
    pub ratings: i64,
    /// 5 = 非常满意 … 1 = 非常不满意.
    pub average_rating: Option<f64>,
    pub bad_ratings: i64,
}

/// The hall's statistics for a day (`GET /api/hall/stats`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HallStats {
    pub day: String,
    pub services: Vec<StatLine>,
    pub windows: Vec<StatLine>,
    pub staff: Vec<StatLine>,
    /// Bad ratings whose follow-up is still open, by ticket id.
    pub open_follow_ups: Vec<i64>,
}

/// Body of `POST /api/hall/follow-ups/{ticket}`: how a bad rating was followed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CloseFollowUp {
    /// Who contacted the person, how and when.
    #[serde(default)]
    pub contact: String,
    /// What was put right (整改).
    #[serde(default)]
    pub rectification: String,
    /// The outcome; required.
    pub outcome: String,
}
