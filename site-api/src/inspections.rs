//! Administrative inspections (行政检查) and their results, published in batches: per month or
//! per quarter as the agency chooses, each batch due a number of working days after its period.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::WorkCalendar;
use crate::calendar::CalendarError;

/// Working days after a period's last day by which its results are published (the 20 working
/// days the rules give for 双随机 results, applied to the batch).
pub const INSPECTION_PUBLICATION_WORKING_DAYS: u32 = 20;

/// How an agency batches its inspection results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionBatching {
    #[default]
    Monthly,
    Quarterly,
}

impl InspectionBatching {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "monthly" => Some(Self::Monthly),
            "quarterly" => Some(Self::Quarterly),
            _ => None,
        }
    }

    /// The batch a day falls in: "2026-11" or "2026-Q4".
    pub fn period_of(self, day: NaiveDate) -> String {
        match self {
            Self::Monthly => format!("{}-{:02}", day.year(), day.month()),
            Self::Quarterly => format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
        }
    }
}

/// The last day of a period named by [`InspectionBatching::period_of`].
pub fn period_end(period: &str) -> Option<NaiveDate> {
    let (year, rest) = period.split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let last_month = match rest.strip_prefix('Q') {
        Some(quarter) => {
            quarter
                .parse::<u32>()
                .ok()
                .filter(|q| (1..=4).contains(q))?
                * 3
        }
        None => rest.parse::<u32>().ok().filter(|m| (1..=12).contains(m))?,
    };
    let next = if last_month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, last_month + 1, 1)?
    };
    next.pred_opt()
}

/// The day a period's batch is due.
pub fn batch_due(
    calendar: &WorkCalendar,
    period: &str,
) -> Result<Option<NaiveDate>, CalendarError> {
    match period_end(period) {
        Some(end) => calendar
            .add_working_days(end, INSPECTION_PUBLICATION_WORKING_DAYS)
            .map(Some),
        None => Ok(None),
    }
}

/// `POST /api/inspections`: an inspection done, with its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordInspection {
    /// 检查对象 (an organisation's name; a person's is masked when published).
    pub subject: String,
    /// 检查事项
    pub item: String,
    pub done_on: NaiveDate,
    /// 检查结果
    pub result: String,
}

/// An inspection as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InspectionView {
    pub id: i64,
    pub subject: String,
    pub item: String,
    pub done_on: NaiveDate,
    pub result: String,
    /// Its batch: "2026-11" or "2026-Q4".
    pub period: String,
    pub published_on: Option<NaiveDate>,
}

/// `POST /api/inspections/publish`: publish a period's batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishInspections {
    pub period: String,
}

/// A batch of results not yet published, on the agency's due list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InspectionBatchDue {
    pub period: String,
    pub inspections: i64,
    /// None while the site's calendar does not reach the due date's year yet (the State
    /// Council publishes next year's holidays late in the year): the batch is still listed.
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_their_last_days() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(InspectionBatching::Monthly.period_of(day), "2026-11");
        assert_eq!(InspectionBatching::Quarterly.period_of(day), "2026-Q4");
        assert_eq!(period_end("2026-11"), NaiveDate::from_ymd_opt(2026, 11, 30));
        assert_eq!(period_end("2026-Q4"), NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(period_end("2026-Q1"), NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(period_end("2026-13"), None);
        assert_eq!(period_end("2026-Q5"), None);
    }
}
