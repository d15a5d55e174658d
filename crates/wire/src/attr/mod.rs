//! BGP path attributes (RFC 4271 §4.3 and §5), one file per attribute.
//!
//! ```text
//!  0                   1
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |O|T|P|E|  0    |  Type Code    |   O optional, T transitive,
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   P partial, E extended length
//! | Length (1 octet, or 2 if E)   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | Value ...
//! ```
//!
//! Decoding keeps every attribute in wire order with its flags octet, so that an
//! attribute list re-encodes byte for byte. Malformed attributes are classified
//! as RFC 7606 says (see [`action_for`]).

pub mod aggregator;
pub mod aigp;
pub mod as4_aggregator;
pub mod as4_path;
pub mod as_path;
pub mod atomic_aggregate;
pub mod cluster_list;
pub mod communities;
pub mod ext_communities;
pub mod ipv6_ext_communities;
pub mod large_communities;
pub mod local_pref;
pub mod med;
pub mod mp_reach;
pub mod mp_unreach;
pub mod next_hop;
pub mod origin;
pub mod originator_id;
pub mod otc;
pub mod unknown;

use crate::context::DecodeContext;
use crate::error::{code, subcode, AttrAction, AttrError, DecodeError, Reason};
use crate::reader::Reader;
use crate::Family;
use std::net::Ipv4Addr;

pub use aggregator::Aggregator;
pub use aigp::AigpTlv;
pub use as_path::{AsPath, Segment, SegmentType, AS_TRANS};
pub use communities::{Community, CommunityParseError};
pub use ext_communities::ExtCommunity;
pub use ipv6_ext_communities::Ipv6ExtCommunity;
pub use large_communities::LargeCommunity;
pub use mp_reach::{MpNlri, MpReach, NextHop};
pub use mp_unreach::MpUnreach;
pub use origin::Origin;

/// Attribute flag bits (RFC 4271 §4.3).
pub mod flags {
    /// Optional (bit 0).
    pub const OPTIONAL: u8 = 0x80;
    /// Transitive (bit 1).
    pub const TRANSITIVE: u8 = 0x40;
    /// Partial (bit 2).
    pub const PARTIAL: u8 = 0x20;
    /// Extended Length (bit 3).
    pub const EXTENDED_LENGTH: u8 = 0x10;
}

/// Attribute type codes (IANA "BGP Path Attributes").
pub mod type_code {
    /// ORIGIN (RFC 4271).
    pub const ORIGIN: u8 = 1;
    /// AS_PATH (RFC 4271).
    pub const AS_PATH: u8 = 2;
    /// NEXT_HOP (RFC 4271).
    pub const NEXT_HOP: u8 = 3;
    /// MULTI_EXIT_DISC (RFC 4271).
    pub const MED: u8 = 4;
    /// LOCAL_PREF (RFC 4271).
    pub const LOCAL_PREF: u8 = 5;
    /// ATOMIC_AGGREGATE (RFC 4271).
    pub const ATOMIC_AGGREGATE: u8 = 6;
    /// AGGREGATOR (RFC 4271, RFC 6793).
    pub const AGGREGATOR: u8 = 7;
    /// COMMUNITIES (RFC 1997).
    pub const COMMUNITIES: u8 = 8;
    /// ORIGINATOR_ID (RFC 4456).
    pub const ORIGINATOR_ID: u8 = 9;
    /// CLUSTER_LIST (RFC 4456).
    pub const CLUSTER_LIST: u8 = 10;
    /// MP_REACH_NLRI (RFC 4760).
    pub const MP_REACH_NLRI: u8 = 14;
    /// MP_UNREACH_NLRI (RFC 4760).
    pub const MP_UNREACH_NLRI: u8 = 15;
    /// EXTENDED COMMUNITIES (RFC 4360).
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    /// AS4_PATH (RFC 6793).
    pub const AS4_PATH: u8 = 17;
    /// AS4_AGGREGATOR (RFC 6793).
    pub const AS4_AGGREGATOR: u8 = 18;
    /// IPv6 Address Specific Extended Community (RFC 5701).
    pub const IPV6_EXTENDED_COMMUNITIES: u8 = 25;
    /// AIGP (RFC 7311).
    pub const AIGP: u8 = 26;
    /// LARGE_COMMUNITY (RFC 8092).
    pub const LARGE_COMMUNITY: u8 = 32;
    /// Only to Customer (RFC 9234).
    pub const OTC: u8 = 35;
}

