//! What the routing table tells the forwarding table: for each prefix whose
//! entry may have changed, how packets to it leave now — the gateways of the
//! best BGP route (and of the routes multipath puts beside it), a static
//! route's way out, a blackhole — or that they do not leave through a route
//! of ours at all. An IPv6 next hop that has a link-local address and no
//! reachable global one leaves through its session's interface (RFC 2545). The runtime turns these into kernel routes (`peerd-fib`)
//! and drops the ones that did not change.

use super::{Action, Engine, RouteKey, Source};
use crate::decision;
use crate::engine::originate::Via;
use peerd_wire::attr::NextHop;
use peerd_wire::Prefix;
use std::net::{IpAddr, Ipv6Addr};

/// How packets to a prefix leave.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Forward {
    /// To one of these gateways (more than one: ECMP).
    Gateways(Vec<IpAddr>),
    /// Out of this interface, to this gateway when one is given.
    Interface {
        /// The interface's name.
        name: String,
        /// The gateway on it.
        gateway: Option<IpAddr>,
    },
    /// Dropped here.
    Blackhole,
}

fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

/// The address to forward to for a BGP next hop: the global one; none for
/// a next hop that is only link-local (RFC 2545: it is reached through
/// the session's interface, see [`link_local`]).
fn gateway(nh: &NextHop) -> Option<IpAddr> {
    match nh {
        NextHop::Ipv4(a) => Some(IpAddr::V4(*a)),
        NextHop::Ipv6 { global, .. } if !global.is_unspecified() && !is_link_local(global) => {
            Some(IpAddr::V6(*global))
        }
        _ => None,
    }
}

/// The link-local address of a next hop: sent alone (in the global field,
/// as some speakers do) or after the global address (RFC 2545).
fn link_local(nh: &NextHop) -> Option<Ipv6Addr> {
    match nh {
        NextHop::Ipv6 { global, .. } if is_link_local(global) => Some(*global),
        NextHop::Ipv6 {
            link_local: Some(l),
            ..
        } => Some(*l),
        _ => None,
    }
}

impl Engine {
    /// Sends the forwarding table its entries for `keys` (when asked to,
    /// with [`Engine::set_forwarding`]).
    pub(super) fn emit_forward(&self, keys: &[RouteKey], actions: &mut Vec<Action>) {
        if !self.forwarding || keys.is_empty() {
            return;
        }
        let entries: Vec<(Prefix, Option<Forward>)> =
            keys.iter().map(|k| (k.1, self.forward_of(k))).collect();
        actions.push(Action::Forward(entries));
    }

    /// How packets to `key` leave now.
    pub(super) fn forward_of(&self, key: &RouteKey) -> Option<Forward> {
        if let Some((s, kernel)) = self.table_wins(key) {
            // An imported kernel route is in the kernel already.
            return (!kernel).then(|| match &s.via {
                Via::Address(a, None) => Forward::Gateways(vec![*a]),
                Via::Address(a, Some(name)) => Forward::Interface {
                    name: name.clone(),
                    gateway: Some(*a),
                },
                Via::Interface(name) => Forward::Interface {
                    name: name.clone(),
                    gateway: None,
                },
                Via::Blackhole => Forward::Blackhole,
            });
        }
        // Our own announcements are reached through the interfaces that
        // hold them, not through a route of ours.
        let Some(Source::Peer(_)) = self.source_of(key) else {
            return None;
        };
        let best = self.best_route(key)?;
        if best.discard {
            return Some(Forward::Blackhole);
        }
        // No global next hop the kernel can reach (none, or one off the
        // link such as the neighbour's loopback) but a link-local one: out
        // of the session's interface, to that address (multipath does not
        // add to such a route).
        let global_ok =
            gateway(best.next_hop()).is_some_and(|g| self.resolver.resolves_addr(g, None));
        if let Some(ll) = link_local(best.next_hop()).filter(|_| !global_ok) {
            let name = best
                .learned
                .peer
                .and_then(|i| self.peers.get(i))
                .and_then(|p| p.cfg.interface.clone())?;
            return Some(Forward::Interface {
                name,
                gateway: Some(IpAddr::V6(ll)),
            });
        }
        let mut gws: Vec<IpAddr> = gateway(best.next_hop()).into_iter().collect();
        if self.decision.multipath {
            let mut sources = Vec::new();
            let mut cands = Vec::new();
            let mut lost = Vec::new();
            super::gather(self.tables(), key, &mut sources, &mut cands);
            decision::select(&cands, &self.decision, &mut lost);
            for (c, l) in cands.iter().zip(&lost) {
                if decision::is_multipath(&self.decision, *l) && !c.route.discard {
                    if let Some(g) = gateway(c.route.next_hop()) {
                        if !gws.contains(&g) {
                            gws.push(g);
                        }
                    }
                }
            }
        }
        (!gws.is_empty()).then_some(Forward::Gateways(gws))
    }
}
