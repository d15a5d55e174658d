//! Other programs' kernel routes, sans IO: the ones the routing table may
//! import (`[fib] import`) — a default route from a DHCP client, a static
//! route an operator added with `ip route`, a route of another daemon.
//!
//! Taken: unicast and blackhole routes of the tables peerd reads (the main
//! table, and the one it programs), whatever their prefix, except
//!
//! - peerd's own (`ours`),
//! - connected routes (`proto kernel`, `RTPROT_KERNEL` = 2): the kernel's
//!   routes to its own links, used to resolve next hops, not to route,
//! - routes whose every way out is an interface that is down or has lost
//!   carrier (the kernel keeps such routes, flagged `linkdown`, but they
//!   carry nothing).
//!
//! Of several routes to one prefix (different metrics) the kernel uses the
//! lowest metric's: that one is taken. A multipath route is taken with its
//! first next hop.

use crate::route::{KernelRoute, RouteKind};
use crate::watch::Link;
use peerd_wire::Prefix;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The protocol number of the kernel's connected routes.
pub const RTPROT_KERNEL: u8 = 2;

/// Where a foreign route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForeignVia {
    /// To a gateway; the interface is named for an IPv6 link-local one.
    Gateway(IpAddr, Option<String>),
    /// Out of an interface, no gateway.
    Device(String),
    /// Dropped.
    Blackhole,
}

/// A route another program (or the operator) put in the kernel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Foreign {
    /// Destination.
    pub prefix: Prefix,
    /// Who installed it (`rtm_protocol`: 3 boot, 4 static, 16 dhcp, …).
    pub protocol: u8,
    /// Its metric.
    pub metric: u32,
    /// Where it goes.
    pub via: ForeignVia,
}

fn is_link_local(a: &IpAddr) -> bool {
    matches!(a, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
}

/// The routes the routing table may import, one per prefix, in prefix order.
pub fn foreign(links: &[Link], routes: &[KernelRoute], tables: &[u32], ours: u8) -> Vec<Foreign> {
    let link = |i: u32| links.iter().find(|l| l.index == i);
    let up = |i: u32| link(i).is_some_and(|l| l.up);
    let name = |i: u32| link(i).map(|l| l.name.clone()).unwrap_or_default();
    let mut best: BTreeMap<Prefix, Foreign> = BTreeMap::new();
    for r in routes {
        if !tables.contains(&r.table) || r.protocol == ours || r.protocol == RTPROT_KERNEL {
            continue;
        }
        let via = match &r.kind {
            RouteKind::Blackhole => ForeignVia::Blackhole,
            RouteKind::Device(i) if up(*i) => ForeignVia::Device(name(*i)),
            RouteKind::Device(_) => continue,
            RouteKind::Unicast(hops) => {
                let Some(h) = hops.iter().find(|h| h.ifindex.is_none_or(up)) else {
                    continue;
                };
                let dev = h.ifindex.filter(|_| is_link_local(&h.gateway)).map(name);
                ForeignVia::Gateway(h.gateway, dev)
            }
        };
        let f = Foreign {
            prefix: r.prefix,
            protocol: r.protocol,
            metric: r.metric,
            via,
        };
        match best.get(&r.prefix) {
            Some(b) if b.metric <= f.metric => {}
            _ => {
                best.insert(r.prefix, f);
            }
        }
    }
    best.into_values().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::route::NextHop;

    fn route(p: &str, protocol: u8, metric: u32, kind: RouteKind) -> KernelRoute {
        KernelRoute {
            prefix: p.parse().unwrap(),
            table: 254,
            protocol,
            metric,
            kind,
        }
    }

    fn hop(g: &str, i: u32) -> RouteKind {
        RouteKind::Unicast(vec![NextHop {
            gateway: g.parse().unwrap(),
            ifindex: Some(i),
            weight: 1,
        }])
    }

    #[test]
    fn takes_other_programs_routes_that_can_carry_traffic() {
        let links = [
            Link {
                index: 2,
                up: true,
                name: "eth0".into(),
            },
            Link {
                index: 3,
                up: false,
                name: "eth1".into(),
            },
        ];
        let mut other_table = route("198.51.100.0/24", 4, 0, hop("192.0.2.9", 2));
        other_table.table = 1000;
        let routes = [
            route("192.0.2.0/24", RTPROT_KERNEL, 0, RouteKind::Device(2)), // connected
            route("0.0.0.0/0", 16, 1024, hop("192.0.2.1", 2)),             // dhcp
            route("0.0.0.0/0", 4, 100, hop("192.0.2.2", 2)),               // lower metric
            route("203.0.113.0/24", 200, 20, hop("192.0.2.3", 2)),         // ours
            route("198.51.100.0/25", 4, 0, hop("192.0.2.4", 3)),           // link down
            route("198.51.100.128/25", 4, 0, RouteKind::Device(3)),        // link down
            route("2001:db8::/32", 3, 0, hop("fe80::1", 2)),
            route("2001:db8:1::/48", 4, 0, RouteKind::Device(2)),
            route("2001:db8:2::/48", 4, 0, RouteKind::Blackhole),
            other_table,
        ];
        let got = foreign(&links, &routes, &[254], 200);
        let want = vec![
            Foreign {
                prefix: "0.0.0.0/0".parse().unwrap(),
                protocol: 4,
                metric: 100,
                via: ForeignVia::Gateway("192.0.2.2".parse().unwrap(), None),
            },
            Foreign {
                prefix: "2001:db8::/32".parse().unwrap(),
                protocol: 3,
                metric: 0,
                via: ForeignVia::Gateway("fe80::1".parse().unwrap(), Some("eth0".into())),
            },
            Foreign {
                prefix: "2001:db8:1::/48".parse().unwrap(),
                protocol: 4,
                metric: 0,
                via: ForeignVia::Device("eth0".into()),
            },
            Foreign {
                prefix: "2001:db8:2::/48".parse().unwrap(),
                protocol: 4,
                metric: 0,
                via: ForeignVia::Blackhole,
            },
        ];
        assert_eq!(got, want);
    }
}
