//! MP_REACH_NLRI (type 14, optional non-transitive; RFC 4760 §3), with IPv6
//! next hops (RFC 2545 §3) and IPv4 NLRI over an IPv6 next hop (RFC 8950).
//!
//! ```text
//! +---------------------------------------------------------+
//! | Address Family Identifier (2 octets)                    |
//! | Subsequent Address Family Identifier (1 octet)          |
//! | Length of Next Hop Network Address (1 octet)            |
//! | Network Address of Next Hop (variable)                  |
//! | Reserved (1 octet)                                      |
//! | Network Layer Reachability Information (variable)       |
//! +---------------------------------------------------------+
//! ```
//!
//! MRT TABLE_DUMP_V2 RIB entries carry an abbreviated form with only the next
//! hop length and next hop (RFC 6396 §4.3.4).
//!
//! Errors (RFC 7606 §7.11): if the AFI/SAFI cannot be read the session is
//! reset; otherwise that AFI/SAFI is disabled.

use super::{Fault, MpReachLayout};
use crate::afi::{Afi, Family};
use crate::context::DecodeContext;
use crate::prefix::{decode_nlri_into, Nlri};
use crate::reader::Reader;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A next hop as carried in MP_REACH_NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// A 4-octet IPv4 next hop.
    Ipv4(Ipv4Addr),
    /// A 16-octet IPv6 global next hop, optionally followed by a link-local one
    /// (32 octets in all, RFC 2545 §3).
    Ipv6 {
        /// The global (or, from some speakers, link-local) address.
        global: Ipv6Addr,
        /// The link-local address, when 32 octets were sent.
        link_local: Option<Ipv6Addr>,
    },
    /// Any other length (VPN route distinguishers, unknown families), kept as bytes.
    Other(Vec<u8>),
}

impl NextHop {
    fn decode(b: &[u8]) -> NextHop {
        match b.len() {
            4 => NextHop::Ipv4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
            16 | 32 => {
                let mut g = [0u8; 16];
                g.copy_from_slice(&b[..16]);
                let link_local = (b.len() == 32).then(|| {
                    let mut l = [0u8; 16];
                    l.copy_from_slice(&b[16..32]);
                    Ipv6Addr::from(l)
                });
                NextHop::Ipv6 {
                    global: Ipv6Addr::from(g),
                    link_local,
                }
            }
            _ => NextHop::Other(b.to_vec()),
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            NextHop::Ipv4(a) => {
                out.push(4);
                out.extend_from_slice(&a.octets());
            }
            NextHop::Ipv6 { global, link_local } => {
                out.push(if link_local.is_some() { 32 } else { 16 });
                out.extend_from_slice(&global.octets());
                if let Some(l) = link_local {
                    out.extend_from_slice(&l.octets());
                }
            }
            NextHop::Other(b) => {
                out.push(b.len().min(255) as u8);
                out.extend_from_slice(&b[..b.len().min(255)]);
            }
        }
    }
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::Ipv4(a) => write!(f, "{a}"),
            NextHop::Ipv6 {
                global,
                link_local: None,
            } => write!(f, "{global}"),
            NextHop::Ipv6 {
                global,
                link_local: Some(l),
            } => write!(f, "{global} {l}"),
            NextHop::Other(b) => {
                f.write_str("0x")?;
                for x in b {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// The NLRI of an MP attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MpNlri {
    /// Prefixes of an IPv4/IPv6 unicast or multicast family.
    Prefixes(Vec<Nlri>),
    /// Any other family's NLRI, kept as bytes.
    Opaque(Vec<u8>),
}

impl MpNlri {
    /// Whether there is no NLRI at all (prefixes or opaque bytes).
    pub fn is_empty(&self) -> bool {
        match self {
            MpNlri::Prefixes(p) => p.is_empty(),
            MpNlri::Opaque(b) => b.is_empty(),
        }
    }

    /// The prefixes, or an empty slice for opaque NLRI.
    pub fn prefixes(&self) -> &[Nlri] {
        match self {
            MpNlri::Prefixes(p) => p,
            MpNlri::Opaque(_) => &[],
        }
    }

    pub(crate) fn decode(b: &[u8], family: Family, ctx: &DecodeContext) -> Result<MpNlri, Fault> {
        if !family.has_prefix_nlri() {
            return Ok(MpNlri::Opaque(b.to_vec()));
        }
        let mut v = Vec::with_capacity(b.len() / 4);
        decode_nlri_into(b, family.afi, ctx.add_path_for(family), &mut v)
            .map_err(|_| Fault::OPTIONAL)?;
        Ok(MpNlri::Prefixes(v))
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            MpNlri::Prefixes(p) => {
                for n in p {
                    n.encode(out);
                }
            }
            MpNlri::Opaque(b) => out.extend_from_slice(b),
        }
    }
}

/// MP_REACH_NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MpReach {
    /// The family of the NLRI. For the abbreviated MRT layout, which carries no
    /// AFI/SAFI, this is guessed from the next-hop length; the MRT record's own
    /// family is authoritative.
    pub family: Family,
    /// The next hop.
    pub next_hop: NextHop,
    /// The reserved octet (formerly the SNPA count), kept for round trips.
    pub reserved: u8,
    /// The reachable NLRI.
    pub nlri: MpNlri,
    /// Whether this came in the abbreviated MRT RIB-entry layout.
    pub abbreviated: bool,
}