/// A decoded attribute value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttrValue {
    /// ORIGIN.
    Origin(Origin),
    /// AS_PATH, in the width the session negotiated.
    AsPath(AsPath),
    /// NEXT_HOP.
    NextHop(Ipv4Addr),
    /// MULTI_EXIT_DISC.
    Med(u32),
    /// LOCAL_PREF.
    LocalPref(u32),
    /// ATOMIC_AGGREGATE.
    AtomicAggregate,
    /// AGGREGATOR, in the width the session negotiated.
    Aggregator(Aggregator),
    /// COMMUNITIES.
    Communities(Vec<Community>),
    /// ORIGINATOR_ID.
    OriginatorId(Ipv4Addr),
    /// CLUSTER_LIST.
    ClusterList(Vec<Ipv4Addr>),
    /// MP_REACH_NLRI (boxed: it is the largest value, and boxing keeps every
    /// other attribute small).
    MpReach(Box<MpReach>),
    /// MP_UNREACH_NLRI (boxed, as MP_REACH_NLRI).
    MpUnreach(Box<MpUnreach>),
    /// EXTENDED COMMUNITIES.
    ExtCommunities(Vec<ExtCommunity>),
    /// AS4_PATH (always 4-octet).
    As4Path(AsPath),
    /// AS4_AGGREGATOR (always 4-octet).
    As4Aggregator(Aggregator),
    /// IPv6 Address Specific Extended Communities.
    Ipv6ExtCommunities(Vec<Ipv6ExtCommunity>),
    /// AIGP TLVs.
    Aigp(Vec<AigpTlv>),
    /// LARGE_COMMUNITY.
    LargeCommunities(Vec<LargeCommunity>),
    /// Only to Customer: the AS that first sent the route down or sideways.
    Otc(u32),
    /// Any other attribute, kept as bytes.
    Unknown {
        /// The type code.
        type_code: u8,
        /// The value octets.
        data: Vec<u8>,
    },
}

impl AttrValue {
    /// The type code of this value.
    pub fn type_code(&self) -> u8 {
        use type_code as t;
        match self {
            AttrValue::Origin(_) => t::ORIGIN,
            AttrValue::AsPath(_) => t::AS_PATH,
            AttrValue::NextHop(_) => t::NEXT_HOP,
            AttrValue::Med(_) => t::MED,
            AttrValue::LocalPref(_) => t::LOCAL_PREF,
            AttrValue::AtomicAggregate => t::ATOMIC_AGGREGATE,
            AttrValue::Aggregator(_) => t::AGGREGATOR,
            AttrValue::Communities(_) => t::COMMUNITIES,
            AttrValue::OriginatorId(_) => t::ORIGINATOR_ID,
            AttrValue::ClusterList(_) => t::CLUSTER_LIST,
            AttrValue::MpReach(_) => t::MP_REACH_NLRI,
            AttrValue::MpUnreach(_) => t::MP_UNREACH_NLRI,
            AttrValue::ExtCommunities(_) => t::EXTENDED_COMMUNITIES,
            AttrValue::As4Path(_) => t::AS4_PATH,
            AttrValue::As4Aggregator(_) => t::AS4_AGGREGATOR,
            AttrValue::Ipv6ExtCommunities(_) => t::IPV6_EXTENDED_COMMUNITIES,
            AttrValue::Aigp(_) => t::AIGP,
            AttrValue::LargeCommunities(_) => t::LARGE_COMMUNITY,
            AttrValue::Otc(_) => t::OTC,
            AttrValue::Unknown { type_code, .. } => *type_code,
        }
    }
}

/// One path attribute: its flags octet as sent and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    /// The flags octet as received (or as [`Attribute::new`] chose it).
    pub flags: u8,
    /// The value.
    pub value: AttrValue,
}

