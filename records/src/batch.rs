//! Writes in batches: the controller's one writer runs the writes that queued up while it was
//! busy (a burst of counters calling at once) in one transaction, each call in a savepoint of
//! its own, and commits once: one commit's WAL writes instead of one per call, and no call sees
//! or loses another's changes (a call that fails takes back only its own).
//!
//! Every query that changes several rows opens a [`Change`]: its own transaction, taking the
//! write lock at once (so that another process's writer, a CLI command, cannot slip in between
//! its read and its write), or, inside a batch, a savepoint of the batch's transaction.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::ops::Deref;

use crate::{Store, StoreError};

/// One change, kept all or nothing.
pub(crate) enum Change<'a> {
    Alone(Transaction<'a>),
    InBatch(BatchSavepoint<'a>),
}

/// A savepoint inside a batch's transaction, opened and released through prepared statements.
pub(crate) struct BatchSavepoint<'a> {
    conn: &'a Connection,
    kept: bool,
}

impl<'a> BatchSavepoint<'a> {
    fn open(conn: &'a Connection) -> Result<Self, rusqlite::Error> {
        run_prepared(conn, "SAVEPOINT change")?;
        Ok(Self { conn, kept: false })
    }

    fn release(mut self) -> Result<(), rusqlite::Error> {
        run_prepared(self.conn, "RELEASE change")?;
        self.kept = true;
        Ok(())
    }
}

/// Runs `sql` (a savepoint's opening or release) through the statement cache: rusqlite's
/// `Savepoint` and `execute_batch` parse their SQL every time, and every call of a burst runs
/// two of each.
fn run_prepared(conn: &Connection, sql: &str) -> Result<(), rusqlite::Error> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

impl Drop for BatchSavepoint<'_> {
    /// Not kept: takes back what was done since it opened (the batch goes on).
    fn drop(&mut self) {
        if !self.kept {
            let _ = self
                .conn
                .execute_batch("ROLLBACK TO change; RELEASE change");
        }
    }
}

impl Deref for Change<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Self::Alone(tx) => tx,
            Self::InBatch(savepoint) => savepoint.conn,
        }
    }
}

impl Change<'_> {
    /// Keeps the change (its transaction commits; in a batch, the batch commits it later).
    pub(crate) fn commit(self) -> Result<(), rusqlite::Error> {
        match self {
            Self::Alone(tx) => tx.commit(),
            Self::InBatch(savepoint) => savepoint.release(),
        }
    }
}

/// One call of a batch: runs against the store and says whether it succeeded (a failed call's
/// changes are taken back).
pub type BatchCall<'a> = Box<dyn FnOnce(&mut Store) -> bool + 'a>;

impl Store {
    /// A change of several rows: a transaction, or a savepoint when one is open (a batch).
    pub(crate) fn change(&mut self) -> Result<Change<'_>, StoreError> {
        if self.conn.is_autocommit() {
            Ok(Change::Alone(self.conn.transaction_with_behavior(
                TransactionBehavior::Immediate,
            )?))
        } else {
            Ok(Change::InBatch(BatchSavepoint::open(&self.conn)?))
        }
    }

    /// Runs `calls` in one transaction, each in a savepoint, and commits once; `durable` puts
    /// the commit on the disk before it returns (see [`Store::durably`]). On `Err` nothing of
    /// the batch was kept.
    pub fn write_batch(
        &mut self,
        durable: bool,
        calls: Vec<BatchCall<'_>>,
    ) -> Result<(), StoreError> {
        if durable {
            self.durably(|store| store.run_batch(calls))
        } else {
            self.run_batch(calls)
        }
    }

    fn run_batch(&mut self, calls: Vec<BatchCall<'_>>) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        for call in calls {
            let kept = run_prepared(&self.conn, "SAVEPOINT call")
                .map_err(StoreError::from)
                .map(|()| call(self));
            let end = match kept {
                Ok(true) => run_prepared(&self.conn, "RELEASE call"),
                Ok(false) => self.conn.execute_batch("ROLLBACK TO call; RELEASE call"),
                Err(err) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(err);
                }
            };
            if let Err(err) = end {
                let _ = self.conn.execute_batch("ROLLBACK");
                return Err(err.into());
            }
        }
        if let Err(err) = self.conn.execute_batch("COMMIT") {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(err.into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_failing_call_takes_back_only_its_own_changes() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let count = |store: &crate::Store| -> i64 {
            store
                .conn
                .query_row(
                    "SELECT COUNT(*) FROM agencies WHERE id LIKE 'batch-%'",
                    [],
                    |r| r.get(0),
                )
                .expect("count")
        };
        let add = |id: &'static str, then_fail: bool| -> super::BatchCall<'static> {
            Box::new(move |store: &mut crate::Store| {
                let change = store.change().expect("savepoint");
                change
                    .execute("INSERT INTO agencies (id, name) VALUES (?1, ?1)", [id])
                    .expect("insert");
                if then_fail {
                    return false;
                }
                change.commit().is_ok()
            })
        };
        store
            .write_batch(
                false,
                vec![
                    add("batch-1", false),
                    add("batch-2", true),
                    add("batch-3", false),
                ],
            )
            .expect("the batch commits");
        assert_eq!(
            count(&store),
            2,
            "the failed call's row is gone, the others kept"
        );
        assert!(store.conn.is_autocommit(), "no transaction left open");
    }
}
