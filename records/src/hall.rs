//! What the hall's screens show, read in one go from the queue: each service's queue today,
//! each window with its staff member and current ticket, and the latest calls.

use chrono::{DateTime, FixedOffset};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

use crate::queue::{CALLED_OR_SERVING, day_of, ticket_view};
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
            windows: windows(self, &day, None)?,
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
        windows(self, &day_of(&now), Some(id))?
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

/// The hall's windows (or only `only`), each with the tickets waiting that it may call.
fn windows(store: &Store, day: &str, only: Option<&str>) -> Result<Vec<WindowView>, StoreError> {
    let conn = &store.conn;
    // Waiting tickets: free ones by service (any window serving it may call them), and those
    // transferred to a window. For the whole hall, one pass each; for one window (a counter's
    // answer), counted from the indexes for that window alone.
    let waiting_by = |column: &str, free: bool| -> Result<HashMap<String, i64>, StoreError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {column}, sum(n) FROM waiting_counts
             WHERE day = ?1 AND window_id {} ''
             GROUP BY {column}",
            if free { "=" } else { "<>" }
        ))?;
        let rows = stmt.query_map(params![day], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let counted: Option<(HashMap<String, i64>, HashMap<String, i64>)> = match only {
        Some(_) => None,
        None => Some((
            waiting_by("service_id", true)?,
            waiting_by("window_id", false)?,
        )),
    };
    let mut free_for_service = conn.prepare_cached(
        "SELECT coalesce(sum(n), 0) FROM waiting_counts
         WHERE day = ?1 AND service_id = ?2 AND window_id = ''",
    )?;
    let mut sent_to_window = conn.prepare_cached(
        "SELECT coalesce(sum(n), 0) FROM waiting_counts WHERE window_id = ?1 AND day = ?2",
    )?;
    let mut waiting_for = |window: &str,
                           services: &[(String, String)]|
     -> Result<i64, StoreError> {
        if let Some((by_service, by_window)) = &counted {
            return Ok(by_window.get(window).copied().unwrap_or(0)
                + services
                    .iter()
                    .map(|(service, _)| by_service.get(service).copied().unwrap_or(0))
                    .sum::<i64>());
        }
        let mut total: i64 = sent_to_window.query_row(params![window, day], |r| r.get(0))?;
        for (service, _) in services {
            total += free_for_service.query_row(params![day, service], |r| r.get::<_, i64>(0))?;
        }
        Ok(total)
    };
    // One window by its key, else all that serve something (an optional id in one query
    // made SQLite walk every window for a counter's answer).
    let serving = "EXISTS (SELECT 1 FROM window_services ws WHERE ws.window_id = w.id)";
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT w.id, w.number, w.name, w.staff_id, w.paused FROM windows w WHERE {serving} {}",
        if only.is_some() {
            "AND w.id = ?1"
        } else {
            "ORDER BY w.number"
        }
    ))?;
    let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
    let rows: Vec<(String, u32, String, Option<String>, bool)> = match only {
        Some(id) => stmt
            .query_map(params![id], row)?
            .collect::<Result<_, _>>()?,
        None => stmt.query_map([], row)?.collect::<Result<_, _>>()?,
    };
    let mut served = conn.prepare_cached(
        "SELECT s.id, s.name FROM window_services ws JOIN services s ON s.id = ws.service_id
         WHERE ws.window_id = ?1 ORDER BY s.prefix",
    )?;
    let mut held_at = conn.prepare_cached(
        "SELECT number FROM tickets WHERE window_id = ?1 AND state = 'held' AND day = ?2
         ORDER BY id",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, number, name, staff_id, paused) in rows {
        let services: Vec<(String, String)> = served
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let waiting = waiting_for(&id, &services)?;
        // A staff member who has left the site is not shown, even if still signed in.
        let staff = match staff_id {
            Some(staff_id) => store.staff_member(&staff_id).ok(),
            None => None,
        };
        let current: Option<i64> = conn
            .prepare_cached(&format!(
                "SELECT id FROM tickets WHERE window_id = ?1 AND {CALLED_OR_SERVING}"
            ))?
            .query_row(params![id], |r| r.get(0))
            .optional()?;
        let current = match current {
            Some(ticket) => Some(ticket_view(conn, ticket)?),
            None => None,
        };
        let held = held_at
            .query_map(params![id, day], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        out.push(WindowView {
            id,
            number,
            name,
            location: String::new(),
            services: services.into_iter().map(|(_, name)| name).collect(),
            staff,
            paused,
            current,
            waiting,
            held,
        });
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
