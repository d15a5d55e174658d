//! rtnetlink route messages, sans IO: requests are built into a buffer, and
//! what the kernel answers is parsed from one. The layouts are Linux's
//! (`include/uapi/linux/netlink.h`, `rtnetlink.h`), in host byte order:
//!
//! ```text
//! nlmsghdr: len u32 | type u16 | flags u16 | seq u32 | pid u32     (16 octets)
//! rtmsg:    family u8 | dst_len u8 | src_len u8 | tos u8 | table u8
//!           | protocol u8 | scope u8 | type u8 | flags u32            (12 octets)
//! rtattr:   len u16 | type u16 | value, padded to 4 octets
//! rtnexthop (in RTA_MULTIPATH): len u16 | flags u8 | hops u8 | ifindex i32,
//!           then its own rtattrs (RTA_GATEWAY or RTA_VIA)
//! rtvia (RTA_VIA, a gateway of the other family, RFC 8950):
//!           family u16 | address
//! ```

use crate::route::{KernelRoute, NextHop, RouteKind};
use peerd_wire::Prefix;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(crate) const NLMSG_ERROR: u16 = 2;
pub(crate) const NLMSG_DONE: u16 = 3;
pub(crate) const RTM_NEWROUTE: u16 = 24;
pub(crate) const RTM_DELROUTE: u16 = 25;
pub(crate) const RTM_GETROUTE: u16 = 26;

pub(crate) const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
pub(crate) const NLM_F_DUMP: u16 = 0x300;
const NLM_F_REPLACE: u16 = 0x100;
const NLM_F_CREATE: u16 = 0x400;

const AF_INET: u8 = 2;
const AF_INET6: u8 = 10;

const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const RTA_PRIORITY: u16 = 6;
const RTA_MULTIPATH: u16 = 9;
const RTA_TABLE: u16 = 15;
const RTA_VIA: u16 = 18;

const RTN_UNICAST: u8 = 1;
const RTN_BLACKHOLE: u8 = 6;
const RT_SCOPE_UNIVERSE: u8 = 0;
const RT_SCOPE_LINK: u8 = 253;
const RT_TABLE_UNSPEC: u8 = 0;

const HDR: usize = 16;
const RTMSG: usize = 12;

/// What to do with a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Add it, or replace the route of the same prefix, table and metric.
    Replace,
    /// Remove it.
    Delete,
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

