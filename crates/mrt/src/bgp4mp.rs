//! BGP4MP and BGP4MP_ET (types 16 and 17, RFC 6396 §4.4; ADD-PATH subtypes
//! RFC 8050 §4.2).
//!
//! ```text
//! +-------------------------------+-------------------------------+
//! |   Peer AS (2, or 4 in _AS4)   |   Local AS (2, or 4 in _AS4)  |
//! +-------------------------------+-------------------------------+
//! |        Interface Index (2)    |      Address Family (2)       |
//! +-------------------------------+-------------------------------+
//! |            Peer IP Address (4 or 16, by Address Family)       |
//! |            Local IP Address (4 or 16)                         |
//! +---------------------------------------------------------------+
//! | MESSAGE: the BGP message, header included                     |
//! | STATE_CHANGE: Old State (2) | New State (2)                   |
//! +---------------------------------------------------------------+
//! ```
//!
//! Subtypes: 0 STATE_CHANGE, 1 MESSAGE, 4 MESSAGE_AS4, 5 STATE_CHANGE_AS4,
//! 6 MESSAGE_LOCAL, 7 MESSAGE_AS4_LOCAL, 8-11 the _ADDPATH forms of 1, 4, 6, 7.

use crate::reader::{read_ip, write_ip};
use peerd_wire::reader::Reader;
use peerd_wire::{DecodeContext, DecodeError, FamilySet, Message};
use std::net::IpAddr;

/// BGP4MP subtypes.
pub(crate) mod subtype {
    pub const STATE_CHANGE: u16 = 0;
    pub const MESSAGE: u16 = 1;
    pub const MESSAGE_AS4: u16 = 4;
    pub const STATE_CHANGE_AS4: u16 = 5;
    pub const MESSAGE_LOCAL: u16 = 6;
    pub const MESSAGE_AS4_LOCAL: u16 = 7;
    pub const MESSAGE_ADDPATH: u16 = 8;
    pub const MESSAGE_AS4_ADDPATH: u16 = 9;
    pub const MESSAGE_LOCAL_ADDPATH: u16 = 10;
    pub const MESSAGE_AS4_LOCAL_ADDPATH: u16 = 11;
}

/// A BGP message as seen by the collector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bgp4mpMessage {
    /// The peer's AS.
    pub peer_as: u32,
    /// The collector's AS.
    pub local_as: u32,
    /// Interface index.
    pub ifindex: u16,
    /// The address family of the two addresses (1 IPv4, 2 IPv6).
    pub afi: u16,
    /// The peer's address.
    pub peer_ip: IpAddr,
    /// The collector's address.
    pub local_ip: IpAddr,
    /// 4-octet AS fields and AS_PATH (the _AS4 subtypes).
    pub as4: bool,
    /// Sent by the collector rather than received (the _LOCAL subtypes).
    pub local: bool,
    /// NLRI carry path identifiers (the _ADDPATH subtypes).
    pub add_path: bool,
    /// The message bytes as captured, header included.
    pub raw: Vec<u8>,
    /// The decoded message, or why it did not decode.
    pub message: Result<Message, DecodeError>,
}

/// A session state change seen by the collector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// The peer's AS.
    pub peer_as: u32,
    /// The collector's AS.
    pub local_as: u32,
    /// Interface index.
    pub ifindex: u16,
    /// The address family of the two addresses.
    pub afi: u16,
    /// The peer's address.
    pub peer_ip: IpAddr,
    /// The collector's address.
    pub local_ip: IpAddr,
    /// 4-octet AS fields (STATE_CHANGE_AS4).
    pub as4: bool,
    /// Old FSM state (RFC 6396 §4.4.1: 1 Idle … 6 Established).
    pub old_state: u16,
    /// New FSM state.
    pub new_state: u16,
}

/// The two ends of a BGP session as a BGP4MP record names them, for
/// writing what a speaker receives as it comes ([`crate::MrtWriter::write_received`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The peer's AS.
    pub peer_as: u32,
    /// Our AS.
    pub local_as: u32,
    /// The peer's address.
    pub peer_ip: IpAddr,
    /// Our address.
    pub local_ip: IpAddr,
    /// The session uses 4-octet AS numbers (RFC 6793): the _AS4 subtypes.
    pub as4: bool,
    /// NLRI carry path identifiers (RFC 7911): the _ADDPATH subtypes (RFC 8050).
    pub add_path: bool,
}

