//! A case's three-systems records through the API: what the handling unit says about it, its
//! legal review (法制审核), its decision and that decision's publication (事后公示), and its
//! archiving (归档). Dates are local days, YYYY-MM-DD.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ActionType, ArchiveItem, ArchivePart, AttachmentView, CaseStepView, CheckedItem,
    Confidentiality, MajorBecause, Publication, PublicityDue, ReviewOutcome, ReviewerRatio,
    ReviewsDue, SubmissionView,
};

/// `PUT /api/cases/{number}`: what the handling unit says about a case before its decision. A
/// field left out is not changed; a case that does not exist yet is made. Loosening what
/// protects a case (lowering its secrecy, clearing "minor", clearing a reason that makes it
/// major) and changing its producing team once named are for the agency's approvers only; every
/// change is kept in the case's history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrepareCase {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_type: Option<ActionType>,
    /// The party's name, as in the decision (a person's is masked when published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<String>,
    /// The party is an organisation (shown in full when published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<bool>,
    /// The party is a minor: the decision is never published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidentiality: Option<Confidentiality>,
    /// A trade secret or personal privacy case that may be published once redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishable_after_redaction: Option<bool>,
    /// The decision's kind, as the agency's catalogue of major decisions names kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_kind: Option<String>,
    /// The staff member handling the case (承办人); never its reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler_id: Option<String>,
    /// The other staff handling it with them (协办人); with the handler, the producing team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_handlers: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hearing_held: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large_amount: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complex_facts: Option<bool>,
    /// To be referred to judicial or supervisory bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<bool>,
}

/// One change of a case, as its history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseChange {
    pub at: String,
    pub who: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

/// `POST /api/cases/{number}/reviews`: a legal review, by the reviewer whose token calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewCase {
    /// Every item of the checklist (`GET /api/cases/checklist`) with whether it holds.
    pub checklist: Vec<CheckedItem>,
    pub outcome: ReviewOutcome,
    /// The reviewer's opinion (审核意见).
    pub opinion: String,
    /// Where the handling unit disagreed, and how it was settled.
    #[serde(default)]
    pub disagreement: String,
    #[serde(default)]
    pub settled: String,
}

/// `POST /api/cases/{number}/decision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordDecision {
    /// 决定书文号.
    pub document_number: String,
    pub conclusion: String,
    pub decided_on: NaiveDate,
    /// Why (说明理由); required in full for a major case.
    #[serde(default)]
    pub reasons: DecisionReasons,
    /// Where the agency's recording list (音像记录事项清单) names the case and nothing of it
    /// was recorded: why it could not be. Without it such a decision is refused.
    #[serde(default)]
    pub unrecorded_because: Option<String>,
}

/// The reasons a decision gives (说明理由), kept with it and shown with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionReasons {
    /// The evidence accepted, and why (证据采信理由).
    #[serde(default)]
    pub evidence: String,
    /// The legal basis chosen (法律依据).
    #[serde(default)]
    pub legal_basis: String,
    /// The discretion applied, against the agency's discretion benchmark (裁量基准适用).
    #[serde(default)]
    pub discretion: String,
}

/// `POST /api/cases/{number}/publication`: publish, or note a revocation, or take it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PublicationStep {
    Publish {
        on: Option<NaiveDate>,
    },
    /// The decision was revoked or changed: it must come down within 5 working days.
    Revoke {
        on: Option<NaiveDate>,
    },
    Withdraw {
        on: Option<NaiveDate>,
    },
}

/// `POST /api/cases/{number}/archive`: the action ended, or a part went into the case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveStep {
    /// Absent: the enforcement action ended (the 30-day period starts).
    #[serde(default)]
    pub part: Option<ArchivePart>,
    pub on: Option<NaiveDate>,
}

/// A legal review as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewView {
    /// The opinion's document number (法制审核意见书文号): the agency's name, 法审, the year and
    /// the agency's count of the year, e.g. "某市市场监督管理局法审〔2026〕7号".
    #[serde(default)]
    pub opinion_number: String,
    pub reviewer: String,
    pub outcome: ReviewOutcome,
    pub opinion: String,
    pub checklist: Vec<CheckedItem>,
    pub disagreement: String,
    pub settled: String,
    pub at: String,
}

/// The agency head's approval of a major case's decision (负责人审批).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApprovalView {
    /// The head's name.
    pub approved_by: String,
    /// The opinion number of the passed review it follows.
    pub after_review: String,
    pub note: String,
    pub at: String,
}

/// `POST /api/cases/{number}/approval`: the head approves the decision to be made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApproveDecision {
    #[serde(default)]
    pub note: String,
}

