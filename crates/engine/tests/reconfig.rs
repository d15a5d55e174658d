//! The engine changed while running: a reload's `Reconfigure` sending only
//! the difference, static routes against BGP and into it, and announcements
//! that follow their covering route.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::Event;
use peerd_wire::attr::{Community, Origin};
use peerd_wire::Attribute;
use std::net::Ipv4Addr;

/// A reload: a new export policy for b sends b only the difference (a
/// withdrawal), nothing to the others; a new originated prefix goes to
/// everyone; a removed neighbour's routes are withdrawn everywhere.
#[test]
fn reconfigure_sends_only_the_difference() {
    use peerd_policy::{Match, Policy, Verdict};
    let mut e = engine();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25", "198.51.100.0/24"], vec![]),
    });
    let cfgs = || {
        vec![
            (0, peer("a", [198, 51, 100, 1], 64501)),
            (1, peer("b", [198, 51, 100, 2], 64502)),
            (2, peer("c", [192, 0, 2, 3], LOCAL_AS)),
        ]
    };
    let base = |peers, announce: Vec<(peerd_wire::Prefix, Vec<Attribute>)>, remove, reexport| {
        let announce = announce
            .into_iter()
            .map(|(p, a)| peerd_engine::Announcement::always(p, a))
            .collect();
        peerd_engine::Reconfig {
            local_as: LOCAL_AS,
            router_id: Ipv4Addr::new(192, 0, 2, 1),
            cluster_id: Ipv4Addr::new(192, 0, 2, 1),
            policies: policies(vec![Policy {
                name: "out".into(),
                terms: vec![
                    term(vec![Match::PrefixLength(24, 24)], vec![], Verdict::Reject),
                    term(vec![], vec![], Verdict::Accept),
                ],
            }]),
            decision: Default::default(),
            announce,
            statics: vec![],
            redistribute_static: None,
            kernel: peerd_engine::KernelImport::default(),
            peers,
            remove,
            reexport,
            reimport: vec![],
        }
    };
    let ours = vec![("203.0.113.0/24".parse().unwrap(), vec![])];
    let mut peers = cfgs();
    peers[1].1.export_policy = Some(0);
    let acts = e.reconfigure(base(peers.clone(), ours.clone(), vec![], vec![1]));
    let to_b = sent_to(&acts, 1);
    assert_eq!(to_b.len(), 1, "{to_b:#?}");
    let w: Vec<String> = to_b[0]
        .withdrawn
        .iter()
        .map(|n| n.prefix.to_string())
        .collect();
    // The two /24s (a's and our own, which `engine()` originates) go; the
    // /25 b already has is not sent again.
    assert_eq!(
        w,
        ["198.51.100.0/24", "203.0.113.0/24"],
        "only the difference"
    );
    assert!(to_b[0].nlri.is_empty());
    assert!(sent_to(&acts, 2).is_empty(), "nothing changed for c");
    assert!(sent_to(&acts, 0).is_empty());

    // Our /24 replaced by a /25: the /25 reaches everyone (the /24's
    // withdrawal goes to a and c, which had it).
    let mine = vec![("203.0.113.128/25".parse().unwrap(), vec![])];
    let acts = e.reconfigure(base(peers.clone(), mine.clone(), vec![], vec![]));
    for p in [0, 1, 2] {
        let got: Vec<String> = sent_to(&acts, p)
            .iter()
            .flat_map(|u| u.nlri.iter().map(|n| n.prefix.to_string()))
            .collect();
        assert_eq!(got, ["203.0.113.128/25"], "to {p}");
    }

    // a goes away: its routes are withdrawn from c.
    let acts = e.reconfigure(base(peers, mine, vec![0], vec![]));
    let w: Vec<String> = sent_to(&acts, 2)
        .iter()
        .flat_map(|u| u.withdrawn.iter().map(|n| n.prefix.to_string()))
        .collect();
    assert_eq!(w, ["192.0.2.0/25", "198.51.100.0/24"]);
    assert_eq!(e.routes_in(0), 0);
}