impl Session {
    /// The subtype of a received message on this session.
    pub(crate) fn subtype(&self) -> u16 {
        match (self.as4, self.add_path) {
            (false, false) => subtype::MESSAGE,
            (true, false) => subtype::MESSAGE_AS4,
            (false, true) => subtype::MESSAGE_ADDPATH,
            (true, true) => subtype::MESSAGE_AS4_ADDPATH,
        }
    }

    /// The body of a BGP4MP record of `raw` received on this session. Two
    /// addresses of different families are written as IPv6 (the IPv4 one
    /// mapped); an AS above 65535 in a 2-octet field is AS_TRANS.
    pub(crate) fn encode(&self, raw: &[u8], out: &mut Vec<u8>) {
        let v6 = |a: IpAddr| match a {
            IpAddr::V4(v4) => IpAddr::V6(v4.to_ipv6_mapped()),
            a => a,
        };
        let (peer_ip, local_ip) = match (self.peer_ip, self.local_ip) {
            (p @ IpAddr::V4(_), l @ IpAddr::V4(_)) => (p, l),
            (p, l) => (v6(p), v6(l)),
        };
        let trans = |a: u32| if self.as4 || a <= 0xffff { a } else { 23456 };
        let c = Common {
            peer_as: trans(self.peer_as),
            local_as: trans(self.local_as),
            ifindex: 0,
            afi: if peer_ip.is_ipv4() { 1 } else { 2 },
            peer_ip,
            local_ip,
        };
        write_common(out, &c, self.as4);
        out.extend_from_slice(raw);
    }
}

struct Common {
    peer_as: u32,
    local_as: u32,
    ifindex: u16,
    afi: u16,
    peer_ip: IpAddr,
    local_ip: IpAddr,
}

fn common<'a>(
    body: &'a [u8],
    as4: bool,
    zebra_open: bool,
) -> Result<(Common, Reader<'a>), &'static str> {
    let short = "BGP4MP record shorter than its fields";
    let mut r = Reader::new(body);
    let (peer_as, local_as) = if as4 {
        (r.u32().ok_or(short)?, r.u32().ok_or(short)?)
    } else {
        (
            u32::from(r.u16().ok_or(short)?),
            u32::from(r.u16().ok_or(short)?),
        )
    };
    let at_ifindex = r.clone();
    let ifindex = r.u16().ok_or(short)?;
    let afi = r.u16().ok_or(short)?;
    if zebra_open && ifindex == 0xffff && afi == 0xffff {
        // Old Zebra wrote OPEN messages without interface index, address
        // family or addresses: the 0xffff pair is the start of the marker.
        let unspecified = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
        let c = Common {
            peer_as,
            local_as,
            ifindex: 0,
            afi: 1,
            peer_ip: unspecified,
            local_ip: unspecified,
        };
        return Ok((c, at_ifindex));
    }
    let v6 = match afi {
        1 => false,
        2 => true,
        _ => return Err("unsupported address family"),
    };
    let peer_ip = read_ip(&mut r, v6).ok_or(short)?;
    let local_ip = read_ip(&mut r, v6).ok_or(short)?;
    Ok((
        Common {
            peer_as,
            local_as,
            ifindex,
            afi,
            peer_ip,
            local_ip,
        },
        r,
    ))
}

fn write_common(out: &mut Vec<u8>, c: &Common, as4: bool) {
    if as4 {
        out.extend_from_slice(&c.peer_as.to_be_bytes());
        out.extend_from_slice(&c.local_as.to_be_bytes());
    } else {
        out.extend_from_slice(&(c.peer_as as u16).to_be_bytes());
        out.extend_from_slice(&(c.local_as as u16).to_be_bytes());
    }
    out.extend_from_slice(&c.ifindex.to_be_bytes());
    out.extend_from_slice(&c.afi.to_be_bytes());
    write_ip(out, c.peer_ip);
    write_ip(out, c.local_ip);
}

impl Bgp4mpMessage {
    /// Whether a BGP4MP subtype is a MESSAGE variant.
    pub(crate) fn is_message(st: u16) -> bool {
        matches!(st, 1 | 4 | 6..=11)
    }

    /// The decode context the message was captured under.
    pub fn context(&self) -> DecodeContext {
        DecodeContext {
            four_octet_as: self.as4,
            add_path: if self.add_path {
                FamilySet::ALL
            } else {
                FamilySet::EMPTY
            },
            // Collectors record whatever the session carried.
            extended_message: true,
        }
    }

    /// The subtype this message is written with.
    pub fn subtype(&self) -> u16 {
        use subtype as s;
        match (self.as4, self.local, self.add_path) {
            (false, false, false) => s::MESSAGE,
            (true, false, false) => s::MESSAGE_AS4,
            (false, true, false) => s::MESSAGE_LOCAL,
            (true, true, false) => s::MESSAGE_AS4_LOCAL,
            (false, false, true) => s::MESSAGE_ADDPATH,
            (true, false, true) => s::MESSAGE_AS4_ADDPATH,
            (false, true, true) => s::MESSAGE_LOCAL_ADDPATH,
            (true, true, true) => s::MESSAGE_AS4_LOCAL_ADDPATH,
        }
    }

    pub(crate) fn decode(st: u16, body: &[u8]) -> Result<Bgp4mpMessage, &'static str> {
        use subtype as s;
        let as4 = matches!(
            st,
            s::MESSAGE_AS4
                | s::MESSAGE_AS4_LOCAL
                | s::MESSAGE_AS4_ADDPATH
                | s::MESSAGE_AS4_LOCAL_ADDPATH
        );
        let local = matches!(
            st,
            s::MESSAGE_LOCAL
                | s::MESSAGE_AS4_LOCAL
                | s::MESSAGE_LOCAL_ADDPATH
                | s::MESSAGE_AS4_LOCAL_ADDPATH
        );
        let add_path = (s::MESSAGE_ADDPATH..=s::MESSAGE_AS4_LOCAL_ADDPATH).contains(&st);
        let (c, r) = common(body, as4, true)?;
        let raw = r.rest().to_vec();
        let mut m = Bgp4mpMessage {
            peer_as: c.peer_as,
            local_as: c.local_as,
            ifindex: c.ifindex,
            afi: c.afi,
            peer_ip: c.peer_ip,
            local_ip: c.local_ip,
            as4,
            local,
            add_path,
            raw,
            message: Ok(Message::Keepalive),
        };
        m.message = Message::decode(&m.raw, &m.context());
        Ok(m)
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let c = Common {
            peer_as: self.peer_as,
            local_as: self.local_as,
            ifindex: self.ifindex,
            afi: self.afi,
            peer_ip: self.peer_ip,
            local_ip: self.local_ip,
        };
        write_common(out, &c, self.as4);
        out.extend_from_slice(&self.raw);
    }
}

