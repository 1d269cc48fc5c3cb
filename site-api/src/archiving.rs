//! Archiving a case's records (执法全过程记录归档): what is still missing, and by when.

use chrono::NaiveDate;

/// A case whose records are not all archived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ArchiveItem {
    pub case_number: String,
    pub action_ended_on: NaiveDate,
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// What is missing, said for the agency: "文字记录 text records", …
    pub missing: Vec<String>,
}

/// The parts of a case's record that are archived separately.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ArchivePart {
    Text,
    Media,
}
