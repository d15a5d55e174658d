//! UPDATE (RFC 4271 §4.3), with RFC 7606 revised error handling.
//!
//! ```text
//! +-----------------------------------------------------+
//! |   Withdrawn Routes Length (2 octets)                |
//! +-----------------------------------------------------+
//! |   Withdrawn Routes (variable)                       |
//! +-----------------------------------------------------+
//! |   Total Path Attribute Length (2 octets)            |
//! +-----------------------------------------------------+
//! |   Path Attributes (variable)                        |
//! +-----------------------------------------------------+
//! |   Network Layer Reachability Information (variable) |
//! +-----------------------------------------------------+
//! ```
//!
//! Decoding returns everything that could be decoded plus the malformed
//! attributes with their RFC 7606 outcome ([`Update::errors`],
//! [`Update::action`]). A malformed prefix in the withdrawn-routes or NLRI
//! field is a session reset (RFC 7606 §5.3), reported as an error with type
//! code 0 after the prefixes that came before it. Only lengths that make the
//! fields impossible to locate are an `Err`.

use crate::afi::{Afi, Family};
use crate::attr::{
    as4_aggregator, as4_path, decode_attributes, type_code, Aggregator, AsPath, AttrValue,
    Attribute, Community, LargeCommunity, MpReach, MpReachLayout, MpUnreach, Origin,
};
use crate::context::DecodeContext;
use crate::error::{code, subcode, AttrAction, AttrError, DecodeError, Reason};
use crate::prefix::{decode_nlri_into, Nlri};
use crate::reader::Reader;
use std::net::Ipv4Addr;

/// An UPDATE message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    /// Withdrawn IPv4 unicast routes (the classic field).
    pub withdrawn: Vec<Nlri>,
    /// Path attributes in wire order, malformed ones left out.
    pub attributes: Vec<Attribute>,
    /// Announced IPv4 unicast routes (the classic field).
    pub nlri: Vec<Nlri>,
    /// Malformed attributes found while decoding, with their RFC 7606
    /// outcome. Always empty on messages built locally; never encoded.
    pub errors: Vec<AttrError>,
}

impl Update {
    /// Decodes the body (after the header).
    pub fn decode(body: &[u8], ctx: &DecodeContext) -> Result<Update, DecodeError> {
        let mut r = Reader::new(body);
        let wlen = r
            .u16()
            .ok_or_else(|| DecodeError::malformed_attr_list(Reason::Truncated))?;
        let wbuf = r
            .take(usize::from(wlen))
            .ok_or_else(|| DecodeError::malformed_attr_list(Reason::Truncated))?;
        let alen = r
            .u16()
            .ok_or_else(|| DecodeError::malformed_attr_list(Reason::Truncated))?;
        let abuf = r
            .take(usize::from(alen))
            .ok_or_else(|| DecodeError::malformed_attr_list(Reason::Truncated))?;
        let nbuf = r.rest();

        let v4 = Family::IPV4_UNICAST;
        let mut errors = Vec::new();
        // RFC 7606 §5.3: a malformed prefix in either field is a session
        // reset. The prefixes before the damage are still returned.
        let mut withdrawn = Vec::new();
        if let Err(e) = decode_nlri_into(wbuf, Afi::Ipv4, ctx.add_path_for(v4), &mut withdrawn) {
            let e = DecodeError::new(
                code::UPDATE_MESSAGE,
                subcode::update::MALFORMED_ATTRIBUTE_LIST,
                e.reason,
            );
            errors.push(AttrError {
                type_code: 0,
                action: AttrAction::SessionReset,
                family: Some(v4),
                error: e,
            });
        }
        let mut nlri = Vec::new();
        if let Err(e) = decode_nlri_into(nbuf, Afi::Ipv4, ctx.add_path_for(v4), &mut nlri) {
            errors.push(AttrError {
                type_code: 0,
                action: AttrAction::SessionReset,
                family: Some(v4),
                error: e,
            });
        }

        let mut list = decode_attributes(abuf, ctx, MpReachLayout::Full);
        errors.append(&mut list.errors);
        let mut u = Update {
            withdrawn,
            attributes: list.attributes,
            nlri,
            errors,
        };
        u.check_mandatory();
        Ok(u)
    }

