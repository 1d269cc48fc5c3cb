//! The official working-day calendar and the two ways Chinese administrative rules count time:
//! in working days (工作日, e.g. "publish within 7 working days") and in calendar days whose
//! last day moves to the next working day when it is a rest day (e.g. "archive within 30 days").
//! In both, the day on which the period starts is not counted (期间开始的日不计算在内).
//!
//! The data comes from `data/holidays.toml` (built in) or a file the site names; a date in a
//! year that has no data is refused, never guessed.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

const BUILT_IN: &str = include_str!("../data/holidays.toml");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the working-day calendar has no data for {year}; add that year's State Council holiday notice to the calendar file"
    )]
    YearMissing { year: i32 },
    #[error("calendar file {file}: {message}")]
    Invalid { file: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    years: Vec<YearEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearEntry {
    year: i32,
    #[allow(dead_code)]
    source: String,
    holidays: Vec<String>,
    workdays: Vec<String>,
}

/// Which days are working days, for the years the data covers.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    years: BTreeMap<i32, (BTreeSet<NaiveDate>, BTreeSet<NaiveDate>)>,
}

impl WorkCalendar {
    /// The calendar shipped with Liuhen.
    pub fn built_in() -> Result<Self, CalendarError> {
        Self::parse("site-api/data/holidays.toml (built in)", BUILT_IN)
    }

