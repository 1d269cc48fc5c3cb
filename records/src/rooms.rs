//! Rooms as the records know them: each with the session that holds it now, if any.

use rusqlite::params;

use crate::sessions::{holding_room_states, parse_time};
use crate::{Store, StoreError};
use site_api::{RoomKind, RoomView, SessionState, SessionSummary};

impl Store {
    /// Every room with the session holding it, in one query (not one per room).
    pub fn rooms(&self) -> Result<Vec<RoomView>, StoreError> {
        self.room_views(None)
    }

    pub fn room(&self, room_id: &str) -> Result<RoomView, StoreError> {
        self.room_views(Some(room_id))?
            .pop()
            .ok_or_else(|| StoreError::NotFound {
                what: format!("room {room_id}"),
            })
    }

    fn room_views(&self, only: Option<&str>) -> Result<Vec<RoomView>, StoreError> {
        // A room's latest session holds it while in one of the holding states.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT r.id, r.name, r.kind, s.id, s.state, a.name, c.number, s.started_at
             FROM rooms r
             LEFT JOIN sessions s ON s.id = (SELECT max(id) FROM sessions WHERE room_id = r.id)
                                 AND s.state IN ({})
             LEFT JOIN agencies a ON a.id = s.agency_id
             LEFT JOIN cases c ON c.id = s.case_id
             WHERE ?1 IS NULL OR r.id = ?1
             ORDER BY r.id",
            holding_room_states()
        ))?;
        let rooms = stmt
            .query_map(params![only], |row| {
                let session = match row.get::<_, Option<i64>>(3)? {
                    None => None,
                    Some(id) => Some(SessionSummary {
                        id,
                        state: SessionState::parse(&row.get::<_, String>(4)?)
                            .unwrap_or(SessionState::Failed),
                        agency_name: row.get(5)?,
                        case_number: row.get(6)?,
                        started_at: parse_time(row.get(7)?),
                    }),
                };
                Ok(RoomView {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    kind: RoomKind::parse(&row.get::<_, String>(2)?).unwrap_or(RoomKind::Interview),
                    session,
                    light: None,
                    sources: Vec::new(),
                    pause_allowed: false,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rooms)
    }
}
