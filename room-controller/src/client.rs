//! A small client of the site API, for the CLI's `session` commands.

use anyhow::{Context, bail};
use records::api::{ApiError, SessionView, StartSession};
use serde::de::DeserializeOwned;

pub struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    pub async fn start(&self, room: &str, request: &StartSession) -> anyhow::Result<SessionView> {
        let url = format!("{}/api/rooms/{room}/sessions", self.base);
        self.answer(
            self.http
                .post(&url)
                .bearer_auth(&self.token)
                .json(request)
                .send()
                .await,
            &url,
        )
        .await
    }

    pub async fn stop(&self, id: i64) -> anyhow::Result<SessionView> {
        let url = format!("{}/api/sessions/{id}/stop", self.base);
        self.answer(
            self.http.post(&url).bearer_auth(&self.token).send().await,
            &url,
        )
        .await
    }

    pub async fn mark(&self, id: i64, text: &str) -> anyhow::Result<SessionView> {
        let url = format!("{}/api/sessions/{id}/markers", self.base);
        let body = records::api::AddMarker {
            text: text.to_string(),
        };
        self.answer(
            self.http
                .post(&url)
                .bearer_auth(&self.token)
                .json(&body)
                .send()
                .await,
            &url,
        )
        .await
    }

    pub async fn resume(&self, id: i64) -> anyhow::Result<SessionView> {
        let url = format!("{}/api/sessions/{id}/resume", self.base);
        self.answer(
            self.http.post(&url).bearer_auth(&self.token).send().await,
            &url,
        )
        .await
    }

    pub async fn session(&self, id: i64) -> anyhow::Result<SessionView> {
        let url = format!("{}/api/sessions/{id}", self.base);
        self.answer(
            self.http.get(&url).bearer_auth(&self.token).send().await,
            &url,
        )
        .await
    }

    async fn answer<T: DeserializeOwned>(
        &self,
        sent: reqwest::Result<reqwest::Response>,
        url: &str,
    ) -> anyhow::Result<T> {
        let response = sent.with_context(|| {
            format!("cannot reach the controller at {url}; is `room-controller serve` running? (--api or LIUHEN_API)")
        })?;
        let status = response.status();
        if status.is_success() {
            return response
                .json()
                .await
                .with_context(|| format!("reading the answer of {url}"));
        }
        match response.json::<ApiError>().await {
            Ok(err) => bail!("{} ({status})", err.error),
            Err(_) => bail!("the controller answered {status} to {url}"),
        }
    }
}
