//! The publicity kiosk (行政执法公示): one agency's enforcement information, in pages, from
//! `GET /api/publicity`. Published decisions change it, so it follows the hall's topic.

use chrono::Local;
use serde_json::Value;
use site_api::{AgencyPublicityView, PublicityView, Topic};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::time::Duration;

use crate::hall_screens::unit;
use crate::screen::{Options, Screen, Shown};
use crate::{
    DecisionRow, GuideRow, InspectionRow, ItemRow, LineRow, PublicityAdapter, PublicityScreen,
    StaffRow,
};

/// The pages, in the order the screen shows them, by the names `--page` takes.
pub const PAGES: [&str; 6] = [
    "staff",
    "items",
    "inspections",
    "guides",
    "remedy",
    "decisions",
];

/// The page number of a page's name.
pub fn page_number(name: &str) -> Option<i32> {
    PAGES.iter().position(|p| *p == name).map(|n| n as i32)
}

fn model<T: Clone + 'static>(rows: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(rows))
}

fn read(document: &Value) -> Option<PublicityView> {
    serde_json::from_value(document.clone()).ok()
}

/// The agency to show: the one the kiosk stands for, or the one chosen on screen.
fn chosen<'a>(
    view: &'a PublicityView,
    subject: &str,
    on_screen: i32,
) -> Option<(usize, &'a AgencyPublicityView)> {
    if subject.is_empty() {
        let index = usize::try_from(on_screen)
            .unwrap_or(0)
            .min(view.agencies.len().saturating_sub(1));
        view.agencies.get(index).map(|a| (index, a))
    } else {
        view.agencies
            .iter()
            .enumerate()
            .find(|(_, a)| a.agency_id == subject)
    }
}

fn fill(ui: &PublicityScreen, view: &PublicityView, shown: &Shown) -> bool {
    let adapter = ui.global::<PublicityAdapter>();
    adapter.set_site_name(view.site_name.as_str().into());
    adapter.set_clock(Local::now().format("%Y-%m-%d %H:%M").to_string().into());
    adapter.set_offline(shown.offline);
    adapter.set_updated_at(shown.fetched_at.format("%H:%M").to_string().into());
    let names: Vec<SharedString> = if shown.subject.is_empty() {
        view.agencies
            .iter()
            .map(|a| a.agency_name.as_str().into())
            .collect()
    } else {
        Vec::new()
    };
    adapter.set_agencies(model(names));
    let Some((index, agency)) = chosen(view, shown.subject, adapter.get_agency()) else {
        return false;
    };
    adapter.set_agency(index as i32);
    let before = &agency.before;
    adapter.set_agency_name(agency.agency_name.as_str().into());
    adapter.set_area(before.area.as_str().into());
    adapter.set_staff(model(
        agency
            .staff
            .iter()
            .map(|s| StaffRow {
                name: s.name.as_str().into(),
                credential: s.credential_number.as_str().into(),
                categories: s.categories.join("、").into(),
                area: before.area.as_str().into(),
            })
            .collect(),
    ));
    adapter.set_items(model(
        before
            .items
            .iter()
            .map(|i| ItemRow {
                name: i.name.as_str().into(),
                category: i.category.as_str().into(),
                basis: i.basis.as_str().into(),
                body: i.body.as_str().into(),
                deadline: i.deadline.as_str().into(),
                fees: i.fees.as_str().into(),
            })
            .collect(),
    ));
    adapter.set_inspections(model(
        before
            .inspections
            .iter()
            .map(|i| InspectionRow {
                plan: i.plan.as_str().into(),
                subjects: i.subjects.as_str().into(),
                ratio: i.ratio.as_str().into(),
                period: i.period.as_str().into(),
                result: i.result.as_str().into(),
            })
            .collect(),
    ));
    adapter.set_guides(model(
        before
            .guides
            .iter()
            .map(|g| {
                let detail: Vec<String> =
                    [("地点", &g.place), ("时限", &g.deadline), ("收费", &g.fees)]
                        .into_iter()
                        .filter(|(_, v)| !v.is_empty())
                        .map(|(label, v)| format!("{label}：{v}"))
                        .chain(
                            (!g.materials.is_empty())
                                .then(|| format!("材料：{}", g.materials.join("；"))),
                        )
                        .collect();
                GuideRow {
                    title: g.title.as_str().into(),
                    steps: model(g.steps.iter().map(SharedString::from).collect()),
                    detail: detail.join("　").into(),
                }
            })
            .collect(),
    ));
    let channels = &before.channels;
    adapter.set_channels(model(
        [
            ("执法监督", &channels.supervision),
            ("行政复议", &channels.reconsideration),
            ("行政诉讼", &channels.litigation),
            ("投诉举报", &channels.complaint),
        ]
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(label, text)| LineRow {
            label: label.into(),
            text: text.as_str().into(),
        })
        .collect(),
    ));
    adapter.set_major_decisions(model(
        before
            .major_decisions
            .iter()
            .map(SharedString::from)
            .collect(),
    ));
    adapter.set_decisions(model(
        agency
            .decisions
            .iter()
            .map(|d| DecisionRow {
                party: d.party.as_str().into(),
                category: d.category.as_str().into(),
                document: d.document_number.as_str().into(),
                conclusion: d.conclusion.as_str().into(),
                decided: d.decided_on.as_str().into(),
                published: d.published_on.as_str().into(),
            })
            .collect(),
    ));
    true
}

impl Screen for PublicityScreen {
    const SIZE: (u32, u32) = (1920, 1080);
    /// The clock moves without pushes.
    const POLL_EVERY: Duration = Duration::from_secs(60);

    fn create() -> Result<Self, slint::PlatformError> {
        Self::new()
    }

    fn path(_subject: &str) -> String {
        site_api::routes::PUBLICITY.into()
    }

    fn topic(_subject: &str) -> Topic {
        Topic::Hall
    }

    fn show_document(&self, document: &Value, shown: &Shown) -> bool {
        read(document).is_some_and(|view| fill(self, &view, shown))
    }

    fn show_nothing(&self, _subject: &str) {
        let adapter = self.global::<PublicityAdapter>();
        adapter.set_staff(ModelRc::default());
        adapter.set_decisions(ModelRc::default());
        adapter.set_offline(true);
        adapter.set_updated_at("—".into());
    }

    fn fit(&self, width: u32, height: u32) {
        self.global::<PublicityAdapter>().set_u(unit(width, height));
    }
}

/// Opens on `page`; choosing another agency on screen shows it from the last document.
pub fn wire(ui: &PublicityScreen, options: &Options, page: Option<&str>) {
    let adapter = ui.global::<PublicityAdapter>();
    if let Some(page) = page.and_then(page_number) {
        adapter.set_page(page);
    }
    let weak = ui.as_weak();
    let options = options.clone();
    adapter.on_agency_chosen(move |_| {
        let Some(ui) = weak.upgrade() else { return };
        if let Some(saved) = crate::last_state::load(&options.state_file) {
            let shown = Shown {
                fetched_at: saved.fetched_at,
                offline: ui.global::<PublicityAdapter>().get_offline(),
                subject: &options.subject,
                cache_dir: &options.cache_dir(),
            };
            ui.show_document(&saved.value, &shown);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_named_in_screen_order() {
        assert_eq!(page_number("staff"), Some(0));
        assert_eq!(page_number("decisions"), Some(5));
        assert_eq!(page_number("nope"), None);
    }
}
