//! Submissions for legal review (送审): the handling unit sends a case with its materials; the
//! review is due a number of working days later (the agency's limit). A reviewer may return it
//! for more materials (补充材料), which stops the clock until they come. A recorded review closes
//! the submission; the agency's due list shows what is overdue, waiting and returned.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use site_api::calendar::WorkCalendar;
use site_api::{ReviewsDue, SubmissionState, SubmissionView};

use crate::review::case_id;
use crate::{Refusal, Store, StoreError};

const SUBMISSION_COLUMNS: &str = "s.id, c.number, s.submitted_by, s.submitted_on, s.materials,
    s.working_days, s.due_on, s.state, s.returned_on, s.returned_because, s.days_left,
    s.attachments";

fn submission_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SubmissionView> {
    let day =
        |text: Option<String>| text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
    let materials: String = r.get(4)?;
    let state: String = r.get(7)?;
    Ok(SubmissionView {
        id: r.get(0)?,
        case_number: r.get(1)?,
        submitted_by: r.get(2)?,
        submitted_on: day(r.get(3)?).unwrap_or_default(),
        materials: serde_json::from_str(&materials).unwrap_or_default(),
        working_days: r.get(5)?,
        due_on: day(r.get(6)?).unwrap_or_default(),
        state: SubmissionState::parse(&state).unwrap_or(SubmissionState::Waiting),
        returned_on: day(r.get(8)?),
        returned_because: r.get(9)?,
        days_left: r.get(10)?,
        attachments: serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or_default(),
    })
}

/// The documents named, trimmed; at least one.
fn materials_given(materials: &[String]) -> Result<Vec<String>, StoreError> {
    let named: Vec<String> = materials
        .iter()
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    if named.is_empty() {
        return Err(StoreError::Invalid(
            "a submission for legal review names its materials (送审材料), e.g. [\"调查终结报告\", \"证据材料\"]".into(),
        ));
    }
    Ok(named)
}

/// A submission as the handling unit makes it.
pub struct NewSubmission<'a> {
    pub submitted_by: &'a str,
    /// The documents named (送审材料).
    pub materials: &'a [String],
    /// Their files: attachments of the case.
    pub attachments: &'a [i64],
    /// The agency's review time limit, in working days.
    pub working_days: u32,
    /// The materials the agency requires in every submission (`review_materials`).
    pub required: &'a [String],
}