/// Static routes sit beside BGP, win or lose by distance, and reach BGP
/// neighbours only when redistributed (all, or through a policy).
#[test]
fn static_routes_win_by_distance_and_enter_bgp_only_when_redistributed() {
    use peerd_engine::{Static, Via};
    use peerd_policy::{Match, Policy, Set, Verdict};
    let mut e = engine();
    let st = |p: &str, d: u8| Static {
        prefix: p.parse().unwrap(),
        via: Via::Address("192.0.2.254".parse().unwrap(), None),
        distance: d,
    };
    let ours = vec![peerd_engine::Announcement::always(
        "203.0.113.0/24".parse().unwrap(),
        vec![],
    )];
    let acts = e.set_origination(ours.clone(), vec![st("198.51.100.0/24", 1)], None);
    assert!(acts.is_empty(), "not redistributed: {acts:?}");
    let rib = e.loc_rib();
    let s = rib
        .iter()
        .find(|v| v.prefix.to_string() == "198.51.100.0/24")
        .unwrap();
    assert_eq!((s.protocol, s.next_hop.as_str()), ("static", "192.0.2.254"));

    // The same prefix over eBGP: distance 20 loses to the static route's 1.
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24"], vec![]),
    });
    let c = e.candidates("198.51.100.0/24".parse().unwrap());
    assert_eq!((c[0].protocol, c[0].best), ("static", true));
    assert_eq!(
        (c[1].protocol, c[1].lost),
        ("bgp", Some(peerd_engine::Step::Distance))
    );
    // With distance 250, BGP wins.
    e.set_origination(ours.clone(), vec![st("198.51.100.0/24", 250)], None);
    let c = e.candidates("198.51.100.0/24".parse().unwrap());
    assert_eq!((c[0].protocol, c[0].best), ("bgp", true));
    assert_eq!(c[1].lost, Some(peerd_engine::Step::Distance));

    // Redistributed through a policy: one accepted with a community, one not.
    e.set_policies(policies(vec![Policy {
        name: "statics".into(),
        terms: vec![
            term(vec![Match::PrefixLength(25, 32)], vec![], Verdict::Reject),
            term(
                vec![],
                vec![Set::AddCommunities(vec!["64500:999".parse().unwrap()])],
                Verdict::Accept,
            ),
        ],
    }]));
    let acts = e.set_origination(
        ours.clone(),
        vec![st("192.0.2.0/24", 1), st("192.0.2.128/25", 1)],
        Some(Some(0)),
    );
    let to_b = sent_to(&acts, 1);
    let (ann, _) = prefixes(&to_b);
    assert!(ann.contains(&"192.0.2.0/24".to_string()), "{ann:?}");
    assert!(!ann.contains(&"192.0.2.128/25".to_string()), "{ann:?}");
    let u = to_b
        .iter()
        .find(|u| {
            u.nlri
                .iter()
                .any(|n| n.prefix.to_string() == "192.0.2.0/24")
        })
        .unwrap();
    assert_eq!(u.communities(), [Community::new(64500, 999)]);
    assert_eq!(u.origin(), Some(Origin::Incomplete));
    assert_eq!(u.as_path().unwrap().to_string(), "64500");
    // Taking redistribution away withdraws it.
    let acts = e.set_origination(ours, vec![st("192.0.2.0/24", 1)], None);
    assert_eq!(prefixes(&sent_to(&acts, 1)).1, ["192.0.2.0/24"]);
}

/// `when = "covered"`: announced only while another route covers it.
#[test]
fn a_conditional_announcement_follows_its_covering_route() {
    let mut e = engine();
    let acts = e.set_origination(
        vec![peerd_engine::Announcement {
            prefix: "203.0.113.0/24".parse().unwrap(),
            attrs: vec![],
            when_covered: true,
        }],
        vec![],
        None,
    );
    // engine() announced it always; now it is conditional and uncovered.
    assert_eq!(prefixes(&sent_to(&acts, 1)).1, ["203.0.113.0/24"]);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["0.0.0.0/0"], vec![]),
    });
    let (ann, _) = prefixes(&sent_to(&acts, 1));
    assert!(ann.contains(&"203.0.113.0/24".to_string()), "{ann:?}");
    // The default goes: so does our prefix.
    let u = withdrawal(&["0.0.0.0/0"]);
    let acts = e.handle(Event::Update { peer: 0, update: u });
    let (_, wd) = prefixes(&sent_to(&acts, 1));
    assert!(wd.contains(&"203.0.113.0/24".to_string()), "{wd:?}");
}

/// The routing table answers for an address with its longest prefix,
/// whichever kind of route holds it, and forgets a prefix whose route goes.
#[test]
fn an_address_is_looked_up_by_longest_match() {
    use peerd_engine::{Static, Via};
    let mut e = engine();
    let ours: Vec<_> = ["203.0.113.0/24", "2001:db8:100::/40"]
        .iter()
        .map(|p| peerd_engine::Announcement::always(p.parse().unwrap(), vec![]))
        .collect();
    let st = Static {
        prefix: "198.51.0.0/16".parse().unwrap(),
        via: Via::Blackhole,
        distance: 1,
    };
    e.set_origination(ours, vec![st], None);
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24", "198.51.100.128/25"], vec![]),
    });
    let look =
        |e: &peerd_engine::Engine, a: &str| e.lookup(a.parse().unwrap()).map(|p| p.to_string());
    assert_eq!(
        look(&e, "198.51.100.200").as_deref(),
        Some("198.51.100.128/25")
    );
    assert_eq!(look(&e, "198.51.100.7").as_deref(), Some("198.51.100.0/24"));
    assert_eq!(look(&e, "198.51.7.7").as_deref(), Some("198.51.0.0/16"));
    assert_eq!(look(&e, "203.0.113.9").as_deref(), Some("203.0.113.0/24"));
    assert_eq!(
        look(&e, "2001:db8:1ff::1").as_deref(),
        Some("2001:db8:100::/40")
    );
    assert_eq!(look(&e, "192.0.2.1"), None);
    assert_eq!(look(&e, "2001:db9::1"), None);
    e.handle(Event::Update {
        peer: 0,
        update: withdrawal(&["198.51.100.128/25"]),
    });
    assert_eq!(
        look(&e, "198.51.100.200").as_deref(),
        Some("198.51.100.0/24")
    );
}
