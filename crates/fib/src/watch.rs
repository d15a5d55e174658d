//! Following the kernel, sans IO: which of its routes a BGP next hop can be
//! resolved through, and which notifications change that.
//!
//! A next hop is usable while a route of the kernel's own or of another
//! program (not peerd's, not a default route, not a blackhole) covers it
//! and leaves through an interface that is up and has carrier — as FRR's
//! zebra resolves next hops (without `resolve-via-default`). An interface
//! that loses carrier keeps its connected route (flagged `linkdown`), so the
//! interface's state is what counts.
//!
//! ```text
//! ifinfomsg: family u8 | pad u8 | type u16 | index i32 | flags u32 | change u32   (16 octets)
//! ```

use crate::netlink::{NLM_F_DUMP, NLM_F_REQUEST};
use crate::route::{KernelRoute, RouteKind};
use peerd_wire::Prefix;

pub(crate) const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;

const IFF_UP: u32 = 0x1;
const IFF_LOWER_UP: u32 = 0x1_0000;

/// The multicast groups to join for links, addresses and routes of both
/// families (`RTMGRP_LINK`, `RTMGRP_IPV4_IFADDR`, `RTMGRP_IPV4_ROUTE`,
/// `RTMGRP_IPV6_IFADDR`, `RTMGRP_IPV6_ROUTE`).
pub const GROUPS: u32 = 0x1 | 0x10 | 0x40 | 0x100 | 0x400;

/// An interface as far as forwarding cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its index.
    pub index: u32,
    /// Administratively up and with carrier.
    pub up: bool,
    /// Its name (`IFLA_IFNAME`; empty if the kernel did not say).
    pub name: String,
}

const IFLA_IFNAME: u16 = 3;

/// Appends a request for every interface.
pub fn build_link_dump(out: &mut Vec<u8>, seq: u32) {
    out.extend_from_slice(&32u32.to_ne_bytes());
    out.extend_from_slice(&RTM_GETLINK.to_ne_bytes());
    out.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&[0u8; 16]);
}

/// An `RTM_NEWLINK` body.
pub(crate) fn parse_link(body: &[u8]) -> Option<Link> {
    let index = u32::from_ne_bytes(body.get(4..8)?.try_into().ok()?);
    let flags = u32::from_ne_bytes(body.get(8..12)?.try_into().ok()?);
    let name = crate::netlink::attrs(body.get(16..).unwrap_or(&[]))
        .find(|(kind, _)| *kind == IFLA_IFNAME)
        .map(|(_, v)| {
            let v = v.split(|b| *b == 0).next().unwrap_or(&[]);
            String::from_utf8_lossy(v).into_owned()
        })
        .unwrap_or_default();
    Some(Link {
        index,
        up: flags & IFF_UP != 0 && flags & IFF_LOWER_UP != 0,
        name,
    })
}

/// A classic BPF program (code, jump if true, jump if false, constant)
/// that drops route notifications of protocol `ours` and lets everything
/// else through:
///
/// ```text
/// 0: A = byte of nlmsg_type (its low byte: rtnetlink types are < 256)
/// 1: if A == RTM_NEWROUTE goto 3
/// 2: if A != RTM_DELROUTE goto 6
/// 3: A = byte 21 (rtm_protocol: 16 octets of nlmsghdr, then 5 of rtmsg)
/// 4: if A != ours goto 6
/// 5: return 0 (drop)
/// 6: return all of it
/// ```
pub fn filter(ours: u8) -> [(u16, u8, u8, u32); 7] {
    const LDB_ABS: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
                             // nlmsg_type is in host order at offset 4.
    let type_low = if cfg!(target_endian = "little") { 4 } else { 5 };
    [
        (LDB_ABS, 0, 0, type_low),
        (JEQ_K, 1, 0, u32::from(crate::netlink::RTM_NEWROUTE)),
        (JEQ_K, 0, 3, u32::from(crate::netlink::RTM_DELROUTE)),
        (LDB_ABS, 0, 0, 21),
        (JEQ_K, 0, 1, u32::from(ours)),
        (RET_K, 0, 0, 0),
        (RET_K, 0, 0, u32::MAX),
    ]
}

/// Runs [`filter`] on one message the way the kernel does (for the
/// tests): whether it is let through.
#[cfg(test)]
fn passes(prog: &[(u16, u8, u8, u32)], msg: &[u8]) -> bool {
    let mut a = 0u32;
    let mut pc = 0usize;
    loop {
        let (code, jt, jf, k) = prog[pc];
        match code {
            0x30 => {
                // Out of bounds ends the program with 0 (drop).
                let Some(b) = msg.get(k as usize) else {
                    return false;
                };
                a = u32::from(*b);
                pc += 1;
            }
            0x15 => pc += 1 + usize::from(if a == k { jt } else { jf }),
            0x06 => return k != 0,
            _ => return false,
        }
    }
}

