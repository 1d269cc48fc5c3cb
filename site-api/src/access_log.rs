//! The append-only access log, as its readers see it, and the site's public key that signs
//! every recording's manifest.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of the access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccessEntry {
    /// The line's number: ascending, never reused; page on with `?after=<id>`.
    pub id: i64,
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

/// The query of `GET /api/access-log`: one page of the log, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// Only lines after this one (the `id` of the last line of the previous page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<i64>,
    /// At most this many lines (default and most: [`ACCESS_LOG_PAGE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// The longest page of the access log one call returns: the log grows for years.
pub const ACCESS_LOG_PAGE: u32 = 1000;

/// `GET /api/site-key`: the public half of the key that signs every manifest, so that anyone
/// holding an export can check it with nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SiteKeyView {
    /// "ed25519".
    pub algorithm: String,
    /// Hex.
    pub public_key: String,
}
