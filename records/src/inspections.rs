//! Inspections (行政检查) and their results, published a batch (a month or a quarter) at a time;
//! the agency's due list shows each batch not yet published with its due date.

use chrono::NaiveDate;
use rusqlite::params;
use site_api::{
    InspectionBatchDue, InspectionBatching, InspectionView, RecordInspection, WorkCalendar,
    batch_due,
};

use crate::store::now;
use crate::{Store, StoreError};

const COLUMNS: &str = "id, subject, item, done_on, result, period, published_on";

fn inspection_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InspectionView> {
    let day =
        |text: Option<String>| text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
    Ok(InspectionView {
        id: r.get(0)?,
        subject: r.get(1)?,
        item: r.get(2)?,
        done_on: day(r.get(3)?).unwrap_or_default(),
        result: r.get(4)?,
        period: r.get(5)?,
        published_on: day(r.get(6)?),
    })
}

impl Store {
    /// Records an inspection of the agency, in the batch `batching` puts it.
    pub fn record_inspection(
        &mut self,
        agency_id: &str,
        inspection: &RecordInspection,
        batching: InspectionBatching,
        recorded_by: &str,
    ) -> Result<InspectionView, StoreError> {
        for (field, value) in [
            ("subject", &inspection.subject),
            ("item", &inspection.item),
            ("result", &inspection.result),
        ] {
            if value.trim().is_empty() || value.chars().count() > 500 {
                return Err(StoreError::Invalid(format!(
                    "an inspection's {field} is 1 to 500 characters"
                )));
            }
        }
        self.conn.execute(
            "INSERT INTO inspections (agency_id, subject, item, done_on, result, period,
                                      recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                agency_id,
                inspection.subject.trim(),
                inspection.item.trim(),
                inspection.done_on.to_string(),
                inspection.result.trim(),
                batching.period_of(inspection.done_on),
                recorded_by,
                now()
            ],
        )?;
        Ok(self.conn.query_row(
            &format!("SELECT {COLUMNS} FROM inspections WHERE id = ?1"),
            params![self.conn.last_insert_rowid()],
            inspection_row,
        )?)
    }

    /// Publishes the agency's batch of `period` on `on`; returns how many results it holds.
    pub fn publish_inspections(
        &mut self,
        agency_id: &str,
        period: &str,
        on: NaiveDate,
    ) -> Result<usize, StoreError> {
        let published = self.conn.execute(
            "UPDATE inspections SET published_on = ?3
             WHERE agency_id = ?1 AND period = ?2 AND published_on IS NULL",
            params![agency_id, period, on.to_string()],
        )?;
        if published == 0 {
            return Err(StoreError::NotFound {
                what: format!("unpublished inspection results of {period}"),
            });
        }
        Ok(published)
    }

    /// The agency's published results, newest first.
    pub fn published_inspections(
        &self,
        agency_id: &str,
    ) -> Result<Vec<InspectionView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM inspections
             WHERE agency_id = ?1 AND published_on IS NOT NULL ORDER BY done_on DESC, id DESC"
        ))?;
        let rows = stmt.query_map(params![agency_id], inspection_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Batches with results not yet published, oldest first, each with its due date.
    pub fn inspections_due(
        &self,
        calendar: &WorkCalendar,
        agency_id: &str,
        today: NaiveDate,
    ) -> Result<Vec<InspectionBatchDue>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT period, count(*) FROM inspections
             WHERE agency_id = ?1 AND published_on IS NULL GROUP BY period ORDER BY period",
        )?;
        let batches = stmt
            .query_map(params![agency_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut due = Vec::new();
        for (period, count) in batches {
            let due_on = match batch_due(calendar, &period) {
                Ok(due_on) => due_on,
                Err(site_api::CalendarError::YearMissing { .. }) => None,
                Err(err) => return Err(err.into()),
            };
            due.push(InspectionBatchDue {
                overdue: due_on.is_some_and(|due_on| today > due_on),
                period,
                inspections: count,
                due_on,
            });
        }
        Ok(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_due_by_batch_and_published_together() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        let d = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        for (day, batching) in [
            ("2026-09-10", InspectionBatching::Monthly),
            ("2026-09-25", InspectionBatching::Monthly),
            ("2026-10-12", InspectionBatching::Quarterly),
        ] {
            let inspection = RecordInspection {
                subject: "某餐饮公司".into(),
                item: "食品安全".into(),
                done_on: d(day),
                result: "未发现问题".into(),
            };
            store
                .record_inspection("a", &inspection, batching, "王芳")
                .unwrap();
        }
        let due = store
            .inspections_due(&calendar, "a", d("2026-10-20"))
            .unwrap();
        let periods: Vec<(&str, i64)> = due
            .iter()
            .map(|b| (b.period.as_str(), b.inspections))
            .collect();
        assert_eq!(periods, [("2026-09", 2), ("2026-Q4", 1)]);
        // September's last day is the 30th; 20 working days on, past the National Day holiday.
        assert_eq!(
            due[0].due_on,
            Some(calendar.add_working_days(d("2026-09-30"), 20).unwrap())
        );
        assert!(!due[0].overdue);
        assert_eq!(due[1].due_on, None, "the calendar has no 2027 yet");
        assert!(
            store
                .inspections_due(&calendar, "a", d("2026-11-30"))
                .unwrap()[0]
                .overdue
        );
        assert_eq!(
            store
                .publish_inspections("a", "2026-09", d("2026-10-20"))
                .unwrap(),
            2
        );
        assert!(
            store
                .publish_inspections("a", "2026-09", d("2026-10-20"))
                .is_err()
        );
        assert_eq!(store.published_inspections("a").unwrap().len(), 2);
        assert!(store.published_inspections("b").unwrap().is_empty());
        assert_eq!(
            store
                .inspections_due(&calendar, "a", d("2026-10-20"))
                .unwrap()
                .len(),
            1
        );
    }
}
