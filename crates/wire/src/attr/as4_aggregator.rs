//! AS4_AGGREGATOR (type 18, optional transitive; RFC 6793 §3, §4.2.3).
//!
//! Always 8 octets: 4-octet AS and IPv4 address. Used when AGGREGATOR carries
//! AS_TRANS; if AGGREGATOR holds a real 2-octet AS, AS4_AGGREGATOR and
//! AS4_PATH are to be ignored ([`real_aggregator`]). Wrong length: attribute
//! discard (RFC 7606 §7.13).

use super::{Aggregator, Fault, AS_TRANS};

pub(crate) fn decode(value: &[u8]) -> Result<Aggregator, Fault> {
    Aggregator::decode(value, true)
}

/// The real aggregator and whether AS4_PATH may be used, per RFC 6793 §4.2.3:
/// when AGGREGATOR holds something other than AS_TRANS, the AS4 attributes came
/// from a path that was aggregated by an old speaker and are both ignored.
pub fn real_aggregator(
    aggregator: Option<&Aggregator>,
    as4_aggregator: Option<&Aggregator>,
) -> (Option<Aggregator>, bool) {
    match (aggregator, as4_aggregator) {
        (Some(a), Some(a4)) if a.asn == AS_TRANS => (Some(*a4), true),
        (Some(a), Some(_)) => (Some(*a), false),
        (a, _) => (a.copied(), true),
    }
}
