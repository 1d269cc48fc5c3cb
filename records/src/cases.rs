//! A case's three-systems records read and written as one: what the handling unit says about
//! it (its party, secrecy and what makes it major), and the case as its agency sees it.

use rusqlite::{OptionalExtension, params};

use crate::publications::day;
use crate::{Store, StoreError};
use site_api::Confidentiality;
use site_api::ReviewOutcome;
use site_api::calendar::WorkCalendar;
use site_api::deadlines::archive_due;
use site_api::{
    ActionType, ApprovalView, CaseView, DecisionReasons, DecisionView, DiscussionView, ReviewView,
};

/// The longest case number taken, in characters: longer than any agency's numbering, short
/// enough for a door panel and a file name.
pub const CASE_NUMBER_MAX_CHARS: usize = 64;

/// A case number as the records keep it: trimmed, 1 to 64 characters, no control characters
/// (which would forge lines in logs and captions). One that starts with "-" is kept as written.
pub fn case_number(text: &str) -> Result<String, StoreError> {
    let number = text.trim();
    if number.is_empty() || number.chars().count() > CASE_NUMBER_MAX_CHARS {
        return Err(StoreError::Invalid(format!(
            "case_number must be 1 to {CASE_NUMBER_MAX_CHARS} characters, as the agency writes it, e.g. 京市监罚〔2026〕12号"
        )));
    }
    if number.chars().any(char::is_control) {
        return Err(StoreError::Invalid(
            "case_number has no control characters (line breaks, tabs); write it on one line"
                .into(),
        ));
    }
    Ok(number.to_string())
}

