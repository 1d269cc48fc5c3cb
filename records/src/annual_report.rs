//! The annual report of administrative law enforcement (行政执法年度报告), per agency and year,
//! ready to publish by 31 January: enforcement decisions by type, hearings held, recordings
//! made (and their hours), legal reviews of the year's decisions by outcome, decisions
//! published on time and late, and complaints (bad ratings of the agency's services). Written
//! by the controller as CSV and as an HTML page (`room-controller report`).

use rusqlite::params;

use crate::{Store, StoreError};
use site_api::{ActionType, AnnualReport};

impl Store {
    /// The report of `agency_id` for `year`.
    pub fn annual_report(&self, agency_id: &str, year: i32) -> Result<AnnualReport, StoreError> {
        self.figures(agency_id, year, &format!("{year:04}"))
    }

    /// The same figures for one month (the exchange's monthly figures).
    pub fn monthly_figures(
        &self,
        agency_id: &str,
        year: i32,
        month: u32,
    ) -> Result<AnnualReport, StoreError> {
        self.figures(agency_id, year, &format!("{year:04}-{month:02}"))
    }

    /// The figures of the days whose date starts with `period` ("2026" or "2026-10").
    fn figures(
        &self,
        agency_id: &str,
        year: i32,
        period: &str,
    ) -> Result<AnnualReport, StoreError> {
        let agency_name: String = self
            .conn
            .query_row(
                "SELECT name FROM agencies WHERE id = ?1",
                params![agency_id],
                |r| r.get(0),
            )
            .map_err(|_| StoreError::NotFound {
                what: format!("agency {agency_id}"),
            })?;
        let year_text = period.to_string();
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self
                .conn
                .query_row(sql, params![agency_id, year_text], |r| r.get(0))?)
        };
        let mut decisions_by_type = Vec::new();
        for kind in ActionType::ALL {
            let n: i64 = self.conn.query_row(
                "SELECT count(*) FROM decisions d JOIN cases c ON c.id = d.case_id
                 WHERE c.agency_id = ?1 AND substr(d.decided_on, 1, length(?2)) = ?2 AND c.action_type = ?3",
                params![agency_id, year_text, kind.as_str()],
                |r| r.get(0),
            )?;
            decisions_by_type.push((kind, n));
        }
        let decided_in_year = "FROM decisions d JOIN cases c ON c.id = d.case_id
             WHERE c.agency_id = ?1 AND substr(d.decided_on, 1, length(?2)) = ?2";
        // Reviews of the year's decisions, returned ones included.
        let reviews = |outcome: &str| {
            count(&format!(
                "SELECT count(*) FROM legal_reviews r JOIN cases c ON c.id = r.case_id
                 JOIN decisions d ON d.case_id = c.id
                 WHERE c.agency_id = ?1 AND substr(d.decided_on, 1, length(?2)) = ?2
                   AND r.outcome = '{outcome}'"
            ))
        };
        let published = "FROM publications p
             WHERE p.agency_id = ?1 AND substr(p.decided_on, 1, length(?2)) = ?2";
        let recorded_ns: i64 = self.conn.query_row(
            "SELECT coalesce(sum(longest), 0) FROM (
                SELECT (SELECT max(total) FROM (SELECT sum(g.duration_ns) AS total
                        FROM segments g WHERE g.session_id = s.id GROUP BY g.track)) AS longest
                FROM sessions s
                WHERE s.agency_id = ?1 AND substr(s.started_at, 1, length(?2)) = ?2)",
            params![agency_id, year_text],
            |r| r.get(0),
        )?;
        Ok(AnnualReport {
            agency_id: agency_id.to_string(),
            agency_name,
            year,
            decisions: decisions_by_type.iter().map(|(_, n)| n).sum(),
            decisions_by_type,
            hearings_held: count(&format!(
                "SELECT count(*) {decided_in_year} AND c.hearing_held = 1"
            ))?,
            recordings: count(
                "SELECT count(*) FROM sessions WHERE agency_id = ?1 AND substr(started_at, 1, length(?2)) = ?2",
            )?,
            recorded_hours: recorded_ns as f64 / 3.6e12,
            reviews_passed: reviews("pass")?,
            reviews_returned: reviews("return")?,
            reviews_failed: reviews("fail")?,
            published_on_time: count(&format!(
                "SELECT count(*) {published} AND p.withheld_because IS NULL
                   AND p.published_on IS NOT NULL AND p.published_on <= p.due_on"
            ))?,
            published_late: count(&format!(
                "SELECT count(*) {published} AND p.withheld_because IS NULL
                   AND ((p.published_on IS NOT NULL AND p.published_on > p.due_on)
                        OR (p.published_on IS NULL AND p.due_on < date('now')))"
            ))?,
            withheld: count(&format!(
                "SELECT count(*) {published} AND p.withheld_because IS NOT NULL"
            ))?,
            complaints: count(
                "SELECT count(*) FROM ratings r JOIN tickets t ON t.id = r.ticket_id
                 JOIN services s ON s.id = t.service_id
                 WHERE s.agency_id = ?1 AND substr(r.at, 1, length(?2)) = ?2 AND r.level <= 2",
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{NewDecision, NewReview};
    use crate::{NewSegment, NewSession, NewStaff};
    use chrono::NaiveDate;
    use site_api::StaffRole;
    use site_api::{CHECKLIST, CheckedItem, ReviewOutcome};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_report_counts_what_the_records_hold_for_that_agency_and_year() {
        let (_dir, mut store) = crate::test_site::store(&["a", "b"]);
        let calendar = site_api::calendar::WorkCalendar::built_in().unwrap();
        store
            .add_staff(&NewStaff {
                id: "rev",
                agency_id: "a",
                name: "审核员",
                credential_number: "R1",
                categories: &[],
                role: StaffRole::Reviewer,
                photo: None,
            })
            .unwrap();
        // Agency a, 2026: two penalties (one after a hearing and a passed review, one returned
        // first), a licence; one of b's, and one of a's in 2025, are not counted.
        let decide = |store: &mut Store, agency: &str, number: &str, kind, on: &str| {
            let case = site_api::PrepareCase {
                action_type: Some(kind),
                party: Some("张三".into()),
                ..Default::default()
            };
            crate::test_site::describe(store, agency, number, case);
            let decision = NewDecision {
                document_number: number,
                conclusion: "决定",
                decided_on: d(on),
                recorded_by: "x",
                reasons: site_api::DecisionReasons {
                    evidence: "证据".into(),
                    legal_basis: "依据".into(),
                    discretion: String::new(),
                },
                unrecorded_because: None,
                must_record: &[],
            };
            store
                .record_decision(&calendar, agency, number, &decision)
                .unwrap();
        };
        let hearing = site_api::PrepareCase {
            hearing_held: Some(true),
            ..Default::default()
        };
        crate::test_site::describe(&mut store, "a", "p1", hearing);
        let all_hold: Vec<CheckedItem> = CHECKLIST
            .iter()
            .map(|i| CheckedItem {
                item: i.to_string(),
                holds: true,
                note: String::new(),
            })
            .collect();
        for outcome in [ReviewOutcome::Return, ReviewOutcome::Pass] {
            let review = NewReview {
                reviewer_id: "rev",
                checklist: all_hold.clone(),
                outcome,
                opinion: "意见",
                disagreement: "",
                settled: "",
            };
            store.review_case("a", "p1", &review).unwrap();
        }
        store
            .add_staff(&NewStaff {
                id: "boss",
                agency_id: "a",
                name: "局长",
                credential_number: "H1",
                categories: &[],
                role: StaffRole::Head,
                photo: None,
            })
            .unwrap();
        store.approve_decision("a", "p1", "boss", "同意").unwrap();
        decide(&mut store, "a", "p1", ActionType::Penalty, "2026-03-02");
        decide(&mut store, "a", "p2", ActionType::Penalty, "2026-03-02");
        decide(&mut store, "a", "l1", ActionType::Licensing, "2026-04-01");
        decide(&mut store, "a", "old", ActionType::Penalty, "2025-12-30");
        decide(&mut store, "b", "b1", ActionType::Penalty, "2026-03-02");
        // p1 on time (due 11 March), l1 late (due 13 April), p2 never published: overdue.
        store.publish("a", "p1", d("2026-03-05")).unwrap();
        store.publish("a", "l1", d("2026-04-20")).unwrap();
        // One recording of 90 minutes (two tracks of 1.5 h each), in 2026.
        let session = store
            .create_session(&NewSession {
                room_id: "r1",
                agency_id: "a",
                case_number: "p1",
                media_dir: "r1/x",
                recorded_with: &serde_json::json!({}),
                started_by: "x",
            })
            .unwrap();
        store
            .conn
            .execute(
                "UPDATE sessions SET started_at = '2026-02-27T09:00:00Z'",
                [],
            )
            .unwrap();
        for (track, seq) in [("cam1", 0), ("cam1", 1), ("mic1", 0)] {
            let duration_ns = if track == "mic1" {
                5_400_000_000_000
            } else {
                2_700_000_000_000
            };
            store
                .add_segment(
                    session,
                    &NewSegment {
                        track,
                        seq,
                        file: "f",
                        size_bytes: 1,
                        start_ns: 0,
                        duration_ns,
                        sha256: "00",
                        link: "00",
                        recovered: false,
                        backup_sha256: None,
                    },
                )
                .unwrap();
        }

        let report = store.annual_report("a", 2026).unwrap();
        assert_eq!(report.decisions, 3);
        assert!(report.decisions_by_type.contains(&(ActionType::Penalty, 2)));
        assert!(
            report
                .decisions_by_type
                .contains(&(ActionType::Licensing, 1))
        );
        assert_eq!(report.hearings_held, 1);
        assert_eq!((report.recordings, report.recorded_hours), (1, 1.5));
        assert_eq!(
            (
                report.reviews_passed,
                report.reviews_returned,
                report.reviews_failed
            ),
            (1, 1, 0)
        );
        assert_eq!((report.published_on_time, report.published_late), (1, 2));
        assert_eq!(report.complaints, 0);
        assert_eq!(store.annual_report("b", 2026).unwrap().decisions, 1);
        assert!(store.annual_report("nobody", 2026).is_err());
    }
}
