//! The schema is versioned code: `PRAGMA user_version` holds the version, each step upgrades a
//! file in place inside one IMMEDIATE transaction, and a file from a newer Liuhen is refused.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;

use crate::StoreError;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 19;

/// Each entry upgrades from the version before it; index 0 creates version 1.
const STEPS: &[&str] = &[
    include_str!("../sql/v1.sql"),
    include_str!("../sql/v2.sql"),
    include_str!("../sql/v3.sql"),
    include_str!("../sql/v4.sql"),
    include_str!("../sql/v5.sql"),
    include_str!("../sql/v6.sql"),
    include_str!("../sql/v7.sql"),
    include_str!("../sql/v8.sql"),
    include_str!("../sql/v9.sql"),
    include_str!("../sql/v10.sql"),
    include_str!("../sql/v11.sql"),
    include_str!("../sql/v12.sql"),
    include_str!("../sql/v13.sql"),
    include_str!("../sql/v14.sql"),
    include_str!("../sql/v15.sql"),
    include_str!("../sql/v16.sql"),
    include_str!("../sql/v17.sql"),
    include_str!("../sql/v18.sql"),
    include_str!("../sql/v19.sql"),
];

pub(crate) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    // WAL keeps readers (the API) off the writer's back and survives a killed process.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    // NORMAL (WAL) by default: a commit survives a killed process; a power cut may take back
    // the last few. Evidence rows (segments and their links, the access log, case changes) are
    // written with `Store::durably`, FULL for that call only, on the controller's one writer
    // thread; the hall's many small writes keep NORMAL.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(open_err)?;

    // A step may rebuild a table that others point at; SQLite wants foreign keys off for that
    // (the pragma cannot change inside a transaction), so they are checked before the commit.
    conn.pragma_update(None, "foreign_keys", "OFF")
        .map_err(open_err)?;
    upgrade(conn, path)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_err)?;
    Ok(())
}