impl Attribute {
    /// An attribute with the flags its type calls for. Unknown attributes get
    /// optional transitive flags.
    pub fn new(value: AttrValue) -> Self {
        let flags =
            expected_flags(value.type_code()).unwrap_or(flags::OPTIONAL | flags::TRANSITIVE);
        Attribute { flags, value }
    }

    /// The type code.
    pub fn type_code(&self) -> u8 {
        self.value.type_code()
    }

    /// Appends the attribute (header and value). The extended-length bit is kept
    /// as received, and set when the value needs it.
    pub fn encode(&self, out: &mut Vec<u8>, ctx: &DecodeContext) {
        let start = out.len();
        let ext = self.flags & flags::EXTENDED_LENGTH != 0;
        out.push(self.flags);
        out.push(self.type_code());
        out.push(0);
        if ext {
            out.push(0);
        }
        let value_start = out.len();
        encode_value(&self.value, out, ctx);
        let len = out.len() - value_start;
        if ext {
            let l = (len.min(u16::MAX as usize) as u16).to_be_bytes();
            out[start + 2] = l[0];
            out[start + 3] = l[1];
        } else if len <= 255 {
            out[start + 2] = len as u8;
        } else {
            // The value outgrew one length octet: switch to extended length.
            out[start] |= flags::EXTENDED_LENGTH;
            out.insert(start + 3, 0);
            let l = (len.min(u16::MAX as usize) as u16).to_be_bytes();
            out[start + 2] = l[0];
            out[start + 3] = l[1];
        }
    }

    /// Sets the Partial bit, as RFC 4271 §5 requires when a speaker passes on an
    /// optional transitive attribute it does not recognise.
    pub fn mark_partial_if_unrecognised(&mut self) {
        if matches!(self.value, AttrValue::Unknown { .. })
            && self.flags & flags::OPTIONAL != 0
            && self.flags & flags::TRANSITIVE != 0
        {
            self.flags |= flags::PARTIAL;
        }
    }

    /// Whether a speaker forwards this attribute to other peers (RFC 4271 §5):
    /// well-known and optional transitive ones are passed on; unrecognised
    /// optional non-transitive ones are dropped.
    pub fn is_passed_on(&self) -> bool {
        match self.value {
            AttrValue::Unknown { .. } => self.flags & flags::TRANSITIVE != 0,
            _ => true,
        }
    }
}

fn encode_value(v: &AttrValue, out: &mut Vec<u8>, ctx: &DecodeContext) {
    match v {
        AttrValue::Origin(o) => out.push(o.to_u8()),
        AttrValue::AsPath(p) => p.encode(out, ctx.four_octet_as),
        AttrValue::NextHop(a) => out.extend_from_slice(&a.octets()),
        AttrValue::Med(m) => out.extend_from_slice(&m.to_be_bytes()),
        AttrValue::LocalPref(m) => out.extend_from_slice(&m.to_be_bytes()),
        AttrValue::AtomicAggregate => {}
        AttrValue::Aggregator(a) => a.encode(out, ctx.four_octet_as),
        AttrValue::Communities(c) => communities::encode(c, out),
        AttrValue::OriginatorId(a) => out.extend_from_slice(&a.octets()),
        AttrValue::ClusterList(c) => cluster_list::encode(c, out),
        AttrValue::MpReach(m) => m.encode(out),
        AttrValue::MpUnreach(m) => m.encode(out),
        AttrValue::ExtCommunities(c) => ext_communities::encode(c, out),
        AttrValue::As4Path(p) => p.encode(out, true),
        AttrValue::As4Aggregator(a) => a.encode(out, true),
        AttrValue::Ipv6ExtCommunities(c) => ipv6_ext_communities::encode(c, out),
        AttrValue::Aigp(t) => aigp::encode(t, out),
        AttrValue::LargeCommunities(c) => large_communities::encode(c, out),
        AttrValue::Otc(a) => out.extend_from_slice(&a.to_be_bytes()),
        AttrValue::Unknown { data, .. } => out.extend_from_slice(data),
    }
}

