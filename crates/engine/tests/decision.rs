//! The decision process (RFC 4271 §9.1), one test per step: two routes that
//! differ only in what that step looks at, the winner, and the step the
//! loser is reported to have lost at. Then the MED case that makes a
//! pairwise comparison depend on arrival order, and a property test that
//! the choice never does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_engine::decision::{is_multipath, select, Candidate, DecisionOptions, Step};
use peerd_engine::{CompactPath, Learned, Path, Route};
use peerd_wire::attr::{AsPath, AttrValue, Attribute, NextHop, Origin};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A route as learned from neighbour `peer` (address 198.51.100.`peer`,
/// identifier 192.0.2.`peer`), eBGP, path `path`, ORIGIN IGP, nothing else.
fn route(peer: u8, path: &[u32]) -> Route {
    let path = Path::new(
        Arc::new(vec![Attribute::new(AttrValue::Origin(Origin::Igp))]),
        Arc::new(Learned {
            peer: Some(usize::from(peer)),
            peer_id: Ipv4Addr::new(192, 0, 2, peer),
            peer_addr: IpAddr::V4(Ipv4Addr::new(198, 51, 100, peer)),
            ebgp: true,
            rr_client: false,
            next_hop: Arc::new(NextHop::Ipv4(Ipv4Addr::new(198, 51, 100, peer))),
        }),
        CompactPath::new(&AsPath::from_sequence(path.to_vec())),
        0,
    );
    Route::new(Arc::new(path))
}

/// The same route with an attribute set (replacing one of its kind).
fn with(mut r: Route, a: AttrValue) -> Route {
    let mut attrs: Vec<Attribute> = r
        .attrs
        .iter()
        .filter(|x| x.type_code() != Attribute::new(a.clone()).type_code())
        .cloned()
        .collect();
    attrs.push(Attribute::new(a));
    Arc::make_mut(&mut r.path).attrs = Arc::new(attrs);
    r
}

fn learned(r: &mut Route, f: impl FnOnce(&mut Learned)) {
    let mut l = (*r.learned).clone();
    f(&mut l);
    Arc::make_mut(&mut r.path).learned = Arc::new(l);
}

/// Runs the decision on `routes` (all reachable, unknown IGP cost).
fn decide(routes: &[Route], opts: DecisionOptions) -> (Option<usize>, Vec<Option<Step>>) {
    let cands: Vec<Candidate> = routes.iter().map(Candidate::new).collect();
    let mut lost = Vec::new();
    let w = select(&cands, &opts, &mut lost);
    (w, lost)
}

/// `winner` beats `loser` in either arrival order, and the loser is
/// reported as having lost at `step`.
fn assert_beats(winner: Route, loser: Route, step: Step) {
    assert_beats_with(winner, loser, step, DecisionOptions::default());
}

fn assert_beats_with(winner: Route, loser: Route, step: Step, opts: DecisionOptions) {
    let (w, lost) = decide(&[winner.clone(), loser.clone()], opts);
    assert_eq!(w, Some(0), "winner first");
    assert_eq!(lost, vec![None, Some(step)]);
    let (w, lost) = decide(&[loser, winner], opts);
    assert_eq!(w, Some(1), "winner second");
    assert_eq!(lost, vec![Some(step), None]);
}

#[test]
fn a_leaked_route_is_never_chosen() {
    let mut leak = route(1, &[64501]);
    Arc::make_mut(&mut leak.path).leak = true;
    let worse = with(route(2, &[64502, 64502, 64502]), AttrValue::Med(1000));
    assert_beats(worse, leak.clone(), Step::RouteLeak);
    // Alone, it is still not chosen.
    let (w, lost) = decide(&[leak], DecisionOptions::default());
    assert_eq!(w, None);
    assert_eq!(lost, vec![Some(Step::RouteLeak)]);
}

#[test]
fn an_unreachable_next_hop_is_never_chosen() {
    let good = route(1, &[64501]);
    let bad = route(2, &[64502]);
    let cands = [
        Candidate {
            route: &bad,
            reachable: false,
            igp_cost: None,
        },
        Candidate::new(&good),
    ];
    let mut lost = Vec::new();
    assert_eq!(
        select(&cands, &DecisionOptions::default(), &mut lost),
        Some(1)
    );
    assert_eq!(lost[0], Some(Step::NextHopUnreachable));
}

#[test]
fn highest_local_pref_wins() {
    // Higher LOCAL_PREF beats a shorter path.
    let a = with(route(2, &[64502, 64510, 64511]), AttrValue::LocalPref(200));
    let b = with(route(1, &[64501]), AttrValue::LocalPref(150));
    assert_beats(a, b, Step::LocalPref);
    // A missing LOCAL_PREF counts as 100.
    let a = route(1, &[64501]);
    let b = with(route(0, &[64501]), AttrValue::LocalPref(99));
    assert_beats(a, b, Step::LocalPref);
}

#[test]
fn our_own_route_wins_over_a_learned_one() {
    let mut ours = route(9, &[]);
    learned(&mut ours, |l| {
        l.peer = None;
        l.ebgp = false;
    });
    // The learned route has a lower identifier and address, which would win later.
    assert_beats(ours, route(1, &[]), Step::NotLocal);
}

#[test]
fn shortest_as_path_wins_an_as_set_counting_one() {
    assert_beats(
        route(2, &[64502, 64510]),
        route(1, &[64501, 64510, 64511]),
        Step::AsPathLength,
    );
    // {64510 64511 64512} is one hop: 64502 {set} is two, shorter than three.
    let mut set = AsPath::from_sequence(vec![64502]);
    set.segments.push(peerd_wire::attr::Segment {
        kind: peerd_wire::attr::SegmentType::Set,
        asns: vec![64510, 64511, 64512],
    });
    let mut with_set = route(2, &[]);
    Arc::make_mut(&mut with_set.path).as_path = CompactPath::new(&set);
    assert_beats(
        with_set,
        route(1, &[64501, 64510, 64511]),
        Step::AsPathLength,
    );
}

#[test]
fn lowest_origin_wins() {
    let igp = route(2, &[64502]);
    let egp = with(route(1, &[64501]), AttrValue::Origin(Origin::Egp));
    assert_beats(igp, egp.clone(), Step::Origin);
    let incomplete = with(route(0, &[64500]), AttrValue::Origin(Origin::Incomplete));
    assert_beats(egp, incomplete, Step::Origin);
}

#[test]
fn lowest_med_wins_between_routes_from_one_as() {
    let low = with(route(2, &[64501, 64510]), AttrValue::Med(10));
    let high = with(route(1, &[64501, 64511]), AttrValue::Med(20));
    assert_beats(low, high, Step::Med);
    // A missing MED is the lowest value (RFC 4271 §9.1.2.2 c).
    let missing = route(2, &[64501, 64510]);
    let some = with(route(1, &[64501, 64511]), AttrValue::Med(1));
    assert_beats(missing, some, Step::Med);
}

#[test]
fn med_is_not_compared_across_ases_unless_asked() {
    let low = with(route(2, &[64502]), AttrValue::Med(10));
    let high = with(route(1, &[64501]), AttrValue::Med(20));
    // Different neighbouring ASes: the MED is skipped, the identifier decides.
    assert_beats(high.clone(), low.clone(), Step::RouterId);
    let always = DecisionOptions {
        always_compare_med: true,
        ..Default::default()
    };
    assert_beats_with(low, high, Step::Med, always);
}

#[test]
fn ebgp_wins_over_ibgp() {
    let mut ibgp = route(1, &[64501]);
    learned(&mut ibgp, |l| l.ebgp = false);
    assert_beats(route(2, &[64502]), ibgp, Step::Ibgp);
}

#[test]
fn lowest_igp_cost_wins_where_known() {
    let near = route(2, &[64502]);
    let far = route(1, &[64501]);
    let cands = [
        Candidate {
            route: &far,
            reachable: true,
            igp_cost: Some(20),
        },
        Candidate {
            route: &near,
            reachable: true,
            igp_cost: Some(10),
        },
    ];
    let mut lost = Vec::new();
    assert_eq!(
        select(&cands, &DecisionOptions::default(), &mut lost),
        Some(1)
    );
    assert_eq!(lost[0], Some(Step::IgpCost));
}

#[test]
fn a_fresh_route_wins_over_a_stale_one() {
    let mut stale = route(1, &[64501]);
    Arc::make_mut(&mut stale.path).stale = true;
    assert_beats(route(2, &[64502]), stale, Step::Stale);
}

#[test]
fn the_oldest_ebgp_route_wins_when_asked() {
    let mut old = route(2, &[64502]);
    Arc::make_mut(&mut old.path).since = 10;
    let mut new = route(1, &[64501]);
    Arc::make_mut(&mut new.path).since = 20;
    // By default the identifier decides.
    assert_beats(new.clone(), old.clone(), Step::RouterId);
    let oldest = DecisionOptions {
        prefer_oldest: true,
        ..Default::default()
    };
    assert_beats_with(old.clone(), new.clone(), Step::Newer, oldest);
    // Not between iBGP routes (RFC 5004 is about external routes).
    learned(&mut old, |l| l.ebgp = false);
    learned(&mut new, |l| l.ebgp = false);
    assert_beats_with(new, old, Step::RouterId, oldest);
}

#[test]
fn lowest_router_id_wins_originator_id_standing_in() {
    assert_beats(route(1, &[64501]), route(2, &[64502]), Step::RouterId);
    // A reflected route is judged by its ORIGINATOR_ID.
    let reflected = with(
        route(1, &[64501]),
        AttrValue::OriginatorId(Ipv4Addr::new(192, 0, 2, 200)),
    );
    assert_beats(route(2, &[64502]), reflected, Step::RouterId);
}

#[test]
fn shortest_cluster_list_wins() {
    let id = AttrValue::OriginatorId(Ipv4Addr::new(192, 0, 2, 7));
    let one = with(
        with(route(2, &[64502]), id.clone()),
        AttrValue::ClusterList(vec![Ipv4Addr::new(10, 0, 0, 1)]),
    );
    let two = with(
        with(route(1, &[64501]), id),
        AttrValue::ClusterList(vec![Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2)]),
    );
    assert_beats(one, two, Step::ClusterList);
}

