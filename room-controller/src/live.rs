//! Live changes for displays: every change of a room's session, and of the service hall, is
//! broadcast as a small, sequenced [`LiveEvent`]; `/api/events` streams them as server-sent events.

use records::api::LiveEvent;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{broadcast, watch};

/// Events kept for a slow subscriber before it is told to resynchronise.
const BACKLOG: usize = 256;

#[derive(Clone)]
pub struct Live {
    tx: broadcast::Sender<LiveEvent>,
    seq: Arc<AtomicU64>,
    closing: Arc<watch::Sender<bool>>,
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
            seq: Arc::new(AtomicU64::new(0)),
            closing: Arc::new(closing),
        }
    }

    /// Tells every subscriber that `room` changed.
    pub fn room_changed(&self, room: &str) {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        // No subscriber is not an error: nobody is watching.
        let _ = self.tx.send(LiveEvent {
            seq,
            room: room.to_string(),
        });
    }

    /// Tells every subscriber that the service hall changed (a ticket, a call, a window).
    pub fn hall_changed(&self) {
        self.room_changed(records::api::HALL_TOPIC);
    }

    pub fn subscribe(&self) -> (broadcast::Receiver<LiveEvent>, watch::Receiver<bool>) {
        (self.tx.subscribe(), self.closing.subscribe())
    }

    /// Ends every open stream, so that a shutdown does not wait for displays to hang up.
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }
}
