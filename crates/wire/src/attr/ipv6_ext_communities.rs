//! IPv6 Address Specific Extended Communities (type 25, optional transitive;
//! RFC 5701).
//!
//! A list of 20-octet values: type (1), sub-type (1), IPv6 global
//! administrator (16), local administrator (2). Empty or not a multiple of 20:
//! treat-as-withdraw (RFC 7606 §7.15).

use super::Fault;
use std::net::Ipv6Addr;

/// One IPv6 address specific extended community, kept as its 20 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv6ExtCommunity(pub [u8; 20]);

impl Ipv6ExtCommunity {
    /// The global administrator address.
    pub fn global(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.0[2..18]);
        Ipv6Addr::from(a)
    }

    /// The local administrator value.
    pub fn local(&self) -> u16 {
        u16::from_be_bytes([self.0[18], self.0[19]])
    }
}

pub(crate) fn decode(value: &[u8]) -> Result<Vec<Ipv6ExtCommunity>, Fault> {
    if value.is_empty() || value.len() % 20 != 0 {
        return Err(Fault::LENGTH);
    }
    Ok(value
        .chunks_exact(20)
        .map(|c| {
            let mut a = [0u8; 20];
            a.copy_from_slice(c);
            Ipv6ExtCommunity(a)
        })
        .collect())
}

pub(crate) fn encode(list: &[Ipv6ExtCommunity], out: &mut Vec<u8>) {
    for c in list {
        out.extend_from_slice(&c.0);
    }
}
