//! ROUTE-REFRESH (RFC 2918 §3) with the Enhanced Route Refresh subtypes
//! (RFC 7313 §3).
//!
//! ```text
//!  0       7      15      23      31
//! +-------+-------+-------+-------+
//! |      AFI      | Subtype | SAFI|
//! +-------+-------+-------+-------+
//! subtype: 0 normal request, 1 BoRR, 2 EoRR
//! ```
//!
//! A ROUTE-REFRESH longer than 23 octets carries ORF entries (RFC 5291); they
//! are kept as bytes. With enhanced route refresh negotiated, any length other
//! than 23 is an error 7/1 (RFC 7313 §5), which [`RouteRefresh::check_enhanced`]
//! reports.

use crate::afi::Family;
use crate::error::{code, subcode, DecodeError, Reason};

/// The ROUTE-REFRESH subtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteRefreshSubtype {
    /// A request to re-send the Adj-RIB-Out (0).
    Request,
    /// Beginning of Route Refresh (1).
    BeginOfRib,
    /// End of Route Refresh (2).
    EndOfRib,
    /// Reserved values, to be ignored on receipt (RFC 7313 §5).
    Reserved(u8),
}

impl RouteRefreshSubtype {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => RouteRefreshSubtype::Request,
            1 => RouteRefreshSubtype::BeginOfRib,
            2 => RouteRefreshSubtype::EndOfRib,
            v => RouteRefreshSubtype::Reserved(v),
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            RouteRefreshSubtype::Request => 0,
            RouteRefreshSubtype::BeginOfRib => 1,
            RouteRefreshSubtype::EndOfRib => 2,
            RouteRefreshSubtype::Reserved(v) => v,
        }
    }
}

/// A ROUTE-REFRESH message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteRefresh {
    /// The family.
    pub family: Family,
    /// The subtype.
    pub subtype: RouteRefreshSubtype,
    /// ORF entries (RFC 5291), kept as bytes.
    pub orf: Vec<u8>,
}

impl RouteRefresh {
    /// A plain request for `family`.
    pub fn request(family: Family) -> Self {
        RouteRefresh {
            family,
            subtype: RouteRefreshSubtype::Request,
            orf: Vec::new(),
        }
    }

    /// Decodes the body (after the header; framing guarantees four octets).
    pub fn decode(body: &[u8]) -> Result<RouteRefresh, DecodeError> {
        match body {
            [a0, a1, st, safi, orf @ ..] => Ok(RouteRefresh {
                family: Family::new(u16::from_be_bytes([*a0, *a1]), *safi),
                subtype: RouteRefreshSubtype::from_u8(*st),
                orf: orf.to_vec(),
            }),
            _ => Err(Self::length_error(body.len())),
        }
    }

    /// With enhanced route refresh negotiated, a message with ORF bytes is
    /// malformed (RFC 7313 §5: 7/1 with the message as data).
    pub fn check_enhanced(&self) -> Result<(), DecodeError> {
        if self.orf.is_empty() {
            Ok(())
        } else {
            let mut data = Vec::new();
            self.encode_body(&mut data);
            Err(Self::length_error(data.len()).with_data(data))
        }
    }

    fn length_error(_len: usize) -> DecodeError {
        DecodeError::new(
            code::ROUTE_REFRESH,
            subcode::route_refresh::INVALID_MESSAGE_LENGTH,
            Reason::BadLength,
        )
    }

    /// Appends the body.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.family.afi.to_u16().to_be_bytes());
        out.push(self.subtype.to_u8());
        out.push(self.family.safi.to_u8());
        out.extend_from_slice(&self.orf);
    }
}
