//! The append-only access log, as its readers see it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
