//! Next-hop reachability (RFC 4271 §9.1.2.1): a route whose next hop does
//! not resolve is not a candidate. The daemon tells the engine which kernel
//! routes next hops resolve through ([`Event::Resolvable`], from
//! `peerd-fib`'s `watch`); until it does — or when it programs no
//! forwarding table — every next hop counts as reachable. A static route
//! whose gateway does not resolve is inactive the same way: it does not
//! win against BGP, forward, or get redistributed.

use super::{Engine, RouteKey};
use crate::engine::originate::Via;
use crate::table::PrefixMap;
use crate::Action;
use peerd_wire::attr::NextHop;
use peerd_wire::Prefix;
use std::collections::HashMap;
use std::net::IpAddr;

/// The routes next hops resolve through.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolver {
    /// `None`: not tracked, everything resolves.
    routes: Option<PrefixMap<()>>,
    /// Interfaces that are down (or without carrier): a link-local next
    /// hop on one of them does not resolve.
    down: Vec<String>,
}

fn link_local(a: &std::net::Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
}

impl Resolver {
    /// Whether `nh`, learned over a session on `interface` (if one is
    /// configured), resolves. An IPv6 next hop with a link-local address
    /// (alone, first, or beside a global one) is on the session's link: it
    /// resolves while that interface is up — and, beside a global one,
    /// also while the global one resolves (RFC 2545). Next hops of other
    /// kinds are not forwarded by us and are left alone.
    pub(crate) fn resolves(&self, nh: &NextHop, interface: Option<&str>) -> bool {
        let Some(routes) = &self.routes else {
            return true;
        };
        let on_link = interface.is_none_or(|i| !self.down.iter().any(|d| d == i));
        let addr = match nh {
            NextHop::Ipv4(a) => IpAddr::V4(*a),
            NextHop::Ipv6 { global, .. } if link_local(global) => return on_link,
            NextHop::Ipv6 {
                link_local: Some(_),
                ..
            } if on_link => return true,
            NextHop::Ipv6 { global, .. } => match global.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(*global),
            },
            NextHop::Other(_) => return true,
        };
        routes.longest_match(addr).is_some()
    }

    /// Whether the global address of an IPv6 next hop that also has a
    /// link-local one resolves: which of the two the kernel route uses
    /// (`forward.rs`). `None` for other next hops.
    fn global_resolves(&self, nh: &NextHop) -> Option<bool> {
        match nh {
            NextHop::Ipv6 {
                global,
                link_local: Some(_),
            } => Some(self.resolves_addr(IpAddr::V6(*global), None)),
            _ => None,
        }
    }

    /// Whether a gateway resolves (an IPv6 link-local one is on
    /// `interface`, the one a static route names: it does while that
    /// interface is up).
    pub(crate) fn resolves_addr(&self, a: IpAddr, interface: Option<&str>) -> bool {
        let Some(routes) = &self.routes else {
            return true;
        };
        match a {
            IpAddr::V6(v6) if link_local(&v6) => {
                interface.is_none_or(|i| !self.down.iter().any(|d| d == i))
            }
            a => routes.longest_match(a).is_some(),
        }
    }
}

impl Engine {
    /// The kernel's usable routes or its links changed: every prefix with
    /// a candidate whose next hop changed reachability is decided again.
    pub(super) fn set_resolvable(
        &mut self,
        prefixes: Vec<Prefix>,
        down: Vec<String>,
        actions: &mut Vec<Action>,
    ) {
        let mut routes = PrefixMap::new();
        for p in prefixes {
            routes.insert((crate::table::family_of(&p), p), ());
        }
        let old = std::mem::replace(
            &mut self.resolver,
            Resolver {
                routes: Some(routes),
                down,
            },
        );
        // Next hops are shared by many routes: each is looked up once per
        // interface (a link-local address means something per link).
        let mut flipped: HashMap<(*const NextHop, Option<&str>), bool> = HashMap::new();
        let mut keys: Vec<RouteKey> = Vec::new();
        for p in &self.peers {
            let iface = p.cfg.interface.as_deref();
            for (k, r) in p.adj_in.iter() {
                let nh: &NextHop = r.next_hop();
                let f = *flipped
                    .entry((nh as *const NextHop, iface))
                    .or_insert_with(|| {
                        old.resolves(nh, iface) != self.resolver.resolves(nh, iface)
                            || old.global_resolves(nh) != self.resolver.global_resolves(nh)
                    });
                if f {
                    keys.push(k);
                }
            }
        }
        // Static routes whose gateway came or went: they win, forward,
        // are redistributed and cover announcements only while it resolves.
        let statics: Vec<RouteKey> = self
            .statics
            .iter()
            .filter(|(_, s)| match &s.via {
                Via::Address(a, i) => {
                    old.resolves_addr(*a, i.as_deref())
                        != self.resolver.resolves_addr(*a, i.as_deref())
                }
                _ => false,
            })
            .map(|(k, _)| *k)
            .collect();
        keys.extend(statics.iter().copied());
        keys.sort();
        keys.dedup();
        if !keys.is_empty() {
            self.reselect_and_export(&keys, actions);
        }
        if !statics.is_empty() {
            self.refresh_local(actions);
        }
    }
}
