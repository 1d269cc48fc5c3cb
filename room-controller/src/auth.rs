//! Who is calling: every API call but `/api/health` carries `Authorization: Bearer <token>`,
//! and a clerk sees only the sessions of the agency the token was issued for. Each access to a
//! session (allowed or refused) is written to the append-only access log.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use records::AccessAttempt;
use records::footage_access::FootageTarget;
use records::recording_access::SessionAct;
use site_api::{Caller, RecordingUse, Role, SessionView};

use crate::api::{AppState, Failure};
use crate::refusal_limit::{Gate, REFUSALS_PER_MINUTE};

/// A caller whose token is known and not revoked.
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let token = bearer_token(parts)?;
        let caller = state.db.read(move |store| store.caller(&token)).await?;
        admitted(caller, &parts.method).map(Self)
    }
}

/// A token to be checked on the records writer, in the same call as the write it comes with:
/// for the hall's counters and kiosks, the site's most frequent writes, a check on a reader
/// first would cost every call a second trip between threads. The same rules as
/// [`Authenticated`]; the check sees every change to tokens and staff committed before it.
pub struct CheckedOnWrite {
    token: String,
    method: Method,
}

impl FromRequestParts<AppState> for CheckedOnWrite {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Failure> {
        Ok(Self {
            token: bearer_token(parts)?,
            method: parts.method.clone(),
        })
    }
}

impl CheckedOnWrite {
    /// Checks the token, then runs `write` for the caller it belongs to, both in one call of
    /// the records writer. A refused token writes nothing.
    pub async fn write<T, F>(self, state: &AppState, write: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&mut records::Store, Caller) -> Result<T, records::StoreError> + Send + 'static,
    {
        let Self { token, method } = self;
        let checked = state
            .db
            .call(move |store| {
                let caller = store.caller(&token)?;
                Ok(admitted(caller, &method).map(|caller| write(store, caller)))
            })
            .await?;
        Ok(checked??)
    }

    /// The answer to a request that cannot be carried out as sent (`failure`, a bad body): a
    /// refused token is still answered first, as for every other call, so that nobody learns
    /// what a call takes without a token that may make it.
    pub async fn refused_first(self, state: &AppState, failure: Failure) -> Failure {
        let Self { token, method } = self;
        match state.db.read(move |store| store.caller(&token)).await {
            Ok(caller) => admitted(caller, &method).err().unwrap_or(failure),
            Err(err) => err.into(),
        }
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer_token(parts: &Parts) -> Result<String, Failure> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(|token| token.trim().to_string())
        .ok_or_else(|| {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                "this call needs a token: send `Authorization: Bearer <token>` (issue one with `room-controller token issue`)",
            )
        })
}

/// Whether the records' answer for a token lets it make a call with `method`.
fn admitted(caller: Option<Caller>, method: &Method) -> Result<Caller, Failure> {
    match caller {
        // Read-only by construction: no route that changes anything (and every such route
        // is a POST, PUT or DELETE) is left to remember to refuse the supervisor.
        Some(caller)
            if caller.role == Role::Supervisor
                && !matches!(*method, Method::GET | Method::HEAD) =>
        {
            Err(Failure::new(
                StatusCode::FORBIDDEN,
                "the supervisor's token reads and changes nothing; ask the agency concerned to act",
            ))
        }
        Some(caller) => Ok(caller),
        None => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "the token is unknown or revoked; ask the site administrator for a new one",
        )),
    }
}

impl Authenticated {
    /// Only a clerk may record; returns the agency the clerk acts for.
    pub fn clerk_agency(&self) -> Result<String, Failure> {
        match (&self.0.role, &self.0.agency_id) {
            (Role::Clerk, Some(agency)) => Ok(agency.clone()),
            _ => Err(Failure::new(
                StatusCode::FORBIDDEN,
                format!(
                    "a {} token cannot record or read sessions; use a clerk's token",
                    self.0.role.as_str()
                ),
            )),
        }
    }

