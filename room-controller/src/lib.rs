//! The room controller: Liuhen's site daemon. It owns the site's records, runs each room's
//! recording pipeline and "recording" light, and serves the site API that kiosks, clerk panels
//! and the CLI use. The binary (`main.rs`) only parses the command line and wires these parts.

pub mod api;
pub mod auth;
pub mod cli;
pub mod collect;
pub mod db;
pub mod desk;
pub mod disk;
pub mod error;
pub mod exchange;
pub mod export;
pub mod health;
pub mod indicator;
pub mod live;
pub mod media_worker;
pub mod pages;
pub mod public_site;
pub mod recovery;
pub mod refusal_limit;
pub mod room;
pub mod segments;
pub mod server;
pub mod span_probe;
pub mod tls;

pub use error::ControllerError;

/// Where a site keeps its media (the media folder and, if it keeps one, the backup folder) and
/// the key its manifests are signed with.
pub fn storage_of(
    site: &hardware_profiles::Site,
    key: std::sync::Arc<evidence::SiteKey>,
) -> evidence::Storage {
    evidence::Storage {
        media: site.media.clone(),
        backup: site.backup.clone(),
        key: Some(key),
    }
}

/// Where the site's signing key is kept: beside the records, never with the media.
pub fn site_key_file(site: &hardware_profiles::Site) -> std::path::PathBuf {
    site.records
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("site-key")
}