impl Store {
    /// The case's submission still open (waiting or returned), with its state.
    pub(crate) fn open_submission(
        &self,
        case_id: i64,
    ) -> Result<Option<(i64, SubmissionState)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, state FROM review_submissions
                 WHERE case_id = ?1 AND state IN ('waiting', 'returned')",
                params![case_id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(id, state)| {
                (
                    id,
                    SubmissionState::parse(&state).unwrap_or(SubmissionState::Waiting),
                )
            }))
    }

    /// 送审: submits case `number` for legal review on `today`, due `working_days` working days
    /// later. Refused while an earlier submission of the case is open, and without a material
    /// the agency requires.
    pub fn submit_for_review(
        &mut self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
        new: &NewSubmission<'_>,
        today: NaiveDate,
    ) -> Result<SubmissionView, StoreError> {
        let case = case_id(self, agency_id, number)?;
        let materials = materials_given(new.materials)?;
        let missing: Vec<&str> = new
            .required
            .iter()
            .map(|r| r.trim())
            .filter(|r| !materials.iter().any(|m| m == r))
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the agency's review materials (review_materials) are all required; missing: {}",
                missing.join("、")
            )));
        }
        self.own_attachments(case, number, new.attachments)?;
        let (submitted_by, working_days) = (new.submitted_by, new.working_days);
        if let Some((_, state)) = self.open_submission(case)? {
            return Err(Refusal::AlreadySubmitted {
                case: number.to_string(),
                state: state.as_str().to_string(),
            }
            .into());
        }
        let due_on = calendar.add_working_days(today, working_days.max(1))?;
        self.conn.execute(
            "INSERT INTO review_submissions (case_id, submitted_by, submitted_on, materials,
                                             working_days, due_on, state, attachments)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'waiting', ?7)",
            params![
                case,
                submitted_by,
                today.to_string(),
                serde_json::to_string(&materials).unwrap_or_else(|_| "[]".into()),
                working_days.max(1),
                due_on.to_string(),
                serde_json::to_string(new.attachments).unwrap_or_else(|_| "[]".into())
            ],
        )?;
        self.submission(self.conn.last_insert_rowid())
    }

    /// 补充材料: reviewer `reviewer_id` returns the waiting submission of case `number` for
    /// more materials on `today`; its clock stops with the working days left.
    pub fn return_for_materials(
        &mut self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
        reviewer_id: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<SubmissionView, StoreError> {
        self.reviewer_of(agency_id, reviewer_id)?;
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(
                "say what is missing: a returned submission needs its reason".into(),
            ));
        }
        let case = case_id(self, agency_id, number)?;
        let Some((id, SubmissionState::Waiting)) = self.open_submission(case)? else {
            return Err(Refusal::NothingSubmitted {
                case: number.to_string(),
            }
            .into());
        };
        let left = calendar.working_days_after(today, self.submission(id)?.due_on)?;
        self.conn.execute(
            "UPDATE review_submissions
             SET state = 'returned', returned_on = ?2, returned_because = ?3, days_left = ?4
             WHERE id = ?1",
            params![id, today.to_string(), reason.trim(), left],
        )?;
        self.submission(id)
    }

    /// The materials come back on `today`: the clock runs again with the days it had left.
    pub fn resubmit_for_review(
        &mut self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
        materials: &[String],
        attachments: &[i64],
        today: NaiveDate,
    ) -> Result<SubmissionView, StoreError> {
        let case = case_id(self, agency_id, number)?;
        let added = materials_given(materials)?;
        self.own_attachments(case, number, attachments)?;
        let Some((id, SubmissionState::Returned)) = self.open_submission(case)? else {
            return Err(Refusal::NotReturned {
                case: number.to_string(),
            }
            .into());
        };
        let before = self.submission(id)?;
        let left = before.days_left.unwrap_or(0);
        // Returned already overdue, it is due the day the materials come.
        let due_on = if left == 0 {
            today
        } else {
            calendar.add_working_days(today, left)?
        };
        let mut materials = before.materials;
        materials.extend(added);
        let mut files = before.attachments;
        files.extend(attachments);
        self.conn.execute(
            "UPDATE review_submissions SET state = 'waiting', due_on = ?2, materials = ?3,
                                           attachments = ?4
             WHERE id = ?1",
            params![
                id,
                due_on.to_string(),
                serde_json::to_string(&materials).unwrap_or_else(|_| "[]".into()),
                serde_json::to_string(&files).unwrap_or_else(|_| "[]".into())
            ],
        )?;
        self.submission(id)
    }

    fn submission(&self, id: i64) -> Result<SubmissionView, StoreError> {
        Ok(self.conn.query_row(
            &format!(
                "SELECT {SUBMISSION_COLUMNS} FROM review_submissions s
                 JOIN cases c ON c.id = s.case_id WHERE s.id = ?1"
            ),
            params![id],
            submission_row,
        )?)
    }

    /// A case's submissions, oldest first.
    pub(crate) fn submissions_of(&self, case_id: i64) -> Result<Vec<SubmissionView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM review_submissions s
             JOIN cases c ON c.id = s.case_id WHERE s.case_id = ?1 ORDER BY s.id"
        ))?;
        let rows = stmt.query_map(params![case_id], submission_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The agency's open submissions on `today`: overdue, waiting in time, returned.
    pub fn reviews_due(&self, agency_id: &str, today: NaiveDate) -> Result<ReviewsDue, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM review_submissions s
             JOIN cases c ON c.id = s.case_id
             WHERE c.agency_id = ?1 AND s.state IN ('waiting', 'returned')
             ORDER BY s.due_on, c.number"
        ))?;
        let mut due = ReviewsDue::default();
        for submission in stmt.query_map(params![agency_id], submission_row)? {
            let submission = submission?;
            match submission.state {
                SubmissionState::Returned => due.returned.push(submission),
                _ if submission.due_on < today => due.overdue.push(submission),
                _ => due.waiting.push(submission),
            }
        }
        Ok(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewStaff;
    use site_api::{PrepareCase, StaffRole};

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn materials(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn the_review_clock_counts_working_days_and_stops_while_materials_are_missing() {
        let calendar = WorkCalendar::built_in().expect("calendar");
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        store
            .add_staff(&NewStaff {
                id: "zhou",
                agency_id: "a",
                name: "周律",
                credential_number: "C00001",
                categories: &[],
                role: StaffRole::Reviewer,
                photo: None,
            })
            .expect("reviewer");
        let case = "甲罚〔2026〕5号";
        crate::test_site::describe(&mut store, "a", case, PrepareCase::default());

        let short = store.submit_for_review(
            &calendar,
            "a",
            case,
            &NewSubmission {
                submitted_by: "wang",
                materials: &materials(&["证据材料"]),
                attachments: &[],
                working_days: 5,
                required: &materials(&["调查终结报告", "证据材料"]),
            },
            d("2026-09-30"),
        );
        assert!(
            matches!(&short, Err(StoreError::Invalid(m)) if m.contains("调查终结报告") && !m.contains("、")),
            "{short:?}"
        );

        // Submitted on Wednesday 30 September 2026, the eve of the National Day holiday
        // (1–7 October; Saturday 10 October is a working day): five working days are the 8th,
        // 9th, 10th, 12th and 13th of October.
        let submitted = store
            .submit_for_review(
                &calendar,
                "a",
                case,
                &NewSubmission {
                    submitted_by: "wang",
                    materials: &materials(&["调查终结报告"]),
                    attachments: &[],
                    working_days: 5,
                    required: &materials(&["调查终结报告"]),
                },
                d("2026-09-30"),
            )
            .expect("submitted");
        assert_eq!(submitted.due_on, d("2026-10-13"));
        assert_eq!(submitted.state, SubmissionState::Waiting);
        let again = store.submit_for_review(
            &calendar,
            "a",
            case,
            &NewSubmission {
                submitted_by: "wang",
                materials: &materials(&["x"]),
                attachments: &[],
                working_days: 5,
                required: &[],
            },
            d("2026-09-30"),
        );
        assert!(matches!(
            again,
            Err(StoreError::Refused(Refusal::AlreadySubmitted { .. }))
        ));

        // Returned on Thursday 8 October: the 9th, 10th, 12th and 13th are left.
        let returned = store
            .return_for_materials(
                &calendar,
                "a",
                case,
                "zhou",
                "缺少听证笔录",
                d("2026-10-08"),
            )
            .expect("returned");
        assert_eq!(returned.days_left, Some(4));
        let due = store.reviews_due("a", d("2026-10-20")).expect("due");
        assert_eq!(
            due.returned.len(),
            1,
            "returned is not overdue: its clock stopped"
        );
        assert!(due.overdue.is_empty());

        // Back on Monday 19 October: four working days more, to Friday 23 October.
        let back = store
            .resubmit_for_review(
                &calendar,
                "a",
                case,
                &materials(&["听证笔录"]),
                &[],
                d("2026-10-19"),
            )
            .expect("resubmitted");
        assert_eq!(back.due_on, d("2026-10-23"));
        assert_eq!(back.materials, ["调查终结报告", "听证笔录"]);
        let due = store.reviews_due("a", d("2026-10-23")).expect("due");
        assert_eq!(due.waiting.len(), 1, "due today is not overdue yet");
        let due = store.reviews_due("a", d("2026-10-24")).expect("due");
        assert_eq!(due.overdue.len(), 1, "{due:?}");
        assert_eq!(due.overdue[0].case_number, case);
    }
}
