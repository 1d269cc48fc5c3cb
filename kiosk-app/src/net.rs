//! The kiosk's network side: one tokio runtime for the whole process, on a thread of its own,
//! and the site API's typed client. Screens follow their document on it and buttons send
//! their requests through it, so the UI thread never waits for the network and a press never
//! starts a thread.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use site_api::Client;

/// A fetch that takes longer than this shows the screen offline rather than hanging.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);
/// A person's action (a ticket, a stop that closes every file) may take longer; it still gives
/// up rather than leave the person waiting for ever.
const ACTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The runtime and the client; cheap to clone. The runtime lives as long as the process (a
/// screen's feed keeps a clone of it for its updates), so it is never dropped from one of its
/// own tasks.
#[derive(Clone)]
pub struct Net {
    runtime: Arc<tokio::runtime::Runtime>,
    client: Client,
    actions: Client,
}

impl Net {
    /// Starts the runtime for the controller at `api`, acting with `token`, trusting the CA in
    /// the file `ca` when the controller speaks HTTPS.
    pub fn start(api: &str, token: &str, ca: Option<&Path>) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("liuhen-net")
            .enable_all()
            .build()?;
        let client = Client::trusting(api, token, ca)?;
        Ok(Self {
            runtime: Arc::new(runtime),
            actions: client.clone().with_timeout(ACTION_TIMEOUT),
            client: client.with_timeout(FETCH_TIMEOUT),
        })
    }

    /// The client for following documents: quick to say the controller is gone.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The client for what a person does: waits for the controller's answer a while longer.
    pub fn actions(&self) -> &Client {
        &self.actions
    }

    /// Runs `job` in the background.
    pub fn spawn(&self, job: impl Future<Output = ()> + Send + 'static) {
        self.runtime.spawn(job);
    }

    /// Runs `job` and waits for it: for the drawn (PNG) mode, which has no event loop.
    pub fn block_on<F: Future>(&self, job: F) -> F::Output {
        self.runtime.block_on(job)
    }
}
