//! `peerd-mrt`: MRT routing-information export format (RFC 6396, RFC 8050).
//!
//! A streaming reader ([`MrtReader`]) that holds one record in memory at a
//! time whatever the file size, reads plain, gzip and bzip2 files transparently
//! ([`open`]), and on a truncated or corrupt file yields every good record
//! before the damage and then an error naming the byte offset ([`MrtError`]).
//! A writer ([`MrtWriter`]) produces TABLE_DUMP_V2 and BGP4MP / BGP4MP_ET.
//!
//! BGP attributes and messages inside records are decoded by `peerd-wire`.
//!
//! | Type | Subtypes read | Written |
//! |---|---|---|
//! | TABLE_DUMP (12) | AFI_IPv4, AFI_IPv6 | no (obsolete) |
//! | TABLE_DUMP_V2 (13) | PEER_INDEX_TABLE, RIB_IPV4/IPV6_UNICAST/MULTICAST, RFC 8050 *_ADDPATH, RIB_GENERIC (kept opaque) | yes |
//! | BGP4MP (16), BGP4MP_ET (17) | STATE_CHANGE(_AS4), MESSAGE(_AS4), _LOCAL and _ADDPATH variants | yes |
//! | BGP (5, deprecated MRTd) | UPDATE, STATE_CHANGE; OPEN/NOTIFY/KEEPALIVE kept as bytes | no |
//! | others | kept as raw bytes | no |
//!
//! Two quirks of old Zebra dumps are read as bgpdump reads them: an 8-octet
//! BGP4MP STATE_CHANGE (peer AS, local AS, old and new state, no addresses),
//! and a BGP4MP MESSAGE whose interface index and address family are both
//! 0xFFFF, which is an OPEN written without those fields or addresses.

#![deny(missing_docs)]

mod bgp4mp;
mod bgp_legacy;
mod error;
mod header;
pub mod open;
mod reader;
mod table_dump;
mod table_dump_v2;
mod writer;

pub use bgp4mp::{Bgp4mpMessage, Session, StateChange};
pub use bgp_legacy::{LegacyBgp, LegacyPayload};
pub use error::{MrtError, MrtErrorKind};
pub use header::{mrt_type, Header};
pub use open::{open, Compression};
pub use reader::{decode_body, MrtReader, MAX_RECORD_LEN};
pub use table_dump::TableDump;
pub use table_dump_v2::{Peer, PeerIndexTable, Rib, RibEntry, RibGeneric};
pub use writer::MrtWriter;

/// One MRT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The common header.
    pub header: Header,
    /// The decoded body.
    pub body: Body,
}

/// The body of an MRT record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Legacy TABLE_DUMP entry (RFC 6396 §4.2).
    TableDump(TableDump),
    /// TABLE_DUMP_V2 PEER_INDEX_TABLE (RFC 6396 §4.3.1).
    PeerIndexTable(PeerIndexTable),
    /// TABLE_DUMP_V2 RIB entries for one prefix (RFC 6396 §4.3.2, RFC 8050).
    Rib(Rib),
    /// TABLE_DUMP_V2 RIB_GENERIC(_ADDPATH), kept opaque.
    RibGeneric(RibGeneric),
    /// BGP4MP(_ET) MESSAGE variants (RFC 6396 §4.4.2, RFC 8050).
    Bgp4mpMessage(Bgp4mpMessage),
    /// BGP4MP(_ET) STATE_CHANGE variants (RFC 6396 §4.4.1).
    StateChange(StateChange),
    /// The deprecated MRTd BGP type (5).
    LegacyBgp(LegacyBgp),
    /// A type or subtype this crate does not decode, kept as bytes.
    Unsupported(Vec<u8>),
}
