//! Turning closed segment files into records: hash, link into the session's chain, store.

use evidence::{GENESIS_LINK, Manifest, SegmentFacts, Storage, hash_file, next_link, segment_name};
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

/// Hashes the file, copies it to the session's backup folder (if any) and appends it to the
/// session's chain in the records. Returns why the backup copy failed, if it did: the segment
/// is recorded all the same.
pub async fn record(
    db: &Db,
    session_id: i64,
    seg: ClosedSegment,
    storage: &Storage,
) -> Result<Option<String>, ControllerError> {
    let backup_dir = seg.file.parent().and_then(|dir| storage.backup_of(dir));
    let backup_dir = backup_dir.as_deref();
    let file = seg.file.clone();
    let copy_to = backup_dir.map(Path::to_path_buf);
    let (hashed, backup) = tokio::task::spawn_blocking(move || {
        let hashed = hash_file(&file)?;
        let backup = copy_to.map(|dir| evidence::backup::copy_segment(&file, &dir));
        Ok::<_, evidence::FileError>((hashed, backup))
    })
    .await
    .map_err(|err| {
        ControllerError::Cancelled(format!("hashing {}: {err}", seg.file.display()))
    })??;
    let (backup_sha256, backup_problem) = match backup {
        Some(Ok(sha)) if sha == hashed.sha256 => (Some(sha), None),
        Some(Ok(sha)) => (
            Some(sha),
            Some(format!(
                "备份副本与原文件不一致 / the backup copy of {} reads back differently from the original: check the backup disk",
                seg.file.display()
            )),
        ),
        Some(Err(problem)) => (None, Some(problem)),
        None => (None, None),
    };
    let file_name = seg
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    db.call_durably(move |store| {
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
                backup_sha256: backup_sha256.as_deref(),
            },
        )
    })
    .await?;
    if let Some(dir) = seg.file.parent() {
        // A backup that failed gets no manifest either; the segment copies raise the alarm.
        let without_backup;
        let storage = if backup_problem.is_some() {
            without_backup = Storage {
                backup: None,
                ..storage.clone()
            };
            &without_backup
        } else {
            storage
        };
        write_manifest(db, session_id, dir, storage).await?;
    }
    Ok(backup_problem)
}

/// Rewrites the session's `manifest.json` from the records: after every segment, and once more
/// when the session ends (then marked complete), signed with the site's key. A copy goes to the
/// session's backup folder, if the site keeps one; failing
/// that is logged (the segment copies raise the alarm).
pub async fn write_manifest(
    db: &Db,
    session_id: i64,
    dir: &Path,
    storage: &Storage,
) -> Result<(), ControllerError> {
    let view = db.read(move |store| store.session(session_id)).await?;
    let mut manifest = Manifest::of_session(&view);
    let dir = dir.to_path_buf();
    let backup_dir = storage.backup_of(&dir);
    let key = storage.key.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(key) = &key {
            manifest
                .sign(key)
                .map_err(|source| ControllerError::MediaFolder {
                    path: dir.clone(),
                    source,
                })?;
        }
        manifest
            .write(&dir)
            .map_err(|source| ControllerError::MediaFolder {
                path: dir.clone(),
                source,
            })?;
        if let Some(backup_dir) = backup_dir
            && let Err(problem) = evidence::backup::copy_manifest(&dir, &backup_dir)
        {
            tracing::warn!(session = session_id, %problem, "manifest not copied to the backup");
        }
        Ok(())
    })
    .await
    .map_err(|err| {
        ControllerError::Cancelled(format!(
            "writing the manifest of session {session_id}: {err}"
        ))
    })?
}

/// Records every segment file in `dir` that the records do not hold yet: the ones that were
/// open when the recorder died. Their duration is read from the file itself. Returns how many.
pub async fn record_leftovers(
    db: &Db,
    session_id: i64,
    dir: &Path,
    storage: &Storage,
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
        // The discoverer guesses the duration of a file whose writer died; demuxing it gives
        // the time it really covers (in a process of its own: see span_probe).
        let duration_ns = crate::span_probe::media_span_ns(&file).await.unwrap_or(0);
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
            storage,
        )
        .await?;
    }
    Ok(count)
}