#[test]
fn lowest_peer_address_wins_last() {
    let mut a = route(1, &[64501]);
    let mut b = route(2, &[64502]);
    // Same identifier (two sessions to one router).
    learned(&mut b, |l| l.peer_id = Ipv4Addr::new(192, 0, 2, 1));
    learned(&mut a, |l| l.peer_addr = "2001:db8::1".parse().unwrap());
    // IPv4 sorts before IPv6, then by value.
    assert_beats(b, a, Step::PeerAddress);
}

/// RFC 4271's MED step compares only routes from the same AS, so "better
/// than" is not transitive: here A beats B on MED (both AS 64501), B beats C
/// on the identifier, C beats A on the identifier. A pairwise scan returns
/// whichever survives its arrival order; the set procedure always removes B
/// first (MED), then C beats A.
#[test]
fn med_non_transitivity_does_not_depend_on_order() {
    // Identifiers: B (1) < C (2) < A (3).
    let a = with(route(3, &[64501]), AttrValue::Med(10));
    let b = with(route(1, &[64501]), AttrValue::Med(20));
    let c = with(route(2, &[64502]), AttrValue::Med(5));
    let routes = [a, b, c];
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        let rs: Vec<Route> = order.iter().map(|&i| routes[i].clone()).collect();
        let (w, lost) = decide(&rs, DecisionOptions::default());
        let w = w.unwrap();
        assert_eq!(rs[w].learned.peer, Some(2), "order {order:?}: C wins");
        for (i, l) in lost.iter().enumerate() {
            let want = match rs[i].learned.peer {
                Some(2) => None,
                Some(1) => Some(Step::Med),
                _ => Some(Step::RouterId),
            };
            assert_eq!(
                *l, want,
                "order {order:?}, route from {:?}",
                rs[i].learned.peer
            );
        }
    }
}

