//! Turning closed segment files into records: hash, link into the session's chain, store.

use pipelines::{GENESIS_LINK, SegmentFacts, hash_file, next_link, segment_name};
use records::NewSegment;
use std::path::{Path, PathBuf};

use crate::ControllerError;
use crate::db::Db;

/// A segment file that has just closed (or was found unclosed after a crash).
pub struct ClosedSegment {
    pub track: String,
    pub seq: i64,
    pub file: PathBuf,
    pub start_ns: u64,
    pub duration_ns: u64,
    /// True when the recorder died with this file open.
    pub recovered: bool,
}

/// Hashes the file and appends it to the session's chain in the records.
pub async fn record(db: &Db, session_id: i64, seg: ClosedSegment) -> Result<(), ControllerError> {
    let file = seg.file.clone();
    let hashed = tokio::task::spawn_blocking(move || hash_file(&file))
        .await
        .map_err(|err| ControllerError::RecordingFailed {
            room: String::new(),
            reason: format!("hashing was cancelled: {err}"),
        })??;
    let file_name = seg
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    db.call(move |store| {
        let previous = store
            .segments(session_id)?
            .last()
            .map(|s| s.link.clone())
            .unwrap_or_else(|| GENESIS_LINK.to_string());
        let size_bytes = i64::try_from(hashed.size_bytes).unwrap_or(i64::MAX);
        let start_ns = i64::try_from(seg.start_ns).unwrap_or(i64::MAX);
        let duration_ns = i64::try_from(seg.duration_ns).unwrap_or(i64::MAX);
        let link = next_link(
            &previous,
            &SegmentFacts {
                track: &seg.track,
                seq: seg.seq,
                start_ns,
                duration_ns,
                size_bytes,
                sha256: &hashed.sha256,
            },
        );
        store.add_segment(
            session_id,
            &NewSegment {
                track: &seg.track,
                seq: seg.seq,
                file: &file_name,
                size_bytes,
                start_ns,
                duration_ns,
                sha256: &hashed.sha256,
                link: &link,
                recovered: seg.recovered,
            },
        )
    })
    .await?;
    Ok(())
}

/// Records every segment file in `dir` that the records do not hold yet: the ones that were
/// open when the recorder died. Their duration is read from the file itself. Returns how many.
pub async fn record_leftovers(
    db: &Db,
    session_id: i64,
    dir: &Path,
) -> Result<usize, ControllerError> {
    let known: Vec<String> = db
        .call(move |store| {
            Ok(store
                .segments(session_id)?
                .into_iter()
                .map(|s| s.file)
                .collect())
        })
        .await?;
    let mut leftovers: Vec<(String, i64, PathBuf)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    !known
                        .iter()
                        .any(|k| p.file_name().is_some_and(|n| n == k.as_str()))
                })
                .filter_map(|p| segment_name(&p).map(|(track, seq)| (track, seq, p)))
                .collect()
        })
        .unwrap_or_default();
    leftovers.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let count = leftovers.len();
    for (track, seq, file) in leftovers {
        let probe_file = file.clone();
        let duration_ns = tokio::task::spawn_blocking(move || pipelines::probe(&probe_file))
            .await
            .ok()
            .and_then(Result::ok)
            .and_then(|info| info.duration)
            .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        record(
            db,
            session_id,
            ClosedSegment {
                track,
                seq,
                file,
                start_ns: 0,
                duration_ns,
                recovered: true,
            },
        )
        .await?;
    }
    Ok(count)
}
