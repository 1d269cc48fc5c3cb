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

    /// `POST /api/sessions/{id}/{action}` for the actions without a body: stop, pause, resume.
    pub async fn act(&self, id: i64, action: SessionVerb) -> anyhow::Result<SessionView> {
        let url = format!("{}/api/sessions/{id}/{}", self.base, action.path());
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

    /// Downloads a session's package and unpacks it into `out`; returns the package's folder.
    pub async fn export(
        &self,
        id: i64,
        out: &std::path::Path,
    ) -> anyhow::Result<std::path::PathBuf> {
        use std::io::{IsTerminal, Write};
        let url = format!("{}/api/sessions/{id}/export", self.base);
        let mut response = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| {
                format!("cannot reach the controller at {url}; is `room-controller serve` running?")
            })?;
        let status = response.status();
        if !status.is_success() {
            match response.json::<ApiError>().await {
                Ok(err) => bail!("{} ({status})", err.error),
                Err(_) => bail!("the controller answered {status} to {url}"),
            }
        }
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        let part = out.join(format!(".session-{id}.tar.part"));
        let mut file =
            std::fs::File::create(&part).with_context(|| format!("creating {}", part.display()))?;
        let show = std::io::stderr().is_terminal();
        let mut received = 0u64;
        while let Some(chunk) = response
            .chunk()
            .await
            .context("the export stopped midway; run it again")?
        {
            file.write_all(&chunk)
                .with_context(|| format!("writing {}", part.display()))?;
            received += chunk.len() as u64;
            if show {
                eprint!("\r{:.1} MB received", received as f64 / 1e6);
            }
        }
        if show {
            eprintln!();
        }
        file.sync_all()?;
        drop(file);
        let archive = std::fs::File::open(&part)?;
        tar::Archive::new(archive)
            .unpack(out)
            .with_context(|| format!("unpacking the export into {}", out.display()))?;
        std::fs::remove_file(&part)?;
        Ok(out.join(format!("session-{id}")))
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

/// What a clerk can do to a running (or paused, or interrupted) session without saying more.
#[derive(Debug, Clone, Copy)]
pub enum SessionVerb {
    Stop,
    Pause,
    Resume,
}

impl SessionVerb {
    fn path(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Pause => "pause",
            Self::Resume => "resume",
        }
    }

    /// For messages: "stopping session 7".
    pub fn doing(self) -> &'static str {
        match self {
            Self::Stop => "stopping",
            Self::Pause => "pausing",
            Self::Resume => "resuming",
        }
    }
}
