//! The routing table as MRT's TABLE_DUMP_V2 records it (RFC 6396 §4.3):
//! the peers, then each prefix with its routes, every route with the full
//! attributes it was received with — the real AS path in AS_PATH (4-octet
//! AS numbers, RFC 6793's AS4_PATH and AS4_AGGREGATOR folded in) and the
//! next hop as NEXT_HOP (IPv4) or an abbreviated MP_REACH_NLRI (IPv6,
//! §4.3.4). A page at a time, so that a dump of a full table never holds
//! the engine for long.

use super::{Engine, PeerId};
use crate::route::Route;
use crate::table::{family_of, RouteKey};
use peerd_wire::attr::{AttrValue, Attribute, MpReach, NextHop};
use peerd_wire::{Family, Prefix};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A neighbour, for the PEER_INDEX_TABLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpPeer {
    /// Its BGP identifier (0.0.0.0 while it has never been up).
    pub bgp_id: Ipv4Addr,
    /// Its address.
    pub address: IpAddr,
    /// Its AS.
    pub asn: u32,
}

/// One route of a dumped prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpRoute {
    /// The neighbour it came from (`None`: ours).
    pub peer: Option<PeerId>,
    /// When it arrived, in seconds of the engine's clock.
    pub since: u32,
    /// Its attributes as a RIB entry carries them.
    pub attributes: Vec<Attribute>,
}

/// A page of a dump: prefixes with their routes, and where the next page
/// starts (`None` on the last).
pub type DumpPage = (Vec<(Prefix, Vec<DumpRoute>)>, Option<Prefix>);

/// A route's attributes for a RIB entry.
fn entry_attributes(route: &Route, family: Family) -> Vec<Attribute> {
    let mut out = Vec::with_capacity(route.attrs.len() + 2);
    for a in route.attrs.iter() {
        match a.value {
            AttrValue::AsPath(_) | AttrValue::As4Path(_) | AttrValue::As4Aggregator(_) => {}
            _ => out.push(a.clone()),
        }
    }
    let at = usize::from(!out.is_empty() && matches!(out[0].value, AttrValue::Origin(_)));
    out.insert(
        at,
        Attribute::new(AttrValue::AsPath(route.as_path.to_as_path())),
    );
    let nh: &NextHop = route.next_hop();
    if family == Family::IPV4_UNICAST {
        let a = match nh {
            NextHop::Ipv4(a) => *a,
            _ => Ipv4Addr::UNSPECIFIED,
        };
        out.push(Attribute::new(AttrValue::NextHop(a)));
    } else {
        let nh = match nh {
            NextHop::Ipv6 { .. } => nh.clone(),
            _ => NextHop::Ipv6 {
                global: Ipv6Addr::UNSPECIFIED,
                link_local: None,
            },
        };
        let mut reach = MpReach::new(family, nh, Vec::new());
        reach.abbreviated = true;
        out.insert(0, Attribute::new(AttrValue::MpReach(Box::new(reach))));
    }
    out
}

impl Engine {
    /// The neighbours, in configuration order, for a PEER_INDEX_TABLE.
    pub fn dump_peers(&self) -> Vec<DumpPeer> {
        self.peers
            .iter()
            .map(|p| DumpPeer {
                bgp_id: p
                    .up
                    .as_ref()
                    .map_or(Ipv4Addr::UNSPECIFIED, |u| u.negotiated.peer_id),
                address: p.cfg.address,
                asn: p.cfg.remote_as,
            })
            .collect()
    }

    /// One page of a dump: with `all`, every neighbour's routes (the
    /// Adj-RIB-Ins, after import policy), else the best route of each
    /// prefix (the Loc-RIB; our own prefixes included). At most `limit`
    /// prefixes after `after`.
    pub fn dump_page(&self, all: bool, after: Option<Prefix>, limit: usize) -> DumpPage {
        let take = limit.saturating_add(1);
        let mut keys: Vec<RouteKey> = if all {
            let mut set = BTreeSet::new();
            for p in &self.peers {
                set.extend(p.adj_in.iter_after(after).map(|(k, _)| k).take(take));
            }
            set.into_iter().take(take).collect()
        } else {
            self.best
                .iter_after(after)
                .map(|(k, _)| k)
                .take(take)
                .collect()
        };
        let more = keys.len() > limit;
        keys.truncate(limit);
        let next = more.then(|| keys.last().map(|k| k.1)).flatten();
        let page = keys
            .iter()
            .map(|k| {
                let routes: Vec<DumpRoute> = if all {
                    self.peers
                        .iter()
                        .enumerate()
                        .filter_map(|(i, p)| p.adj_in.get(k).map(|r| (Some(i), r)))
                        .map(|(peer, r)| DumpRoute {
                            peer,
                            since: r.since,
                            attributes: entry_attributes(r, family_of(&k.1)),
                        })
                        .collect()
                } else {
                    self.best_route(k)
                        .map(|r| DumpRoute {
                            peer: r.peer(),
                            since: r.since,
                            attributes: entry_attributes(r, family_of(&k.1)),
                        })
                        .into_iter()
                        .collect()
                };
                (k.1, routes)
            })
            .collect();
        (page, next)
    }
}
