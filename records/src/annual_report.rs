//! The annual report of administrative law enforcement (行政执法年度报告), per agency and year,
//! ready to publish by 31 January: enforcement decisions by type, hearings held, recordings
//! made (and their hours), legal reviews of the year's decisions by outcome, decisions
//! published on time and late, and complaints (bad ratings of the agency's services). Written
//! as CSV and as an HTML page (`room-controller report`).

use rusqlite::params;

use crate::html::{escape, page};
use crate::publicity::ActionType;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct AnnualReport {
    pub agency_id: String,
    pub agency_name: String,
    pub year: i32,
    /// Decisions made in the year, by kind of action (every kind listed, zeros too).
    pub decisions_by_type: Vec<(ActionType, i64)>,
    pub decisions: i64,
    pub hearings_held: i64,
    pub recordings: i64,
    /// The recorded time (the longest track of each recording), in hours.
    pub recorded_hours: f64,
    pub reviews_passed: i64,
    pub reviews_returned: i64,
    pub reviews_failed: i64,
    pub published_on_time: i64,
    /// Published after the due date, or still unpublished past it.
    pub published_late: i64,
    /// Never to be published (minors, secrets).
    pub withheld: i64,
    /// Bad ratings (不满意, 非常不满意) of the agency's hall services.
    pub complaints: i64,
}

const ALL_TYPES: [ActionType; 6] = [
    ActionType::Licensing,
    ActionType::Penalty,
    ActionType::Coercion,
    ActionType::Inspection,
    ActionType::Levy,
    ActionType::Other,
];

impl Store {
    /// The report of `agency_id` for `year`.
    pub fn annual_report(&self, agency_id: &str, year: i32) -> Result<AnnualReport, StoreError> {
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
        let year_text = format!("{year:04}");
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self
                .conn
                .query_row(sql, params![agency_id, year_text], |r| r.get(0))?)
        };
        let mut decisions_by_type = Vec::new();
        for kind in ALL_TYPES {
            let n: i64 = self.conn.query_row(
                "SELECT count(*) FROM decisions d JOIN cases c ON c.id = d.case_id
                 WHERE c.agency_id = ?1 AND substr(d.decided_on, 1, 4) = ?2 AND c.action_type = ?3",
                params![agency_id, year_text, kind.as_str()],
                |r| r.get(0),
            )?;
            decisions_by_type.push((kind, n));
        }
        let decided_in_year = "FROM decisions d JOIN cases c ON c.id = d.case_id
             WHERE c.agency_id = ?1 AND substr(d.decided_on, 1, 4) = ?2";
        // Reviews of the year's decisions, returned ones included.
        let reviews = |outcome: &str| {
            count(&format!(
                "SELECT count(*) FROM legal_reviews r JOIN cases c ON c.id = r.case_id
                 JOIN decisions d ON d.case_id = c.id
                 WHERE c.agency_id = ?1 AND substr(d.decided_on, 1, 4) = ?2
                   AND r.outcome = '{outcome}'"
            ))
        };
        let published = "FROM publications p
             WHERE p.agency_id = ?1 AND substr(p.decided_on, 1, 4) = ?2";
        let recorded_ns: i64 = self.conn.query_row(
            "SELECT coalesce(sum(longest), 0) FROM (
                SELECT (SELECT max(total) FROM (SELECT sum(g.duration_ns) AS total
                        FROM segments g WHERE g.session_id = s.id GROUP BY g.track)) AS longest
                FROM sessions s
                WHERE s.agency_id = ?1 AND substr(s.started_at, 1, 4) = ?2)",
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
                "SELECT count(*) FROM sessions WHERE agency_id = ?1 AND substr(started_at, 1, 4) = ?2",
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
                 WHERE s.agency_id = ?1 AND substr(r.at, 1, 4) = ?2 AND r.level <= 2",
            )?,
        })
    }
}

