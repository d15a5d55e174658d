//! Prefix lists, AS lists and policies: the raw file checked and built into
//! [`peerd_policy::Policies`], every name resolved, calls free of loops.

use crate::raw::{NumOrText, OneOrMany, RawAsns, RawConfig, RawMatch, RawSet, RawTerm};
use crate::validate::Ctx;
use peerd_policy::{
    AnyCommunity, AsPathRegex, CommunityPattern, Match, Policies, Policy, PolicyId, PrefixEntry,
    RpkiState, Set, Term, Verdict,
};
use peerd_wire::attr::Origin;
use peerd_wire::capability::Role;
use peerd_wire::Afi;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use toml::Spanned;

/// Names that mean "everything" or "nothing" where a policy is expected.
pub(crate) const BUILT_IN: [&str; 4] = ["accept", "deny", "accept-all", "deny-all"];

/// Named lists, resolved once.
struct Lists {
    prefixes: HashMap<String, Arc<Vec<PrefixEntry>>>,
    asns: HashMap<String, Arc<Vec<u32>>>,
}

/// Builds every policy; errors go to `c`.
pub(crate) fn policies(c: &mut Ctx<'_>, raw: &RawConfig) -> Policies {
    let mut lists = Lists {
        prefixes: HashMap::new(),
        asns: HashMap::new(),
    };
    for (name, entries) in &raw.prefix_lists {
        let v: Vec<PrefixEntry> = c.list(entries, &format!("prefix-lists.{name}"));
        lists.prefixes.insert(name.clone(), Arc::new(v));
    }
    for (name, entries) in &raw.as_lists {
        let v = entries
            .iter()
            .filter_map(|a| asn_any(c, a, &format!("as-lists.{name}")))
            .collect();
        lists.asns.insert(name.clone(), Arc::new(v));
    }
    let ids: HashMap<&str, PolicyId> = raw
        .policy
        .keys()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut out = Policies::default();
    let mut calls: Vec<Vec<(PolicyId, Range<usize>)>> = Vec::new();
    for (name, terms) in &raw.policy {
        if BUILT_IN.contains(&name.as_str()) {
            if let Some(t) = terms.first() {
                c.err(
                    t.span(),
                    format!("policy.{name}: {name:?} is built in (everything or nothing); choose another name"),
                );
            }
        }
        let mut built = Vec::new();
        let mut my_calls = Vec::new();
        for t in terms {
            let what = format!("policy.{name}");
            if let Some(term) = term(c, t, &what, &lists, &ids, &mut my_calls) {
                built.push(term);
            }
        }
        out.list.push(Policy {
            name: name.clone(),
            terms: built,
        });
        calls.push(my_calls);
    }
    // A policy must not call itself, directly or through others.
    for start in 0..calls.len() {
        for (callee, span) in &calls[start] {
            if reaches(&calls, *callee, start) {
                c.err(
                    span.clone(),
                    format!(
                        "policy.{}: calling {:?} makes a loop back to {:?}",
                        out.list[start].name, out.list[*callee].name, out.list[start].name
                    ),
                );
            }
        }
    }
    out
}

/// Whether `from` calls `to`, directly or not (or is it).
fn reaches(calls: &[Vec<(PolicyId, Range<usize>)>], from: PolicyId, to: PolicyId) -> bool {
    let mut seen = vec![false; calls.len()];
    let mut stack = vec![from];
    while let Some(i) = stack.pop() {
        if i == to {
            return true;
        }
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        stack.extend(calls[i].iter().map(|(c, _)| *c));
    }
    false
}

fn term(
    c: &mut Ctx<'_>,
    t: &Spanned<RawTerm>,
    what: &str,
    lists: &Lists,
    ids: &HashMap<&str, PolicyId>,
    calls: &mut Vec<(PolicyId, Range<usize>)>,
) -> Option<Term> {
    let r = t.get_ref();
    let matches = r
        .matches
        .as_ref()
        .map(|m| matches(c, m, what, lists))
        .unwrap_or_default();
    let sets = r.set.as_ref().map(|s| sets(c, s, what)).unwrap_or_default();
    let call = r
        .call
        .as_ref()
        .and_then(|n| match ids.get(n.get_ref().as_str()) {
            Some(id) => {
                calls.push((*id, n.span()));
                Some(*id)
            }
            None => {
                c.err(
                    n.span(),
                    format!("{what}.call: there is no policy {:?}", n.get_ref()),
                );
                None
            }
        });
    let verdict = match r.action.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
        Some(("accept", _)) => Verdict::Accept,
        Some(("reject", _)) => Verdict::Reject,
        Some(("next", _)) => Verdict::Next,
        Some((other, span)) => {
            c.err(
                span,
                format!(
                    "{what}.action: expected \"accept\", \"reject\" or \"next\", found {other:?}"
                ),
            );
            Verdict::Next
        }
        None => {
            if sets.is_empty() && r.call.is_none() {
                c.err(
                    t.span(),
                    format!("{what}: this term does nothing; give action = \"accept\", \"reject\" or \"next\", a set or a call"),
                );
            }
            Verdict::Next
        }
    };
    Some(Term {
        name: r.name.clone(),
        matches,
        call,
        sets,
        verdict,
    })
}