/// The optional and transitive bits each known attribute must carry
/// (RFC 4271 §5 and each attribute's RFC). `None` for unknown types.
pub fn expected_flags(type_code: u8) -> Option<u8> {
    use crate::attr::type_code as t;
    use flags::{OPTIONAL as O, TRANSITIVE as T};
    Some(match type_code {
        t::ORIGIN | t::AS_PATH | t::NEXT_HOP | t::LOCAL_PREF | t::ATOMIC_AGGREGATE => T,
        t::MED | t::ORIGINATOR_ID | t::CLUSTER_LIST | t::MP_REACH_NLRI | t::MP_UNREACH_NLRI => O,
        t::AIGP => O,
        t::AGGREGATOR
        | t::COMMUNITIES
        | t::EXTENDED_COMMUNITIES
        | t::AS4_PATH
        | t::AS4_AGGREGATOR
        | t::IPV6_EXTENDED_COMMUNITIES
        | t::LARGE_COMMUNITY
        | t::OTC => O | T,
        _ => return None,
    })
}

/// The RFC 7606 outcome for a malformed attribute of this type.
///
/// | attribute | outcome | source |
/// |---|---|---|
/// | ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF | treat-as-withdraw | RFC 7606 §7.1–7.5 |
/// | ATOMIC_AGGREGATE, AGGREGATOR | attribute discard | RFC 7606 §7.6, §7.7 |
/// | COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST | treat-as-withdraw | RFC 7606 §7.8–7.10 |
/// | MP_REACH_NLRI, MP_UNREACH_NLRI | AFI/SAFI disable (session reset if the AFI/SAFI cannot be read) | RFC 7606 §7.11 |
/// | EXTENDED COMMUNITIES, IPv6 extended communities | treat-as-withdraw | RFC 7606 §7.14, §7.15 |
/// | AS4_PATH, AS4_AGGREGATOR | attribute discard | RFC 6793 §6, RFC 7606 §7.12–7.13 |
/// | LARGE_COMMUNITY | treat-as-withdraw | RFC 8092 §6 |
/// | OTC | treat-as-withdraw | RFC 9234 §5 |
/// | AIGP | attribute discard (it only breaks ties; dropping it is the least harm) | RFC 7311 §3.2 |
/// | unknown optional | attribute discard | RFC 7606 §3 |
pub fn action_for(type_code: u8) -> AttrAction {
    use crate::attr::type_code as t;
    match type_code {
        t::ATOMIC_AGGREGATE | t::AGGREGATOR | t::AS4_PATH | t::AS4_AGGREGATOR | t::AIGP => {
            AttrAction::AttributeDiscard
        }
        t::MP_REACH_NLRI | t::MP_UNREACH_NLRI => AttrAction::AfiSafiDisable,
        t::ORIGIN
        | t::AS_PATH
        | t::NEXT_HOP
        | t::MED
        | t::LOCAL_PREF
        | t::COMMUNITIES
        | t::ORIGINATOR_ID
        | t::CLUSTER_LIST
        | t::EXTENDED_COMMUNITIES
        | t::IPV6_EXTENDED_COMMUNITIES
        | t::LARGE_COMMUNITY
        | t::OTC => AttrAction::TreatAsWithdraw,
        _ => AttrAction::AttributeDiscard,
    }
}

/// Why one attribute value failed to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) subcode: u8,
    pub(crate) reason: Reason,
}

impl Fault {
    pub(crate) const LENGTH: Fault = Fault {
        subcode: subcode::update::ATTRIBUTE_LENGTH,
        reason: Reason::BadAttributeLength,
    };
    pub(crate) const OPTIONAL: Fault = Fault {
        subcode: subcode::update::OPTIONAL_ATTRIBUTE,
        reason: Reason::BadAttributeValue,
    };
    pub(crate) const AS_PATH: Fault = Fault {
        subcode: subcode::update::MALFORMED_AS_PATH,
        reason: Reason::MalformedAsPath,
    };
}

/// How MP_REACH_NLRI is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MpReachLayout {
    /// RFC 4760 §3, as in UPDATE messages.
    Full,
    /// RFC 6396 §4.3.4: only next-hop length and next hop, as in MRT
    /// TABLE_DUMP_V2 RIB entries. Full-layout values are still accepted there,
    /// since some writers use them.
    MrtRibEntry,
}

