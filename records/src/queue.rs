//! The service hall's queue (取号叫号): services with a ticket prefix, windows serving a set of
//! them, tickets taken at the kiosk and called at the counters, and the public's rating of each
//! service (好差评).
//!
//! Every change is one IMMEDIATE transaction, so that two windows calling at the same moment
//! never get the same ticket, and every step is kept in `ticket_events`, which no statement can
//! change or delete. Numbers restart each local day; tickets still open when their day has
//! passed are closed (not deleted) by the next call that touches the queue.

use chrono::{DateTime, Datelike, FixedOffset, NaiveTime};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{Refusal, Store, StoreError};
use site_api::{Priority, RatingLevel, TicketState, TicketView};

/// A service as the site file declares it.
#[derive(Debug, Clone)]
pub struct SiteService {
    pub id: String,
    pub agency_id: String,
    pub name: String,
    pub prefix: String,
    pub daily_cap: Option<u32>,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A window (counter) as the site file declares it.
#[derive(Debug, Clone)]
pub struct SiteWindow {
    pub id: String,
    pub number: u32,
    pub name: String,
    pub services: Vec<String>,
}

/// Minutes one service takes when there is no history today to go by.
const DEFAULT_SERVICE_MINUTES: f64 = 5.0;
/// How many of today's finished services the wait estimate averages.
const ESTIMATE_FROM_LAST: i64 = 20;

/// The ticket window ?1 calls next on day ?2. Whether the window serves a ticket's service is
/// asked per ticket (`EXISTS`, one key lookup; the first ticket usually answers): `IN (SELECT
/// …)` built a temporary table on every call.
const NEXT_TO_CALL: &str = "SELECT t.id FROM tickets t
    WHERE t.day = ?2 AND t.state = 'waiting'
      AND (t.window_id = ?1 OR (t.window_id IS NULL AND EXISTS
           (SELECT 1 FROM window_services ws
            WHERE ws.window_id = ?1 AND ws.service_id = t.service_id)))
    ORDER BY t.call_rank, t.id
    LIMIT 1";

/// A window's current ticket; said exactly as the partial index tickets_current says it.
pub(crate) const CALLED_OR_SERVING: &str = "state IN ('called', 'serving')";

/// The local day of `now`, YYYY-MM-DD, as tickets keep it. Written out by hand: chrono's
/// `format` parses its pattern on every use, and every counter's call asks for the day.
pub(crate) fn day_of(now: &DateTime<FixedOffset>) -> String {
    let day = now.date_naive();
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// A time of day as the services table keeps it; the last second of the day is "24:00", so
/// that a service issuing until midnight issues in the last minute too.
fn hh_mm(time: NaiveTime) -> String {
    if time == NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN) {
        "24:00".into()
    } else {
        time.format("%H:%M").to_string()
    }
}

impl Store {
    /// Makes the hall's services and windows match the site file. Old ones stay, because old
    /// tickets name them; which window serves what is replaced.
    pub fn sync_hall(
        &mut self,
        services: &[SiteService],
        windows: &[SiteWindow],
    ) -> Result<(), StoreError> {
        let tx = self.change()?;
        for s in services {
            cached_execute(&tx,
                "INSERT INTO services (id, agency_id, name, prefix, daily_cap, opens, closes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET agency_id = excluded.agency_id,
                    name = excluded.name, prefix = excluded.prefix,
                    daily_cap = excluded.daily_cap, opens = excluded.opens, closes = excluded.closes",
                params![
                    s.id,
                    s.agency_id,
                    s.name,
                    s.prefix,
                    s.daily_cap,
                    hh_mm(s.opens),
                    hh_mm(s.closes)
                ],
            )?;
        }
        // Windows and services left out of the site file keep their rows but serve nothing,
        // so that the hall's screens no longer show them.
        cached_execute(&tx, "DELETE FROM window_services", [])?;
        for w in windows {
            cached_execute(
                &tx,
                "INSERT INTO windows (id, number, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET number = excluded.number, name = excluded.name",
                params![w.id, w.number, w.name],
            )?;
            for service in &w.services {
                cached_execute(
                    &tx,
                    "INSERT INTO window_services (window_id, service_id) VALUES (?1, ?2)",
                    params![w.id, service],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Issues the next number of `service_id` for today. Refused outside the service's issuing
    /// hours and once its daily cap is reached, with what to do instead.
    pub fn take_ticket(
        &mut self,
        service_id: &str,
        priority: Priority,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        let tx = self.change()?;
        close_past_days(&tx, &now)?;
        let service: Option<(String, String, Option<i64>, String, String)> = cached_row(
            &tx,
            "SELECT name, prefix, daily_cap, opens, closes FROM services WHERE id = ?1",
            params![service_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
        let Some((name, prefix, cap, opens, closes)) = service else {
            return Err(StoreError::NotFound {
                what: format!("service {service_id}"),
            });
        };
        let time = now.time().format("%H:%M").to_string();
        if time < opens || time >= closes {
            return Err(Refusal::NotIssuingNow {
                service: name,
                opens,
                closes,
            }
            .into());
        }
        let day = day_of(&now);
        // Tickets are never deleted, so the highest number is the count (and an index lookup).
        let issued: i64 = cached_row(
            &tx,
            "SELECT coalesce(max(seq), 0) FROM tickets WHERE day = ?1 AND service_id = ?2",
            params![day, service_id],
            |r| r.get(0),
        )?;
        if cap.is_some_and(|cap| issued >= cap) {
            return Err(Refusal::AllTicketsTaken {
                service: name,
                cap: cap.unwrap_or(0),
            }
            .into());
        }
        let seq = issued + 1;
        let number = format!("{prefix}{seq:03}");
        let at = now.to_rfc3339();
        cached_execute(
            &tx,
            "INSERT INTO tickets (day, service_id, seq, number, priority, state, issued_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', ?6)",
            params![day, service_id, seq, number, priority.as_str(), at],
        )?;
        let id = tx.last_insert_rowid();
        add_ticket_event(&tx, id, &at, "issued", None, None, priority.as_str())?;
        let view = ticket_view(&tx, id)?;
        tx.commit()?;
        Ok(view)
    }

    /// The staff member `staff_id` is on duty at `window_id` from now on.
    pub fn sign_in(&mut self, window_id: &str, staff_id: &str) -> Result<(), StoreError> {
        let serves_their_agency: bool = cached_row(
            &self.conn,
            "SELECT EXISTS (SELECT 1 FROM window_services w JOIN services v ON v.id = w.service_id
                            JOIN staff s ON s.agency_id = v.agency_id
                            WHERE w.window_id = ?1 AND s.id = ?2)",
            params![window_id, staff_id],
            |r| r.get(0),
        )?;
        if !serves_their_agency {
            self.on_duty(window_id)?;
            return Err(StoreError::Forbidden(format!(
                "window {window_id} serves no service of your agency; sign in at one of your agency's windows"
            )));
        }
        if let Some(other) = self.on_duty(window_id)?
            && other != staff_id
        {
            return Err(Refusal::WindowTaken {
                window: window_id.to_string(),
                staff: self.staff_member(&other).map(|s| s.name).unwrap_or(other),
            }
            .into());
        }
        let changed = self.conn.execute(
            "UPDATE windows SET staff_id = ?2, paused = 0 WHERE id = ?1",
            params![window_id, staff_id],
        )?;
        one_window_changed(changed, window_id)
    }

    /// Nobody is on duty at `window_id` any more (its staff member left, or the site's admin
    /// freed it).
    pub fn sign_out(&mut self, window_id: &str) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE windows SET staff_id = NULL WHERE id = ?1",
            params![window_id],
        )?;
        one_window_changed(changed, window_id)
    }

    /// The id of the staff member signed in at `window_id`, if anyone is.
    pub fn on_duty(&self, window_id: &str) -> Result<Option<String>, StoreError> {
        cached_row(
            &self.conn,
            "SELECT staff_id FROM windows WHERE id = ?1",
            params![window_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("window {window_id}"),
        })
    }

    /// Stops (or restarts) calling at a window; its current ticket is not affected.
    pub fn pause_window(&mut self, window_id: &str, paused: bool) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE windows SET paused = ?2 WHERE id = ?1",
            params![window_id, paused],
        )?;
        one_window_changed(changed, window_id)
    }

    /// Calls the next ticket to `window_id`: priority tickets first, then the oldest, only of
    /// services the window serves (and tickets transferred to this window). `None` when nobody
    /// waits. Refused while the window still has a called or served ticket, or is paused.
    pub fn call_next(
        &mut self,
        window_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<TicketView>, StoreError> {
        let tx = self.change()?;
        close_past_days(&tx, &now)?;
        let staff = ready_window(&tx, window_id)?;
        // Priority tickets first, then ordinary ones; each the oldest first: the first entry
        // of one index (tickets_next, schema v15 and v18) that this window may call.
        let next = cached_row(&tx, NEXT_TO_CALL, params![window_id, day_of(&now)], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?;
        let Some(id) = next else {
            return Ok(None);
        };
        let view = call(&tx, id, window_id, staff.as_deref(), &now, "called")?;
        tx.commit()?;
        Ok(Some(view))
    }

    /// Calls a given waiting or held ticket (by its number, today) to `window_id`.
    pub fn call_ticket(
        &mut self,
        window_id: &str,
        number: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        let tx = self.change()?;
        close_past_days(&tx, &now)?;
        let staff = ready_window(&tx, window_id)?;
        let found: Option<(i64, String, bool)> = cached_row(
            &tx,
            "SELECT t.id, t.state,
                        t.window_id = ?3 OR (t.window_id IS NULL AND EXISTS
                            (SELECT 1 FROM window_services ws
                             WHERE ws.window_id = ?3 AND ws.service_id = t.service_id))
                 FROM tickets t WHERE t.day = ?1 AND t.number = ?2",
            params![day_of(&now), number, window_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, Option<bool>>(2)?.unwrap_or(false),
                ))
            },
        )
        .optional()?;
        let Some((id, state, ours)) = found else {
            return Err(StoreError::NotFound {
                what: format!("ticket {number} today"),
            });
        };
        if !ours {
            return Err(Refusal::NotThisWindowsService {
                window: window_id.to_string(),
                number: number.to_string(),
            }
            .into());
        }
        if !matches!(state.as_str(), "waiting" | "held") {
            return Err(Refusal::TicketNotCallable {
                number: number.to_string(),
                state,
            }
            .into());
        }
        let view = call(
            &tx,
            id,
            window_id,
            staff.as_deref(),
            &now,
            "called-by-number",
        )?;
        tx.commit()?;
        Ok(view)
    }

    /// Calls the window's current ticket again (the same call, counted).
    pub fn recall(
        &mut self,
        window_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        let tx = self.change()?;
        let (id, state) = current_ticket(&tx, window_id)?;
        if state != "called" {
            return Err(Refusal::AlreadyServing.into());
        }
        cached_execute(
            &tx,
            "UPDATE tickets SET calls = calls + 1 WHERE id = ?1",
            params![id],
        )?;
        let staff = window_staff(&tx, window_id)?;
        add_ticket_event(
            &tx,
            id,
            &now.to_rfc3339(),
            "recalled",
            Some(window_id),
            staff.as_deref(),
            "",
        )?;
        let view = ticket_view(&tx, id)?;
        tx.commit()?;
        Ok(view)
    }

    /// The called person has come: service starts.
    pub fn start_service(
        &mut self,
        window_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        self.move_current(
            window_id,
            &["called"],
            TicketState::Serving,
            "started",
            now,
            "",
        )
    }

    /// Service is finished; the ticket can be rated.
    pub fn finish_service(
        &mut self,
        window_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        self.move_current(window_id, &["serving"], TicketState::Done, "done", now, "")
    }

    /// The called person did not come (弃号).
    pub fn no_show(
        &mut self,
        window_id: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        self.move_current(
            window_id,
            &["called"],
            TicketState::NoShow,
            "no-show",
            now,
            "",
        )
    }

    /// Sets the current ticket aside (挂起), e.g. while the person fetches a document; it is
    /// called again by number.
    pub fn hold(
        &mut self,
        window_id: &str,
        now: DateTime<FixedOffset>,
        reason: &str,
    ) -> Result<TicketView, StoreError> {
        self.move_current(
            window_id,
            &["called", "serving"],
            TicketState::Held,
            "held",
            now,
            reason,
        )
    }

    /// Sends the current ticket back to the queue for another service, or for another window
    /// (it keeps its number and its place by age).
    pub fn transfer(
        &mut self,
        window_id: &str,
        to_service: Option<&str>,
        to_window: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<TicketView, StoreError> {
        let tx = self.change()?;
        let (id, _) = current_ticket(&tx, window_id)?;
        if to_service.is_none() && to_window.is_none() {
            return Err(StoreError::Invalid(
                "a transfer names the service or the window the ticket goes to".into(),
            ));
        }
        if let Some(service) = to_service {
            must_exist(&tx, "services", "service", service)?;
            cached_execute(
                &tx,
                "UPDATE tickets SET service_id = ?2 WHERE id = ?1",
                params![id, service],
            )?;
        }
        if let Some(window) = to_window {
            must_exist(&tx, "windows", "window", window)?;
        }
        cached_execute(
            &tx,
            "UPDATE tickets SET state = 'waiting', window_id = ?2, staff_id = NULL WHERE id = ?1",
            params![id, to_window],
        )?;
        let staff = window_staff(&tx, window_id)?;
        let detail = format!(
            "to {}",
            [to_service, to_window]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" / ")
        );
        add_ticket_event(
            &tx,
            id,
            &now.to_rfc3339(),
            "transferred",
            Some(window_id),
            staff.as_deref(),
            &detail,
        )?;
        let view = ticket_view(&tx, id)?;
        tx.commit()?;
        Ok(view)
    }

    /// A ticket as it is now, with the people ahead of it and the estimated wait.
    pub fn ticket(&self, id: i64) -> Result<TicketView, StoreError> {
        ticket_view(&self.conn, id)
    }

    /// Every step of a ticket, oldest first: (action, window, detail).
    pub fn ticket_history(
        &self,
        id: i64,
    ) -> Result<Vec<(String, Option<String>, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT action, window_id, detail FROM ticket_events WHERE ticket_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The public's rating of a finished service, once (一次一评). A bad rating opens a
    /// follow-up that stays open until it is closed with its outcome.
    pub fn rate(
        &mut self,
        ticket_id: i64,
        level: RatingLevel,
        comment: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        let tx = self.change()?;
        let found: Option<(String, Option<String>, Option<String>)> = cached_row(
            &tx,
            "SELECT state, window_id, staff_id FROM tickets WHERE id = ?1",
            params![ticket_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
        let Some((state, window, staff)) = found else {
            return Err(StoreError::NotFound {
                what: format!("ticket {ticket_id}"),
            });
        };
        if state != "done" {
            return Err(Refusal::NotDoneYet {
                ticket: ticket_id,
                state,
            }
            .into());
        }
        let rated: bool = cached_row(
            &tx,
            "SELECT EXISTS (SELECT 1 FROM ratings WHERE ticket_id = ?1)",
            params![ticket_id],
            |r| r.get(0),
        )?;
        if rated {
            return Err(Refusal::AlreadyRated.into());
        }
        let at = now.to_rfc3339();
        cached_execute(
            &tx,
            "INSERT INTO ratings (ticket_id, level, window_id, staff_id, comment, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![ticket_id, level.score(), window, staff, comment, at],
        )?;
        if level.is_bad() {
            cached_execute(
                &tx,
                "INSERT INTO follow_ups (ticket_id, opened_at) VALUES (?1, ?2)",
                params![ticket_id, at],
            )?;
        }
        add_ticket_event(
            &tx,
            ticket_id,
            &at,
            "rated",
            window.as_deref(),
            staff.as_deref(),
            level.label(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Tickets of bad ratings whose follow-up is still open, oldest first: of `agency`'s
    /// services, or of every agency's with `None`.
    pub fn open_follow_ups(&self, agency: Option<&str>) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT f.ticket_id FROM follow_ups f
             JOIN tickets t ON t.id = f.ticket_id JOIN services s ON s.id = t.service_id
             WHERE f.closed_at IS NULL AND (?1 IS NULL OR s.agency_id = ?1)
             ORDER BY f.id",
        )?;
        let rows = stmt
            .query_map(params![agency], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Closes the follow-up of a bad rating with what was done: refused without an outcome.
    /// With `agency`, only a follow-up of that agency's services is found.
    pub fn close_follow_up(
        &mut self,
        agency: Option<&str>,
        ticket_id: i64,
        contact: &str,
        rectification: &str,
        outcome: &str,
        now: DateTime<FixedOffset>,
    ) -> Result<(), StoreError> {
        if outcome.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a follow-up is closed with its outcome (整改结果); write what was done".into(),
            ));
        }
        let changed = self.conn.execute(
            "UPDATE follow_ups SET contact = ?2, rectification = ?3, outcome = ?4, closed_at = ?5
             WHERE ticket_id = ?1 AND closed_at IS NULL
               AND (?6 IS NULL OR ticket_id IN (SELECT t.id FROM tickets t
                    JOIN services s ON s.id = t.service_id WHERE s.agency_id = ?6))",
            params![
                ticket_id,
                contact,
                rectification,
                outcome,
                now.to_rfc3339(),
                agency
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: format!("open follow-up of ticket {ticket_id}"),
            });
        }
        Ok(())
    }

    /// Moves the window's current ticket from one of `from` to `to`, noting `action`.
    fn move_current(
        &mut self,
        window_id: &str,
        from: &[&str],
        to: TicketState,
        action: &str,
        now: DateTime<FixedOffset>,
        detail: &str,
    ) -> Result<TicketView, StoreError> {
        let tx = self.change()?;
        let (id, state) = current_ticket(&tx, window_id)?;
        if !from.contains(&state.as_str()) {
            return Err(Refusal::TicketCannotBecome {
                window: window_id.to_string(),
                state,
                to: to.as_str().to_string(),
            }
            .into());
        }
        let at = now.to_rfc3339();
        let column = match to {
            TicketState::Serving => Some("started_at"),
            TicketState::Done | TicketState::NoShow => Some("ended_at"),
            _ => None,
        };
        match column {
            Some(column) => cached_execute(
                &tx,
                &format!("UPDATE tickets SET state = ?2, {column} = ?3 WHERE id = ?1"),
                params![id, to.as_str(), at],
            )?,
            None => cached_execute(
                &tx,
                "UPDATE tickets SET state = ?2 WHERE id = ?1",
                params![id, to.as_str()],
            )?,
        };
        let staff = window_staff(&tx, window_id)?;
        add_ticket_event(
            &tx,
            id,
            &at,
            action,
            Some(window_id),
            staff.as_deref(),
            detail,
        )?;
        let view = ticket_view(&tx, id)?;
        tx.commit()?;
        Ok(view)
    }
}

/// Refuses an id that `table` ("services", "windows") does not hold, naming it as `what`.
fn must_exist(tx: &Connection, table: &str, what: &str, id: &str) -> Result<(), StoreError> {
    let known: bool = cached_row(
        tx,
        &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
        params![id],
        |r| r.get(0),
    )?;
    if known {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: format!("{what} {id}"),
        })
    }
}

fn one_window_changed(changed: usize, window_id: &str) -> Result<(), StoreError> {
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: format!("window {window_id}"),
        });
    }
    Ok(())
}

