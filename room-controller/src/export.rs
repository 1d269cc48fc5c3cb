//! Streams a session's export package (see `evidence::export`) as the HTTP answer without a
//! thread of its own: each file is read with async I/O as the client takes it, so a slow
//! download holds nothing but its permit. The site allows `max_exports` downloads at once (a
//! semaphore in the API's state); the permit goes when the body is dropped, finished or not.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use evidence::PackageFile;
use evidence::export::{TAR_END, tar_header, tar_padding};
use std::collections::VecDeque;
use tokio::io::AsyncReadExt;
use tokio::sync::OwnedSemaphorePermit;

/// How much of a file goes into one chunk of the answer.
const CHUNK: usize = 256 * 1024;

/// Where a download is.
struct Sending {
    files: VecDeque<PackageFile>,
    /// The file being sent: the file, bytes still to send, its size, its name for errors.
    open: Option<(tokio::fs::File, u64, u64, String)>,
    ended: bool,
    _permit: OwnedSemaphorePermit,
}

/// How long a caller refused for too many exports at once is asked to wait.
pub const EXPORT_RETRY_AFTER_SECONDS: u64 = 30;

/// A permit to stream one export, if fewer than the site's `max_exports` are running.
pub fn permit(exports: &std::sync::Arc<tokio::sync::Semaphore>) -> Option<OwnedSemaphorePermit> {
    exports.clone().try_acquire_owned().ok()
}

/// The answer when the site's `max_exports` are running (503 with Retry-After): the next
/// caller is asked to come back rather than queued, so exports never crowd out the rest.
pub fn busy(max_exports: usize) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(
            axum::http::header::RETRY_AFTER,
            EXPORT_RETRY_AFTER_SECONDS.to_string(),
        )],
        Json(site_api::ApiError {
            error: format!(
                "{max_exports} exports are running, the most this site allows at once (max_exports); try again in {EXPORT_RETRY_AFTER_SECONDS} s"
            ),
        }),
    )
        .into_response()
}

/// The package `<name>.tar` made of `files`, as the answer to a download.
pub fn tar_answer(name: &str, files: Vec<PackageFile>, permit: OwnedSemaphorePermit) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/x-tar".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.tar\""),
            ),
        ],
        stream(files, permit),
    )
        .into_response()
}

/// The package made of `files` as a tar body; `permit` is held until the body is dropped.
pub fn stream(files: Vec<PackageFile>, permit: OwnedSemaphorePermit) -> Body {
    let sending = Sending {
        files: files.into(),
        open: None,
        ended: false,
        _permit: permit,
    };
    let chunks = futures_util::stream::unfold(sending, |mut sending| async move {
        match sending.next_chunk().await {
            Ok(Some(bytes)) => Some((Ok(bytes), sending)),
            Ok(None) => None,
            Err(err) => {
                tracing::warn!(error = %err, "export stopped");
                sending.ended = true;
                Some((Err(err), sending))
            }
        }
    });
    Body::from_stream(chunks)
}

impl Sending {
    async fn next_chunk(&mut self) -> std::io::Result<Option<Bytes>> {
        if self.ended {
            return Ok(None);
        }
        if let Some((file, left, size, name)) = &mut self.open {
            if *left > 0 {
                let mut buf = vec![0u8; CHUNK.min(usize::try_from(*left).unwrap_or(CHUNK))];
                let read = file.read(&mut buf).await?;
                if read == 0 {
                    return Err(std::io::Error::other(format!(
                        "{name} shrank while it was exported"
                    )));
                }
                buf.truncate(read);
                *left -= read as u64;
                return Ok(Some(Bytes::from(buf)));
            }
            let padding = tar_padding(*size);
            self.open = None;
            if !padding.is_empty() {
                return Ok(Some(Bytes::from_static(padding)));
            }
        }
        match self.files.pop_front() {
            Some(PackageFile::Made { name, bytes }) => {
                let size = bytes.len() as u64;
                let mut chunk = tar_header(&name, size)?.to_vec();
                chunk.extend_from_slice(&bytes);
                chunk.extend_from_slice(tar_padding(size));
                Ok(Some(Bytes::from(chunk)))
            }
            Some(PackageFile::OnDisk { name, path }) => {
                let file = tokio::fs::File::open(&path).await?;
                let size = file.metadata().await?.len();
                let header = tar_header(&name, size)?;
                self.open = Some((file, size, size, path.display().to_string()));
                Ok(Some(Bytes::copy_from_slice(&header)))
            }
            None => {
                self.ended = true;
                Ok(Some(Bytes::from_static(&TAR_END)))
            }
        }
    }
}
