//! Case lookup (案件信息查询) for a party: the decision's document number and the lookup code
//! printed on the decision give back where its publication stands, and nothing else.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The characters of a lookup code: no 0/O, 1/I/L, so that it is read off paper without doubt.
pub const LOOKUP_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Its length: 31⁸ ≈ 8.5 × 10¹¹ codes, against a handful of tries an hour per address.
pub const LOOKUP_CODE_LEN: usize = 8;

/// A party's question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseLookup {
    /// The decision's document number (决定书文号), as printed.
    pub document_number: String,
    /// The lookup code (查询码) printed on the decision.
    pub code: String,
}

/// Where a decision's publication stands, as its party may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LookupState {
    /// Not yet published; due by `due_on`.
    Awaiting,
    Published,
    /// Revoked or changed; taken down or to be taken down.
    Withdrawn,
    /// Never published (a minor, a secret, privacy).
    NotPublished,
}

impl LookupState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Awaiting => "待公示",
            Self::Published => "已公示",
            Self::Withdrawn => "已撤下",
            Self::NotPublished => "依法不予公示",
        }
    }
}

/// The answer to a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LookupAnswer {
    pub agency_name: String,
    pub document_number: String,
    pub decided_on: NaiveDate,
    pub state: LookupState,
    /// The publication's due date.
    pub due_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

/// A code as the party types it: spaces and dashes dropped, letters upper-cased.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}
