//! The door panel: turns the room's API document into the panel's properties.

use chrono::{DateTime, Local};
use serde_json::Value;
use site_api::{RoomKind, RoomView, SessionState};
use slint::ComponentHandle;

use crate::screen::{Screen, Shown};
use crate::{DoorPanel, DoorPanelAdapter, RoomStatus};

impl Screen for DoorPanel {
    const SIZE: (u32, u32) = (800, 480);

    fn create() -> Result<Self, slint::PlatformError> {
        Self::new()
    }

    fn path(room: &str) -> String {
        site_api::routes::fill(site_api::routes::ROOM, room)
    }

    fn show_document(&self, document: &Value, shown: &Shown) -> bool {
        match serde_json::from_value::<RoomView>(document.clone()) {
            Ok(room) => {
                show_room(self, &room, shown.fetched_at, shown.offline);
                true
            }
            Err(_) => false,
        }
    }

    fn show_nothing(&self, room: &str) {
        let adapter = self.global::<DoorPanelAdapter>();
        adapter.set_room_name(room.into());
        adapter.set_room_kind("".into());
        adapter.set_status(RoomStatus::Free);
        adapter.set_offline(true);
        adapter.set_updated_at("—".into());
    }
}

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
        Some(SessionState::Paused) => RoomStatus::Paused,
        Some(SessionState::Interrupted) => RoomStatus::Interrupted,
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
