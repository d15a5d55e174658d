//! The decision process: which of a prefix's candidate routes is best
//! (RFC 4271 §9.1), and why each of the others lost.
//!
//! What the RFC says, and what we do:
//!
//! | step | RFC | peerd |
//! |---|---|---|
//! | ineligible | §9.1.2: a route whose NEXT_HOP cannot be resolved is excluded; RFC 9234 §5: a leaked route is ineligible | both excluded, with their reason |
//! | 1 | §9.1.1: highest degree of preference — LOCAL_PREF for iBGP routes, local policy for eBGP ones | highest LOCAL_PREF (eBGP routes get 100 unless import policy sets it) |
//! | 2 | (not in the RFC; every implementation has it) | routes we originate (announced prefixes, static routes) over learned ones |
//! | 3 | §9.1.2.2 a: fewest ASes in AS_PATH, an AS_SET counting one | the same; confederation segments count zero (RFC 5065 §5.3) |
//! | 4 | §9.1.2.2 b: lowest ORIGIN | the same |
//! | 5 | §9.1.2.2 c: lowest MED among routes from the same neighbouring AS, a missing MED being the lowest value | the same; `always-compare-med` compares across ASes |
//! | 6 | §9.1.2.2 d: eBGP over iBGP | the same |
//! | 7 | §9.1.2.2 e: lowest IGP cost to the next hop | the same where the cost is known; skipped otherwise |
//! | 8 | (RFC 4724 leaves it open) | a route not stale from a restarting neighbour over a stale one |
//! | 9 | RFC 5004: prefer the oldest of eBGP routes, optionally | `prefer-oldest`: the route received first, when all left are eBGP |
//! | 10 | §9.1.2.2 f, RFC 4456 §9: lowest BGP identifier, ORIGINATOR_ID standing in for it | the same |
//! | 11 | RFC 4456 §9: shortest CLUSTER_LIST | the same |
//! | 12 | §9.1.2.2 g: lowest neighbour address | the same |
//!
//! The RFC describes a *set* procedure: each step removes the routes that
//! are worse than the best of those still in. We implement it as written,
//! not as a pairwise comparison: because the MED step compares only routes
//! from the same AS, "better than" is not transitive, and a pairwise scan
//! gives an answer that depends on the order routes arrived in (the reason
//! Cisco added "deterministic MED"). Elimination over the whole set is
//! deterministic by construction, so there is no non-deterministic mode to
//! switch off.
//!
//! Multipath (ECMP): the routes still in after step 7 are equal for
//! forwarding; with `multipath` they are all reported as usable.

use crate::route::Route;
use std::net::{IpAddr, Ipv4Addr};

/// Router-wide choices in the decision process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecisionOptions {
    /// Compare MED between routes from different neighbouring ASes.
    pub always_compare_med: bool,
    /// Prefer the oldest of eBGP routes before the BGP identifier (RFC 5004).
    pub prefer_oldest: bool,
    /// Report every route equal up to the IGP-cost step as usable (ECMP).
    pub multipath: bool,
}

/// The step at which a route lost, in the order the steps apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// In the routing table, a route of another source with a lower
    /// administrative distance won (a static route against BGP).
    Distance,
    /// Ineligible: a route leak (RFC 9234 §5).
    RouteLeak,
    /// Ineligible: its next hop cannot be resolved.
    NextHopUnreachable,
    /// Lower LOCAL_PREF.
    LocalPref,
    /// Learned while another is our own.
    NotLocal,
    /// Longer AS_PATH.
    AsPathLength,
    /// Higher ORIGIN.
    Origin,
    /// Higher MED.
    Med,
    /// iBGP while another is eBGP.
    Ibgp,
    /// Higher IGP cost to the next hop.
    IgpCost,
    /// Stale (the neighbour is restarting).
    Stale,
    /// Newer eBGP route (RFC 5004).
    Newer,
    /// Higher BGP identifier or ORIGINATOR_ID.
    RouterId,
    /// Longer CLUSTER_LIST.
    ClusterList,
    /// Higher neighbour address.
    PeerAddress,
}

impl Step {
    /// A short name for tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Distance => "distance",
            Step::RouteLeak => "route-leak",
            Step::NextHopUnreachable => "next-hop-unreachable",
            Step::LocalPref => "local-pref",
            Step::NotLocal => "not-local",
            Step::AsPathLength => "as-path-length",
            Step::Origin => "origin",
            Step::Med => "med",
            Step::Ibgp => "ibgp",
            Step::IgpCost => "igp-cost",
            Step::Stale => "stale",
            Step::Newer => "newer",
            Step::RouterId => "router-id",
            Step::ClusterList => "cluster-list",
            Step::PeerAddress => "peer-address",
        }
    }

    /// Whether a route that lost here is still equal for forwarding (ECMP).
    pub fn after_igp_cost(self) -> bool {
        self > Step::IgpCost
    }
}

/// One route competing for a prefix, with what the decision needs to know
/// about its next hop.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The route.
    pub route: &'a Route,
    /// Whether its next hop resolves.
    pub reachable: bool,
    /// The IGP cost to its next hop, where known.
    pub igp_cost: Option<u32>,
}

