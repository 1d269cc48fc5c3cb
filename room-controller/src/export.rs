//! Streams a session's export package (see `evidence::export`) as the HTTP answer, as it is
//! written, so a long hearing never has to fit in memory.

use axum::body::{Body, Bytes};
use site_api::{Caller, SessionView};
use std::io::Write;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Sends what is written to it as chunks of the HTTP answer.
struct ChunkWriter {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl Write for ChunkWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
            })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Streams the package of `view`, whose media are in `dir`, as a tar body.
pub fn stream(view: SessionView, dir: PathBuf, caller: Caller) -> Body {
    let (tx, mut rx) = mpsc::channel(8);
    let writer_tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let out = ChunkWriter { tx: writer_tx };
        if let Err(err) = evidence::write_package(&view, &dir, caller.who(), out) {
            tracing::warn!(session = view.id, error = %err, "export stopped");
            let _ = tx.blocking_send(Err(err));
        }
    });
    let chunks = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Body::from_stream(chunks)
}
