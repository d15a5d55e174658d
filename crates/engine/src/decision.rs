//! The first best-path choice (RFC 4271 §9.1.2.2, simplified).
//!
//! What the RFC says: highest degree of preference (LOCAL_PREF), then the
//! tie-breakers of §9.1.2.2: shortest AS path, lowest ORIGIN, lowest MED
//! among routes from the same neighbouring AS, eBGP over iBGP, lowest IGP
//! cost, lowest BGP identifier, lowest peer address.
//!
//! What we do here (the full decision process with reasons comes with the
//! RIB issue): our own prefixes first, then LOCAL_PREF, AS path length,
//! ORIGIN, MED only between routes from the same neighbouring AS, eBGP over
//! iBGP, non-stale over stale, lowest BGP identifier, lowest address. There
//! is no IGP, so the IGP cost step is skipped.

use crate::route::Route;
use std::cmp::Ordering;

/// Whether `a` is better than `b`.
pub fn better(a: &Route, b: &Route) -> bool {
    compare(a, b) == Ordering::Less
}

/// Orders routes best first.
pub fn compare(a: &Route, b: &Route) -> Ordering {
    // Our own prefixes win.
    match (a.peer().is_none(), b.peer().is_none()) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    b.local_pref()
        .cmp(&a.local_pref())
        .then(a.as_path.path_len().cmp(&b.as_path.path_len()))
        .then(a.origin().cmp(&b.origin()))
        .then_with(|| {
            if a.as_path.first_as().is_some() && a.as_path.first_as() == b.as_path.first_as() {
                a.med().cmp(&b.med())
            } else {
                Ordering::Equal
            }
        })
        .then(b.ebgp().cmp(&a.ebgp()))
        .then(a.stale.cmp(&b.stale))
        .then(u32::from(a.learned.peer_id).cmp(&u32::from(b.learned.peer_id)))
        .then(a.learned.peer_addr.cmp(&b.learned.peer_addr))
}
