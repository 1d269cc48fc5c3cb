//! Legal review of major enforcement decisions (重大执法决定法制审核): a case is major when its
//! decision's kind is in the agency's catalogue (重大执法决定目录), when it went through a
//! hearing, or when the handling unit flags it (large amounts, complex facts, referral to
//! judicial or supervisory bodies). A major case's decision cannot be recorded until a legal
//! review has passed; the reviewer is never the case's handler; every review is kept.

use chrono::{Datelike, NaiveDate, Utc};
use rusqlite::{OptionalExtension, params};

use crate::{Refusal, Store, StoreError};
use site_api::StaffRole;
use site_api::calendar::WorkCalendar;
use site_api::{
    ActionType, CHECKLIST, CheckedItem, DecisionReasons, MajorBecause, MustRecord, Publication,
    ReviewOutcome, ReviewerRatio, UnrecordedDecision,
};

/// A case's decision (处理决定) as the handling unit records it.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    /// The decision document's number (决定书文号).
    pub document_number: &'a str,
    pub conclusion: &'a str,
    pub decided_on: NaiveDate,
    /// Who records it.
    pub recorded_by: &'a str,
    pub reasons: DecisionReasons,
    /// Why nothing was recorded of a case the recording list names.
    pub unrecorded_because: Option<&'a str>,
    /// The agency's recording list (音像记录事项清单).
    pub must_record: &'a [MustRecord],
}

/// A review as the reviewer records it.
#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub reviewer_id: &'a str,
    pub checklist: Vec<CheckedItem>,
    pub outcome: ReviewOutcome,
    pub opinion: &'a str,
    /// Where the handling unit disagreed, and how that was settled.
    pub disagreement: &'a str,
    pub settled: &'a str,
}

pub(crate) fn case_id(store: &Store, agency_id: &str, number: &str) -> Result<i64, StoreError> {
    store
        .conn
        .query_row(
            "SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2",
            params![agency_id, number],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("case {number} of agency {agency_id}"),
        })
}

impl Store {
    /// Staff member `staff_id`, refused unless an active legal reviewer of `agency_id`.
    pub(crate) fn reviewer_of(
        &self,
        agency_id: &str,
        staff_id: &str,
    ) -> Result<site_api::StaffView, StoreError> {
        let reviewer = self.staff_member(staff_id)?;
        let reviews = matches!(reviewer.role, StaffRole::Reviewer | StaffRole::Counsel);
        if !reviews || reviewer.agency_id != agency_id {
            return Err(StoreError::Forbidden(format!(
                "{} is not a legal reviewer (法制审核人员) or counsel of agency {agency_id}",
                reviewer.name
            )));
        }
        Ok(reviewer)
    }

