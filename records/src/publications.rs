//! The register of enforcement decisions to publish (行政执法事后公示). Each recorded decision
//! gets an entry as it is recorded (`Store::record_decision`): its party as the public may see it (a person's name masked, an
//! organisation's in full), and its due date (7 working days for licensing and penalties, 20
//! for the others, on the official calendar). Decisions about minors and state secrets are
//! never published; trade secrets and personal privacy only when marked publishable after
//! redaction. A revoked or changed decision is withdrawn, at the latest within 5 working days.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use crate::{Refusal, Store, StoreError};
use site_api::calendar::WorkCalendar;
use site_api::deadlines::{publication_due, withdrawal_due};
use site_api::masking::mask_person_name;
use site_api::{ActionType, Confidentiality, ExchangeKind, Publication, PublicityDue};

/// What is known about a case's party and secrecy before its decision is published.
#[derive(Debug, Clone, Default)]
pub struct Disclosure {
    pub organisation: bool,
    pub minor: bool,
    /// public, internal, trade_secret, personal_privacy or state_secret.
    pub confidentiality: Confidentiality,
    pub publishable_after_redaction: bool,
}

/// A stored day (YYYY-MM-DD), if there is one and it reads.
pub(crate) fn day(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

fn text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Why a case's decision is never published, if it is not to be.
fn withheld(disclosure: &Disclosure) -> Option<&'static str> {
    if disclosure.minor {
        return Some("未成年人 a minor's case");
    }
    match disclosure.confidentiality {
        Confidentiality::StateSecret => Some("国家秘密 state secret"),
        Confidentiality::TradeSecret | Confidentiality::PersonalPrivacy
            if !disclosure.publishable_after_redaction =>
        {
            Some(
                "商业秘密或个人隐私 trade secret or personal privacy, not marked publishable after redaction",
            )
        }
        _ => None,
    }
}

