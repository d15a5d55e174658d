//! The deprecated MRTd `BGP` type (5), still found in RIPE RIS archives from
//! 1999-2001 (RFC 6396 Appendix B.2.1 lists it as deprecated).
//!
//! ```text
//! UPDATE, OPEN, NOTIFY, KEEPALIVE (subtypes 1, 5, 6, 7):
//! | Peer AS (2) | Peer IP (4) | Local AS (2) | Local IP (4) | BGP message body (no header) |
//! STATE_CHANGE (subtype 3):
//! | Peer AS (2) | Peer IP (4) | Old State (2) | New State (2) |
//! ```
//!
//! Only IPv4 peers and 2-octet AS numbers exist in this format.

use peerd_wire::reader::Reader;
use peerd_wire::{DecodeContext, DecodeError, Update};
use std::net::Ipv4Addr;

/// Legacy BGP subtypes.
pub(crate) mod subtype {
    pub const UPDATE: u16 = 1;
    pub const STATE_CHANGE: u16 = 3;
    pub const OPEN: u16 = 5;
    pub const NOTIFY: u16 = 6;
    pub const KEEPALIVE: u16 = 7;
}

/// A legacy MRTd BGP record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyBgp {
    /// The subtype (1 UPDATE, 3 STATE_CHANGE, 5 OPEN, 6 NOTIFY, 7 KEEPALIVE).
    pub subtype: u16,
    /// The peer's AS.
    pub peer_as: u32,
    /// The peer's address.
    pub peer_ip: Ipv4Addr,
    /// What the record carries.
    pub payload: LegacyPayload,
}

/// The content of a legacy BGP record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyPayload {
    /// An UPDATE body, decoded with 2-octet AS numbers.
    Update {
        /// The collector's AS.
        local_as: u32,
        /// The collector's address.
        local_ip: Ipv4Addr,
        /// The decoded UPDATE, or why it failed.
        update: Result<Update, DecodeError>,
    },
    /// A state change.
    StateChange {
        /// Old FSM state.
        old_state: u16,
        /// New FSM state.
        new_state: u16,
    },
    /// OPEN, NOTIFY or KEEPALIVE bodies, kept as bytes.
    Other(Vec<u8>),
}

impl LegacyBgp {
    pub(crate) fn decode(st: u16, body: &[u8]) -> Result<LegacyBgp, &'static str> {
        let short = "BGP record shorter than its fields";
        let mut r = Reader::new(body);
        let peer_as = u32::from(r.u16().ok_or(short)?);
        let peer_ip = Ipv4Addr::from(r.array::<4>().ok_or(short)?);
        let payload = match st {
            subtype::STATE_CHANGE => LegacyPayload::StateChange {
                old_state: r.u16().ok_or(short)?,
                new_state: r.u16().ok_or(short)?,
            },
            subtype::UPDATE => {
                let local_as = u32::from(r.u16().ok_or(short)?);
                let local_ip = Ipv4Addr::from(r.array::<4>().ok_or(short)?);
                let ctx = DecodeContext {
                    extended_message: true,
                    ..DecodeContext::LEGACY
                };
                LegacyPayload::Update {
                    local_as,
                    local_ip,
                    update: Update::decode(r.rest(), &ctx),
                }
            }
            subtype::OPEN | subtype::NOTIFY | subtype::KEEPALIVE => {
                LegacyPayload::Other(r.rest().to_vec())
            }
            _ => return Err("unknown BGP subtype"),
        };
        Ok(LegacyBgp {
            subtype: st,
            peer_as,
            peer_ip,
            payload,
        })
    }
}
