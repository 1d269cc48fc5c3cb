//! Who is calling: every API call but `/api/health` carries `Authorization: Bearer <token>`,
//! and a clerk sees only the sessions of the agency the token was issued for. Each access to a
//! session (allowed or refused) is written to the append-only access log.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use records::api::{Caller, Role, SessionView};

use crate::api::{AppState, Failure};

/// A caller whose token is known and not revoked.
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let token = parts
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
            })?;
        match state.db.call(move |store| store.caller(&token)).await? {
            Some(caller) => Ok(Self(caller)),
            None => Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                "the token is unknown or revoked; ask the site administrator for a new one",
            )),
        }
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

    /// Lets the caller at a session only if it is a clerk of the session's agency; logs the
    /// access either way. Others get the same answer as for a session that does not exist, so
    /// nothing about another agency's work leaks.
    pub async fn session_access(
        &self,
        state: &AppState,
        id: i64,
        action: &str,
    ) -> Result<SessionView, Failure> {
        let found = state.db.call(move |store| store.session(id)).await;
        let allowed = match &found {
            Ok(view) => {
                self.0.role == Role::Clerk
                    && self.0.agency_id.as_deref() == Some(view.agency_id.as_str())
            }
            Err(_) => false,
        };
        let caller = self.0.clone();
        let action_owned = action.to_string();
        let reason = match (&found, allowed) {
            (Err(_), _) => "no such session",
            (Ok(_), false) => "the session belongs to another agency",
            (Ok(_), true) => "",
        };
        state
            .db
            .call(move |store| {
                store.log_access(
                    &caller,
                    &action_owned,
                    &format!("session {id}"),
                    allowed,
                    reason,
                )
            })
            .await?;
        match found {
            Ok(view) if allowed => Ok(view),
            _ => Err(Failure::new(
                StatusCode::NOT_FOUND,
                format!("session {id} not found"),
            )),
        }
    }
}
