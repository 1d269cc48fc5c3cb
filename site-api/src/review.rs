//! Legal review of major enforcement decisions (重大执法决定法制审核): what a review checks, why a
//! case is major, a review's outcome, and the agency's reviewer ratio.

use serde::{Deserialize, Serialize};

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