    /// Reads a calendar file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, CalendarError> {
        let invalid = |message: String| CalendarError::Invalid {
            file: file.to_string(),
            message,
        };
        let raw: CalendarFile = toml::from_str(text).map_err(|err| invalid(err.to_string()))?;
        let mut years = BTreeMap::new();
        for entry in raw.years {
            let mut holidays = BTreeSet::new();
            for item in &entry.holidays {
                let (first, last) = match item.split_once("..") {
                    Some((a, b)) => (date(a).map_err(&invalid)?, date(b).map_err(&invalid)?),
                    None => {
                        let d = date(item).map_err(&invalid)?;
                        (d, d)
                    }
                };
                if last < first || last - first > Duration::days(31) {
                    return Err(invalid(format!(
                        "holiday range {item} is reversed or longer than a month"
                    )));
                }
                let mut day = first;
                while day <= last {
                    holidays.insert(day);
                    day += Duration::days(1);
                }
            }
            let workdays = entry
                .workdays
                .iter()
                .map(|d| date(d).map_err(&invalid))
                .collect::<Result<BTreeSet<_>, _>>()?;
            if let Some(stray) = holidays
                .iter()
                .chain(&workdays)
                .find(|d| d.year() != entry.year)
            {
                return Err(invalid(format!(
                    "{stray} is listed under year {}",
                    entry.year
                )));
            }
            if years.insert(entry.year, (holidays, workdays)).is_some() {
                return Err(invalid(format!("year {} is listed twice", entry.year)));
            }
        }
        Ok(Self { years })
    }

    pub fn is_working_day(&self, day: NaiveDate) -> Result<bool, CalendarError> {
        let (holidays, workdays) = self
            .years
            .get(&day.year())
            .ok_or(CalendarError::YearMissing { year: day.year() })?;
        if holidays.contains(&day) {
            return Ok(false);
        }
        if workdays.contains(&day) {
            return Ok(true);
        }
        Ok(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The last day of a period of `days` working days starting after `start` (which is not
    /// counted): the `days`-th working day after it.
    pub fn add_working_days(
        &self,
        start: NaiveDate,
        days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let mut day = start;
        let mut counted = 0;
        while counted < days {
            day += Duration::days(1);
            if self.is_working_day(day)? {
                counted += 1;
            }
        }
        Ok(day)
    }

    /// How many working days come after `from`, up to and including `to` (0 when `to` is not
    /// after `from`): what is left of a period that ends on `to`.
    pub fn working_days_after(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day += Duration::days(1);
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The last day of a period of `days` calendar days starting after `start`; when that day
    /// is a rest day the period runs to the next working day.
    pub fn period_end(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
        let mut day = start + Duration::days(i64::from(days));
        while !self.is_working_day(day)? {
            day += Duration::days(1);
        }
        Ok(day)
    }
}

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date like 2026-02-15"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        date(text).expect("test date")
    }

    fn calendar() -> WorkCalendar {
        WorkCalendar::built_in().expect("the shipped calendar parses")
    }

    #[test]
    fn the_working_days_left_of_a_period_undo_adding_them() {
        let cal = calendar();
        // Across National Day 2026: 8, 9, 10 (调休) and 12 October.
        assert_eq!(
            cal.working_days_after(d("2026-09-30"), d("2026-10-12"))
                .unwrap(),
            4
        );
        for days in [1, 5, 9] {
            let end = cal.add_working_days(d("2026-09-28"), days).unwrap();
            assert_eq!(cal.working_days_after(d("2026-09-28"), end).unwrap(), days);
        }
        assert_eq!(
            cal.working_days_after(d("2026-10-20"), d("2026-10-13"))
                .unwrap(),
            0
        );
    }

    #[test]
    fn make_up_days_work_and_holidays_rest() {
        let cal = calendar();
        assert!(
            cal.is_working_day(d("2025-01-26")).unwrap(),
            "Sunday 调休 before Spring Festival 2025"
        );
        assert!(
            !cal.is_working_day(d("2025-01-28")).unwrap(),
            "Spring Festival eve 2025"
        );
        assert!(!cal.is_working_day(d("2026-10-07")).unwrap());
        assert!(
            cal.is_working_day(d("2026-10-10")).unwrap(),
            "Saturday 调休 after National Day 2026"
        );
        assert!(
            !cal.is_working_day(d("2026-03-07")).unwrap(),
            "an ordinary Saturday"
        );
        assert!(
            cal.is_working_day(d("2026-03-09")).unwrap(),
            "an ordinary Monday"
        );
    }

    #[test]
    fn seven_working_days_across_spring_festival_and_national_day() {
        let cal = calendar();
        // Decided on Friday 2025-01-24: 26 Jan (调休 Sunday) and 27 Jan count, the festival does
        // not, 8 Feb (调休 Saturday) counts: due Monday 10 Feb.
        assert_eq!(
            cal.add_working_days(d("2025-01-24"), 7).unwrap(),
            d("2025-02-10")
        );
        assert_eq!(
            cal.add_working_days(d("2025-09-26"), 7).unwrap(),
            d("2025-10-13")
        );
        // 2026: the 调休 Saturday 28 Feb is the seventh working day.
        assert_eq!(
            cal.add_working_days(d("2026-02-12"), 7).unwrap(),
            d("2026-02-28")
        );
    }

    #[test]
    fn twenty_working_days_across_mid_autumn_and_national_day_2026() {
        assert_eq!(
            calendar().add_working_days(d("2026-09-18"), 20).unwrap(),
            d("2026-10-22")
        );
    }

    #[test]
    fn five_working_days_across_labour_day_2025() {
        assert_eq!(
            calendar().add_working_days(d("2025-04-30"), 5).unwrap(),
            d("2025-05-12")
        );
    }

    #[test]
    fn a_thirty_day_period_ending_on_a_rest_day_runs_to_the_next_working_day() {
        let cal = calendar();
        // 30 days after 2025-12-02 is New Year's Day 2026; the holiday runs to the 3rd and the
        // 4th is a 调休 Sunday, so the period ends on Sunday 2026-01-04.
        assert_eq!(
            cal.period_end(d("2025-12-02"), 30).unwrap(),
            d("2026-01-04")
        );
        // Lands on the first day of Spring Festival 2026: runs to Tuesday 24 Feb.
        assert_eq!(
            cal.period_end(d("2026-01-16"), 30).unwrap(),
            d("2026-02-24")
        );
        // Lands on an ordinary Wednesday: unchanged.
        assert_eq!(
            cal.period_end(d("2025-03-03"), 30).unwrap(),
            d("2025-04-02")
        );
    }

    #[test]
    fn a_year_without_data_is_refused_not_guessed() {
        let err = calendar()
            .add_working_days(d("2026-12-25"), 7)
            .expect_err("2027 is not published yet");
        assert_eq!(err, CalendarError::YearMissing { year: 2027 });
        assert!(err.to_string().contains("add that year's"));
    }

    #[test]
    fn a_bad_calendar_file_is_named() {
        let err = WorkCalendar::parse(
            "my.toml",
            "[[years]]\nyear = 2027\nsource = \"x\"\nholidays = [\"2027-02-30\"]\nworkdays = []\n",
        )
        .expect_err("no 30 February");
        assert!(
            err.to_string().contains("my.toml") && err.to_string().contains("2027-02-30"),
            "{err}"
        );
        let err = WorkCalendar::parse(
            "my.toml",
            "[[years]]\nyear = 2027\nsource = \"x\"\nholidays = [\"2026-10-01\"]\nworkdays = []\n",
        )
        .expect_err("wrong year");
        assert!(err.to_string().contains("listed under year 2027"), "{err}");
    }
}
