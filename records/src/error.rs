//! What can go wrong with the records file, said so that the operator knows what to do. The
//! records speak of their own rules only; the API layer decides what each means over HTTP.

use std::path::PathBuf;

use site_api::{CalendarError, SessionState};

use crate::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened or prepared (permissions, a full disk, not a database).
    #[error(
        "cannot open the records file {path}: {source}. Check that the folder exists and is writable, and that the file is a Liuhen records file"
    )]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer Liuhen; opening it with this one could lose data.
    #[error(
        "the records file {path} has schema version {found}, newer than this Liuhen supports ({supported}). Upgrade Liuhen; the file was not changed"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The file's rows do not hold together (a reference to a row that is gone); it was not
    /// upgraded.
    #[error("{0}")]
    Inconsistent(String),
    /// A record the caller named does not exist (or belongs to another agency).
    #[error("{what} not found")]
    NotFound { what: String },
    /// A request that is wrong in itself (e.g. a booking that ends before it starts).
    #[error("{0}")]
    Invalid(String),
    /// A request a rule of the records refuses as things stand (see [`Refusal`]).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A request this caller may not make, with who may.
    #[error("{0}")]
    Forbidden(String),
    /// A state change the session's state machine does not allow.
    #[error("session {session} cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition {
        session: i64,
        from: SessionState,
        to: SessionState,
    },
    /// The working-day calendar has no data for the year a deadline falls in.
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// The machine could not give what a token needs (random bytes).
    #[error("cannot read random bytes for the token: {0}")]
    Randomness(String),
    /// A call on the records did not finish (it panicked, or its thread was cancelled); what
    /// it wrote was rolled back with its transaction.
    #[error("a records call did not finish: {0}")]
    CallAborted(String),
    #[error("records database error: {0}")]
    Sql(#[from] rusqlite::Error),
}