/// What one datagram of notifications changes for next-hop tracking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Other programs' routes in the tables followed, in the order the
    /// kernel told: `true` new or replaced, `false` gone.
    pub routes: Vec<(bool, KernelRoute)>,
    /// A link or an address changed: read the links again.
    pub links: bool,
    /// Something could not be followed (a message that does not parse, a
    /// route of a kind not modelled in a table followed, notifications
    /// lost): read every route again.
    pub resync: bool,
}

impl Changes {
    /// Whether anything changed.
    pub fn any(&self) -> bool {
        self.links || self.resync || !self.routes.is_empty()
    }

    /// Adds what a later datagram says.
    pub fn merge(&mut self, later: Changes) {
        self.routes.extend(later.routes);
        self.links |= later.links;
        self.resync |= later.resync;
    }
}

/// What a datagram of notifications says about the routes of `tables`
/// that are not `ours`, and about links and addresses. A cache of the
/// kernel's routes kept up to date with these needs no dump but at start
/// and after a `resync` — a dump of a table that holds a full table costs
/// about a second.
pub fn changes(buf: &[u8], ours: u8, tables: &[u32]) -> Changes {
    let mut c = Changes::default();
    let mut rest = buf;
    while rest.len() >= 16 {
        let Ok(len) = <[u8; 4]>::try_from(&rest[0..4]).map(u32::from_ne_bytes) else {
            c.resync = true;
            return c;
        };
        let len = len as usize;
        let kind = u16::from_ne_bytes([rest[4], rest[5]]);
        if len < 16 || len > rest.len() {
            c.resync = true;
            return c;
        }
        let body = &rest[16..len];
        match kind {
            RTM_NEWLINK | RTM_DELLINK | RTM_NEWADDR | RTM_DELADDR => c.links = true,
            crate::netlink::RTM_NEWROUTE | crate::netlink::RTM_DELROUTE
                if body.get(5) != Some(&ours) =>
            {
                match crate::netlink::route_table(body) {
                    Some(t) if !tables.contains(&t) => {}
                    Some(_) => match crate::netlink::parse_route(body) {
                        Some(r) => c.routes.push((kind == crate::netlink::RTM_NEWROUTE, r)),
                        None => c.resync = true,
                    },
                    None => c.resync = true,
                }
            }
            _ => {}
        }
        rest = rest.get((len + 3) & !3..).unwrap_or(&[]);
    }
    c.resync |= !rest.is_empty();
    c
}

