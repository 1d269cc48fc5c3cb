//! The records as the controller uses them: one writer and a few readers, each on a SQLite
//! connection of its own (WAL lets readers read while the writer commits). Writes run one at a
//! time, in the order they were asked for, on the writer's own thread: a burst of counters
//! calling at once is served first come, first served, and the writes that queued up while
//! the writer was busy are committed together (`Store::write_batch`: one commit for the burst,
//! each call in a savepoint of its own). A call is answered only once its commit holds. Reads
//! (the hall board, a room, the access log, every token check) run on blocking threads
//! against the readers and never wait for a write.

use records::{Store, StoreError};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tracing::{error, warn};

/// Read connections: enough for the API's reads to run beside each other on two cores.
const READERS: usize = 4;

/// At most this many queued writes are committed together.
const BATCH_MOST: usize = 64;

/// How often the WAL's pages are copied into the database file, beside the writer.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// A write waiting for the writer: it runs against the store and leaves its answer to be sent
/// once the commit is known.
struct WriteJob {
    run: Box<dyn FnOnce(&mut Store) -> Answer + Send>,
    /// Its commit must be on the disk before it is answered (see `Db::call_durably`).
    durable: bool,
}

/// Sends a call's answer: as computed, or the batch's failure when its commit did not hold.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

#[derive(Clone)]
pub struct Db(Arc<Inner>);

struct Inner {
    writer: mpsc::Sender<WriteJob>,
    readers: Vec<Mutex<Store>>,
    next_reader: AtomicUsize,
    /// Dropped with the last `Db`, which ends the checkpoint thread.
    _checkpoints: mpsc::Sender<()>,
}

impl Db {
    /// Takes `writer` (opened, and so migrated, with [`Store::open`]) as the one writer, and
    /// opens the readers beside it.
    pub fn new(writer: Store) -> Result<Self, StoreError> {
        let readers = (0..READERS)
            .map(|_| Store::open_reader(writer.path()).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        let checkpointer = Store::open_reader(writer.path())?;
        writer.leave_checkpoints_to_another()?;
        let (checkpoints, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("liuhen-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpointer, &stopped))
            .map_err(|err| {
                StoreError::CallAborted(format!("cannot start the records checkpointer: {err}"))
            })?;
        let (jobs, queue) = mpsc::channel::<WriteJob>();
        std::thread::Builder::new()
            .name("liuhen-records".into())
            .spawn(move || write_loop(writer, &queue))
            .map_err(|err| {
                StoreError::CallAborted(format!("cannot start the records writer: {err}"))
            })?;
        Ok(Self(Arc::new(Inner {
            writer: jobs,
            readers,
            next_reader: AtomicUsize::new(0),
            _checkpoints: checkpoints,
        })))
    }

    /// Runs `f` on the writer, after every write asked for before it.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        self.write(false, f).await
    }

    async fn write<T, F>(&self, durable: bool, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        // What the call changed is kept even when it fails: each change in it is all or
        // nothing by itself, and some failures are records themselves (a refused access is
        // logged). Only a panic takes back what the call did.
        let run = move |store: &mut Store| -> Answer {
            let result = f(store);
            let send: Answer = Box::new(move |commit_failed: Option<&str>| {
                let result = match commit_failed {
                    Some(why) => Err(StoreError::CallAborted(format!(
                        "the records did not keep this change: {why}"
                    ))),
                    None => result,
                };
                let _ = answer.send(result);
            });
            send
        };
        self.0
            .writer
            .send(WriteJob {
                run: Box::new(run),
                durable,
            })
            .map_err(|_| StoreError::CallAborted("the records writer has stopped".into()))?;
        answered.await.map_err(|_| {
            StoreError::CallAborted(
                "the records call panicked; what it wrote was rolled back with its transaction"
                    .into(),
            )
        })?
    }

    /// [`Db::call`] for evidence rows (segments, the access log, case changes): the commit is
    /// on the disk, not only in the kernel, before the answer (see `Store::durably`). The hall's
    /// many small writes stay on the faster default.
    pub async fn call_durably<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        self.write(true, f).await
    }

    /// Runs `f` on a reader: it sees every write that finished before it was asked for.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || inner.with_reader(f))
            .await
            .map_err(|err| StoreError::CallAborted(err.to_string()))?
    }
}

