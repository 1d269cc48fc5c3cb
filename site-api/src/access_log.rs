//! The append-only access log, as its readers see it, and the site's public key that signs
//! every recording's manifest.

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

/// `GET /api/site-key`: the public half of the key that signs every manifest, so that anyone
/// holding an export can check it with nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SiteKeyView {
    /// "ed25519".
    pub algorithm: String,
    /// Hex.
    pub public_key: String,
}