impl MpReach {
    /// An MP_REACH_NLRI for prefix NLRI.
    pub fn new(family: Family, next_hop: NextHop, nlri: Vec<Nlri>) -> Self {
        MpReach {
            family,
            next_hop,
            reserved: 0,
            nlri: MpNlri::Prefixes(nlri),
            abbreviated: false,
        }
    }

    pub(crate) fn decode(
        value: &[u8],
        ctx: &DecodeContext,
        layout: MpReachLayout,
    ) -> Result<MpReach, (Fault, Option<Family>)> {
        if layout == MpReachLayout::MrtRibEntry
            && value
                .first()
                .is_some_and(|&l| usize::from(l) + 1 == value.len())
        {
            let nh = NextHop::decode(&value[1..]);
            let afi = if matches!(nh, NextHop::Ipv4(_)) { 1 } else { 2 };
            return Ok(MpReach {
                family: Family::new(afi, 1),
                next_hop: nh,
                reserved: 0,
                nlri: MpNlri::Prefixes(Vec::new()),
                abbreviated: true,
            });
        }
        let mut r = Reader::new(value);
        let (Some(afi), Some(safi)) = (r.u16(), r.u8()) else {
            return Err((Fault::LENGTH, None));
        };
        let family = Family::new(afi, safi);
        let fam = Some(family);
        let nh_len = r.u8().ok_or((Fault::LENGTH, fam))?;
        let nh = r.take(usize::from(nh_len)).ok_or((Fault::LENGTH, fam))?;
        let reserved = r.u8().ok_or((Fault::LENGTH, fam))?;
        let next_hop = NextHop::decode(nh);
        let nlri = MpNlri::decode(r.rest(), family, ctx).map_err(|f| (f, fam))?;
        Ok(MpReach {
            family,
            next_hop,
            reserved,
            nlri,
            abbreviated: false,
        })
    }

    /// Appends the value (without the attribute header).
    pub fn encode(&self, out: &mut Vec<u8>) {
        if self.abbreviated {
            self.next_hop.encode(out);
            return;
        }
        out.extend_from_slice(&self.family.afi.to_u16().to_be_bytes());
        out.push(self.family.safi.to_u8());
        self.next_hop.encode(out);
        out.push(self.reserved);
        self.nlri.encode(out);
    }

    /// Whether the NLRI are IPv4 carried with an IPv6 next hop (RFC 8950).
    pub fn is_ipv4_over_ipv6(&self) -> bool {
        self.family.afi == Afi::Ipv4 && matches!(self.next_hop, NextHop::Ipv6 { .. })
    }
}

/// Reads the AFI/SAFI of an MP attribute, if its value is long enough.
pub(crate) fn peek_family(value: &[u8]) -> Option<Family> {
    let mut r = Reader::new(value);
    Some(Family::new(r.u16()?, r.u8()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_with_link_local_round_trip() {
        let mut v = vec![0, 2, 1, 32];
        v.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        v.extend_from_slice(&"fe80::1".parse::<Ipv6Addr>().unwrap().octets());
        v.push(0);
        v.extend_from_slice(&[32, 0x20, 0x01, 0x0d, 0xb8]);
        let m = MpReach::decode(&v, &DecodeContext::MODERN, MpReachLayout::Full).unwrap();
        assert_eq!(m.family, Family::IPV6_UNICAST);
        assert_eq!(m.next_hop.to_string(), "2001:db8::1 fe80::1");
        assert_eq!(m.nlri.prefixes()[0].prefix.to_string(), "2001:db8::/32");
        let mut out = Vec::new();
        m.encode(&mut out);
        assert_eq!(out, v);
    }

    #[test]
    fn ipv4_over_ipv6_next_hop() {
        let mut v = vec![0, 1, 1, 16];
        v.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        v.extend_from_slice(&[0, 24, 192, 0, 2]);
        let m = MpReach::decode(&v, &DecodeContext::MODERN, MpReachLayout::Full).unwrap();
        assert!(m.is_ipv4_over_ipv6());
        assert_eq!(m.nlri.prefixes()[0].prefix.to_string(), "192.0.2.0/24");
    }

    #[test]
    fn errors_carry_the_family_when_it_can_be_read() {
        let e = MpReach::decode(&[0, 2], &DecodeContext::MODERN, MpReachLayout::Full).unwrap_err();
        assert_eq!(e.1, None);
        let e = MpReach::decode(
            &[0, 2, 1, 16, 0],
            &DecodeContext::MODERN,
            MpReachLayout::Full,
        )
        .unwrap_err();
        assert_eq!(e.1, Some(Family::IPV6_UNICAST));
    }

    #[test]
    fn abbreviated_mrt_layout() {
        let mut v = vec![16];
        v.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        let m = MpReach::decode(&v, &DecodeContext::MODERN, MpReachLayout::MrtRibEntry).unwrap();
        assert!(m.abbreviated);
        let mut out = Vec::new();
        m.encode(&mut out);
        assert_eq!(out, v);
    }
}
