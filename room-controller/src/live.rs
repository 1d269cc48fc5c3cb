//! Live changes for displays: every change of a room's session, and of the service hall, is
//! broadcast as a small, sequenced [`LiveEvent`]; `/api/events` streams them as server-sent events.

use site_api::{LiveEvent, Topic};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// Events kept for a slow subscriber before it is told to resynchronise, and for a reconnecting
/// one to catch up from (`Last-Event-ID`).
const BACKLOG: usize = 256;

#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<LiveEvent>,
    /// The latest events, oldest first; the lock also orders numbering and sending, so that
    /// events reach subscribers in the order of their numbers.
    recent: Arc<Mutex<VecDeque<LiveEvent>>>,
    closing: Arc<watch::Sender<bool>>,
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
            closing: Arc::new(closing),
        }
    }

    /// Tells every subscriber that `room` changed.
    pub fn room_changed(&self, room: &str) {
        self.changed(Topic::Room(room.to_string()));
    }

    /// Tells every subscriber that the service hall changed (a ticket, a call, a window).
    pub fn hall_changed(&self) {
        self.changed(Topic::Hall);
    }

    fn changed(&self, topic: Topic) {
        let mut recent = self.recent();
        let seq = recent.back().map_or(1, |last| last.seq + 1);
        let event = LiveEvent {
            seq,
            topic,
            sent_at: Some(chrono::Utc::now()),
        };
        if recent.len() == BACKLOG {
            recent.pop_front();
        }
        recent.push_back(event.clone());
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(event);
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, VecDeque<LiveEvent>> {
        // Plain data: a panic elsewhere leaves it usable.
        self.recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let recent = self.recent();
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
            live.hall_changed();
        }
        assert!(
            matches!(live.subscribe_after(1).0, Missed::TooMany),
            "older than the backlog"
        );
    }
}
