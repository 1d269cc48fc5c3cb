//! Liuhen's evidence chain: what makes a recording hold as evidence (留痕), kept apart from how
//! it is recorded (`pipelines`) and where it is listed (`records`).
//!
//! - [`naming`]: how segment files are named in a session folder;
//! - [`hashing`]: a closed file fsynced and hashed once;
//! - [`chain`]: the per-session hash chain that links every segment to all before it;
//! - [`manifest`]: `manifest.json`, the folder's own list of segments, hashes and links;
//! - [`signing`]: the site's Ed25519 key, which signs every manifest;
//! - [`verify`](verify()): a folder checked against its manifest and the site's public key;
//! - [`ingest`]: a docked camera's file copied, read back from the disk and hashed;
//! - [`backup`]: the second copy (主备双份), read back and hashed;
//! - [`field_batch`]: a body-worn camera's visit as a manifest and a package, like a session's;
//! - [`export`]: the package handed over for the case file.
//!
//! It knows files and hashes only: no GStreamer, no SQL, no HTTP. Its calls block.

pub mod attachments;
pub mod backup;
pub mod chain;
pub mod export;
pub mod field_batch;
pub mod hashing;
pub mod ingest;
pub mod manifest;
pub mod naming;
pub mod signing;
mod verify;

pub use backup::Storage;
pub use chain::{GENESIS_LINK, SegmentFacts, next_link};
pub use export::{PackageFile, package_files, package_name};
pub use hashing::{HashedFile, hash_file};
pub use manifest::ManifestSignature;
pub use manifest::{MANIFEST_FILE, Manifest, ManifestSegment};
pub use naming::{segment_file, segment_name};
pub use signing::SiteKey;
pub use verify::{Problem, Report, SITE_KEY_FILE, verify, verify_with_key};

/// A file that could not be read or flushed, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot read or flush {}: {source}", path.display())]
pub struct FileError {
    pub path: std::path::PathBuf,
    #[source]
    pub source: std::io::Error,
}
