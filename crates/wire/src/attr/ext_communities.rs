//! EXTENDED COMMUNITIES (type 16, optional transitive; RFC 4360, RFC 5668,
//! RFC 7153 for the type registry).
//!
//! A list of 8-octet values: type (1), sub-type (1), value (6). Empty or not a
//! multiple of eight: treat-as-withdraw (RFC 7606 §7.14).

use super::Fault;
use std::fmt;
use std::net::Ipv4Addr;

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
        match (b[0] & 0x3f, kind.is_empty()) {
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
