//! A route as the engine keeps it.

use crate::compact_path::CompactPath;
use peerd_wire::attr::{AttrValue, Attribute, NextHop, Origin};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// Where a route came from: shared by every route of one neighbour (or by
/// all our own), so a route costs one pointer for it.
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
}

/// What a route shares with the other routes of its UPDATE — attributes,
/// next hop, AS path, where it came from — interned as one record, so that
/// a route is one pointer, its arrival time and three flags (16 octets):
/// the Adj-RIB-In of a full feed holds a million of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Path attributes as received, without NEXT_HOP, MP_REACH_NLRI and
    /// MP_UNREACH_NLRI (the next hop is kept apart), interned.
    pub attrs: Arc<Vec<Attribute>>,
    /// The next hop, interned.
    pub next_hop: Arc<NextHop>,
    /// The real AS path (RFC 6793 reconstruction applied), interned.
    pub as_path: CompactPath,
    /// Where it came from.
    pub learned: Arc<Learned>,
}

/// One path to a prefix. Its shared parts are reached through `Deref`
/// (`route.attrs`, `route.next_hop`, `route.as_path`, `route.learned`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The shared parts.
    pub path: Arc<Path>,
    /// When it arrived, in seconds of the engine's clock (RFC 5004).
    pub since: u32,
    /// Kept for a restarting neighbour (RFC 4724).
    pub stale: bool,
    /// A route leak by RFC 9234's ingress rules: kept, never eligible.
    pub leak: bool,
    /// The import policy set its next hop to discard: traffic to the
    /// prefix is dropped here (it is still a route for BGP).
    pub discard: bool,
}

impl std::ops::Deref for Route {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl Route {
    /// A route of `path` that arrived at `since`, with no flag set.
    pub fn new(path: Arc<Path>, since: u32) -> Route {
        Route {
            path,
            since,
            stale: false,
            leak: false,
            discard: false,
        }
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
