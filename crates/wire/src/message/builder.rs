//! UPDATE packing: all NLRI sharing one attribute set go into as few messages
//! as fit the negotiated maximum size (RFC 4271 §4.3, RFC 8654).
//!
//! IPv4 unicast with an IPv4 next hop uses the classic NLRI field. Every other
//! family (and IPv4 with an IPv6 next hop, RFC 8950) goes in MP_REACH_NLRI,
//! which is put first in the attribute list as RFC 7606 §5.1 recommends and
//! rebuilt for each message. Withdrawals use the classic withdrawn-routes
//! field or MP_UNREACH_NLRI the same way.

use super::update::Update;
use crate::afi::Family;
use crate::attr::{flags, type_code, Attribute, MpNlri, MpUnreach, NextHop};
use crate::context::EncodeContext;
use crate::header::{write_header, MessageType, HEADER_LEN};
use crate::prefix::Nlri;
use std::fmt;

/// Why an UPDATE could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// The attributes alone (with one prefix) exceed the maximum message size.
    AttributesTooLarge,
    /// MP_REACH_NLRI or MP_UNREACH_NLRI was passed in the attribute set; the
    /// builder makes those itself.
    MpAttributeGiven,
    /// A classic (non-MP) announcement was asked for a family other than IPv4 unicast.
    NeedsNextHop,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BuildError::AttributesTooLarge => "path attributes do not fit in one message",
            BuildError::MpAttributeGiven => "MP_REACH/MP_UNREACH must not be in the attribute set",
            BuildError::NeedsNextHop => "only IPv4 unicast can be announced without an MP next hop",
        })
    }
}

impl std::error::Error for BuildError {}

/// Builds packed UPDATE messages for one session direction.
#[derive(Debug, Clone)]
pub struct UpdateBuilder {
    ctx: EncodeContext,
    max_len: usize,
}

impl UpdateBuilder {
    /// A builder using the context's maximum message size.
    pub fn new(ctx: &EncodeContext) -> Self {
        UpdateBuilder {
            ctx: *ctx,
            max_len: ctx.max_message_len(),
        }
    }

    /// A builder with a smaller maximum size (tests, or peers known to choke).
    pub fn with_max_len(ctx: &EncodeContext, max_len: usize) -> Self {
        UpdateBuilder {
            ctx: *ctx,
            max_len: max_len.min(ctx.max_message_len()),
        }
    }

    /// Announces `nlri` of `family` with one attribute set. With `mp_next_hop`
    /// the routes go in MP_REACH_NLRI; without it the family must be IPv4
    /// unicast and `attributes` should hold NEXT_HOP. Path identifiers are
    /// written when present in `nlri` (the caller passes them only when
    /// ADD-PATH send is negotiated for the family).
    pub fn announce(
        &self,
        family: Family,
        attributes: &[Attribute],
        mp_next_hop: Option<&NextHop>,
        nlri: &[Nlri],
    ) -> Result<Vec<Vec<u8>>, BuildError> {
        if attributes.iter().any(|a| {
            matches!(
                a.type_code(),
                type_code::MP_REACH_NLRI | type_code::MP_UNREACH_NLRI
            )
        }) {
            return Err(BuildError::MpAttributeGiven);
        }
        let mut attrs = Vec::new();
        for a in attributes {
            a.encode(&mut attrs, &self.ctx);
        }
        match mp_next_hop {
            None => {
                if family != Family::IPV4_UNICAST {
                    return Err(BuildError::NeedsNextHop);
                }
                // header, withdrawn length, attribute length, attributes
                let fixed = HEADER_LEN + 2 + 2 + attrs.len();
                self.pack(nlri, fixed, |out, chunk| {
                    out.extend_from_slice(&[0, 0]);
                    out.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
                    out.extend_from_slice(&attrs);
                    for n in chunk {
                        n.encode(out);
                    }
                })
            }
            Some(nh) => {
                let mut mp_head = Vec::new();
                mp_head.extend_from_slice(&family.afi.to_u16().to_be_bytes());
                mp_head.push(family.safi.to_u8());
                let reach = crate::attr::MpReach::new(family, nh.clone(), Vec::new());
                let mut tmp = Vec::new();
                reach.encode(&mut tmp);
                // tmp = afi, safi, nh_len, nh, reserved
                let fixed = HEADER_LEN + 2 + 2 + 4 + tmp.len() + attrs.len();
                self.pack(nlri, fixed, |out, chunk| {
                    let body: usize = chunk.iter().map(Nlri::encoded_len).sum();
                    let mp_len = tmp.len() + body;
                    out.extend_from_slice(&[0, 0]);
                    out.extend_from_slice(&((4 + mp_len + attrs.len()) as u16).to_be_bytes());
                    out.push(flags::OPTIONAL | flags::EXTENDED_LENGTH);
                    out.push(type_code::MP_REACH_NLRI);
                    out.extend_from_slice(&(mp_len as u16).to_be_bytes());
                    out.extend_from_slice(&tmp);
                    for n in chunk {
                        n.encode(out);
                    }
                    out.extend_from_slice(&attrs);
                })
            }
        }
    }

