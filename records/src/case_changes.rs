//! Changing a case without weakening it. A field not sent is not changed; what protects a case
//! (its secrecy, "minor", each reason that makes it major) may be tightened by any clerk of the
//! agency but loosened only by one of its approvers; the producing team (handler and
//! co-handlers) is named when the case is made and changed afterwards only by an approver. Every
//! change is kept, field by field, in the case's append-only history.

use rusqlite::{OptionalExtension, params};
use site_api::{ActionType, CaseChange, Confidentiality, PrepareCase};

use crate::store::now;
use crate::{Store, StoreError};

/// Who changes a case.
#[derive(Debug, Clone, Copy)]
pub struct CaseEditor<'a> {
    /// As the history names them (`Caller::who`).
    pub who: &'a str,
    /// One of the agency's approvers (the site file's `access_approvers`).
    pub approver: bool,
}

/// A case's fields that the handling unit sets, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CaseFields {
    action_type: String,
    party: String,
    organisation: bool,
    minor: bool,
    confidentiality: Confidentiality,
    publishable_after_redaction: bool,
    decision_kind: String,
    handler_id: Option<String>,
    co_handlers: Vec<String>,
    hearing_held: bool,
    flags: Vec<String>,
}

impl Default for CaseFields {
    fn default() -> Self {
        Self {
            action_type: ActionType::Other.as_str().to_string(),
            party: String::new(),
            organisation: false,
            minor: false,
            confidentiality: Confidentiality::Public,
            publishable_after_redaction: false,
            decision_kind: String::new(),
            handler_id: None,
            co_handlers: Vec::new(),
            hearing_held: false,
            flags: Vec::new(),
        }
    }
}

/// The flags the handling unit sets that make a case major, by their stored names.
const MAJOR_FLAGS: [&str; 3] = ["large_amount", "complex_facts", "referral"];

/// How much a level of secrecy protects: a change to a lower rank loosens the case.
fn secrecy_rank(level: Confidentiality) -> u8 {
    match level {
        Confidentiality::Public => 0,
        Confidentiality::Internal => 1,
        Confidentiality::TradeSecret | Confidentiality::PersonalPrivacy => 2,
        Confidentiality::StateSecret => 3,
    }
}

impl CaseFields {
    /// These fields with the request's fields over them.
    fn with(&self, change: &PrepareCase) -> Self {
        let mut next = self.clone();
        if let Some(kind) = change.action_type {
            next.action_type = kind.as_str().to_string();
        }
        if let Some(party) = &change.party {
            next.party = party.trim().to_string();
        }
        if let Some(organisation) = change.organisation {
            next.organisation = organisation;
        }
        if let Some(minor) = change.minor {
            next.minor = minor;
        }
        if let Some(level) = change.confidentiality {
            next.confidentiality = level;
        }
        if let Some(redacted) = change.publishable_after_redaction {
            next.publishable_after_redaction = redacted;
        }
        if let Some(kind) = &change.decision_kind {
            next.decision_kind = kind.trim().to_string();
        }
        if let Some(handler) = &change.handler_id {
            next.handler_id = Some(handler.trim().to_string()).filter(|h| !h.is_empty());
        }
        if let Some(team) = &change.co_handlers {
            let mut team: Vec<String> = team.iter().map(|s| s.trim().to_string()).collect();
            team.retain(|s| !s.is_empty());
            team.sort();
            team.dedup();
            next.co_handlers = team;
        }
        if let Some(hearing) = change.hearing_held {
            next.hearing_held = hearing;
        }
        for (flag, set) in
            MAJOR_FLAGS
                .iter()
                .zip([change.large_amount, change.complex_facts, change.referral])
        {
            match set {
                Some(true) if !next.flags.iter().any(|f| f == flag) => {
                    next.flags.push(flag.to_string())
                }
                Some(false) => next.flags.retain(|f| f != flag),
                _ => {}
            }
        }
        next.flags.sort();
        next
    }

    /// Each field as the history writes it, by name.
    fn described(&self) -> Vec<(&'static str, String)> {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        vec![
            ("action_type", self.action_type.clone()),
            ("party", self.party.clone()),
            ("organisation", yes_no(self.organisation)),
            ("minor", yes_no(self.minor)),
            ("confidentiality", self.confidentiality.as_str().to_string()),
            (
                "publishable_after_redaction",
                yes_no(self.publishable_after_redaction),
            ),
            ("decision_kind", self.decision_kind.clone()),
            ("handler_id", self.handler_id.clone().unwrap_or_default()),
            ("co_handlers", self.co_handlers.join(",")),
            ("hearing_held", yes_no(self.hearing_held)),
            ("major_flags", self.flags.join(",")),
        ]
    }

    fn has_team(&self) -> bool {
        self.handler_id.is_some() || !self.co_handlers.is_empty()
    }
}

