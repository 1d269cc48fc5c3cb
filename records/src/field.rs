//! Field evidence in the records: body-worn cameras registered to officers, one batch per
//! visit to the collection station, each collected file with its hash and chain link (the
//! chain itself is the `evidence` crate's), its link to a case, alarms for files that changed
//! on a camera, and removal after the retention period.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Row, params};

use crate::sessions::parse_time;
use crate::store::now;
use crate::{Store, StoreError};
use site_api::{DeviceView, FieldBatchView, FieldFileView, FootageAlarm, NewDevice};

/// A file whose copy was read back and matched: what the records keep of it.
#[derive(Debug, Clone)]
pub struct NewFieldFile {
    pub source_path: String,
    pub source_mtime_ns: i64,
    pub file: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub link: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub started_at: Option<DateTime<Utc>>,
    /// "name", "media" or "file".
    pub started_from: &'static str,
    pub codecs: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub backup_sha256: Option<String>,
}

/// What was collected of a camera file before, on the latest visit that took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedBefore {
    pub id: i64,
    pub size_bytes: i64,
    pub source_mtime_ns: i64,
    pub sha256: String,
}

const FILE_COLUMNS: &str = "f.id, f.batch_id, f.agency_id, f.device_serial, f.officer_id,
    coalesce(s.name, f.officer_id), f.source_path, f.file, f.seq, f.size_bytes, f.sha256, f.link,
    f.started_at, f.started_from, f.duration_ns, f.codecs, f.width, f.height, f.collected_at,
    c.number, f.important, f.note, f.removed_at, f.removed_by, f.backup_sha256";

const FILE_FROM: &str = "FROM field_files f LEFT JOIN staff s ON s.id = f.officer_id
    LEFT JOIN cases c ON c.id = f.case_id";

fn file_view(r: &Row<'_>) -> rusqlite::Result<FieldFileView> {
    let duration_ns: i64 = r.get(14)?;
    Ok(FieldFileView {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        agency_id: r.get(2)?,
        device_serial: r.get(3)?,
        officer_id: r.get(4)?,
        officer_name: r.get(5)?,
        source_path: r.get(6)?,
        file: r.get(7)?,
        seq: r.get(8)?,
        size_bytes: r.get(9)?,
        sha256: r.get(10)?,
        link: r.get(11)?,
        started_at: parse_time(r.get(12)?),
        started_from: r.get(13)?,
        duration_ms: (duration_ns > 0).then_some(duration_ns / 1_000_000),
        codecs: r.get(15)?,
        width: r.get(16)?,
        height: r.get(17)?,
        collected_at: parse_time(r.get(18)?).unwrap_or_default(),
        case_number: r.get(19)?,
        important: r.get(20)?,
        note: r.get(21)?,
        removed_at: parse_time(r.get(22)?),
        removed_by: r.get(23)?,
        backup_sha256: r.get(24)?,
    })
}

fn device_view(r: &Row<'_>) -> rusqlite::Result<DeviceView> {
    Ok(DeviceView {
        serial: r.get(0)?,
        model: r.get(1)?,
        agency_id: r.get(2)?,
        issued_to: r.get(3)?,
        issued_to_name: r.get(4)?,
        registered_at: parse_time(r.get(5)?).unwrap_or_default(),
        registered_by: r.get(6)?,
        retired_at: parse_time(r.get(7)?),
    })
}

const DEVICE_SELECT: &str = "SELECT d.serial, d.model, d.agency_id, d.issued_to,
    coalesce(s.name, d.issued_to), d.registered_at, d.registered_by, d.retired_at
    FROM field_devices d LEFT JOIN staff s ON s.id = d.issued_to";

