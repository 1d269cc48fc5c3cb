//! The last state a screen showed, kept on disk so that a screen that starts without the
//! network, or loses it, shows what it last knew with an "offline" mark.

use chrono::{DateTime, Local};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn default_path(screen: &str) -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("liuhen-kiosk").join(format!("{screen}.json"))
}

/// A fetched document and when it was fetched.
pub struct Saved {
    pub value: Value,
    pub fetched_at: DateTime<Local>,
}

pub fn load(path: &Path) -> Option<Saved> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc: Value = serde_json::from_str(&text).ok()?;
    let fetched_at = DateTime::parse_from_rfc3339(doc.get("fetched_at")?.as_str()?).ok()?;
    Some(Saved {
        value: doc.get("value")?.clone(),
        fetched_at: fetched_at.with_timezone(&Local),
    })
}

/// Writes atomically (temporary file, then rename): a power cut leaves the old or the new state.
pub fn save(path: &Path, value: &Value, fetched_at: DateTime<Local>) {
    let doc = serde_json::json!({ "fetched_at": fetched_at.to_rfc3339(), "value": value });
    let result = (|| -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, doc.to_string())?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(err) = result {
        tracing::warn!(file = %path.display(), error = %err, "cannot keep the screen's last state");
    }
}
