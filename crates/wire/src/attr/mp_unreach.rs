//! MP_UNREACH_NLRI (type 15, optional non-transitive; RFC 4760 §4).
//!
//! ```text
//! +---------------------------------------------------------+
//! | Address Family Identifier (2 octets)                    |
//! | Subsequent Address Family Identifier (1 octet)          |
//! | Withdrawn Routes (variable)                             |
//! +---------------------------------------------------------+
//! ```
//!
//! An MP_UNREACH_NLRI with no withdrawn routes is the End-of-RIB marker for
//! its family (RFC 4724 §2).

use super::mp_reach::MpNlri;
use super::Fault;
use crate::afi::Family;
use crate::context::DecodeContext;
use crate::reader::Reader;

/// MP_UNREACH_NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MpUnreach {
    /// The family of the withdrawn NLRI.
    pub family: Family,
    /// The withdrawn NLRI.
    pub nlri: MpNlri,
}

impl MpUnreach {
    pub(crate) fn decode(
        value: &[u8],
        ctx: &DecodeContext,
    ) -> Result<MpUnreach, (Fault, Option<Family>)> {
        let mut r = Reader::new(value);
        let (Some(afi), Some(safi)) = (r.u16(), r.u8()) else {
            return Err((Fault::LENGTH, None));
        };
        let family = Family::new(afi, safi);
        let nlri = MpNlri::decode(r.rest(), family, ctx).map_err(|f| (f, Some(family)))?;
        Ok(MpUnreach { family, nlri })
    }

    /// Appends the value (without the attribute header).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.family.afi.to_u16().to_be_bytes());
        out.push(self.family.safi.to_u8());
        self.nlri.encode(out);
    }
}