fn upgrade(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_err)?;
    let found: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(open_err)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (from, step) in STEPS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", from as i64 + 1)?;
    }
    let broken: Option<String> = tx
        .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
        .optional()?;
    if let Some(table) = broken {
        return Err(StoreError::Inconsistent(format!(
            "{}: table {table} points at rows that do not exist; the file was not upgraded",
            path.display()
        )));
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file as the first release wrote it: schema v1 with a recorded session.
    fn v1_fixture(path: &Path) {
        let conn = Connection::open(path).expect("open");
        conn.execute_batch(STEPS[0]).expect("v1 schema");
        conn.execute_batch(
            "INSERT INTO agencies VALUES ('a', '甲局');
             INSERT INTO rooms VALUES ('r1', '第一询问室', 'interview');
             INSERT INTO cases (agency_id, number) VALUES ('a', '罚1号');
             INSERT INTO sessions (agency_id, case_id, room_id, state, recorded_with, media_dir, created_at)
                 VALUES ('a', 1, 'r1', 'finished', '{}', 'r1/x', '2026-01-05T09:00:00Z');
             INSERT INTO segments (session_id, track, seq, file, size_bytes, start_ns, duration_ns, sha256, link, closed_at)
                 VALUES (1, 'cam1', 0, 'cam1-00000.mkv', 10, 0, 1, 'h', 'l', '2026-01-05T09:00:01Z');
             INSERT INTO session_events (session_id, at, kind) VALUES (1, '2026-01-05T09:00:00Z', 'starting');
             PRAGMA user_version = 1;",
        )
        .expect("v1 data");
    }

    #[test]
    fn a_v1_file_is_upgraded_in_place_and_keeps_its_sessions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("old.db");
        v1_fixture(&path);
        let mut conn = Connection::open(&path).expect("reopen");
        prepare(&mut conn, &path).expect("upgrade");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, SCHEMA_VERSION);
        let sessions: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .expect("count");
        assert_eq!(sessions, 1, "the old session is still there");
        let joined: i64 = conn
            .query_row(
                "SELECT count(*) FROM segments g JOIN sessions s ON s.id = g.session_id
                 JOIN session_events e ON e.session_id = s.id",
                [],
                |r| r.get(0),
            )
            .expect("join");
        assert_eq!(joined, 1, "its segment and event still point at it");
        conn.execute("UPDATE sessions SET state = 'paused' WHERE id = 1", [])
            .expect("v5 knows paused sessions");
        let checked: bool = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .expect("pragma");
        assert!(checked, "foreign keys are enforced again after the upgrade");
        assert!(
            conn.execute("INSERT INTO segments (session_id, track, seq, file, size_bytes, start_ns, duration_ns, sha256, link, closed_at) VALUES (99, 't', 0, 'f', 1, 0, 1, 'h', 'l', 'x')", []).is_err(),
            "a segment of no session is refused"
        );
        conn.execute(
            "INSERT INTO access_log (at, who, action, target, allowed) VALUES ('t', 'x', 'view', 's1', 1)",
            [],
        )
        .expect("v2 table present");
    }

    #[test]
    fn a_v14_file_keeps_its_staff_and_tokens_and_numbers_its_old_reviews() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v14.db");
        let conn = Connection::open(&path).expect("open");
        for step in &STEPS[..14] {
            conn.execute_batch(step).expect("schema up to v14");
        }
        conn.execute_batch(
            "INSERT INTO agencies VALUES ('a', '甲局');
             INSERT INTO staff (id, agency_id, name, credential_number, role, created_at)
                 VALUES ('zhou', 'a', '周律', 'C1', 'reviewer', '2026-01-01T00:00:00Z');
             INSERT INTO api_tokens (name, token_sha256, role, agency_id, created_at, staff_id)
                 VALUES ('周律', 'h', 'clerk', 'a', '2026-01-01T00:00:00Z', 'zhou');
             INSERT INTO cases (agency_id, number) VALUES ('a', '罚1号'), ('a', '罚2号');
             INSERT INTO legal_reviews (case_id, reviewer_id, checklist, outcome, opinion, at)
                 VALUES (2, 'zhou', '[]', 'pass', '同意', '2026-03-01T00:00:00Z'),
                        (1, 'zhou', '[]', 'pass', '同意', '2026-03-02T00:00:00Z');
             PRAGMA user_version = 14;",
        )
        .expect("v14 data");
        drop(conn);
        let mut conn = Connection::open(&path).expect("reopen");
        prepare(&mut conn, &path).expect("upgrade");
        let numbers: Vec<(i64, String, i64, i64)> = conn
            .prepare("SELECT case_id, opinion_agency_id, opinion_year, opinion_seq FROM legal_reviews ORDER BY id")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(
            numbers,
            [(2, "a".to_string(), 2026, 1), (1, "a".to_string(), 2026, 2)],
            "numbered in the order they were recorded"
        );
        let token_staff: String = conn
            .query_row(
                "SELECT s.name FROM api_tokens t JOIN staff s ON s.id = t.staff_id",
                [],
                |r| r.get(0),
            )
            .expect("the token still belongs to its staff member");
        assert_eq!(token_staff, "周律");
        assert!(
            conn.execute("UPDATE legal_reviews SET opinion = 'x'", [])
                .is_err(),
            "reviews are still kept unchanged"
        );
        conn.execute(
            "INSERT INTO staff (id, agency_id, name, credential_number, role, created_at)
             VALUES ('lawyer', 'a', '李律师', 'L1', 'counsel', 'x')",
            [],
        )
        .expect("counsel is a role now");
    }

    /// The v1 fixture taken up to schema `version`, with `data` added at that version: a file
    /// as that release left it, for `prepare` to upgrade.
    fn fixture_at(
        path: &Path,
        version: usize,
        data: impl FnOnce(&rusqlite::Transaction<'_>),
    ) -> Connection {
        v1_fixture(path);
        let mut conn = Connection::open(path).expect("reopen");
        // As `prepare` does: some steps rebuild tables others point at.
        conn.pragma_update(None, "foreign_keys", "OFF")
            .expect("pragma");
        let tx = conn.transaction().expect("tx");
        for step in &STEPS[1..version] {
            tx.execute_batch(step).expect("the schema's steps");
        }
        data(&tx);
        tx.pragma_update(None, "user_version", version as i64)
            .expect("version");
        tx.commit().expect("commit");
        conn
    }

    #[test]
    fn a_v16_file_keeps_its_access_requests_which_may_now_name_footage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v16.db");
        let mut conn = fixture_at(&path, 16, |tx| {
            tx.execute_batch(
                "INSERT INTO access_requests (session_id, agency_id, requested_by, action,
                                              purpose, requested_at, decided_by, decided_at,
                                              approved)
                     VALUES (1, 'a', '王芳', 'view', '复核', 't', '赵敏', 't2', 1);",
            )
            .expect("v16 data");
        });
        prepare(&mut conn, &path).expect("upgrade");
        let kept: (i64, String, Option<i64>) = conn
            .query_row(
                "SELECT session_id, purpose, footage_id FROM access_requests",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("the request is kept");
        assert_eq!(kept, (1, "复核".to_string(), None));
        assert!(
            conn.execute("UPDATE access_requests SET approved = 0", [])
                .is_err(),
            "still decided once"
        );
        assert!(
            conn.execute("DELETE FROM access_requests", []).is_err(),
            "still never deleted"
        );
        let neither = conn.execute(
            "INSERT INTO access_requests (agency_id, requested_by, action, purpose, requested_at)
             VALUES ('a', 'x', 'view', 'p', 't')",
            [],
        );
        assert!(neither.is_err(), "a request names a session or a file");
    }

    /// A v18 file's staff photos move to their own table; the staff rows keep no bytes of them.
    #[test]
    fn a_v18_file_keeps_its_staff_photos_out_of_the_staff_rows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v18.db");
        let mut conn = fixture_at(&path, 18, |tx| {
            tx.execute(
                "INSERT INTO staff (id, agency_id, name, credential_number, role, photo, photo_type, created_at)
                 VALUES ('wang', 'a', '王芳', '1', 'clerk', ?1, 'image/jpeg', 't'),
                        ('li', 'a', '李明', '2', 'clerk', NULL, NULL, 't')",
                [vec![7u8; 100_000]],
            )
            .expect("v18 staff");
        });
        prepare(&mut conn, &path).expect("upgrade");
        let moved: Vec<(String, usize, String)> = conn
            .prepare("SELECT staff_id, length(photo), photo_type FROM staff_photos")
            .expect("photos")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(
            moved,
            [("wang".to_string(), 100_000, "image/jpeg".to_string())]
        );
        let left: i64 = conn
            .query_row(
                "SELECT count(*) FROM staff WHERE photo IS NOT NULL OR photo_type IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(left, 0, "no photo is left in a staff row");
        drop(conn);
        let store = crate::Store::open(&path).expect("open");
        let listed = store.staff(Some("a")).expect("staff");
        let with_photo: Vec<(&str, bool)> = listed
            .iter()
            .map(|s| (s.id.as_str(), s.has_photo))
            .collect();
        assert_eq!(with_photo, [("li", false), ("wang", true)]);
        assert_eq!(store.staff_photo("wang").expect("photo").0.len(), 100_000);
        assert!(store.staff_photo("li").is_err(), "li has none");
    }

    #[test]
    fn the_access_log_refuses_edits_and_deletes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site.db");
        let mut conn = Connection::open(&path).expect("open");
        prepare(&mut conn, &path).expect("create");
        conn.execute(
            "INSERT INTO access_log (at, who, action, target, allowed) VALUES ('t', 'x', 'view', 's1', 1)",
            [],
        )
        .expect("append");
        let edit = conn
            .execute("UPDATE access_log SET who = 'y'", [])
            .expect_err("no edits");
        assert!(edit.to_string().contains("cannot be changed"), "{edit}");
        assert!(
            conn.execute("DELETE FROM access_log", []).is_err(),
            "no deletes"
        );
    }
}
