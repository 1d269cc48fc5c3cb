//! What the hall's screens show, read in one go from the queue: each service's queue today,
//! each window with its staff member and current ticket, and the latest calls.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, params};

use crate::queue::{day_of, ticket_view};
use crate::staff::{staff_columns, staff_view_at};
use crate::{Store, StoreError};
use site_api::{
    CallView, HallStats, HallView, Priority, ServiceQueue, StatLine, TicketRecord, TicketState,
    WindowView,
};

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
            windows: windows(&self.conn, &day, None)?,
            recent_calls: recent_calls(&self.conn, &day)?,
            day,
            consult: String::new(),
            complain: String::new(),
            notices: Vec::new(),
        })
    }

    /// One page of `day`'s tickets (YYYY-MM-DD) after ticket `after`, in issue order, of
    /// `agency`'s services (of every agency's with `None`).
    pub fn hall_history(
        &self,
        day: &str,
        agency: Option<&str>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<TicketRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, t.number, t.service_id, s.name, t.priority, t.state, t.window_id,
                    t.staff_id, t.calls, t.issued_at, t.called_at, t.started_at, t.ended_at
             FROM tickets t JOIN services s ON s.id = t.service_id
             WHERE t.day = ?1 AND t.id > ?2 AND (?3 IS NULL OR s.agency_id = ?3)
             ORDER BY t.id
             LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![day, after, agency, limit], |r| {
            let priority: String = r.get(4)?;
            let state: String = r.get(5)?;
            Ok(TicketRecord {
                id: r.get(0)?,
                number: r.get(1)?,
                service_id: r.get(2)?,
                service_name: r.get(3)?,
                priority: Priority::parse(&priority).unwrap_or(Priority::Ordinary),
                state: TicketState::parse(&state).unwrap_or(TicketState::Closed),
                window_id: r.get(6)?,
                staff_id: r.get(7)?,
                calls: r.get(8)?,
                issued_at: r.get(9)?,
                called_at: r.get(10)?,
                started_at: r.get(11)?,
                ended_at: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The statistics of `day` (YYYY-MM-DD) per service, window and staff member, of the
    /// tickets of `agency`'s services (of every agency's with `None`).
    pub fn hall_stats(&self, day: &str, agency: Option<&str>) -> Result<HallStats, StoreError> {
        let lines = |key, table| stat_lines(&self.conn, day, agency, key, table);
        Ok(HallStats {
            day: day.to_string(),
            services: lines("t.service_id", "services")?,
            windows: lines("t.window_id", "windows")?,
            staff: lines("t.staff_id", "staff")?,
            open_follow_ups: self.open_follow_ups(agency)?,
        })
    }

    /// One window as its screen shows it.
    pub fn window(&self, id: &str, now: DateTime<FixedOffset>) -> Result<WindowView, StoreError> {
        windows(&self.conn, &day_of(&now), Some(id))?
            .pop()
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
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.name, a.name, s.prefix, s.opens, s.closes, s.daily_cap,
                (SELECT coalesce(sum(n), 0) FROM waiting_counts c
                 WHERE c.day = ?1 AND c.service_id = s.id),
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
    let mut stmt = conn.prepare_cached(
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

/// A window's row as its screen shows it, from `windows w` (`?1` the day): its current ticket
/// (`tickets_current`, whose condition the query repeats word for word), the tickets waiting
/// that it may call (sent to it, and free ones of its services) and its staff member on duty
/// (none once they left the site, even if still signed in). One statement, because a
/// counter's every answer reads its window on the records writer. (`CROSS JOIN` keeps the
/// window's few services outside: each then finds its count by the counts' key.)
macro_rules! window_rows {
    ($then:literal) => {
        concat!(
            "SELECT w.id, w.number, w.name, w.paused,
                    (SELECT t.id FROM tickets t
                     WHERE t.window_id = w.id AND t.state IN ('called', 'serving')),
                    (SELECT coalesce(sum(c.n), 0) FROM waiting_counts c
                     WHERE c.window_id = w.id AND c.day = ?1)
                  + (SELECT coalesce(sum(c.n), 0) FROM window_services ws
                     CROSS JOIN waiting_counts c
                       ON c.day = ?1 AND c.service_id = ws.service_id AND c.window_id = ''
                     WHERE ws.window_id = w.id),
                    ",
            staff_columns!(),
            "
             FROM windows w
             LEFT JOIN staff s ON s.id = w.staff_id AND s.active = 1
             LEFT JOIN agencies a ON a.id = s.agency_id
             WHERE EXISTS (SELECT 1 FROM window_services ws WHERE ws.window_id = w.id) ",
            $then
        )
    };
}

/// The hall's windows (or only `only`) that serve something.
fn windows(
    conn: &Connection,
    day: &str,
    only: Option<&str>,
) -> Result<Vec<WindowView>, StoreError> {
    // One window by its key, else all of them (an optional id in one query made SQLite walk
    // every window for a counter's answer).
    let mut stmt = conn.prepare_cached(match only {
        Some(_) => window_rows!("AND w.id = ?2"),
        None => window_rows!("ORDER BY w.number"),
    })?;
    // Each window with its current ticket's id; the lists and the ticket come after.
    let row = |r: &rusqlite::Row<'_>| {
        let staff = match r.get_ref(6)?.as_str_or_null()? {
            Some(_) => Some(staff_view_at(r, 6)?),
            None => None,
        };
        let window = WindowView {
            id: r.get(0)?,
            number: r.get(1)?,
            name: r.get(2)?,
            location: String::new(),
            services: Vec::new(),
            staff,
            paused: r.get(3)?,
            current: None,
            waiting: r.get(5)?,
            held: Vec::new(),
        };
        Ok((window, r.get::<_, Option<i64>>(4)?))
    };
    let rows: Vec<(WindowView, Option<i64>)> = match only {
        Some(id) => stmt
            .query_map(params![day, id], row)?
            .collect::<Result<_, _>>()?,
        None => stmt
            .query_map(params![day], row)?
            .collect::<Result<_, _>>()?,
    };
    let mut served = conn.prepare_cached(
        "SELECT s.name FROM window_services ws JOIN services s ON s.id = ws.service_id
         WHERE ws.window_id = ?1 ORDER BY s.prefix",
    )?;
    let mut held_at = conn.prepare_cached(
        "SELECT number FROM tickets WHERE window_id = ?1 AND state = 'held' AND day = ?2
         ORDER BY id",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (mut window, current) in rows {
        window.services = served
            .query_map(params![window.id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        window.current = match current {
            Some(ticket) => Some(ticket_view(conn, ticket)?),
            None => None,
        };
        window.held = held_at
            .query_map(params![window.id, day], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.push(window);
    }
    Ok(out)
}

fn recent_calls(conn: &Connection, day: &str) -> Result<Vec<CallView>, StoreError> {
    let mut stmt = conn.prepare_cached(
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

/// Statistics grouped by `key` (a column of tickets), named from `table`.
fn stat_lines(
    conn: &Connection,
    day: &str,
    agency: Option<&str>,
    key: &str,
    table: &str,
) -> Result<Vec<StatLine>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {key}, coalesce(n.name, {key}),
                count(*),
                sum(t.state = 'done'),
                sum(t.state = 'no_show'),
                avg((julianday(t.called_at) - julianday(t.issued_at)) * 1440.0),
                avg(CASE WHEN t.state = 'done'
                    THEN (julianday(t.ended_at) - julianday(t.started_at)) * 1440.0 END),
                count(r.level),
                avg(r.level),
                coalesce(sum(r.level <= 2), 0)
         FROM tickets t
         LEFT JOIN {table} n ON n.id = {key}
         LEFT JOIN ratings r ON r.ticket_id = t.id
         WHERE t.day = ?1 AND {key} IS NOT NULL
           AND (?2 IS NULL OR t.service_id IN (SELECT id FROM services WHERE agency_id = ?2))
         GROUP BY {key}
         ORDER BY {key}"
    ))?;
    let rows = stmt.query_map(params![day, agency], |r| {
        Ok(StatLine {
            id: r.get(0)?,
            name: r.get(1)?,
            issued: r.get(2)?,
            done: r.get(3)?,
            no_show: r.get(4)?,
            average_wait_minutes: r.get(5)?,
            average_service_minutes: r.get(6)?,
            ratings: r.get(7)?,
            average_rating: r.get(8)?,
            bad_ratings: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