fn put_attr(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = 4 + value.len();
    out.extend_from_slice(&(len as u16).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(align4(out.len()), 0);
}

fn addr_bytes(a: &IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

/// The gateway of a hop: `RTA_GATEWAY` in the route's own family, else
/// `RTA_VIA` (an IPv4 route over an IPv6 gateway, RFC 8950: `struct rtvia`
/// is the gateway's family, u16 in host order, then its address).
fn put_gateway(out: &mut Vec<u8>, v6_route: bool, gw: &IpAddr) {
    if gw.is_ipv6() == v6_route {
        put_attr(out, RTA_GATEWAY, &addr_bytes(gw));
    } else {
        let family = u16::from(if gw.is_ipv6() { AF_INET6 } else { AF_INET });
        let mut via = family.to_ne_bytes().to_vec();
        via.extend_from_slice(&addr_bytes(gw));
        put_attr(out, RTA_VIA, &via);
    }
}

/// Appends one request for `route` with sequence number `seq`. The
/// kernel answers a failure always, a success only when `ack` asks: a
/// batch asks on its last request, whose answer then says every earlier
/// one was handled (the kernel takes a datagram's requests in order).
pub fn build_route(out: &mut Vec<u8>, op: Op, route: &KernelRoute, seq: u32, ack: bool) {
    let start = out.len();
    let ack = if ack { NLM_F_ACK } else { 0 };
    let (kind, flags) = match op {
        Op::Replace => (
            RTM_NEWROUTE,
            NLM_F_REQUEST | ack | NLM_F_CREATE | NLM_F_REPLACE,
        ),
        Op::Delete => (RTM_DELROUTE, NLM_F_REQUEST | ack),
    };
    out.extend_from_slice(&0u32.to_ne_bytes()); // length, set below
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    let v6 = route.prefix.addr().is_ipv6();
    let rtype = match route.kind {
        RouteKind::Blackhole => RTN_BLACKHOLE,
        RouteKind::Unicast(_) | RouteKind::Device(_) => RTN_UNICAST,
    };
    // A route out of an interface with no gateway reaches hosts on the link.
    let scope = match route.kind {
        RouteKind::Device(_) => RT_SCOPE_LINK,
        _ => RT_SCOPE_UNIVERSE,
    };
    out.extend_from_slice(&[
        if v6 { AF_INET6 } else { AF_INET },
        route.prefix.len(),
        0,
        0,
        // The table goes in RTA_TABLE (ids above 255 fit there only).
        RT_TABLE_UNSPEC,
        route.protocol,
        scope,
        rtype,
    ]);
    out.extend_from_slice(&0u32.to_ne_bytes());
    put_attr(out, RTA_TABLE, &route.table.to_ne_bytes());
    put_attr(out, RTA_DST, &addr_bytes(&route.prefix.addr()));
    put_attr(out, RTA_PRIORITY, &route.metric.to_ne_bytes());
    if op == Op::Replace {
        if let RouteKind::Device(i) = &route.kind {
            put_attr(out, RTA_OIF, &i.to_ne_bytes());
        }
        if let RouteKind::Unicast(hops) = &route.kind {
            match hops.as_slice() {
                [one] => {
                    put_gateway(out, v6, &one.gateway);
                    if let Some(i) = one.ifindex {
                        put_attr(out, RTA_OIF, &i.to_ne_bytes());
                    }
                }
                many => {
                    let mut mp = Vec::new();
                    for h in many {
                        let start = mp.len();
                        mp.extend_from_slice(&0u16.to_ne_bytes()); // length, set below
                        mp.push(0); // flags
                        mp.push(h.weight.saturating_sub(1)); // hops: weight - 1
                        mp.extend_from_slice(&h.ifindex.unwrap_or(0).to_ne_bytes());
                        put_gateway(&mut mp, v6, &h.gateway);
                        let len = (mp.len() - start) as u16;
                        mp[start..start + 2].copy_from_slice(&len.to_ne_bytes());
                    }
                    put_attr(out, RTA_MULTIPATH, &mp);
                }
            }
        }
    }
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
}

/// Appends a request for every route of `family` (`AF_INET`: IPv4, else
/// IPv6) in every table; the caller keeps what it wants.
pub fn build_dump(out: &mut Vec<u8>, v6: bool, seq: u32) {
    let len = (HDR + RTMSG) as u32;
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&RTM_GETROUTE.to_ne_bytes());
    out.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&[if v6 { AF_INET6 } else { AF_INET }, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&0u32.to_ne_bytes());
}

/// `RTM_F_FIB_MATCH`: answer a lookup with the routing table entry that
/// matched (its prefix, protocol, next hops), not a route cloned for the
/// one address (Linux 4.13 and later).
const RTM_F_FIB_MATCH: u32 = 0x2000;
/// `RTM_F_LOOKUP_TABLE`: say the table the route was found in (else the
/// answer names `main`, whatever the table).
const RTM_F_LOOKUP_TABLE: u32 = 0x1000;

/// Appends a lookup of `addr` as the kernel forwards a packet to it (`ip
/// route get ADDR fibmatch`): policy rules and every table apply, and the
/// answer is the entry used.
pub fn build_get(out: &mut Vec<u8>, addr: IpAddr, seq: u32) {
    let start = out.len();
    out.extend_from_slice(&0u32.to_ne_bytes()); // length, set below
    out.extend_from_slice(&RTM_GETROUTE.to_ne_bytes());
    out.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes());
    let v6 = addr.is_ipv6();
    out.extend_from_slice(&[
        if v6 { AF_INET6 } else { AF_INET },
        if v6 { 128 } else { 32 },
        0,
        0,
        RT_TABLE_UNSPEC,
        0,
        0,
        0,
    ]);
    out.extend_from_slice(&(RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE).to_ne_bytes());
    put_attr(out, RTA_DST, &addr_bytes(&addr));
    let len = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
}

/// One message the kernel sent back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The answer to request `seq`: 0 is success, else a negative errno.
    Ack {
        /// The request's sequence number.
        seq: u32,
        /// 0, or minus the errno.
        error: i32,
    },
    /// A route of a dump (`None`: one this codec does not model, such as a
    /// route with a source prefix or an unusual type).
    Route(Option<KernelRoute>),
    /// An interface of a link dump (`None`: too short to read).
    Link(Option<crate::watch::Link>),
    /// The end of a dump.
    Done,
    /// Another message type, ignored.
    Other(u16),
}

/// What was wrong with a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("malformed netlink message from the kernel")
    }
}

