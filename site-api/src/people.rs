//! Who acts at the site: a token's role, a staff member's role, a staff member as the public
//! may see them, and the caller a request comes from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// The justice bureau's enforcement supervision (司法局 执法监督): reads every agency's due
    /// lists, ledgers and access log, site-wide, and changes nothing.
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Clerk => "clerk",
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "kiosk" => Some(Self::Kiosk),
            "clerk" => Some(Self::Clerk),
            "admin" => Some(Self::Admin),
            "supervisor" => Some(Self::Supervisor),
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
    /// Outside legal counsel or a public lawyer (法律顾问、公职律师) who reviews for the agency;
    /// not counted in the agency's reviewer ratio.
    Counsel,
    /// The agency's head (负责人), who approves major decisions after their review.
    Head,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Facilities => "facilities",
            Self::Reviewer => "reviewer",
            Self::Counsel => "counsel",
            Self::Head => "head",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "clerk" => Some(Self::Clerk),
            "facilities" => Some(Self::Facilities),
            "reviewer" => Some(Self::Reviewer),
            "counsel" => Some(Self::Counsel),
            "head" => Some(Self::Head),
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

/// The query of `GET /api/staff`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Only this agency's staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}
