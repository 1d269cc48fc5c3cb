//! What every screen does the same way: follow one document of the site API (pushed changes,
//! with a slow poll as fallback), keep the last one on disk, show it marked offline when the
//! controller cannot be reached, and run either in a window or drawing PNG files.

use chrono::{DateTime, Local};
use serde_json::Value;
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::feed::{self, Update};
use crate::{headless, last_state};

/// How often the headless mode redraws its PNG.
const REDRAW_EVERY: Duration = Duration::from_secs(2);

/// Where a screen gets its document and keeps its last state.
#[derive(Clone)]
pub struct Options {
    pub api: String,
    pub token: String,
    pub room: String,
    pub state_file: PathBuf,
}

impl Options {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api.trim_end_matches('/'))
    }
}

/// A screen that shows one API document.
pub trait Screen: ComponentHandle + Sized + 'static {
    /// Its size in pixels when drawn to PNG.
    const SIZE: (u32, u32);
    /// The fallback poll; changes normally arrive pushed, at once. Screens with live meters,
    /// which are not pushed, poll faster.
    const POLL_EVERY: Duration = Duration::from_secs(10);
    fn create() -> Result<Self, slint::PlatformError>;
    /// The API path of the document it shows, for `room`.
    fn path(room: &str) -> String;
    /// Shows a document; false when the document cannot be read.
    fn show_document(&self, document: &Value, fetched_at: DateTime<Local>, offline: bool) -> bool;
    /// Shows that nothing was ever fetched for `room`.
    fn show_nothing(&self, room: &str);
}

fn apply<S: Screen>(ui: &S, update: Update, options: &Options) {
    match update {
        Update::Fresh(document) => {
            let now = Local::now();
            if ui.show_document(&document, now, false) {
                last_state::save(&options.state_file, &document, now);
            } else {
                tracing::warn!("the controller sent a document this kiosk cannot read");
            }
        }
        Update::Unreachable(reason) => {
            tracing::warn!(%reason, "controller unreachable; showing the last state");
            show_saved(ui, &options.state_file, &options.room);
        }
    }
}

fn show_saved<S: Screen>(ui: &S, state_file: &Path, room: &str) {
    let shown = last_state::load(state_file)
        .is_some_and(|saved| ui.show_document(&saved.value, saved.fetched_at, true));
    if !shown {
        ui.show_nothing(room);
    }
}

/// Runs the screen in a window; `setup` wires its callbacks.
pub fn run_window<S: Screen>(options: Options, setup: impl FnOnce(&S)) -> anyhow::Result<()> {
    let ui = S::create()?;
    setup(&ui);
    show_saved(&ui, &options.state_file, &options.room);
    let weak = ui.as_weak();
    let for_updates = options.clone();
    feed::follow(
        feed::Feed {
            url: options.url(&S::path(&options.room)),
            events_url: options.url("/api/events"),
            room: options.room.clone(),
            token: options.token.clone(),
            every: S::POLL_EVERY,
        },
        move |update| {
            let options = for_updates.clone();
            // The window may be closing; then there is nothing to update.
            let _ = weak.upgrade_in_event_loop(move |ui| apply(&ui, update, &options));
        },
    )?;
    ui.run()?;
    Ok(())
}

/// Draws the screen into `png`, once or every few seconds.
pub fn run_headless<S: Screen>(options: Options, png: &Path, once: bool) -> anyhow::Result<()> {
    let window = headless::install(S::SIZE.0, S::SIZE.1)?;
    let ui = S::create()?;
    ComponentHandle::show(&ui)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let http = reqwest::Client::new();
    let url = options.url(&S::path(&options.room));
    loop {
        let update = runtime.block_on(feed::fetch(&http, &url, &options.token));
        apply(&ui, update, &options);
        headless::write_png(&window, png)?;
        if once {
            return Ok(());
        }
        std::thread::sleep(REDRAW_EVERY);
    }
}
