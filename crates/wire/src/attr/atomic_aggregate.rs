//! ATOMIC_AGGREGATE (type 6, well-known discretionary; RFC 4271 §4.3, §5.1.6).
//!
//! Zero octets. Any other length: attribute discard (RFC 7606 §7.6).

use super::Fault;

pub(crate) fn decode(value: &[u8]) -> Result<(), Fault> {
    if value.is_empty() {
        Ok(())
    } else {
        Err(Fault::LENGTH)
    }
}