/// What an edit from `before` to `after` loosens, said for the refusal.
fn loosened(
    before: &CaseFields,
    after: &CaseFields,
    catalogue_before: bool,
    catalogue_after: bool,
) -> Vec<String> {
    let mut found = Vec::new();
    if secrecy_rank(after.confidentiality) < secrecy_rank(before.confidentiality) {
        found.push(format!(
            "lowers its confidentiality from {} to {}",
            before.confidentiality.as_str(),
            after.confidentiality.as_str()
        ));
    }
    if after.publishable_after_redaction && !before.publishable_after_redaction {
        found.push("marks it publishable after redaction".to_string());
    }
    if before.minor && !after.minor {
        found.push("clears that the party is a minor".to_string());
    }
    if before.hearing_held && !after.hearing_held {
        found.push("clears that a hearing was held".to_string());
    }
    for flag in &before.flags {
        if !after.flags.contains(flag) {
            found.push(format!("clears {flag}"));
        }
    }
    if catalogue_before && !catalogue_after {
        found.push(format!(
            "changes its decision kind from \"{}\", in the catalogue of major decisions, to \"{}\"",
            before.decision_kind, after.decision_kind
        ));
    }
    found
}

impl Store {
    /// Records what the handling unit says about a case, all of it or none, with each change
    /// in the case's history. See the module's rules; a refusal names what the edit loosens.
    pub fn prepare_case(
        &mut self,
        agency_id: &str,
        number: &str,
        change: &PrepareCase,
        editor: CaseEditor<'_>,
    ) -> Result<(), StoreError> {
        if change
            .party
            .as_ref()
            .is_some_and(|p| p.chars().count() > 200)
        {
            return Err(StoreError::Invalid(
                "party must be at most 200 characters".into(),
            ));
        }
        let named = change
            .handler_id
            .iter()
            .chain(change.co_handlers.iter().flatten());
        for member in named {
            let staff = self.staff_member(member.trim())?;
            if staff.agency_id != agency_id {
                return Err(StoreError::Invalid(format!(
                    "{member} is not staff of agency {agency_id}; the producing team is the agency's own"
                )));
            }
        }
        self.all_or_nothing(|store| store.change_case(agency_id, number, change, editor))
    }

    fn change_case(
        &mut self,
        agency_id: &str,
        number: &str,
        change: &PrepareCase,
        editor: CaseEditor<'_>,
    ) -> Result<(), StoreError> {
        let existing = self.case_fields(agency_id, number)?;
        let before = existing
            .as_ref()
            .map(|(_, fields, _)| fields.clone())
            .unwrap_or_default();
        let after = before.with(change);
        if after == before && existing.is_some() {
            return Ok(());
        }
        if let Some((_, _, has_sessions)) = &existing {
            let mut loosens = loosened(
                &before,
                &after,
                self.in_catalogue(agency_id, &before.decision_kind)?,
                self.in_catalogue(agency_id, &after.decision_kind)?,
            );
            let team_changed = (before.handler_id != after.handler_id
                || before.co_handlers != after.co_handlers)
                && (before.has_team() || *has_sessions);
            if team_changed {
                loosens.push("changes its producing team (handler and co-handlers)".to_string());
            }
            if !loosens.is_empty() && !editor.approver {
                return Err(StoreError::Forbidden(format!(
                    "this change of case {number} {}; only one of the agency's approvers may make it (the site file's access_approvers)",
                    loosens.join(", ")
                )));
            }
        }
        let tx = self.conn.savepoint()?;
        tx.execute(
            "INSERT INTO cases (agency_id, number) VALUES (?1, ?2)
             ON CONFLICT (agency_id, number) DO NOTHING",
            params![agency_id, number],
        )?;
        let case_id: i64 = tx.query_row(
            "SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2",
            params![agency_id, number],
            |r| r.get(0),
        )?;
        tx.execute(
            "UPDATE cases SET action_type = ?2, party = ?3, party_kind = ?4, party_is_minor = ?5,
                    confidentiality = ?6, publishable_after_redaction = ?7, decision_kind = ?8,
                    handler_id = ?9, co_handlers = ?10, hearing_held = ?11, major_flags = ?12
             WHERE id = ?1",
            params![
                case_id,
                after.action_type,
                after.party,
                if after.organisation {
                    "organisation"
                } else {
                    "person"
                },
                after.minor,
                after.confidentiality.as_str(),
                after.publishable_after_redaction,
                after.decision_kind,
                after.handler_id,
                serde_json::to_string(&after.co_handlers).unwrap_or_else(|_| "[]".into()),
                after.hearing_held,
                serde_json::to_string(&after.flags).unwrap_or_else(|_| "[]".into()),
            ],
        )?;
        let at = now();
        for ((field, old), (_, new)) in before.described().into_iter().zip(after.described()) {
            // A new case starts from the defaults: what it is given shows as changes from them.
            if old != new {
                tx.execute(
                    "INSERT INTO case_history (case_id, at, who, field, old, new)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![case_id, at, editor.who, field, old, new],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The case's fields, and whether it has recorded sessions; None for a case not made yet.
    fn case_fields(
        &self,
        agency_id: &str,
        number: &str,
    ) -> Result<Option<(i64, CaseFields, bool)>, StoreError> {
        let found = self
            .conn
            .query_row(
                "SELECT id, action_type, party, party_kind, party_is_minor, confidentiality,
                        publishable_after_redaction, decision_kind, handler_id, co_handlers,
                        hearing_held, major_flags,
                        EXISTS (SELECT 1 FROM sessions s WHERE s.case_id = cases.id)
                 FROM cases WHERE agency_id = ?1 AND number = ?2",
                params![agency_id, number],
                |r| {
                    let mut flags: Vec<String> =
                        serde_json::from_str(&r.get::<_, String>(11)?).unwrap_or_default();
                    flags.sort();
                    let fields = CaseFields {
                        action_type: r.get(1)?,
                        party: r.get(2)?,
                        organisation: r.get::<_, String>(3)? == "organisation",
                        minor: r.get(4)?,
                        confidentiality: Confidentiality::parse(&r.get::<_, String>(5)?),
                        publishable_after_redaction: r.get(6)?,
                        decision_kind: r.get(7)?,
                        handler_id: r.get(8)?,
                        co_handlers: serde_json::from_str(&r.get::<_, String>(9)?)
                            .unwrap_or_default(),
                        hearing_held: r.get(10)?,
                        flags,
                    };
                    Ok((r.get(0)?, fields, r.get(12)?))
                },
            )
            .optional()?;
        Ok(found)
    }

    fn in_catalogue(&self, agency_id: &str, kind: &str) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM major_catalogue WHERE agency_id = ?1 AND kind = ?2)",
            params![agency_id, kind],
            |r| r.get(0),
        )?)
    }

