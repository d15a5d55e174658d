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
    /// Announcements its import policy rejected, by why.
    pub filtered: peerd_engine::Filtered,
    /// Announcements marked as route leaks (RFC 9234).
    pub leaked: u64,
    /// Prefixes accepted, IPv4 and IPv6 unicast.
    pub received_by_family: [usize; 2],
    /// Times it went over its max-prefix limit.
    pub max_prefix_trips: u64,
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
    /// What the established session negotiated (`None` while not
    /// established).
    pub session: Option<SessionInfo>,
    /// The last NOTIFICATION sent, in words.
    pub last_notification_sent: Option<String>,
    /// The last NOTIFICATION received, in words.
    pub last_notification_received: Option<String>,
}

/// What an established session negotiated, as operators read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionInfo {
    /// Hold time, seconds.
    pub hold_time: u16,
    /// Our keepalive interval, seconds (`None` with hold time 0).
    pub keepalive: Option<u32>,
    /// The capabilities in force, in words.
    pub capabilities: Vec<String>,
    /// The neighbor can refresh its routes (RFC 2918).
    pub route_refresh: bool,
}

impl SessionInfo {
    /// From the negotiation's result.
    pub fn of(n: &peerd_fsm::Negotiated) -> Self {
        let mut caps = Vec::new();
        let add = |caps: &mut Vec<String>, on: bool, what: &str| {
            if on {
                caps.push(what.to_string());
            }
        };
        add(&mut caps, n.four_octet_as, "4-octet-as");
        add(&mut caps, n.route_refresh, "route-refresh");
        add(
            &mut caps,
            n.enhanced_route_refresh,
            "enhanced-route-refresh",
        );
        add(&mut caps, n.extended_message, "extended-message");
        for f in &n.families {
            let rx = n.add_path_rx.contains(*f);
            let tx = n.add_path_tx.contains(*f);
            if rx || tx {
                let way = match (rx, tx) {
                    (true, true) => "both",
                    (true, false) => "receive",
                    _ => "send",
                };
                caps.push(format!("add-path {f} {way}"));
            }
        }
        add(
            &mut caps,
            !n.extended_next_hop.is_empty(),
            "extended-next-hop",
        );
        if let Some(g) = &n.peer_graceful_restart {
            caps.push(format!(
                "graceful-restart (neighbor: {} s{}{})",
                g.restart_time,
                if g.flags & 0x8 != 0 {
                    ", restarting"
                } else {
                    ""
                },
                if g.flags & 0x4 != 0 { ", N bit" } else { "" },
            ));
        }
        add(
            &mut caps,
            !n.peer_llgr.is_empty(),
            "long-lived-graceful-restart",
        );
        if let Some(r) = n.peer_role {
            caps.push(format!("role (neighbor: {r:?})"));
        }
        add(&mut caps, n.peer_hostname.is_some(), "fqdn");
        SessionInfo {
            hold_time: n.hold_time,
            keepalive: n.keepalive.map(|k| k.as_secs() as u32),
            capabilities: caps,
            route_refresh: n.route_refresh,
        }
    }
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