impl AnnualReport {
    /// (label, value) rows, in the order both formats show them.
    pub fn rows(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = self
            .decisions_by_type
            .iter()
            .map(|(kind, n)| {
                (
                    format!("执法决定 decisions: {}", kind.label()),
                    n.to_string(),
                )
            })
            .collect();
        rows.extend([
            (
                "执法决定合计 decisions in all".to_string(),
                self.decisions.to_string(),
            ),
            (
                "举行听证 hearings held".to_string(),
                self.hearings_held.to_string(),
            ),
            (
                "全过程录音录像 recordings".to_string(),
                self.recordings.to_string(),
            ),
            (
                "录音录像时长（小时）recorded hours".to_string(),
                format!("{:.1}", self.recorded_hours),
            ),
            (
                "法制审核通过 reviews passed".to_string(),
                self.reviews_passed.to_string(),
            ),
            (
                "法制审核退回 reviews returned".to_string(),
                self.reviews_returned.to_string(),
            ),
            (
                "法制审核不通过 reviews failed".to_string(),
                self.reviews_failed.to_string(),
            ),
            (
                "按时公示 published on time".to_string(),
                self.published_on_time.to_string(),
            ),
            (
                "逾期公示 published late or overdue".to_string(),
                self.published_late.to_string(),
            ),
            (
                "依法不公示 withheld by law".to_string(),
                self.withheld.to_string(),
            ),
            (
                "投诉（差评）complaints (bad ratings)".to_string(),
                self.complaints.to_string(),
            ),
        ]);
        rows
    }

    /// The report as CSV: `item,value`, with the agency and year first.
    pub fn to_csv(&self) -> String {
        let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
        let mut out = format!(
            "{},{}\n{},{}\n{},{}\n",
            quote("项目 item"),
            quote("数值 value"),
            quote("机关 agency"),
            quote(&self.agency_name),
            quote("年度 year"),
            self.year
        );
        for (label, value) in self.rows() {
            out.push_str(&format!("{},{}\n", quote(&label), quote(&value)));
        }
        out
    }

    /// The report as a self-contained HTML page.
    pub fn to_html(&self) -> String {
        let title = format!(
            "{}{}年度行政执法工作报告",
            escape(&self.agency_name),
            self.year
        );
        let mut rows = String::new();
        for (label, value) in self.rows() {
            rows.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
                escape(&label),
                escape(&value)
            ));
        }
        page(
            &title,
            &format!(
                "<p>Annual report of administrative law enforcement, {year}.</p>\n<table>\n{rows}</table>\n",
                year = self.year
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::StaffRole;
    use crate::review::{CHECKLIST, CheckedItem, NewDecision, NewReview, ReviewOutcome};
    use crate::{NewSegment, NewSession, NewStaff};
    use chrono::NaiveDate;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_report_counts_what_the_records_hold_for_that_agency_and_year() {
        let (_dir, mut store) = crate::test_site::store(&["a", "b"]);
        let calendar = crate::calendar::WorkCalendar::built_in().unwrap();
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
            store
                .describe_case(agency, number, Some(kind), Some("张三"))
                .unwrap();
            let decision = NewDecision {
                document_number: number,
                conclusion: "决定",
                decided_on: d(on),
                recorded_by: "x",
            };
            store
                .record_decision(&calendar, agency, number, &decision)
                .unwrap();
        };
        store
            .prepare_decision(
                "a",
                "p1",
                &crate::review::CaseForDecision {
                    hearing_held: true,
                    ..Default::default()
                },
            )
            .unwrap();
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
        let csv = report.to_csv();
        assert!(
            csv.contains("\"执法决定合计 decisions in all\",\"3\""),
            "{csv}"
        );
        let html = report.to_html();
        assert!(html.contains("甲局2026年度行政执法工作报告"), "{html}");
        assert_eq!(store.annual_report("b", 2026).unwrap().decisions, 1);
        assert!(store.annual_report("nobody", 2026).is_err());
    }
}