/// The attributes decoded from one attribute list, plus the malformed ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttrList {
    /// Well-formed attributes in wire order (duplicates and discarded ones left out).
    pub attributes: Vec<Attribute>,
    /// Malformed attributes with their RFC 7606 outcome.
    pub errors: Vec<AttrError>,
}

/// Decodes a path attribute list (RFC 4271 §4.3, with RFC 7606 error handling).
///
/// Never fails as a whole: structural damage that hides the rest of the list
/// (an attribute header or length running past the end) is reported as a
/// treat-as-withdraw error (RFC 7606 §4) and decoding stops there.
pub fn decode_attributes(buf: &[u8], ctx: &DecodeContext, layout: MpReachLayout) -> AttrList {
    let mut list = AttrList {
        attributes: Vec::with_capacity(8),
        errors: Vec::new(),
    };
    let mut seen = [0u64; 4];
    let mut r = Reader::new(buf);
    while !r.is_empty() {
        let Some((flag_octet, type_code)) = r.u8().zip(r.u8()) else {
            list.errors.push(list_overrun(0));
            break;
        };
        let len = if flag_octet & flags::EXTENDED_LENGTH != 0 {
            r.u16().map(usize::from)
        } else {
            r.u8().map(usize::from)
        };
        let Some(value) = len.and_then(|l| r.take(l)) else {
            list.errors.push(list_overrun(type_code));
            break;
        };
        let word = usize::from(type_code / 64);
        let bit = 1u64 << (type_code % 64);
        if seen[word] & bit != 0 {
            // RFC 7606 §3(g): a repeated MP_REACH/MP_UNREACH is fatal; any other
            // repeat is dropped and the first one kept.
            let dup = DecodeError::malformed_attr_list(Reason::DuplicateAttribute);
            let action = if matches!(
                type_code,
                type_code::MP_REACH_NLRI | type_code::MP_UNREACH_NLRI
            ) {
                AttrAction::SessionReset
            } else {
                AttrAction::AttributeDiscard
            };
            list.errors.push(AttrError {
                type_code,
                action,
                family: None,
                error: dup,
            });
            continue;
        }
        seen[word] |= bit;
        match decode_one(flag_octet, type_code, value, ctx, layout) {
            Ok(v) => list.attributes.push(Attribute {
                flags: flag_octet,
                value: v,
            }),
            Err(e) => list.errors.push(e),
        }
    }
    list
}

fn list_overrun(type_code: u8) -> AttrError {
    AttrError {
        type_code,
        action: AttrAction::TreatAsWithdraw,
        family: None,
        error: DecodeError::malformed_attr_list(Reason::Truncated),
    }
}

/// Reconstructs the attribute bytes for NOTIFICATION data (RFC 4271 §6.3: the
/// erroneous attribute, type, length and value).
fn attr_bytes(flag_octet: u8, type_code: u8, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(value.len() + 4);
    v.push(flag_octet);
    v.push(type_code);
    if flag_octet & flags::EXTENDED_LENGTH != 0 {
        v.extend_from_slice(&(value.len() as u16).to_be_bytes());
    } else {
        v.push(value.len() as u8);
    }
    v.extend_from_slice(value);
    v
}

