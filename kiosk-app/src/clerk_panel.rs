//! The clerk panel: shows the room's `ClerkView` and sends the clerk's actions (start, marker,
//! stop with confirmation, resume) to the site API. The panel's state changes only when the
//! controller says so (its answer, then the pushed change): a button never fakes a state.

use chrono::{DateTime, Local, Utc};
use serde_json::Value;
use site_api::{AddMarker, ClerkView, Client, SessionState, StartSession};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::cell::Cell;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::screen::{Options, Screen, Shown};
use crate::{ClerkPanel, ClerkPanelAdapter, ClerkStatus, DeviceLine};
use site_api::{SourceKind, SourceState, SourceStatus};

thread_local! {
    /// When the shown session started recording, for the running clock (UI thread only).
    static STARTED_AT: Cell<Option<DateTime<Utc>>> = const { Cell::new(None) };
}

impl Screen for ClerkPanel {
    const SIZE: (u32, u32) = (1024, 600);
    /// Microphone levels are not pushed: poll every second so that the meters move.
    const POLL_EVERY: Duration = Duration::from_secs(1);

    fn create() -> Result<Self, slint::PlatformError> {
        Self::new()
    }

    fn path(room: &str) -> String {
        site_api::routes::fill(site_api::routes::ROOM_CLERK, room)
    }

    fn show_document(&self, document: &Value, shown: &Shown) -> bool {
        match serde_json::from_value::<ClerkView>(document.clone()) {
            Ok(view) => {
                show_view(self, &view, shown.fetched_at, shown.offline);
                true
            }
            Err(_) => false,
        }
    }

    fn show_nothing(&self, room: &str) {
        let adapter = self.global::<ClerkPanelAdapter>();
        adapter.set_room_name(room.into());
        adapter.set_status(ClerkStatus::Free);
        adapter.set_offline(true);
        adapter.set_updated_at("—".into());
    }
}

fn strings(items: Vec<String>) -> ModelRc<SharedString> {
    ModelRc::new(VecModel::from(
        items
            .into_iter()
            .map(SharedString::from)
            .collect::<Vec<_>>(),
    ))
}

