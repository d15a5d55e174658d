//! Running a policy on one route.
//!
//! Terms are tried in order. A term whose conditions all hold first runs
//! the policy it calls (a rejection there rejects the route), then makes
//! its changes, then ends with its verdict: accept, reject, or go on. A
//! route that reaches the end of a policy is rejected — the same in a
//! called policy — as BIRD's filters and FRR's route-maps do. The route is
//! borrowed until a change needs a copy, so a policy that only looks costs
//! no allocation.

use crate::bogons;
use crate::community::{AnyCommunity, CommunityPattern};
use crate::model::{Match, Policies, PolicyId, RpkiState, Set, Term, Verdict};
use crate::prefix_list::PrefixEntry;
use peerd_wire::attr::{AsPath, AttrValue, Attribute, Community, NextHop, Origin};
use peerd_wire::capability::Role;
use peerd_wire::Prefix;
use std::borrow::Cow;
use std::net::IpAddr;

/// Calls nested deeper than this reject (the configuration refuses loops;
/// this is the backstop).
const MAX_DEPTH: usize = 32;

/// Which way the route is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Received from the neighbour.
    Import,
    /// To be sent to the neighbour.
    Export,
}

/// The session a policy runs for.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Our AS.
    pub local_as: u32,
    /// The neighbour's AS.
    pub neighbor_as: u32,
    /// Our RFC 9234 role on the session.
    pub role: Option<Role>,
    /// Import or export.
    pub direction: Direction,
}

/// The route under evaluation: its parts, borrowed until changed.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The prefix.
    pub prefix: Prefix,
    /// Path attributes without AS_PATH, NEXT_HOP and MP_*.
    pub attrs: Cow<'a, Vec<Attribute>>,
    /// The AS path.
    pub as_path: Cow<'a, AsPath>,
    /// The next hop.
    pub next_hop: Cow<'a, NextHop>,
    /// A term set or removed the MED: keep it as is, even towards eBGP.
    pub med_set: bool,
    /// A term set the next hop: keep it, even where ours would go.
    pub next_hop_set: bool,
    /// A term asked for our address as next hop.
    pub next_hop_self: bool,
    /// A term overrode RFC 9234 route-leak prevention.
    pub allow_leak: bool,
    /// A term set the next hop to discard.
    pub discard: bool,
    /// The route's RPKI origin validation state, as the caller knows it
    /// (`NotFound` without RPKI data).
    pub rpki: RpkiState,
    /// Why the policy rejected the route (after a rejection): what the
    /// rejecting term matched on.
    pub rejected: Rejected,
}

/// Why a policy rejected a route, for the counters of filtered prefixes:
/// read from the term that rejected it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rejected {
    /// Anything else: the term's other matches, or no term accepted.
    #[default]
    Policy,
    /// The term matched a bogon prefix or a bogon ASN in the path.
    Bogon,
    /// The term matched the route's RPKI state, and that state is Invalid
    /// (RFC 6811).
    RpkiInvalid,
}

impl Rejected {
    /// Why `term`, which rejects `s`, does so.
    fn by(term: &Term, s: &Subject<'_>) -> Rejected {
        let on = |f: fn(&Match) -> bool| term.matches.iter().any(f);
        if s.rpki == RpkiState::Invalid && on(|m| matches!(m, Match::Rpki(_))) {
            Rejected::RpkiInvalid
        } else if on(|m| matches!(m, Match::Bogon(true) | Match::BogonAs(true))) {
            Rejected::Bogon
        } else {
            Rejected::Policy
        }
    }
}

impl<'a> Subject<'a> {
    /// A route to evaluate.
    pub fn new(
        prefix: Prefix,
        attrs: &'a Vec<Attribute>,
        as_path: &'a AsPath,
        next_hop: &'a NextHop,
    ) -> Self {
        Subject {
            prefix,
            attrs: Cow::Borrowed(attrs),
            as_path: Cow::Borrowed(as_path),
            next_hop: Cow::Borrowed(next_hop),
            med_set: false,
            next_hop_set: false,
            next_hop_self: false,
            allow_leak: false,
            discard: false,
            rpki: RpkiState::NotFound,
            rejected: Rejected::Policy,
        }
    }

