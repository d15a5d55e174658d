//! ORIGIN (type 1, well-known mandatory; RFC 4271 §4.3, §5.1.1).
//!
//! One octet: 0 IGP, 1 EGP, 2 INCOMPLETE. Any other value is an Invalid ORIGIN
//! Attribute error (3/6), handled as treat-as-withdraw (RFC 7606 §7.1).

use super::{fixed, Fault};
use crate::error::{subcode, Reason};

/// Where the route came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// Learned from an interior protocol (0).
    Igp,
    /// Learned from EGP (1).
    Egp,
    /// Learned some other way (2).
    Incomplete,
}

impl Origin {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            Origin::Igp => 0,
            Origin::Egp => 1,
            Origin::Incomplete => 2,
        }
    }

    /// The name used by bgpdump and most CLIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Igp => "IGP",
            Origin::Egp => "EGP",
            Origin::Incomplete => "INCOMPLETE",
        }
    }
}

pub(crate) fn decode(value: &[u8]) -> Result<Origin, Fault> {
    let [v] = fixed::<1>(value)?;
    match v {
        0 => Ok(Origin::Igp),
        1 => Ok(Origin::Egp),
        2 => Ok(Origin::Incomplete),
        _ => Err(Fault {
            subcode: subcode::update::INVALID_ORIGIN,
            reason: Reason::BadAttributeValue,
        }),
    }
}