/// A collective discussion (集体讨论) of a case's decision, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DiscussionView {
    pub held_on: NaiveDate,
    pub participants: Vec<String>,
    pub outcome: String,
    pub minutes: String,
    pub recorded_by: String,
    #[serde(default)]
    pub minutes_attachment: Option<i64>,
}

/// `POST /api/cases/{number}/discussion`: a collective discussion held on the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordDiscussion {
    pub held_on: NaiveDate,
    /// Who took part; at least two.
    pub participants: Vec<String>,
    /// What was decided; required.
    pub outcome: String,
    /// The minutes (会议纪要), as text.
    #[serde(default)]
    pub minutes: String,
    /// The signed minutes as a file of the case (`POST /api/cases/{number}/attachments`).
    #[serde(default)]
    pub minutes_attachment: Option<i64>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionView {
    pub document_number: String,
    pub conclusion: String,
    pub decided_on: NaiveDate,
    pub recorded_by: String,
    #[serde(default)]
    pub reasons: DecisionReasons,
    /// Why the case was decided without the recording its agency's list requires.
    #[serde(default)]
    pub unrecorded_because: Option<String>,
    /// The lookup code (查询码) to print on the decision: with the document number, the party
    /// looks up the decision's publication on the public website.
    #[serde(default)]
    pub lookup_code: String,
}

/// A case as its agency sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    pub number: String,
    pub action_type: ActionType,
    pub party: String,
    pub confidentiality: Confidentiality,
    pub decision_kind: String,
    pub handler_id: Option<String>,
    /// The other members of the producing team.
    #[serde(default)]
    pub co_handlers: Vec<String>,
    /// Why the case is major; empty when it is not (then no review is needed).
    pub major_because: Vec<MajorBecause>,
    /// Oldest first.
    pub reviews: Vec<ReviewView>,
    /// Its collective discussions (集体讨论), oldest first.
    #[serde(default)]
    pub discussions: Vec<DiscussionView>,
    /// The head's approvals (负责人审批), oldest first.
    #[serde(default)]
    pub approvals: Vec<ApprovalView>,
    /// Its submissions for legal review (送审), oldest first.
    #[serde(default)]
    pub submissions: Vec<SubmissionView>,
    pub decision: Option<DecisionView>,
    pub publication: Option<Publication>,
    pub action_ended_on: Option<NaiveDate>,
    pub archive_due_on: Option<NaiveDate>,
    pub text_archived_on: Option<NaiveDate>,
    pub media_archived_on: Option<NaiveDate>,
    /// Its recorded sessions.
    pub sessions: Vec<i64>,
    /// Its steps as text records (文字记录), in the order they happened.
    #[serde(default)]
    pub steps: Vec<CaseStepView>,
    /// Its documents as files, oldest first.
    #[serde(default)]
    pub attachments: Vec<AttachmentView>,
    /// Every change of the case, oldest first.
    #[serde(default)]
    pub history: Vec<CaseChange>,
    /// Body-worn camera footage linked to it, important clips first.
    #[serde(default)]
    pub footage: Vec<crate::FieldFileView>,
}

/// A decision on a case the recording list names, made without a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnrecordedDecision {
    pub case_number: String,
    pub decided_on: NaiveDate,
    pub because: String,
}

/// `GET /api/agency/due`: what an agency must see to, on a day (待办).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgencyDue {
    pub day: NaiveDate,
    pub publicity: PublicityDue,
    pub archiving: Vec<ArchiveItem>,
    /// Submissions for legal review: overdue, waiting, returned for materials.
    #[serde(default)]
    pub reviews: ReviewsDue,
    /// Major cases whose review passed and whose decision waits for the head's approval.
    #[serde(default)]
    pub awaiting_approval: Vec<String>,
    /// Decisions made without the recording the agency's list requires, with the reason given.
    #[serde(default)]
    pub unrecorded: Vec<UnrecordedDecision>,
    /// Last year's annual report, until the exchange delivered it (or, without an exchange,
    /// until it was handed over).
    #[serde(default)]
    pub annual_report: Option<crate::AnnualReportDue>,
    /// Batches of inspection results not yet published, oldest first.
    #[serde(default)]
    pub inspections: Vec<crate::InspectionBatchDue>,
    pub reviewer_ratio: ReviewerRatio,
}

/// The query of `GET /api/agency/due`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The day to count from, YYYY-MM-DD; today when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
    /// "Due soon" means within this many working days (default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soon: Option<u32>,
    /// Whose list: the supervisor names the agency; a clerk's token reads its own agency's
    /// (naming another is refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}