    /// Records a collective discussion (集体讨论) of case `number`: when, who, the outcome and
    /// the minutes. At least two participants and an outcome.
    pub fn record_discussion(
        &mut self,
        agency_id: &str,
        number: &str,
        discussion: &site_api::RecordDiscussion,
        recorded_by: &str,
    ) -> Result<(), StoreError> {
        let id = case_id(self, agency_id, number)?;
        let participants: Vec<&str> = discussion
            .participants
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        if participants.len() < 2 {
            return Err(StoreError::Invalid(
                "a collective discussion names at least two participants".into(),
            ));
        }
        if discussion.outcome.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a collective discussion records its outcome (讨论结论)".into(),
            ));
        }
        if let Some(minutes) = discussion.minutes_attachment {
            self.own_attachments(id, number, &[minutes])?;
        }
        self.conn.execute(
            "INSERT INTO collective_discussions (case_id, held_on, participants, outcome, minutes,
                                                 recorded_by, at, minutes_attachment_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                discussion.held_on.to_string(),
                serde_json::to_string(&participants).unwrap_or_else(|_| "[]".into()),
                discussion.outcome.trim(),
                discussion.minutes.trim(),
                recorded_by,
                Utc::now().to_rfc3339(),
                discussion.minutes_attachment
            ],
        )?;
        Ok(())
    }

    /// The case's latest review: its id and outcome.
    fn latest_review(&self, case_id: i64) -> Result<Option<(i64, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, outcome FROM legal_reviews WHERE case_id = ?1 ORDER BY id DESC LIMIT 1",
                params![case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The id of the case's latest review, if it passed.
    fn passed_review(&self, case_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .latest_review(case_id)?
            .and_then(|(id, outcome)| (outcome == "pass").then_some(id)))
    }

    /// A major case's decision waits for, in turn: a passed review, the collective discussion
    /// when the case is flagged for complex facts or a large amount, the head's approval after
    /// that review, and its reasons.
    fn major_decision_may_be_recorded(
        &self,
        case_id: i64,
        number: &str,
        major: &[MajorBecause],
        reasons: &DecisionReasons,
    ) -> Result<(), StoreError> {
        let review = match self.latest_review(case_id)? {
            Some((id, outcome)) if outcome == "pass" => id,
            latest => {
                let state = match latest {
                    None => "has not been reviewed".to_string(),
                    Some((_, outcome)) => format!("was last reviewed with outcome \"{outcome}\""),
                };
                return Err(Refusal::ReviewRequired {
                    case: number.to_string(),
                    because: format!("{major:?}"),
                    state,
                }
                .into());
            }
        };
        let mut needs_discussion: Vec<String> = major
            .iter()
            .filter(|m| matches!(m, MajorBecause::ComplexFacts | MajorBecause::LargeAmount))
            .map(|m| format!("{m:?}"))
            .collect();
        let listed_for_discussion: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM major_catalogue m JOIN cases c
                                ON m.agency_id = c.agency_id AND m.kind = c.decision_kind
                            WHERE c.id = ?1 AND m.needs_discussion)",
            params![case_id],
            |r| r.get(0),
        )?;
        if listed_for_discussion {
            needs_discussion.push("its kind of decision, by the catalogue".to_string());
        }
        let discussed: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM collective_discussions WHERE case_id = ?1)",
            params![case_id],
            |r| r.get(0),
        )?;
        if !needs_discussion.is_empty() && !discussed {
            return Err(Refusal::DiscussionRequired {
                case: number.to_string(),
                because: needs_discussion.join(", "),
            }
            .into());
        }
        let approved: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM decision_approvals WHERE case_id = ?1 AND review_id = ?2)",
            params![case_id, review],
            |r| r.get(0),
        )?;
        if !approved {
            return Err(Refusal::ApprovalRequired {
                case: number.to_string(),
            }
            .into());
        }
        for (given, what) in [
            (
                &reasons.evidence,
                "the evidence accepted and why (证据采信理由)",
            ),
            (&reasons.legal_basis, "the legal basis (法律依据)"),
        ] {
            if given.trim().is_empty() {
                return Err(Refusal::ReasonsRequired {
                    case: number.to_string(),
                    what: what.to_string(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// 负责人审批: head `head_id` of the agency approves the decision of case `number`, after
    /// its latest review passed. Refused to anyone but a head of the agency.
    pub fn approve_decision(
        &mut self,
        agency_id: &str,
        number: &str,
        head_id: &str,
        note: &str,
    ) -> Result<(), StoreError> {
        let head = self.staff_member(head_id)?;
        if head.role != StaffRole::Head || head.agency_id != agency_id {
            return Err(StoreError::Forbidden(format!(
                "{} is not the head (负责人) of agency {agency_id}; the head approves with their own token",
                head.name
            )));
        }
        let id = case_id(self, agency_id, number)?;
        let Some(review) = self.passed_review(id)? else {
            return Err(Refusal::NothingToApprove {
                case: number.to_string(),
            }
            .into());
        };
        self.conn.execute(
            "INSERT INTO decision_approvals (case_id, review_id, approved_by, note, at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, review, head_id, note.trim(), Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Major cases of the agency whose review passed and whose decision waits for the head.
    pub fn awaiting_approval(&self, agency_id: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.number FROM cases c
             WHERE c.agency_id = ?1
               AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = c.id)
               AND (SELECT outcome FROM legal_reviews r WHERE r.case_id = c.id
                    ORDER BY r.id DESC LIMIT 1) = 'pass'
               AND NOT EXISTS (SELECT 1 FROM decision_approvals a WHERE a.case_id = c.id
                    AND a.review_id = (SELECT max(id) FROM legal_reviews r WHERE r.case_id = c.id))
             ORDER BY c.number",
        )?;
        let numbers = stmt
            .query_map(params![agency_id], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        // Only major cases need the approval.
        let mut waiting = Vec::new();
        for number in numbers {
            if !self.major_because(agency_id, &number)?.is_empty() {
                waiting.push(number);
            }
        }
        Ok(waiting)
    }

    /// Replaces an agency's catalogue of major decisions.
    pub fn set_major_catalogue(
        &mut self,
        agency_id: &str,
        kinds: &[&str],
        discussed: &[&str],
    ) -> Result<(), StoreError> {
        // A savepoint, so that it may also be one step of a larger change (a new publicity).
        self.all_or_nothing(|store| {
            store.conn.execute(
                "DELETE FROM major_catalogue WHERE agency_id = ?1",
                params![agency_id],
            )?;
            for (kind, needs_discussion) in kinds
                .iter()
                .map(|k| (k, false))
                .chain(discussed.iter().map(|k| (k, true)))
            {
                store.conn.execute(
                    "INSERT INTO major_catalogue (agency_id, kind, needs_discussion) VALUES (?1, ?2, ?3)
                     ON CONFLICT (agency_id, kind) DO UPDATE SET needs_discussion = needs_discussion
                                                               OR excluded.needs_discussion",
                    params![agency_id, kind.trim(), needs_discussion],
                )?;
            }
            Ok(())
        })
    }

    /// The entry of the recording list that names the case (its kind of action, or its
    /// hearing), if any.
    fn listed_for_recording(
        &self,
        case_id: i64,
        must_record: &[MustRecord],
    ) -> Result<Option<MustRecord>, StoreError> {
        let (action, hearing): (String, bool) = self.conn.query_row(
            "SELECT action_type, hearing_held FROM cases WHERE id = ?1",
            params![case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let action = ActionType::parse(&action).unwrap_or(ActionType::Other);
        Ok(must_record.iter().copied().find(|item| {
            *item == MustRecord::of_action(action) || (hearing && *item == MustRecord::Hearing)
        }))
    }

    /// Decisions of the agency made without the recording its list requires, latest first.
    pub fn unrecorded_decisions(
        &self,
        agency_id: &str,
    ) -> Result<Vec<UnrecordedDecision>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.number, d.decided_on, d.unrecorded_because
             FROM decisions d JOIN cases c ON c.id = d.case_id
             WHERE c.agency_id = ?1 AND d.unrecorded_because IS NOT NULL
             ORDER BY d.decided_on DESC, c.number",
        )?;
        let rows = stmt.query_map(params![agency_id], |r| {
            Ok(UnrecordedDecision {
                case_number: r.get(0)?,
                decided_on: crate::publications::day(r.get(1)?).unwrap_or_default(),
                because: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Why a case is major; empty when it is not.
    pub fn major_because(
        &self,
        agency_id: &str,
        number: &str,
    ) -> Result<Vec<MajorBecause>, StoreError> {
        let id = case_id(self, agency_id, number)?;
        let (in_catalogue, hearing, flags): (bool, bool, String) = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM major_catalogue m
                            WHERE m.agency_id = c.agency_id AND m.kind = c.decision_kind),
                    c.hearing_held, c.major_flags
             FROM cases c WHERE c.id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let flags: Vec<String> = serde_json::from_str(&flags).unwrap_or_default();
        let flagged = |name: &str| flags.iter().any(|f| f == name);
        Ok([
            (in_catalogue, MajorBecause::Catalogue),
            (hearing, MajorBecause::HearingHeld),
            (flagged("large_amount"), MajorBecause::LargeAmount),
            (flagged("complex_facts"), MajorBecause::ComplexFacts),
            (flagged("referral"), MajorBecause::Referral),
        ]
        .into_iter()
        .filter_map(|(holds, because)| holds.then_some(because))
        .collect())
    }

    /// Records a legal review of a case. Refused when the reviewer is not an active reviewer of
    /// the agency, is the case's handler, or passes a case with a checklist item that does not
    /// hold or is missing.
    pub fn review_case(
        &mut self,
        agency_id: &str,
        number: &str,
        review: &NewReview<'_>,
    ) -> Result<i64, StoreError> {
        let id = case_id(self, agency_id, number)?;
        let reviewer = self.reviewer_of(agency_id, review.reviewer_id)?;
        let handler: Option<String> = self.conn.query_row(
            "SELECT handler_id FROM cases WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        if handler.as_deref() == Some(review.reviewer_id) {
            return Err(Refusal::ReviewerHandlesCase {
                reviewer: reviewer.name,
                case: number.to_string(),
            }
            .into());
        }
        if review.opinion.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a legal review needs the reviewer's opinion (审核意见)".into(),
            ));
        }
        if review.outcome == ReviewOutcome::Pass {
            for item in CHECKLIST {
                let holds = review.checklist.iter().any(|c| c.item == item && c.holds);
                if !holds {
                    return Err(Refusal::ItemDoesNotHold {
                        item: item.to_string(),
                    }
                    .into());
                }
            }
        }
        if self.open_submission(id)?.map(|(_, state)| state)
            == Some(site_api::SubmissionState::Returned)
        {
            return Err(Refusal::WaitingForMaterials {
                case: number.to_string(),
            }
            .into());
        }
        let tx = self.change()?;
        // The opinion's number: the agency's next of the year, in the same transaction as the
        // review, so that numbers have no gaps and no twins.
        let year = chrono::Local::now().year();
        let seq: i64 = tx.query_row(
            "SELECT coalesce(max(opinion_seq), 0) + 1 FROM legal_reviews
             WHERE opinion_agency_id = ?1 AND opinion_year = ?2",
            params![agency_id, year],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO legal_reviews (case_id, reviewer_id, checklist, outcome, opinion,
                                        disagreement, settled, at, opinion_agency_id,
                                        opinion_year, opinion_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                id,
                review.reviewer_id,
                serde_json::to_string(&review.checklist).unwrap_or_else(|_| "[]".into()),
                review.outcome.as_str(),
                review.opinion.trim(),
                review.disagreement.trim(),
                review.settled.trim(),
                Utc::now().to_rfc3339(),
                agency_id,
                year,
                seq
            ],
        )?;
        let review_id = tx.last_insert_rowid();
        // The submission waiting for this review is done.
        tx.execute(
            "UPDATE review_submissions SET state = 'reviewed', review_id = ?2
             WHERE case_id = ?1 AND state = 'waiting'",
            params![id, review_id],
        )?;
        tx.commit()?;
        Ok(review_id)
    }

    /// Records a case's decision and enters it in the publication register (due dates from
    /// `calendar`), both or neither. A major case's decision is refused until its latest
    /// legal review passed; a decision is recorded once.
    pub fn record_decision(
        &mut self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
        decision: &NewDecision<'_>,
    ) -> Result<Publication, StoreError> {
        let id = case_id(self, agency_id, number)?;
        let major = self.major_because(agency_id, number)?;
        if !major.is_empty() {
            self.major_decision_may_be_recorded(id, number, &major, &decision.reasons)?;
        }
        // The reason is kept only where it explains something: a listed case with nothing
        // recorded (the supervisor's list of them would otherwise say what is not so).
        let reason = decision
            .unrecorded_because
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let mut unrecorded = None;
        if let Some(listed) = self.listed_for_recording(id, decision.must_record)?
            && !self.has_recording(id)?
        {
            unrecorded = Some(reason.ok_or_else(|| Refusal::RecordingRequired {
                case: number.to_string(),
                because: listed.as_str().to_string(),
            })?);
        }
        self.all_or_nothing(|store| {
            store.insert_decision(calendar, id, agency_id, number, decision, unrecorded)
        })
    }

    fn insert_decision(
        &mut self,
        calendar: &WorkCalendar,
        case_id: i64,
        agency_id: &str,
        number: &str,
        decision: &NewDecision<'_>,
        unrecorded_because: Option<&str>,
    ) -> Result<Publication, StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO decisions (case_id, document_number, conclusion, decided_on,
                                    recorded_by, recorded_at, reason_evidence,
                                    reason_legal_basis, reason_discretion, unrecorded_because,
                                    lookup_code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (case_id) DO NOTHING",
            params![
                case_id,
                decision.document_number.trim(),
                decision.conclusion.trim(),
                decision.decided_on.format("%Y-%m-%d").to_string(),
                decision.recorded_by,
                Utc::now().to_rfc3339(),
                decision.reasons.evidence.trim(),
                decision.reasons.legal_basis.trim(),
                decision.reasons.discretion.trim(),
                unrecorded_because,
                crate::case_lookup::new_lookup_code()?
            ],
        )?;
        if inserted == 0 {
            return Err(Refusal::DecisionRecorded {
                case: number.to_string(),
            }
            .into());
        }
        self.register_publication(calendar, agency_id, number)
    }

    /// The agency's legal reviewers against its enforcement staff (clerks).
    pub fn reviewer_ratio(&self, agency_id: &str) -> Result<ReviewerRatio, StoreError> {
        let (reviewers, enforcement_staff): (i64, i64) = self.conn.query_row(
            "SELECT coalesce(sum(role = 'reviewer'), 0), coalesce(sum(role = 'clerk'), 0)
             FROM staff WHERE agency_id = ?1 AND active = 1",
            params![agency_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let percent = if enforcement_staff == 0 {
            0.0
        } else {
            reviewers as f64 * 100.0 / enforcement_staff as f64
        };
        Ok(ReviewerRatio {
            reviewers,
            enforcement_staff,
            percent,
            below_five_percent: percent < 5.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewStaff;
    use site_api::PrepareCase;

    fn staff(store: &mut Store, id: &str, role: StaffRole, n: u32) {
        store
            .add_staff(&NewStaff {
                id,
                agency_id: "a",
                name: id,
                credential_number: &format!("C{n:05}"),
                categories: &[],
                role,
                photo: None,
            })
            .expect("staff");
    }

    fn all_hold() -> Vec<CheckedItem> {
        CHECKLIST
            .iter()
            .map(|item| CheckedItem {
                item: item.to_string(),
                holds: true,
                note: String::new(),
            })
            .collect()
    }

    fn review<'a>(
        reviewer: &'a str,
        outcome: ReviewOutcome,
        checklist: Vec<CheckedItem>,
    ) -> NewReview<'a> {
        NewReview {
            reviewer_id: reviewer,
            checklist,
            outcome,
            opinion: "事实清楚，证据确凿",
            disagreement: "",
            settled: "",
        }
    }

    /// Case 甲罚〔2026〕1号 of agency a, reviewed by `reviewer`.
    fn review_case(
        store: &mut Store,
        reviewer: &str,
        outcome: ReviewOutcome,
        checklist: Vec<CheckedItem>,
    ) -> Result<i64, StoreError> {
        store.review_case(
            "a",
            "甲罚〔2026〕1号",
            &review(reviewer, outcome, checklist),
        )
    }

    /// Records the decision of agency a's case `number`.
    fn decision(
        store: &mut Store,
        number: &str,
        conclusion: &str,
    ) -> Result<Publication, StoreError> {
        let calendar = WorkCalendar::built_in().expect("calendar");
        let decision = NewDecision {
            document_number: &format!("甲决字{number}号"),
            conclusion,
            decided_on: day(),
            recorded_by: "handler",
            reasons: DecisionReasons {
                evidence: "现场检查笔录、检验报告相互印证".into(),
                legal_basis: "《食品安全法》第一百二十四条".into(),
                discretion: String::new(),
            },
            unrecorded_because: None,
            must_record: &[],
        };
        store.record_decision(&calendar, "a", number, &decision)
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("day")
    }

    #[test]
    fn a_major_decision_waits_for_a_passed_review_by_someone_else() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        staff(&mut store, "handler", StaffRole::Clerk, 1);
        staff(&mut store, "reviewer", StaffRole::Reviewer, 2);
        store
            .set_major_catalogue("a", &["吊销许可证"], &[])
            .unwrap();
        let case = PrepareCase {
            decision_kind: Some("吊销许可证".into()),
            handler_id: Some("handler".into()),
            ..PrepareCase::default()
        };
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕1号", case.clone());
        assert_eq!(
            store.major_because("a", "甲罚〔2026〕1号").unwrap(),
            [MajorBecause::Catalogue]
        );

        let decide = |store: &mut Store| decision(store, "甲罚〔2026〕1号", "吊销");
        let refused = decide(&mut store).expect_err("no review yet");
        assert!(
            refused.to_string().contains("has not been reviewed"),
            "{refused}"
        );
        // The handler cannot review their own case.
        staff(&mut store, "handler-reviewer", StaffRole::Reviewer, 3);
        let reviewer_handles = PrepareCase {
            handler_id: Some("handler-reviewer".into()),
            ..case.clone()
        };
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕1号", reviewer_handles);
        assert!(
            review_case(
                &mut store,
                "handler-reviewer",
                ReviewOutcome::Pass,
                all_hold()
            )
            .is_err()
        );
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕1号", case);
        // A clerk is not a reviewer; a pass needs every item to hold.
        assert!(review_case(&mut store, "handler", ReviewOutcome::Pass, all_hold()).is_err());
        let mut missing = all_hold();
        missing[4].holds = false;
        assert!(review_case(&mut store, "reviewer", ReviewOutcome::Pass, missing.clone()).is_err());
        // Returned for correction: still refused.
        review_case(&mut store, "reviewer", ReviewOutcome::Return, missing).unwrap();
        let refused = decide(&mut store).expect_err("returned");
        assert!(refused.to_string().contains("\"return\""), "{refused}");
        // Passed: still waits for the head's approval (负责人审批), which only the head gives.
        review_case(&mut store, "reviewer", ReviewOutcome::Pass, all_hold()).unwrap();
        let refused = decide(&mut store).expect_err("not approved yet");
        assert!(refused.to_string().contains("负责人审批"), "{refused}");
        staff(&mut store, "boss", StaffRole::Head, 9);
        assert!(
            store
                .approve_decision("a", "甲罚〔2026〕1号", "reviewer", "同意")
                .is_err(),
            "a reviewer is not the head"
        );
        store
            .approve_decision("a", "甲罚〔2026〕1号", "boss", "同意")
            .expect("the head approves");
        assert!(store.awaiting_approval("a").unwrap().is_empty());
        // Approved: accepted, once.
        decide(&mut store).expect("recorded after the review passed and the head approved");
        assert!(decide(&mut store).is_err(), "a decision is recorded once");
        // Reviews are kept as written.
        assert!(store.conn.execute("DELETE FROM legal_reviews", []).is_err());
        assert!(
            store
                .conn
                .execute("UPDATE legal_reviews SET outcome = 'pass'", [])
                .is_err()
        );
    }

    #[test]
    fn hearings_and_flags_make_a_case_major_and_others_need_no_review() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let plain = PrepareCase {
            decision_kind: Some("警告".into()),
            ..PrepareCase::default()
        };
        crate::test_site::describe(&mut store, "a", "1", plain.clone());
        assert!(store.major_because("a", "1").unwrap().is_empty());
        decision(&mut store, "1", "警告").expect("not major");
        let heard = PrepareCase {
            hearing_held: Some(true),
            referral: Some(true),
            ..plain
        };
        crate::test_site::describe(&mut store, "a", "2", heard);
        assert_eq!(
            store.major_because("a", "2").unwrap(),
            [MajorBecause::HearingHeld, MajorBecause::Referral]
        );
        assert!(decision(&mut store, "2", "罚款").is_err());
    }

    #[test]
    fn a_major_decision_states_its_evidence_and_legal_basis_and_keeps_them() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        staff(&mut store, "reviewer", StaffRole::Reviewer, 2);
        let heard = PrepareCase {
            hearing_held: Some(true),
            ..PrepareCase::default()
        };
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕1号", heard);
        review_case(&mut store, "reviewer", ReviewOutcome::Pass, all_hold()).expect("passed");
        assert_eq!(store.awaiting_approval("a").unwrap(), ["甲罚〔2026〕1号"]);
        staff(&mut store, "boss", StaffRole::Head, 9);
        store
            .approve_decision("a", "甲罚〔2026〕1号", "boss", "")
            .expect("approved");
        let calendar = WorkCalendar::built_in().expect("calendar");
        let mut decision = NewDecision {
            document_number: "甲决字1号",
            conclusion: "罚款五千元",
            decided_on: day(),
            recorded_by: "handler",
            reasons: DecisionReasons {
                evidence: "现场笔录与检验报告相互印证".into(),
                legal_basis: " ".into(),
                discretion: "初次违法，从轻".into(),
            },
            unrecorded_because: None,
            must_record: &[],
        };
        let refused = store.record_decision(&calendar, "a", "甲罚〔2026〕1号", &decision);
        assert!(
            matches!(&refused, Err(StoreError::Refused(Refusal::ReasonsRequired { what, .. })) if what.contains("法律依据")),
            "{refused:?}"
        );
        decision.reasons.legal_basis = "《食品安全法》第一百二十四条".into();
        store
            .record_decision(&calendar, "a", "甲罚〔2026〕1号", &decision)
            .expect("recorded with its reasons");
        let kept = store
            .case_view(&calendar, "a", "甲罚〔2026〕1号")
            .expect("case")
            .decision
            .expect("the decision");
        assert_eq!(kept.reasons.legal_basis, "《食品安全法》第一百二十四条");
        assert_eq!(kept.reasons.discretion, "初次违法，从轻");
    }

    #[test]
    fn a_complex_or_large_case_is_decided_after_a_collective_discussion() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        staff(&mut store, "reviewer", StaffRole::Reviewer, 2);
        staff(&mut store, "boss", StaffRole::Head, 9);
        let large = PrepareCase {
            large_amount: Some(true),
            ..PrepareCase::default()
        };
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕1号", large);
        review_case(&mut store, "reviewer", ReviewOutcome::Pass, all_hold()).expect("passed");
        store
            .approve_decision("a", "甲罚〔2026〕1号", "boss", "")
            .expect("approved");
        let refused = decision(&mut store, "甲罚〔2026〕1号", "罚款二十万元");
        assert!(
            matches!(
                &refused,
                Err(StoreError::Refused(Refusal::DiscussionRequired { .. }))
            ),
            "{refused:?}"
        );
        let mut discussion = site_api::RecordDiscussion {
            held_on: day(),
            participants: vec!["赵局".into(), " ".into()],
            outcome: "同意罚款二十万元".into(),
            minutes: "会议纪要……".into(),
            minutes_attachment: None,
        };
        assert!(
            store
                .record_discussion("a", "甲罚〔2026〕1号", &discussion, "wang")
                .is_err(),
            "one participant is no collective discussion"
        );
        discussion.participants.push("钱副局".into());
        store
            .record_discussion("a", "甲罚〔2026〕1号", &discussion, "wang")
            .expect("recorded");
        decision(&mut store, "甲罚〔2026〕1号", "罚款二十万元").expect("decided after discussion");
        let calendar = WorkCalendar::built_in().expect("calendar");
        let case = store
            .case_view(&calendar, "a", "甲罚〔2026〕1号")
            .expect("case");
        assert_eq!(case.discussions.len(), 1);
        assert_eq!(case.discussions[0].participants, ["赵局", "钱副局"]);
        assert!(
            store
                .conn
                .execute("DELETE FROM collective_discussions", [])
                .is_err(),
            "kept as recorded"
        );
    }

    #[test]
    fn a_kind_the_catalogue_marks_for_discussion_is_major_and_discussed_first() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        staff(&mut store, "reviewer", StaffRole::Reviewer, 2);
        staff(&mut store, "boss", StaffRole::Head, 9);
        store
            .set_major_catalogue("a", &["吊销许可证"], &["责令停产停业"])
            .unwrap();
        let kind = PrepareCase {
            decision_kind: Some("责令停产停业".into()),
            ..PrepareCase::default()
        };
        crate::test_site::describe(&mut store, "a", "甲罚〔2026〕1号", kind);
        assert_eq!(
            store.major_because("a", "甲罚〔2026〕1号").unwrap(),
            [MajorBecause::Catalogue]
        );
        review_case(&mut store, "reviewer", ReviewOutcome::Pass, all_hold()).expect("passed");
        store
            .approve_decision("a", "甲罚〔2026〕1号", "boss", "")
            .expect("approved");
        let refused = decision(&mut store, "甲罚〔2026〕1号", "责令停产停业");
        assert!(
            matches!(&refused, Err(StoreError::Refused(Refusal::DiscussionRequired { because, .. })) if because.contains("catalogue")),
            "{refused:?}"
        );
    }

    #[test]
    fn fewer_than_five_reviewers_per_hundred_staff_is_flagged() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        for n in 0..21 {
            staff(&mut store, &format!("c{n}"), StaffRole::Clerk, n);
        }
        staff(&mut store, "r1", StaffRole::Reviewer, 100);
        let ratio = store.reviewer_ratio("a").unwrap();
        assert_eq!((ratio.reviewers, ratio.enforcement_staff), (1, 21));
        assert!(ratio.below_five_percent, "1 in 21 is 4.8 %");
        staff(&mut store, "c-gone", StaffRole::Clerk, 101);
        staff(&mut store, "r2", StaffRole::Reviewer, 102);
        assert!(
            !store.reviewer_ratio("a").unwrap().below_five_percent,
            "2 in 22 is 9 %"
        );
    }

    #[test]
    fn counsel_reviews_but_is_not_counted_and_opinions_are_numbered_per_agency_and_year() {
        let (_dir, mut store) = crate::test_site::store(&["a", "b"]);
        for n in 0..21 {
            staff(&mut store, &format!("c{n}"), StaffRole::Clerk, n);
        }
        staff(&mut store, "r1", StaffRole::Reviewer, 100);
        staff(&mut store, "lawyer", StaffRole::Counsel, 101);
        let ratio = store.reviewer_ratio("a").unwrap();
        assert_eq!(
            ratio.reviewers, 1,
            "outside counsel is not the agency's own reviewer"
        );
        assert!(ratio.below_five_percent);

        for number in ["甲罚〔2026〕1号", "甲罚〔2026〕2号"] {
            crate::test_site::describe(&mut store, "a", number, PrepareCase::default());
        }
        crate::test_site::describe(&mut store, "b", "乙罚〔2026〕1号", PrepareCase::default());
        store
            .add_staff(&NewStaff {
                id: "b-reviewer",
                agency_id: "b",
                name: "b-reviewer",
                credential_number: "C00200",
                categories: &[],
                role: StaffRole::Reviewer,
                photo: None,
            })
            .expect("staff");
        let pass = || review("lawyer", ReviewOutcome::Pass, all_hold());
        store
            .review_case("a", "甲罚〔2026〕1号", &pass())
            .expect("counsel reviews");
        store
            .review_case("a", "甲罚〔2026〕2号", &pass())
            .expect("counsel reviews");
        store
            .review_case(
                "b",
                "乙罚〔2026〕1号",
                &review("b-reviewer", ReviewOutcome::Pass, all_hold()),
            )
            .expect("b's reviewer");
        let calendar = WorkCalendar::built_in().expect("calendar");
        let number = |store: &Store, agency: &str, case: &str| {
            store
                .case_view(&calendar, agency, case)
                .expect("case")
                .reviews
                .pop()
                .expect("a review")
                .opinion_number
        };
        let year = chrono::Local::now().year();
        assert_eq!(
            number(&store, "a", "甲罚〔2026〕1号"),
            format!("甲局法审〔{year}〕1号")
        );
        assert_eq!(
            number(&store, "a", "甲罚〔2026〕2号"),
            format!("甲局法审〔{year}〕2号")
        );
        assert_eq!(
            number(&store, "b", "乙罚〔2026〕1号"),
            format!("乙局法审〔{year}〕1号"),
            "each agency counts its own"
        );
        // Counsel of agency a reviews nothing of agency b.
        let refused = store.review_case("b", "乙罚〔2026〕1号", &pass());
        assert!(
            matches!(refused, Err(StoreError::Forbidden(_))),
            "{refused:?}"
        );
    }
}
