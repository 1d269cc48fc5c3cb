//! Who may do what with a recorded session, decided in one place and logged every time,
//! allowed or refused:
//!
//! - only clerks of the session's agency; anyone else is told the session does not exist, so
//!   nothing about another agency's work leaks;
//! - the producing team (the case's handler and co-handlers, as the case names them) views and
//!   exports its recordings; whoever recorded a session views and exports that session, and
//!   gains nothing over the case's other recordings;
//! - anyone else of the agency states a purpose, and also needs an approved request when the
//!   agency requires approval or the case is a trade secret or personal privacy;
//! - a state secret is seen by the producing team only, and never exported through the API;
//! - the justice bureau's supervisor (执法监督) views any agency's recording, never exports one,
//!   and states the purpose of every view; its reads are logged under the owning agency.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

use crate::{AccessAttempt, Refusal, Store, StoreError};
use site_api::{
    APPROVAL_VALID_DAYS, AccessPolicy, AccessRequestView, Caller, PURPOSE_MAX_CHARS, RecordingUse,
    RequestState, Role, SessionView,
};

/// What a session's use is: a recording's view or export, or the recording's own control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAct {
    /// Start, stop, mark, pause, resume: the clerks of the agency, in the room.
    Control(&'static str),
    Use(RecordingUse),
}

impl SessionAct {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Control(name) => name,
            Self::Use(what) => what.as_str(),
        }
    }
}

/// A request's purpose, trimmed: 1 to [`PURPOSE_MAX_CHARS`] characters.
pub(crate) fn request_purpose(purpose: &str) -> Result<&str, StoreError> {
    let purpose = purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > PURPOSE_MAX_CHARS {
        return Err(StoreError::Invalid(format!(
            "a request needs its purpose, 1 to {PURPOSE_MAX_CHARS} characters (why you need the recording)"
        )));
    }
    Ok(purpose)
}

/// What a request for access names: a room session or a collected file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asked {
    Session(i64),
    Footage(i64),
}

impl Asked {
    fn column(self) -> &'static str {
        match self {
            Self::Session(_) => "session_id",
            Self::Footage(_) => "footage_id",
        }
    }

    fn id(self) -> i64 {
        match self {
            Self::Session(id) | Self::Footage(id) => id,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Session(_) => "session",
            Self::Footage(_) => "footage",
        }
    }
}

impl std::fmt::Display for Asked {
    /// As the access log names it: "session 7", "footage 12".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.noun(), self.id())
    }
}

struct Facts {
    agency_id: String,
    in_team: bool,
    /// The caller started this session (not another of the case).
    recorded_it: bool,
    confidentiality: String,
}

fn refused(message: String) -> StoreError {
    StoreError::Forbidden(message)
}

fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The supervisor's read of a recording: a view with a stated purpose, never an export, never
/// a state secret, never control. Supervision is the law's own purpose for reading, so the
/// agency's approval rule (which governs its own staff) does not apply; the purpose does.
fn supervised_view(
    id: i64,
    act: SessionAct,
    purpose: Option<&str>,
    facts: &Facts,
) -> Result<Option<String>, StoreError> {
    match act {
        SessionAct::Use(RecordingUse::View) => {}
        SessionAct::Use(RecordingUse::Export) => {
            return Err(refused(format!(
                "the supervisor views recordings and exports none; ask the agency for session {id}'s package"
            )));
        }
        SessionAct::Control(_) => {
            return Err(refused(
                "the supervisor controls no recording; only the agency's clerks in the room do"
                    .into(),
            ));
        }
    }
    if facts.confidentiality == "state_secret" {
        return Err(refused(format!(
            "session {id} belongs to a case classified as a state secret (国家秘密); only the team that produced it may see it"
        )));
    }
    match purpose {
        Some(_) => Ok(None),
        None => Err(refused(format!(
            "state the purpose of this supervision (purpose=…) to view session {id}; it goes into the agency's access log"
        ))),
    }
}

