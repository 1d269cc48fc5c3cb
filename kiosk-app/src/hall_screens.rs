//! The four hall screens (hall board, window screen, ticket kiosk, counter screen): each shows
//! the hall's document (`GET /api/hall`), the window ones for the window they stand for.

use chrono::Local;
use serde_json::Value;
use site_api::{HallView, TicketState, Topic, WindowView};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::time::Duration;

use crate::feed::photo_file;
use crate::screen::{Screen, Shown};
use crate::{
    CallRow, CounterScreen, HallAdapter, HallBoard, ServiceRow, TicketKiosk, WindowScreen,
};

/// How long each notice stays on the hall board before the next.
const NOTICE_SECONDS: i64 = 15;

/// The length unit of the hall's layouts for a screen of this size (see hall.slint).
pub fn unit(width: u32, height: u32) -> f32 {
    (width as f32 / 80.0).min(height as f32 / 45.0)
}

/// "1、2 号窗口".
pub fn windows_label(numbers: &[u32]) -> String {
    let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
    format!("{} 号窗口", list.join("、"))
}

/// The staff member on duty at `window`, if there is one with a photo.
fn photo_of(window: &WindowView) -> Option<String> {
    window
        .staff
        .as_ref()
        .filter(|s| s.has_photo)
        .map(|s| s.id.clone())
}

/// What a window shows as its state of service.
pub fn serving_state(window: &WindowView) -> String {
    match window.current.as_ref().map(|t| t.state) {
        Some(TicketState::Called) => "请到窗口 · Please come".into(),
        Some(TicketState::Serving) => "办理中 · Serving".into(),
        _ => String::new(),
    }
}

/// Sets every hall property of a screen from the hall's document.
fn fill<C>(ui: &C, hall: &HallView, shown: &Shown)
where
    C: ComponentHandle,
    for<'a> HallAdapter<'a>: slint::Global<'a, C>,
{
    let adapter = ui.global::<HallAdapter>();
    let now = Local::now();
    adapter.set_site_name(hall.site_name.as_str().into());
    adapter.set_clock(now.format("%Y-%m-%d %H:%M").to_string().into());
    let calls: Vec<CallRow> = hall
        .recent_calls
        .iter()
        .map(|c| CallRow {
            number: c.number.as_str().into(),
            window: format!("{} 号窗口", c.window_number).into(),
            recall: c.recall,
        })
        .collect();
    adapter.set_calls(ModelRc::new(VecModel::from(calls)));
    // A window's own screens list only the services it serves.
    let window = hall.windows.iter().find(|w| w.id == shown.subject);
    let services: Vec<ServiceRow> = hall
        .services
        .iter()
        .filter(|s| window.is_none_or(|w| s.windows.contains(&w.number)))
        .map(|s| ServiceRow {
            id: s.id.as_str().into(),
            name: s.name.as_str().into(),
            prefix: s.prefix.as_str().into(),
            waiting: i32::try_from(s.waiting).unwrap_or(i32::MAX),
            windows: windows_label(&s.windows).into(),
            issuing: s.issuing,
            note: if s.remaining == Some(0) {
                "今日已取完 · none left today".into()
            } else if !s.issuing {
                format!("取号时间 {}–{}", s.opens, s.closes).into()
            } else {
                SharedString::new()
            },
        })
        .collect();
    adapter.set_services(ModelRc::new(VecModel::from(services)));
    let notice = if hall.notices.is_empty() {
        String::new()
    } else {
        let turn = now.timestamp() / NOTICE_SECONDS;
        hall.notices[turn.rem_euclid(hall.notices.len() as i64) as usize].clone()
    };
    adapter.set_notice(notice.into());
    adapter.set_consult(hall.consult.as_str().into());
    adapter.set_complain(hall.complain.as_str().into());
    adapter.set_offline(shown.offline);
    adapter.set_updated_at(shown.fetched_at.format("%H:%M").to_string().into());
    if let Some(window) = window {
        fill_window(&adapter, window, shown);
    }
}

