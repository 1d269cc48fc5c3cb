//! A case's steps as text records (文字记录): 立案, 调查取证, 告知, 听证, 决定, 送达, 执行 — each
//! dated, by whom, with its document number and, where there is one, its attachment. A case's
//! timeline shows them with its recordings.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kinds of step a case's text record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 立案
    Filed,
    /// 调查取证
    Investigation,
    /// 告知: the party is told the facts, reasons, basis and their rights.
    Notification,
    /// 听证: linked to the hearing's recorded session.
    Hearing,
    /// 决定
    Decision,
    /// 送达: with its method.
    Delivery,
    /// 执行
    Execution,
}

impl StepKind {
    pub const ALL: [StepKind; 7] = [
        Self::Filed,
        Self::Investigation,
        Self::Notification,
        Self::Hearing,
        Self::Decision,
        Self::Delivery,
        Self::Execution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Filed => "filed",
            Self::Investigation => "investigation",
            Self::Notification => "notification",
            Self::Hearing => "hearing",
            Self::Decision => "decision",
            Self::Delivery => "delivery",
            Self::Execution => "execution",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Filed => "立案",
            Self::Investigation => "调查取证",
            Self::Notification => "告知",
            Self::Hearing => "听证",
            Self::Decision => "决定",
            Self::Delivery => "送达",
            Self::Execution => "执行",
        }
    }
}

/// How a document reached the party (送达方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// 直接送达
    Direct,
    /// 留置送达: left at the door when the party refuses it.
    LeftAtDoor,
    /// 邮寄送达
    Post,
    /// 电子送达
    Electronic,
    /// 公告送达
    PublicNotice,
}

impl DeliveryMethod {
    pub const ALL: [DeliveryMethod; 5] = [
        Self::Direct,
        Self::LeftAtDoor,
        Self::Post,
        Self::Electronic,
        Self::PublicNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::LeftAtDoor => "left_at_door",
            Self::Post => "post",
            Self::Electronic => "electronic",
            Self::PublicNotice => "public_notice",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|method| method.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Direct => "直接送达",
            Self::LeftAtDoor => "留置送达",
            Self::Post => "邮寄送达",
            Self::Electronic => "电子送达",
            Self::PublicNotice => "公告送达",
        }
    }
}

/// `POST /api/cases/{number}/steps`: a step of the case, as its handler records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordStep {
    pub kind: StepKind,
    /// The day it happened.
    pub happened_on: NaiveDate,
    /// The document's number (文书号), e.g. "市监立〔2026〕41号".
    #[serde(default)]
    pub document_number: String,
    /// What was done, in a few words.
    #[serde(default)]
    pub detail: String,
    /// 告知 only, and required there: the day the party was told their rights.
    #[serde(default)]
    pub party_told_on: Option<NaiveDate>,
    /// 听证 only, and required there: the session that recorded the hearing.
    #[serde(default)]
    pub session_id: Option<i64>,
    /// 送达 only, and required there.
    #[serde(default)]
    pub delivery_method: Option<DeliveryMethod>,
    /// Why a step the agency's recording list names was not recorded (e.g. a 留置送达).
    #[serde(default)]
    pub unrecorded_because: Option<String>,
    /// An attachment of the case (`POST /api/cases/{number}/attachments`): the document itself.
    #[serde(default)]
    pub attachment_id: Option<i64>,
}

/// A step as kept (never changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseStepView {
    pub id: i64,
    pub kind: StepKind,
    pub happened_on: NaiveDate,
    pub document_number: String,
    pub detail: String,
    pub party_told_on: Option<NaiveDate>,
    pub session_id: Option<i64>,
    pub delivery_method: Option<DeliveryMethod>,
    pub unrecorded_because: Option<String>,
    pub attachment_id: Option<i64>,
    /// Who recorded it.
    pub recorded_by: String,
    pub recorded_at: String,
}