impl Store {
    /// Lets `caller` at session `id` for `act`, or says why not; either way the access is
    /// logged with who, what, when and the stated purpose.
    pub fn session_for(
        &mut self,
        caller: &Caller,
        id: i64,
        act: SessionAct,
        purpose: Option<&str>,
        policy: &AccessPolicy,
    ) -> Result<SessionView, StoreError> {
        let purpose = purpose.map(str::trim).filter(|p| !p.is_empty());
        let overlong = purpose.is_some_and(|p| p.chars().count() > PURPOSE_MAX_CHARS);
        let decided = if overlong {
            Err(StoreError::Invalid(format!(
                "a purpose is at most {PURPOSE_MAX_CHARS} characters: say briefly why you need the recording"
            )))
        } else {
            self.decide_session_access(caller, id, act, purpose, policy)
        };
        let purpose = purpose.map(|p| p.chars().take(PURPOSE_MAX_CHARS).collect::<String>());
        let purpose = purpose.as_deref();
        let owner = self.session_agency(id)?;
        let (allowed, why) = match &decided {
            Ok(_) => (true, String::new()),
            Err(StoreError::NotFound { .. }) if owner.is_some() => {
                (false, "the session belongs to another agency".into())
            }
            Err(StoreError::NotFound { .. }) => (false, "no such session".into()),
            Err(err) => (false, err.to_string()),
        };
        let stated = match (&decided, purpose) {
            (_, Some(p)) => p.to_string(),
            (Ok(granted), None) => granted.clone().unwrap_or_default(),
            (Err(_), None) => String::new(),
        };
        self.log_access(
            caller,
            &AccessAttempt {
                action: act.as_str(),
                target: &format!("session {id}"),
                allowed,
                reason: &why,
                purpose: &stated,
                owner_agency: owner.as_deref(),
            },
        )?;
        decided?;
        self.session(id)
    }