fn matches(c: &mut Ctx<'_>, m: &RawMatch, what: &str, lists: &Lists) -> Vec<Match> {
    let mut out = Vec::new();
    if let Some(n) = &m.prefix_list {
        match lists.prefixes.get(n.get_ref()) {
            Some(l) => out.push(Match::Prefix(Arc::clone(l))),
            None => c.err(
                n.span(),
                format!(
                    "{what}.match.prefix-list: there is no prefix list {:?} in [prefix-lists]",
                    n.get_ref()
                ),
            ),
        }
    }
    if let Some(v) = &m.prefix {
        let l: Vec<PrefixEntry> = c.list(v, &format!("{what}.match.prefix"));
        out.push(Match::Prefix(Arc::new(l)));
    }
    if let Some(r) = &m.prefix_length {
        if let Some((lo, hi)) = range(c, r, 0, 128, &format!("{what}.match.prefix-length")) {
            out.push(Match::PrefixLength(lo as u8, hi as u8));
        }
    }
    if let Some(f) = &m.family {
        match f.get_ref().as_str() {
            "ipv4" | "ipv4-unicast" => out.push(Match::Family(Afi::Ipv4)),
            "ipv6" | "ipv6-unicast" => out.push(Match::Family(Afi::Ipv6)),
            other => c.err(
                f.span(),
                format!("{what}.match.family: expected \"ipv4\" or \"ipv6\", found {other:?}"),
            ),
        }
    }
    if let Some(re) = &m.as_path {
        match AsPathRegex::new(re.get_ref()) {
            Ok(r) => out.push(Match::AsPath(r)),
            Err(e) => c.err(
                re.span(),
                format!("{what}.match.as-path: not a regular expression: {e}"),
            ),
        }
    }
    if let Some(r) = &m.as_path_length {
        if let Some((lo, hi)) = range(c, r, 0, 4096, &format!("{what}.match.as-path-length")) {
            out.push(Match::AsPathLength(lo, hi));
        }
    }
    for (field, key, mk) in [
        (
            &m.first_as,
            "first-as",
            Match::FirstAs as fn(Arc<Vec<u32>>) -> Match,
        ),
        (&m.origin_as, "origin-as", Match::OriginAs),
        (&m.contains_as, "contains-as", Match::ContainsAs),
        (&m.neighbor_as, "neighbor-as", Match::NeighborAs),
    ] {
        if let Some(a) = field {
            if let Some(l) = asns(c, a, &format!("{what}.match.{key}"), lists) {
                out.push(mk(l));
            }
        }
    }
    if let Some(v) = &m.community {
        let pats: Vec<CommunityPattern> = c.list(v, &format!("{what}.match.community"));
        out.push(Match::Community(pats));
    }
    if let Some(o) = &m.origin {
        let mut l = Vec::new();
        for s in one_or_many(o.get_ref()) {
            match s {
                "igp" => l.push(Origin::Igp),
                "egp" => l.push(Origin::Egp),
                "incomplete" => l.push(Origin::Incomplete),
                other => c.err(
                    o.span(),
                    format!("{what}.match.origin: expected \"igp\", \"egp\" or \"incomplete\", found {other:?}"),
                ),
            }
        }
        out.push(Match::Origin(l));
    }
    if let Some(v) = &m.next_hop {
        let l: Vec<PrefixEntry> = c.list(v, &format!("{what}.match.next-hop"));
        out.push(Match::NextHop(Arc::new(l)));
    }
    if let Some(r) = &m.neighbor_role {
        let mut l = Vec::new();
        for s in one_or_many(r.get_ref()) {
            match role(s) {
                Some(x) => l.push(x),
                None => c.err(
                    r.span(),
                    format!("{what}.match.neighbor-role: expected provider, customer, peer, rs or rs-client, found {s:?}"),
                ),
            }
        }
        out.push(Match::NeighborRole(l));
    }
    if let Some(b) = m.bogon {
        out.push(Match::Bogon(b));
    }
    if let Some(b) = m.bogon_as {
        out.push(Match::BogonAs(b));
    }
    if let Some(r) = &m.rpki {
        let mut l = Vec::new();
        for s in one_or_many(r.get_ref()) {
            match s {
                "valid" => l.push(RpkiState::Valid),
                "invalid" => l.push(RpkiState::Invalid),
                "not-found" => l.push(RpkiState::NotFound),
                other => c.err(
                    r.span(),
                    format!("{what}.match.rpki: expected \"valid\", \"invalid\" or \"not-found\", found {other:?}"),
                ),
            }
        }
        out.push(Match::Rpki(l));
    }
    out
}

