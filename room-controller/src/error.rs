//! Errors of the controller, each mapped to an HTTP status and a sentence for the clerk.

use pipelines::PipelineError;
use records::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ControllerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Evidence(#[from] evidence::FileError),
    /// The pipeline started but no media reached the disk in time.
    #[error(
        "room {room}: no media was written within {seconds} s of starting; check that its cameras and microphones are connected (room-controller check)"
    )]
    NoMedia { room: String, seconds: u64 },
    /// A device or element failed while starting or recording.
    #[error("room {room}: recording failed: {reason}")]
    RecordingFailed { room: String, reason: String },
    /// The room's media worker process could not be started or spoken to.
    #[error("room {room}: media worker: {reason}")]
    Worker { room: String, reason: String },
    #[error("session {session} is not recording in this room")]
    NotRecording { session: i64 },
    /// Another session is recording in the room.
    #[error("room {room} is recording session {session}; stop it before resuming another")]
    RoomBusy { room: String, session: i64 },
    #[error(
        "session {session} is {}; only a paused or interrupted session can be resumed",
        state.as_str()
    )]
    NotResumable {
        session: i64,
        state: site_api::SessionState,
    },
    #[error(
        "room {room} is recorded without pauses; stop the session instead, or set pause_allowed = true for the room in the site file"
    )]
    PauseNotAllowed { room: String },
    #[error("no room {0} at this site")]
    UnknownRoom(String),
    #[error(
        "cannot create the media folder {path}: {source}. Check the `media` folder in the site file and that the disk is writable"
    )]
    MediaFolder {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not enough free space on the media disk for a session of the site's minimum length.
    #[error(
        "the media disk {path} has {free_mb} MB free; a session in room {room} needs {needed_mb} MB for {minutes} minutes. Free space (move finished sessions to the archive) or lower min_free_minutes in the site file"
    )]
    DiskFull {
        path: std::path::PathBuf,
        room: String,
        free_mb: u64,
        needed_mb: u64,
        minutes: u32,
    },
    /// Background work was cut short (the controller is shutting down, or it panicked).
    #[error("interrupted while {0}; the file stays on disk and is recorded at the next start")]
    Cancelled(String),
    /// The room's worker has stopped (the controller is shutting down).
    #[error("room {0} is shutting down")]
    RoomGone(String),
}
