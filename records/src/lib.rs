//! Liuhen's site-wide records: one SQLite file per site, its versioned schema and the queries the
//! controller needs. The types it reads and writes are the site API's (`site_api`).
//!
//! This crate knows SQL and nothing of GStreamer or serial ports. Its calls block: async callers
//! run them on a blocking thread.

mod access;
pub mod annual_report;
pub mod archiving;
pub mod attachments;
mod batch;
mod bookings;
pub use batch::BatchCall;
mod case_changes;
mod case_lookup;
mod case_steps;
mod cases;
mod error;
pub mod exchange;
mod field;
pub mod footage_access;
mod hall;
mod inspections;
pub mod publications;
mod publicity_versions;
pub mod publicity_view;
mod queue;
pub mod recording_access;
mod refusal;
pub mod review;
pub mod review_submissions;
mod rooms;
mod schema;
mod segments;
mod sessions;
mod staff;
mod store;
#[cfg(test)]
mod test_site;

pub use access::{AccessAttempt, TokenInfo};
pub use case_changes::CaseEditor;
pub use cases::{CASE_NUMBER_MAX_CHARS, case_number};
pub use error::StoreError;
pub use field::{CollectedBefore, NewFieldFile};
pub use queue::{SiteService, SiteWindow};
pub use refusal::Refusal;
pub use schema::SCHEMA_VERSION;
pub use segments::NewSegment;
pub use sessions::NewSession;
pub use staff::{NewStaff, PHOTO_MAX_BYTES};
pub use store::{SiteAgency, SiteRoom, Store, random_bytes};