/// The prefixes next hops resolve through: routes in `tables`, not
/// `ours`, not default routes or blackholes, leaving through an interface
/// that is up (a gateway without an interface counts as up: the kernel
/// checked it when the route went in).
pub fn resolvable(links: &[Link], routes: &[KernelRoute], tables: &[u32], ours: u8) -> Vec<Prefix> {
    let up = |i: u32| links.iter().any(|l| l.index == i && l.up);
    let mut v: Vec<Prefix> = routes
        .iter()
        .filter(|r| tables.contains(&r.table) && r.protocol != ours && !r.prefix.is_empty())
        .filter(|r| match &r.kind {
            RouteKind::Device(i) => up(*i),
            RouteKind::Unicast(hops) => hops.iter().any(|h| h.ifindex.is_none_or(up)),
            RouteKind::Blackhole => false,
        })
        .map(|r| r.prefix)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::route::NextHop;

    fn route(p: &str, table: u32, protocol: u8, kind: RouteKind) -> KernelRoute {
        KernelRoute {
            prefix: p.parse().unwrap(),
            table,
            protocol,
            metric: 0,
            kind,
        }
    }

    /// Notifications are followed in order: another program's route in a
    /// table followed comes and goes, ours and other tables' are left
    /// out, a link change asks for the links, garbage for a resync.
    #[test]
    fn changes_follow_the_notifications_in_order() {
        use crate::netlink::{build_route, Op};
        let theirs = route(
            "198.51.100.0/24",
            254,
            16,
            RouteKind::Unicast(vec![NextHop {
                gateway: "192.0.2.9".parse().unwrap(),
                ifindex: Some(2),
                weight: 1,
            }]),
        );
        let mut buf = Vec::new();
        build_route(&mut buf, Op::Replace, &theirs, 1, false);
        build_route(&mut buf, Op::Delete, &theirs, 2, false);
        build_route(
            &mut buf,
            Op::Replace,
            &route("203.0.113.0/24", 254, 200, RouteKind::Blackhole),
            3,
            false,
        );
        build_route(
            &mut buf,
            Op::Replace,
            &route("203.0.113.0/24", 1000, 16, RouteKind::Blackhole),
            4,
            false,
        );
        let c = changes(&buf, 200, &[254]);
        assert!(!c.links && !c.resync, "{c:?}");
        let kinds: Vec<bool> = c.routes.iter().map(|(p, _)| *p).collect();
        assert_eq!(kinds, [true, false]);
        assert_eq!(c.routes[0].1.prefix, theirs.prefix);
        assert!(matches!(&c.routes[0].1.kind, RouteKind::Unicast(h) if h[0].ifindex == Some(2)));
        // The other table, followed too.
        assert_eq!(changes(&buf, 200, &[254, 1000]).routes.len(), 3);
        // A link: read the links; a torn datagram: read everything.
        let mut link = Vec::new();
        build_link_dump(&mut link, 5);
        link[4..6].copy_from_slice(&RTM_NEWLINK.to_ne_bytes());
        assert!(changes(&link, 200, &[254]).links);
        assert!(changes(&buf[..buf.len() - 3], 200, &[254]).resync);
    }

    #[test]
    fn only_usable_routes_resolve() {
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
        let hop = |g: &str, i| {
            RouteKind::Unicast(vec![NextHop {
                gateway: g.parse().unwrap(),
                ifindex: Some(i),
                weight: 1,
            }])
        };
        let routes = [
            route("192.0.2.0/24", 254, 2, RouteKind::Device(2)),
            route("198.51.100.0/30", 254, 2, RouteKind::Device(3)), // no carrier
            route("203.0.113.0/24", 254, 4, hop("192.0.2.9", 2)),   // static, up
            route("0.0.0.0/0", 254, 16, hop("192.0.2.1", 2)),       // default: never
            route("2001:db8::/32", 254, 200, hop("2001:db8::1", 2)), // peerd's own
            route("2001:db8:1::/48", 254, 3, RouteKind::Blackhole),
            route("10.0.0.0/8", 1000, 3, RouteKind::Device(2)), // another table
        ];
        let got = resolvable(&links, &routes, &[254], 200);
        let want: Vec<Prefix> = ["192.0.2.0/24", "203.0.113.0/24"]
            .iter()
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(got, want);
    }

    fn msg(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&((16 + body.len()) as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&[0u8; 10]);
        m.extend_from_slice(body);
        m
    }

    #[test]
    fn our_own_route_echoes_are_not_changes() {
        let ours = msg(
            crate::netlink::RTM_NEWROUTE,
            &[2, 24, 0, 0, 254, 200, 0, 1, 0, 0, 0, 0],
        );
        let theirs = msg(
            crate::netlink::RTM_DELROUTE,
            &[2, 24, 0, 0, 254, 2, 0, 1, 0, 0, 0, 0],
        );
        let link = msg(RTM_NEWLINK, &[0u8; 16]);
        let any = |b: &[u8]| changes(b, 200, &[254]).any();
        assert!(!any(&ours));
        assert!(!any(&[ours.clone(), ours.clone()].concat()));
        assert!(any(&[ours.clone(), theirs].concat()));
        assert!(any(&link));
        assert!(any(&ours[..10]), "a truncated datagram counts as a change");
    }

    #[test]
    fn the_socket_filter_drops_only_our_own_routes() {
        let prog = filter(200);
        let route = |kind, proto| msg(kind, &[2, 24, 0, 0, 254, proto, 0, 1, 0, 0, 0, 0]);
        use crate::netlink::{RTM_DELROUTE, RTM_NEWROUTE};
        assert!(!passes(&prog, &route(RTM_NEWROUTE, 200)));
        assert!(!passes(&prog, &route(RTM_DELROUTE, 200)));
        assert!(passes(&prog, &route(RTM_NEWROUTE, 2)));
        assert!(passes(&prog, &route(RTM_DELROUTE, 186)));
        assert!(passes(&prog, &msg(RTM_NEWLINK, &[0u8; 16])));
        assert!(passes(&prog, &msg(RTM_NEWADDR, &[0u8; 8])));
    }

    #[test]
    fn link_state_needs_up_and_carrier() {
        let body = |flags: u32| {
            let mut b = vec![0u8; 16];
            b[4..8].copy_from_slice(&7u32.to_ne_bytes());
            b[8..12].copy_from_slice(&flags.to_ne_bytes());
            b
        };
        assert_eq!(
            parse_link(&body(IFF_UP | IFF_LOWER_UP)),
            Some(Link {
                index: 7,
                up: true,
                name: String::new()
            })
        );
        assert_eq!(
            parse_link(&body(IFF_UP)),
            Some(Link {
                index: 7,
                up: false,
                name: String::new()
            })
        );
        assert_eq!(
            parse_link(&body(IFF_LOWER_UP)),
            Some(Link {
                index: 7,
                up: false,
                name: String::new()
            })
        );
        assert_eq!(parse_link(&[0u8; 6]), None);
        // IFLA_IFNAME, NUL-terminated, after the ifinfomsg.
        let mut named = body(IFF_UP | IFF_LOWER_UP);
        named.extend_from_slice(&9u16.to_ne_bytes());
        named.extend_from_slice(&IFLA_IFNAME.to_ne_bytes());
        named.extend_from_slice(b"eth0\0\0\0\0");
        assert_eq!(parse_link(&named).map(|l| l.name), Some("eth0".into()));
    }
}
