//! The records file: one `Store` is one connection, opened (created or upgraded in place) here,
//! and the site as a whole: its agencies and rooms as the site file declares them, and its
//! signing key. The queries live with their concept: `sessions.rs`, `segments.rs`, `rooms.rs`,
//! `cases.rs`, `queue.rs` and so on.
//! The controller owns the store from one place and calls it from a blocking thread.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};

use crate::StoreError;
use crate::schema;
use site_api::RoomKind;

/// Statements each connection keeps prepared: enough for the hall's and the rooms' hot paths.
const STATEMENT_CACHE: usize = 64;

pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// An agency as the site file declares it.
#[derive(Debug, Clone)]
pub struct SiteAgency {
    pub id: String,
    pub name: String,
}

/// A room as the site file declares it, with the agencies that share it.
#[derive(Debug, Clone)]
pub struct SiteRoom {
    pub id: String,
    pub name: String,
    pub kind: RoomKind,
    pub agencies: Vec<String>,
}

/// Statements are kept prepared, each with one plan whatever its parameters: with the planner
/// free to choose by the values bound (SQLite's STAT4 build), binding new values made the hall's
/// statements compile again on almost every call.
fn keep_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// `N` bytes from the system's random source: tokens, lookup codes, playback grants.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    use std::io::Read;
    let mut random = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut random))
        .map_err(|err| StoreError::Randomness(err.to_string()))?;
    Ok(random)
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339()
}

impl Store {
    /// Opens the records file, creating it or upgrading its schema in place.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        schema::prepare(&mut conn, path)?;
        keep_plans(&conn).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// A connection that only reads, beside the one that writes (WAL lets it read while the
    /// writer commits). The schema must be there already: open the writer first.
    pub fn open_reader(path: &Path) -> Result<Self, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.pragma_update(None, "query_only", true)
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        keep_plans(&conn).map_err(open_err)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Leaves moving the WAL's pages into the database file to [`Store::checkpoint`], called
    /// by another connection: done by the committing connection, every thousand pages, it
    /// held up the commit (and every call waiting on it) for the pages' copy and two syncs.
    pub fn leave_checkpoints_to_another(&self) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(())
    }

    /// Copies into the database file what the WAL holds and no reader still needs, without
    /// waiting for the writer or a reader (a passive checkpoint); returns the WAL's pages and
    /// how many of them are now in the file.
    pub fn checkpoint(&self) -> Result<(i64, i64), StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })?)
    }

    /// Runs `write` with its commits on the disk before it returns (`synchronous = FULL` for
    /// this call; the connection's default, NORMAL, survives a killed process but a power cut
    /// may take back the last commits). For evidence rows: segments and their chain links,
    /// the access log, a case's changes. Call it outside any transaction.
    pub fn durably<T>(
        &mut self,
        write: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        let done = write(self);
        let back = self.conn.pragma_update(None, "synchronous", "NORMAL");
        let value = done?;
        back?;
        Ok(value)
    }

    /// Runs `change` so that all of it is kept or none. A savepoint rather than a
    /// transaction, so that it may also be one step of a larger change.
    pub(crate) fn all_or_nothing<T>(
        &mut self,
        change: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.execute_batch("SAVEPOINT all_or_nothing")?;
        let done = change(self);
        let end = if done.is_ok() {
            "RELEASE all_or_nothing"
        } else {
            "ROLLBACK TO all_or_nothing; RELEASE all_or_nothing"
        };
        self.conn.execute_batch(end)?;
        done
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the agencies and rooms match the site file. Rooms and agencies that left the site
    /// file stay in the records, because old sessions still name them.
    pub fn sync_site(
        &mut self,
        agencies: &[SiteAgency],
        rooms: &[SiteRoom],
    ) -> Result<(), StoreError> {
        let tx = self.change()?;
        for agency in agencies {
            tx.execute(
                "INSERT INTO agencies (id, name) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                params![agency.id, agency.name],
            )?;
        }
        for room in rooms {
            tx.execute(
                "INSERT INTO rooms (id, name, kind) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
                params![room.id, room.name, room.kind.as_str()],
            )?;
            tx.execute(
                "DELETE FROM room_agencies WHERE room_id = ?1",
                params![room.id],
            )?;
            for agency in &room.agencies {
                tx.execute(
                    "INSERT INTO room_agencies (room_id, agency_id) VALUES (?1, ?2)",
                    params![room.id, agency],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// Keeps the site's signing key (its public half) if the records do not have it yet.
    pub fn record_site_key(&mut self, public_key: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO site_keys (public_key, recorded_at) VALUES (?1, ?2)
             ON CONFLICT (public_key) DO NOTHING",
            params![public_key, now()],
        )?;
        Ok(())
    }

    /// The site's signing key (public half, hex) as the records know it: the latest recorded.
    pub fn site_key(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT public_key FROM site_keys ORDER BY rowid DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(store: &mut Store) {
        crate::test_site::site(store, &["a"]);
    }

    #[test]
    fn reopening_keeps_records_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site.db");
        {
            let mut store = Store::open(&path).expect("open");
            site(&mut store);
        }
        let store = Store::open(&path).expect("reopen");
        assert_eq!(store.rooms().expect("rooms").len(), 1);
        drop(store);

        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", SCHEMA_NEXT)
            .expect("bump");
        drop(conn);
        let err = Store::open(&path).err().expect("newer schema refused");
        assert!(err.to_string().contains("Upgrade Liuhen"), "{err}");
    }

    #[test]
    fn evidence_writes_reach_the_disk_and_the_hall_keeps_its_faster_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("site.db")).expect("open");
        let level = |store: &Store| -> i64 {
            store
                .conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .expect("pragma")
        };
        // 1 = NORMAL, 2 = FULL.
        assert_eq!(level(&store), 1);
        let inside = store.durably(|store| Ok(level(store))).expect("runs");
        assert_eq!(inside, 2, "FULL while the evidence is written");
        assert_eq!(level(&store), 1, "and back to NORMAL after");
        let failed: Result<(), StoreError> =
            store.durably(|_| Err(StoreError::CallAborted("refused".into())));
        assert!(failed.is_err());
        assert_eq!(level(&store), 1, "back to NORMAL after a failed write too");
    }

    const SCHEMA_NEXT: i64 = crate::SCHEMA_VERSION + 1;
}