fn clock(since: DateTime<Utc>) -> String {
    let seconds = (Utc::now() - since).num_seconds().max(0);
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

fn show_view(ui: &ClerkPanel, view: &ClerkView, fetched_at: DateTime<Local>, offline: bool) {
    let adapter = ui.global::<ClerkPanelAdapter>();
    adapter.set_room_name(view.room.name.as_str().into());
    // A finished session leaves the room free; the others are what the clerk deals with now.
    let session = view
        .session
        .as_ref()
        .filter(|s| s.state != SessionState::Finished);
    let status = match session.map(|s| s.state) {
        None | Some(SessionState::Finished) => ClerkStatus::Free,
        Some(SessionState::Starting) => ClerkStatus::Starting,
        Some(SessionState::Recording) => ClerkStatus::Recording,
        Some(SessionState::Stopping) => ClerkStatus::Stopping,
        Some(SessionState::Paused) => ClerkStatus::Paused,
        Some(SessionState::Interrupted) => ClerkStatus::Interrupted,
        Some(SessionState::Failed) => ClerkStatus::Failed,
    };
    adapter.set_status(status);
    adapter.set_pause_allowed(view.room.pause_allowed);
    STARTED_AT.with(|s| {
        s.set(
            session
                .filter(|s| s.state == SessionState::Recording)
                .and_then(|s| s.started_at),
        )
    });
    adapter.set_elapsed(
        STARTED_AT
            .with(Cell::get)
            .map(clock)
            .unwrap_or_default()
            .into(),
    );

    match (session, &view.next_booking) {
        (Some(s), _) => {
            adapter.set_agency_name(s.agency_name.as_str().into());
            adapter.set_case_number(s.case_number.as_str().into());
        }
        (None, Some(booking)) => {
            adapter.set_agency_name(booking.agency_name.as_str().into());
            adapter.set_case_number(booking.case_number.clone().unwrap_or_default().into());
        }
        (None, None) => {
            adapter.set_agency_name("".into());
            adapter.set_case_number("—（无预约 no booking）".into());
        }
    }
    adapter.set_next_booking(
        view.next_booking
            .as_ref()
            .map(|b| {
                format!(
                    "预约 Booked {}–{}",
                    b.starts_at.with_timezone(&Local).format("%m-%d %H:%M"),
                    b.ends_at.with_timezone(&Local).format("%H:%M")
                )
            })
            .unwrap_or_default()
            .into(),
    );

    let mut devices: Vec<DeviceLine> = view.room.sources.iter().map(device_line).collect();
    let mut alarms = Vec::new();
    if let Some(light) = &view.room.light {
        let state = match (&light.fault, light.on) {
            (Some(_), _) => "故障 fault",
            (None, Some(true)) => "亮 on",
            _ => "灭 off",
        };
        devices.push(DeviceLine {
            name: "录制指示灯 light".into(),
            state: state.into(),
            ok: light.fault.is_none(),
            meter: false,
            level: 0.0,
        });
        alarms.extend(light.fault.clone());
    }
    alarms.extend(view.room.sources.iter().filter_map(|s| s.alarm.clone()));
    adapter.set_devices(ModelRc::new(VecModel::from(devices)));
    let hours = view.disk_minutes_left / 60;
    adapter.set_disk(
        format!(
            "磁盘剩余 {:.1} GB · 约可录 {} 小时 {} 分",
            view.disk_free_mb as f64 / 1024.0,
            hours,
            view.disk_minutes_left % 60
        )
        .into(),
    );
    if let Some(s) = session {
        alarms.extend(
            s.events
                .iter()
                .filter(|e| e.kind == "alarm")
                .map(|e| e.detail.clone()),
        );
        if matches!(s.state, SessionState::Interrupted | SessionState::Failed) {
            alarms.extend(s.failure.clone());
        }
    }
    adapter.set_alarms(strings(alarms));
    let markers: Vec<String> = session
        .map(|s| {
            s.events
                .iter()
                .filter(|e| e.kind == "marker")
                .map(|e| {
                    format!(
                        "{} {}",
                        e.at.with_timezone(&Local).format("%H:%M:%S"),
                        e.detail
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    adapter.set_markers(strings(markers.into_iter().rev().take(4).collect()));
    // Only a running, paused or interrupted session can be stopped (closed); anything else
    // ends a pending confirmation.
    let stoppable = session.is_some_and(|s| s.state.holds_room());
    if !stoppable {
        adapter.set_confirming_stop(false);
    }
    adapter.set_offline(offline);
    adapter.set_updated_at(fetched_at.format("%H:%M").to_string().into());
}

/// What the clerk asked for.
enum Action {
    Start { case_number: String },
    Mark(String),
    Stop,
    Pause,
    Resume,
}

/// Wires the panel's buttons to the API (on the network runtime) and runs its clock.
pub fn wire(ui: &ClerkPanel, options: &Options) -> anyhow::Result<()> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    options.net.spawn(perform(
        options.net.actions().clone(),
        options.subject.clone(),
        rx,
    ));
    let adapter = ui.global::<ClerkPanelAdapter>();
    let weak = ui.as_weak();
    let send = move |action: Action| {
        // The runtime lives as long as the process: a send fails only at exit.
        let _ = tx.send(action);
    };
    {
        let send = send.clone();
        let weak = weak.clone();
        adapter.on_start(move || {
            if let Some(ui) = weak.upgrade() {
                let case_number = ui
                    .global::<ClerkPanelAdapter>()
                    .get_case_number()
                    .to_string();
                send(Action::Start { case_number });
            }
        });
    }
    {
        let send = send.clone();
        adapter.on_mark(move |text| send(Action::Mark(text.to_string())));
    }
    {
        let send = send.clone();
        adapter.on_resume(move || send(Action::Resume));
    }
    {
        let send = send.clone();
        adapter.on_pause(move || send(Action::Pause));
    }
    {
        let weak = weak.clone();
        adapter.on_stop_requested(move || {
            if let Some(ui) = weak.upgrade() {
                ui.global::<ClerkPanelAdapter>().set_confirming_stop(true);
            }
        });
    }
    {
        let weak = weak.clone();
        adapter.on_stop_cancelled(move || {
            if let Some(ui) = weak.upgrade() {
                ui.global::<ClerkPanelAdapter>().set_confirming_stop(false);
            }
        });
    }
    adapter.on_stop_confirmed(move || send(Action::Stop));
    let clock_timer = slint::Timer::default();
    clock_timer.start(
        slint::TimerMode::Repeated,
        Duration::from_secs(1),
        move || {
            if let (Some(ui), Some(since)) = (weak.upgrade(), STARTED_AT.with(Cell::get)) {
                ui.global::<ClerkPanelAdapter>()
                    .set_elapsed(clock(since).into());
            }
        },
    );
    // The timer lives as long as the window.
    std::mem::forget(clock_timer);
    Ok(())
}

/// Performs the clerk's actions one at a time; the pushed change then updates the panel.
async fn perform(client: Client, room: String, mut actions: UnboundedReceiver<Action>) {
    let mut session: Option<i64> = None;
    while let Some(action) = actions.recv().await {
        // Act on the session the controller shows now, not on one remembered from before.
        if let Ok(view) = client.clerk_view(&room).await {
            session = view.session.map(|s| s.id);
        }
        let done = match (action, session) {
            (Action::Start { case_number }, _) => {
                let request = StartSession {
                    case_number,
                    agency_id: None,
                    action_type: None,
                    party: None,
                };
                client.start_session(&room, &request).await.map(drop)
            }
            (Action::Mark(text), Some(id)) => {
                client.add_marker(id, &AddMarker { text }).await.map(drop)
            }
            (Action::Stop, Some(id)) => client.stop_session(id).await.map(drop),
            (Action::Pause, Some(id)) => client.pause_session(id).await.map(drop),
            (Action::Resume, Some(id)) => client.resume_session(id).await.map(drop),
            _ => continue,
        };
        if let Err(err) = done {
            tracing::warn!(error = %err, "the clerk's action was not done");
        }
    }
}

/// "录制中 · 第3段 · 2.1 Mbit/s": the file being written and the rate of the last one, which
/// tell a clerk the camera really delivers.
fn recording_progress(source: &SourceStatus) -> String {
    let mut text = "录制中".to_string();
    if let Some(seq) = source.segment {
        text.push_str(&format!(" · 第{}段", seq + 1));
    }
    if let Some(kbps) = source.bitrate_kbps {
        text.push_str(&format!(" · {:.1} Mbit/s", f64::from(kbps) / 1000.0));
    }
    text
}

/// One camera or microphone as the clerk sees it: its state in words and, for a microphone
/// while recording or previewing, a level meter (-60 dBFS empty, 0 dBFS full).
fn device_line(source: &SourceStatus) -> DeviceLine {
    let noun = match source.kind {
        SourceKind::Camera => "摄像机",
        SourceKind::Microphone => "麦克风",
    };
    let state = match (source.state, source.level_db) {
        (SourceState::Idle, _) => "待机".to_string(),
        (SourceState::Ready, Some(db)) => format!("就绪 ready · {db:.0} dB"),
        (SourceState::Ready, None) => "就绪 ready".to_string(),
        (SourceState::Fault, _) => "故障 fault".to_string(),
        (SourceState::Silent, _) => "无声 silent".to_string(),
        (SourceState::Ok, Some(db)) => format!("{db:.0} dB"),
        (SourceState::Ok, None) => recording_progress(source),
        (SourceState::Lost, _) => "重连中 reconnecting".to_string(),
    };
    let level = source
        .level_db
        .map_or(0.0, |db| ((db + 60.0) / 60.0).clamp(0.0, 1.0) as f32);
    DeviceLine {
        name: format!("{noun} {}", source.id).into(),
        state: state.into(),
        ok: !matches!(
            source.state,
            SourceState::Silent | SourceState::Lost | SourceState::Fault
        ),
        meter: source.kind == SourceKind::Microphone
            && !matches!(source.state, SourceState::Idle | SourceState::Fault),
        level,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use site_api::SourceKind;

    #[test]
    fn a_recording_camera_shows_its_file_number_and_rate() {
        let mut camera = SourceStatus {
            id: "cam1".into(),
            kind: SourceKind::Camera,
            profile: "test-pattern".into(),
            state: SourceState::Ok,
            level_db: None,
            alarm: None,
            track: Some("cam1".into()),
            segment: None,
            recorded_bytes: 0,
            bitrate_kbps: None,
        };
        assert_eq!(
            device_line(&camera).state,
            "录制中",
            "before its first file"
        );
        camera.segment = Some(2);
        camera.bitrate_kbps = Some(2140);
        assert_eq!(device_line(&camera).state, "录制中 · 第3段 · 2.1 Mbit/s");
    }

    #[test]
    fn a_previewed_microphone_shows_its_level_and_a_faulty_one_shows_red_without_a_meter() {
        let mut mic = SourceStatus {
            id: "mic1".into(),
            kind: SourceKind::Microphone,
            profile: "test-tone".into(),
            state: SourceState::Ready,
            level_db: Some(-20.0),
            alarm: None,
            track: Some("cam1".into()),
            segment: None,
            recorded_bytes: 0,
            bitrate_kbps: None,
        };
        let line = device_line(&mic);
        assert_eq!(line.state, "就绪 ready · -20 dB");
        assert!(line.ok && line.meter);
        mic.state = SourceState::Fault;
        mic.level_db = None;
        let line = device_line(&mic);
        assert_eq!(line.state, "故障 fault");
        assert!(!line.ok && !line.meter, "a fault is red and has no meter");
    }
}