fn decode_one(
    flag_octet: u8,
    type_code: u8,
    value: &[u8],
    ctx: &DecodeContext,
    layout: MpReachLayout,
) -> Result<AttrValue, AttrError> {
    use crate::attr::type_code as t;
    let err = |fault: Fault, family: Option<Family>| {
        let mut action = action_for(type_code);
        if action == AttrAction::AfiSafiDisable && family.is_none() {
            action = AttrAction::SessionReset;
        }
        AttrError {
            type_code,
            action,
            family,
            error: DecodeError::new(code::UPDATE_MESSAGE, fault.subcode, fault.reason)
                .with_data(attr_bytes(flag_octet, type_code, value)),
        }
    };
    match expected_flags(type_code) {
        Some(want) => {
            // RFC 7606 §3(c): optional/transitive bits in conflict with the type.
            if flag_octet & (flags::OPTIONAL | flags::TRANSITIVE) != want {
                let f = Fault {
                    subcode: subcode::update::ATTRIBUTE_FLAGS,
                    reason: Reason::BadAttributeFlags,
                };
                let family = if matches!(type_code, t::MP_REACH_NLRI | t::MP_UNREACH_NLRI) {
                    mp_reach::peek_family(value)
                } else {
                    None
                };
                return Err(err(f, family));
            }
        }
        None => {
            if flag_octet & flags::OPTIONAL == 0 {
                // RFC 4271 §6.3: an unrecognised well-known attribute is fatal.
                return Err(AttrError {
                    type_code,
                    action: AttrAction::SessionReset,
                    family: None,
                    error: DecodeError::new(
                        code::UPDATE_MESSAGE,
                        subcode::update::UNRECOGNIZED_WELL_KNOWN,
                        Reason::UnknownWellKnown,
                    )
                    .with_data(attr_bytes(flag_octet, type_code, value)),
                });
            }
            return Ok(AttrValue::Unknown {
                type_code,
                data: value.to_vec(),
            });
        }
    }
    let v = match type_code {
        t::ORIGIN => AttrValue::Origin(origin::decode(value).map_err(|f| err(f, None))?),
        t::AS_PATH => {
            AttrValue::AsPath(AsPath::decode(value, ctx.four_octet_as).map_err(|f| err(f, None))?)
        }
        t::NEXT_HOP => AttrValue::NextHop(next_hop::decode(value).map_err(|f| err(f, None))?),
        t::MED => AttrValue::Med(med::decode(value).map_err(|f| err(f, None))?),
        t::LOCAL_PREF => AttrValue::LocalPref(local_pref::decode(value).map_err(|f| err(f, None))?),
        t::ATOMIC_AGGREGATE => {
            atomic_aggregate::decode(value).map_err(|f| err(f, None))?;
            AttrValue::AtomicAggregate
        }
        t::AGGREGATOR => AttrValue::Aggregator(
            Aggregator::decode(value, ctx.four_octet_as).map_err(|f| err(f, None))?,
        ),
        t::COMMUNITIES => {
            AttrValue::Communities(communities::decode(value).map_err(|f| err(f, None))?)
        }
        t::ORIGINATOR_ID => {
            AttrValue::OriginatorId(originator_id::decode(value).map_err(|f| err(f, None))?)
        }
        t::CLUSTER_LIST => {
            AttrValue::ClusterList(cluster_list::decode(value).map_err(|f| err(f, None))?)
        }
        t::MP_REACH_NLRI => AttrValue::MpReach(Box::new(
            MpReach::decode(value, ctx, layout).map_err(|(f, fam)| err(f, fam))?,
        )),
        t::MP_UNREACH_NLRI => AttrValue::MpUnreach(Box::new(
            MpUnreach::decode(value, ctx).map_err(|(f, fam)| err(f, fam))?,
        )),
        t::EXTENDED_COMMUNITIES => {
            AttrValue::ExtCommunities(ext_communities::decode(value).map_err(|f| err(f, None))?)
        }
        t::AS4_PATH => AttrValue::As4Path(as4_path::decode(value).map_err(|f| err(f, None))?),
        t::AS4_AGGREGATOR => {
            AttrValue::As4Aggregator(as4_aggregator::decode(value).map_err(|f| err(f, None))?)
        }
        t::IPV6_EXTENDED_COMMUNITIES => AttrValue::Ipv6ExtCommunities(
            ipv6_ext_communities::decode(value).map_err(|f| err(f, None))?,
        ),
        t::AIGP => AttrValue::Aigp(aigp::decode(value).map_err(|f| err(f, None))?),
        t::LARGE_COMMUNITY => {
            AttrValue::LargeCommunities(large_communities::decode(value).map_err(|f| err(f, None))?)
        }
        t::OTC => AttrValue::Otc(otc::decode(value).map_err(|f| err(f, None))?),
        _ => AttrValue::Unknown {
            type_code,
            data: value.to_vec(),
        },
    };
    Ok(v)
}

/// Reads a fixed-size value, or reports an Attribute Length Error.
pub(crate) fn fixed<const N: usize>(value: &[u8]) -> Result<[u8; N], Fault> {
    if value.len() != N {
        return Err(Fault::LENGTH);
    }
    let mut r = Reader::new(value);
    r.array::<N>().ok_or(Fault::LENGTH)
}
