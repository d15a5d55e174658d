//! COMMUNITIES (type 8, optional transitive; RFC 1997), with the well-known
//! values from the IANA "BGP Well-known Communities" registry.
//!
//! A list of 4-octet values, conventionally written `AS:value`. Empty or not a
//! multiple of four: treat-as-withdraw (RFC 7606 §7.8).

use super::Fault;
use std::fmt;
use std::str::FromStr;

/// Error parsing a community from text: names the form that was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityParseError(pub &'static str);

impl fmt::Display for CommunityParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}", self.0)
    }
}

impl std::error::Error for CommunityParseError {}

/// `a:b` split into exactly `N` decimal numbers that each fit in `T`.
pub(crate) fn numbers<T: FromStr, const N: usize>(s: &str) -> Option<[T; N]> {
    let parts: Vec<T> = s
        .split(':')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    parts.try_into().ok()
}

/// One RFC 1997 community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Community(pub u32);

impl Community {
    /// GRACEFUL_SHUTDOWN (RFC 8326): lower the preference of this route.
    pub const GRACEFUL_SHUTDOWN: Community = Community(0xFFFF_0000);
    /// ACCEPT_OWN (RFC 7611).
    pub const ACCEPT_OWN: Community = Community(0xFFFF_0001);
    /// LLGR_STALE (RFC 9494): the route is stale under long-lived graceful restart.
    pub const LLGR_STALE: Community = Community(0xFFFF_0006);
    /// NO_LLGR (RFC 9494): do not keep this route under long-lived graceful restart.
    pub const NO_LLGR: Community = Community(0xFFFF_0007);
    /// BLACKHOLE (RFC 7999).
    pub const BLACKHOLE: Community = Community(0xFFFF_029A);
    /// NO_EXPORT (RFC 1997): do not advertise outside the AS (or confederation).
    pub const NO_EXPORT: Community = Community(0xFFFF_FF01);
    /// NO_ADVERTISE (RFC 1997): do not advertise to any peer.
    pub const NO_ADVERTISE: Community = Community(0xFFFF_FF02);
    /// NO_EXPORT_SUBCONFED (RFC 1997): do not advertise to external peers, not
    /// even inside a confederation.
    pub const NO_EXPORT_SUBCONFED: Community = Community(0xFFFF_FF03);
    /// NOPEER (RFC 3765).
    pub const NOPEER: Community = Community(0xFFFF_FF04);

    /// Builds `asn:value`.
    pub fn new(asn: u16, value: u16) -> Self {
        Community((u32::from(asn) << 16) | u32::from(value))
    }

    /// The high 16 bits, conventionally an AS number.
    pub fn asn(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The low 16 bits.
    pub fn value(self) -> u16 {
        self.0 as u16
    }

    /// Every well-known community with a registry name.
    const NAMED: [Community; 9] = [
        Community::GRACEFUL_SHUTDOWN,
        Community::ACCEPT_OWN,
        Community::LLGR_STALE,
        Community::NO_LLGR,
        Community::BLACKHOLE,
        Community::NO_EXPORT,
        Community::NO_ADVERTISE,
        Community::NO_EXPORT_SUBCONFED,
        Community::NOPEER,
    ];

    /// The registry name of a well-known community.
    pub fn well_known_name(self) -> Option<&'static str> {
        Some(match self {
            Community::GRACEFUL_SHUTDOWN => "graceful-shutdown",
            Community::ACCEPT_OWN => "accept-own",
            Community::LLGR_STALE => "llgr-stale",
            Community::NO_LLGR => "no-llgr",
            Community::BLACKHOLE => "blackhole",
            Community::NO_EXPORT => "no-export",
            Community::NO_ADVERTISE => "no-advertise",
            Community::NO_EXPORT_SUBCONFED => "no-export-subconfed",
            Community::NOPEER => "no-peer",
            _ => return None,
        })
    }
}

impl fmt::Display for Community {
    /// Well-known communities by name, others as `AS:value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.well_known_name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}:{}", self.asn(), self.value()),
        }
    }
}

impl FromStr for Community {
    type Err = CommunityParseError;

    /// `AS:value` (each 0-65535) or a well-known name such as `no-export`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(c) = Community::NAMED
            .iter()
            .find(|c| c.well_known_name() == Some(s.trim()))
        {
            return Ok(*c);
        }
        numbers::<u16, 2>(s)
            .map(|[a, v]| Community::new(a, v))
            .ok_or(CommunityParseError(
                "AS:VALUE with both parts 0-65535, or a well-known name such as no-export",
            ))
    }
}

pub(crate) fn decode(value: &[u8]) -> Result<Vec<Community>, Fault> {
    if value.is_empty() || value.len() % 4 != 0 {
        return Err(Fault::LENGTH);
    }
    Ok(value
        .chunks_exact(4)
        .map(|c| Community(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
        .collect())
}

pub(crate) fn encode(list: &[Community], out: &mut Vec<u8>) {
    for c in list {
        out.extend_from_slice(&c.0.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_values() {
        let bytes = [
            0xff, 0xff, 0xff, 0x01, 0xff, 0xff, 0x02, 0x9a, 0xfb, 0xf4, 0, 100,
        ];
        let c = decode(&bytes).unwrap();
        assert_eq!(
            c,
            vec![
                Community::NO_EXPORT,
                Community::BLACKHOLE,
                Community::new(64500, 100)
            ]
        );
        let s: Vec<String> = c.iter().map(|c| c.to_string()).collect();
        assert_eq!(s, ["no-export", "blackhole", "64500:100"]);
        let mut out = Vec::new();
        encode(&c, &mut out);
        assert_eq!(out, bytes);
    }

    #[test]
    fn bad_length() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[1, 2, 3]).is_err());
    }
}
