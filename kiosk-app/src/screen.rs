//! What every screen does the same way: follow one document of the site API (pushed changes,
//! with a slow poll as fallback), keep the last one on disk, show it marked offline when the
//! controller cannot be reached, and run either in a window or drawing PNG files.

use chrono::{DateTime, Local};
use serde_json::Value;
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::feed::{self, Update};
use crate::net::Net;
use crate::{headless, last_state};

/// How often the headless mode redraws its PNG.
const REDRAW_EVERY: Duration = Duration::from_secs(2);

/// Where a screen gets its document and keeps its last state.
#[derive(Clone)]
pub struct Options {
    /// The network runtime and the API client.
    pub net: Net,
    /// What the screen is about: a room id, a window id, or nothing (the whole hall).
    pub subject: String,
    pub state_file: PathBuf,
    /// The screen's size in pixels; `None` for the screen's own default.
    pub size: Option<(u32, u32)>,
}

impl Options {
    /// Files the screen fetched besides its document (staff photos), kept for offline use.
    pub fn cache_dir(&self) -> PathBuf {
        self.state_file.with_extension("files")
    }
}

/// How a document is shown: when it was fetched, whether it is the last one kept while
/// offline, and what the screen is about.
pub struct Shown<'a> {
    pub fetched_at: DateTime<Local>,
    pub offline: bool,
    pub subject: &'a str,
    /// Where the document's staff photos were saved (see [`Screen::photos`]).
    pub cache_dir: &'a Path,
}

/// A screen that shows one API document.
pub trait Screen: ComponentHandle + Sized + 'static {
    /// Its size in pixels when nothing else is asked for.
    const SIZE: (u32, u32);
    /// The fallback poll; changes normally arrive pushed, at once. Screens with live meters,
    /// which are not pushed, poll faster.
    const POLL_EVERY: Duration = Duration::from_secs(10);
    fn create() -> Result<Self, slint::PlatformError>;
    /// The API path of the document it shows, for `subject` (a route of `site_api::routes`).
    fn path(subject: &str) -> String;
    /// The `LiveEvent` topic that makes the document stale.
    fn topic(subject: &str) -> site_api::Topic {
        site_api::Topic::Room(subject.to_string())
    }
    /// The staff whose photos the document shows, fetched into the cache with it.
    fn photos(_document: &Value) -> Vec<String> {
        Vec::new()
    }
    /// Shows a document; false when the document cannot be read.
    fn show_document(&self, document: &Value, shown: &Shown) -> bool;
    /// Shows that nothing was ever fetched for `subject`.
    fn show_nothing(&self, subject: &str);
    /// Adapts sizes to the screen's pixels; screens with fixed layouts ignore it.
    fn fit(&self, _width: u32, _height: u32) {}
}

fn apply<S: Screen>(ui: &S, update: Update, options: &Options) {
    match update {
        Update::Fresh(document) => {
            let shown = Shown {
                fetched_at: Local::now(),
                offline: false,
                subject: &options.subject,
                cache_dir: &options.cache_dir(),
            };
            if ui.show_document(&document, &shown) {
                last_state::save(&options.state_file, &document, shown.fetched_at);
            } else {
                tracing::warn!("the controller sent a document this kiosk cannot read");
            }
        }
        Update::Unreachable(reason) => {
            tracing::warn!(%reason, "controller unreachable; showing the last state");
            show_saved(ui, options);
        }
    }
}

fn show_saved<S: Screen>(ui: &S, options: &Options) {
    let shown = last_state::load(&options.state_file).is_some_and(|saved| {
        ui.show_document(
            &saved.value,
            &Shown {
                fetched_at: saved.fetched_at,
                offline: true,
                subject: &options.subject,
                cache_dir: &options.cache_dir(),
            },
        )
    });
    if !shown {
        ui.show_nothing(&options.subject);
    }
}

fn feed_of<S: Screen>(options: &Options) -> feed::Feed {
    feed::Feed {
        path: S::path(&options.subject),
        topic: S::topic(&options.subject),
        every: S::POLL_EVERY,
        photos: S::photos,
        cache_dir: options.cache_dir(),
    }
}

/// Runs the screen in a window; `setup` wires its callbacks.
pub fn run_window<S: Screen>(options: Options, setup: impl FnOnce(&S)) -> anyhow::Result<()> {
    let ui = S::create()?;
    let (width, height) = options.size.unwrap_or(S::SIZE);
    ui.window()
        .set_size(slint::PhysicalSize::new(width, height));
    ui.fit(width, height);
    setup(&ui);
    show_saved(&ui, &options);
    let weak = ui.as_weak();
    let for_updates = options.clone();
    feed::follow(&options.net, feed_of::<S>(&options), move |update| {
        let options = for_updates.clone();
        // The window may be closing; then there is nothing to update.
        let _ = weak.upgrade_in_event_loop(move |ui| apply(&ui, update, &options));
    });
    ui.run()?;
    Ok(())
}

/// Draws the screen into `png`, once or every few seconds; `setup` may act on the screen
/// (press a button) after the first fetch, before the first drawing.
pub fn run_headless<S: Screen>(
    options: Options,
    png: &Path,
    once: bool,
    setup: impl FnOnce(&S),
) -> anyhow::Result<()> {
    let (width, height) = options.size.unwrap_or(S::SIZE);
    let window = headless::install(width, height)?;
    let ui = S::create()?;
    ui.fit(width, height);
    ComponentHandle::show(&ui)?;
    let feed = feed_of::<S>(&options);
    let client = options.net.client().clone();
    let fetch = || {
        options
            .net
            .block_on(feed::fetch_with_photos(&client, &feed))
    };
    let mut setup = Some(setup);
    loop {
        apply(&ui, fetch(), &options);
        if let Some(setup) = setup.take() {
            setup(&ui);
            apply(&ui, fetch(), &options);
        }
        headless::write_png(&window, png)?;
        if once {
            return Ok(());
        }
        std::thread::sleep(REDRAW_EVERY);
    }
}
