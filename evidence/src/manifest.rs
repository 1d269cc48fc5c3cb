//! The session manifest (`manifest.json` in the session's folder): a plain JSON file listing
//! every segment with its hash and chain link, so that anyone holding the folder can check the
//! recording without Liuhen's database. It is rewritten (atomically) after every closed segment.
//!
//! ```json
//! { "format": "liuhen-session-manifest/1",
//!   "session": { "id": 7, "room": "interview-1", "agency": "scjg", "case_number": "…", … },
//!   "chain": { "algorithm": "sha256", "genesis": "000…0", "rule": "…" },
//!   "segments": [ { "file": "cam1-00000.mkv", "track": "cam1", "seq": 0, "start_ns": 0,
//!                   "duration_ns": 2000000000, "size_bytes": 123, "sha256": "…", "link": "…",
//!                   "recovered": false, "backup_sha256": "…" } ],
//!   "complete": true }
//! ```
//!
//! `backup_sha256` is there only when the site keeps a backup copy: the hash of the copy as
//! read back from the backup folder. That folder holds the same files and this same manifest,
//! so `verify` checks either copy on its own.
//!
//! The chain rule is in [`crate::chain`]. The last link commits to the whole recording: keep it
//! with the case file (or anywhere outside the folder) to make even a re-written manifest show.

use serde::{Deserialize, Serialize};
use std::path::Path;

use site_api::SessionView;

use crate::chain::GENESIS_LINK;
use crate::signing::{ALGORITHM, SiteKey, verify_signature};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const MANIFEST_FORMAT: &str = "liuhen-session-manifest/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// Who recorded what: session id, room, agency, case number, times, devices.
    pub session: serde_json::Value,
    pub chain: ChainRule,
    pub segments: Vec<ManifestSegment>,
    /// True once the session ended and no segment will be added (false while it is live,
    /// paused or interrupted: a resume adds segments).
    pub complete: bool,
    /// The site key's signature over everything above (the manifest as compact JSON without
    /// this field); absent in manifests written before signing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ManifestSignature>,
}

/// Who signed a manifest, and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSignature {
    pub algorithm: String,
    /// The site's public key, hex.
    pub public_key: String,
    /// Hex.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainRule {
    pub algorithm: String,
    pub genesis: String,
    pub rule: String,
}

impl Default for ChainRule {
    fn default() -> Self {
        Self {
            algorithm: "sha256".into(),
            genesis: GENESIS_LINK.into(),
            rule: "link = SHA-256 of the UTF-8 text: previous link, track, seq, start_ns, duration_ns, size_bytes, sha256, joined by \"\\n\"; lowercase hex".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSegment {
    pub file: String,
    pub track: String,
    pub seq: i64,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub size_bytes: i64,
    pub sha256: String,
    pub link: String,
    pub recovered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_sha256: Option<String>,
    /// Field footage only: the file was removed after its retention period, when and by whom.
    /// Its hash and link stay, so the chain still checks; verify expects the file gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<String>,
}

impl Manifest {
    /// The manifest of a session as the records hold it: who recorded what, and every closed
    /// segment in chain order. Complete once the session no longer holds its room.
    pub fn of_session(view: &SessionView) -> Self {
        let session = serde_json::json!({
            "id": view.id,
            "room": view.room_id,
            "agency_id": view.agency_id,
            "agency_name": view.agency_name,
            "case_number": view.case_number,
            "state": view.state,
            "created_at": view.created_at,
            "started_at": view.started_at,
            "ended_at": view.ended_at,
            "recorded_with": view.recorded_with,
        });
        let segments = view
            .segments
            .iter()
            .map(|s| ManifestSegment {
                file: s.file.clone(),
                track: s.track.clone(),
                seq: s.seq,
                start_ns: s.start_ns,
                duration_ns: s.duration_ns,
                size_bytes: s.size_bytes,
                sha256: s.sha256.clone(),
                link: s.link.clone(),
                recovered: s.recovered,
                backup_sha256: s.backup_sha256.clone(),
                removed: None,
            })
            .collect();
        Self::new(session, segments, !view.state.holds_room())
    }

    pub fn new(session: serde_json::Value, segments: Vec<ManifestSegment>, complete: bool) -> Self {
        Self {
            format: MANIFEST_FORMAT.into(),
            session,
            chain: ChainRule::default(),
            segments,
            complete,
            signature: None,
        }
    }

    /// The bytes a signature covers: this manifest without its signature, as compact JSON
    /// (object keys sorted, so the same manifest always gives the same bytes).
    pub fn signed_bytes(&self) -> std::io::Result<Vec<u8>> {
        let unsigned = Self {
            signature: None,
            ..self.clone()
        };
        serde_json::to_vec(&unsigned).map_err(std::io::Error::other)
    }

    /// Signs the manifest with the site's key.
    pub fn sign(&mut self, key: &SiteKey) -> std::io::Result<()> {
        let signature = key.sign(&self.signed_bytes()?);
        self.signature = Some(ManifestSignature {
            algorithm: ALGORITHM.into(),
            public_key: key.public_hex(),
            signature,
        });
        Ok(())
    }

    /// Whether the signature holds for this content and key (None when unsigned).
    pub fn signature_holds(&self) -> Option<bool> {
        let signed = self.signature.as_ref()?;
        let bytes = self.signed_bytes().ok()?;
        Some(
            signed.algorithm == ALGORITHM
                && verify_signature(&signed.public_key, &bytes, &signed.signature),
        )
    }

    /// Writes `manifest.json` into `dir` through a temporary file and a rename, so that a crash
    /// leaves either the previous manifest or this one, never half of one; the folder is
    /// flushed after the rename, so that a power cut keeps the new name too.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut file = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, &text)?;
        file.sync_all()?;
        std::fs::rename(&tmp, dir.join(MANIFEST_FILE))?;
        std::fs::File::open(dir)?.sync_all()
    }

    pub fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let manifest: Self = serde_json::from_str(&text)
            .map_err(|err| format!("{} is not a Liuhen manifest: {err}", path.display()))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(format!(
                "{} has format \"{}\"; this verifier reads {MANIFEST_FORMAT}",
                path.display(),
                manifest.format
            ));
        }
        Ok(manifest)
    }
}
