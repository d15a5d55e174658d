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
}

impl Resolver {
    /// Whether `nh` resolves. An IPv6 next hop with a link-local address
    /// (alone, first, or beside a global one) is on the session's link: it
    /// resolves while the session is up. Next hops of other kinds are not forwarded by us and
    /// are left alone.
    pub(crate) fn resolves(&self, nh: &NextHop) -> bool {
        let Some(routes) = &self.routes else {
            return true;
        };
        let addr = match nh {
            NextHop::Ipv4(a) => IpAddr::V4(*a),
            NextHop::Ipv6 { global, .. } if global.segments()[0] & 0xffc0 == 0xfe80 => return true,
            // With a link-local address beside it, the next hop is on the
            // session's link whatever becomes of the global one (RFC 2545).
            NextHop::Ipv6 {
                link_local: Some(_),
                ..
            } => return true,
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
            } => Some(self.resolves_addr(IpAddr::V6(*global))),
            _ => None,
        }
    }

    /// Whether a static route's gateway resolves (an IPv6 link-local one
    /// is on the interface the route names: it does).
    pub(crate) fn resolves_addr(&self, a: IpAddr) -> bool {
        let Some(routes) = &self.routes else {
            return true;
        };
        match a {
            IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80 => true,
            a => routes.longest_match(a).is_some(),
        }
    }
}

impl Engine {
    /// The kernel's usable routes changed: every prefix with a candidate
    /// whose next hop changed reachability is decided again.
    pub(super) fn set_resolvable(&mut self, prefixes: Vec<Prefix>, actions: &mut Vec<Action>) {
        let mut routes = PrefixMap::new();
        for p in prefixes {
            routes.insert((crate::table::family_of(&p), p), ());
        }
        let old = std::mem::replace(
            &mut self.resolver,
            Resolver {
                routes: Some(routes),
            },
        );
        // Next hops are shared by many routes: each is looked up once.
        let mut flipped: HashMap<*const NextHop, bool> = HashMap::new();
        let mut keys: Vec<RouteKey> = Vec::new();
        for p in &self.peers {
            for (k, r) in p.adj_in.iter() {
                let nh: &NextHop = &r.next_hop;
                let f = *flipped.entry(nh as *const NextHop).or_insert_with(|| {
                    old.resolves(nh) != self.resolver.resolves(nh)
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
                Via::Address(a, _) => old.resolves_addr(*a) != self.resolver.resolves_addr(*a),
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
