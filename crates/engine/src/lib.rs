//! `peerd-engine`: the first routing engine — events in, actions out, no I/O.
//!
//! Per peer an Adj-RIB-In (after the import switch), a best path per prefix
//! chosen by the full RFC 4271 §9.1 decision process with the reason each
//! other candidate lost ([`decision`]), RFC 9234 route-leak prevention on
//! the way in and out ([`role`]), and per peer an Adj-RIB-Out of what was last sent, from
//! which packed UPDATEs are built ([`export`]). The engine is deterministic:
//! the same events in the same order give the same actions.
//!
//! What it does on input (RFC 4271 §9): AS-path loop detection (our AS in the
//! path withdraws the route), LOCAL_PREF from eBGP ignored, treat-as-withdraw
//! for UPDATEs RFC 7606 says so of, max-prefix per family (RFC 4486), graceful
//! restart helper (RFC 4724: stale until End-of-RIB or the restart time),
//! OTC added or a route marked as a leak by the session's role (RFC 9234).
//! On output to eBGP: prepend our AS, next hop self, no LOCAL_PREF, no MED
//! learned from another AS, NO_EXPORT and NO_ADVERTISE honoured; to iBGP:
//! nothing learned over iBGP, LOCAL_PREF 100 added. End-of-RIB after the
//! initial table; ROUTE-REFRESH answered with the whole table again.

#![deny(missing_docs)]

mod adj_in;
mod compact_path;
pub mod decision;
mod engine;
pub mod export;
mod hash;
mod intern;
pub mod role;
mod route;
mod table;

pub use compact_path::CompactPath;
pub use decision::{DecisionOptions, Step};
pub use engine::{
    Action, Announcement, DumpPage, DumpPeer, DumpRoute, Engine, Event, Filtered, Forward,
    KernelImport, Memory, Page, PeerConfig, PeerId, Reconfig, RouteFilter, RouteSet, RouteView,
    Static, Stats, Via, KERNEL_DISTANCE, SCAN_LIMIT,
};
pub use route::{Learned, Path, Route};
