//! The schema is versioned code: `PRAGMA user_version` holds the version, each step upgrades a
//! file in place inside one IMMEDIATE transaction, and a file from a newer Liuhen is refused.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

use crate::StoreError;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Each entry upgrades from the version before it; index 0 creates version 1.
const STEPS: &[&str] = &[include_str!("../sql/v1.sql")];

pub(crate) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    // WAL keeps readers (the API) off the writer's back and survives a killed process.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(open_err)?;

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
    tx.commit()?;
    Ok(())
}
