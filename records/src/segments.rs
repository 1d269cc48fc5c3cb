//! A session's closed segment files in the records, in chain order: each with its size, hash and
//! chain link (see the `evidence` crate for the chain itself).

use rusqlite::params;

use crate::store::now;
use crate::{Store, StoreError};
use site_api::SegmentView;

#[derive(Debug, Clone)]
pub struct NewSegment<'a> {
    pub track: &'a str,
    pub seq: i64,
    pub file: &'a str,
    pub size_bytes: i64,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub sha256: &'a str,
    pub link: &'a str,
    pub recovered: bool,
    /// SHA-256 of the backup copy as read back, if one was made.
    pub backup_sha256: Option<&'a str>,
}

impl Store {
    pub fn add_segment(&mut self, session_id: i64, seg: &NewSegment<'_>) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO segments (session_id, track, seq, file, size_bytes, start_ns, duration_ns,
                                   sha256, link, recovered, closed_at, backup_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                session_id,
                seg.track,
                seg.seq,
                seg.file,
                seg.size_bytes,
                seg.start_ns,
                seg.duration_ns,
                seg.sha256,
                seg.link,
                seg.recovered,
                now(),
                seg.backup_sha256
            ],
        )?;
        Ok(())
    }

    /// The session's segments in chain order.
    pub fn segments(&self, session_id: i64) -> Result<Vec<SegmentView>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT track, seq, file, size_bytes, start_ns, duration_ns, sha256, link, recovered,
                    backup_sha256
             FROM segments WHERE session_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![session_id], |row| {
                Ok(SegmentView {
                    track: row.get(0)?,
                    seq: row.get(1)?,
                    file: row.get(2)?,
                    size_bytes: row.get(3)?,
                    start_ns: row.get(4)?,
                    duration_ns: row.get(5)?,
                    sha256: row.get(6)?,
                    link: row.get(7)?,
                    recovered: row.get(8)?,
                    backup_sha256: row.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
