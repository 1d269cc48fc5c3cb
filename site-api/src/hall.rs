//! The service hall (取号叫号): tickets, windows, calls, ratings and statistics.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::StaffView;

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

/// Everything the hall's screens show: the queue per service, each window with who serves
/// there and what it calls now, and the latest calls. One document, pushed as `Topic::Hall`.
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
    /// The caller (a staff member's token) is on duty here from now on. Only staff of an agency
    /// whose services the window serves; not while someone else is signed in here.
    SignIn,
    /// The caller leaves the window; nobody is on duty there until the next sign-in.
    SignOut,
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

/// One ticket of a day as the hall's ledger (台账) keeps it: `GET /api/hall/history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TicketRecord {
    /// Ascending in issue order, never reused; page on with `?after=<id>`.
    pub id: i64,
    pub number: String,
    pub service_id: String,
    pub service_name: String,
    pub priority: Priority,
    pub state: TicketState,
    /// The window it was last called to, if any.
    pub window_id: Option<String>,
    /// The staff member who last called it, if any.
    pub staff_id: Option<String>,
    pub calls: i64,
    pub issued_at: String,
    pub called_at: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
}

/// The query of `GET /api/hall/history`: one page of a day's tickets, in issue order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HallHistoryQuery {
    /// The day, YYYY-MM-DD; today when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
    /// Only tickets after this one (the `id` of the last ticket of the previous page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    /// At most this many tickets (default and most: [`HALL_HISTORY_PAGE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// The longest page of the hall's history one call returns: a busy hall issues thousands of
/// tickets a day.
pub const HALL_HISTORY_PAGE: u32 = 1000;

/// The query of `GET /api/hall/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The day, YYYY-MM-DD; today when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<String>,
}