impl std::error::Error for Malformed {}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// The rtattrs of `b`: (type, value).
pub(crate) fn attrs(mut b: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let len = usize::from(u16_at(b, 0)?);
        let kind = u16_at(b, 2)?;
        if len < 4 || len > b.len() {
            return None;
        }
        let value = &b[4..len];
        b = b.get(align4(len)..).unwrap_or(&[]);
        Some((kind & 0x3fff, value))
    })
}

fn ip(v6: bool, b: &[u8]) -> Option<IpAddr> {
    if v6 {
        let o: [u8; 16] = b.try_into().ok()?;
        Some(IpAddr::V6(Ipv6Addr::from(o)))
    } else {
        let o: [u8; 4] = b.try_into().ok()?;
        Some(IpAddr::V4(Ipv4Addr::from(o)))
    }
}

/// An `RTA_VIA` value: family (u16), then the address.
fn via(b: &[u8]) -> Option<IpAddr> {
    let family = u16_at(b, 0)?;
    match u8::try_from(family).ok()? {
        AF_INET => ip(false, b.get(2..)?),
        AF_INET6 => ip(true, b.get(2..)?),
        _ => None,
    }
}

pub(crate) fn parse_route(body: &[u8]) -> Option<KernelRoute> {
    let family = *body.first()?;
    let v6 = match family {
        AF_INET => false,
        AF_INET6 => true,
        _ => return None,
    };
    let dst_len = *body.get(1)?;
    if *body.get(2)? != 0 {
        return None; // source routing: not ours
    }
    let mut table = u32::from(*body.get(4)?);
    let protocol = *body.get(5)?;
    let rtype = *body.get(7)?;
    let mut dst = None;
    let mut metric = 0;
    let mut hops = Vec::new();
    let mut gateway = None;
    let mut oif = None;
    for (kind, v) in attrs(body.get(RTMSG..)?) {
        match kind {
            RTA_DST => dst = ip(v6, v),
            RTA_TABLE => table = u32::from_ne_bytes(v.try_into().ok()?),
            RTA_PRIORITY => metric = u32::from_ne_bytes(v.try_into().ok()?),
            RTA_GATEWAY => gateway = ip(v6, v),
            RTA_VIA => gateway = via(v),
            RTA_OIF => oif = Some(u32::from_ne_bytes(v.try_into().ok()?)),
            RTA_MULTIPATH => {
                let mut rest = v;
                while rest.len() >= 8 {
                    let len = usize::from(u16_at(rest, 0)?);
                    if len < 8 || len > rest.len() {
                        break;
                    }
                    let weight = rest[3].saturating_add(1);
                    let ifindex = u32_at(rest, 4)?;
                    let gw = attrs(&rest[8..len]).find_map(|(k, g)| match k {
                        RTA_GATEWAY => ip(v6, g),
                        RTA_VIA => via(g),
                        _ => None,
                    });
                    if let Some(g) = gw {
                        hops.push(NextHop {
                            gateway: g,
                            ifindex: (ifindex != 0).then_some(ifindex),
                            weight,
                        });
                    }
                    rest = rest.get(align4(len)..).unwrap_or(&[]);
                }
            }
            _ => {}
        }
    }
    let addr = dst.unwrap_or(if v6 {
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    });
    let prefix = Prefix::new(addr, dst_len)?;
    let kind = match rtype {
        RTN_BLACKHOLE => RouteKind::Blackhole,
        RTN_UNICAST => match (gateway, oif) {
            (Some(g), _) => {
                hops.push(NextHop {
                    gateway: g,
                    ifindex: oif,
                    weight: 1,
                });
                RouteKind::Unicast(hops)
            }
            (None, Some(i)) if hops.is_empty() => RouteKind::Device(i),
            _ => RouteKind::Unicast(hops),
        },
        _ => return None,
    };
    Some(KernelRoute {
        prefix,
        table,
        protocol,
        metric,
        kind,
    })
}

/// The table of a route message's body (`RTA_TABLE`, else `rtm_table`).
pub(crate) fn route_table(body: &[u8]) -> Option<u32> {
    let mut table = u32::from(*body.get(4)?);
    for (kind, v) in attrs(body.get(RTMSG..)?) {
        if kind == RTA_TABLE {
            table = u32::from_ne_bytes(v.try_into().ok()?);
        }
    }
    Some(table)
}

