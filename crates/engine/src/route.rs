//! A route as the engine keeps it.

use crate::compact_path::CompactPath;
use peerd_wire::attr::{AttrValue, Attribute, NextHop, Origin};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Where a route came from and where it leads: the neighbour session and
/// the next hop it gave, shared by every route of that neighbour with that
/// next hop (or by all our own), so a route record costs one pointer for
/// both.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Learned {
    /// The neighbour: `None` for our own prefixes.
    pub peer: Option<usize>,
    /// The neighbour's BGP identifier (tie-breaker).
    pub peer_id: Ipv4Addr,
    /// The neighbour's address (last tie-breaker).
    pub peer_addr: IpAddr,
    /// Learned over eBGP.
    pub ebgp: bool,
    /// Learned from a route-reflector client (RFC 4456).
    pub rr_client: bool,
    /// The next hop (after the import policy), interned.
    pub next_hop: Arc<NextHop>,
}

/// Everything a route has but its prefix — attributes, AS path, where it
/// came from and its next hop, when it arrived, its flags — interned as one
/// record that the routes of one UPDATE share (about four prefixes a
/// record in a full table), so that a route in an Adj-RIB-In is one pointer
/// (8 octets): the Adj-RIB-In of a full feed holds a million of them.
///
/// The record is 40 octets, one 64-octet block with its reference counts:
/// one field more and it would take 80.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Path attributes as received, without NEXT_HOP, MP_REACH_NLRI and
    /// MP_UNREACH_NLRI (the next hop is kept apart), interned.
    pub attrs: Arc<Vec<Attribute>>,
    /// Where it came from and its next hop, interned.
    pub learned: Arc<Learned>,
    /// The real AS path (RFC 6793 reconstruction applied), interned.
    pub as_path: CompactPath,
    /// When it arrived, in seconds of the engine's clock (RFC 5004).
    pub since: u32,
    /// Kept for a restarting neighbour (RFC 4724).
    pub stale: bool,
    /// A route leak by RFC 9234's ingress rules: kept, never eligible.
    pub leak: bool,
    /// The import policy set its next hop to discard: traffic to the
    /// prefix is dropped here (it is still a route for BGP).
    pub discard: bool,
    /// Counts the record while it lives (no octet of its own).
    pub(crate) alive: Alive,
}

/// Route records alive in this process. No table holds them all (they are
/// found per operation, `intern.rs`), so they count themselves, for the
/// memory figures: one process runs one engine.
static RECORDS: AtomicUsize = AtomicUsize::new(0);

/// Route records alive now (every engine of the process together).
pub fn records_alive() -> usize {
    RECORDS.load(Ordering::Relaxed)
}

/// A record's share of [`RECORDS`]: counted when made (or copied), and
/// no longer when dropped.
#[derive(Debug)]
pub(crate) struct Alive(());

impl Alive {
    fn new() -> Alive {
        RECORDS.fetch_add(1, Ordering::Relaxed);
        Alive(())
    }
}

impl Clone for Alive {
    fn clone(&self) -> Alive {
        Alive::new()
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        RECORDS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Not part of what a record is.
impl PartialEq for Alive {
    fn eq(&self, _: &Alive) -> bool {
        true
    }
}

impl Eq for Alive {}

impl Path {
    /// A record of these parts that arrived at `since`, with no flag set.
    pub fn new(
        attrs: Arc<Vec<Attribute>>,
        learned: Arc<Learned>,
        as_path: CompactPath,
        since: u32,
    ) -> Path {
        Path {
            attrs,
            learned,
            as_path,
            since,
            stale: false,
            leak: false,
            discard: false,
            alive: Alive::new(),
        }
    }

    /// The next hop.
    pub fn next_hop(&self) -> &Arc<NextHop> {
        &self.learned.next_hop
    }
}

/// One path to a prefix: its shared record, reached through `Deref`
/// (`route.attrs`, `route.as_path`, `route.learned`, `route.since`, …).
/// The record is shared, so a route is changed by interning the changed
/// record (`PathInterner::with`), never in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The shared record.
    pub path: Arc<Path>,
}

impl std::ops::Deref for Route {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl Route {
    /// A route of the record `path`.
    pub fn new(path: Arc<Path>) -> Route {
        Route { path }
    }

    /// The neighbour it came from (`None`: ours).
    pub fn peer(&self) -> Option<usize> {
        self.learned.peer
    }

    /// Learned over eBGP.
    pub fn ebgp(&self) -> bool {
        self.learned.ebgp
    }
    /// LOCAL_PREF, or the default 100.
    pub fn local_pref(&self) -> u32 {
        self.attrs
            .iter()
            .find_map(|a| {
                if let AttrValue::LocalPref(v) = a.value {
                    Some(v)
                } else {
                    None
                }
            })
            .unwrap_or(100)
    }

    /// MULTI_EXIT_DISC, missing counting as 0 (RFC 4271 §9.1.2.2 c).
    pub fn med(&self) -> u32 {
        self.attrs
            .iter()
            .find_map(|a| {
                if let AttrValue::Med(v) = a.value {
                    Some(v)
                } else {
                    None
                }
            })
            .unwrap_or(0)
    }

    /// ORIGINATOR_ID (RFC 4456), if reflected.
    pub fn originator_id(&self) -> Option<Ipv4Addr> {
        self.attrs.iter().find_map(|a| {
            if let AttrValue::OriginatorId(v) = a.value {
                Some(v)
            } else {
                None
            }
        })
    }

    /// Length of CLUSTER_LIST (RFC 4456), 0 when missing.
    pub fn cluster_list_len(&self) -> usize {
        self.attrs
            .iter()
            .find_map(|a| {
                if let AttrValue::ClusterList(c) = &a.value {
                    Some(c.len())
                } else {
                    None
                }
            })
            .unwrap_or(0)
    }

    /// The Only to Customer attribute (RFC 9234), if present.
    pub fn otc(&self) -> Option<u32> {
        self.attrs.iter().find_map(|a| {
            if let AttrValue::Otc(v) = a.value {
                Some(v)
            } else {
                None
            }
        })
    }

    /// ORIGIN, missing counting as INCOMPLETE.
    pub fn origin(&self) -> Origin {
        self.attrs
            .iter()
            .find_map(|a| {
                if let AttrValue::Origin(o) = a.value {
                    Some(o)
                } else {
                    None
                }
            })
            .unwrap_or(Origin::Incomplete)
    }
}

// The sizes the memory figures of docs/benchmarks.md rest on (64-bit).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<Path>() == 40);
    assert!(std::mem::size_of::<Route>() == 8);
};