impl Store {
    /// A case's collective discussions, oldest first.
    fn discussions_of(&self, case_id: i64) -> Result<Vec<DiscussionView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT held_on, participants, outcome, minutes, recorded_by, minutes_attachment_id
             FROM collective_discussions WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![case_id], |r| {
            Ok(DiscussionView {
                held_on: day(r.get(0)?).unwrap_or_default(),
                participants: serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default(),
                outcome: r.get(2)?,
                minutes: r.get(3)?,
                recorded_by: r.get(4)?,
                minutes_attachment: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The head's approvals of a case's decision, oldest first.
    fn approvals_of(&self, case_id: i64) -> Result<Vec<ApprovalView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT coalesce(s.name, a.approved_by), ag.name || '法审〔' || r.opinion_year || '〕'
                    || r.opinion_seq || '号', a.note, a.at
             FROM decision_approvals a
             LEFT JOIN staff s ON s.id = a.approved_by
             JOIN legal_reviews r ON r.id = a.review_id
             LEFT JOIN agencies ag ON ag.id = r.opinion_agency_id
             WHERE a.case_id = ?1 ORDER BY a.id",
        )?;
        let rows = stmt.query_map(params![case_id], |r| {
            Ok(ApprovalView {
                approved_by: r.get(0)?,
                after_review: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                note: r.get(2)?,
                at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Makes the case if the agency has none by that number (an action can end, or a recording
    /// start, before the handling unit describes it); what it is comes from `prepare_case`.
    pub(crate) fn ensure_case(&mut self, agency_id: &str, number: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO cases (agency_id, number) VALUES (?1, ?2)
             ON CONFLICT (agency_id, number) DO NOTHING",
            params![agency_id, number],
        )?;
        Ok(())
    }

    /// A case with its reviews, decision, publication, archiving and sessions.
    pub fn case_view(
        &self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
    ) -> Result<CaseView, StoreError> {
        type Row = (i64, String, String, String, String, Option<String>, String);
        type Dates = (Option<String>, Option<String>, Option<String>);
        let found: Option<(Row, Dates)> = self
            .conn
            .query_row(
                "SELECT id, action_type, party, confidentiality, decision_kind, handler_id,
                        co_handlers, action_ended_on, text_archived_on, media_archived_on
                 FROM cases WHERE agency_id = ?1 AND number = ?2",
                params![agency_id, number],
                |r| {
                    Ok((
                        (
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ),
                        (r.get(7)?, r.get(8)?, r.get(9)?),
                    ))
                },
            )
            .optional()?;
        let ((id, action, party, secrecy, kind, handler, team), (ended, text, media)) = found
            .ok_or_else(|| StoreError::NotFound {
                what: format!("case {number} of agency {agency_id}"),
            })?;
        let mut stmt = self.conn.prepare(
            "SELECT coalesce(s.name, r.reviewer_id), r.outcome, r.opinion, r.checklist,
                    r.disagreement, r.settled, r.at,
                    a.name || '法审〔' || r.opinion_year || '〕' || r.opinion_seq || '号'
             FROM legal_reviews r LEFT JOIN staff s ON s.id = r.reviewer_id
                  LEFT JOIN agencies a ON a.id = r.opinion_agency_id
             WHERE r.case_id = ?1 ORDER BY r.id",
        )?;
        let reviews = stmt
            .query_map(params![id], |r| {
                Ok(ReviewView {
                    opinion_number: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                    reviewer: r.get(0)?,
                    outcome: ReviewOutcome::parse(&r.get::<_, String>(1)?)
                        .unwrap_or(ReviewOutcome::Fail),
                    opinion: r.get(2)?,
                    checklist: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                    disagreement: r.get(4)?,
                    settled: r.get(5)?,
                    at: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let decision = self
            .conn
            .query_row(
                "SELECT document_number, conclusion, decided_on, recorded_by,
                        reason_evidence, reason_legal_basis, reason_discretion,
                        unrecorded_because, coalesce(lookup_code, '')
                 FROM decisions WHERE case_id = ?1",
                params![id],
                |r| {
                    Ok(DecisionView {
                        document_number: r.get(0)?,
                        conclusion: r.get(1)?,
                        decided_on: day(r.get(2)?).unwrap_or_default(),
                        recorded_by: r.get(3)?,
                        reasons: DecisionReasons {
                            evidence: r.get(4)?,
                            legal_basis: r.get(5)?,
                            discretion: r.get(6)?,
                        },
                        unrecorded_because: r.get(7)?,
                        lookup_code: r.get(8)?,
                    })
                },
            )
            .optional()?;
        let publication = match decision {
            Some(_) => Some(self.publication(agency_id, number)?),
            None => None,
        };
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM sessions WHERE case_id = ?1 ORDER BY id")?;
        let sessions = stmt
            .query_map(params![id], |r| r.get(0))?
            .collect::<Result<Vec<i64>, _>>()?;
        let action_ended_on = day(ended);
        Ok(CaseView {
            number: number.to_string(),
            action_type: ActionType::parse(&action).unwrap_or(ActionType::Other),
            party,
            confidentiality: Confidentiality::parse(&secrecy),
            decision_kind: kind,
            handler_id: handler,
            co_handlers: serde_json::from_str(&team).unwrap_or_default(),
            major_because: self.major_because(agency_id, number)?,
            reviews,
            submissions: self.submissions_of(id)?,
            approvals: self.approvals_of(id)?,
            discussions: self.discussions_of(id)?,
            decision,
            publication,
            action_ended_on,
            archive_due_on: action_ended_on.and_then(|d| archive_due(calendar, d).ok()),
            text_archived_on: day(text),
            media_archived_on: day(media),
            sessions,
            steps: self.steps_of(id)?,
            attachments: self.attachments_of(id)?,
            footage: {
                let mut footage = self.footage_where(agency_id, Some(number), None)?;
                footage.sort_by_key(|f| (!f.important, f.started_at));
                footage
            },
            history: self.case_history(id)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_are_trimmed_bounded_and_on_one_line() {
        assert_eq!(
            case_number("  京市监罚〔2026〕12号 ").unwrap(),
            "京市监罚〔2026〕12号"
        );
        assert_eq!(case_number("-1").unwrap(), "-1", "a leading dash is kept");
        assert_eq!(case_number("A<&>1").unwrap(), "A<&>1");
        for bad in ["", "   ", "罚\n1", "罚\t1", &"号".repeat(65)] {
            assert!(case_number(bad).is_err(), "{bad:?}");
        }
    }
}
