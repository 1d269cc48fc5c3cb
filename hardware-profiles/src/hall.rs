//! The service hall in the site file: the business items the public takes a number for, the
//! windows (counters) that serve them, and what the hall's screens tell the public besides.
//!
//! ```toml
//! [hall]
//! consult = "一楼服务台 · 咨询电话 12345"
//! complain = "投诉监督电话 12345"
//! notices = ["本中心实行“一窗受理”……"]
//!
//! [[hall.services]]
//! id = "licence"
//! agency = "scjg"
//! name = "营业执照办理"
//! prefix = "A"
//! daily_cap = 200           # optional
//! hours = "08:30-17:00"     # issuing hours, local time; "00:00-24:00" for all day
//!
//! [[hall.windows]]
//! id = "w1"
//! number = 1
//! name = "综合受理窗口"
//! location = "一楼东侧"
//! services = ["licence"]
//! ```

use chrono::NaiveTime;
use serde::Deserialize;
use std::collections::BTreeSet;
use toml::Spanned;

use crate::ConfigError;
use crate::checker::Checker;

/// The hall of a site; empty when the site has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HallSpec {
    pub services: Vec<ServiceSpec>,
    pub windows: Vec<WindowSpec>,
    /// Where to ask (咨询).
    pub consult: String,
    /// Where to complain (投诉).
    pub complain: String,
    /// Notices for the hall board's rotating panel.
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSpec {
    pub id: String,
    pub agency: String,
    pub name: String,
    /// The ticket letter(s): "A" gives A001, A002 …
    pub prefix: String,
    pub daily_cap: Option<u32>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSpec {
    pub id: String,
    pub number: u32,
    pub name: String,
    pub location: String,
    pub services: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HallEntry {
    #[serde(default)]
    services: Vec<ServiceEntry>,
    #[serde(default)]
    windows: Vec<WindowEntry>,
    #[serde(default)]
    consult: String,
    #[serde(default)]
    complain: String,
    #[serde(default)]
    notices: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntry {
    id: Spanned<String>,
    agency: Spanned<String>,
    name: String,
    prefix: Spanned<String>,
    daily_cap: Option<Spanned<u32>>,
    hours: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WindowEntry {
    id: Spanned<String>,
    number: Spanned<u32>,
    name: String,
    #[serde(default)]
    location: String,
    services: Spanned<Vec<Spanned<String>>>,
}

/// Issuing hours when the site file gives none: a Chinese service centre's usual day.
const DEFAULT_HOURS: (&str, &str) = ("08:30", "17:00");

impl Checker<'_> {
    pub(crate) fn check_hall(
        &self,
        raw: HallEntry,
        agency_ids: &BTreeSet<String>,
    ) -> Result<HallSpec, ConfigError> {
        let mut ids = BTreeSet::new();
        let mut prefixes = BTreeSet::new();
        let mut services = Vec::new();
        for s in raw.services {
            self.check_id(&s.id, "service")?;
            if !ids.insert(s.id.get_ref().clone()) {
                return self.err(
                    s.id.span(),
                    format!("service id \"{}\" is used twice", s.id.get_ref()),
                );
            }
            if !agency_ids.contains(s.agency.get_ref()) {
                return self.err(
                    s.agency.span(),
                    format!(
                        "service \"{}\" names agency \"{}\", which is not in [[agencies]]",
                        s.id.get_ref(),
                        s.agency.get_ref()
                    ),
                );
            }
            let prefix = s.prefix.get_ref();
            let plain =
                (1..=2).contains(&prefix.len()) && prefix.chars().all(|c| c.is_ascii_uppercase());
            if !plain {
                return self.err(s.prefix.span(), format!(
                    "prefix \"{prefix}\" must be one or two capital letters (A, B, … or AB), as they are printed and called aloud"
                ));
            }
            if !prefixes.insert(prefix.clone()) {
                return self.err(
                    s.prefix.span(),
                    format!("prefix \"{prefix}\" is used by two services; give each its own"),
                );
            }
            if let Some(cap) = &s.daily_cap
                && *cap.get_ref() == 0
            {
                return self.err(
                    cap.span(),
                    "daily_cap must be above 0; leave it out for no cap",
                );
            }
            let (opens, closes) = match &s.hours {
                None => (time(DEFAULT_HOURS.0), time(DEFAULT_HOURS.1)),
                Some(hours) => {
                    let parsed = hours
                        .get_ref()
                        .split_once('-')
                        .and_then(|(a, b)| Some((parse_time(a)?, parse_time(b)?)))
                        .filter(|(a, b)| a < b);
                    match parsed {
                        Some(pair) => pair,
                        None => {
                            return self.err(hours.span(), format!(
                                "hours = \"{}\" is not a span of the day; write it like \"08:30-17:00\"",
                                hours.get_ref()
                            ));
                        }
                    }
                }
            };
            services.push(ServiceSpec {
                id: s.id.into_inner(),
                agency: s.agency.into_inner(),
                name: s.name,
                prefix: s.prefix.into_inner(),
                daily_cap: s.daily_cap.map(Spanned::into_inner),
                opens,
                closes,
            });
        }
        let mut window_ids = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        let mut windows = Vec::new();
        for w in raw.windows {
            self.check_id(&w.id, "window")?;
            if !window_ids.insert(w.id.get_ref().clone()) {
                return self.err(
                    w.id.span(),
                    format!("window id \"{}\" is used twice", w.id.get_ref()),
                );
            }
            if !numbers.insert(*w.number.get_ref()) {
                return self.err(
                    w.number.span(),
                    format!(
                        "window number {} is used twice; the public is called to it by number",
                        w.number.get_ref()
                    ),
                );
            }
            if w.services.get_ref().is_empty() {
                return self.err(
                    w.services.span(),
                    format!("window \"{}\" serves no service", w.id.get_ref()),
                );
            }
            for service in w.services.get_ref() {
                if !ids.contains(service.get_ref()) {
                    return self.err(
                        service.span(),
                        format!(
                            "window \"{}\" names service \"{}\", which is not in [[hall.services]]",
                            w.id.get_ref(),
                            service.get_ref()
                        ),
                    );
                }
            }
            windows.push(WindowSpec {
                id: w.id.into_inner(),
                number: w.number.into_inner(),
                name: w.name,
                location: w.location,
                services: w
                    .services
                    .into_inner()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
            });
        }
        if let Some(orphan) = services
            .iter()
            .find(|s| !windows.iter().any(|w| w.services.contains(&s.id)))
        {
            return Err(ConfigError::new(
                self.file,
                None,
                format!(
                    "no window serves service \"{}\"; add it to a window's `services`, or nobody could call its tickets",
                    orphan.id
                ),
            ));
        }
        Ok(HallSpec {
            services,
            windows,
            consult: raw.consult,
            complain: raw.complain,
            notices: raw.notices,
        })
    }
}

/// "HH:MM"; "24:00" is the end of the day.
fn parse_time(text: &str) -> Option<NaiveTime> {
    match text.trim() {
        "24:00" => NaiveTime::from_hms_opt(23, 59, 59),
        text => NaiveTime::parse_from_str(text, "%H:%M").ok(),
    }
}

fn time(text: &str) -> NaiveTime {
    parse_time(text).unwrap_or(NaiveTime::MIN)
}

#[cfg(test)]
mod tests {
    use crate::site::tests::{GOOD, load};

    const HALL: &str = r#"
[hall]
consult = "服务台"

[[hall.services]]
id = "licence"
agency = "a"
name = "营业执照办理"
prefix = "A"
daily_cap = 100
hours = "08:30-24:00"

[[hall.windows]]
id = "w1"
number = 1
name = "综合窗口"
services = ["licence"]
"#;

    #[test]
    fn a_hall_is_read_with_its_hours_and_windows() {
        let site = load(&format!("{GOOD}{HALL}")).expect("a valid hall");
        let service = &site.hall.services[0];
        assert_eq!(
            (service.prefix.as_str(), service.daily_cap),
            ("A", Some(100))
        );
        assert_eq!(service.opens.format("%H:%M").to_string(), "08:30");
        assert_eq!(service.closes.format("%H:%M:%S").to_string(), "23:59:59");
        assert_eq!(site.hall.windows[0].services, ["licence"]);
        assert_eq!(site.hall.consult, "服务台");
    }

    #[test]
    fn a_bad_hall_is_refused_with_the_fix() {
        for (change, says) in [
            (
                ("services = [\"licence\"]", "services = [\"passport\"]"),
                "not in [[hall.services]]",
            ),
            (("prefix = \"A\"", "prefix = \"a1\""), "capital letters"),
            (
                ("hours = \"08:30-24:00\"", "hours = \"17:00-08:30\""),
                "08:30-17:00",
            ),
            (("agency = \"a\"", "agency = \"b\""), "not in [[agencies]]"),
            (("daily_cap = 100", "daily_cap = 0"), "above 0"),
        ] {
            let text = format!("{GOOD}{}", HALL.replace(change.0, change.1));
            let err = load(&text).expect_err(change.1).to_string();
            assert!(err.contains(says), "{change:?}: {err}");
            assert!(err.contains("line"), "{change:?} names the line: {err}");
        }
    }
}
