//! MULTI_EXIT_DISC (type 4, optional non-transitive; RFC 4271 §4.3, §5.1.4).
//!
//! Four octets, unsigned. Wrong length: treat-as-withdraw (RFC 7606 §7.4).

use super::{fixed, Fault};

pub(crate) fn decode(value: &[u8]) -> Result<u32, Fault> {
    Ok(u32::from_be_bytes(fixed::<4>(value)?))
}