    /// RFC 7606 §3(d): a missing well-known mandatory attribute on an UPDATE
    /// that announces routes is treat-as-withdraw. NEXT_HOP is only needed for
    /// the classic NLRI field (RFC 4760 §3).
    fn check_mandatory(&mut self) {
        let mp_announces = self.mp_reach().is_some_and(|m| !m.nlri.is_empty());
        if self.nlri.is_empty() && !mp_announces {
            return;
        }
        let mut needed = vec![type_code::ORIGIN, type_code::AS_PATH];
        if !self.nlri.is_empty() {
            needed.push(type_code::NEXT_HOP);
        }
        for t in needed {
            let present = self.attr(t).is_some() || self.errors.iter().any(|e| e.type_code == t);
            if !present {
                self.errors.push(AttrError {
                    type_code: t,
                    action: AttrAction::TreatAsWithdraw,
                    family: None,
                    error: DecodeError::new(
                        code::UPDATE_MESSAGE,
                        subcode::update::MISSING_WELL_KNOWN,
                        Reason::MissingWellKnown,
                    )
                    .with_data([t]),
                });
            }
        }
    }

    /// Appends the body.
    pub fn encode_body(&self, out: &mut Vec<u8>, ctx: &DecodeContext) {
        let wl_at = out.len();
        out.extend_from_slice(&[0, 0]);
        for n in &self.withdrawn {
            n.encode(out);
        }
        let wl = (out.len() - wl_at - 2) as u16;
        out[wl_at..wl_at + 2].copy_from_slice(&wl.to_be_bytes());
        let al_at = out.len();
        out.extend_from_slice(&[0, 0]);
        for a in &self.attributes {
            a.encode(out, ctx);
        }
        let al = (out.len() - al_at - 2) as u16;
        out[al_at..al_at + 2].copy_from_slice(&al.to_be_bytes());
        for n in &self.nlri {
            n.encode(out);
        }
    }

    /// The strongest RFC 7606 outcome among the errors, if any.
    pub fn action(&self) -> Option<AttrAction> {
        self.errors.iter().map(|e| e.action).max()
    }

