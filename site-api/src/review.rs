//! Legal review of major enforcement decisions (重大执法决定法制审核): what a review checks, why a
//! case is major, a review's outcome, and the agency's reviewer ratio.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The items a legal review checks (审核内容).
pub const CHECKLIST: [&str; 9] = [
    "执法主体与职权 subject and authority",
    "执法人员资格 staff qualification",
    "执法程序 procedure",
    "事实认定 facts",
    "证据 evidence",
    "法律适用 applicable law",
    "裁量基准 discretion",
    "法律文书 documents",
    "是否涉嫌犯罪需移送 whether it must be referred",
];

/// Why a case is major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MajorBecause {
    /// Its decision's kind is in the agency's catalogue.
    Catalogue,
    HearingHeld,
    LargeAmount,
    ComplexFacts,
    Referral,
}

/// What a legal review concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Pass,
    /// Returned to the handling unit for correction (退回补正).
    Return,
    Fail,
}

impl ReviewOutcome {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pass" => Some(Self::Pass),
            "return" => Some(Self::Return),
            "fail" => Some(Self::Fail),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Return => "return",
            Self::Fail => "fail",
        }
    }
}

/// One item of the checklist: whether it holds, with the reviewer's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckedItem {
    pub item: String,
    pub holds: bool,
    pub note: String,
}

/// The ratio of legal reviewers to enforcement staff of an agency; below 5 % is flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewerRatio {
    pub reviewers: i64,
    pub enforcement_staff: i64,
    pub percent: f64,
    pub below_five_percent: bool,
}

/// Where a submission for legal review (送审) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    /// With the reviewers; the review's clock runs.
    Waiting,
    /// Returned to the handling unit for more materials (补充材料); the clock stops.
    Returned,
    /// The review is recorded.
    Reviewed,
}

impl SubmissionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Returned => "returned",
            Self::Reviewed => "reviewed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "waiting" => Some(Self::Waiting),
            "returned" => Some(Self::Returned),
            "reviewed" => Some(Self::Reviewed),
            _ => None,
        }
    }
}

/// A case submitted for legal review, with its materials and when the review is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmissionView {
    pub id: i64,
    pub case_number: String,
    pub submitted_by: String,
    pub submitted_on: NaiveDate,
    /// The documents submitted (送审材料), in the order given; more are added on resubmission.
    pub materials: Vec<String>,
    /// The files submitted with them (attachments of the case), in the order given.
    #[serde(default)]
    pub attachments: Vec<i64>,
    /// The agency's review time limit when it was submitted, in working days.
    pub working_days: u32,
    /// The last day of the review; moved on when the submission comes back with materials.
    pub due_on: NaiveDate,
    pub state: SubmissionState,
    /// While returned: since when and what is missing.
    pub returned_on: Option<NaiveDate>,
    pub returned_because: Option<String>,
    /// Working days of the limit left when it was returned.
    pub days_left: Option<u32>,
}

/// `POST /api/cases/{number}/submissions` (送审) and `…/submissions/resubmit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmitForReview {
    /// The documents submitted, e.g. "调查终结报告", "听证笔录"; at least one, and every one
    /// the agency's `review_materials` requires.
    pub materials: Vec<String>,
    /// The files of the materials: attachments of the case.
    #[serde(default)]
    pub attachments: Vec<i64>,
}

/// `POST /api/cases/{number}/submissions/return`: a reviewer asks for more materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReturnForMaterials {
    /// What is missing; required.
    pub reason: String,
}

/// Reviews on an agency's due list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewsDue {
    /// Past their due date, not reviewed.
    pub overdue: Vec<SubmissionView>,
    /// With the reviewers, in time.
    pub waiting: Vec<SubmissionView>,
    /// Back with the handling unit for materials; their clock stopped.
    pub returned: Vec<SubmissionView>,
}
