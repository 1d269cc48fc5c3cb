//! Follows one document of the site API from a background thread with its own tokio runtime,
//! and hands every change (or the loss of the controller) to the screen.

use serde_json::Value;
use std::time::Duration;

/// What the screen learns on each poll.
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

/// Polls `url` every `every` and calls `on_update` with each result, forever.
pub fn follow(
    url: String,
    token: String,
    every: Duration,
    on_update: impl Fn(Update) + Send + 'static,
) -> std::io::Result<()> {
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
                loop {
                    on_update(fetch(&http, &url, &token).await);
                    tokio::time::sleep(every).await;
                }
            });
        })?;
    Ok(())
}
