//! AIGP, the accumulated IGP metric (type 26, optional non-transitive; RFC 7311).
//!
//! ```text
//! +-----------+---------------------+------------------------+
//! | Type (1)  | Length (2, incl. 3) | Value (Length - 3)     | ...
//! +-----------+---------------------+------------------------+
//! ```
//!
//! TLV type 1 carries the 8-octet metric. A TLV whose length is below three or
//! overruns the attribute, or a type-1 TLV whose value is not 8 octets, makes
//! the attribute malformed; it is discarded (see [`super::action_for`]).

use super::Fault;
use crate::reader::Reader;

/// One AIGP TLV.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AigpTlv {
    /// TLV type (1 is the AIGP metric).
    pub tlv_type: u8,
    /// TLV value.
    pub value: Vec<u8>,
}

impl AigpTlv {
    /// The accumulated metric, for a type-1 TLV.
    pub fn metric(&self) -> Option<u64> {
        if self.tlv_type != 1 {
            return None;
        }
        let b: [u8; 8] = self.value.as_slice().try_into().ok()?;
        Some(u64::from_be_bytes(b))
    }
}

pub(crate) fn decode(value: &[u8]) -> Result<Vec<AigpTlv>, Fault> {
    let mut r = Reader::new(value);
    let mut out = Vec::new();
    while !r.is_empty() {
        let tlv_type = r.u8().ok_or(Fault::OPTIONAL)?;
        let len = r.u16().ok_or(Fault::OPTIONAL)?;
        let vlen = usize::from(len).checked_sub(3).ok_or(Fault::OPTIONAL)?;
        let v = r.take(vlen).ok_or(Fault::OPTIONAL)?;
        if tlv_type == 1 && vlen != 8 {
            return Err(Fault::OPTIONAL);
        }
        out.push(AigpTlv {
            tlv_type,
            value: v.to_vec(),
        });
    }
    if out.is_empty() {
        return Err(Fault::OPTIONAL);
    }
    Ok(out)
}

pub(crate) fn encode(list: &[AigpTlv], out: &mut Vec<u8>) {
    for t in list {
        out.push(t.tlv_type);
        let len = u16::try_from(t.value.len() + 3).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&t.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_round_trip() {
        let bytes = [1, 0, 11, 0, 0, 0, 0, 0, 0, 0, 100];
        let t = decode(&bytes).unwrap();
        assert_eq!(t[0].metric(), Some(100));
        let mut out = Vec::new();
        encode(&t, &mut out);
        assert_eq!(out, bytes);
    }

    #[test]
    fn bad_tlv_length_is_malformed() {
        assert!(decode(&[1, 0, 2]).is_err());
        assert!(decode(&[1, 0, 10, 0, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(decode(&[1, 0, 20, 0]).is_err());
    }
}
