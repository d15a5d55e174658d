//! The few BGP messages the harness writes, and a lean reader of the UPDATEs
//! it receives: only what a sink must know (which prefixes, through which
//! neighbouring AS, and the canary's timestamp), so that the sink is never
//! the bottleneck.

use peerd_wire::capability::Capability;
use peerd_wire::message::{Message, Open};
use peerd_wire::{DecodeContext, Family};
use std::net::Ipv4Addr;

/// BGP message header length.
pub const HEADER: usize = 19;
/// Message types.
pub const OPEN: u8 = 1;
/// UPDATE.
pub const UPDATE: u8 = 2;
/// NOTIFICATION.
pub const NOTIFICATION: u8 = 3;
/// KEEPALIVE.
pub const KEEPALIVE: u8 = 4;

/// The hold time the harness offers.
pub const HOLD_TIME: u16 = 240;

/// The canary prefix (RFC 5737 TEST-NET-1) and the large-community global
/// administrator (RFC 5398 documentation AS) that carries its timestamp.
pub const CANARY: u64 = key_v4(u32::from_be_bytes([192, 0, 2, 0]), 24);
/// Global administrator of the canary's timestamp community.
pub const CANARY_AS: u32 = 64496;

/// The key of an IPv4 prefix in a sink's table.
pub const fn key_v4(addr: u32, len: u8) -> u64 {
    ((addr as u64) << 8) | len as u64
}

/// Our OPEN: 4-octet AS, the families, route refresh.
pub fn open(asn: u32, id: Ipv4Addr, families: &[Family]) -> Vec<u8> {
    let mut caps = vec![Capability::FourOctetAs(asn), Capability::RouteRefresh];
    caps.extend(families.iter().map(|f| Capability::Multiprotocol(*f)));
    Message::Open(Open::new(asn, HOLD_TIME, id, caps)).encode(&DecodeContext::MODERN)
}

/// A KEEPALIVE.
pub fn keepalive() -> Vec<u8> {
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&[0, 19, KEEPALIVE]);
    m
}

/// A NOTIFICATION Cease / Administrative Shutdown.
pub fn cease() -> Vec<u8> {
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&[0, 21, NOTIFICATION, 6, 2]);
    m
}

/// What one UPDATE said, as a sink needs it.
#[derive(Debug, Default)]
pub struct Scan {
    /// Withdrawn IPv4 keys.
    pub withdrawn_v4: Vec<u64>,
    /// Announced IPv4 keys.
    pub announced_v4: Vec<u64>,
    /// Withdrawn IPv6 prefixes (address, length).
    pub withdrawn_v6: Vec<(u128, u8)>,
    /// Announced IPv6 prefixes.
    pub announced_v6: Vec<(u128, u8)>,
    /// The neighbouring AS behind the daemon: the second AS of the path (the
    /// first is the daemon's), or the first when there is one.
    pub via: u32,
    /// The canary's (sequence, sent-at in ms) when its community is present.
    pub stamp: Option<(u32, u32)>,
    /// The path holds the receiver's own AS (RFC 4271 §9.1.2: such a route
    /// is not used; some daemons send it back to its source anyway).
    pub looped: bool,
}

impl Scan {
    /// Empties it for the next UPDATE, keeping the allocations.
    pub fn clear(&mut self) {
        self.withdrawn_v4.clear();
        self.announced_v4.clear();
        self.withdrawn_v6.clear();
        self.announced_v6.clear();
        self.via = 0;
        self.stamp = None;
        self.looped = false;
    }
}

/// Why an UPDATE could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

fn v4_prefixes(mut b: &[u8], out: &mut Vec<u64>) -> Result<(), Malformed> {
    while let Some((&len, rest)) = b.split_first() {
        if len > 32 {
            return Err(Malformed("IPv4 prefix longer than 32"));
        }
        let n = usize::from(len).div_ceil(8);
        if rest.len() < n {
            return Err(Malformed("IPv4 prefix truncated"));
        }
        let mut a = [0u8; 4];
        a[..n].copy_from_slice(&rest[..n]);
        out.push(key_v4(u32::from_be_bytes(a), len));
        b = &rest[n..];
    }
    Ok(())
}

fn v6_prefixes(mut b: &[u8], out: &mut Vec<(u128, u8)>) -> Result<(), Malformed> {
    while let Some((&len, rest)) = b.split_first() {
        if len > 128 {
            return Err(Malformed("IPv6 prefix longer than 128"));
        }
        let n = usize::from(len).div_ceil(8);
        if rest.len() < n {
            return Err(Malformed("IPv6 prefix truncated"));
        }
        let mut a = [0u8; 16];
        a[..n].copy_from_slice(&rest[..n]);
        out.push((u128::from_be_bytes(a), len));
        b = &rest[n..];
    }
    Ok(())
}

fn take(b: &[u8], n: usize) -> Result<(&[u8], &[u8]), Malformed> {
    if b.len() < n {
        Err(Malformed("UPDATE truncated"))
    } else {
        Ok(b.split_at(n))
    }
}

