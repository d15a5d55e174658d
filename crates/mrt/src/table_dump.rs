//! Legacy TABLE_DUMP (type 12, RFC 6396 §4.2): one RIB entry per record,
//! 2-octet AS numbers (subtypes 1 IPv4, 2 IPv6; subtypes 3 and 4 are the
//! same with 4-octet AS numbers, as bgpdump reads them).
//!
//! ```text
//! +-------------------------------+-------------------------------+
//! |         View Number (2)       |       Sequence Number (2)     |
//! +-------------------------------+-------------------------------+
//! |                 Prefix (4 or 16, by subtype AFI)              |
//! +---------------+---------------+-------------------------------+
//! | Prefix Len (1)|  Status (1)   |   Originated Time (4) ...
//! +---------------+---------------+-------------------------------+
//! |                 Peer IP Address (4 or 16)                     |
//! +-------------------------------+-------------------------------+
//! |           Peer AS (2)         |      Attribute Length (2)     |
//! +-------------------------------+-------------------------------+
//! |                   BGP Attributes (variable)                   |
//! +---------------------------------------------------------------+
//! ```

use crate::reader::read_ip;
use peerd_wire::attr::{decode_attributes, Attribute, MpReachLayout};
use peerd_wire::reader::Reader;
use peerd_wire::{AttrError, DecodeContext, Prefix};
use std::net::IpAddr;

/// One legacy TABLE_DUMP entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDump {
    /// View number.
    pub view: u16,
    /// Sequence number.
    pub sequence: u16,
    /// The prefix address exactly as written (host bits are not cleared, so
    /// tools can show what the file says).
    pub prefix_addr: IpAddr,
    /// The prefix length.
    pub prefix_len: u8,
    /// Status octet (unused, normally 1).
    pub status: u8,
    /// When the route was received.
    pub originated: u32,
    /// Peer address.
    pub peer_ip: IpAddr,
    /// Peer AS.
    pub peer_as: u32,
    /// 4-octet AS numbers (the non-standard subtypes 3 and 4 some tools write).
    pub as4: bool,
    /// Path attributes (2-octet AS numbers).
    pub attributes: Vec<Attribute>,
    /// Malformed attributes.
    pub errors: Vec<AttrError>,
}

/// The attribute context of legacy TABLE_DUMP entries.
pub(crate) const CTX: DecodeContext = DecodeContext::LEGACY;

impl TableDump {
    /// The prefix with host bits cleared, if its length is valid.
    pub fn prefix(&self) -> Option<Prefix> {
        Prefix::new(self.prefix_addr, self.prefix_len)
    }

    pub(crate) fn decode(subtype: u16, body: &[u8]) -> Result<TableDump, &'static str> {
        let (v6, as4) = match subtype {
            1 => (false, false),
            2 => (true, false),
            3 => (false, true),
            4 => (true, true),
            _ => return Err("unknown TABLE_DUMP subtype"),
        };
        let mut r = Reader::new(body);
        let short = "record shorter than its fields";
        let view = r.u16().ok_or(short)?;
        let sequence = r.u16().ok_or(short)?;
        let prefix_addr = read_ip(&mut r, v6).ok_or(short)?;
        let prefix_len = r.u8().ok_or(short)?;
        if prefix_len > if v6 { 128 } else { 32 } {
            return Err("prefix length longer than the address");
        }
        let status = r.u8().ok_or(short)?;
        let originated = r.u32().ok_or(short)?;
        let peer_ip = read_ip(&mut r, v6).ok_or(short)?;
        let peer_as = if as4 { r.u32() } else { r.u16().map(u32::from) }.ok_or(short)?;
        let alen = r.u16().ok_or(short)?;
        let abuf = r
            .take(usize::from(alen))
            .ok_or("attribute length runs past the record")?;
        let ctx = if as4 { DecodeContext::MODERN } else { CTX };
        let list = decode_attributes(abuf, &ctx, MpReachLayout::MrtRibEntry);
        Ok(TableDump {
            view,
            sequence,
            prefix_addr,
            prefix_len,
            status,
            originated,
            peer_ip,
            peer_as,
            as4,
            attributes: list.attributes,
            errors: list.errors,
        })
    }
}