impl Store {
    /// Enters a recorded decision in the register, with its due date on `calendar` (done by
    /// `record_decision`).
    pub(crate) fn register_publication(
        &mut self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
    ) -> Result<Publication, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT c.id, c.action_type, c.party, c.party_kind, c.party_is_minor,
                        c.confidentiality, c.publishable_after_redaction,
                        d.document_number, d.conclusion, d.decided_on
                 FROM cases c JOIN decisions d ON d.case_id = c.id
                 WHERE c.agency_id = ?1 AND c.number = ?2",
                params![agency_id, number],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, bool>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("a recorded decision of case {number}"),
            })?;
        let (id, action, party, kind, minor, secrecy, redacted, document, conclusion, decided) =
            row;
        let decided_on = day(Some(decided))
            .ok_or_else(|| StoreError::Invalid(format!("case {number}: bad decision date")))?;
        let action_type = ActionType::parse(&action).unwrap_or(ActionType::Other);
        let due_on = publication_due(calendar, action_type, decided_on)?;
        let disclosure = Disclosure {
            organisation: kind == "organisation",
            minor,
            confidentiality: Confidentiality::parse(&secrecy),
            publishable_after_redaction: redacted,
        };
        let party_shown = if disclosure.organisation {
            party.trim().to_string()
        } else {
            mask_person_name(&party)
        };
        self.conn.execute(
            "INSERT INTO publications (case_id, agency_id, party_shown, action_type,
                document_number, conclusion, decided_on, due_on, withheld_because)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (case_id) DO NOTHING",
            params![
                id,
                agency_id,
                party_shown,
                action_type.as_str(),
                document,
                conclusion,
                text(decided_on),
                text(due_on),
                withheld(&disclosure)
            ],
        )?;
        self.publication(agency_id, number)
    }

    /// One entry of the register.
    pub fn publication(&self, agency_id: &str, number: &str) -> Result<Publication, StoreError> {
        self.publications_where(
            "p.agency_id = ?1 AND c.number = ?2",
            params![agency_id, number],
        )?
        .pop()
        .ok_or_else(|| StoreError::NotFound {
            what: format!("publication of case {number}"),
        })
    }

    /// Entries of the register matching `tail` (a WHERE clause with its order and limit).
    fn publications_where(
        &self,
        tail: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Publication>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.number, p.party_shown, p.action_type, p.document_number, p.conclusion,
                    p.decided_on, p.due_on, p.withheld_because, p.published_on, p.revoked_on,
                    p.withdraw_due, p.withdrawn_on, p.agency_id
             FROM publications p JOIN cases c ON c.id = p.case_id
             WHERE {tail}"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok(Publication {
                case_number: r.get(0)?,
                party_shown: r.get(1)?,
                action_type: r.get(2)?,
                document_number: r.get(3)?,
                conclusion: r.get(4)?,
                decided_on: day(r.get(5)?).unwrap_or_default(),
                due_on: day(r.get(6)?).unwrap_or_default(),
                withheld_because: r.get(7)?,
                published_on: day(r.get(8)?),
                revoked_on: day(r.get(9)?),
                withdraw_due: day(r.get(10)?),
                withdrawn_on: day(r.get(11)?),
                agency_id: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Publishes an entry on `on`; refused for one that is never to be published.
    pub fn publish(
        &mut self,
        agency_id: &str,
        number: &str,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        let entry = self.publication(agency_id, number)?;
        // The case as it is now decides, not as it was when the decision was recorded: a case
        // marked a minor's or a secret since then is not published.
        let now_withheld = self.disclosure_of(agency_id, number)?;
        if let Some(why) = withheld(&now_withheld)
            .map(str::to_string)
            .or(entry.withheld_because)
        {
            return Err(Refusal::NeverPublished {
                case: number.to_string(),
                why,
            }
            .into());
        }
        self.all_or_nothing(|store| {
            store.conn.execute(
                "UPDATE publications SET published_on = coalesce(published_on, ?3)
                 WHERE agency_id = ?1 AND case_id = (SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2)",
                params![agency_id, number, text(on)],
            )?;
            store.enqueue_publication_step(agency_id, number, ExchangeKind::DecisionPublished)
        })
    }

    /// What the case says now about its party and secrecy.
    fn disclosure_of(&self, agency_id: &str, number: &str) -> Result<Disclosure, StoreError> {
        self.conn
            .query_row(
                "SELECT party_kind, party_is_minor, confidentiality, publishable_after_redaction
                 FROM cases WHERE agency_id = ?1 AND number = ?2",
                params![agency_id, number],
                |r| {
                    Ok(Disclosure {
                        organisation: r.get::<_, String>(0)? == "organisation",
                        minor: r.get(1)?,
                        confidentiality: Confidentiality::parse(&r.get::<_, String>(2)?),
                        publishable_after_redaction: r.get(3)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("case {number} of agency {agency_id}"),
            })
    }

    /// The decision was revoked or changed on `on`: its entry must come down by 5 working days.
    pub fn revoke_publication(
        &mut self,
        calendar: &WorkCalendar,
        agency_id: &str,
        number: &str,
        on: NaiveDate,
    ) -> Result<Publication, StoreError> {
        let due = withdrawal_due(calendar, on)?;
        self.all_or_nothing(|store| {
            store.conn.execute(
                "UPDATE publications SET revoked_on = ?3, withdraw_due = ?4
                 WHERE agency_id = ?1 AND case_id = (SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2)",
                params![agency_id, number, text(on), text(due)],
            )?;
            store.enqueue_publication_step(agency_id, number, ExchangeKind::DecisionRevoked)
        })?;
        self.publication(agency_id, number)
    }

    /// Takes a revoked entry down on `on`.
    pub fn withdraw_publication(
        &mut self,
        agency_id: &str,
        number: &str,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        self.all_or_nothing(|store| {
            store.conn.execute(
                "UPDATE publications SET withdrawn_on = coalesce(withdrawn_on, ?3)
                 WHERE agency_id = ?1 AND case_id = (SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2)",
                params![agency_id, number, text(on)],
            )?;
            store.enqueue_publication_step(agency_id, number, ExchangeKind::DecisionWithdrawn)
        })
    }

    /// What is overdue, due within `soon` working days, and still to withdraw, on `today`.
    pub fn publicity_due(
        &self,
        calendar: &WorkCalendar,
        agency_id: &str,
        today: NaiveDate,
        soon: u32,
    ) -> Result<PublicityDue, StoreError> {
        let horizon = calendar.add_working_days(today, soon)?;
        let mut due = PublicityDue::default();
        for entry in self.publications_where(
            "p.agency_id = ?1 ORDER BY p.due_on, c.number",
            params![agency_id],
        )? {
            let pending = entry.withheld_because.is_none()
                && entry.published_on.is_none()
                && entry.revoked_on.is_none();
            if pending && entry.due_on < today {
                due.overdue.push(entry);
            } else if pending && entry.due_on <= horizon {
                due.due_soon.push(entry);
            } else if entry.revoked_on.is_some()
                && entry.published_on.is_some()
                && entry.withdrawn_on.is_none()
            {
                due.to_withdraw.push(entry);
            }
        }
        Ok(due)
    }

    /// What the public may see of an agency: published, not withdrawn.
    pub fn published(&self, agency_id: &str) -> Result<Vec<Publication>, StoreError> {
        self.publications_where(
            &format!("p.agency_id = ?1 AND {SHOWN} ORDER BY p.due_on, c.number"),
            params![agency_id],
        )
    }

    /// The `limit` latest entries the public may see, of every agency, newest first (for the
    /// hall board, which reads the hall on every call: one query, however long the register).
    pub fn latest_published(&self, limit: usize) -> Result<Vec<Publication>, StoreError> {
        self.publications_where(
            &format!("{SHOWN} ORDER BY p.published_on DESC, c.number LIMIT ?1"),
            params![i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }
}

/// An entry the public sees: published, not withdrawn.
const SHOWN: &str = "p.published_on IS NOT NULL AND p.withdrawn_on IS NULL";

#[cfg(test)]
mod tests {
    use super::*;
    use site_api::PrepareCase;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    /// Records a decision of `kind` for case `number` with `party`, decided on `on`.
    fn decided(
        store: &mut Store,
        number: &str,
        kind: ActionType,
        party: &str,
        disclosure: Disclosure,
        on: &str,
    ) {
        crate::test_site::describe(
            store,
            "a",
            number,
            PrepareCase {
                action_type: Some(kind),
                party: Some(party.to_string()),
                organisation: Some(disclosure.organisation),
                minor: Some(disclosure.minor),
                confidentiality: Some(disclosure.confidentiality),
                publishable_after_redaction: Some(disclosure.publishable_after_redaction),
                ..PrepareCase::default()
            },
        );
        let decision = crate::review::NewDecision {
            document_number: &format!("甲决字{number}号"),
            conclusion: "罚款五千元",
            decided_on: d(on),
            recorded_by: "handler",
            reasons: site_api::DecisionReasons::default(),
            unrecorded_because: None,
            must_record: &[],
        };
        let calendar = WorkCalendar::built_in().unwrap();
        store
            .record_decision(&calendar, "a", number, &decision)
            .unwrap();
    }

    #[test]
    fn people_are_masked_and_minors_and_secrets_never_published() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        decided(
            &mut store,
            "1",
            ActionType::Penalty,
            "张三丰",
            Disclosure::default(),
            "2026-09-24",
        );
        decided(
            &mut store,
            "2",
            ActionType::Penalty,
            "某某食品有限公司",
            Disclosure {
                organisation: true,
                ..Disclosure::default()
            },
            "2026-09-24",
        );
        decided(
            &mut store,
            "3",
            ActionType::Penalty,
            "李小明",
            Disclosure {
                minor: true,
                ..Disclosure::default()
            },
            "2026-09-24",
        );
        decided(
            &mut store,
            "4",
            ActionType::Penalty,
            "王五",
            Disclosure {
                confidentiality: Confidentiality::StateSecret,
                ..Disclosure::default()
            },
            "2026-09-24",
        );
        decided(
            &mut store,
            "5",
            ActionType::Penalty,
            "赵六",
            Disclosure {
                confidentiality: Confidentiality::TradeSecret,
                publishable_after_redaction: true,
                ..Disclosure::default()
            },
            "2026-09-24",
        );
        let entries: Vec<Publication> = ["1", "2", "3", "4", "5"]
            .iter()
            .map(|n| store.publication("a", n).unwrap())
            .collect();
        assert_eq!(entries[0].party_shown, "张某某");
        assert_eq!(entries[1].party_shown, "某某食品有限公司");
        assert!(
            entries[2]
                .withheld_because
                .as_deref()
                .is_some_and(|w| w.contains("未成年人"))
        );
        assert!(
            entries[3]
                .withheld_because
                .as_deref()
                .is_some_and(|w| w.contains("国家秘密"))
        );
        assert!(
            entries[4].withheld_because.is_none(),
            "redacted and marked publishable"
        );
        assert!(
            store.publish("a", "3", d("2026-09-28")).is_err(),
            "a minor's case is refused"
        );
        // A penalty decided on Thursday 24 September 2026 is due 7 working days later: the
        // Mid-Autumn (25–27 September) and National Day (1–7 October) holidays come between,
        // and Saturday 10 October is a make-up working day (28, 29, 30 Sep, 8, 9, 10, 12 Oct).
        assert_eq!(entries[0].due_on, d("2026-10-12"));
    }

    #[test]
    fn a_decision_without_a_due_date_is_not_recorded_at_all() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        crate::test_site::describe(
            &mut store,
            "a",
            "x",
            PrepareCase {
                action_type: Some(ActionType::Penalty),
                party: Some("张三".into()),
                ..PrepareCase::default()
            },
        );
        let decision = |on: &str| crate::review::NewDecision {
            document_number: "甲决字x号",
            conclusion: "罚款",
            decided_on: d(on),
            recorded_by: "handler",
            reasons: site_api::DecisionReasons::default(),
            unrecorded_because: None,
            must_record: &[],
        };
        // The calendar has no 2031: the due date cannot be counted, so neither the decision
        // nor its entry is kept, and the decision can be recorded once the data is there.
        assert!(
            store
                .record_decision(&calendar, "a", "x", &decision("2031-03-02"))
                .is_err()
        );
        assert!(store.publication("a", "x").is_err());
        store
            .record_decision(&calendar, "a", "x", &decision("2026-03-02"))
            .expect("recorded: the first attempt left nothing behind");
    }

    #[test]
    fn overdue_due_soon_and_revoked_entries_are_listed_for_the_agency() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let calendar = WorkCalendar::built_in().unwrap();
        decided(
            &mut store,
            "late",
            ActionType::Penalty,
            "张三",
            Disclosure::default(),
            "2026-11-02",
        );
        decided(
            &mut store,
            "soon",
            ActionType::Licensing,
            "李四",
            Disclosure::default(),
            "2026-11-16",
        );
        decided(
            &mut store,
            "other",
            ActionType::Inspection,
            "王五",
            Disclosure::default(),
            "2026-11-16",
        );
        decided(
            &mut store,
            "done",
            ActionType::Penalty,
            "赵六",
            Disclosure::default(),
            "2026-11-16",
        );
        store.publish("a", "done", d("2026-11-17")).unwrap();
        let today = d("2026-11-23");
        let due = store.publicity_due(&calendar, "a", today, 3).unwrap();
        let numbers = |list: &[Publication]| {
            list.iter()
                .map(|p| p.case_number.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(&due.overdue), ["late"], "due 11 November");
        assert_eq!(
            numbers(&due.due_soon),
            ["soon"],
            "due 25 November; inspections have 20 days"
        );
        assert!(due.to_withdraw.is_empty());
        // Revoked: it must come down within 5 working days, and no longer shows once withdrawn.
        let revoked = store
            .revoke_publication(&calendar, "a", "done", today)
            .unwrap();
        assert_eq!(revoked.withdraw_due, Some(d("2026-11-30")));
        let due = store.publicity_due(&calendar, "a", today, 3).unwrap();
        assert_eq!(numbers(&due.to_withdraw), ["done"]);
        assert_eq!(numbers(&store.published("a").unwrap()), ["done"]);
        store.withdraw_publication("a", "done", today).unwrap();
        assert!(store.published("a").unwrap().is_empty());
        // Another agency sees none of these.
        assert!(
            store
                .publicity_due(&calendar, "b", today, 3)
                .unwrap()
                .overdue
                .is_empty()
        );
    }
}