    /// Whether any part was changed.
    pub fn changed(&self) -> bool {
        matches!(self.attrs, Cow::Owned(_))
            || matches!(self.as_path, Cow::Owned(_))
            || matches!(self.next_hop, Cow::Owned(_))
            || self.next_hop_self
    }
}

/// Runs policy `id` on `s`: true when the route is accepted (with `s`
/// changed as the policy says).
pub fn evaluate(policies: &Policies, id: PolicyId, ctx: &Context, s: &mut Subject<'_>) -> bool {
    run(policies, id, ctx, s, 0)
}

fn run(
    policies: &Policies,
    id: PolicyId,
    ctx: &Context,
    s: &mut Subject<'_>,
    depth: usize,
) -> bool {
    let Some(policy) = policies.list.get(id) else {
        return false;
    };
    if depth > MAX_DEPTH {
        return false;
    }
    for term in &policy.terms {
        if !term.matches.iter().all(|m| holds(m, ctx, s)) {
            continue;
        }
        if let Some(callee) = term.call {
            if !run(policies, callee, ctx, s, depth + 1) {
                return false;
            }
        }
        apply(term, ctx, s);
        match term.verdict {
            Verdict::Accept => return true,
            Verdict::Reject => {
                s.rejected = Rejected::by(term, s);
                return false;
            }
            Verdict::Next => {}
        }
    }
    false
}

fn holds(m: &Match, ctx: &Context, s: &Subject<'_>) -> bool {
    let path = &*s.as_path;
    match m {
        Match::Prefix(list) => list.iter().any(|e| e.matches(&s.prefix)),
        Match::PrefixLength(lo, hi) => (*lo..=*hi).contains(&s.prefix.len()),
        Match::Family(afi) => s.prefix.afi() == *afi,
        Match::AsPath(re) => re.matches(path),
        Match::AsPathLength(lo, hi) => {
            (*lo..=*hi).contains(&u32::try_from(path.path_len()).unwrap_or(u32::MAX))
        }
        Match::FirstAs(l) => path.first_as().is_some_and(|a| l.contains(&a)),
        Match::OriginAs(l) => path.origin_as().is_some_and(|a| l.contains(&a)),
        Match::ContainsAs(l) => asns(path).any(|a| l.contains(&a)),
        Match::NeighborAs(l) => l.contains(&ctx.neighbor_as),
        Match::Community(pats) => communities(&s.attrs).any(|c| pats.iter().any(|p| p.matches(&c))),
        Match::Origin(l) => l.contains(&origin(&s.attrs)),
        Match::NextHop(l) => next_hop_addrs(&s.next_hop).any(|a| {
            let host = Prefix::new(a, if a.is_ipv4() { 32 } else { 128 });
            host.is_some_and(|h| {
                l.iter()
                    .any(|e: &PrefixEntry| crate::prefix_list::covers(&e.prefix, &h))
            })
        }),
        Match::NeighborRole(l) => ctx.role.is_some_and(|r| l.contains(&r)),
        Match::Bogon(want) => bogons::is_bogon_prefix(&s.prefix) == *want,
        Match::BogonAs(want) => asns(path).any(bogons::is_bogon_asn) == *want,
        Match::Rpki(l) => l.contains(&s.rpki),
    }
}

fn asns(path: &AsPath) -> impl Iterator<Item = u32> + '_ {
    path.segments
        .iter()
        .filter(|s| !s.kind.is_confed())
        .flat_map(|s| s.asns.iter().copied())
}

fn origin(attrs: &[Attribute]) -> Origin {
    attrs
        .iter()
        .find_map(|a| match a.value {
            AttrValue::Origin(o) => Some(o),
            _ => None,
        })
        .unwrap_or(Origin::Incomplete)
}

fn next_hop_addrs(nh: &NextHop) -> impl Iterator<Item = IpAddr> {
    let v: Vec<IpAddr> = match nh {
        NextHop::Ipv4(a) => vec![IpAddr::V4(*a)],
        NextHop::Ipv6 { global, link_local } => std::iter::once(IpAddr::V6(*global))
            .chain(link_local.map(IpAddr::V6))
            .collect(),
        _ => Vec::new(),
    };
    v.into_iter()
}

