//! Bookings of the shared rooms: one room, many agencies, never two bookings at once.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, params};

use crate::{Refusal, Store, StoreError};
use site_api::{BookingView, NewBooking};

/// Longer bookings are almost certainly a typing mistake (a wrong day or month).
const LONGEST: i64 = 12;

impl Store {
    /// Books `room_id` for a case of `agency_id`. Refused when it overlaps another booking of
    /// the room (the span is [start, end): back-to-back bookings are fine).
    pub fn book(
        &mut self,
        room_id: &str,
        agency_id: &str,
        booked_by: &str,
        new: &NewBooking,
    ) -> Result<BookingView, StoreError> {
        let case_number = crate::case_number(&new.case_number)?;
        if new.ends_at <= new.starts_at {
            return Err(StoreError::Invalid(
                "a booking must end after it starts".into(),
            ));
        }
        if new.ends_at - new.starts_at > Duration::hours(LONGEST) {
            return Err(StoreError::Invalid(format!(
                "a booking may last at most {LONGEST} hours; check the date"
            )));
        }
        let tx = self.change()?;
        let allowed: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM room_agencies WHERE room_id = ?1 AND agency_id = ?2)",
            params![room_id, agency_id],
            |row| row.get(0),
        )?;
        if !allowed {
            return Err(Refusal::RoomNotShared {
                agency: agency_id.to_string(),
                room: room_id.to_string(),
            }
            .into());
        }
        let (start, end) = (new.starts_at.to_rfc3339(), new.ends_at.to_rfc3339());
        let clash: Option<(String, String, String)> = tx
            .query_row(
                "SELECT b.starts_at, b.ends_at, a.name FROM bookings b JOIN agencies a ON a.id = b.agency_id
                 WHERE b.room_id = ?1 AND b.starts_at < ?3 AND b.ends_at > ?2 ORDER BY b.starts_at LIMIT 1",
                params![room_id, start, end],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        if let Some((from, to, agency)) = clash {
            return Err(Refusal::RoomBooked {
                room: room_id.to_string(),
                from: local(&from),
                to: local(&to),
                agency,
            }
            .into());
        }
        tx.execute(
            "INSERT INTO cases (agency_id, number) VALUES (?1, ?2) ON CONFLICT (agency_id, number) DO NOTHING",
            params![agency_id, case_number],
        )?;
        let case_id: i64 = tx.query_row(
            "SELECT id FROM cases WHERE agency_id = ?1 AND number = ?2",
            params![agency_id, case_number],
            |row| row.get(0),
        )?;
        tx.execute(
            "INSERT INTO bookings (room_id, agency_id, case_id, starts_at, ends_at, booked_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![room_id, agency_id, case_id, start, end, booked_by, Utc::now().to_rfc3339()],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        self.bookings(room_id, Some(agency_id))?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("booking {id}"),
            })
    }

    /// The room's bookings in time order. Case numbers are shown only for `viewer_agency`'s
    /// own bookings: other agencies' cases are theirs.
    pub fn bookings(
        &self,
        room_id: &str,
        viewer_agency: Option<&str>,
    ) -> Result<Vec<BookingView>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT b.id, b.room_id, a.name, b.agency_id, c.number, b.starts_at, b.ends_at
             FROM bookings b JOIN agencies a ON a.id = b.agency_id JOIN cases c ON c.id = b.case_id
             WHERE b.room_id = ?1 ORDER BY b.starts_at",
        )?;
        let rows = stmt
            .query_map(params![room_id], |row| {
                let agency_id: String = row.get(3)?;
                Ok(BookingView {
                    id: row.get(0)?,
                    room_id: row.get(1)?,
                    agency_name: row.get(2)?,
                    case_number: (viewer_agency == Some(agency_id.as_str()))
                        .then(|| row.get(4))
                        .transpose()?,
                    starts_at: parse(&row.get::<_, String>(5)?),
                    ends_at: parse(&row.get::<_, String>(6)?),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}

fn parse(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// A stored time as the people at the site read it.
fn local(text: &str) -> String {
    parse(text)
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-03-10T{hour:02}:{minute:02}:00Z"))
            .unwrap()
            .with_timezone(&Utc)
    }

    fn booking(case: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> NewBooking {
        NewBooking {
            case_number: case.into(),
            starts_at: from,
            ends_at: to,
        }
    }

    #[test]
    fn overlapping_bookings_are_refused_and_back_to_back_ones_accepted() {
        let (_dir, mut store) = crate::test_site::store(&["a", "b"]);
        store
            .book("r1", "a", "王芳", &booking("甲1", at(1, 0), at(2, 0)))
            .unwrap();
        let clash = store
            .book("r1", "b", "李强", &booking("乙1", at(1, 30), at(2, 30)))
            .unwrap_err();
        assert!(
            clash.to_string().contains("already booked") && clash.to_string().contains("甲局"),
            "{clash}"
        );
        let inside = store
            .book("r1", "b", "李强", &booking("乙1", at(1, 10), at(1, 20)))
            .unwrap_err();
        assert!(inside.to_string().contains("already booked"));
        store
            .book("r1", "b", "李强", &booking("乙1", at(2, 0), at(3, 0)))
            .expect("back to back");
        assert!(
            store
                .book("r1", "b", "李强", &booking("乙2", at(4, 0), at(3, 0)))
                .is_err(),
            "ends before it starts"
        );
        assert!(
            store
                .book(
                    "r1",
                    "b",
                    "李强",
                    &booking("乙2", at(4, 0), at(4, 0) + Duration::hours(13))
                )
                .is_err(),
            "too long"
        );

        let seen_by_b = store.bookings("r1", Some("b")).unwrap();
        assert_eq!(seen_by_b.len(), 2);
        assert_eq!(
            seen_by_b[0].case_number, None,
            "agency a's case is not shown to b"
        );
        assert_eq!(seen_by_b[1].case_number.as_deref(), Some("乙1"));
    }
}
