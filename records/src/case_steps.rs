//! A case's steps as text records (文字记录): each dated, by whom, with its document number and
//! attachment. 告知 carries the day the party was told their rights; 听证 the session that
//! recorded it (a session of the same case); 送达 its method, and a 留置送达 on the agency's
//! recording list a reason when it was not recorded. Never changed or deleted (triggers).

use chrono::NaiveDate;
use rusqlite::params;
use site_api::{CaseStepView, DeliveryMethod, MustRecord, RecordStep, StepKind};

use crate::review::case_id;
use crate::store::now;
use crate::{Store, StoreError};

fn step_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseStepView> {
    let day =
        |text: Option<String>| text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
    let kind: String = r.get(1)?;
    let method: Option<String> = r.get(7)?;
    Ok(CaseStepView {
        id: r.get(0)?,
        kind: StepKind::parse(&kind).unwrap_or(StepKind::Investigation),
        happened_on: day(r.get(2)?).unwrap_or_default(),
        document_number: r.get(3)?,
        detail: r.get(4)?,
        party_told_on: day(r.get(5)?),
        session_id: r.get(6)?,
        delivery_method: method.as_deref().and_then(DeliveryMethod::parse),
        unrecorded_because: r.get(8)?,
        attachment_id: r.get(9)?,
        recorded_by: r.get(10)?,
        recorded_at: r.get(11)?,
    })
}

impl Store {
    /// Records a step of case `number`; `must_record` is the agency's recording list.
    pub fn record_step(
        &mut self,
        agency_id: &str,
        number: &str,
        step: &RecordStep,
        must_record: &[MustRecord],
        recorded_by: &str,
    ) -> Result<CaseStepView, StoreError> {
        let case = case_id(self, agency_id, number)?;
        let invalid = |text: &str| Err(StoreError::Invalid(text.to_string()));
        let told = match (step.kind, step.party_told_on) {
            (StepKind::Notification, None) => {
                return invalid(
                    "a 告知 step says the day the party was told their rights: party_told_on",
                );
            }
            (StepKind::Notification, Some(day)) => Some(day.to_string()),
            _ => None,
        };
        let session = match (step.kind, step.session_id) {
            (StepKind::Hearing, None) => {
                return invalid("a 听证 step names the session that recorded it: session_id");
            }
            (StepKind::Hearing, Some(session)) => {
                let ours: bool = self.conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND case_id = ?2)",
                    params![session, case],
                    |r| r.get(0),
                )?;
                if !ours {
                    return Err(StoreError::Invalid(format!(
                        "session {session} is not a recording of case {number}"
                    )));
                }
                Some(session)
            }
            (_, Some(_)) => return invalid("only a 听证 step names a session"),
            (_, None) => None,
        };
        let method = match (step.kind, step.delivery_method) {
            (StepKind::Delivery, None) => {
                return invalid(
                    "a 送达 step says how: delivery_method (direct, left_at_door, post, electronic, public_notice)",
                );
            }
            (StepKind::Delivery, Some(method)) => Some(method),
            (_, Some(_)) => return invalid("only a 送达 step has a delivery_method"),
            (_, None) => None,
        };
        let unrecorded = step
            .unrecorded_because
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        // A 留置送达 is recorded where the list says so: the recording is linked when the case
        // has one; otherwise the reason it could not be is required.
        if method == Some(DeliveryMethod::LeftAtDoor)
            && must_record.contains(&MustRecord::LeftAtDoor)
            && unrecorded.is_none()
            && !self.has_recording(case)?
        {
            return invalid(
                "the agency's recording list (音像记录事项清单) names 留置送达: record it (a session or field footage of the case), or give unrecorded_because",
            );
        }
        if let Some(id) = step.attachment_id {
            self.own_attachments(case, number, &[id])?;
        }
        self.conn.execute(
            "INSERT INTO case_steps (case_id, kind, happened_on, document_number, detail,
                                     party_told_on, session_id, delivery_method,
                                     unrecorded_because, attachment_id, recorded_by, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                case,
                step.kind.as_str(),
                step.happened_on.to_string(),
                step.document_number.trim(),
                step.detail.trim(),
                told,
                session,
                method.map(DeliveryMethod::as_str),
                unrecorded,
                step.attachment_id,
                recorded_by,
                now()
            ],
        )?;
        let id = self.conn.last_insert_rowid();
        Ok(self.conn.query_row(
            &format!("SELECT {STEP_COLUMNS} FROM case_steps WHERE id = ?1"),
            params![id],
            step_row,
        )?)
    }

    /// A case's steps in the order they happened.
    pub(crate) fn steps_of(&self, case_id: i64) -> Result<Vec<CaseStepView>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {STEP_COLUMNS} FROM case_steps WHERE case_id = ?1 ORDER BY happened_on, id"
        ))?;
        let rows = stmt.query_map(params![case_id], step_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether anything of the case was recorded: a session with at least one closed segment.
    pub(crate) fn has_recording(&self, case_id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sessions s JOIN segments g ON g.session_id = s.id
                            WHERE s.case_id = ?1)",
            params![case_id],
            |r| r.get(0),
        )?)
    }
}