impl Inner {
    /// An idle reader if there is one, else the next in turn.
    fn with_reader<T>(&self, f: impl FnOnce(&Store) -> T) -> T {
        let count = self.readers.len();
        let first = self.next_reader.fetch_add(1, Ordering::Relaxed) % count;
        for i in 0..count {
            if let Ok(reader) = self.readers[(first + i) % count].try_lock() {
                return f(&reader);
            }
        }
        let reader = self.readers[first]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&reader)
    }
}

/// Every [`CHECKPOINT_EVERY`], until the `Db` is gone, copies the WAL's committed pages into
/// the database file on a connection of its own, so that the writer never stops for it.
/// The first one runs at once, which also opens the WAL for good (a process's open files do
/// not change a second after it started).
fn checkpoint_loop(store: &Store, stopped: &mpsc::Receiver<()>) {
    loop {
        if let Err(err) = store.checkpoint() {
            warn!(error = %err, "the records' checkpoint failed; it is tried again in a second");
        }
        if let Err(mpsc::RecvTimeoutError::Disconnected) | Ok(()) =
            stopped.recv_timeout(CHECKPOINT_EVERY)
        {
            return;
        }
    }
}

fn write_loop(mut store: Store, queue: &mpsc::Receiver<WriteJob>) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < BATCH_MOST {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let durable = jobs.iter().any(|job| job.durable);
        let answers: RefCell<Vec<Answer>> = RefCell::new(Vec::with_capacity(jobs.len()));
        let calls: Vec<records::BatchCall<'_>> = jobs
            .into_iter()
            .map(|job| {
                let answers = &answers;
                Box::new(move |store: &mut Store| {
                    // A panicking call loses its own answer (the caller is told) and its own
                    // changes, never the writer or the rest of the batch.
                    let ran =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(store)));
                    match ran {
                        Ok(answer) => {
                            answers.borrow_mut().push(answer);
                            true
                        }
                        Err(_) => {
                            error!("a records call panicked; its changes were taken back");
                            false
                        }
                    }
                }) as records::BatchCall<'_>
            })
            .collect();
        let committed = store.write_batch(durable, calls);
        let failure = committed.as_ref().err().map(ToString::to_string);
        if let Some(why) = &failure {
            error!(error = %why, "the records did not keep a batch of writes");
        }
        for answer in answers.into_inner() {
            answer(failure.as_deref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use site_api::Role;

    /// The writer leaves checkpoints to the checkpoint thread: the WAL is still copied into the
    /// database file and reused, so it does not grow with every write the site ever made.
    #[tokio::test]
    async fn the_wal_is_reused_while_the_writer_writes_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("site.db");
        let db = Db::new(Store::open(&path).expect("open")).expect("db");
        let wal = path.with_extension("db-wal");
        let mut sizes = Vec::new();
        for round in 0..3 {
            for n in 0..400 {
                db.call(move |store| {
                    store.issue_token(&format!("k{round}-{n}"), Role::Kiosk, None)
                })
                .await
                .expect("a token");
            }
            sizes.push(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
            // Two checkpoints' time: the next round starts the WAL from its beginning.
            tokio::time::sleep(CHECKPOINT_EVERY * 2 + CHECKPOINT_EVERY / 2).await;
        }
        assert!(
            sizes[0] > 400 * 4096,
            "each write is a commit of its own: {sizes:?}"
        );
        assert!(
            sizes[2] < sizes[0] * 3 / 2,
            "the WAL grew with every round instead of being reused: {sizes:?}"
        );
    }
}
