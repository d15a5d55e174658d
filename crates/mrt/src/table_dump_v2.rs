//! TABLE_DUMP_V2 (type 13, RFC 6396 §4.3; ADD-PATH subtypes RFC 8050 §4.1).
//!
//! PEER_INDEX_TABLE (subtype 1):
//! ```text
//! | Collector BGP ID (4) | View Name Length (2) | View Name | Peer Count (2) |
//! then per peer: | Peer Type (1) | Peer BGP ID (4) | Peer IP (4/16) | Peer AS (2/4) |
//! peer type bit 0: IPv6 address, bit 1: 4-octet AS
//! ```
//!
//! RIB_AFI_SAFI (subtypes 2-5, and 8-11 with ADD-PATH):
//! ```text
//! | Sequence (4) | Prefix Length (1) | Prefix (variable) | Entry Count (2) |
//! then per entry: | Peer Index (2) | Originated Time (4) | [Path Id (4)] |
//!                 | Attribute Length (2) | BGP Attributes |
//! ```
//! Attributes in RIB entries always use 4-octet AS numbers, and MP_REACH_NLRI
//! is abbreviated to the next hop (RFC 6396 §4.3.4).

use crate::reader::{read_ip, write_ip};
use peerd_wire::attr::{decode_attributes, Attribute, MpReachLayout};
use peerd_wire::reader::Reader;
use peerd_wire::{AttrError, DecodeContext, Family, Prefix};
use std::net::{IpAddr, Ipv4Addr};

/// TABLE_DUMP_V2 subtypes.
pub(crate) mod subtype {
    pub const PEER_INDEX_TABLE: u16 = 1;
    pub const RIB_IPV4_UNICAST: u16 = 2;
    pub const RIB_IPV4_MULTICAST: u16 = 3;
    pub const RIB_IPV6_UNICAST: u16 = 4;
    pub const RIB_IPV6_MULTICAST: u16 = 5;
    pub const RIB_GENERIC: u16 = 6;
    pub const RIB_IPV4_UNICAST_ADDPATH: u16 = 8;
    pub const RIB_IPV4_MULTICAST_ADDPATH: u16 = 9;
    pub const RIB_IPV6_UNICAST_ADDPATH: u16 = 10;
    pub const RIB_IPV6_MULTICAST_ADDPATH: u16 = 11;
    pub const RIB_GENERIC_ADDPATH: u16 = 12;
}

/// The attribute context of RIB entries: 4-octet AS, no path ids in attributes.
pub(crate) const CTX: DecodeContext = DecodeContext::MODERN;

/// One peer of a PEER_INDEX_TABLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    /// The peer's BGP identifier.
    pub bgp_id: Ipv4Addr,
    /// The peer's address.
    pub ip: IpAddr,
    /// The peer's AS.
    pub asn: u32,
    /// Whether the AS was written in 4 octets.
    pub as4: bool,
}

/// PEER_INDEX_TABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIndexTable {
    /// The collector's BGP identifier.
    pub collector_id: Ipv4Addr,
    /// The view name octets (normally empty or ASCII).
    pub view_name: Vec<u8>,
    /// The peers; RIB entries refer to them by index.
    pub peers: Vec<Peer>,
}

impl PeerIndexTable {
    pub(crate) fn decode(body: &[u8]) -> Result<PeerIndexTable, &'static str> {
        let short = "PEER_INDEX_TABLE shorter than its fields";
        let mut r = Reader::new(body);
        let collector_id = Ipv4Addr::from(r.array::<4>().ok_or(short)?);
        let nlen = r.u16().ok_or(short)?;
        let view_name = r.take(usize::from(nlen)).ok_or(short)?.to_vec();
        let count = r.u16().ok_or(short)?;
        let mut peers = Vec::with_capacity(usize::from(count).min(r.remaining() / 7));
        for _ in 0..count {
            let t = r.u8().ok_or(short)?;
            let bgp_id = Ipv4Addr::from(r.array::<4>().ok_or(short)?);
            let ip = read_ip(&mut r, t & 1 != 0).ok_or(short)?;
            let as4 = t & 2 != 0;
            let asn = if as4 { r.u32() } else { r.u16().map(u32::from) }.ok_or(short)?;
            peers.push(Peer {
                bgp_id,
                ip,
                asn,
                as4,
            });
        }
        Ok(PeerIndexTable {
            collector_id,
            view_name,
            peers,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.collector_id.octets());
        out.extend_from_slice(&(self.view_name.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.view_name);
        out.extend_from_slice(&(self.peers.len() as u16).to_be_bytes());
        for p in &self.peers {
            let t = u8::from(p.ip.is_ipv6()) | if p.as4 { 2 } else { 0 };
            out.push(t);
            out.extend_from_slice(&p.bgp_id.octets());
            write_ip(out, p.ip);
            if p.as4 {
                out.extend_from_slice(&p.asn.to_be_bytes());
            } else {
                out.extend_from_slice(&(p.asn as u16).to_be_bytes());
            }
        }
    }
}

/// One RIB entry: a path from one peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RibEntry {
    /// Index into the PEER_INDEX_TABLE.
    pub peer_index: u16,
    /// When the route was received.
    pub originated: u32,
    /// RFC 8050 path identifier, for ADDPATH subtypes.
    pub path_id: Option<u32>,
    /// Path attributes (4-octet AS numbers; MP_REACH_NLRI abbreviated).
    pub attributes: Vec<Attribute>,
    /// Malformed attributes.
    pub errors: Vec<AttrError>,
}

