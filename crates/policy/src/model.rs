//! What a policy is: named lists of terms, each with conditions, changes
//! and a verdict. Built by `peerd-config` from the file, with every name
//! resolved, so evaluation never looks anything up by name.

use crate::aspath::AsPathRegex;
use crate::community::{AnyCommunity, CommunityPattern};
use crate::prefix_list::PrefixEntry;
use peerd_wire::attr::Origin;
use peerd_wire::capability::Role;
use peerd_wire::Afi;
use std::net::IpAddr;
use std::sync::Arc;

/// Index of a policy in [`Policies`].
pub type PolicyId = usize;

/// Every policy of a configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policies {
    /// The policies; a [`PolicyId`] indexes this.
    pub list: Vec<Policy>,
}

impl Policies {
    /// The policy with this name.
    pub fn find(&self, name: &str) -> Option<PolicyId> {
        self.list.iter().position(|p| p.name == name)
    }

    /// Whether the result of policy `id` (and of what it calls) can differ
    /// between prefixes that share all their attributes.
    pub fn depends_on_prefix(&self, id: PolicyId) -> bool {
        self.walk(id, &mut |t| {
            t.matches.iter().any(|m| {
                matches!(
                    m,
                    Match::Prefix(_)
                        | Match::PrefixLength(..)
                        | Match::Bogon(_)
                        | Match::Family(_)
                        | Match::Rpki(_)
                )
            })
        })
    }

    /// Whether policy `id` (or one it calls) sets the next hop to ourselves.
    pub fn sets_next_hop_self(&self, id: PolicyId) -> bool {
        self.walk(id, &mut |t| {
            t.sets.iter().any(|s| matches!(s, Set::NextHopSelf))
        })
    }

    /// Whether policy `id` (or one it calls) sets the next hop to discard.
    pub fn sets_discard(&self, id: PolicyId) -> bool {
        self.walk(id, &mut |t| {
            t.sets.iter().any(|s| matches!(s, Set::Discard))
        })
    }

    /// Whether any term of `id` or of a policy it calls satisfies `f`.
    fn walk(&self, id: PolicyId, f: &mut impl FnMut(&Term) -> bool) -> bool {
        let mut seen = vec![false; self.list.len()];
        let mut stack = vec![id];
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            for t in &self.list[i].terms {
                if f(t) {
                    return true;
                }
                stack.extend(t.call);
            }
        }
        false
    }
}

/// A named policy: terms tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Its name in the file.
    pub name: String,
    /// The terms.
    pub terms: Vec<Term>,
}

/// One term: if every condition holds, call, change, then the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Its name, for messages.
    pub name: Option<String>,
    /// Conditions, all of which must hold (none: always).
    pub matches: Vec<Match>,
    /// Another policy to run first: if it rejects, the route is rejected.
    pub call: Option<PolicyId>,
    /// Changes, in order.
    pub sets: Vec<Set>,
    /// What then.
    pub verdict: Verdict,
}

/// The end of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Accept the route; stop.
    Accept,
    /// Reject the route; stop.
    Reject,
    /// Go on with the next term (keeping the changes).
    Next,
}

/// A condition. Where a condition takes a list, one element matching is
/// enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The prefix matches an entry (of a named prefix list, or inline).
    Prefix(Arc<Vec<PrefixEntry>>),
    /// The prefix length is in this inclusive range.
    PrefixLength(u8, u8),
    /// The prefix is IPv4 or IPv6.
    Family(Afi),
    /// The AS path matches a regular expression over its ASNs.
    AsPath(AsPathRegex),
    /// The AS path length (RFC 4271 counting) is in this inclusive range.
    AsPathLength(u32, u32),
    /// The first (neighbouring) AS is one of these.
    FirstAs(Arc<Vec<u32>>),
    /// The origin AS (last of the path) is one of these.
    OriginAs(Arc<Vec<u32>>),
    /// The path contains one of these ASes.
    ContainsAs(Arc<Vec<u32>>),
    /// The neighbour whose session this policy runs on is in one of these ASes.
    NeighborAs(Arc<Vec<u32>>),
    /// The route carries a community matching one of the patterns.
    Community(Vec<CommunityPattern>),
    /// ORIGIN is one of these.
    Origin(Vec<Origin>),
    /// The next hop lies in one of these prefixes.
    NextHop(Arc<Vec<PrefixEntry>>),
    /// Our role on this policy's session is one of these.
    NeighborRole(Vec<Role>),
    /// The prefix is (true) or is not (false) a bogon.
    Bogon(bool),
    /// The path holds (true) or does not hold (false) a bogon ASN.
    BogonAs(bool),
    /// The route's RPKI origin validation state (RFC 6811) is one of these.
    Rpki(Vec<RpkiState>),
}

/// RPKI origin validation state of a route (RFC 6811 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpkiState {
    /// A ROA covers the prefix and matches its origin AS and length.
    Valid,
    /// ROAs cover the prefix, none matches.
    Invalid,
    /// No ROA covers the prefix (also: no RPKI data at all).
    NotFound,
}

impl RpkiState {
    /// The name used in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            RpkiState::Valid => "valid",
            RpkiState::Invalid => "invalid",
            RpkiState::NotFound => "not-found",
        }
    }
}

/// A change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Set {
    /// Set LOCAL_PREF.
    LocalPref(u32),
    /// Set MED (sent even to eBGP).
    Med(u32),
    /// Remove MED.
    StripMed,
    /// Prepend an AS this many times: ours on export, the neighbour's on import.
    Prepend(u8),
    /// Add these communities.
    AddCommunities(Vec<AnyCommunity>),
    /// Remove the communities matching any of these patterns.
    RemoveCommunities(Vec<CommunityPattern>),
    /// Replace every community (all three kinds) with these.
    SetCommunities(Vec<AnyCommunity>),
    /// Next hop: ourselves (export only).
    NextHopSelf,
    /// Next hop: this address.
    NextHop(IpAddr),
    /// Next hop: discard — traffic to the prefix is dropped here (import
    /// only: remotely triggered blackholing, RFC 7999's use).
    Discard,
    /// Override RFC 9234 route-leak prevention for this route: accept it
    /// although it is a leak (import), or send it although its OTC forbids
    /// it (export). Logged by the daemon.
    AllowLeak,
}
