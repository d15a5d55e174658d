//! EXTENDED COMMUNITIES (type 16, optional transitive; RFC 4360, RFC 5668,
//! RFC 7153 for the type registry).
//!
//! A list of 8-octet values: type (1), sub-type (1), value (6). Empty or not a
//! multiple of eight: treat-as-withdraw (RFC 7606 §7.14).

use super::communities::{numbers, CommunityParseError};
use super::Fault;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// One extended community, kept as its 8 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtCommunity(pub [u8; 8]);

impl ExtCommunity {
    /// The high-order type octet.
    pub fn type_high(&self) -> u8 {
        self.0[0]
    }

    /// The sub-type octet (for the types that have one).
    pub fn subtype(&self) -> u8 {
        self.0[1]
    }

    /// Whether the community is transitive across ASes (the T bit is zero).
    pub fn is_transitive(&self) -> bool {
        self.0[0] & 0x40 == 0
    }

    /// A route target `AS:value` in the two-octet-AS form (type 0x00, sub-type 0x02).
    pub fn route_target(asn: u16, value: u32) -> Self {
        let a = asn.to_be_bytes();
        let v = value.to_be_bytes();
        ExtCommunity([0x00, 0x02, a[0], a[1], v[0], v[1], v[2], v[3]])
    }
}

impl fmt::Display for ExtCommunity {
    /// Route targets and origins as `rt`/`soo` with their global and local
    /// parts; everything else as hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        let kind = match b[1] {
            0x02 => "rt",
            0x03 => "soo",
            _ => "",
        };
        match (b[0], kind.is_empty()) {
            (0x00, false) => write!(
                f,
                "{kind} {}:{}",
                u16::from_be_bytes([b[2], b[3]]),
                u32::from_be_bytes([b[4], b[5], b[6], b[7]])
            ),
            (0x01, false) => write!(
                f,
                "{kind} {}:{}",
                Ipv4Addr::new(b[2], b[3], b[4], b[5]),
                u16::from_be_bytes([b[6], b[7]])
            ),
            (0x02, false) => write!(
                f,
                "{kind} {}:{}",
                u32::from_be_bytes([b[2], b[3], b[4], b[5]]),
                u16::from_be_bytes([b[6], b[7]])
            ),
            _ => {
                f.write_str("0x")?;
                for x in b {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
        }
    }
}

impl FromStr for ExtCommunity {
    type Err = CommunityParseError;

    /// `rt GLOBAL:LOCAL` or `soo GLOBAL:LOCAL` (the form `Display` writes):
    /// a two-octet AS with a 4-octet value (RFC 4360 §3.1), an IPv4 address
    /// with a 2-octet value (§3.2), or a four-octet AS with a 2-octet value
    /// (RFC 5668); or `0x` and sixteen hex digits for any other kind.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const FORM: &str = "rt GLOBAL:LOCAL, soo GLOBAL:LOCAL or 0x and 16 hex digits";
        let s = s.trim();
        if let Some(hex) = s.strip_prefix("0x") {
            if hex.len() != 16 {
                return Err(CommunityParseError(FORM));
            }
            let mut b = [0u8; 8];
            for (i, byte) in b.iter_mut().enumerate() {
                *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).unwrap_or("x"), 16)
                    .map_err(|_| CommunityParseError(FORM))?;
            }
            return Ok(ExtCommunity(b));
        }
        let (kind, rest) = s.split_once(' ').ok_or(CommunityParseError(FORM))?;
        let sub = match kind {
            "rt" => 0x02,
            "soo" => 0x03,
            _ => return Err(CommunityParseError(FORM)),
        };
        let (global, local) = rest
            .trim()
            .rsplit_once(':')
            .ok_or(CommunityParseError(FORM))?;
        if let Ok(ip) = global.parse::<Ipv4Addr>() {
            let l: u16 = local.parse().map_err(|_| CommunityParseError(FORM))?;
            let [a, b, c, d] = ip.octets();
            let [e, f] = l.to_be_bytes();
            return Ok(ExtCommunity([0x01, sub, a, b, c, d, e, f]));
        }
        let [g, l] = numbers::<u32, 2>(rest).ok_or(CommunityParseError(FORM))?;
        match (u16::try_from(g), u16::try_from(l)) {
            (Ok(g), _) => {
                let [a, b] = g.to_be_bytes();
                let [c, d, e, f] = l.to_be_bytes();
                Ok(ExtCommunity([0x00, sub, a, b, c, d, e, f]))
            }
            (Err(_), Ok(l)) => {
                let [a, b, c, d] = g.to_be_bytes();
                let [e, f] = l.to_be_bytes();
                Ok(ExtCommunity([0x02, sub, a, b, c, d, e, f]))
            }
            (Err(_), Err(_)) => Err(CommunityParseError(FORM)),
        }
    }
}

pub(crate) fn decode(value: &[u8]) -> Result<Vec<ExtCommunity>, Fault> {
    if value.is_empty() || value.len() % 8 != 0 {
        return Err(Fault::LENGTH);
    }
    Ok(value
        .chunks_exact(8)
        .map(|c| {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            ExtCommunity(a)
        })
        .collect())
}

pub(crate) fn encode(list: &[ExtCommunity], out: &mut Vec<u8>) {
    for c in list {
        out.extend_from_slice(&c.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_target_text() {
        assert_eq!(
            ExtCommunity::route_target(64500, 7).to_string(),
            "rt 64500:7"
        );
        assert!(ExtCommunity::route_target(1, 1).is_transitive());
    }
}