/// Every community of the route, of all three kinds.
/// Every community of the three kinds in `attrs`.
pub fn communities(attrs: &[Attribute]) -> impl Iterator<Item = AnyCommunity> + '_ {
    attrs
        .iter()
        .flat_map(|a| -> Box<dyn Iterator<Item = AnyCommunity> + '_> {
            match &a.value {
                AttrValue::Communities(c) => Box::new(c.iter().map(|c| AnyCommunity::Standard(*c))),
                AttrValue::LargeCommunities(c) => {
                    Box::new(c.iter().map(|c| AnyCommunity::Large(*c)))
                }
                AttrValue::ExtCommunities(c) => Box::new(c.iter().map(|c| AnyCommunity::Ext(*c))),
                _ => Box::new(std::iter::empty()),
            }
        })
}

fn apply(term: &Term, ctx: &Context, s: &mut Subject<'_>) {
    for set in &term.sets {
        match set {
            Set::LocalPref(v) => put(s.attrs.to_mut(), AttrValue::LocalPref(*v)),
            Set::Med(v) => {
                put(s.attrs.to_mut(), AttrValue::Med(*v));
                s.med_set = true;
            }
            Set::StripMed => {
                s.attrs
                    .to_mut()
                    .retain(|a| !matches!(a.value, AttrValue::Med(_)));
                s.med_set = true;
            }
            Set::Prepend(n) => {
                let asn = match ctx.direction {
                    Direction::Export => ctx.local_as,
                    Direction::Import => s.as_path.first_as().unwrap_or(ctx.neighbor_as),
                };
                let path = s.as_path.to_mut();
                for _ in 0..*n {
                    path.prepend(asn);
                }
            }
            Set::AddCommunities(add) => {
                let mut all: Vec<AnyCommunity> = communities(&s.attrs).collect();
                for c in add {
                    if !all.contains(c) {
                        all.push(*c);
                    }
                }
                replace_communities(s.attrs.to_mut(), &all);
            }
            Set::RemoveCommunities(pats) => {
                let kept: Vec<AnyCommunity> = communities(&s.attrs)
                    .filter(|c| !pats.iter().any(|p: &CommunityPattern| p.matches(c)))
                    .collect();
                if kept.len() != communities(&s.attrs).count() {
                    replace_communities(s.attrs.to_mut(), &kept);
                }
            }
            Set::SetCommunities(list) => replace_communities(s.attrs.to_mut(), list),
            Set::NextHopSelf => s.next_hop_self = true,
            Set::AllowLeak => s.allow_leak = true,
            Set::Discard => s.discard = true,
            Set::NextHop(a) => {
                *s.next_hop.to_mut() = match a {
                    IpAddr::V4(v) => NextHop::Ipv4(*v),
                    IpAddr::V6(v) => NextHop::Ipv6 {
                        global: *v,
                        link_local: None,
                    },
                };
                s.next_hop_set = true;
                s.next_hop_self = false;
            }
        }
    }
}

/// Sets an attribute, replacing one of its type.
fn put(attrs: &mut Vec<Attribute>, v: AttrValue) {
    let a = Attribute::new(v);
    match attrs.iter_mut().find(|x| x.type_code() == a.type_code()) {
        Some(x) => *x = a,
        None => attrs.push(a),
    }
}

/// Writes `list` as the route's three community attributes (an empty kind
/// removes its attribute).
fn replace_communities(attrs: &mut Vec<Attribute>, list: &[AnyCommunity]) {
    let mut std_: Vec<Community> = Vec::new();
    let mut large = Vec::new();
    let mut ext = Vec::new();
    for c in list {
        match c {
            AnyCommunity::Standard(c) => std_.push(*c),
            AnyCommunity::Large(c) => large.push(*c),
            AnyCommunity::Ext(c) => ext.push(*c),
        }
    }
    attrs.retain(|a| {
        !matches!(
            a.value,
            AttrValue::Communities(_)
                | AttrValue::LargeCommunities(_)
                | AttrValue::ExtCommunities(_)
        )
    });
    if !std_.is_empty() {
        attrs.push(Attribute::new(AttrValue::Communities(std_)));
    }
    if !ext.is_empty() {
        attrs.push(Attribute::new(AttrValue::ExtCommunities(ext)));
    }
    if !large.is_empty() {
        attrs.push(Attribute::new(AttrValue::LargeCommunities(large)));
    }
    attrs.sort_by_key(|a| a.type_code());
}
