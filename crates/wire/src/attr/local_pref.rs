//! LOCAL_PREF (type 5, well-known; RFC 4271 §4.3, §5.1.5).
//!
//! Four octets, unsigned. Wrong length: treat-as-withdraw (RFC 7606 §7.5). A
//! LOCAL_PREF received over eBGP is to be ignored; the session layer knows
//! whether the peer is external and drops it there.

use super::{fixed, Fault};

pub(crate) fn decode(value: &[u8]) -> Result<u32, Fault> {
    Ok(u32::from_be_bytes(fixed::<4>(value)?))
}