const STEP_COLUMNS: &str = "id, kind, happened_on, document_number, detail, party_told_on,
    session_id, delivery_method, unrecorded_because, attachment_id, recorded_by, recorded_at";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::NewDecision;
    use site_api::{ActionType, PrepareCase, WorkCalendar};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn step(kind: StepKind) -> RecordStep {
        RecordStep {
            kind,
            happened_on: day("2026-11-02"),
            document_number: String::new(),
            detail: String::new(),
            party_told_on: None,
            session_id: None,
            delivery_method: None,
            unrecorded_because: None,
            attachment_id: None,
        }
    }

    fn coercion(store: &mut Store, number: &str) {
        crate::test_site::describe(
            store,
            "a",
            number,
            PrepareCase {
                action_type: Some(ActionType::Coercion),
                ..Default::default()
            },
        );
    }

    /// A recorded session of the case: one closed segment.
    fn recorded(store: &mut Store, number: &str) -> i64 {
        let session = crate::test_site::session(store, "a", number, "王芳");
        store
            .add_segment(
                session,
                &crate::NewSegment {
                    track: "cam1",
                    seq: 0,
                    file: "cam1-00000.mkv",
                    size_bytes: 1,
                    start_ns: 0,
                    duration_ns: 1,
                    sha256: "h",
                    link: "l",
                    recovered: false,
                    backup_sha256: None,
                },
            )
            .unwrap();
        session
    }

    #[test]
    fn a_listed_case_is_decided_only_when_recorded_or_with_the_reason_it_was_not() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        let list = [MustRecord::Coercion];
        coercion(&mut store, "甲强〔2026〕1号");
        coercion(&mut store, "甲强〔2026〕2号");
        recorded(&mut store, "甲强〔2026〕2号");
        let decision = |number: &'static str, because: Option<&'static str>| NewDecision {
            document_number: number,
            conclusion: "查封",
            decided_on: day("2026-11-03"),
            recorded_by: "王芳",
            reasons: Default::default(),
            unrecorded_because: because,
            must_record: &list,
        };
        let refused = store.record_decision(
            &calendar,
            "a",
            "甲强〔2026〕1号",
            &decision("甲强〔2026〕1号", Some(" ")),
        );
        assert!(
            matches!(
                refused,
                Err(StoreError::Refused(
                    crate::Refusal::RecordingRequired { .. }
                ))
            ),
            "{refused:?}"
        );
        store
            .record_decision(
                &calendar,
                "a",
                "甲强〔2026〕1号",
                &decision("甲强〔2026〕1号", Some("执法记录仪故障")),
            )
            .expect("with the reason");
        store
            .record_decision(
                &calendar,
                "a",
                "甲强〔2026〕2号",
                &decision("甲强〔2026〕2号", Some("ignored")),
            )
            .expect("recorded");
        let unrecorded = store.unrecorded_decisions("a").unwrap();
        assert_eq!(unrecorded.len(), 1, "{unrecorded:?}");
        assert_eq!(unrecorded[0].case_number, "甲强〔2026〕1号");
        assert_eq!(unrecorded[0].because, "执法记录仪故障");
        assert!(store.unrecorded_decisions("b").unwrap().is_empty());
    }

    #[test]
    fn each_kind_of_step_carries_what_it_needs() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let number = "甲强〔2026〕3号";
        coercion(&mut store, number);
        coercion(&mut store, "甲强〔2026〕4号");
        let other = recorded(&mut store, "甲强〔2026〕4号");
        let list = [MustRecord::LeftAtDoor];
        let mut told = step(StepKind::Notification);
        assert!(
            store
                .record_step("a", number, &told, &list, "王芳")
                .is_err()
        );
        told.party_told_on = Some(day("2026-11-02"));
        store
            .record_step("a", number, &told, &list, "王芳")
            .expect("告知");
        let mut hearing = step(StepKind::Hearing);
        hearing.session_id = Some(other);
        let err = store
            .record_step("a", number, &hearing, &list, "王芳")
            .unwrap_err();
        assert!(err.to_string().contains("not a recording of case"), "{err}");
        let mut left = step(StepKind::Delivery);
        left.happened_on = day("2026-11-01");
        left.delivery_method = Some(DeliveryMethod::LeftAtDoor);
        let err = store
            .record_step("a", number, &left, &list, "王芳")
            .unwrap_err();
        assert!(err.to_string().contains("留置送达"), "{err}");
        left.unrecorded_because = Some("当事人拒收，现场无记录仪".into());
        store
            .record_step("a", number, &left, &list, "王芳")
            .expect("with the reason");
        let steps = store
            .steps_of(crate::review::case_id(&store, "a", number).unwrap())
            .unwrap();
        let kinds: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [StepKind::Delivery, StepKind::Notification],
            "by the day they happened"
        );
        assert!(store.conn.execute("DELETE FROM case_steps", []).is_err());
    }
}
