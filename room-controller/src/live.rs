//! Live changes for displays: every change of a room's session, and of the service hall, is
//! broadcast as a small, sequenced [`LiveEvent`]; `/api/events` streams them as server-sent events.

use chrono::{DateTime, Utc};
use site_api::{LiveEvent, Topic};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

/// Events kept for a slow subscriber before it is told to resynchronise, and for a reconnecting
/// one to catch up from (`Last-Event-ID`).
const BACKLOG: usize = 256;

/// The hall changes in bursts (fifty counters calling at once), and every display fetches the
/// whole hall on each event: a display needs to know that it changed since its last fetch, not
/// how many times. A change is told at once; the changes within this time after an event are
/// told by one event at its end, so that a burst costs each display a few fetches, not one
/// per counter, and a change is never told later than this.
const HALL_QUIET: Duration = Duration::from_millis(20);

#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<LiveEvent>,
    /// The latest events, oldest first; the lock also orders numbering and sending, so that
    /// events reach subscribers in the order of their numbers.
    recent: Arc<Mutex<VecDeque<LiveEvent>>>,
    hall: Arc<Mutex<HallPacing>>,
    closing: Arc<watch::Sender<bool>>,
}

/// When the hall's last event went out, and since when a change waits for the next one.
#[derive(Default)]
struct HallPacing {
    last_sent: Option<Instant>,
    waiting_since: Option<DateTime<Utc>>,
}

/// What a reconnecting subscriber missed.
pub enum Missed {
    /// These events, in order.
    Events(Vec<LiveEvent>),
    /// More than is kept: it must fetch everything again.
    TooMany,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        let (closing, _) = watch::channel(false);
        Self {
            tx,
            recent: Arc::new(Mutex::new(VecDeque::with_capacity(BACKLOG))),
            hall: Arc::default(),
            closing: Arc::new(closing),
        }
    }

    /// Tells every subscriber that `room` changed.
    pub fn room_changed(&self, room: &str) {
        self.changed(Topic::Room(room.to_string()), Utc::now());
    }

    /// Tells every subscriber that the service hall changed (a ticket, a call, a window): at
    /// once, or with the other changes of a burst within [`HALL_QUIET`].
    pub fn hall_changed(&self) {
        let mut pacing = lock(&self.hall);
        if pacing.waiting_since.is_some() {
            return; // the event due tells of this change too
        }
        let now = Instant::now();
        let due = pacing.last_sent.map(|last| last + HALL_QUIET);
        match (due, tokio::runtime::Handle::try_current()) {
            (Some(due), Ok(runtime)) if due > now => {
                pacing.waiting_since = Some(Utc::now());
                let live = self.clone();
                runtime.spawn(async move {
                    tokio::time::sleep_until(due).await;
                    live.tell_waiting_hall_changes();
                });
            }
            _ => {
                pacing.last_sent = Some(now);
                drop(pacing);
                self.changed(Topic::Hall, Utc::now());
            }
        }
    }

    fn tell_waiting_hall_changes(&self) {
        let mut pacing = lock(&self.hall);
        pacing.last_sent = Some(Instant::now());
        let since = pacing.waiting_since.take();
        drop(pacing);
        self.changed(Topic::Hall, since.unwrap_or_else(Utc::now));
    }

    /// Sends an event for `topic`, whose (first) change happened at `since`.
    fn changed(&self, topic: Topic, since: DateTime<Utc>) {
        let mut recent = lock(&self.recent);
        let seq = recent.back().map_or(1, |last| last.seq + 1);
        let event = LiveEvent {
            seq,
            topic,
            sent_at: Some(since),
        };
        if recent.len() == BACKLOG {
            recent.pop_front();
        }
        recent.push_back(event.clone());
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// Subscribes, and says what a subscriber that last saw event `last_seen` missed. Taken
    /// under the same lock as sending, so that nothing falls between the two.
    pub fn subscribe_after(
        &self,
        last_seen: u64,
    ) -> (
        Missed,
        broadcast::Receiver<LiveEvent>,
        watch::Receiver<bool>,
    ) {
        let recent = lock(&self.recent);
        let (changes, closing) = (self.tx.subscribe(), self.closing.subscribe());
        let newest = recent.back().map_or(0, |e| e.seq);
        let missed = if last_seen >= newest {
            Missed::Events(Vec::new())
        } else if recent
            .front()
            .is_some_and(|oldest| oldest.seq <= last_seen + 1)
        {
            Missed::Events(
                recent
                    .iter()
                    .filter(|e| e.seq > last_seen)
                    .cloned()
                    .collect(),
            )
        } else {
            Missed::TooMany
        };
        (missed, changes, closing)
    }

    pub fn subscribe(&self) -> (broadcast::Receiver<LiveEvent>, watch::Receiver<bool>) {
        (self.tx.subscribe(), self.closing.subscribe())
    }

    /// Ends every open stream, so that a shutdown does not wait for displays to hang up.
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }
}

/// Plain data: a panic elsewhere leaves it usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reconnecting_subscriber_gets_what_it_missed_or_is_told_to_resync() {
        let live = Live::new();
        for room in ["a", "b", "c"] {
            live.room_changed(room);
        }
        let (missed, _, _) = live.subscribe_after(1);
        let Missed::Events(events) = missed else {
            panic!("two events are kept")
        };
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert!(matches!(live.subscribe_after(3).0, Missed::Events(e) if e.is_empty()));
        for _ in 0..BACKLOG {
            live.room_changed("d");
        }
        assert!(
            matches!(live.subscribe_after(1).0, Missed::TooMany),
            "older than the backlog"
        );
    }

    #[tokio::test]
    async fn a_burst_of_hall_changes_is_told_at_once_and_then_once_more() {
        let live = Live::new();
        let (mut changes, _) = live.subscribe();
        let burst_began = Utc::now();
        for _ in 0..50 {
            live.hall_changed();
        }
        let first = changes
            .try_recv()
            .expect("the first change is told at once");
        assert_eq!(first.topic, Topic::Hall);
        assert!(
            changes.try_recv().is_err(),
            "the others wait for the quiet time"
        );
        let rest = tokio::time::timeout(Duration::from_secs(1), changes.recv())
            .await
            .expect("told within the quiet time")
            .expect("open");
        assert_eq!(rest.seq, first.seq + 1);
        assert!(
            rest.sent_at.expect("stamped") < burst_began + HALL_QUIET,
            "stamped with the time of the first change it tells of, not of its sending"
        );
        tokio::time::sleep(HALL_QUIET * 3).await;
        assert!(changes.try_recv().is_err(), "one event for the whole burst");
        live.hall_changed();
        assert!(
            changes.try_recv().is_ok(),
            "after a quiet time, a change is told at once again"
        );
    }
}
