//! Recorded sessions in the records: made when a clerk starts one, moved through their states as
//! the pipeline reports, with their markers and events, read back as the case file needs them.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::now;
use crate::{Refusal, Store, StoreError};
use site_api::{ActionType, EventView, SessionState, SessionView};

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub room_id: &'a str,
    pub agency_id: &'a str,
    pub case_number: &'a str,
    pub media_dir: &'a str,
    pub recorded_with: &'a serde_json::Value,
    /// Who starts it (see `Caller::who`).
    pub started_by: &'a str,
}

pub(crate) fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

impl Store {
    /// Records a new session in state `starting`, creating the case if the agency has none by
    /// that number. Refused when the agency may not use the room or the room is busy.
    pub fn create_session(&mut self, new: &NewSession<'_>) -> Result<i64, StoreError> {
        let case_number = crate::case_number(new.case_number)?;
        let tx = self.change()?;
        let allowed: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM room_agencies WHERE room_id = ?1 AND agency_id = ?2)",
            params![new.room_id, new.agency_id],
            |row| row.get(0),
        )?;
        if !allowed {
            return Err(Refusal::RoomNotShared {
                agency: new.agency_id.to_string(),
                room: new.room_id.to_string(),
            }
            .into());
        }
        let busy: Option<(i64, String)> = tx
            .query_row(
                &format!(
                    "SELECT id, state FROM sessions WHERE room_id = ?1
                     AND state IN ({}) LIMIT 1",
                    holding_room_states()
                ),
                params![new.room_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((other, state)) = busy {
            let what = match state.as_str() {
                "paused" | "interrupted" => "resume it and stop it, or stop it as it is",
                _ => "stop it first",
            };
            return Err(Refusal::RoomHeld {
                room: new.room_id.to_string(),
                session: other,
                state,
                what: what.to_string(),
            }
            .into());
        }
        tx.execute(
            "INSERT INTO cases (agency_id, number) VALUES (?1, ?2)
             ON CONFLICT (agency_id, number) DO NOTHING",
            params![new.agency_id, case_number],
        )?;
        let case_id: i64 = tx.query_row(
            "SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2",
            params![new.agency_id, case_number],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO sessions (agency_id, case_id, room_id, state, recorded_with, media_dir, created_at, started_by)
             VALUES (?1, ?2, ?3, 'starting', ?4, ?5, ?6, ?7)",
            params![
                new.agency_id,
                case_id,
                new.room_id,
                new.recorded_with.to_string(),
                new.media_dir,
                now(),
                new.started_by
            ],
        )?;
        let id = tx.last_insert_rowid();
        insert_event(&tx, id, "created", &case_number)?;
        tx.commit()?;
        Ok(id)
    }

    /// Moves a session to a new state and records the change as an event. Recording stamps the
    /// start time; the end states stamp the end time.
    pub fn set_state(
        &mut self,
        id: i64,
        state: SessionState,
        failure: Option<&str>,
    ) -> Result<(), StoreError> {
        let tx = self.change()?;
        let current: Option<String> = tx
            .query_row(
                "SELECT state FROM sessions WHERE id = ?1",
                params![id],
                |row| row.get(0),
            )
            .optional()?;
        let current = current.ok_or_else(|| StoreError::NotFound {
            what: format!("session {id}"),
        })?;
        let current = SessionState::parse(&current).unwrap_or(SessionState::Failed);
        if !current.can_become(state) {
            return Err(StoreError::IllegalTransition {
                session: id,
                from: current,
                to: state,
            });
        }
        let at = now();
        let changed = match state {
            SessionState::Recording => tx.execute(
                "UPDATE sessions SET state = ?2, started_at = COALESCE(started_at, ?3) WHERE id = ?1",
                params![id, state.as_str(), at],
            )?,
            SessionState::Finished | SessionState::Interrupted | SessionState::Failed => tx.execute(
                "UPDATE sessions SET state = ?2, failure = COALESCE(?3, failure), ended_at = ?4 WHERE id = ?1",
                params![id, state.as_str(), failure, at],
            )?,
            SessionState::Starting | SessionState::Stopping | SessionState::Paused => tx.execute(
                "UPDATE sessions SET state = ?2 WHERE id = ?1",
                params![id, state.as_str()],
            )?,
        };
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("session {id}"),
            });
        }
        insert_event(&tx, id, state.as_str(), failure.unwrap_or(""))?;
        tx.commit()?;
        Ok(())
    }

    /// A clerk's marker in a running session (e.g. "已告知当事人权利义务"), kept as an event
    /// with the time it was added. Only while the session is recording.
    pub fn add_marker(&mut self, id: i64, text: &str) -> Result<(), StoreError> {
        let tx = self.change()?;
        let state: Option<String> = tx
            .query_row(
                "SELECT state FROM sessions WHERE id = ?1",
                params![id],
                |row| row.get(0),
            )
            .optional()?;
        match state.as_deref() {
            None => {
                return Err(StoreError::NotFound {
                    what: format!("session {id}"),
                });
            }
            Some("recording") => {}
            Some(other) => {
                return Err(Refusal::NotRecording {
                    session: id,
                    state: other.to_string(),
                }
                .into());
            }
        }
        insert_event(&tx, id, "marker", text)?;
        tx.commit()?;
        Ok(())
    }

    /// Notes the format one stream of a track reached its files in (`format`: the media's
    /// own figures: codec, size, frame rate, sample rate), appended to the session's
    /// `recorded_with.as_recorded` with the time it was seen, so the manifest states what was
    /// recorded beside what the profiles expected.
    pub fn note_recorded_format(
        &mut self,
        id: i64,
        track: &str,
        stream: &str,
        format: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let mut entry = serde_json::json!({ "track": track, "stream": stream, "since": now() });
        if let (Some(entry), Some(format)) = (entry.as_object_mut(), format.as_object()) {
            entry.extend(format.clone());
        }
        let changed = self.conn.execute(
            "UPDATE sessions SET recorded_with = json_insert(
                 json_insert(recorded_with, '$.as_recorded', json('[]')),
                 '$.as_recorded[#]', json(?2))
             WHERE id = ?1",
            params![id, entry.to_string()],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("session {id}"),
            });
        }
        Ok(())
    }

    pub fn add_event(&mut self, id: i64, kind: &str, detail: &str) -> Result<(), StoreError> {
        insert_event(&self.conn, id, kind, detail)?;
        Ok(())
    }

    /// Sessions that were starting, recording or stopping: after a restart these are the ones
    /// whose recorder died.
    pub fn unfinished_sessions(&self) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM sessions WHERE state IN ('starting', 'recording', 'stopping') ORDER BY id",
        )?;
        let ids = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    pub fn session(&self, id: i64) -> Result<SessionView, StoreError> {
        let mut view = self
            .conn
            .query_row(
                "SELECT s.id, s.room_id, s.agency_id, a.name, c.number, s.state, s.failure,
                        s.recorded_with, s.media_dir, s.created_at, s.started_at, s.ended_at,
                        s.started_by, c.action_type, c.party
                 FROM sessions s JOIN agencies a ON a.id = s.agency_id JOIN cases c ON c.id = s.case_id
                 WHERE s.id = ?1",
                params![id],
                |row| {
                    let state: String = row.get(5)?;
                    let recorded_with: String = row.get(7)?;
                    Ok(SessionView {
                        id: row.get(0)?,
                        room_id: row.get(1)?,
                        agency_id: row.get(2)?,
                        agency_name: row.get(3)?,
                        case_number: row.get(4)?,
                        state: SessionState::parse(&state).unwrap_or(SessionState::Failed),
                        failure: row.get(6)?,
                        recorded_with: serde_json::from_str(&recorded_with).unwrap_or_default(),
                        media_dir: row.get(8)?,
                        created_at: parse_time(Some(row.get(9)?)).unwrap_or_default(),
                        started_at: parse_time(row.get(10)?),
                        ended_at: parse_time(row.get(11)?),
                        started_by: row.get(12)?,
                        action_type: ActionType::parse(&row.get::<_, String>(13)?)
                            .unwrap_or(ActionType::Other),
                        party: row.get(14)?,
                        segments: Vec::new(),
                        events: Vec::new(),
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("session {id}"),
            })?;
        view.segments = self.segments(id)?;
        let mut stmt = self.conn.prepare(
            "SELECT at, kind, detail FROM session_events WHERE session_id = ?1 ORDER BY id",
        )?;
        view.events = stmt
            .query_map(params![id], |row| {
                Ok(EventView {
                    at: parse_time(Some(row.get(0)?)).unwrap_or_default(),
                    kind: row.get(1)?,
                    detail: row.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(view)
    }

    /// The most recent session of `agency_id` in `room_id`, if any.
    pub fn latest_session(
        &self,
        room_id: &str,
        agency_id: &str,
    ) -> Result<Option<SessionView>, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM sessions WHERE room_id = ?1 AND agency_id = ?2 ORDER BY id DESC LIMIT 1",
                params![room_id, agency_id],
                |row| row.get(0),
            )
            .optional()?;
        id.map(|id| self.session(id)).transpose()
    }
}

fn insert_event(
    conn: &Connection,
    session_id: i64,
    kind: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO session_events (session_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![session_id, now(), kind, detail],
    )?;
    Ok(())
}

/// The states in which a session holds its room, as an SQL list: `'starting', …`.
pub(crate) fn holding_room_states() -> String {
    SessionState::HOLDING_ROOM
        .iter()
        .map(|state| format!("'{}'", state.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(store: &mut Store) {
        crate::test_site::site(store, &["a"]);
    }

    fn new_session<'a>(agency: &'a str, recorded_with: &'a serde_json::Value) -> NewSession<'a> {
        NewSession {
            room_id: "r1",
            agency_id: agency,
            case_number: "罚〔2026〕1号",
            media_dir: "sessions/1",
            recorded_with,
            started_by: "王芳（执法证 32010019001）",
        }
    }

    #[test]
    fn formats_as_recorded_are_appended_beside_the_profiles_figures() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("site.db")).expect("open");
        site(&mut store);
        let with =
            serde_json::json!({ "cameras": [{ "id": "ipcam", "configured": { "width": 1920 } }] });
        let id = store
            .create_session(&new_session("a", &with))
            .expect("session");
        let first = serde_json::json!({ "codec": "video/x-h264", "width": 1280, "height": 720 });
        let later = serde_json::json!({ "codec": "video/x-h264", "width": 640, "height": 360 });
        store
            .note_recorded_format(id, "ipcam", "video", &first)
            .expect("noted");
        store
            .note_recorded_format(id, "ipcam", "video", &later)
            .expect("noted");
        let view = store.session(id).expect("read");
        let recorded = view.recorded_with["as_recorded"]
            .as_array()
            .expect("a list");
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0]["track"], "ipcam");
        assert_eq!(recorded[0]["width"], 1280);
        assert_eq!(recorded[1]["width"], 640);
        assert!(recorded[0]["since"].is_string());
        assert_eq!(
            view.recorded_with["cameras"][0]["configured"]["width"], 1920,
            "kept"
        );
        assert!(
            store
                .note_recorded_format(id + 1, "x", "video", &first)
                .is_err()
        );
    }

    #[test]
    fn a_room_records_one_session_at_a_time_and_only_for_its_agencies() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("site.db")).expect("open");
        site(&mut store);
        let with = serde_json::json!({});
        let id = store
            .create_session(&new_session("a", &with))
            .expect("first session");
        let busy = store
            .create_session(&new_session("a", &with))
            .expect_err("room is busy");
        assert!(
            matches!(busy, StoreError::Refused(Refusal::RoomHeld { session, .. }) if session == id),
            "{busy}"
        );
        let other = store
            .create_session(&new_session("b", &with))
            .expect_err("agency b may not");
        assert!(
            matches!(other, StoreError::Refused(Refusal::RoomNotShared { .. })),
            "{other}"
        );

        store
            .set_state(id, SessionState::Recording, None)
            .expect("recording");
        let room = store.room("r1").expect("room");
        assert_eq!(
            room.session.as_ref().map(|s| s.state),
            Some(SessionState::Recording)
        );
        let early = store
            .set_state(id, SessionState::Finished, None)
            .expect_err("must stop first");
        assert!(
            early.to_string().contains("recording to finished"),
            "{early}"
        );
        store
            .set_state(id, SessionState::Stopping, None)
            .expect("stopping");
        store
            .set_state(id, SessionState::Finished, None)
            .expect("finished");
        assert!(
            store.set_state(id, SessionState::Recording, None).is_err(),
            "finished is final"
        );
        assert_eq!(store.room("r1").expect("room").session, None);
        let view = store.session(id).expect("view");
        assert!(view.started_at.is_some() && view.ended_at.is_some());
        let kinds: Vec<_> = view.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["created", "recording", "stopping", "finished"]);
    }

    #[test]
    fn a_paused_or_interrupted_session_holds_its_room() {
        let (_dir, mut store) = crate::test_site::store(&["a", "b"]);
        let with = serde_json::json!({});
        for held in [SessionState::Paused, SessionState::Interrupted] {
            let id = store
                .create_session(&new_session("a", &with))
                .expect("session");
            store
                .set_state(id, SessionState::Recording, None)
                .expect("recording");
            store.set_state(id, held, Some("by 王芳")).expect("held");
            let room = store.room("r1").expect("room");
            assert_eq!(room.session.map(|s| s.state), Some(held));
            let refused = store
                .create_session(&new_session("b", &with))
                .expect_err("the room is held");
            assert!(refused.to_string().contains(held.as_str()), "{refused}");
            store
                .set_state(id, SessionState::Finished, None)
                .expect("closed as it is");
            assert_eq!(store.room("r1").expect("room").session, None, "free again");
        }
    }
}
