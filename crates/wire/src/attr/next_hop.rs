//! NEXT_HOP (type 3, well-known; RFC 4271 §4.3, §5.1.3).
//!
//! Four octets: the IPv4 address of the next hop for the NLRI in the UPDATE's
//! own NLRI field. Wrong length: treat-as-withdraw (RFC 7606 §7.3). Whether the
//! address is usable (not martian, not our own) is for the session layer.

use super::{fixed, Fault};
use std::net::Ipv4Addr;

pub(crate) fn decode(value: &[u8]) -> Result<Ipv4Addr, Fault> {
    Ok(Ipv4Addr::from(fixed::<4>(value)?))
}
