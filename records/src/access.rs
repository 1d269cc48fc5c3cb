//! Who may call the site API (tokens) and the append-only log of every access to recordings.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::{Refusal, Store, StoreError};
use site_api::{AccessEntry, Caller, Role, StaffRole};

/// A token as `token list` shows it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub agency_id: Option<String>,
    pub created_at: String,
    pub revoked: bool,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// One access to a recording, or an attempt, as the access log keeps it.
#[derive(Debug, Clone, Copy)]
pub struct AccessAttempt<'a> {
    /// view, export, stop, …
    pub action: &'a str,
    /// e.g. "session 12".
    pub target: &'a str,
    pub allowed: bool,
    /// Why it was refused; empty when allowed.
    pub reason: &'a str,
    /// Why the caller wanted it, as they stated it.
    pub purpose: &'a str,
    /// The agency whose recording it was, when known: the attempt shows in its log too.
    pub owner_agency: Option<&'a str>,
}

impl Store {
    /// Issues a new token and returns it; only its hash is kept, so it is shown once.
    pub fn issue_token(
        &mut self,
        name: &str,
        role: Role,
        agency_id: Option<&str>,
    ) -> Result<String, StoreError> {
        match (role, agency_id) {
            (Role::Clerk, None) => {
                return Err(Refusal::ClerkWithoutAgency.into());
            }
            (Role::Kiosk | Role::Admin | Role::Supervisor, Some(_)) => {
                return Err(Refusal::AgencyNotForRole {
                    role: role.as_str().to_string(),
                }
                .into());
            }
            _ => {}
        }
        if let Some(agency) = agency_id {
            let known: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM agencies WHERE id = ?1)",
                params![agency],
                |r| r.get(0),
            )?;
            if !known {
                return Err(Refusal::UnknownAgency {
                    agency: agency.to_string(),
                }
                .into());
            }
        }
        self.insert_token(name, role, agency_id, None)
    }

    /// Issues a token that stands for a staff member: it acts for their agency, and what it
    /// does is recorded as done by them. Clerks and reviewers get a clerk's token, admins an
    /// admin's.
    pub fn issue_staff_token(&mut self, name: &str, staff_id: &str) -> Result<String, StoreError> {
        let member = self.staff_member(staff_id)?;
        match member.role {
            StaffRole::Clerk | StaffRole::Reviewer | StaffRole::Counsel | StaffRole::Head => {
                self.insert_token(name, Role::Clerk, Some(&member.agency_id), Some(staff_id))
            }
            StaffRole::Admin => self.insert_token(name, Role::Admin, None, Some(staff_id)),
            StaffRole::Facilities => {
                Err(Refusal::NoTokenForFacilities { name: member.name }.into())
            }
        }
    }

    fn insert_token(
        &mut self,
        name: &str,
        role: Role,
        agency_id: Option<&str>,
        staff_id: Option<&str>,
    ) -> Result<String, StoreError> {
        let token = format!("lh_{}", hex::encode(crate::random_bytes::<32>()?));
        let inserted = self.conn.execute(
            "INSERT INTO api_tokens (name, token_sha256, role, agency_id, created_at, staff_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name) DO NOTHING",
            params![
                name,
                digest(&token),
                role.as_str(),
                agency_id,
                Utc::now().to_rfc3339(),
                staff_id
            ],
        )?;
        if inserted == 0 {
            return Err(Refusal::TokenNameTaken {
                name: name.to_string(),
            }
            .into());
        }
        Ok(token)
    }

    /// The caller a token stands for, if it is known and not revoked.
    pub fn caller(&self, token: &str) -> Result<Option<Caller>, StoreError> {
        // Every API call asks this: the statement is prepared once.
        Ok(self
            .conn
            .prepare_cached(
                "SELECT t.name, t.role, t.agency_id, s.name || '（执法证 ' || s.credential_number || '）',
                        s.id
                 FROM api_tokens t LEFT JOIN staff s ON s.id = t.staff_id
                 WHERE t.token_sha256 = ?1 AND t.revoked_at IS NULL
                   AND (t.staff_id IS NULL OR s.active = 1)",
            )?
            .query_row(
                params![digest(token)],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?, row.get::<_, Option<String>>(3)?, row.get::<_, Option<String>>(4)?)),
            )
            .optional()?
            .and_then(|(name, role, agency_id, staff, staff_id)| Some(Caller { name, role: Role::parse(&role)?, agency_id, staff, staff_id })))
    }

    pub fn revoke_token(&mut self, name: &str) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE api_tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
            params![name, Utc::now().to_rfc3339()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("an active token named \"{name}\""),
            });
        }
        Ok(())
    }

    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, agency_id, created_at, revoked_at IS NOT NULL FROM api_tokens ORDER BY id")?;
        let rows = stmt
            .query_map([], |row| {
                Ok(TokenInfo {
                    name: row.get(0)?,
                    role: Role::parse(&row.get::<_, String>(1)?).unwrap_or(Role::Kiosk),
                    agency_id: row.get(2)?,
                    created_at: row.get(3)?,
                    revoked: row.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Appends one access, allowed or refused. There is no call to change or remove one.
    pub fn log_access(
        &mut self,
        caller: &Caller,
        attempt: &AccessAttempt<'_>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO access_log (at, who, agency_id, action, target, allowed, reason, purpose,
                                     owner_agency_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                Utc::now().to_rfc3339(),
                caller.who(),
                caller.agency_id,
                attempt.action,
                attempt.target,
                attempt.allowed,
                attempt.reason,
                attempt.purpose,
                attempt.owner_agency
            ],
        )?;
        Ok(())
    }

    /// The access log, oldest first.
    pub fn access_log(&self) -> Result<Vec<AccessEntry>, StoreError> {
        self.access_log_of(None, 0, u32::MAX)
    }

    /// The access log, oldest first, from the line after `after`, at most `limit` lines; with
    /// `agency`, the accesses by that agency's callers and the attempts on that agency's
    /// recordings by anyone.
    pub fn access_log_of(
        &self,
        agency: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AccessEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, who, agency_id, action, target, allowed, reason, purpose
             FROM access_log
             WHERE id > ?2 AND (?1 IS NULL OR agency_id = ?1 OR owner_agency_id = ?1)
             ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![agency, after, limit], access_entry)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The latest `limit` lines of the whole access log, newest first (the supervisor's view).
    pub fn access_log_latest(&self, limit: u32) -> Result<Vec<AccessEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, who, agency_id, action, target, allowed, reason, purpose
             FROM access_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt
            .query_map(params![limit], access_entry)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

fn access_entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccessEntry> {
    Ok(AccessEntry {
        id: row.get(0)?,
        at: chrono::DateTime::parse_from_rfc3339(&row.get::<_, String>(1)?)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
        who: row.get(2)?,
        agency_id: row.get(3)?,
        action: row.get(4)?,
        target: row.get(5)?,
        allowed: row.get(6)?,
        reason: row.get(7)?,
        purpose: row.get(8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_stands_for_its_caller_until_revoked() {
        let (_dir, mut store) = crate::test_site::store(&[]);
        let token = store
            .issue_token("王芳", Role::Clerk, Some("a"))
            .expect("issue");
        let caller = store.caller(&token).expect("lookup").expect("known");
        assert_eq!(
            (caller.role, caller.agency_id.as_deref()),
            (Role::Clerk, Some("a"))
        );
        assert_eq!(store.caller("lh_guess").expect("lookup"), None);
        assert!(
            store.issue_token("王芳", Role::Clerk, Some("a")).is_err(),
            "names are unique"
        );
        assert!(
            store.issue_token("x", Role::Clerk, None).is_err(),
            "a clerk needs an agency"
        );
        assert!(
            store.issue_token("y", Role::Clerk, Some("nope")).is_err(),
            "the agency must exist"
        );
        store.revoke_token("王芳").expect("revoke");
        assert_eq!(store.caller(&token).expect("lookup"), None, "revoked");
        let listed = store.tokens().expect("list");
        assert!(listed[0].revoked);
    }
}
