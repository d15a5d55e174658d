//! AGGREGATOR (type 7, optional transitive; RFC 4271 §4.3, §5.1.7; RFC 6793).
//!
//! ```text
//! +---------------------------+------------------------+
//! | AS (2 octets, or 4 when   | IPv4 address (4)       |
//! | 4-octet AS is negotiated) |                        |
//! +---------------------------+------------------------+
//! ```
//!
//! A length that does not match the session's AS width: attribute discard
//! (RFC 7606 §7.7).

use super::{fixed, Fault};
use std::net::Ipv4Addr;

/// The AS and router that formed an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aggregator {
    /// The aggregating AS (AS_TRANS on a 2-octet session when the real AS is
    /// 4-octet; see AS4_AGGREGATOR).
    pub asn: u32,
    /// The aggregating router's BGP identifier.
    pub addr: Ipv4Addr,
}

impl Aggregator {
    pub(crate) fn decode(value: &[u8], four_octet: bool) -> Result<Aggregator, Fault> {
        if four_octet {
            let b = fixed::<8>(value)?;
            Ok(Aggregator {
                asn: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                addr: Ipv4Addr::new(b[4], b[5], b[6], b[7]),
            })
        } else {
            let b = fixed::<6>(value)?;
            Ok(Aggregator {
                asn: u32::from(u16::from_be_bytes([b[0], b[1]])),
                addr: Ipv4Addr::new(b[2], b[3], b[4], b[5]),
            })
        }
    }

    /// Appends the encoding; on a 2-octet session a 4-octet AS becomes AS_TRANS.
    pub fn encode(&self, out: &mut Vec<u8>, four_octet: bool) {
        if four_octet {
            out.extend_from_slice(&self.asn.to_be_bytes());
        } else {
            let a = u16::try_from(self.asn).unwrap_or(super::AS_TRANS as u16);
            out.extend_from_slice(&a.to_be_bytes());
        }
        out.extend_from_slice(&self.addr.octets());
    }
}
