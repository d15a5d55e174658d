//! What `peerctl` shows about each neighbour, shared between the session
//! tasks (which write it) and the control socket (which reads it).

use peerd_fsm::State;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One neighbour's status.
#[derive(Debug, Clone)]
pub struct PeerStatus {
    pub name: String,
    pub address: String,
    pub remote_as: u32,
    pub state: State,
    pub since: Instant,
    pub last_error: Option<String>,
    pub received: usize,
    pub sent: usize,
    /// Announcements its import policy rejected.
    pub filtered: u64,
    /// Removed by a reload (its index stays taken).
    pub removed: bool,
    pub hostname: Option<String>,
    /// Families negotiated on the established session.
    pub families: Vec<String>,
    /// Messages received and sent, by type: counted by the session task
    /// without taking the status lock (once per message).
    pub messages: Arc<MessageCounts>,
    /// Times an established session went down.
    pub flaps: u64,
}

/// Messages by type (1 OPEN … 5 ROUTE-REFRESH; 0 others), both ways.
#[derive(Debug, Default)]
pub struct MessageCounts {
    received: [AtomicU64; 6],
    sent: [AtomicU64; 6],
}

impl MessageCounts {
    /// Counts `n` messages of type `ty` (the octet after the header's
    /// length), sent or received.
    pub fn add(&self, sent: bool, ty: u8, n: u64) {
        let v = if sent { &self.sent } else { &self.received };
        v[message_index(ty)].fetch_add(n, Ordering::Relaxed);
    }

    /// The counts, by index of [`MESSAGE_TYPES`].
    pub fn get(&self, sent: bool) -> [u64; 6] {
        let v = if sent { &self.sent } else { &self.received };
        std::array::from_fn(|i| v[i].load(Ordering::Relaxed))
    }
}

/// The names of the message types counted, by index.
pub const MESSAGE_TYPES: [&str; 6] = [
    "other",
    "open",
    "update",
    "notification",
    "keepalive",
    "route_refresh",
];

/// The index of a message type (the octet after the header's length).
pub fn message_index(ty: u8) -> usize {
    match ty {
        1..=5 => usize::from(ty),
        _ => 0,
    }
}

/// All neighbours, in configuration order.
pub type Status = Arc<Mutex<Vec<PeerStatus>>>;

/// Updates one neighbour's status (a poisoned lock is recovered: status is
/// only ever overwritten field by field).
pub fn update(status: &Status, idx: usize, f: impl FnOnce(&mut PeerStatus)) {
    let mut g = status.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = g.get_mut(idx) {
        f(p);
    }
}

/// A copy of every neighbour's status.
pub fn snapshot(status: &Status) -> Vec<PeerStatus> {
    status.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