/// Every message in `buf` (one datagram from the socket).
pub fn parse(buf: &[u8]) -> Result<Vec<Reply>, Malformed> {
    let mut out = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        let len = u32_at(rest, 0).ok_or(Malformed)? as usize;
        let kind = u16_at(rest, 4).ok_or(Malformed)?;
        let seq = u32_at(rest, 8).ok_or(Malformed)?;
        if len < HDR || len > rest.len() {
            return Err(Malformed);
        }
        let body = &rest[HDR..len];
        out.push(match kind {
            NLMSG_ERROR => {
                // An nlmsgerr: the error, then the header of the request
                // (whose sequence number is the one that counts).
                let error = u32_at(body, 0).ok_or(Malformed)? as i32;
                let seq = u32_at(body, 12).unwrap_or(seq);
                Reply::Ack { seq, error }
            }
            NLMSG_DONE => Reply::Done,
            RTM_NEWROUTE => Reply::Route(parse_route(body)),
            crate::watch::RTM_NEWLINK => Reply::Link(crate::watch::parse_link(body)),
            other => Reply::Other(other),
        });
        rest = rest.get(align4(len)..).unwrap_or(&[]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(p: &str, kind: RouteKind) -> KernelRoute {
        KernelRoute {
            prefix: p.parse().unwrap(),
            table: 1000,
            protocol: 186,
            metric: 20,
            kind,
        }
    }

    fn hop(a: &str) -> NextHop {
        NextHop {
            gateway: a.parse().unwrap(),
            ifindex: Some(7),
            weight: 1,
        }
    }

    /// A request, turned into what a dump would show, parses back to the
    /// same route (the kernel answers a dump with the same layout).
    #[test]
    fn requests_parse_back() {
        for r in [
            route(
                "198.51.100.0/24",
                RouteKind::Unicast(vec![hop("192.0.2.1")]),
            ),
            route(
                "203.0.113.0/24",
                RouteKind::Unicast(vec![hop("192.0.2.1"), hop("192.0.2.2")]),
            ),
            route(
                "2001:db8:4000::/36",
                RouteKind::Unicast(vec![hop("2001:db8::1")]),
            ),
            route("192.0.2.66/32", RouteKind::Blackhole),
            route("192.0.2.0/25", RouteKind::Device(3)),
            route("0.0.0.0/0", RouteKind::Unicast(vec![hop("192.0.2.254")])),
            // RFC 8950: RTA_VIA, alone and in a multipath route.
            route(
                "198.51.100.128/25",
                RouteKind::Unicast(vec![hop("2001:db8::9")]),
            ),
            route(
                "203.0.113.0/24",
                RouteKind::Unicast(vec![hop("2001:db8::2"), hop("192.0.2.3")]),
            ),
        ] {
            let mut b = Vec::new();
            build_route(&mut b, Op::Replace, &r, 9, true);
            assert_eq!(b.len() % 4, 0);
            // As a dump entry: the same bytes with type RTM_NEWROUTE.
            let replies = parse(&b).unwrap();
            assert_eq!(replies, [Reply::Route(Some(r.clone()))], "{r:?}");
        }
    }

    #[test]
    fn acks_and_errors_carry_the_request_sequence() {
        // nlmsgerr for request 42 with -EEXIST (17), then an ACK for 43.
        let mut b = Vec::new();
        for (seq, err) in [(42u32, -17i32), (43, 0)] {
            b.extend_from_slice(&36u32.to_ne_bytes());
            b.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
            b.extend_from_slice(&0u16.to_ne_bytes());
            b.extend_from_slice(&seq.to_ne_bytes());
            b.extend_from_slice(&0u32.to_ne_bytes());
            b.extend_from_slice(&err.to_ne_bytes());
            b.extend_from_slice(&28u32.to_ne_bytes());
            b.extend_from_slice(&RTM_NEWROUTE.to_ne_bytes());
            b.extend_from_slice(&0u16.to_ne_bytes());
            b.extend_from_slice(&seq.to_ne_bytes());
            b.extend_from_slice(&0u32.to_ne_bytes());
        }
        assert_eq!(
            parse(&b).unwrap(),
            [
                Reply::Ack {
                    seq: 42,
                    error: -17
                },
                Reply::Ack { seq: 43, error: 0 }
            ]
        );
    }

    #[test]
    fn truncated_replies_are_errors_not_panics() {
        let mut b = Vec::new();
        build_route(
            &mut b,
            Op::Replace,
            &route(
                "198.51.100.0/24",
                RouteKind::Unicast(vec![hop("192.0.2.1")]),
            ),
            1,
            true,
        );
        for cut in 0..b.len() {
            let _ = parse(&b[..cut]);
        }
        let mut bad = b.clone();
        bad[0] = 200; // length past the end
        assert_eq!(parse(&bad), Err(Malformed));
    }
}