fn sets(c: &mut Ctx<'_>, s: &RawSet, what: &str) -> Vec<Set> {
    let mut out = Vec::new();
    if let Some(v) = &s.local_pref {
        if let Some(x) = c.uint(v, 0, u32::MAX.into(), &format!("{what}.set.local-pref")) {
            out.push(Set::LocalPref(x as u32));
        }
    }
    if let Some(m) = &s.med {
        match m.get_ref() {
            NumOrText::Num(n) if (0..=i64::from(u32::MAX)).contains(n) => {
                out.push(Set::Med(*n as u32))
            }
            NumOrText::Text(t) if t == "strip" => out.push(Set::StripMed),
            _ => c.err(
                m.span(),
                format!("{what}.set.med: expected a number 0-4294967295 or \"strip\""),
            ),
        }
    }
    if let Some(p) = &s.prepend {
        if let Some(n) = c.uint(p, 1, 16, &format!("{what}.set.prepend")) {
            out.push(Set::Prepend(n as u8));
        }
    }
    if let Some(v) = &s.add_communities {
        let l: Vec<AnyCommunity> = c.list(v, &format!("{what}.set.add-communities"));
        out.push(Set::AddCommunities(l));
    }
    if let Some(v) = &s.remove_communities {
        let l: Vec<CommunityPattern> = c.list(v, &format!("{what}.set.remove-communities"));
        out.push(Set::RemoveCommunities(l));
    }
    if let Some(v) = &s.set_communities {
        let l: Vec<AnyCommunity> = c.list(v, &format!("{what}.set.set-communities"));
        out.push(Set::SetCommunities(l));
    }
    if s.allow_leak == Some(true) {
        out.push(Set::AllowLeak);
    }
    if let Some(n) = &s.next_hop {
        if n.get_ref() == "self" {
            out.push(Set::NextHopSelf);
        } else if n.get_ref() == "discard" || n.get_ref() == "blackhole" {
            out.push(Set::Discard);
        } else if let Ok(a) = n.get_ref().parse() {
            out.push(Set::NextHop(a));
        } else {
            c.err(
                n.span(),
                format!(
                    "{what}.set.next-hop: expected \"self\", \"discard\" or an address, found {:?}",
                    n.get_ref()
                ),
            );
        }
    }
    out
}

/// `N` or `"LO-HI"` within `min..=max`.
fn range(
    c: &mut Ctx<'_>,
    r: &Spanned<NumOrText>,
    min: u32,
    max: u32,
    what: &str,
) -> Option<(u32, u32)> {
    let parsed = match r.get_ref() {
        NumOrText::Num(n) => u32::try_from(*n).ok().map(|v| (v, v)),
        NumOrText::Text(t) => t
            .split_once('-')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?))),
    };
    match parsed {
        Some((lo, hi)) if min <= lo && lo <= hi && hi <= max => Some((lo, hi)),
        _ => {
            c.err(
                r.span(),
                format!("{what}: expected a number or a range \"LO-HI\" within {min}-{max}"),
            );
            None
        }
    }
}

fn asn_any(c: &mut Ctx<'_>, a: &Spanned<i64>, what: &str) -> Option<u32> {
    match u32::try_from(*a.get_ref()) {
        Ok(v) => Some(v),
        Err(_) => {
            c.err(
                a.span(),
                format!("{what}: expected an AS number 0-4294967295"),
            );
            None
        }
    }
}

fn asns(c: &mut Ctx<'_>, a: &Spanned<RawAsns>, what: &str, lists: &Lists) -> Option<Arc<Vec<u32>>> {
    let one = |v: i64| u32::try_from(v).ok();
    let r = match a.get_ref() {
        RawAsns::One(v) => one(*v).map(|x| Arc::new(vec![x])),
        RawAsns::List(l) => l
            .iter()
            .map(|v| one(*v))
            .collect::<Option<Vec<_>>>()
            .map(Arc::new),
        RawAsns::Name(n) => match lists.asns.get(n) {
            Some(l) => Some(Arc::clone(l)),
            None => {
                c.err(
                    a.span(),
                    format!("{what}: there is no AS list {n:?} in [as-lists]"),
                );
                return None;
            }
        },
    };
    if r.is_none() {
        c.err(
            a.span(),
            format!("{what}: expected an AS number, a list of them, or the name of an AS list"),
        );
    }
    r
}

fn one_or_many(v: &OneOrMany) -> Vec<&str> {
    match v {
        OneOrMany::One(s) => vec![s.as_str()],
        OneOrMany::Many(l) => l.iter().map(String::as_str).collect(),
    }
}

/// A role's name in the file.
pub(crate) fn role(s: &str) -> Option<Role> {
    Some(match s {
        "provider" => Role::Provider,
        "customer" => Role::Customer,
        "peer" => Role::Peer,
        "rs" | "route-server" => Role::RouteServer,
        "rs-client" | "route-server-client" => Role::RouteServerClient,
        _ => return None,
    })
}