impl<'a> Candidate<'a> {
    /// A candidate whose next hop resolves at unknown cost.
    pub fn new(route: &'a Route) -> Self {
        Candidate {
            route,
            reachable: true,
            igp_cost: None,
        }
    }
}

/// Chooses the best of `cands`. On return `lost[i]` holds the step at which
/// candidate `i` lost, `None` for the winner; the result is the winner's
/// index, `None` when no candidate is eligible. `lost` is the caller's
/// buffer, reused between calls.
pub fn select(
    cands: &[Candidate<'_>],
    opts: &DecisionOptions,
    lost: &mut Vec<Option<Step>>,
) -> Option<usize> {
    lost.clear();
    lost.extend(cands.iter().map(|c| {
        if c.route.leak {
            Some(Step::RouteLeak)
        } else if !c.reachable {
            Some(Step::NextHopUnreachable)
        } else {
            None
        }
    }));
    let alive = |lost: &[Option<Step>]| lost.iter().filter(|l| l.is_none()).count();
    if alive(lost) > 1 {
        keep_min(cands, lost, Step::LocalPref, |c| {
            std::cmp::Reverse(c.route.local_pref())
        });
        keep_min(cands, lost, Step::NotLocal, |c| c.route.peer().is_some());
        keep_min(cands, lost, Step::AsPathLength, |c| {
            c.route.as_path.path_len()
        });
        keep_min(cands, lost, Step::Origin, |c| c.route.origin());
        med_step(cands, lost, opts.always_compare_med);
        keep_min(cands, lost, Step::Ibgp, |c| !c.route.ebgp());
        // Unknown costs are not compared (they count alike).
        keep_min(cands, lost, Step::IgpCost, |c| c.igp_cost.unwrap_or(0));
        keep_min(cands, lost, Step::Stale, |c| c.route.stale);
        let all_ebgp = cands
            .iter()
            .zip(lost.iter())
            .all(|(c, l)| l.is_some() || c.route.ebgp());
        if opts.prefer_oldest && all_ebgp {
            keep_min(cands, lost, Step::Newer, |c| c.route.since);
        }
        keep_min(cands, lost, Step::RouterId, |c| router_id(c.route));
        keep_min(cands, lost, Step::ClusterList, |c| {
            c.route.cluster_list_len()
        });
        keep_min(cands, lost, Step::PeerAddress, |c| {
            addr_key(c.route.learned.peer_addr)
        });
    }
    // Two candidates equal to the last step would be two routes from one
    // neighbour; keep the first so the answer is still unique.
    let winner = lost.iter().position(|l| l.is_none())?;
    for l in lost.iter_mut().skip(winner + 1) {
        if l.is_none() {
            *l = Some(Step::PeerAddress);
        }
    }
    Some(winner)
}

/// Whether candidate `i` is usable for forwarding beside the winner: it
/// lost only after the IGP-cost step, and multipath is on.
pub fn is_multipath(opts: &DecisionOptions, lost: Option<Step>) -> bool {
    opts.multipath && lost.is_some_and(Step::after_igp_cost)
}

/// Marks as lost at `step` every candidate still in whose key is above the
/// lowest key among those still in.
fn keep_min<K: Ord>(
    cands: &[Candidate<'_>],
    lost: &mut [Option<Step>],
    step: Step,
    key: impl Fn(&Candidate<'_>) -> K,
) {
    let Some(min) = cands
        .iter()
        .zip(lost.iter())
        .filter(|(_, l)| l.is_none())
        .map(|(c, _)| key(c))
        .min()
    else {
        return;
    };
    for (c, l) in cands.iter().zip(lost.iter_mut()) {
        if l.is_none() && key(c) > min {
            *l = Some(step);
        }
    }
}

/// RFC 4271 §9.1.2.2 c: remove a route when another route still in, from
/// the same neighbouring AS (or from any, with `always`), has a lower MED.
fn med_step(cands: &[Candidate<'_>], lost: &mut [Option<Step>], always: bool) {
    let n = cands.len();
    let mut out = Vec::new();
    for i in 0..n {
        if lost[i].is_some() {
            continue;
        }
        let (ai, mi) = (neighbour_as(cands[i].route), cands[i].route.med());
        let beaten = (0..n).any(|j| {
            lost[j].is_none()
                && (always || neighbour_as(cands[j].route) == ai)
                && cands[j].route.med() < mi
        });
        if beaten {
            out.push(i);
        }
    }
    for i in out {
        lost[i] = Some(Step::Med);
    }
}

/// The AS a route was learned from, for the MED step: the first AS of its
/// path, or our own (`None`) for an empty path.
fn neighbour_as(r: &Route) -> Option<u32> {
    r.as_path.first_as()
}

/// The BGP identifier that stands for a route in step 10: its
/// ORIGINATOR_ID when reflected, else the sender's identifier.
fn router_id(r: &Route) -> Ipv4Addr {
    r.originator_id().unwrap_or(r.learned.peer_id)
}

/// Orders addresses IPv4 first, then by value.
fn addr_key(a: IpAddr) -> (u8, u128) {
    match a {
        IpAddr::V4(v) => (4, u128::from(u32::from(v))),
        IpAddr::V6(v) => (6, u128::from(v)),
    }
}
