//! Only to Customer, OTC (type 35, optional transitive; RFC 9234 §5).
//!
//! Four octets: an AS number. Wrong length: treat-as-withdraw (RFC 9234 §5).
//! The ingress and egress rules that use it live in the policy crate.

use super::{fixed, Fault};

pub(crate) fn decode(value: &[u8]) -> Result<u32, Fault> {
    Ok(u32::from_be_bytes(fixed::<4>(value)?))
}
