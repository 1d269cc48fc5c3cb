//! Follows one document of the site API on the kiosk's network runtime, and hands every result
//! (or the loss of the controller) to the screen.
//!
//! Changes are pushed: the live event stream nudges a fetch as soon as an event names the
//! document's topic (or the stream says changes were missed). A slow poll stays as the
//! fallback, so a screen is never stale for long even when pushes are lost.

use serde_json::Value;
use site_api::{Client, LiveUpdate, Topic};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

use crate::net::Net;

/// What the screen learns on each fetch.
#[derive(Debug, Clone)]
pub enum Update {
    Fresh(Value),
    Unreachable(String),
}

/// What to follow.
pub struct Feed {
    /// The route of the document to show (from `site_api::routes`).
    pub path: String,
    /// Only events of this topic (a room, or the hall) make the document stale.
    pub topic: Topic,
    /// The fallback poll.
    pub every: Duration,
    /// The staff whose photos the document shows, fetched with it.
    pub photos: fn(&Value) -> Vec<String>,
    /// Where photos are kept, so that they show offline too.
    pub cache_dir: PathBuf,
}

/// A photo older than this is fetched again (a staff member's new photo shows).
const PHOTO_FRESH_FOR: Duration = Duration::from_secs(600);

/// The file a staff member's photo is kept in.
pub fn photo_file(cache_dir: &Path, staff_id: &str) -> PathBuf {
    let safe: String = staff_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cache_dir.join(format!("staff-{safe}.photo"))
}

/// Fetches the document, and each photo it names that is missing or old. A photo that cannot
/// be fetched is left as it was: the document still shows.
pub async fn fetch_with_photos(client: &Client, feed: &Feed) -> Update {
    let document = match client.document(&feed.path).await {
        Ok(document) => document,
        Err(err) => return Update::Unreachable(err.to_string()),
    };
    for staff_id in (feed.photos)(&document) {
        let file = photo_file(&feed.cache_dir, &staff_id);
        let fresh = std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age < PHOTO_FRESH_FOR);
        if fresh {
            continue;
        }
        let saved = match client.staff_photo(&staff_id).await {
            Ok(bytes) => save(&file, &bytes),
            Err(err) => Err(std::io::Error::other(err.to_string())),
        };
        if let Err(err) = saved {
            tracing::warn!(staff = %staff_id, error = %err, "cannot fetch a photo; keeping the old one");
        }
    }
    Update::Fresh(document)
}

fn save(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, file)
}

/// Fetches the document now, on every pushed change for it, and at least every `every`;
/// calls `on_update` with each result, for as long as the process runs.
pub fn follow(net: &Net, feed: Feed, on_update: impl Fn(Update) + Send + 'static) {
    let client = net.client().clone();
    let (nudge, mut nudged) = mpsc::channel(8);
    net.spawn(listen(client.clone(), feed.topic.clone(), nudge));
    net.spawn(async move {
        loop {
            let update = fetch_with_photos(&client, &feed).await;
            on_update(update);
            let _ = tokio::time::timeout(feed.every, nudged.recv()).await;
        }
    });
}

/// Reads the live events and nudges the fetch loop for each change of our topic, and whenever
/// changes may have been missed.
async fn listen(client: Client, topic: Topic, nudge: mpsc::Sender<()>) {
    let mut events = client.events();
    loop {
        let stale = match events.next().await {
            LiveUpdate::Changed(event) => event.topic == topic,
            LiveUpdate::Resync => true,
            LiveUpdate::Lost(reason) => {
                tracing::debug!(%reason, "live events lost; retrying");
                false
            }
        };
        if stale {
            let _ = nudge.try_send(());
        }
    }
}