/// Closes every ticket left open on an earlier day, keeping it and noting why.
fn close_past_days(tx: &Connection, now: &DateTime<FixedOffset>) -> Result<(), StoreError> {
    let day = day_of(now);
    // Said as the partial index tickets_open says it (schema v18), so that SQLite reads the
    // index alone: usually nothing is left, and this runs on every call.
    let mut stmt = tx.prepare_cached(
        "SELECT id FROM tickets
         WHERE day < ?1 AND state <> 'done' AND state <> 'no_show' AND state <> 'closed'",
    )?;
    let open: Vec<i64> = stmt
        .query_map(params![day], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let at = now.to_rfc3339();
    for id in open {
        cached_execute(
            tx,
            "UPDATE tickets SET state = 'closed', ended_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        add_ticket_event(tx, id, &at, "closed", None, None, "the day ended")?;
    }
    Ok(())
}

/// The window's staff member, after checking it may call: known, not paused, and free.
fn ready_window(tx: &Connection, window_id: &str) -> Result<Option<String>, StoreError> {
    let found: Option<(bool, Option<String>)> = cached_row(
        tx,
        "SELECT paused, staff_id FROM windows WHERE id = ?1",
        params![window_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    let Some((paused, staff)) = found else {
        return Err(StoreError::NotFound {
            what: format!("window {window_id}"),
        });
    };
    if paused {
        return Err(Refusal::WindowPaused {
            window: window_id.to_string(),
        }
        .into());
    }
    let busy: Option<(String, String)> = cached_row(
        tx,
        &format!("SELECT number, state FROM tickets WHERE window_id = ?1 AND {CALLED_OR_SERVING}"),
        params![window_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    if let Some((number, state)) = busy {
        return Err(Refusal::WindowBusy {
            window: window_id.to_string(),
            number,
            state,
        }
        .into());
    }
    Ok(staff)
}

fn window_staff(tx: &Connection, window_id: &str) -> Result<Option<String>, StoreError> {
    Ok(cached_row(
        tx,
        "SELECT staff_id FROM windows WHERE id = ?1",
        params![window_id],
        |r| r.get(0),
    )
    .optional()?
    .flatten())
}

/// The ticket called or being served at `window_id`.
fn current_ticket(tx: &Connection, window_id: &str) -> Result<(i64, String), StoreError> {
    cached_row(
        tx,
        &format!("SELECT id, state FROM tickets WHERE window_id = ?1 AND {CALLED_OR_SERVING}"),
        params![window_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| {
        Refusal::NothingCalled {
            window: window_id.to_string(),
        }
        .into()
    })
}

fn call(
    tx: &Connection,
    id: i64,
    window_id: &str,
    staff: Option<&str>,
    now: &DateTime<FixedOffset>,
    action: &str,
) -> Result<TicketView, StoreError> {
    let at = now.to_rfc3339();
    cached_execute(
        tx,
        "UPDATE tickets SET state = 'called', window_id = ?2, staff_id = ?3, calls = calls + 1,
                called_at = ?4
         WHERE id = ?1",
        params![id, window_id, staff, at],
    )?;
    add_ticket_event(tx, id, &at, action, Some(window_id), staff, "")?;
    ticket_view(tx, id)
}

fn add_ticket_event(
    tx: &Connection,
    ticket_id: i64,
    at: &str,
    action: &str,
    window_id: Option<&str>,
    staff_id: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    cached_execute(
        tx,
        "INSERT INTO ticket_events (ticket_id, at, action, window_id, staff_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![ticket_id, at, action, window_id, staff_id, detail],
    )?;
    Ok(())
}

/// A ticket with the waiting tickets of its service that go before it (priority ones, then
/// older ones) and the wait that makes, from today's recent service times and the windows open
/// for the service.
pub(crate) fn ticket_view(tx: &Connection, id: i64) -> Result<TicketView, StoreError> {
    let row = cached_row(
        tx,
        "SELECT t.number, t.service_id, s.name, t.priority, t.state, t.window_id, t.calls,
                t.issued_at, t.day, t.call_rank
         FROM tickets t JOIN services s ON s.id = t.service_id WHERE t.id = ?1",
        params![id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
            ))
        },
    )?;
    let (number, service_id, service_name, priority, state, window_id, calls, issued_at, day, rank) =
        row;
    let priority = Priority::parse(&priority).unwrap_or(Priority::Ordinary);
    let state = TicketState::parse(&state).unwrap_or(TicketState::Closed);
    let people_ahead: i64 = if state == TicketState::Waiting {
        cached_row(
            tx,
            // Ranked as the queue calls them (tickets_waiting, schema v18): priority tickets
            // before ordinary ones, each the oldest first.
            "SELECT count(*) FROM tickets
             WHERE day = ?1 AND service_id = ?2 AND state = 'waiting'
               AND (call_rank, id) < (?4, ?3)",
            params![day, service_id, id, rank],
            |r| r.get(0),
        )?
    } else {
        0
    };
    // Only someone with people ahead waits: a called ticket (every counter's answer) needs
    // neither the recent service times nor the open windows.
    let minutes = if people_ahead == 0 {
        0.0
    } else {
        minutes_per_person(tx, &day, &service_id)? * people_ahead as f64
    };
    Ok(TicketView {
        id,
        number,
        service_id,
        service_name,
        priority,
        state,
        window_id,
        calls,
        people_ahead,
        estimated_wait_minutes: minutes.ceil() as i64,
        issued_at,
    })
}

/// How long each person ahead adds to a wait for `service_id` on `day`: the average of its
/// recent services today, shared among the windows open for it.
fn minutes_per_person(tx: &Connection, day: &str, service_id: &str) -> Result<f64, StoreError> {
    let recent: Option<f64> = cached_row(
        tx,
        "SELECT avg((julianday(ended_at) - julianday(started_at)) * 1440.0) FROM
            (SELECT started_at, ended_at FROM tickets
             WHERE day = ?1 AND service_id = ?2 AND state = 'done' AND started_at IS NOT NULL
             ORDER BY id DESC LIMIT ?3)",
        params![day, service_id, ESTIMATE_FROM_LAST],
        |r| r.get(0),
    )?;
    let windows: i64 = cached_row(
        tx,
        "SELECT count(*) FROM window_services ws JOIN windows w ON w.id = ws.window_id
         WHERE ws.service_id = ?1 AND w.paused = 0 AND w.staff_id IS NOT NULL",
        params![service_id],
        |r| r.get(0),
    )?;
    Ok(recent.unwrap_or(DEFAULT_SERVICE_MINUTES) / windows.max(1) as f64)
}

/// `query_row` through the connection's statement cache: the hall's statements run thousands of
/// times a day, and parsing each anew showed in the profile of the 50-counter bench.
fn cached_row<T, P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(params, f)
}

/// `execute` through the connection's statement cache, for the same reason.
fn cached_execute<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewStaff;
    use chrono::TimeZone;
    use site_api::StaffRole;

    /// 10:00 (+08:00) on 2026-11-23, plus `minutes`.
    fn at(minutes: i64) -> DateTime<FixedOffset> {
        let beijing = FixedOffset::east_opt(8 * 3600).expect("offset");
        beijing
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .single()
            .expect("time")
            + chrono::Duration::minutes(minutes)
    }

    fn time(hm: &str) -> NaiveTime {
        NaiveTime::parse_from_str(hm, "%H:%M").expect("time")
    }

    /// Services A (licences, at most 5 a day) and B (complaints); window w1 serves A, w2 A and
    /// B, w3 B. Staff s1, s2, s3 are on duty at w1, w2, w3.
    fn hall() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = crate::test_site::store(&["a"]);
        let service = |id: &str, name: &str, prefix: &str, cap| SiteService {
            id: id.into(),
            agency_id: "a".into(),
            name: name.into(),
            prefix: prefix.into(),
            daily_cap: cap,
            opens: time("08:30"),
            closes: time("17:00"),
        };
        let window = |id: &str, number, services: &[&str]| SiteWindow {
            id: id.into(),
            number,
            name: format!("{number}号窗口"),
            services: services.iter().map(|s| s.to_string()).collect(),
        };
        store
            .sync_hall(
                &[
                    service("licence", "营业执照", "A", Some(5)),
                    service("complaint", "投诉举报", "B", None),
                ],
                &[
                    window("w1", 1, &["licence"]),
                    window("w2", 2, &["licence", "complaint"]),
                    window("w3", 3, &["complaint"]),
                ],
            )
            .expect("hall");
        for (n, w) in [(1, "w1"), (2, "w2"), (3, "w3")] {
            let id = format!("s{n}");
            store
                .add_staff(&NewStaff {
                    id: &id,
                    agency_id: "a",
                    name: "王芳",
                    credential_number: &format!("11010000{n}"),
                    categories: &[],
                    role: StaffRole::Clerk,
                    photo: None,
                })
                .expect("staff");
            store.sign_in(w, &id).expect("sign in");
        }
        (dir, store)
    }

    fn take(store: &mut Store, service: &str, priority: Priority, minute: i64) -> TicketView {
        store
            .take_ticket(service, priority, at(minute))
            .expect("ticket")
    }

    /// The hall's waiting counts (kept by triggers) against a count of the tickets themselves,
    /// through issuing, calling, transferring, holding and no-shows.
    /// Waiting counts per service and per window, as (id, count) pairs.
    type Waiting = (Vec<(String, i64)>, Vec<(String, i64)>);

    #[test]
    fn waiting_counts_follow_every_change_of_a_ticket() {
        let (_dir, mut store) = hall();
        let counted = |store: &Store| -> Waiting {
            let hall = store.hall(at(30)).expect("hall");
            let services = hall
                .services
                .iter()
                .map(|s| (s.id.clone(), s.waiting))
                .collect();
            let windows = hall
                .windows
                .iter()
                .map(|w| (w.id.clone(), w.waiting))
                .collect();
            (services, windows)
        };
        let truth = |store: &Store| -> Waiting {
            let count = |sql: &str, key: &str| -> i64 {
                store
                    .conn
                    .query_row(sql, params![key], |r| r.get(0))
                    .expect("count")
            };
            let services = ["complaint", "licence"]
                .iter()
                .map(|s| (s.to_string(), count("SELECT count(*) FROM tickets WHERE state = 'waiting' AND service_id = ?1", s)))
                .collect();
            let windows = ["w1", "w2", "w3"]
                .iter()
                .map(|w| {
                    (w.to_string(), count(
                        "SELECT count(*) FROM tickets WHERE state = 'waiting' AND (window_id = ?1
                           OR (window_id IS NULL AND service_id IN
                               (SELECT service_id FROM window_services WHERE window_id = ?1)))",
                        w,
                    ))
                })
                .collect();
            (services, windows)
        };
        let sorted = |(mut a, mut b): Waiting| {
            a.sort();
            b.sort();
            (a, b)
        };
        for minute in 0..6 {
            take(
                &mut store,
                if minute % 2 == 0 {
                    "licence"
                } else {
                    "complaint"
                },
                Priority::Ordinary,
                minute,
            );
        }
        assert_eq!(sorted(counted(&store)), sorted(truth(&store)));
        store.call_next("w1", at(10)).expect("call").expect("one");
        store
            .transfer("w1", None, Some("w3"), at(11))
            .expect("transfer");
        assert_eq!(sorted(counted(&store)), sorted(truth(&store)));
        store.call_next("w2", at(12)).expect("call").expect("one");
        store.hold("w2", at(13), "材料不全").expect("hold");
        store.call_next("w3", at(14)).expect("call").expect("one");
        store.no_show("w3", at(15)).expect("no-show");
        assert_eq!(sorted(counted(&store)), sorted(truth(&store)));
        let (services, _) = counted(&store);
        // Six taken, three called; the transferred one waits again (for w3).
        assert_eq!(
            services.iter().map(|(_, n)| n).sum::<i64>(),
            4,
            "{services:?}"
        );
    }

    #[test]
    fn the_next_ticket_is_found_without_walking_the_queue() {
        let (_dir, mut store) = hall();
        for minute in 0..300 {
            take(&mut store, "complaint", Priority::Ordinary, minute % 60);
        }
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {NEXT_TO_CALL}"))
            .expect("plan")
            .query_map(params!["w2", day_of(&at(0))], |r| r.get::<_, String>(3))
            .expect("plan rows")
            .collect::<Result<_, _>>()
            .expect("plan rows");
        let plan = plan.join("\n");
        // A walk of the whole queue, or a sort of it, would make every call slower the longer
        // the queue: with no priority ticket waiting, the old query read every waiting ticket.
        assert!(plan.contains("tickets_next"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        assert!(!plan.contains("SCAN t"), "{plan}");
    }

    #[test]
    fn numbers_follow_the_service_prefix_and_count_the_people_ahead() {
        let (_dir, mut store) = hall();
        let a1 = take(&mut store, "licence", Priority::Ordinary, 0);
        let a2 = take(&mut store, "licence", Priority::Ordinary, 1);
        let b1 = take(&mut store, "complaint", Priority::Ordinary, 2);
        assert_eq!((a1.number.as_str(), a2.number.as_str()), ("A001", "A002"));
        assert_eq!(b1.number, "B001");
        assert_eq!((a1.people_ahead, a2.people_ahead), (0, 1));
        // Two windows serve licences: one ahead at 5 minutes each is 3 minutes (rounded up).
        assert_eq!(a2.estimated_wait_minutes, 3);
        let elderly = take(&mut store, "licence", Priority::Elderly, 3);
        assert_eq!(elderly.people_ahead, 0, "the green channel goes first");
        assert_eq!(store.ticket(a2.id).expect("a2").people_ahead, 2);
    }

    #[test]
    fn a_window_calls_priority_first_then_the_oldest_of_its_own_services() {
        let (_dir, mut store) = hall();
        take(&mut store, "complaint", Priority::Ordinary, 0);
        let a1 = take(&mut store, "licence", Priority::Ordinary, 1);
        let a2 = take(&mut store, "licence", Priority::Appointment, 2);
        let called = store.call_next("w1", at(5)).expect("call").expect("one");
        assert_eq!(called.number, a2.number, "the appointment goes first");
        assert_eq!(called.window_id.as_deref(), Some("w1"));
        let refused = store.call_next("w1", at(6)).expect_err("busy");
        assert!(refused.to_string().contains("still has A002"), "{refused}");
        store.start_service("w1", at(6)).expect("start");
        store.finish_service("w1", at(10)).expect("done");
        assert_eq!(
            store
                .call_next("w1", at(11))
                .expect("call")
                .expect("one")
                .number,
            a1.number
        );
        // w1 serves no complaints: B001 waits for w2 or w3.
        store.no_show("w1", at(12)).expect("no-show");
        assert!(store.call_next("w1", at(13)).expect("call").is_none());
        assert_eq!(
            store
                .call_next("w3", at(13))
                .expect("call")
                .expect("one")
                .number,
            "B001"
        );
    }

    #[test]
    fn a_day_is_written_as_tickets_keep_it() {
        let early = at(0) - chrono::Duration::days(322) - chrono::Duration::hours(9);
        assert_eq!(day_of(&early), "2026-01-05");
        assert_eq!(day_of(&at(0)), "2026-11-23");
    }

    /// A counter's answer (one window, read by its key) says what the hall board says of that
    /// window: its staff member, current ticket, waiting and held tickets.
    #[test]
    fn a_window_reads_as_the_hall_board_shows_it() {
        let (_dir, mut store) = hall();
        let agree = |store: &Store| {
            for board in store.hall(at(30)).expect("hall").windows {
                assert_eq!(store.window(&board.id, at(30)).expect("window"), board);
            }
        };
        for minute in 0..4 {
            take(&mut store, "licence", Priority::Ordinary, minute);
            take(&mut store, "complaint", Priority::Ordinary, minute);
        }
        store.call_next("w1", at(10)).expect("call").expect("one");
        store
            .transfer("w1", None, Some("w3"), at(11))
            .expect("transfer");
        store.call_next("w2", at(12)).expect("call").expect("one");
        store.hold("w2", at(13), "材料不全").expect("hold");
        store.call_next("w2", at(14)).expect("call").expect("one");
        agree(&store);
        let w2 = store.window("w2", at(30)).expect("w2");
        assert_eq!(w2.held.len(), 1, "{w2:?}");
        assert!(w2.current.is_some());
        assert_eq!(
            w2.staff.as_ref().map(|s| s.credential_number.as_str()),
            Some("110100002")
        );
        assert_eq!(w2.services, ["营业执照", "投诉举报"]);
        // Of eight taken, two were called at w2 and one was sent on to w3: five wait for w2;
        // w3 has the three of its service and the one sent to it.
        assert_eq!(w2.waiting, 5);
        assert_eq!(store.window("w3", at(30)).expect("w3").waiting, 4);
        // Signed in, then gone from the site: the window names nobody.
        store.retire_staff("s2").expect("retired");
        assert!(store.window("w2", at(30)).expect("w2").staff.is_none());
        agree(&store);
    }

    #[test]
    fn recall_hold_and_transfer_keep_the_ticket_and_its_history() {
        let (_dir, mut store) = hall();
        let a1 = take(&mut store, "licence", Priority::Ordinary, 0);
        store.call_next("w1", at(1)).expect("call");
        let again = store.recall("w1", at(2)).expect("recall");
        assert_eq!(again.calls, 2, "a recall is counted");
        store.hold("w1", at(3), "补材料").expect("hold");
        assert_eq!(store.ticket(a1.id).expect("a1").state, TicketState::Held);
        assert!(store.call_next("w1", at(4)).expect("free").is_none());
        let back = store.call_ticket("w1", "A001", at(20)).expect("by number");
        assert_eq!((back.state, back.calls), (TicketState::Called, 3));
        // Sent on to the complaints desk at window 3, keeping its number.
        let moved = store
            .transfer("w1", Some("complaint"), Some("w3"), at(21))
            .expect("transfer");
        assert_eq!(
            (moved.state, moved.number.as_str()),
            (TicketState::Waiting, "A001")
        );
        assert!(
            store.call_next("w2", at(22)).expect("call").is_none(),
            "reserved for window 3"
        );
        assert_eq!(
            store
                .call_next("w3", at(22))
                .expect("call")
                .expect("one")
                .id,
            a1.id
        );
        let steps: Vec<String> = store
            .ticket_history(a1.id)
            .expect("history")
            .into_iter()
            .map(|(action, _, _)| action)
            .collect();
        assert_eq!(
            steps,
            [
                "issued",
                "called",
                "recalled",
                "held",
                "called-by-number",
                "transferred",
                "called"
            ]
        );
        assert!(
            store.conn.execute("DELETE FROM ticket_events", []).is_err(),
            "history cannot be deleted"
        );
    }

    #[test]
    fn caps_and_issuing_hours_refuse_with_what_to_do() {
        let (_dir, mut store) = hall();
        for n in 0..5 {
            take(&mut store, "licence", Priority::Ordinary, n);
        }
        let full = store
            .take_ticket("licence", Priority::Ordinary, at(6))
            .expect_err("cap");
        assert!(full.to_string().contains("今日号已取完"), "{full}");
        let late = store
            .take_ticket("complaint", Priority::Ordinary, at(7 * 60 + 1))
            .expect_err("after 17:00");
        assert!(late.to_string().contains("08:30–17:00"), "{late}");
        store.pause_window("w2", true).expect("pause");
        assert!(
            store.call_next("w2", at(8)).is_err(),
            "a paused window does not call"
        );
    }

    #[test]
    fn numbers_restart_each_day_and_yesterdays_open_tickets_are_closed_not_lost() {
        let (_dir, mut store) = hall();
        let old = take(&mut store, "licence", Priority::Ordinary, 0);
        store.call_next("w1", at(1)).expect("call");
        let waiting = take(&mut store, "licence", Priority::Ordinary, 2);
        let tomorrow = take(&mut store, "licence", Priority::Ordinary, 24 * 60);
        assert_eq!(tomorrow.number, "A001", "a new day, a new count");
        for id in [old.id, waiting.id] {
            let ticket = store.ticket(id).expect("kept");
            assert_eq!(ticket.state, TicketState::Closed);
        }
        assert_eq!(
            store
                .call_next("w1", at(24 * 60 + 1))
                .expect("call")
                .expect("one")
                .id,
            tomorrow.id,
            "yesterday's called ticket no longer blocks the window"
        );
    }

    #[test]
    fn one_rating_per_service_and_a_bad_one_is_followed_up_until_closed() {
        let (_dir, mut store) = hall();
        let a1 = take(&mut store, "licence", Priority::Ordinary, 0);
        let early = store
            .rate(a1.id, RatingLevel::Satisfied, "", at(1))
            .expect_err("not served yet");
        assert!(early.to_string().contains("once it is done"), "{early}");
        store.call_next("w1", at(1)).expect("call");
        store.start_service("w1", at(2)).expect("start");
        store.finish_service("w1", at(9)).expect("done");
        store
            .rate(a1.id, RatingLevel::Dissatisfied, "等太久", at(10))
            .expect("rated");
        let twice = store
            .rate(a1.id, RatingLevel::VerySatisfied, "", at(11))
            .expect_err("一次一评");
        assert!(twice.to_string().contains("already rated"), "{twice}");
        assert_eq!(store.open_follow_ups(None).expect("open"), [a1.id]);
        assert!(
            store
                .close_follow_up(None, a1.id, "电话回访", "", " ", at(60))
                .is_err(),
            "an outcome is needed"
        );
        store
            .close_follow_up(None, a1.id, "电话回访", "增开窗口", "群众表示理解", at(60))
            .expect("closed");
        assert!(store.open_follow_ups(None).expect("open").is_empty());
        // Today's finished service now sets the estimate: 7 minutes, two windows.
        take(&mut store, "licence", Priority::Ordinary, 61);
        let next = take(&mut store, "licence", Priority::Ordinary, 62);
        assert_eq!(next.estimated_wait_minutes, 4);
    }
}