    /// The agency whose session `id` is, if there is one.
    fn session_agency(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT agency_id FROM sessions WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Ok with the purpose of the approved request it relies on (if any), or why not.
    fn decide_session_access(
        &self,
        caller: &Caller,
        id: i64,
        act: SessionAct,
        purpose: Option<&str>,
        policy: &AccessPolicy,
    ) -> Result<Option<String>, StoreError> {
        let facts = self.access_facts(caller, id)?;
        let not_found = || StoreError::NotFound {
            what: format!("session {id}"),
        };
        if caller.role == Role::Supervisor {
            return supervised_view(id, act, purpose, &facts);
        }
        if caller.role != Role::Clerk || caller.agency_id.as_deref() != Some(&facts.agency_id) {
            return Err(not_found());
        }
        let SessionAct::Use(what) = act else {
            return Ok(None);
        };
        let secret = facts.confidentiality == "state_secret";
        if secret && what == RecordingUse::Export {
            return Err(refused(format!(
                "session {id} belongs to a case classified as a state secret (国家秘密); it is never exported through the site API. Copies go through the agency's secrecy office"
            )));
        }
        if facts.in_team || facts.recorded_it && !secret {
            return Ok(None);
        }
        if secret {
            return Err(refused(format!(
                "session {id} belongs to a case classified as a state secret (国家秘密); only the team that produced it may see it"
            )));
        }
        let approval = self.approved_request(id, caller.who(), what)?;
        let needs_approval = policy.approval_required
            || matches!(
                facts.confidentiality.as_str(),
                "trade_secret" | "personal_privacy"
            );
        match (needs_approval, approval, purpose) {
            (true, Some(approved), _) => Ok(Some(approved)),
            (true, None, _) => Err(refused(format!(
                "you did not record this case, and access to session {id} needs an approval: ask with POST /api/sessions/{id}/access-requests (stating the purpose) and an approver of your agency decides"
            ))),
            (false, _, Some(_)) => Ok(None),
            (false, Some(approved), None) => Ok(Some(approved)),
            (false, None, None) => Err(refused(format!(
                "you did not record this case: state why you need session {id} (purpose=…); it goes into the access log"
            ))),
        }
    }

    /// Whose session it is and how secret its case is; whether the caller is on the case's
    /// producing team (its handler or a co-handler, as the case names them: recording a session
    /// joins no team), or recorded this very session.
    fn access_facts(&self, caller: &Caller, id: i64) -> Result<Facts, StoreError> {
        self.conn
            .query_row(
                "SELECT s.agency_id,
                        ?3 IS NOT NULL AND (coalesce(c.handler_id = ?3, 0)
                          OR EXISTS (SELECT 1 FROM json_each(c.co_handlers) WHERE value = ?3)),
                        s.started_by = ?2,
                        c.confidentiality
                 FROM sessions s JOIN cases c ON c.id = s.case_id WHERE s.id = ?1",
                params![id, caller.who(), caller.staff_id],
                |r| {
                    Ok(Facts {
                        agency_id: r.get(0)?,
                        in_team: r.get(1)?,
                        recorded_it: r.get(2)?,
                        confidentiality: r.get(3)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("session {id}"),
            })
    }

    /// The purpose of the caller's latest approval for `what` on session `id` still valid; an
    /// approval to export also lets the requester view.
    fn approved_request(
        &self,
        id: i64,
        who: &str,
        what: RecordingUse,
    ) -> Result<Option<String>, StoreError> {
        self.approval_for(Asked::Session(id), who, what)
    }

    /// The purpose of `who`'s latest approval for `what` on a session or a collected file,
    /// still valid; an approval to export also lets the requester view.
    pub(crate) fn approval_for(
        &self,
        asked: Asked,
        who: &str,
        what: RecordingUse,
    ) -> Result<Option<String>, StoreError> {
        let since = (Utc::now() - Duration::days(APPROVAL_VALID_DAYS)).to_rfc3339();
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT purpose FROM access_requests
                     WHERE {} = ?1 AND requested_by = ?2 AND approved = 1
                       AND decided_at >= ?3 AND (action = ?4 OR action = 'export')
                     ORDER BY id DESC LIMIT 1",
                    asked.column()
                ),
                params![asked.id(), who, since, what.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Files a request by `caller` of `agency` (checked by the caller) for `asked`, and logs it.
    pub(crate) fn file_request(
        &mut self,
        caller: &Caller,
        asked: Asked,
        agency: &str,
        what: RecordingUse,
        purpose: &str,
    ) -> Result<AccessRequestView, StoreError> {
        self.conn.execute(
            &format!(
                "INSERT INTO access_requests ({}, agency_id, requested_by, action, purpose,
                                              requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                asked.column()
            ),
            params![
                asked.id(),
                agency,
                caller.who(),
                what.as_str(),
                purpose,
                Utc::now().to_rfc3339()
            ],
        )?;
        let request = self.conn.last_insert_rowid();
        self.log_access(
            caller,
            &AccessAttempt {
                action: &format!("request {}", what.as_str()),
                target: &asked.to_string(),
                allowed: true,
                reason: &format!("request {request}"),
                purpose,
                owner_agency: None,
            },
        )?;
        self.access_request(request)
    }

    /// Logs a refused request for `asked` (another agency's, or none) and answers "not found".
    pub(crate) fn refuse_request(
        &mut self,
        caller: &Caller,
        asked: Asked,
        owner: Option<&str>,
        what: RecordingUse,
        purpose: &str,
    ) -> StoreError {
        let logged = self.log_access(
            caller,
            &AccessAttempt {
                action: &format!("request {}", what.as_str()),
                target: &asked.to_string(),
                allowed: false,
                reason: &format!("no such {} for this agency", asked.noun()),
                purpose,
                owner_agency: owner,
            },
        );
        match logged {
            Ok(()) => StoreError::NotFound {
                what: asked.to_string(),
            },
            Err(err) => err,
        }
    }

    /// Asks to view or export a recording; an approver of the agency decides.
    pub fn request_access(
        &mut self,
        caller: &Caller,
        id: i64,
        what: RecordingUse,
        purpose: &str,
    ) -> Result<AccessRequestView, StoreError> {
        let purpose = request_purpose(purpose)?;
        let facts = self.access_facts(caller, id);
        match facts {
            Ok(f)
                if caller.role == Role::Clerk
                    && caller.agency_id.as_deref() == Some(&f.agency_id) =>
            {
                self.file_request(caller, Asked::Session(id), &f.agency_id, what, purpose)
            }
            _ => {
                let owner = self.session_agency(id)?;
                Err(self.refuse_request(
                    caller,
                    Asked::Session(id),
                    owner.as_deref(),
                    what,
                    purpose,
                ))
            }
        }
    }

    /// An approver's answer to a request: once, by an approver of the agency who did not ask.
    pub fn decide_access(
        &mut self,
        approver: &Caller,
        request: i64,
        approve: bool,
        note: &str,
        policy: &AccessPolicy,
    ) -> Result<AccessRequestView, StoreError> {
        let found = self.access_request(request)?;
        let agency: String = self.conn.query_row(
            "SELECT agency_id FROM access_requests WHERE id = ?1",
            params![request],
            |r| r.get(0),
        )?;
        if approver.agency_id.as_deref() != Some(&agency) {
            return Err(StoreError::NotFound {
                what: format!("access request {request}"),
            });
        }
        let is_approver = approver
            .staff_id
            .as_ref()
            .is_some_and(|id| policy.approvers.contains(id));
        let outcome = if !is_approver {
            Err(StoreError::Forbidden(format!(
                "{} is not an approver of recordings for agency {agency}; the site file names them (access_approvers)",
                approver.who()
            )))
        } else if found.requested_by == approver.who() {
            Err(StoreError::Forbidden(
                "nobody approves their own request; another approver must".into(),
            ))
        } else if found.state != RequestState::Pending {
            Err(Refusal::RequestDecided { request }.into())
        } else if !approve && note.trim().is_empty() {
            Err(StoreError::Invalid(
                "a refusal needs a note that says why".into(),
            ))
        } else {
            Ok(())
        };
        let verb = if approve { "approve" } else { "refuse" };
        let target = match (found.session_id, found.footage_id) {
            (Some(session), _) => Asked::Session(session).to_string(),
            (None, Some(footage)) => Asked::Footage(footage).to_string(),
            (None, None) => format!("request {request}"),
        };
        if let Err(err) = outcome {
            self.log_access(
                approver,
                &AccessAttempt {
                    action: verb,
                    target: &target,
                    allowed: false,
                    reason: &err.to_string(),
                    purpose: &found.purpose,
                    owner_agency: None,
                },
            )?;
            return Err(err);
        }
        self.conn.execute(
            "UPDATE access_requests SET decided_by = ?2, decided_at = ?3, approved = ?4, note = ?5
             WHERE id = ?1",
            params![
                request,
                approver.who(),
                Utc::now().to_rfc3339(),
                approve,
                note.trim()
            ],
        )?;
        self.log_access(
            approver,
            &AccessAttempt {
                action: verb,
                target: &target,
                allowed: true,
                reason: &format!("request {request}"),
                purpose: &found.purpose,
                owner_agency: None,
            },
        )?;
        self.access_request(request)
    }

    pub fn access_request(&self, request: i64) -> Result<AccessRequestView, StoreError> {
        self.access_requests_where("r.id = ?1", params![request])?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("access request {request}"),
            })
    }

    /// An agency's requests, newest first.
    pub fn access_requests(&self, agency_id: &str) -> Result<Vec<AccessRequestView>, StoreError> {
        self.access_requests_where("r.agency_id = ?1", params![agency_id])
    }

    fn access_requests_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<AccessRequestView>, StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT r.id, r.session_id, coalesce(c.number, ''), r.requested_by, r.action,
                    r.purpose, r.requested_at, r.approved, r.decided_by, r.decided_at, r.note,
                    r.footage_id
             FROM access_requests r LEFT JOIN sessions s ON s.id = r.session_id
                  LEFT JOIN field_files f ON f.id = r.footage_id
                  LEFT JOIN cases c ON c.id = coalesce(s.case_id, f.case_id)
             WHERE {filter} ORDER BY r.id DESC"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let approved: Option<bool> = r.get(7)?;
            Ok(AccessRequestView {
                id: r.get(0)?,
                session_id: r.get(1)?,
                case_number: r.get(2)?,
                requested_by: r.get(3)?,
                what: RecordingUse::parse(&r.get::<_, String>(4)?).unwrap_or(RecordingUse::View),
                purpose: r.get(5)?,
                requested_at: time(r.get(6)?).unwrap_or_default(),
                state: match approved {
                    None => RequestState::Pending,
                    Some(true) => RequestState::Approved,
                    Some(false) => RequestState::Refused,
                },
                decided_by: r.get(8)?,
                decided_at: time(r.get(9)?),
                note: r.get(10)?,
                footage_id: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use site_api::Confidentiality;

    fn clerk(name: &str, staff: &str) -> Caller {
        Caller {
            name: name.into(),
            role: Role::Clerk,
            agency_id: Some("a".into()),
            staff: Some(name.into()),
            staff_id: Some(staff.into()),
        }
    }

    #[test]
    fn outside_the_team_a_purpose_and_where_required_an_approval() {
        let (_dir, mut store) = crate::test_site::store(&["a"]);
        let id = crate::test_site::session(&mut store, "a", "A-1", "录制人");
        let recorder = clerk("录制人", "s1");
        let colleague = clerk("同事", "s2");
        let approver = clerk("负责人", "boss");
        let open = AccessPolicy::default();
        let view = SessionAct::Use(RecordingUse::View);
        let export = SessionAct::Use(RecordingUse::Export);

        store
            .session_for(&recorder, id, export, None, &open)
            .expect("team exports");
        let err = store
            .session_for(&colleague, id, view, None, &open)
            .unwrap_err();
        assert!(err.to_string().contains("purpose"), "{err}");
        store
            .session_for(&colleague, id, view, Some("复议答复"), &open)
            .expect("a stated purpose is enough here");

        let strict = AccessPolicy {
            approval_required: true,
            approvers: vec!["boss".into()],
        };
        let err = store
            .session_for(&colleague, id, view, Some("复议答复"), &strict)
            .unwrap_err();
        assert!(err.to_string().contains("access-requests"), "{err}");
        let request = store
            .request_access(&colleague, id, RecordingUse::Export, "行政诉讼举证")
            .expect("request");
        assert!(
            store
                .decide_access(&colleague, request.id, true, "", &strict)
                .is_err(),
            "not an approver"
        );
        let decided = store
            .decide_access(&approver, request.id, true, "同意", &strict)
            .expect("approve");
        assert_eq!(decided.state, RequestState::Approved);
        assert!(
            store
                .decide_access(&approver, request.id, false, "no", &strict)
                .is_err(),
            "once"
        );
        store
            .session_for(&colleague, id, export, None, &strict)
            .expect("approved export");
        store
            .session_for(&colleague, id, view, None, &strict)
            .expect("export covers view");

        // A state secret: the team may see it, nobody exports it, nobody else sees it.
        let secret = site_api::PrepareCase {
            confidentiality: Some(Confidentiality::StateSecret),
            ..Default::default()
        };
        crate::test_site::describe(&mut store, "a", "A-1", secret);
        // A co-handler named in the records directly: prepare_case wants staff rows for it.
        store
            .conn
            .execute(
                "UPDATE cases SET co_handlers = '[\"s9\"]' WHERE number = 'A-1'",
                [],
            )
            .expect("a co-handler");
        let team = clerk("协办人", "s9");
        store
            .session_for(&team, id, view, None, &open)
            .expect("team views");
        assert!(
            store.session_for(&team, id, export, None, &open).is_err(),
            "never exported"
        );
        assert!(
            store.session_for(&recorder, id, view, None, &open).is_err(),
            "recording a session puts nobody on a state secret's team"
        );
        assert!(
            store
                .session_for(&colleague, id, export, None, &strict)
                .is_err()
        );

        let log = store.access_log().expect("log");
        let colleague_views: Vec<_> = log
            .iter()
            .filter(|e| e.who == "同事" && e.action == "view")
            .collect();
        assert_eq!(
            colleague_views.len(),
            4,
            "every view is logged, allowed or not: {log:#?}"
        );
        assert!(
            colleague_views
                .iter()
                .any(|e| e.allowed && e.purpose == "复议答复")
        );
        assert!(
            colleague_views
                .iter()
                .any(|e| e.allowed && e.purpose == "行政诉讼举证"),
            "an approved access carries the request's purpose"
        );
    }
}
