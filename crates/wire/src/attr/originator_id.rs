//! ORIGINATOR_ID (type 9, optional non-transitive; RFC 4456 §8).
//!
//! Four octets: the router-id of the route's originator in the local AS. Wrong
//! length: treat-as-withdraw (RFC 7606 §7.9).

use super::{fixed, Fault};
use std::net::Ipv4Addr;

pub(crate) fn decode(value: &[u8]) -> Result<Ipv4Addr, Fault> {
    Ok(Ipv4Addr::from(fixed::<4>(value)?))
}