fn fill_window(adapter: &HallAdapter, window: &WindowView, shown: &Shown) {
    adapter.set_window_number(window.number.to_string().into());
    adapter.set_window_name(window.name.as_str().into());
    adapter.set_window_location(window.location.as_str().into());
    adapter.set_window_services(window.services.join(" · ").into());
    adapter.set_window_paused(window.paused);
    adapter.set_window_waiting(i32::try_from(window.waiting).unwrap_or(i32::MAX));
    adapter.set_serving_number(
        window
            .current
            .as_ref()
            .map(|t| t.number.as_str())
            .unwrap_or("")
            .into(),
    );
    adapter.set_serving_state(serving_state(window).into());
    let held: Vec<SharedString> = window.held.iter().map(SharedString::from).collect();
    adapter.set_held(ModelRc::new(VecModel::from(held)));
    adapter.set_staff_on_duty(window.staff.is_some());
    if let Some(staff) = &window.staff {
        adapter.set_staff_name(staff.name.as_str().into());
        adapter.set_staff_credential(staff.credential_number.as_str().into());
        adapter.set_staff_agency(staff.agency_name.as_str().into());
    }
    adapter.set_serving_started(
        window.current.as_ref().map(|t| t.state) == Some(TicketState::Serving),
    );
    let photo = photo_of(window)
        .map(|staff_id| photo_file(shown.cache_dir, &staff_id))
        .and_then(|file| load_photo(&file));
    adapter.set_has_photo(photo.is_some());
    if let Some(photo) = photo {
        adapter.set_staff_photo(photo);
    }
}

/// A cached photo (JPEG or PNG, whatever its name) as a Slint image.
pub(crate) fn load_photo(file: &std::path::Path) -> Option<slint::Image> {
    let bytes = std::fs::read(file).ok()?;
    let picture = image::load_from_memory(&bytes)
        .map_err(|err| tracing::warn!(file = %file.display(), error = %err, "a staff photo cannot be read"))
        .ok()?
        .into_rgba8();
    let buffer = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(
        picture.as_raw(),
        picture.width(),
        picture.height(),
    );
    Some(slint::Image::from_rgba8(buffer))
}

fn read_hall(document: &Value) -> Option<HallView> {
    serde_json::from_value(document.clone()).ok()
}

/// The parts every hall screen has alike; `$fresh` also runs on each fresh (online) hall.
macro_rules! hall_screen {
    ($screen:ty, $size:expr, $fresh:expr) => {
        impl Screen for $screen {
            const SIZE: (u32, u32) = $size;
            /// The clock and the rotating notice move without pushes.
            const POLL_EVERY: Duration = Duration::from_secs(15);

            fn create() -> Result<Self, slint::PlatformError> {
                Self::new()
            }

            fn path(_subject: &str) -> String {
                site_api::routes::HALL.into()
            }

            fn topic(_subject: &str) -> Topic {
                Topic::Hall
            }

            fn photos(document: &Value) -> Vec<String> {
                read_hall(document)
                    .map(|hall| hall.windows.iter().filter_map(photo_of).collect())
                    .unwrap_or_default()
            }

            fn show_document(&self, document: &Value, shown: &Shown) -> bool {
                match read_hall(document) {
                    Some(hall) => {
                        fill(self, &hall, shown);
                        if !shown.offline {
                            $fresh(&hall);
                        }
                        true
                    }
                    None => false,
                }
            }

            fn show_nothing(&self, _subject: &str) {
                let adapter = self.global::<HallAdapter>();
                adapter.set_calls(ModelRc::default());
                adapter.set_services(ModelRc::default());
                adapter.set_staff_on_duty(false);
                adapter.set_serving_number("".into());
                adapter.set_offline(true);
                adapter.set_updated_at("—".into());
            }

            fn fit(&self, width: u32, height: u32) {
                self.global::<HallAdapter>().set_u(unit(width, height));
            }
        }
    };
}

/// Nothing to do besides showing the hall.
fn just_show(_: &HallView) {}

/// The hall board says each new call aloud.
fn announce(hall: &HallView) {
    crate::announcer::hear(&hall.recent_calls);
}

hall_screen!(HallBoard, (1920, 1080), announce);
hall_screen!(WindowScreen, (800, 480), just_show);
hall_screen!(TicketKiosk, (1920, 1080), just_show);
hall_screen!(CounterScreen, (800, 480), just_show);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_listed_as_the_public_reads_them() {
        assert_eq!(windows_label(&[1, 2]), "1、2 号窗口");
        assert_eq!(windows_label(&[7]), "7 号窗口");
    }

    #[test]
    fn the_unit_fits_the_tighter_side() {
        assert_eq!(unit(1920, 1080), 24.0);
        assert!((unit(800, 480) - 10.0).abs() < 0.01);
    }
}