    /// Lets the caller at a session for a control action (start, stop, mark, pause, resume):
    /// clerks of the session's agency only. Logged either way; others get the same answer as
    /// for a session that does not exist, so nothing about another agency's work leaks.
    pub async fn session_access(
        &self,
        state: &AppState,
        id: i64,
        action: &'static str,
    ) -> Result<SessionView, Failure> {
        self.session_for(state, id, SessionAct::Control(action), None)
            .await
    }

    /// Lets the caller view or export a recording under the agency's access rules (see
    /// `records::recording_access`): outside the producing team, a stated purpose and, where
    /// required, an approval. Logged either way, with the purpose.
    pub async fn recording_access(
        &self,
        state: &AppState,
        id: i64,
        what: RecordingUse,
        purpose: Option<String>,
    ) -> Result<SessionView, Failure> {
        self.session_for(state, id, SessionAct::Use(what), purpose)
            .await
    }

    async fn session_for(
        &self,
        state: &AppState,
        id: i64,
        act: SessionAct,
        purpose: Option<String>,
    ) -> Result<SessionView, Failure> {
        self.held_back(state, act.as_str(), format!("session {id}"))
            .await?;
        self.decided(state, move |store, caller, policy| {
            store.session_for(caller, id, act, purpose.as_deref(), policy)
        })
        .await
    }

    /// Lets the caller at collected field footage under the same rules as recordings (see
    /// `records::footage_access`); logged either way, refusals held back as for sessions.
    pub async fn footage_access(
        &self,
        state: &AppState,
        target: FootageTarget,
        what: RecordingUse,
        purpose: Option<String>,
    ) -> Result<(), Failure> {
        self.held_back(state, what.as_str(), target.to_string())
            .await?;
        self.decided(state, move |store, caller, policy| {
            store.footage_for(caller, target, what, purpose.as_deref(), policy)
        })
        .await
    }

    /// Runs an access decision of the records (which logs it) under the caller's agency's
    /// policy; a refusal counts towards the caller's refusals this minute.
    async fn decided<T: Send + 'static>(
        &self,
        state: &AppState,
        decide: impl FnOnce(
            &mut records::Store,
            &Caller,
            &site_api::AccessPolicy,
        ) -> Result<T, records::StoreError>
        + Send
        + 'static,
    ) -> Result<T, Failure> {
        let caller = self.0.clone();
        let token = caller.name.clone();
        let policy = state.access_policy(caller.agency_id.as_deref());
        let decided = state
            .db
            .call_durably(move |store| decide(store, &caller, &policy))
            .await;
        if decided.is_err() {
            state.refusals.refused(&token);
        }
        Ok(decided?)
    }

    /// Refuses a kiosk outright, and a token past its refusals this minute (with one summary
    /// line in the log, so that the log cannot be flooded).
    async fn held_back(
        &self,
        state: &AppState,
        action: &'static str,
        target: String,
    ) -> Result<(), Failure> {
        if self.0.role == Role::Kiosk {
            // A public screen never reaches a recording, and never writes to the access log.
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "a kiosk token reaches no recording; screens show rooms only",
            ));
        }
        let caller = self.0.clone();
        let token = caller.name.clone();
        if let Gate::HeldBack { write_summary } = state.refusals.check(&token) {
            if write_summary {
                state
                    .db
                    .call(move |store| {
                        let reason = format!(
                            "more than {REFUSALS_PER_MINUTE} refused attempts within a minute; further attempts this minute are refused without a row each"
                        );
                        store.log_access(
                            &caller,
                            &AccessAttempt {
                                action,
                                target: &target,
                                allowed: false,
                                reason: &reason,
                                purpose: "",
                                owner_agency: None,
                            },
                        )
                    })
                    .await?;
            }
            return Err(Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many refused attempts: more than {REFUSALS_PER_MINUTE} within a minute; wait a minute, and ask an approver if you need this recording"
                ),
            ));
        }
        Ok(())
    }
}
