//! The exchange with the province's supervision platform (行政执法综合管理监督信息系统): every
//! published, revoked and withdrawn decision is a document with a stable id, delivered in order,
//! exactly once per id, until acknowledged. The schema is versioned and described in
//! docs/exchange.md; its field names map to the publicity content the rules list (执法机关、执法
//! 对象、执法类别、执法结论、文书号、决定日期).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The schema's name and version, in every document.
pub const EXCHANGE_SCHEMA: &str = "liuhen.exchange.v1";

/// What a document reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    DecisionPublished,
    DecisionRevoked,
    DecisionWithdrawn,
    /// The agency's annual report of the year before (行政执法年度报告), due by 31 January.
    AnnualReport,
    /// The same figures for last month, sent when the month turns.
    MonthlyFigures,
}

impl ExchangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionPublished => "decision_published",
            Self::DecisionRevoked => "decision_revoked",
            Self::DecisionWithdrawn => "decision_withdrawn",
            Self::AnnualReport => "annual_report",
            Self::MonthlyFigures => "monthly_figures",
        }
    }
}

/// One document as delivered (`POST` to the configured endpoint, JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExchangeDocument {
    /// Always [`EXCHANGE_SCHEMA`].
    pub schema: String,
    /// Stable and unique: `<agency id>/<document number>/<kind>`; a receiver keeps the first
    /// copy of an id and acknowledges every copy.
    pub id: String,
    /// Its place in the site's outbox: documents come in this order, without gaps.
    pub seq: i64,
    pub kind: ExchangeKind,
    /// 执法机关
    pub agency_id: String,
    pub agency_name: String,
    /// 执法对象, as published (a person's name masked).
    pub party: String,
    /// 执法类别 (licensing, penalty, coercion, inspection, levy, other).
    pub action_type: String,
    /// 执法结论
    pub conclusion: String,
    /// 文书号
    pub document_number: String,
    /// 决定日期
    pub decided_on: NaiveDate,
    /// The day of the step the document reports (published, revoked or withdrawn).
    pub on: NaiveDate,
}

/// The annual report as delivered: the same envelope, the report's figures inside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeReport {
    pub schema: String,
    /// `<agency id>/annual-report/<year>` or `<agency id>/monthly-figures/<year>-<month>`.
    pub id: String,
    pub seq: i64,
    pub kind: ExchangeKind,
    pub agency_id: String,
    pub agency_name: String,
    pub year: i32,
    /// The month, for monthly figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    pub report: crate::AnnualReport,
}

/// `POST /api/agency/annual-report`: hand the agency's report of `year` to the exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SendAnnualReport {
    pub year: i32,
}

/// The annual report on the agency's due list, from 1 January until it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnnualReportDue {
    /// The year the report covers.
    pub year: i32,
    /// 31 January of the year after.
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// Handed to the exchange, waiting for the platform's acknowledgement.
    pub queued: bool,
}

/// Where the outbox stands (`room-controller exchange status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ExchangeStatus {
    pub pending: i64,
    pub delivered: i64,
    /// The oldest document not yet acknowledged: its id, tries and the last error.
    pub oldest_pending: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
}
