//! What can go wrong with the records file, said so that the operator knows what to do.

use std::path::PathBuf;

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
    /// A record the caller named does not exist (or belongs to another agency).
    #[error("{what} not found")]
    NotFound { what: String },
    /// A request that is wrong in itself (e.g. a booking that ends before it starts).
    #[error("{0}")]
    Invalid(String),
    /// A request the records refuse, with the reason (e.g. a room the agency may not use).
    #[error("{0}")]
    Refused(String),
    /// A request this caller may not make, with who may.
    #[error("{0}")]
    Forbidden(String),
    /// A state change the session's state machine does not allow.
    #[error("session {session} cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition {
        session: i64,
        from: site_api::SessionState,
        to: site_api::SessionState,
    },
    #[error("records database error: {0}")]
    Sql(#[from] rusqlite::Error),
}
