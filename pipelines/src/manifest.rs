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
use std::collections::BTreeSet;
use std::path::Path;

use crate::chain::{GENESIS_LINK, SegmentFacts, next_link};
use crate::recorder::segment_name;
use crate::segment::sha256_of_reader;

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
}

impl Manifest {
    pub fn new(session: serde_json::Value, segments: Vec<ManifestSegment>, complete: bool) -> Self {
        Self {
            format: MANIFEST_FORMAT.into(),
            session,
            chain: ChainRule::default(),
            segments,
            complete,
        }
    }

    /// Writes `manifest.json` into `dir` through a temporary file and a rename, so that a crash
    /// leaves either the previous manifest or this one, never half of one.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut file = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, &text)?;
        file.sync_all()?;
        std::fs::rename(&tmp, dir.join(MANIFEST_FILE))
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

/// One thing found wrong by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The manifest cannot be read.
    Manifest(String),
    /// A listed segment's file is not there.
    Missing { file: String },
    /// The file is shorter than listed: cut off.
    Truncated {
        file: String,
        listed: i64,
        found: u64,
    },
    /// Same size or longer, different content.
    Altered { file: String },
    /// The manifest's own entry does not fit the chain: the manifest was edited, or segments
    /// were re-ordered or removed from it.
    BrokenLink { file: String },
    /// A segment file in the folder that the manifest does not list.
    Unlisted { file: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Manifest(reason) => write!(f, "manifest: {reason}"),
            Self::Missing { file } => write!(f, "{file}: missing"),
            Self::Truncated {
                file,
                listed,
                found,
            } => write!(f, "{file}: truncated ({found} of {listed} bytes)"),
            Self::Altered { file } => {
                write!(f, "{file}: altered (content does not match its SHA-256)")
            }
            Self::BrokenLink { file } => write!(
                f,
                "{file}: chain broken here (manifest edited, or segments re-ordered or removed)"
            ),
            Self::Unlisted { file } => write!(f, "{file}: not listed in the manifest"),
        }
    }
}

/// What a verification found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub segments: usize,
    pub bytes: u64,
    pub problems: Vec<Problem>,
    /// The last link of the chain as recomputed from the files.
    pub head: Option<String>,
}

/// Checks a session folder against its manifest: every file's size and SHA-256, the chain from
/// genesis to the last link, and files the manifest does not list. `progress` is told the bytes
/// read so far and the total, for a progress bar on large sessions.
pub fn verify(dir: &Path, mut progress: impl FnMut(u64, u64)) -> Report {
    let mut report = Report::default();
    let manifest = match Manifest::read(dir) {
        Ok(m) => m,
        Err(reason) => {
            report.problems.push(Problem::Manifest(reason));
            return report;
        }
    };
    let total: u64 = manifest
        .segments
        .iter()
        .map(|s| u64::try_from(s.size_bytes).unwrap_or(0))
        .sum();
    let mut previous = manifest.chain.genesis.clone();
    let mut done = 0u64;
    for seg in &manifest.segments {
        report.segments += 1;
        let link = next_link(
            &previous,
            &SegmentFacts {
                track: &seg.track,
                seq: seg.seq,
                start_ns: seg.start_ns,
                duration_ns: seg.duration_ns,
                size_bytes: seg.size_bytes,
                sha256: &seg.sha256,
            },
        );
        if link != seg.link {
            report.problems.push(Problem::BrokenLink {
                file: seg.file.clone(),
            });
        }
        // Continue from the listed link so that one bad entry is reported once, not for all after it.
        previous = seg.link.clone();
        let path = dir.join(&seg.file);
        match hash_with_progress(&path, |n| progress(done + n, total)) {
            Err(_) => report.problems.push(Problem::Missing {
                file: seg.file.clone(),
            }),
            Ok((sha, size)) => {
                report.bytes += size;
                if i64::try_from(size).unwrap_or(i64::MAX) < seg.size_bytes {
                    report.problems.push(Problem::Truncated {
                        file: seg.file.clone(),
                        listed: seg.size_bytes,
                        found: size,
                    });
                } else if sha != seg.sha256
                    || i64::try_from(size).unwrap_or(i64::MAX) != seg.size_bytes
                {
                    report.problems.push(Problem::Altered {
                        file: seg.file.clone(),
                    });
                }
            }
        }
        done += u64::try_from(seg.size_bytes).unwrap_or(0);
    }
    report.head = manifest.segments.last().map(|s| s.link.clone());
    let listed: BTreeSet<&str> = manifest.segments.iter().map(|s| s.file.as_str()).collect();
    let mut unlisted: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| segment_name(p).is_some())
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
                .filter(|name| !listed.contains(name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    unlisted.sort();
    report
        .problems
        .extend(unlisted.into_iter().map(|file| Problem::Unlisted { file }));
    report
}

fn hash_with_progress(path: &Path, progress: impl FnMut(u64)) -> std::io::Result<(String, u64)> {
    sha256_of_reader(&mut std::fs::File::open(path)?, progress)
}
