//! Deadlines of 行政执法公示 and 执法全过程记录: when a decision must be published, withdrawn
//! and archived, counted on the official working-day calendar.

use chrono::NaiveDate;

use crate::ActionType;
use crate::calendar::{CalendarError, WorkCalendar};

/// Licensing and penalty decisions are published within 7 working days of the decision, other
/// decisions within 20; the day of the decision is not counted.
pub fn publication_due(
    calendar: &WorkCalendar,
    kind: ActionType,
    decided_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    let days = match kind {
        ActionType::Licensing | ActionType::Penalty => 7,
        _ => 20,
    };
    calendar.add_working_days(decided_on, days)
}

/// A revoked or changed decision is withdrawn the same day, and at the latest within 5 working
/// days: the date returned is that latest day.
pub fn withdrawal_due(
    calendar: &WorkCalendar,
    changed_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    calendar.add_working_days(changed_on, 5)
}

/// Text and audio/video records are archived within 30 days of the end of the enforcement
/// action; a period ending on a rest day runs to the next working day.
pub fn archive_due(
    calendar: &WorkCalendar,
    action_ended_on: NaiveDate,
) -> Result<NaiveDate, CalendarError> {
    calendar.period_end(action_ended_on, 30)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    #[test]
    fn licensing_and_penalties_are_due_in_7_working_days_others_in_20() {
        let cal = WorkCalendar::built_in().unwrap();
        assert_eq!(
            publication_due(&cal, ActionType::Penalty, d("2025-01-24")).unwrap(),
            d("2025-02-10")
        );
        assert_eq!(
            publication_due(&cal, ActionType::Licensing, d("2026-02-12")).unwrap(),
            d("2026-02-28")
        );
        assert_eq!(
            publication_due(&cal, ActionType::Coercion, d("2026-09-18")).unwrap(),
            d("2026-10-22")
        );
        assert_eq!(
            publication_due(&cal, ActionType::Inspection, d("2025-01-24")).unwrap(),
            d("2025-02-27")
        );
    }

    #[test]
    fn withdrawal_and_archive_deadlines() {
        let cal = WorkCalendar::built_in().unwrap();
        assert_eq!(
            withdrawal_due(&cal, d("2025-04-30")).unwrap(),
            d("2025-05-12")
        );
        assert_eq!(archive_due(&cal, d("2025-12-02")).unwrap(), d("2026-01-04"));
        assert_eq!(
            archive_due(&cal, d("2025-09-05")).unwrap(),
            d("2025-10-09"),
            "5 Oct is in the National Day holiday"
        );
    }
}
