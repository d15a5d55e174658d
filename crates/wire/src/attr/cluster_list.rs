//! CLUSTER_LIST (type 10, optional non-transitive; RFC 4456 §8).
//!
//! A sequence of 4-octet cluster ids. Empty, or not a multiple of four:
//! treat-as-withdraw (RFC 7606 §7.10).

use super::Fault;
use std::net::Ipv4Addr;

pub(crate) fn decode(value: &[u8]) -> Result<Vec<Ipv4Addr>, Fault> {
    if value.is_empty() || value.len() % 4 != 0 {
        return Err(Fault::LENGTH);
    }
    Ok(value
        .chunks_exact(4)
        .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
        .collect())
}

pub(crate) fn encode(list: &[Ipv4Addr], out: &mut Vec<u8>) {
    for a in list {
        out.extend_from_slice(&a.octets());
    }
}
