//! The door panel's controller: turns the room's API document into the panel's properties.

use chrono::{DateTime, Local};
use records::api::{RoomKind, RoomView, SessionState};
use slint::ComponentHandle;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::feed::{self, Update};
use crate::{DoorPanel, DoorPanelAdapter, RoomStatus, headless, last_state};

pub struct Options {
    pub api: String,
    pub token: String,
    pub room: String,
    pub state_file: PathBuf,
}

impl Options {
    fn events_url(&self) -> String {
        format!("{}/api/events", self.api.trim_end_matches('/'))
    }

    fn url(&self) -> String {
        format!("{}/api/rooms/{}", self.api.trim_end_matches('/'), self.room)
    }
}

/// The fallback poll; changes normally arrive pushed, at once.
const POLL_EVERY: Duration = Duration::from_secs(10);
/// How often the headless mode redraws its PNG.
const REDRAW_EVERY: Duration = Duration::from_secs(2);

/// Sets every property of the panel from a room's state.
fn show_room(ui: &DoorPanel, room: &RoomView, fetched_at: DateTime<Local>, offline: bool) {
    let adapter = ui.global::<DoorPanelAdapter>();
    adapter.set_room_name(room.name.as_str().into());
    adapter.set_room_kind(
        match room.kind {
            RoomKind::Interview => "询问室 · Interview room",
            RoomKind::Hearing => "听证室 · Hearing room",
        }
        .into(),
    );
    let status = match room.session.as_ref().map(|s| s.state) {
        Some(SessionState::Starting) => RoomStatus::Starting,
        Some(SessionState::Recording) => RoomStatus::Recording,
        Some(SessionState::Stopping) => RoomStatus::Stopping,
        _ => RoomStatus::Free,
    };
    adapter.set_status(status);
    let session = room.session.as_ref();
    adapter.set_agency_name(session.map(|s| s.agency_name.as_str()).unwrap_or("").into());
    adapter.set_case_number(session.map(|s| s.case_number.as_str()).unwrap_or("").into());
    let since = session
        .and_then(|s| s.started_at)
        .map(|t| {
            let at = t.with_timezone(&Local).format("%H:%M");
            format!("{at} 开始 · since {at}")
        })
        .unwrap_or_default();
    adapter.set_since(since.into());
    adapter.set_offline(offline);
    adapter.set_updated_at(fetched_at.format("%H:%M").to_string().into());
}

/// Shows the last saved state, marked offline; or a neutral panel when there is none.
fn show_saved(ui: &DoorPanel, state_file: &Path, room_id: &str) {
    match last_state::load(state_file).and_then(|s| {
        Some((
            serde_json::from_value::<RoomView>(s.value).ok()?,
            s.fetched_at,
        ))
    }) {
        Some((room, fetched_at)) => show_room(ui, &room, fetched_at, true),
        None => {
            let adapter = ui.global::<DoorPanelAdapter>();
            adapter.set_room_name(room_id.into());
            adapter.set_room_kind("".into());
            adapter.set_status(RoomStatus::Free);
            adapter.set_offline(true);
            adapter.set_updated_at("—".into());
        }
    }
}

/// Applies one poll result; returns what was shown.
fn apply(ui: &DoorPanel, update: Update, options_state: &Path, room_id: &str) {
    match update {
        Update::Fresh(value) => match serde_json::from_value::<RoomView>(value.clone()) {
            Ok(room) => {
                let now = Local::now();
                last_state::save(options_state, &value, now);
                show_room(ui, &room, now, false);
            }
            Err(err) => {
                tracing::warn!(error = %err, "the controller sent a room this kiosk cannot read");
                ui.global::<DoorPanelAdapter>().set_offline(true);
            }
        },
        Update::Unreachable(reason) => {
            tracing::warn!(%reason, "controller unreachable; showing the last state");
            show_saved(ui, options_state, room_id);
        }
    }
}

pub fn run_window(options: Options) -> anyhow::Result<()> {
    let ui = DoorPanel::new()?;
    show_saved(&ui, &options.state_file, &options.room);
    let weak = ui.as_weak();
    let state_file = options.state_file.clone();
    let room = options.room.clone();
    feed::follow(
        feed::Feed {
            url: options.url(),
            events_url: options.events_url(),
            room: options.room.clone(),
            token: options.token.clone(),
            every: POLL_EVERY,
        },
        move |update| {
            let state_file = state_file.clone();
            let room = room.clone();
            // The window may be closing; then there is nothing to update.
            let _ = weak.upgrade_in_event_loop(move |ui| apply(&ui, update, &state_file, &room));
        },
    )?;
    ui.run()?;
    Ok(())
}

pub fn run_headless(options: Options, png: &Path, once: bool) -> anyhow::Result<()> {
    let window = headless::install(800, 480)?;
    let ui = DoorPanel::new()?;
    ui.show()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let http = reqwest::Client::new();
    let url = options.url();
    loop {
        let update = runtime.block_on(feed::fetch(&http, &url, &options.token));
        apply(&ui, update, &options.state_file, &options.room);
        headless::write_png(&window, png)?;
        if once {
            return Ok(());
        }
        std::thread::sleep(REDRAW_EVERY);
    }
}
