//! Checking a session folder against its manifest, with nothing but the folder and the site's
//! public key: the manifest's signature, every file's size and SHA-256, the chain from genesis
//! to the last link, and files the manifest does not list.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::chain::{SegmentFacts, next_link};
use crate::hashing::sha256_of_reader;
use crate::manifest::Manifest;
use crate::naming::segment_name;

/// Files of a field batch's folder that its manifest does not list by design.
const BATCH_OWN_FILES: &[&str] = &[crate::MANIFEST_FILE, SITE_KEY_FILE, "summary.txt"];

/// The site's public key as an export carries it, beside the manifest.
pub const SITE_KEY_FILE: &str = "site-key.pub";

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
    /// The manifest was changed after the site signed it.
    BadSignature,
    /// The manifest is signed, but not with the site's key (re-signed by someone else).
    UntrustedKey { found: String, trusted: String },
    /// The site's key is known, and the manifest carries no signature.
    Unsigned,
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
            Self::BadSignature => write!(
                f,
                "manifest: its signature does not match its content (changed after the site signed it)"
            ),
            Self::UntrustedKey { found, trusted } => write!(
                f,
                "manifest: signed with key {found}, not the site's key {trusted} (re-signed by someone else)"
            ),
            Self::Unsigned => write!(f, "manifest: not signed, though the site's key is known"),
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
    /// The key the manifest is signed with, when it is.
    pub signed_by: Option<String>,
    /// Listed files removed on purpose (field footage past its retention), as the manifest
    /// says: their hashes stay in the chain.
    pub removed: usize,
}

/// Checks a session folder against its manifest: every file's size and SHA-256, the chain from
/// genesis to the last link, and files the manifest does not list. `progress` is told the bytes
/// read so far and the total, for a progress bar on large sessions.
pub fn verify(dir: &Path, mut progress: impl FnMut(u64, u64)) -> Report {
    verify_with_key(dir, None, &mut progress)
}

/// [`verify`], with the site's public key (hex) the signature must be made with; without one,
/// the key in the folder's `site-key.pub` (an export's), if there is one.
pub fn verify_with_key(
    dir: &Path,
    site_key: Option<&str>,
    mut progress: impl FnMut(u64, u64),
) -> Report {
    let mut report = Report::default();
    let manifest = match Manifest::read(dir) {
        Ok(m) => m,
        Err(reason) => {
            report.problems.push(Problem::Manifest(reason));
            return report;
        }
    };
    let in_folder = std::fs::read_to_string(dir.join(SITE_KEY_FILE))
        .ok()
        .map(|key| key.trim().to_string());
    let trusted = site_key.map(str::to_string).or(in_folder);
    report.signed_by = manifest.signature.as_ref().map(|s| s.public_key.clone());
    match (manifest.signature_holds(), &report.signed_by, &trusted) {
        (Some(false), _, _) => report.problems.push(Problem::BadSignature),
        (Some(true), Some(found), Some(trusted)) if found != trusted => {
            report.problems.push(Problem::UntrustedKey {
                found: found.clone(),
                trusted: trusted.clone(),
            })
        }
        (None, _, Some(_)) => report.problems.push(Problem::Unsigned),
        _ => {}
    }
    let total: u64 = manifest
        .segments
        .iter()
        .map(|s| u64::try_from(s.size_bytes).unwrap_or(0))
        .sum();
    // Every file is read and hashed first, several at once (the disk, not one core, sets the
    // pace); the chain and the comparisons then follow in the manifest's order.
    let paths: Vec<PathBuf> = manifest
        .segments
        .iter()
        .map(|s| dir.join(&s.file))
        .collect();
    let hashed = hash_all(&paths, |done| progress(done, total));
    let mut previous = manifest.chain.genesis.clone();
    for (seg, hashed) in manifest.segments.iter().zip(hashed) {
        report.segments += 1;
        let link = next_link(&previous, &SegmentFacts::from(seg));
        if link != seg.link {
            report.problems.push(Problem::BrokenLink {
                file: seg.file.clone(),
            });
        }
        // Continue from the listed link so that one bad entry is reported once, not for all after it.
        previous = seg.link.clone();
        match hashed {
            Err(_) if seg.removed.is_some() => report.removed += 1,
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
    }
    report.head = manifest.segments.last().map(|s| s.link.clone());
    let field_batch = manifest.session["kind"] == crate::field_batch::BATCH_KIND;
    let listed: BTreeSet<&str> = manifest.segments.iter().map(|s| s.file.as_str()).collect();
    let mut unlisted: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    // A room session's folder holds its segments and work files; a field
                    // batch's holds nothing but what its manifest lists.
                    if field_batch {
                        p.is_file() && !BATCH_OWN_FILES.iter().any(|own| p.ends_with(own))
                    } else {
                        segment_name(p).is_some()
                    }
                })
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

/// Hashes `paths` on twice as many threads as the machine has cores (2 to 16: while some wait
/// for the disk, others hash), each taking the next file as it finishes one; `progress` is told the bytes read so far, on the calling thread.
/// The results are in the order of `paths`.
pub fn hash_all(
    paths: &[PathBuf],
    mut progress: impl FnMut(u64),
) -> Vec<std::io::Result<(String, u64)>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    enum Note {
        Read(u64),
        Done(usize, std::io::Result<(String, u64)>),
    }
    let threads = (2 * std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(2, 16)
        .min(paths.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<std::io::Result<(String, u64)>>> =
        paths.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let (notes, heard) = mpsc::channel();
        for _ in 0..threads {
            let (notes, next) = (notes.clone(), &next);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(index) else {
                        return;
                    };
                    let mut told = 0u64;
                    let hashed = std::fs::File::open(path).and_then(|mut file| {
                        sha256_of_reader(&mut file, |read| {
                            let _ = notes.send(Note::Read(read - told));
                            told = read;
                        })
                    });
                    let _ = notes.send(Note::Done(index, hashed));
                }
            });
        }
        drop(notes);
        let mut done = 0u64;
        for note in heard {
            match note {
                Note::Read(bytes) => {
                    done += bytes;
                    progress(done);
                }
                Note::Done(index, hashed) => results[index] = Some(hashed),
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(std::io::Error::other("not hashed"))))
        .collect()
}
