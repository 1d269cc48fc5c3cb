//! Rooms as the records know them: each with the session that holds it now, if any.

use rusqlite::{OptionalExtension, params};

use crate::sessions::{holding_room_states, parse_time};
use crate::{Store, StoreError};
use site_api::{RoomKind, RoomView, SessionState, SessionSummary};

impl Store {
    pub fn rooms(&self) -> Result<Vec<RoomView>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id FROM rooms ORDER BY id")?;
        let ids: Vec<String> = stmt
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter().map(|id| self.room(id)).collect()
    }

    pub fn room(&self, room_id: &str) -> Result<RoomView, StoreError> {
        let (id, name, kind): (String, String, String) = self
            .conn
            .query_row(
                "SELECT id, name, kind FROM rooms WHERE id = ?1",
                params![room_id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("room {room_id}"),
            })?;
        let session = self
            .conn
            .query_row(
                &format!(
                    "SELECT s.id, s.state, a.name, c.number, s.started_at
                     FROM sessions s JOIN agencies a ON a.id = s.agency_id JOIN cases c ON c.id = s.case_id
                     WHERE s.room_id = ?1 AND s.id = (SELECT MAX(id) FROM sessions WHERE room_id = ?1)
                       AND s.state IN ({})",
                    holding_room_states()
                ),
                params![room_id],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, state, agency_name, case_number, started_at)| SessionSummary {
                id,
                state: SessionState::parse(&state).unwrap_or(SessionState::Failed),
                agency_name,
                case_number,
                started_at: parse_time(started_at),
            });
        Ok(RoomView {
            id,
            name,
            kind: RoomKind::parse(&kind).unwrap_or(RoomKind::Interview),
            session,
            light: None,
            sources: Vec::new(),
            pause_allowed: false,
        })
    }
}