    /// A case's history, oldest first.
    pub fn case_history(&self, case_id: i64) -> Result<Vec<CaseChange>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT at, who, field, old, new FROM case_history WHERE case_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![case_id], |r| {
                Ok(CaseChange {
                    at: r.get(0)?,
                    who: r.get(1)?,
                    field: r.get(2)?,
                    old: r.get(3)?,
                    new: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clerk() -> CaseEditor<'static> {
        CaseEditor {
            who: "王芳",
            approver: false,
        }
    }

    fn approver() -> CaseEditor<'static> {
        CaseEditor {
            who: "李主任",
            approver: true,
        }
    }

    fn secret() -> PrepareCase {
        PrepareCase {
            confidentiality: Some(Confidentiality::StateSecret),
            minor: Some(true),
            large_amount: Some(true),
            ..PrepareCase::default()
        }
    }

    #[test]
    fn a_field_not_sent_is_not_changed() {
        let (_dir, mut store) = crate::test_site::store(&[]);
        store
            .prepare_case("a", "罚1号", &secret(), clerk())
            .unwrap();
        store
            .prepare_case("a", "罚1号", &PrepareCase::default(), clerk())
            .expect("an empty change changes nothing");
        let (_, fields, _) = store.case_fields("a", "罚1号").unwrap().unwrap();
        assert_eq!(fields.confidentiality, Confidentiality::StateSecret);
        assert!(fields.minor);
        assert_eq!(fields.flags, ["large_amount"]);
    }

    #[test]
    fn only_an_approver_loosens_a_case_and_every_change_is_kept() {
        let (_dir, mut store) = crate::test_site::store(&[]);
        store
            .prepare_case("a", "罚1号", &secret(), clerk())
            .unwrap();
        for loosening in [
            PrepareCase {
                confidentiality: Some(Confidentiality::Public),
                ..PrepareCase::default()
            },
            PrepareCase {
                minor: Some(false),
                ..PrepareCase::default()
            },
            PrepareCase {
                large_amount: Some(false),
                ..PrepareCase::default()
            },
        ] {
            let refused = store
                .prepare_case("a", "罚1号", &loosening, clerk())
                .expect_err("a clerk cannot loosen");
            assert!(matches!(refused, StoreError::Forbidden(_)), "{refused}");
        }
        let tighter = PrepareCase {
            hearing_held: Some(true),
            ..PrepareCase::default()
        };
        store
            .prepare_case("a", "罚1号", &tighter, clerk())
            .expect("tightening is anyone's");
        let public = PrepareCase {
            confidentiality: Some(Confidentiality::Public),
            ..PrepareCase::default()
        };
        store
            .prepare_case("a", "罚1号", &public, approver())
            .expect("an approver may");
        let id = store.case_fields("a", "罚1号").unwrap().unwrap().0;
        let history = store.case_history(id).unwrap();
        let last = history.last().expect("history kept");
        assert_eq!(
            (
                last.who.as_str(),
                last.field.as_str(),
                last.old.as_str(),
                last.new.as_str()
            ),
            ("李主任", "confidentiality", "state_secret", "public")
        );
        assert!(
            store.conn.execute("DELETE FROM case_history", []).is_err(),
            "the history cannot be deleted"
        );
    }
}