    /// Withdraws `nlri` of `family`.
    pub fn withdraw(&self, family: Family, nlri: &[Nlri]) -> Result<Vec<Vec<u8>>, BuildError> {
        if family == Family::IPV4_UNICAST {
            let fixed = HEADER_LEN + 2 + 2;
            return self.pack(nlri, fixed, |out, chunk| {
                let body: usize = chunk.iter().map(Nlri::encoded_len).sum();
                out.extend_from_slice(&(body as u16).to_be_bytes());
                for n in chunk {
                    n.encode(out);
                }
                out.extend_from_slice(&[0, 0]);
            });
        }
        let fixed = HEADER_LEN + 2 + 2 + 4 + 3;
        self.pack(nlri, fixed, |out, chunk| {
            let body: usize = chunk.iter().map(Nlri::encoded_len).sum();
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&((4 + 3 + body) as u16).to_be_bytes());
            out.push(flags::OPTIONAL | flags::EXTENDED_LENGTH);
            out.push(type_code::MP_UNREACH_NLRI);
            out.extend_from_slice(&((3 + body) as u16).to_be_bytes());
            out.extend_from_slice(&family.afi.to_u16().to_be_bytes());
            out.push(family.safi.to_u8());
            for n in chunk {
                n.encode(out);
            }
        })
    }

    /// The End-of-RIB marker for `family` (RFC 4724 §2).
    pub fn end_of_rib(&self, family: Family) -> Vec<u8> {
        let mut u = Update::default();
        if family != Family::IPV4_UNICAST {
            let unreach = MpUnreach {
                family,
                nlri: MpNlri::Prefixes(Vec::new()),
            };
            u.attributes
                .push(Attribute::new(crate::attr::AttrValue::MpUnreach(Box::new(
                    unreach,
                ))));
        }
        crate::Message::Update(u).encode(&self.ctx)
    }

    /// Splits `nlri` greedily into messages of at most `max_len` octets, where
    /// each message costs `fixed` plus its NLRI. `body` writes everything after
    /// the header for one chunk.
    fn pack(
        &self,
        nlri: &[Nlri],
        fixed: usize,
        body: impl Fn(&mut Vec<u8>, &[Nlri]),
    ) -> Result<Vec<Vec<u8>>, BuildError> {
        let mut out = Vec::new();
        let mut start = 0;
        while start < nlri.len() {
            let mut size = fixed;
            let mut end = start;
            while end < nlri.len() && size + nlri[end].encoded_len() <= self.max_len {
                size += nlri[end].encoded_len();
                end += 1;
            }
            if end == start {
                return Err(BuildError::AttributesTooLarge);
            }
            let mut msg = Vec::with_capacity(size);
            write_header(&mut msg, MessageType::Update, size - HEADER_LEN);
            body(&mut msg, &nlri[start..end]);
            debug_assert_eq!(msg.len(), size);
            out.push(msg);
            start = end;
        }
        Ok(out)
    }
}
