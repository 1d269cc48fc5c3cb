//! Who may view or export collected field footage: the same rules as a room's recordings
//! (`recording_access`), decided in one place and logged every time, allowed or refused.
//!
//! - only clerks of the footage's agency; anyone else is told it does not exist;
//! - the officer who recorded it (the camera's holder) and the producing team of the case it
//!   is linked to use it; for a whole batch, the officer only;
//! - anyone else of the agency states a purpose; where the agency requires approval, or the
//!   case is a trade secret or personal privacy, they also need an approved request for that
//!   file (`POST /api/footage/{id}/access-requests`, decided as a session's request is);
//! - a state secret's footage is seen by its team only, and never exported through the API;
//! - the supervisor views with a stated purpose and exports nothing.

use rusqlite::{OptionalExtension, params};

use crate::recording_access::{Asked, request_purpose};
use crate::{AccessAttempt, Store, StoreError};
use site_api::{AccessPolicy, AccessRequestView, Caller, PURPOSE_MAX_CHARS, RecordingUse, Role};

/// A file of footage, or a whole batch (a visit's package).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FootageTarget {
    File(i64),
    Batch(i64),
}

impl std::fmt::Display for FootageTarget {
    /// As the access log names it: "footage 12", "footage batch 3".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(id) => write!(f, "footage {id}"),
            Self::Batch(id) => write!(f, "footage batch {id}"),
        }
    }
}

struct Facts {
    agency_id: String,
    recorded_it: bool,
    in_team: bool,
    /// The strictest confidentiality among the linked cases ("normal" when none).
    secret: bool,
    needs_approval_by_case: bool,
}

impl Store {
    /// Lets `caller` at footage for `what`, or says why not; logged either way with the
    /// stated purpose.
    pub fn footage_for(
        &mut self,
        caller: &Caller,
        target: FootageTarget,
        what: RecordingUse,
        purpose: Option<&str>,
        policy: &AccessPolicy,
    ) -> Result<(), StoreError> {
        let purpose = purpose.map(str::trim).filter(|p| !p.is_empty());
        let purpose = purpose.map(|p| p.chars().take(PURPOSE_MAX_CHARS).collect::<String>());
        let facts = self.footage_facts(caller, target)?;
        let approval = match target {
            FootageTarget::File(id) => self.approval_for(Asked::Footage(id), caller.who(), what)?,
            FootageTarget::Batch(_) => None,
        };
        let decided = match &facts {
            None => Err(StoreError::NotFound {
                what: target.to_string(),
            }),
            Some(facts) => decide(
                caller,
                target,
                facts,
                what,
                purpose.as_deref(),
                approval.clone(),
                policy,
            ),
        };
        // The log says why: the purpose stated, else that of the approval relied on.
        let stated = match (&decided, &purpose) {
            (_, Some(p)) => p.clone(),
            (Ok(()), None) => approval.unwrap_or_default(),
            (Err(_), None) => String::new(),
        };
        let reason = match &decided {
            Ok(()) => String::new(),
            Err(StoreError::NotFound { .. }) if facts.is_some() => {
                "the footage belongs to another agency".into()
            }
            Err(err) => err.to_string(),
        };
        self.log_access(
            caller,
            &AccessAttempt {
                action: what.as_str(),
                target: &target.to_string(),
                allowed: decided.is_ok(),
                reason: &reason,
                purpose: &stated,
                owner_agency: facts.as_ref().map(|f| f.agency_id.as_str()),
            },
        )?;
        decided
    }

    /// Asks to view or export a collected file; an approver of the agency decides (with
    /// `decide_access`, as for a session).
    pub fn request_footage_access(
        &mut self,
        caller: &Caller,
        id: i64,
        what: RecordingUse,
        purpose: &str,
    ) -> Result<AccessRequestView, StoreError> {
        let purpose = request_purpose(purpose)?;
        match self.footage_facts(caller, FootageTarget::File(id))? {
            Some(f)
                if caller.role == Role::Clerk
                    && caller.agency_id.as_deref() == Some(&f.agency_id) =>
            {
                self.file_request(caller, Asked::Footage(id), &f.agency_id, what, purpose)
            }
            other => {
                let owner = other.map(|f| f.agency_id);
                Err(self.refuse_request(
                    caller,
                    Asked::Footage(id),
                    owner.as_deref(),
                    what,
                    purpose,
                ))
            }
        }
    }

