//! OPEN (RFC 4271 §4.2), with optional parameters (RFC 5492) and the RFC 9072
//! extended optional parameters length.
//!
//! ```text
//! +-+-+-+-+-+-+-+-+
//! |    Version    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     My Autonomous System      |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Hold Time           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         BGP Identifier                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Opt Parm Len  |   (255 and a 255 type: RFC 9072 2-octet form)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |             Optional Parameters (variable)                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The codec checks structure only. Whether the version, AS, hold time or
//! identifier are acceptable is the session's decision (RFC 4271 §6.2).

use crate::capability::Capability;
use crate::error::{code, subcode, DecodeError, Reason};
use crate::reader::Reader;
use std::net::Ipv4Addr;

/// Optional parameter type: Capabilities (RFC 5492).
pub const PARAM_CAPABILITIES: u8 = 2;
/// The RFC 9072 marker type.
const PARAM_EXTENDED: u8 = 255;

/// An optional parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OptParam {
    /// A Capabilities parameter; a speaker may put one or many capabilities in
    /// each, and the grouping is kept so the message round-trips.
    Capabilities(Vec<Capability>),
    /// Any other parameter (the session answers it with 2/4).
    Unknown {
        /// Parameter type.
        param_type: u8,
        /// Parameter value.
        value: Vec<u8>,
    },
}

/// An OPEN message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Open {
    /// Protocol version (4).
    pub version: u8,
    /// My Autonomous System: the 2-octet AS, or AS_TRANS (RFC 6793).
    pub my_as: u16,
    /// Proposed hold time in seconds.
    pub hold_time: u16,
    /// BGP identifier.
    pub bgp_id: Ipv4Addr,
    /// Optional parameters in wire order.
    pub params: Vec<OptParam>,
    /// Whether the RFC 9072 extended length form was used.
    pub extended_params: bool,
}

fn open_error(reason: Reason) -> DecodeError {
    DecodeError::new(code::OPEN_MESSAGE, subcode::open::UNSPECIFIC, reason)
}

impl Open {
    /// An OPEN with one Capabilities parameter holding `caps`.
    pub fn new(asn: u32, hold_time: u16, bgp_id: Ipv4Addr, caps: Vec<Capability>) -> Self {
        let my_as = u16::try_from(asn).unwrap_or(crate::attr::AS_TRANS as u16);
        Open {
            version: 4,
            my_as,
            hold_time,
            bgp_id,
            params: vec![OptParam::Capabilities(caps)],
            extended_params: false,
        }
    }

    /// Every capability, in order, across all parameters.
    pub fn capabilities(&self) -> impl Iterator<Item = &Capability> {
        self.params.iter().flat_map(|p| match p {
            OptParam::Capabilities(c) => c.as_slice(),
            OptParam::Unknown { .. } => &[],
        })
    }

    /// The speaker's real AS: the 4-octet AS capability if present, else My AS.
    pub fn asn(&self) -> u32 {
        self.capabilities()
            .find_map(|c| match c {
                Capability::FourOctetAs(a) => Some(*a),
                _ => None,
            })
            .unwrap_or(u32::from(self.my_as))
    }

    /// Decodes the body (after the 19-octet header).
    pub fn decode(body: &[u8]) -> Result<Open, DecodeError> {
        let mut r = Reader::new(body);
        let (Some(version), Some(my_as), Some(hold_time), Some(id), Some(len1)) =
            (r.u8(), r.u16(), r.u16(), r.array::<4>(), r.u8())
        else {
            return Err(DecodeError::header_length((body.len() + 19) as u16));
        };
        let extended = len1 == 255 && r.rest().first() == Some(&PARAM_EXTENDED);
        let params_len = if extended {
            r.u8();
            usize::from(r.u16().ok_or_else(|| open_error(Reason::Truncated))?)
        } else {
            usize::from(len1)
        };
        if params_len != r.remaining() {
            return Err(open_error(Reason::BadOptionalParameter));
        }
        let mut params = Vec::new();
        while !r.is_empty() {
            let ptype = r.u8().ok_or_else(|| open_error(Reason::Truncated))?;
            let plen = if extended {
                r.u16().map(usize::from)
            } else {
                r.u8().map(usize::from)
            };
            let value = plen
                .and_then(|l| r.take(l))
                .ok_or_else(|| open_error(Reason::BadOptionalParameter))?;
            if ptype == PARAM_CAPABILITIES {
                let mut caps = Vec::new();
                let mut c = Reader::new(value);
                while !c.is_empty() {
                    let code = c.u8().ok_or_else(|| open_error(Reason::BadCapability))?;
                    let clen = c.u8().ok_or_else(|| open_error(Reason::BadCapability))?;
                    let cval = c
                        .take(usize::from(clen))
                        .ok_or_else(|| open_error(Reason::BadCapability))?;
                    caps.push(Capability::decode(code, cval)?);
                }
                params.push(OptParam::Capabilities(caps));
            } else {
                params.push(OptParam::Unknown {
                    param_type: ptype,
                    value: value.to_vec(),
                });
            }
        }
        Ok(Open {
            version,
            my_as,
            hold_time,
            bgp_id: Ipv4Addr::from(id),
            params,
            extended_params: extended,
        })
    }

    /// Appends the body. The RFC 9072 form is used when it was used on receipt
    /// or when the parameters do not fit in 255 octets.
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.push(self.version);
        out.extend_from_slice(&self.my_as.to_be_bytes());
        out.extend_from_slice(&self.hold_time.to_be_bytes());
        out.extend_from_slice(&self.bgp_id.octets());
        let mut short = Vec::new();
        let fits = self.encode_params(&mut short, false);
        if !self.extended_params && fits && short.len() <= 255 {
            out.push(short.len() as u8);
            out.extend_from_slice(&short);
            return;
        }
        let mut long = Vec::new();
        self.encode_params(&mut long, true);
        out.push(255);
        out.push(PARAM_EXTENDED);
        out.extend_from_slice(&(long.len().min(usize::from(u16::MAX)) as u16).to_be_bytes());
        out.extend_from_slice(&long);
    }

    /// Writes the parameters; returns false if one needed a 2-octet length.
    fn encode_params(&self, out: &mut Vec<u8>, extended: bool) -> bool {
        let mut fits = true;
        for p in &self.params {
            let (ptype, value) = match p {
                OptParam::Capabilities(caps) => {
                    let mut v = Vec::new();
                    for c in caps {
                        c.encode(&mut v);
                    }
                    (PARAM_CAPABILITIES, v)
                }
                OptParam::Unknown { param_type, value } => (*param_type, value.clone()),
            };
            out.push(ptype);
            if extended {
                out.extend_from_slice(
                    &(value.len().min(usize::from(u16::MAX)) as u16).to_be_bytes(),
                );
            } else {
                fits &= value.len() <= 255;
                out.push(value.len().min(255) as u8);
            }
            out.extend_from_slice(&value);
        }
        fits
    }
}
