//! What the hall's screens show, read in one go from the queue: each service's queue today,
//! each window with its staff member and current ticket, and the latest calls.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};

use crate::api::{CallView, HallView, ServiceQueue, WindowView};
use crate::queue::{day_of, ticket_view};
use crate::{Store, StoreError};

/// How many calls the hall board lists.
const RECENT_CALLS: i64 = 8;

impl Store {
    /// The hall as it is at `now`. Site texts (name, locations, channels, notices) come from the
    /// site file and are left empty here.
    pub fn hall(&self, now: DateTime<FixedOffset>) -> Result<HallView, StoreError> {
        let day = day_of(&now);
        Ok(HallView {
            site_name: String::new(),
            services: services(&self.conn, &day, &now)?,
            windows: windows(self, &day)?,
            recent_calls: recent_calls(&self.conn, &day)?,
            day,
            consult: String::new(),
            complain: String::new(),
            notices: Vec::new(),
        })
    }

    /// One window as its screen shows it.
    pub fn window(&self, id: &str, now: DateTime<FixedOffset>) -> Result<WindowView, StoreError> {
        windows(self, &day_of(&now))?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(|| StoreError::NotFound {
                what: format!("window {id}"),
            })
    }
}

fn services(
    conn: &Connection,
    day: &str,
    now: &DateTime<FixedOffset>,
) -> Result<Vec<ServiceQueue>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.name, a.name, s.prefix, s.opens, s.closes, s.daily_cap,
                (SELECT count(*) FROM tickets t
                 WHERE t.day = ?1 AND t.service_id = s.id AND t.state = 'waiting'),
                (SELECT coalesce(max(seq), 0) FROM tickets t WHERE t.day = ?1 AND t.service_id = s.id)
         FROM services s JOIN agencies a ON a.id = s.agency_id
         WHERE EXISTS (SELECT 1 FROM window_services ws WHERE ws.service_id = s.id)
         ORDER BY s.prefix",
    )?;
    let time = now.time().format("%H:%M").to_string();
    let rows = stmt.query_map(params![day], |r| {
        let opens: String = r.get(4)?;
        let closes: String = r.get(5)?;
        let cap: Option<i64> = r.get(6)?;
        let issued: i64 = r.get(8)?;
        let remaining = cap.map(|cap| (cap - issued).max(0));
        Ok(ServiceQueue {
            id: r.get(0)?,
            name: r.get(1)?,
            agency_name: r.get(2)?,
            prefix: r.get(3)?,
            waiting: r.get(7)?,
            windows: Vec::new(),
            issuing: time >= opens && time < closes && remaining != Some(0),
            opens,
            closes,
            remaining,
        })
    })?;
    let mut services: Vec<ServiceQueue> = rows.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare(
        "SELECT w.number FROM window_services ws JOIN windows w ON w.id = ws.window_id
         WHERE ws.service_id = ?1 ORDER BY w.number",
    )?;
    for service in &mut services {
        service.windows = stmt
            .query_map(params![service.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
    }
    Ok(services)
}

fn windows(store: &Store, day: &str) -> Result<Vec<WindowView>, StoreError> {
    let conn = &store.conn;
    let mut stmt = conn.prepare(
        "SELECT w.id, w.number, w.name, w.staff_id, w.paused,
                (SELECT count(*) FROM tickets t
                 WHERE t.day = ?1 AND t.state = 'waiting'
                   AND (t.window_id = w.id OR (t.window_id IS NULL AND t.service_id IN
                        (SELECT service_id FROM window_services WHERE window_id = w.id))))
         FROM windows w
         WHERE EXISTS (SELECT 1 FROM window_services ws WHERE ws.window_id = w.id)
         ORDER BY w.number",
    )?;
    let rows: Vec<(String, u32, String, Option<String>, bool, i64)> = stmt
        .query_map(params![day], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut names = conn.prepare(
        "SELECT s.name FROM window_services ws JOIN services s ON s.id = ws.service_id
         WHERE ws.window_id = ?1 ORDER BY s.prefix",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, number, name, staff_id, paused, waiting) in rows {
        let services = names
            .query_map(params![id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        // A staff member who has left the site is not shown, even if still signed in.
        let staff = match staff_id {
            Some(staff_id) => store.staff_member(&staff_id).ok(),
            None => None,
        };
        let current: Option<i64> = conn
            .query_row(
                "SELECT id FROM tickets WHERE window_id = ?1 AND state IN ('called', 'serving')",
                params![id],
                |r| r.get(0),
            )
            .optional()?;
        let current = match current {
            Some(ticket) => Some(ticket_view(conn, ticket)?),
            None => None,
        };
        out.push(WindowView {
            id,
            number,
            name,
            location: String::new(),
            services,
            staff,
            paused,
            current,
            waiting,
        });
    }
    Ok(out)
}

fn recent_calls(conn: &Connection, day: &str) -> Result<Vec<CallView>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT e.id, t.number, w.number, w.name, e.at, e.action = 'recalled'
         FROM ticket_events e
         JOIN tickets t ON t.id = e.ticket_id
         JOIN windows w ON w.id = e.window_id
         WHERE t.day = ?1 AND e.action IN ('called', 'called-by-number', 'recalled')
         ORDER BY e.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![day, RECENT_CALLS], |r| {
        Ok(CallView {
            call_id: r.get(0)?,
            number: r.get(1)?,
            window_number: r.get(2)?,
            window_name: r.get(3)?,
            at: r.get(4)?,
            recall: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