    fn footage_facts(
        &self,
        caller: &Caller,
        target: FootageTarget,
    ) -> Result<Option<Facts>, StoreError> {
        let team = "?2 IS NOT NULL AND (coalesce(c.handler_id = ?2, 0)
                      OR EXISTS (SELECT 1 FROM json_each(c.co_handlers) WHERE value = ?2))";
        let sql = match target {
            FootageTarget::File(_) => format!(
                "SELECT f.agency_id, f.officer_id = ?2, coalesce({team}, 0),
                        coalesce(c.confidentiality, 'normal')
                 FROM field_files f LEFT JOIN cases c ON c.id = f.case_id WHERE f.id = ?1"
            ),
            // A batch may hold footage of several cases: only its officer has it whole.
            FootageTarget::Batch(_) => "SELECT b.agency_id, b.officer_id = ?2, 0,
                        coalesce((SELECT max(c.confidentiality = 'state_secret') FROM field_files f
                                  JOIN cases c ON c.id = f.case_id WHERE f.batch_id = b.id), 0)
                 FROM field_batches b WHERE b.id = ?1"
                .to_string(),
        };
        let id = match target {
            FootageTarget::File(id) | FootageTarget::Batch(id) => id,
        };
        Ok(self
            .conn
            .query_row(&sql, params![id, caller.staff_id], |r| {
                let confidentiality: String = match target {
                    FootageTarget::File(_) => r.get(3)?,
                    FootageTarget::Batch(_) => {
                        if r.get::<_, bool>(3)? {
                            "state_secret".into()
                        } else {
                            "normal".into()
                        }
                    }
                };
                Ok(Facts {
                    agency_id: r.get(0)?,
                    recorded_it: r.get::<_, Option<bool>>(1)?.unwrap_or(false),
                    in_team: r.get(2)?,
                    secret: confidentiality == "state_secret",
                    needs_approval_by_case: matches!(
                        confidentiality.as_str(),
                        "trade_secret" | "personal_privacy"
                    ),
                })
            })
            .optional()?)
    }
}

fn decide(
    caller: &Caller,
    target: FootageTarget,
    facts: &Facts,
    what: RecordingUse,
    purpose: Option<&str>,
    approval: Option<String>,
    policy: &AccessPolicy,
) -> Result<(), StoreError> {
    let name = target.to_string();
    let refused = |message: String| Err(StoreError::Forbidden(message));
    if caller.role == Role::Supervisor {
        return match (what, facts.secret, purpose) {
            (RecordingUse::Export, _, _) => refused(format!(
                "the supervisor views footage and exports none; ask the agency for {name}"
            )),
            (_, true, _) => refused(format!(
                "{name} belongs to a case classified as a state secret (国家秘密); only its team may see it"
            )),
            (_, false, None) => refused(format!(
                "state the purpose of this supervision (purpose=…) to view {name}; it goes into the agency's access log"
            )),
            (_, false, Some(_)) => Ok(()),
        };
    }
    if caller.role != Role::Clerk || caller.agency_id.as_deref() != Some(&facts.agency_id) {
        return Err(StoreError::NotFound { what: name });
    }
    if facts.secret && what == RecordingUse::Export {
        return refused(format!(
            "{name} belongs to a case classified as a state secret (国家秘密); it is never exported through the site API"
        ));
    }
    if facts.in_team || facts.recorded_it && !facts.secret {
        return Ok(());
    }
    if facts.secret {
        return refused(format!(
            "{name} belongs to a case classified as a state secret (国家秘密); only its team may see it"
        ));
    }
    if policy.approval_required || facts.needs_approval_by_case {
        return match (approval, target) {
            (Some(_), _) => Ok(()),
            (None, FootageTarget::File(id)) => refused(format!(
                "you did not record {name}, and access to it needs an approval: ask with POST /api/footage/{id}/access-requests (stating the purpose) and an approver of your agency decides"
            )),
            (None, FootageTarget::Batch(_)) => refused(format!(
                "you did not record {name}, and your agency requires an approval: ask for each file you need (POST /api/footage/{{id}}/access-requests)"
            )),
        };
    }
    match (purpose, approval) {
        (Some(_), _) | (None, Some(_)) => Ok(()),
        (None, None) => refused(format!(
            "you did not record {name}: state why you need it (purpose=…); it goes into the access log"
        )),
    }
}
