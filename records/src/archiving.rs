//! Archiving a case's records (执法全过程记录归档): the text and audio/video records of an
//! enforcement action go into the case file within 30 days of the action's end (calendar days;
//! a period ending on a rest day runs to the next working day). The records track each case's
//! deadline and what is still missing: the text records, the audio/video records, and any
//! recording that has not ended yet.

use chrono::NaiveDate;
use rusqlite::params;

use crate::{Refusal, Store, StoreError};
use site_api::calendar::WorkCalendar;
use site_api::deadlines::archive_due;
use site_api::{ArchiveItem, ArchivePart};

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

impl Store {
    /// The enforcement action of a case ended on `on`: its archiving period starts.
    pub fn end_action(
        &mut self,
        agency_id: &str,
        number: &str,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        self.ensure_case(agency_id, number)?;
        self.conn.execute(
            "UPDATE cases SET action_ended_on = ?3 WHERE agency_id = ?1 AND number = ?2",
            params![agency_id, number, on.format("%Y-%m-%d").to_string()],
        )?;
        Ok(())
    }

    /// A part of a case's records went into the case file on `on`. The audio/video records
    /// can only be archived once every recording of the case has ended.
    pub fn mark_archived(
        &mut self,
        agency_id: &str,
        number: &str,
        part: ArchivePart,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        if part == ArchivePart::Media {
            let live: i64 = self.conn.query_row(
                "SELECT count(*) FROM sessions s JOIN cases c ON c.id = s.case_id
                 WHERE c.agency_id = ?1 AND c.number = ?2
                   AND s.state NOT IN ('finished', 'failed')",
                params![agency_id, number],
                |r| r.get(0),
            )?;
            if live > 0 {
                return Err(Refusal::RecordingsNotEnded {
                    case: number.to_string(),
                    live,
                }
                .into());
            }
        }
        let column = match part {
            ArchivePart::Text => "text_archived_on",
            ArchivePart::Media => "media_archived_on",
        };
        let changed = self.conn.execute(
            &format!("UPDATE cases SET {column} = ?3 WHERE agency_id = ?1 AND number = ?2"),
            params![agency_id, number, on.format("%Y-%m-%d").to_string()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("case {number} of agency {agency_id}"),
            });
        }
        Ok(())
    }

    /// The agency's cases whose action has ended and whose records are not all archived, the
    /// most urgent first.
    pub fn archiving_due(
        &self,
        calendar: &WorkCalendar,
        agency_id: &str,
        today: NaiveDate,
    ) -> Result<Vec<ArchiveItem>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.number, c.action_ended_on, c.text_archived_on IS NULL,
                    c.media_archived_on IS NULL,
                    (SELECT count(*) FROM sessions s WHERE s.case_id = c.id)
                      + (SELECT count(*) FROM field_files f WHERE f.case_id = c.id),
                    (SELECT count(*) FROM sessions s WHERE s.case_id = c.id
                       AND s.state NOT IN ('finished', 'failed'))
             FROM cases c
             WHERE c.agency_id = ?1 AND c.action_ended_on IS NOT NULL
               AND (c.text_archived_on IS NULL OR c.media_archived_on IS NULL)",
        )?;
        let rows: Vec<(String, String, bool, bool, i64, i64)> = stmt
            .query_map(params![agency_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut items = Vec::new();
        for (number, ended, text_missing, media_missing, recordings, live) in rows {
            let Some(ended) = day(&ended) else { continue };
            let due_on = archive_due(calendar, ended)?;
            let mut missing = Vec::new();
            if text_missing {
                missing.push("文字记录 text records".to_string());
            }
            if media_missing {
                missing.push(format!(
                    "音视频记录 audio/video records ({recordings} recording(s))"
                ));
            }
            if live > 0 {
                missing.push(format!("{live} 个录制未结束 recording(s) not ended"));
            }
            items.push(ArchiveItem {
                case_number: number,
                action_ended_on: ended,
                due_on,
                overdue: due_on < today,
                missing,
            });
        }
        items.sort_by(|a, b| {
            a.due_on
                .cmp(&b.due_on)
                .then(a.case_number.cmp(&b.case_number))
        });
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn each_case_is_archived_within_30_days_and_whats_missing_is_listed() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        // Ended 2 September 2026: 30 days later is Friday 2 October, inside the National Day
        // holiday, so the period runs to the next working day, Thursday 8 October.
        store.end_action("a", "甲罚1号", d("2026-09-02")).unwrap();
        // Ended 20 October 2026: due 19 November, a Thursday.
        store.end_action("a", "甲罚2号", d("2026-10-20")).unwrap();
        store.ensure_case("a", "甲罚3号").unwrap();

        let due = store
            .archiving_due(&calendar, "a", d("2026-10-09"))
            .unwrap();
        let numbers: Vec<_> = due.iter().map(|i| i.case_number.as_str()).collect();
        assert_eq!(
            numbers,
            ["甲罚1号", "甲罚2号"],
            "a case still running is not listed"
        );
        assert_eq!(due[0].due_on, d("2026-10-08"));
        assert!(due[0].overdue);
        assert_eq!(due[1].due_on, d("2026-11-19"));
        assert!(!due[1].overdue);
        assert_eq!(due[1].missing.len(), 2, "{:?}", due[1].missing);

        store
            .mark_archived("a", "甲罚2号", ArchivePart::Text, d("2026-10-21"))
            .unwrap();
        let due = store
            .archiving_due(&calendar, "a", d("2026-10-21"))
            .unwrap();
        assert_eq!(
            due[1].missing,
            ["音视频记录 audio/video records (0 recording(s))"]
        );
        store
            .mark_archived("a", "甲罚2号", ArchivePart::Media, d("2026-10-22"))
            .unwrap();
        let due = store
            .archiving_due(&calendar, "a", d("2026-10-22"))
            .unwrap();
        assert_eq!(due.len(), 1, "case 2 is fully archived");
        assert!(
            store
                .archiving_due(&calendar, "b", d("2026-10-22"))
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .mark_archived("b", "甲罚1号", ArchivePart::Text, d("2026-10-22"))
                .is_err()
        );
    }
}
