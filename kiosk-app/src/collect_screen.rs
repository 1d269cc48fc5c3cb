//! The collection station's screen: turns `GET /api/collect/station` into one card per docked
//! camera. Progress is not pushed, so it polls every second.

use serde_json::Value;
use site_api::{DockState, DockView, StationView, Topic};
use slint::{ComponentHandle, ModelRc, VecModel};
use std::time::Duration;

use crate::feed::photo_file;
use crate::hall_screens::{load_photo, unit};
use crate::screen::{Screen, Shown};
use crate::{CollectAdapter, CollectScreen, DockRow};

fn read(document: &Value) -> Option<StationView> {
    serde_json::from_value(document.clone()).ok()
}

/// "1.2 GB" or "350 MB".
fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{} MB", bytes >> 20)
    }
}

/// What a dock's card says under its bar: files, bytes, speed and time left.
pub fn progress_line(dock: &DockView) -> String {
    let mut line = format!(
        "{} / {} 个文件 · {} / {}",
        dock.files_done,
        dock.files_total,
        size(dock.bytes_done),
        size(dock.bytes_total)
    );
    if dock.state == DockState::Copying && dock.bytes_per_second > 0 {
        line.push_str(&format!(" · {}/s", size(dock.bytes_per_second)));
        if let Some(left) = dock.seconds_left {
            line.push_str(&format!(" · 剩余 {}:{:02}", left / 60, left % 60));
        }
    }
    if dock.cleared {
        line.push_str(" · 记录仪已清空 · camera cleared");
    }
    if !dock.changed_files.is_empty() {
        line.push_str(&format!(
            " · ⚠ {} 个文件在采集后被改动，已报警 · changed after collection",
            dock.changed_files.len()
        ));
    }
    line
}

fn row(dock: &DockView, shown: &Shown) -> DockRow {
    let (state, headline) = match dock.state {
        DockState::Reading => (0, "正在读取 · Reading the camera"),
        DockState::Copying => (1, "正在采集，请勿拔出 · Collecting, do not unplug"),
        DockState::Done => (2, "采集完成，可以拔出 · Done: safe to unplug"),
        DockState::Failed => (3, "采集中断 · Collection stopped"),
        DockState::Refused => (4, "未采集 · Not collected"),
    };
    let progress = if dock.state == DockState::Done {
        1.0
    } else if dock.bytes_total > 0 {
        dock.bytes_done as f32 / dock.bytes_total as f32
    } else {
        0.0
    };
    let photo = dock
        .officer_id
        .as_ref()
        .map(|id| photo_file(shown.cache_dir, id))
        .and_then(|file| load_photo(&file));
    DockRow {
        officer: dock.officer_name.clone().unwrap_or_default().into(),
        agency: dock.agency_name.clone().unwrap_or_default().into(),
        serial: dock.serial.clone().unwrap_or_default().into(),
        state,
        headline: headline.into(),
        detail: progress_line(dock).into(),
        progress,
        problem: dock.problem.clone().unwrap_or_default().into(),
        has_photo: photo.is_some(),
        photo: photo.unwrap_or_default(),
    }
}

impl Screen for CollectScreen {
    const SIZE: (u32, u32) = (1920, 1080);
    const POLL_EVERY: Duration = Duration::from_secs(1);

    fn create() -> Result<Self, slint::PlatformError> {
        Self::new()
    }

    fn path(_subject: &str) -> String {
        site_api::routes::COLLECT_STATION.into()
    }

    /// Never pushed: progress changes too often for the event stream.
    fn topic(_subject: &str) -> Topic {
        Topic::Room("@collect".into())
    }

    fn photos(document: &Value) -> Vec<String> {
        read(document)
            .map(|s| {
                s.docks
                    .iter()
                    .filter_map(|d| d.officer_id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn show_document(&self, document: &Value, shown: &Shown) -> bool {
        let Some(station) = read(document) else {
            return false;
        };
        let adapter = self.global::<CollectAdapter>();
        let rows: Vec<DockRow> = station.docks.iter().map(|d| row(d, shown)).collect();
        adapter.set_docks(ModelRc::new(VecModel::from(rows)));
        adapter.set_free(format!("剩余空间 {}", size(station.free_bytes)).into());
        adapter.set_clock(chrono::Local::now().format("%H:%M").to_string().into());
        adapter.set_offline(shown.offline);
        adapter.set_updated_at(shown.fetched_at.format("%H:%M").to_string().into());
        true
    }

    fn show_nothing(&self, _subject: &str) {
        let adapter = self.global::<CollectAdapter>();
        adapter.set_docks(ModelRc::default());
        adapter.set_offline(true);
        adapter.set_updated_at("—".into());
    }

    fn fit(&self, width: u32, height: u32) {
        self.global::<CollectAdapter>().set_u(unit(width, height));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dock_says_files_bytes_speed_and_time_left() {
        let dock = DockView {
            slot: "ZFY001".into(),
            serial: Some("ZFY001".into()),
            officer_id: None,
            officer_name: None,
            agency_name: None,
            state: DockState::Copying,
            files_done: 3,
            files_total: 5,
            bytes_done: 1288490189,
            bytes_total: 4 << 30,
            bytes_per_second: 85 << 20,
            seconds_left: Some(33),
            batch_id: None,
            problem: None,
            changed_files: Vec::new(),
            safe_to_unplug: false,
            cleared: false,
        };
        assert_eq!(
            progress_line(&dock),
            "3 / 5 个文件 · 1.2 GB / 4.0 GB · 85 MB/s · 剩余 0:33"
        );
    }
}