/// Reads an UPDATE body (after the header) with 4-octet AS numbers, as
/// received by a speaker of AS `own`.
pub fn scan_update(body: &[u8], own: u32, out: &mut Scan) -> Result<(), Malformed> {
    out.clear();
    let (wl, rest) = take(body, 2)?;
    let (withdrawn, rest) = take(rest, usize::from(u16::from_be_bytes([wl[0], wl[1]])))?;
    v4_prefixes(withdrawn, &mut out.withdrawn_v4)?;
    let (al, rest) = take(rest, 2)?;
    let (mut attrs, nlri) = take(rest, usize::from(u16::from_be_bytes([al[0], al[1]])))?;
    while !attrs.is_empty() {
        let (h, rest) = take(attrs, 2)?;
        let (flags, code) = (h[0], h[1]);
        let (len, rest) = if flags & 0x10 != 0 {
            let (l, r) = take(rest, 2)?;
            (usize::from(u16::from_be_bytes([l[0], l[1]])), r)
        } else {
            let (l, r) = take(rest, 1)?;
            (usize::from(l[0]), r)
        };
        let (value, rest) = take(rest, len)?;
        attrs = rest;
        match code {
            2 => {
                out.via = via(value);
                out.looped = contains(value, own);
            }
            14 => {
                let (head, r) = take(value, 4)?;
                let afi = u16::from_be_bytes([head[0], head[1]]);
                let nh_len = usize::from(head[3]);
                let (_, r) = take(r, nh_len + 1)?;
                if afi == 2 {
                    v6_prefixes(r, &mut out.announced_v6)?;
                } else if afi == 1 {
                    v4_prefixes(r, &mut out.announced_v4)?;
                }
            }
            15 => {
                let (head, r) = take(value, 3)?;
                let afi = u16::from_be_bytes([head[0], head[1]]);
                if afi == 2 {
                    v6_prefixes(r, &mut out.withdrawn_v6)?;
                } else if afi == 1 {
                    v4_prefixes(r, &mut out.withdrawn_v4)?;
                }
            }
            32 => {
                for c in value.chunks_exact(12) {
                    let w = |i: usize| u32::from_be_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
                    if w(0) == CANARY_AS {
                        out.stamp = Some((w(4), w(8)));
                    }
                }
            }
            _ => {}
        }
    }
    v4_prefixes(nlri, &mut out.announced_v4)
}

/// Whether an AS_PATH value (4-octet) holds `asn`.
fn contains(value: &[u8], asn: u32) -> bool {
    let mut b = value;
    while b.len() >= 2 {
        let count = usize::from(b[1]);
        let body = &b[2..];
        if body
            .chunks_exact(4)
            .take(count)
            .any(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) == asn)
        {
            return true;
        }
        b = body.get(count * 4..).unwrap_or(&[]);
    }
    false
}

/// The second AS of an AS_PATH value (4-octet), or the first if alone.
fn via(value: &[u8]) -> u32 {
    let mut asns = [0u32; 2];
    let mut n = 0;
    let mut b = value;
    while n < 2 && b.len() >= 2 {
        let count = usize::from(b[1]);
        let body = &b[2..];
        for c in body.chunks_exact(4).take(count) {
            if n < 2 {
                asns[n] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
                n += 1;
            }
        }
        b = body.get(count * 4..).unwrap_or(&[]);
    }
    if n >= 2 {
        asns[1]
    } else {
        asns[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerd_wire::attr::{AsPath, LargeCommunity, Origin};
    use peerd_wire::{AttrValue, Attribute, Nlri, Prefix, UpdateBuilder};

    fn p(s: &str) -> Prefix {
        s.parse().unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn reads_what_peerd_wire_builds() {
        let b = UpdateBuilder::new(&DecodeContext::MODERN);
        let attrs = vec![
            Attribute::new(AttrValue::Origin(Origin::Igp)),
            Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![
                65000, 65101, 3356,
            ]))),
            Attribute::new(AttrValue::NextHop(Ipv4Addr::new(198, 18, 0, 1))),
            Attribute::new(AttrValue::LargeCommunities(vec![LargeCommunity {
                global: CANARY_AS,
                local1: 7,
                local2: 1234,
            }])),
        ];
        let nlri = [Nlri::new(p("192.0.2.0/24")), Nlri::new(p("10.0.0.0/8"))];
        let msgs = b
            .announce(Family::IPV4_UNICAST, &attrs, None, &nlri)
            .unwrap_or_else(|_| unreachable!());
        let mut s = Scan::default();
        scan_update(&msgs[0][HEADER..], 65201, &mut s).unwrap_or_else(|_| unreachable!());
        assert_eq!(s.announced_v4, vec![CANARY, key_v4(0x0a00_0000, 8)]);
        assert_eq!(s.via, 65101);
        assert_eq!(s.stamp, Some((7, 1234)));
        assert!(!s.looped);
        scan_update(&msgs[0][HEADER..], 3356, &mut s).unwrap_or_else(|_| unreachable!());
        assert!(s.looped);
        let nh = peerd_wire::attr::NextHop::Ipv6 {
            global: "2001:db8::1".parse().unwrap_or_else(|_| unreachable!()),
            link_local: None,
        };
        let msgs = b
            .announce(
                Family::IPV6_UNICAST,
                &attrs[..2],
                Some(&nh),
                &[Nlri::new(p("2001:db8:1::/48"))],
            )
            .unwrap_or_else(|_| unreachable!());
        scan_update(&msgs[0][HEADER..], 65201, &mut s).unwrap_or_else(|_| unreachable!());
        assert_eq!(s.announced_v6.len(), 1);
        assert_eq!(s.announced_v6[0].1, 48);
        let w = b
            .withdraw(Family::IPV6_UNICAST, &[Nlri::new(p("2001:db8:1::/48"))])
            .unwrap_or_else(|_| unreachable!());
        scan_update(&w[0][HEADER..], 65201, &mut s).unwrap_or_else(|_| unreachable!());
        assert_eq!(s.withdrawn_v6.len(), 1);
        assert!(scan_update(&[0, 5, 1], 65201, &mut s).is_err());
    }
}