impl StateChange {
    pub(crate) fn decode(st: u16, body: &[u8]) -> Result<StateChange, &'static str> {
        let as4 = st == subtype::STATE_CHANGE_AS4;
        if !as4 && body.len() == 8 {
            // Old Zebra wrote 8-octet state changes: the two AS numbers and
            // the two states, nothing else.
            let mut r = Reader::new(body);
            let short = "STATE_CHANGE shorter than its fields";
            let unspecified = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
            return Ok(StateChange {
                peer_as: u32::from(r.u16().ok_or(short)?),
                local_as: u32::from(r.u16().ok_or(short)?),
                ifindex: 0,
                afi: 1,
                peer_ip: unspecified,
                local_ip: unspecified,
                as4,
                old_state: r.u16().ok_or(short)?,
                new_state: r.u16().ok_or(short)?,
            });
        }
        let (c, mut r) = common(body, as4, false)?;
        let short = "STATE_CHANGE shorter than its fields";
        let old_state = r.u16().ok_or(short)?;
        let new_state = r.u16().ok_or(short)?;
        Ok(StateChange {
            peer_as: c.peer_as,
            local_as: c.local_as,
            ifindex: c.ifindex,
            afi: c.afi,
            peer_ip: c.peer_ip,
            local_ip: c.local_ip,
            as4,
            old_state,
            new_state,
        })
    }

    /// The subtype this state change is written with.
    pub fn subtype(&self) -> u16 {
        if self.as4 {
            subtype::STATE_CHANGE_AS4
        } else {
            subtype::STATE_CHANGE
        }
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let c = Common {
            peer_as: self.peer_as,
            local_as: self.local_as,
            ifindex: self.ifindex,
            afi: self.afi,
            peer_ip: self.peer_ip,
            local_ip: self.local_ip,
        };
        write_common(out, &c, self.as4);
        out.extend_from_slice(&self.old_state.to_be_bytes());
        out.extend_from_slice(&self.new_state.to_be_bytes());
    }
}
