//! Pipeline errors, each saying which device or element failed and what to check.

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// GStreamer itself could not start.
    #[error("GStreamer could not start: {0}. Run scripts/setup.sh to install it")]
    Init(String),
    /// An element the profile needs is not installed.
    #[error(
        "the GStreamer element \"{element}\" is missing (needed for {purpose}). Run scripts/setup.sh to install the plugins"
    )]
    MissingElement { element: String, purpose: String },
    /// The graph could not be assembled.
    #[error("cannot build the recording pipeline: {0}")]
    Build(String),
    /// The pipeline refused to start, e.g. a device that is absent or busy.
    #[error("the recording pipeline did not start: {0}")]
    Start(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path} as media: {reason}")]
    Probe {
        path: std::path::PathBuf,
        reason: String,
    },
}