/// The RIB entries for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rib {
    /// The family, from the subtype.
    pub family: Family,
    /// Whether this is an RFC 8050 ADDPATH subtype.
    pub add_path: bool,
    /// Sequence number.
    pub sequence: u32,
    /// The prefix.
    pub prefix: Prefix,
    /// The entries.
    pub entries: Vec<RibEntry>,
}

impl Rib {
    pub(crate) fn family_of(st: u16) -> Option<(Family, bool)> {
        use subtype as s;
        Some(match st {
            s::RIB_IPV4_UNICAST => (Family::IPV4_UNICAST, false),
            s::RIB_IPV4_MULTICAST => (Family::IPV4_MULTICAST, false),
            s::RIB_IPV6_UNICAST => (Family::IPV6_UNICAST, false),
            s::RIB_IPV6_MULTICAST => (Family::IPV6_MULTICAST, false),
            s::RIB_IPV4_UNICAST_ADDPATH => (Family::IPV4_UNICAST, true),
            s::RIB_IPV4_MULTICAST_ADDPATH => (Family::IPV4_MULTICAST, true),
            s::RIB_IPV6_UNICAST_ADDPATH => (Family::IPV6_UNICAST, true),
            s::RIB_IPV6_MULTICAST_ADDPATH => (Family::IPV6_MULTICAST, true),
            _ => return None,
        })
    }

    /// The subtype this RIB is written with.
    pub fn subtype(&self) -> u16 {
        use peerd_wire::{Afi, Safi};
        use subtype as s;
        match (self.family.afi, self.family.safi, self.add_path) {
            (Afi::Ipv4, Safi::Multicast, false) => s::RIB_IPV4_MULTICAST,
            (Afi::Ipv6, Safi::Unicast, false) => s::RIB_IPV6_UNICAST,
            (Afi::Ipv6, Safi::Multicast, false) => s::RIB_IPV6_MULTICAST,
            (Afi::Ipv4, Safi::Multicast, true) => s::RIB_IPV4_MULTICAST_ADDPATH,
            (Afi::Ipv6, Safi::Unicast, true) => s::RIB_IPV6_UNICAST_ADDPATH,
            (Afi::Ipv6, Safi::Multicast, true) => s::RIB_IPV6_MULTICAST_ADDPATH,
            (_, _, true) => s::RIB_IPV4_UNICAST_ADDPATH,
            _ => s::RIB_IPV4_UNICAST,
        }
    }

    pub(crate) fn decode(st: u16, body: &[u8]) -> Result<Rib, &'static str> {
        let (family, add_path) = Self::family_of(st).ok_or("unknown RIB subtype")?;
        let short = "RIB record shorter than its fields";
        let mut r = Reader::new(body);
        let sequence = r.u32().ok_or(short)?;
        let prefix = peerd_wire::prefix::read_one(&mut r, family.afi)
            .ok_or("prefix truncated or longer than the address")?;
        let count = r.u16().ok_or(short)?;
        let mut entries = Vec::with_capacity(usize::from(count).min(r.remaining() / 8));
        for _ in 0..count {
            let peer_index = r.u16().ok_or(short)?;
            let originated = r.u32().ok_or(short)?;
            let path_id = if add_path {
                Some(r.u32().ok_or(short)?)
            } else {
                None
            };
            let alen = r.u16().ok_or(short)?;
            let abuf = r
                .take(usize::from(alen))
                .ok_or("attribute length runs past the record")?;
            let list = decode_attributes(abuf, &CTX, MpReachLayout::MrtRibEntry);
            entries.push(RibEntry {
                peer_index,
                originated,
                path_id,
                attributes: list.attributes,
                errors: list.errors,
            });
        }
        Ok(Rib {
            family,
            add_path,
            sequence,
            prefix,
            entries,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.sequence.to_be_bytes());
        self.prefix.encode(out);
        out.extend_from_slice(&(self.entries.len() as u16).to_be_bytes());
        for e in &self.entries {
            out.extend_from_slice(&e.peer_index.to_be_bytes());
            out.extend_from_slice(&e.originated.to_be_bytes());
            if self.add_path {
                out.extend_from_slice(&e.path_id.unwrap_or(0).to_be_bytes());
            }
            let at = out.len();
            out.extend_from_slice(&[0, 0]);
            for a in &e.attributes {
                a.encode(out, &CTX);
            }
            let len = (out.len() - at - 2) as u16;
            out[at..at + 2].copy_from_slice(&len.to_be_bytes());
        }
    }
}

/// RIB_GENERIC(_ADDPATH) (RFC 6396 §4.3.3), kept opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RibGeneric {
    /// Whether this is RIB_GENERIC_ADDPATH.
    pub add_path: bool,
    /// Sequence number.
    pub sequence: u32,
    /// The family.
    pub family: Family,
    /// Everything after the AFI/SAFI: NLRI and entries, undecoded.
    pub rest: Vec<u8>,
}

impl RibGeneric {
    pub(crate) fn decode(st: u16, body: &[u8]) -> Result<RibGeneric, &'static str> {
        let mut r = Reader::new(body);
        let short = "RIB_GENERIC shorter than its fields";
        let sequence = r.u32().ok_or(short)?;
        let afi = r.u16().ok_or(short)?;
        let safi = r.u8().ok_or(short)?;
        Ok(RibGeneric {
            add_path: st == subtype::RIB_GENERIC_ADDPATH,
            sequence,
            family: Family::new(afi, safi),
            rest: r.rest().to_vec(),
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.family.afi.to_u16().to_be_bytes());
        out.push(self.family.safi.to_u8());
        out.extend_from_slice(&self.rest);
    }
}