    /// The attribute with this type code.
    pub fn attr(&self, type_code: u8) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.type_code() == type_code)
    }

    /// ORIGIN.
    pub fn origin(&self) -> Option<Origin> {
        self.attributes.iter().find_map(|a| match a.value {
            AttrValue::Origin(o) => Some(o),
            _ => None,
        })
    }

    /// AS_PATH as sent (2-octet AS numbers on a 2-octet session).
    pub fn as_path(&self) -> Option<&AsPath> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttrValue::AsPath(p) => Some(p),
            _ => None,
        })
    }

    /// NEXT_HOP.
    pub fn next_hop(&self) -> Option<Ipv4Addr> {
        self.attributes.iter().find_map(|a| match a.value {
            AttrValue::NextHop(n) => Some(n),
            _ => None,
        })
    }

    /// MULTI_EXIT_DISC.
    pub fn med(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a.value {
            AttrValue::Med(n) => Some(n),
            _ => None,
        })
    }

    /// LOCAL_PREF.
    pub fn local_pref(&self) -> Option<u32> {
        self.attributes.iter().find_map(|a| match a.value {
            AttrValue::LocalPref(n) => Some(n),
            _ => None,
        })
    }

    /// COMMUNITIES.
    pub fn communities(&self) -> &[Community] {
        self.attributes
            .iter()
            .find_map(|a| match &a.value {
                AttrValue::Communities(c) => Some(c.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// LARGE_COMMUNITY.
    pub fn large_communities(&self) -> &[LargeCommunity] {
        self.attributes
            .iter()
            .find_map(|a| match &a.value {
                AttrValue::LargeCommunities(c) => Some(c.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }

    /// MP_REACH_NLRI.
    pub fn mp_reach(&self) -> Option<&MpReach> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttrValue::MpReach(m) => Some(&**m),
            _ => None,
        })
    }

    /// MP_UNREACH_NLRI.
    pub fn mp_unreach(&self) -> Option<&MpUnreach> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttrValue::MpUnreach(m) => Some(&**m),
            _ => None,
        })
    }

    /// The real AS path: AS_PATH, rebuilt with AS4_PATH when the session is a
    /// 2-octet one (RFC 6793 §4.2.3). On a 4-octet session AS4_PATH is ignored.
    pub fn real_as_path(&self, ctx: &DecodeContext) -> Option<AsPath> {
        real_as_path(&self.attributes, ctx.four_octet_as)
    }

    /// The family whose End-of-RIB marker this is (RFC 4724 §2), if it is one.
    pub fn end_of_rib(&self) -> Option<Family> {
        if !self.withdrawn.is_empty() || !self.nlri.is_empty() {
            return None;
        }
        match self.attributes.as_slice() {
            [] => Some(Family::IPV4_UNICAST),
            [a] => match &a.value {
                AttrValue::MpUnreach(m) if m.nlri.is_empty() => Some(m.family),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every announced route with its family: the classic NLRI field, then
    /// MP_REACH_NLRI.
    pub fn announced(&self) -> impl Iterator<Item = (Family, &Nlri)> {
        let mp = self.mp_reach().map(|m| (m.family, m.nlri.prefixes()));
        self.nlri.iter().map(|n| (Family::IPV4_UNICAST, n)).chain(
            mp.into_iter()
                .flat_map(|(f, p)| p.iter().map(move |n| (f, n))),
        )
    }

    /// Every withdrawn route with its family: the classic field, then
    /// MP_UNREACH_NLRI.
    pub fn withdrawn_routes(&self) -> impl Iterator<Item = (Family, &Nlri)> {
        let mp = self.mp_unreach().map(|m| (m.family, m.nlri.prefixes()));
        self.withdrawn
            .iter()
            .map(|n| (Family::IPV4_UNICAST, n))
            .chain(
                mp.into_iter()
                    .flat_map(|(f, p)| p.iter().map(move |n| (f, n))),
            )
    }
}

/// The real AS path from an attribute list (RFC 6793 §4.2.3). With a 2-octet
/// speaker, AS4_PATH is merged in unless AGGREGATOR shows an old speaker
/// aggregated the route (AGGREGATOR present, not AS_TRANS, with AS4_AGGREGATOR).
pub fn real_as_path(attributes: &[Attribute], four_octet_as: bool) -> Option<AsPath> {
    let mut as_path = None;
    let mut as4_path = None;
    let mut agg: Option<&Aggregator> = None;
    let mut agg4: Option<&Aggregator> = None;
    for a in attributes {
        match &a.value {
            AttrValue::AsPath(p) => as_path = Some(p),
            AttrValue::As4Path(p) => as4_path = Some(p),
            AttrValue::Aggregator(x) => agg = Some(x),
            AttrValue::As4Aggregator(x) => agg4 = Some(x),
            _ => {}
        }
    }
    let as_path = as_path?;
    if four_octet_as {
        return Some(as_path.clone());
    }
    let (_, use_as4) = as4_aggregator::real_aggregator(agg, agg4);
    match as4_path {
        Some(p4) if use_as4 => Some(as4_path::reconstruct(as_path, p4)),
        _ => Some(as_path.clone()),
    }
}

/// The real aggregator from an attribute list (RFC 6793 §4.2.3).
pub fn real_aggregator(attributes: &[Attribute], four_octet_as: bool) -> Option<Aggregator> {
    let agg = attributes.iter().find_map(|a| match &a.value {
        AttrValue::Aggregator(x) => Some(x),
        _ => None,
    });
    if four_octet_as {
        return agg.copied();
    }
    let agg4 = attributes.iter().find_map(|a| match &a.value {
        AttrValue::As4Aggregator(x) => Some(x),
        _ => None,
    });
    as4_aggregator::real_aggregator(agg, agg4).0
}