impl Store {
    /// Registers a camera to a staff member of its agency; `model` was checked against the
    /// profiles by the caller.
    pub fn add_device(&mut self, device: &NewDevice, by: &str) -> Result<DeviceView, StoreError> {
        let serial = device.serial.trim();
        if serial.is_empty()
            || serial.len() > 64
            || !serial
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(StoreError::Invalid(format!(
                "serial \"{serial}\" must be 1 to 64 letters, digits, '-', '_' or '.', as printed on the device"
            )));
        }
        let officer_agency: Option<String> = self
            .conn
            .query_row(
                "SELECT agency_id FROM staff WHERE id = ?1 AND active = 1",
                params![device.issued_to],
                |r| r.get(0),
            )
            .optional()?;
        match officer_agency {
            Some(agency) if agency == device.agency_id => {}
            Some(agency) => {
                return Err(StoreError::Invalid(format!(
                    "{} is staff of agency {agency}, not {}: a camera is issued within its own agency",
                    device.issued_to, device.agency_id
                )));
            }
            None => {
                return Err(StoreError::Invalid(format!(
                    "no active staff member {}; add them first with `room-controller staff add`",
                    device.issued_to
                )));
            }
        }
        if self.device(serial)?.is_some() {
            return Err(StoreError::Invalid(format!(
                "device {serial} is registered already; retire it first to register it anew"
            )));
        }
        self.conn.execute(
            "INSERT INTO field_devices (serial, model, agency_id, issued_to, registered_at,
                                        registered_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                serial,
                device.model,
                device.agency_id,
                device.issued_to,
                now(),
                by
            ],
        )?;
        self.device(serial)?.ok_or_else(|| StoreError::NotFound {
            what: format!("device {serial}"),
        })
    }

    pub fn device(&self, serial: &str) -> Result<Option<DeviceView>, StoreError> {
        Ok(self
            .conn
            .query_row(
                &format!("{DEVICE_SELECT} WHERE d.serial = ?1"),
                params![serial],
                device_view,
            )
            .optional()?)
    }

    /// The registered devices, of one agency or all.
    pub fn devices(&self, agency: Option<&str>) -> Result<Vec<DeviceView>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "{DEVICE_SELECT} WHERE ?1 IS NULL OR d.agency_id = ?1 ORDER BY d.agency_id, d.serial"
        ))?;
        let rows = stmt.query_map(params![agency], device_view)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Retires a device (lost, broken, handed back): it is not collected from any more; what
    /// was collected of it stays.
    pub fn retire_device(
        &mut self,
        serial: &str,
        agency: Option<&str>,
    ) -> Result<DeviceView, StoreError> {
        let changed = self.conn.execute(
            "UPDATE field_devices SET retired_at = ?2
             WHERE serial = ?1 AND retired_at IS NULL AND (?3 IS NULL OR agency_id = ?3)",
            params![serial, now(), agency],
        )?;
        let found = self
            .device(serial)?
            .filter(|d| agency.is_none_or(|a| a == d.agency_id));
        match (changed, found) {
            (_, None) => Err(StoreError::NotFound {
                what: format!("device {serial}"),
            }),
            (0, Some(_)) => Err(StoreError::Invalid(format!(
                "device {serial} is retired already"
            ))),
            (_, Some(device)) => Ok(device),
        }
    }

    /// Opens the batch of a device's visit; the agency and officer are the device's.
    pub fn open_batch(
        &mut self,
        serial: &str,
        media_dir: &str,
        clock_offset_ms: Option<i64>,
    ) -> Result<i64, StoreError> {
        let device = self.device(serial)?.ok_or_else(|| StoreError::NotFound {
            what: format!("device {serial}"),
        })?;
        self.conn.execute(
            "INSERT INTO field_batches (agency_id, device_serial, officer_id, media_dir,
                                        started_at, state, clock_offset_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, 'collecting', ?6)",
            params![
                device.agency_id,
                serial,
                device.issued_to,
                media_dir,
                now(),
                clock_offset_ms
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends a visit: "complete" when every new file was collected, "interrupted" otherwise
    /// (unplugged, a full disk, an unreadable file), with what happened.
    pub fn close_batch(
        &mut self,
        batch: i64,
        complete: bool,
        problem: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE field_batches SET ended_at = ?2, state = ?3, problem = ?4
             WHERE id = ?1 AND state = 'collecting'",
            params![
                batch,
                now(),
                if complete { "complete" } else { "interrupted" },
                problem
            ],
        )?;
        Ok(())
    }

    /// The last chain link of a batch (None before its first file) and the next file's number.
    pub fn batch_head(&self, batch: i64) -> Result<(Option<String>, i64), StoreError> {
        let head: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT link, seq FROM field_files WHERE batch_id = ?1 ORDER BY seq DESC LIMIT 1",
                params![batch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match head {
            Some((link, seq)) => (Some(link), seq + 1),
            None => (None, 0),
        })
    }

    /// Records a verified copy as the batch's next file.
    pub fn add_field_file(
        &mut self,
        batch: i64,
        seq: i64,
        file: &NewFieldFile,
    ) -> Result<FieldFileView, StoreError> {
        self.conn.execute(
            "INSERT INTO field_files (batch_id, agency_id, device_serial, officer_id, source_path,
                 source_mtime_ns, seq, file, size_bytes, sha256, link, start_ns, duration_ns,
                 started_at, started_from, codecs, width, height, collected_at, backup_sha256)
             SELECT b.id, b.agency_id, b.device_serial, b.officer_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                    ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17
             FROM field_batches b WHERE b.id = ?1",
            params![
                batch,
                file.source_path,
                file.source_mtime_ns,
                seq,
                file.file,
                file.size_bytes,
                file.sha256,
                file.link,
                file.start_ns,
                file.duration_ns,
                file.started_at.map(|t| t.to_rfc3339()),
                file.started_from,
                file.codecs,
                file.width,
                file.height,
                now(),
                file.backup_sha256
            ],
        )?;
        self.field_file(self.conn.last_insert_rowid())
    }

    /// What was collected before of `source_path` on the device, on the latest visit, unless
    /// the station cleared it from the camera since.
    pub fn collected_before(
        &self,
        serial: &str,
        source_path: &str,
    ) -> Result<Option<CollectedBefore>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, size_bytes, source_mtime_ns, sha256 FROM field_files
                 WHERE device_serial = ?1 AND source_path = ?2 AND source_cleared_at IS NULL
                 ORDER BY id DESC LIMIT 1",
                params![serial, source_path],
                |r| {
                    Ok(CollectedBefore {
                        id: r.get(0)?,
                        size_bytes: r.get(1)?,
                        source_mtime_ns: r.get(2)?,
                        sha256: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// The camera's own files of these collected ones were deleted by the station after their
    /// copies were verified (files removed after retention keep their record as it was).
    pub fn mark_cleared(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        let at = now();
        for id in ids {
            self.conn.execute(
                "UPDATE field_files SET source_cleared_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
                params![id, at],
            )?;
        }
        Ok(())
    }

    /// A file that changed on the camera after it was collected.
    pub fn raise_footage_alarm(
        &mut self,
        serial: &str,
        batch: Option<i64>,
        source_path: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO field_alarms (agency_id, device_serial, batch_id, source_path, detail,
                                       raised_at)
             SELECT agency_id, serial, ?2, ?3, ?4, ?5 FROM field_devices WHERE serial = ?1",
            params![serial, batch, source_path, detail, now()],
        )?;
        Ok(())
    }

    pub fn footage_alarms(&self, agency: &str) -> Result<Vec<FootageAlarm>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, device_serial, source_path, detail, raised_at FROM field_alarms
             WHERE agency_id = ?1 ORDER BY id DESC LIMIT 200",
        )?;
        let rows = stmt.query_map(params![agency], |r| {
            Ok(FootageAlarm {
                id: r.get(0)?,
                device_serial: r.get(1)?,
                source_path: r.get(2)?,
                detail: r.get(3)?,
                raised_at: parse_time(r.get(4)?).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn field_file(&self, id: i64) -> Result<FieldFileView, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {FILE_COLUMNS} {FILE_FROM} WHERE f.id = ?1"),
                params![id],
                file_view,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("footage {id}"),
            })
    }

    /// Files of an agency, newest first: of a case, past their retention, or all.
    pub fn footage_where(
        &self,
        agency: &str,
        case_number: Option<&str>,
        expired_before: Option<DateTime<Utc>>,
    ) -> Result<Vec<FieldFileView>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {FILE_COLUMNS} {FILE_FROM}
             WHERE f.agency_id = ?1
               AND (?2 IS NULL OR c.number = ?2)
               AND (?3 IS NULL OR (f.case_id IS NULL AND f.removed_at IS NULL
                                   AND f.collected_at < ?3))
             ORDER BY f.id DESC LIMIT 1000"
        ))?;
        let rows = stmt.query_map(
            params![agency, case_number, expired_before.map(|t| t.to_rfc3339())],
            file_view,
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Footage past `retention_days` and linked to no case: what the sweep may remove.
    pub fn expired_footage(
        &self,
        agency: &str,
        retention_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<FieldFileView>, StoreError> {
        self.footage_where(
            agency,
            None,
            Some(now - Duration::days(i64::from(retention_days))),
        )
    }

    /// Links a collected file to a case of its agency (making the case if the agency has none
    /// by that number yet), with a mark and a note. A file is linked to one case; linking it
    /// again moves it, and the change is in the access log through the caller.
    pub fn link_footage(
        &mut self,
        id: i64,
        case_number: &str,
        important: bool,
        note: &str,
        by: &str,
    ) -> Result<FieldFileView, StoreError> {
        let file = self.field_file(id)?;
        if file.removed_at.is_some() {
            return Err(StoreError::Invalid(format!(
                "footage {id} was removed after its retention period; only its record and hash are kept"
            )));
        }
        let number = crate::case_number(case_number)?;
        self.ensure_case(&file.agency_id, &number)?;
        let case_id = crate::review::case_id(self, &file.agency_id, &number)?;
        self.conn.execute(
            "UPDATE field_files SET case_id = ?2, important = ?3, note = ?4, linked_by = ?5,
                                    linked_at = ?6
             WHERE id = ?1",
            params![id, case_id, important, note.trim(), by, now()],
        )?;
        self.field_file(id)
    }

    /// Marks expired files removed (their media deleted by the caller once this commits): the
    /// record and hash stay. Refuses any file linked to a case or not yet expired.
    pub fn remove_footage(
        &mut self,
        agency: &str,
        ids: &[i64],
        retention_days: u32,
        by: &str,
        reason: &str,
    ) -> Result<Vec<FieldFileView>, StoreError> {
        let cutoff = Utc::now() - Duration::days(i64::from(retention_days));
        let mut removed = Vec::new();
        for &id in ids {
            let file = self.field_file(id)?;
            if file.agency_id != agency {
                return Err(StoreError::NotFound {
                    what: format!("footage {id}"),
                });
            }
            if let Some(case) = &file.case_number {
                return Err(StoreError::Invalid(format!(
                    "footage {id} is linked to case {case}: it is kept with the case, never removed by the retention sweep"
                )));
            }
            if file.removed_at.is_some() {
                return Err(StoreError::Invalid(format!(
                    "footage {id} is removed already"
                )));
            }
            if file.collected_at >= cutoff {
                return Err(StoreError::Invalid(format!(
                    "footage {id} was collected on {}; it is kept {retention_days} days, until {}",
                    file.collected_at.format("%Y-%m-%d"),
                    (file.collected_at + Duration::days(i64::from(retention_days)))
                        .format("%Y-%m-%d")
                )));
            }
            removed.push(file);
        }
        for file in &mut removed {
            self.conn.execute(
                "UPDATE field_files SET removed_at = ?2, removed_by = ?3, removed_because = ?4
                 WHERE id = ?1",
                params![file.id, now(), by, reason.trim()],
            )?;
            *file = self.field_file(file.id)?;
        }
        Ok(removed)
    }

    /// A batch with its files in chain order.
    pub fn batch(&self, id: i64) -> Result<FieldBatchView, StoreError> {
        let mut view = self
            .conn
            .query_row(
                "SELECT b.id, b.agency_id, a.name, b.device_serial, d.model, b.officer_id,
                        coalesce(s.name, b.officer_id), b.started_at, b.ended_at, b.state,
                        b.problem, b.clock_offset_ms, b.media_dir
                 FROM field_batches b JOIN agencies a ON a.id = b.agency_id
                 JOIN field_devices d ON d.serial = b.device_serial
                 LEFT JOIN staff s ON s.id = b.officer_id
                 WHERE b.id = ?1",
                params![id],
                |r| {
                    Ok(FieldBatchView {
                        id: r.get(0)?,
                        agency_id: r.get(1)?,
                        agency_name: r.get(2)?,
                        device_serial: r.get(3)?,
                        model: r.get(4)?,
                        officer_id: r.get(5)?,
                        officer_name: r.get(6)?,
                        started_at: parse_time(r.get(7)?).unwrap_or_default(),
                        ended_at: parse_time(r.get(8)?),
                        state: r.get(9)?,
                        problem: r.get(10)?,
                        clock_offset_ms: r.get(11)?,
                        media_dir: r.get(12)?,
                        files: Vec::new(),
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("batch {id}"),
            })?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {FILE_COLUMNS} {FILE_FROM} WHERE f.batch_id = ?1 ORDER BY f.seq"
        ))?;
        view.files = stmt
            .query_map(params![id], file_view)?
            .collect::<Result<_, _>>()?;
        Ok(view)
    }

    /// The chain facts of a batch's files as the manifest lists them: (start_ns, duration_ns)
    /// by seq, which the view leaves out.
    pub fn batch_timing(&self, id: i64) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT start_ns, duration_ns FROM field_files WHERE batch_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Batches still "collecting" (the station was stopped mid-visit): closed as interrupted
    /// at start, so that the next visit opens a new one.
    pub fn close_open_batches(&mut self) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM field_batches WHERE state = 'collecting'")?;
        let open: Vec<i64> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        for &id in &open {
            self.close_batch(
                id,
                false,
                Some("the controller stopped during the visit; the next visit carries on"),
            )?;
        }
        Ok(open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_site;

    fn officer(store: &mut Store, id: &str, agency: &str) {
        store
            .add_staff(&crate::NewStaff {
                id,
                agency_id: agency,
                name: "李警官",
                credential_number: &format!("C-{id}"),
                role: site_api::StaffRole::Clerk,
                categories: &[],
                photo: None,
            })
            .expect("staff");
    }

    fn collected(store: &mut Store, batch: i64, path: &str) -> FieldFileView {
        let (_, seq) = store.batch_head(batch).expect("head");
        store
            .add_field_file(
                batch,
                seq,
                &NewFieldFile {
                    source_path: path.into(),
                    source_mtime_ns: 1,
                    file: path.rsplit('/').next().unwrap_or(path).into(),
                    size_bytes: 10,
                    sha256: "a".repeat(64),
                    link: "b".repeat(64),
                    start_ns: 0,
                    duration_ns: 0,
                    started_at: None,
                    started_from: "file",
                    codecs: String::new(),
                    width: None,
                    height: None,
                    backup_sha256: None,
                },
            )
            .expect("a file")
    }

    #[test]
    fn a_camera_is_issued_within_its_agency_and_its_files_keep_their_hash() {
        let (_dir, mut store) = test_site::store(&["a"]);
        officer(&mut store, "li", "a");
        let device = |agency: &str| NewDevice {
            serial: "ZFY001".into(),
            model: "bodycam-gat947".into(),
            agency_id: agency.into(),
            issued_to: "li".into(),
        };
        let err = store
            .add_device(&device("b"), "admin")
            .expect_err("other agency");
        assert!(err.to_string().contains("own agency"), "{err}");
        store.add_device(&device("a"), "admin").expect("registered");
        let batch = store
            .open_batch("ZFY001", "field/1", Some(-1500))
            .expect("batch");
        let file = collected(&mut store, batch, "VIDEO/A.MP4");
        assert_eq!((file.seq, file.officer_id.as_str()), (0, "li"));
        let err = store
            .conn
            .execute(
                "UPDATE field_files SET sha256 = ?2 WHERE id = ?1",
                params![file.id, "c".repeat(64)],
            )
            .expect_err("the hash is kept");
        assert!(err.to_string().contains("never change"), "{err}");
        let linked = store
            .link_footage(file.id, "甲罚〔2026〕1号", true, "查封现场", "李警官")
            .expect("linked");
        assert_eq!(linked.case_number.as_deref(), Some("甲罚〔2026〕1号"));
        let err = store
            .remove_footage("a", &[file.id], 1, "赵", "期满")
            .expect_err("linked footage stays");
        assert!(err.to_string().contains("never removed"), "{err}");
    }
}
