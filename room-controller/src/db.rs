//! The records as the controller uses them: one writer and a few readers, each on a SQLite
//! connection of its own (WAL lets readers read while the writer commits). Writes run one at a
//! time, in the order they were asked for, on the writer's own thread: a burst of counters
//! calling at once is served first come, first served. Reads (the hall board, a room, the
//! access log, every token check) run on blocking threads against the readers and never wait
//! for a write.

use records::{Store, StoreError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tracing::error;

/// Read connections: enough for the API's reads to run beside each other on two cores.
const READERS: usize = 4;

type WriteJob = Box<dyn FnOnce(&mut Store) + Send>;

#[derive(Clone)]
pub struct Db(Arc<Inner>);

struct Inner {
    writer: mpsc::Sender<WriteJob>,
    readers: Vec<Mutex<Store>>,
    next_reader: AtomicUsize,
}

impl Db {
    /// Takes `writer` (opened, and so migrated, with [`Store::open`]) as the one writer, and
    /// opens the readers beside it.
    pub fn new(writer: Store) -> Result<Self, StoreError> {
        let readers = (0..READERS)
            .map(|_| Store::open_reader(writer.path()).map(Mutex::new))
            .collect::<Result<_, _>>()?;
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
        })))
    }

    /// Runs `f` on the writer, after every write asked for before it.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.0
            .writer
            .send(Box::new(move |store| {
                let _ = answer.send(f(store));
            }))
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
        self.call(move |store| store.durably(f)).await
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

fn write_loop(mut store: Store, queue: &mpsc::Receiver<WriteJob>) {
    for job in queue {
        // A panicking call loses its own answer (the caller is told), never the writer.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut store)));
        if ran.is_err() {
            error!("a records call panicked; its transaction was rolled back");
        }
    }
}
