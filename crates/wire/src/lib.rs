//! `peerd-wire`: the BGP-4 wire codec of peerd.
//!
//! Sans-IO: every function is a pure function of bytes and the negotiated
//! [`DecodeContext`]. No sockets, no async runtime, no logging. Decode errors
//! are typed values carrying the NOTIFICATION code, subcode and data that
//! RFC 4271 prescribes ([`DecodeError`]); malformed UPDATE attributes are
//! classified as RFC 7606 says ([`AttrAction`]) and returned alongside
//! everything that could still be decoded.
//!
//! For every well-formed message, `encode(decode(bytes)) == bytes`: attribute
//! order, flag octets (including the extended-length bit) and parameter
//! grouping are kept.
//!
//! # Standards
//!
//! | RFC | What |
//! |---|---|
//! | 4271 | BGP-4: messages, attributes, errors |
//! | 1997 | COMMUNITIES |
//! | 2545 | IPv6 next hops (global + link-local) |
//! | 2918 | ROUTE-REFRESH |
//! | 4360, 5701, 7153 | Extended communities, IPv6-address-specific form |
//! | 4456 | ORIGINATOR_ID, CLUSTER_LIST |
//! | 4724 | Graceful Restart capability, End-of-RIB |
//! | 4760 | Multiprotocol extensions: MP_REACH_NLRI, MP_UNREACH_NLRI |
//! | 5065 | Confederation AS_PATH segments |
//! | 5492 | Capabilities |
//! | 6793 | 4-octet AS numbers, AS4_PATH, AS4_AGGREGATOR, AS_TRANS |
//! | 7311 | AIGP |
//! | 7313 | Enhanced Route Refresh (BoRR/EoRR) |
//! | 7606 | Revised error handling for UPDATE |
//! | 7911 | ADD-PATH |
//! | 7999, 8326, 9494 | BLACKHOLE, GRACEFUL_SHUTDOWN, LLGR_STALE, NO_LLGR communities; LLGR capability |
//! | 8092 | LARGE_COMMUNITY |
//! | 8538 | Graceful Restart N-bit, Hard Reset |
//! | 8654 | Extended messages |
//! | 8950 | IPv4 NLRI with IPv6 next hop, Extended Next Hop capability |
//! | 9003 | Shutdown communication |
//! | 9072 | Extended optional parameters length |
//! | 9234 | BGP Role capability, OTC attribute |
//! | draft-walton-bgp-hostname-capability | FQDN capability |

#![deny(missing_docs)]

pub mod afi;
pub mod attr;
pub mod capability;
pub mod context;
pub mod error;
pub mod header;
pub mod message;
pub mod prefix;
pub mod reader;

pub use afi::{Afi, Family, FamilySet, Safi};
pub use attr::{AttrValue, Attribute};
pub use capability::Capability;
pub use context::{DecodeContext, EncodeContext};
pub use error::{AttrAction, AttrError, DecodeError, Reason};
pub use header::{frame, Frame, MessageType, MAX_EXTENDED_MESSAGE_LEN, MAX_MESSAGE_LEN};
pub use message::builder::{BuildError, UpdateBuilder};
pub use message::{Message, Notification, Open, RouteRefresh, Update};
pub use prefix::{Nlri, Prefix};