#[test]
fn multipath_takes_routes_equal_up_to_the_igp_cost() {
    let opts = DecisionOptions {
        multipath: true,
        ..Default::default()
    };
    let a = route(1, &[64501, 64510]);
    let b = route(2, &[64502, 64510]);
    let longer = route(3, &[64503, 64503, 64510]);
    let (w, lost) = decide(&[a, b, longer], opts);
    assert_eq!(w, Some(0));
    assert_eq!(lost[1], Some(Step::RouterId));
    assert!(is_multipath(&opts, lost[1]));
    assert_eq!(lost[2], Some(Step::AsPathLength));
    assert!(!is_multipath(&opts, lost[2]));
    assert!(!is_multipath(&DecisionOptions::default(), lost[1]));
}

fn arb_route() -> impl Strategy<Value = (u8, u32, u8, u8, Option<u32>, bool, u8)> {
    (
        // neighbour 1..=8 (unique per route below), LOCAL_PREF, path length,
        // first AS, MED, eBGP, ORIGIN
        1u8..=8,
        prop_oneof![Just(100u32), Just(200)],
        1u8..=3,
        0u8..3,
        prop_oneof![Just(None), (0u32..3).prop_map(Some)],
        any::<bool>(),
        0u8..3,
    )
}

fn build(spec: &(u8, u32, u8, u8, Option<u32>, bool, u8)) -> Route {
    let (peer, lp, len, first, med, ebgp, origin) = *spec;
    let mut path = vec![64501 + u32::from(first)];
    path.extend(std::iter::repeat_n(64510, usize::from(len) - 1));
    let mut r = with(route(peer, &path), AttrValue::LocalPref(lp));
    r = with(
        r,
        AttrValue::Origin(match origin {
            0 => Origin::Igp,
            1 => Origin::Egp,
            _ => Origin::Incomplete,
        }),
    );
    if let Some(m) = med {
        r = with(r, AttrValue::Med(m));
    }
    learned(&mut r, |l| l.ebgp = ebgp);
    r
}

proptest! {
    /// Whatever order the candidates arrive in, the same route wins and
    /// every loser lost at the same step.
    #[test]
    fn the_choice_does_not_depend_on_arrival_order(
        specs in proptest::collection::vec(arb_route(), 1..8),
        always in any::<bool>(),
        seed in any::<u64>(),
    ) {
        // One route per neighbour.
        let mut seen = std::collections::HashSet::new();
        let routes: Vec<Route> = specs.iter().filter(|s| seen.insert(s.0)).map(build).collect();
        let opts = DecisionOptions { always_compare_med: always, ..Default::default() };
        let (w, lost) = decide(&routes, opts);
        let winner = routes[w.unwrap()].learned.peer;
        let by_peer: std::collections::HashMap<_, _> =
            routes.iter().zip(&lost).map(|(r, l)| (r.learned.peer, *l)).collect();
        // A deterministic shuffle from the seed.
        let mut shuffled = routes.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let (w2, lost2) = decide(&shuffled, opts);
        prop_assert_eq!(shuffled[w2.unwrap()].learned.peer, winner);
        for (r, l) in shuffled.iter().zip(&lost2) {
            prop_assert_eq!(by_peer[&r.learned.peer], *l);
        }
    }
}
