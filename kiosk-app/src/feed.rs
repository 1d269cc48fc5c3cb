//! Follows one document of the site API from a background thread with its own tokio runtime,
//! and hands every result (or the loss of the controller) to the screen.
//!
//! Changes are pushed: the thread listens to `/api/events` and fetches the document again as
//! soon as an event names it (or the stream reconnects, which may have missed some). A slow poll
//! stays as the fallback, so a screen is never stale for long even when pushes are lost.

use records::api::LiveEvent;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// What the screen learns on each fetch.
#[derive(Debug, Clone)]
pub enum Update {
    Fresh(Value),
    Unreachable(String),
}

/// Fetches `url` once.
pub async fn fetch(http: &reqwest::Client, url: &str, token: &str) -> Update {
    let answer = async {
        let response = http
            .get(url)
            .bearer_auth(token)
            .timeout(Duration::from_secs(3))
            .send()
            .await?;
        response.error_for_status()?.json::<Value>().await
    };
    match answer.await {
        Ok(value) => Update::Fresh(value),
        Err(err) => Update::Unreachable(err.to_string()),
    }
}

/// What to follow.
pub struct Feed {
    /// The document to show.
    pub url: String,
    /// The controller's event stream.
    pub events_url: String,
    /// The controller's address, for attachments.
    pub api: String,
    /// Only events of this topic (a room id, or the hall) make the document stale.
    pub topic: String,
    pub token: String,
    /// The fallback poll.
    pub every: Duration,
    /// API paths of the files a document refers to (photos), fetched with it.
    pub attachments: fn(&Value) -> Vec<String>,
    /// Where attachments are kept, so that they show offline too.
    pub cache_dir: PathBuf,
}

/// An attachment older than this is fetched again (a staff member's new photo shows).
const ATTACHMENT_FRESH_FOR: Duration = Duration::from_secs(600);

/// Fetches the document, and each attachment it names that is missing or old. An attachment
/// that cannot be fetched is left as it was: the document still shows.
pub async fn fetch_with_attachments(http: &reqwest::Client, feed: &Feed) -> Update {
    let update = fetch(http, &feed.url, &feed.token).await;
    if let Update::Fresh(document) = &update {
        for path in (feed.attachments)(document) {
            let file = feed.cache_dir.join(crate::screen::cached_name(&path));
            let fresh = std::fs::metadata(&file)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| at.elapsed().ok())
                .is_some_and(|age| age < ATTACHMENT_FRESH_FOR);
            if fresh {
                continue;
            }
            let url = format!("{}{path}", feed.api.trim_end_matches('/'));
            if let Err(err) = save_attachment(http, &url, &feed.token, &file).await {
                tracing::warn!(%url, error = %err, "cannot fetch an attachment; keeping the old one");
            }
        }
    }
    update
}

async fn save_attachment(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let bytes = http
        .get(url)
        .bearer_auth(token)
        .timeout(Duration::from_secs(5))
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, file)?;
    Ok(())
}

/// Fetches the document now, on every pushed change for it, and at least every `every`;
/// calls `on_update` with each result, forever.
pub fn follow(feed: Feed, on_update: impl Fn(Update) + Send + 'static) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("liuhen-feed".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(err) => {
                    on_update(Update::Unreachable(format!(
                        "cannot start the network thread: {err}"
                    )));
                    return;
                }
            };
            runtime.block_on(async {
                let http = reqwest::Client::new();
                let (nudge, mut nudged) = mpsc::channel(8);
                let feed = Arc::new(feed);
                tokio::spawn(listen(http.clone(), feed.clone(), nudge));
                loop {
                    on_update(fetch_with_attachments(&http, &feed).await);
                    let _ = tokio::time::timeout(feed.every, nudged.recv()).await;
                }
            });
        })?;
    Ok(())
}

/// Reads the event stream and nudges the fetch loop for each change of our topic; reconnects
/// (and nudges, since events may have been missed) whenever the stream breaks.
async fn listen(http: reqwest::Client, feed: Arc<Feed>, nudge: mpsc::Sender<()>) {
    loop {
        let response = http
            .get(&feed.events_url)
            .bearer_auth(&feed.token)
            .send()
            .await;
        if let Ok(mut response) = response.and_then(reqwest::Response::error_for_status) {
            let _ = nudge.try_send(());
            let mut pending = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find('\n') {
                    let line: String = pending.drain(..=end).collect();
                    if line.starts_with("event: resync") {
                        let _ = nudge.try_send(());
                    }
                    let Some(data) = line.trim_end().strip_prefix("data:") else {
                        continue;
                    };
                    let ours = serde_json::from_str::<LiveEvent>(data.trim())
                        .map(|e| e.room == feed.topic)
                        .unwrap_or(false);
                    if ours {
                        let _ = nudge.try_send(());
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}
