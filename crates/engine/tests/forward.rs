//! What the routing table tells the forwarding table: the best route's
//! gateway, every multipath gateway, a blackhole for a discarded route, a
//! static route where it wins by distance, nothing for our own prefixes or
//! a withdrawn one — and nothing at all unless asked.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Action, DecisionOptions, Engine, Event, Forward, Static, Via};
use peerd_wire::attr::{AsPath, Origin};
use peerd_wire::{AttrValue, Attribute, Update};
use std::net::Ipv4Addr;

fn gw(a: &str) -> Forward {
    Forward::Gateways(vec![a.parse().unwrap()])
}

/// The same route as `update_from_a`'s, from B (AS 64502, next hop .2).
fn update_from_b(prefixes: &[&str]) -> Update {
    let attrs = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![
            64502,
            4_200_000_001,
        ]))),
        Attribute::new(AttrValue::NextHop(Ipv4Addr::new(198, 51, 100, 2))),
    ];
    update_with(&attrs, prefixes)
}

#[test]
fn the_forwarding_table_follows_the_routing_table() {
    let mut e = engine();
    // Not asked: nothing.
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24"], vec![]),
    });
    assert!(!acts.iter().any(|a| matches!(a, Action::Forward(_))));
    // Asked: every entry at once, then each change.
    let all = e.set_forwarding(true);
    assert_eq!(
        entry(&all, "198.51.100.0/24"),
        Some(Some(gw("198.51.100.1")))
    );
    assert_eq!(entry(&all, "203.0.113.0/24"), Some(None), "our own prefix");
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(Some(gw("198.51.100.1"))));
    // B's equal route: without multipath the best one's gateway only.
    let acts = e.handle(Event::Update {
        peer: 1,
        update: update_from_b(&["192.0.2.0/25"]),
    });
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(Some(gw("198.51.100.1"))));
    // A withdraws: B's gateway; B withdraws too: no entry.
    let w = withdrawal(&["192.0.2.0/25"]);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: w.clone(),
    });
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(Some(gw("198.51.100.2"))));
    let acts = e.handle(Event::Update { peer: 1, update: w });
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(None));

    // A static route wins by distance and forwards its own way; with a
    // distance above eBGP's it leaves the BGP route in place.
    let st = |d: u8, via: Via| Static {
        prefix: "198.51.100.0/24".parse().unwrap(),
        via,
        distance: d,
    };
    let ours = vec![peerd_engine::Announcement::always(
        "203.0.113.0/24".parse().unwrap(),
        vec![],
    )];
    let acts = e.set_origination(ours.clone(), vec![st(1, Via::Blackhole)], None);
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(Forward::Blackhole))
    );
    let acts = e.set_origination(
        ours.clone(),
        vec![st(
            1,
            Via::Address("192.0.2.254".parse().unwrap(), Some("eth1".into())),
        )],
        None,
    );
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(Forward::Interface {
            name: "eth1".into(),
            gateway: Some("192.0.2.254".parse().unwrap())
        }))
    );
    let acts = e.set_origination(ours.clone(), vec![st(250, Via::Blackhole)], None);
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(gw("198.51.100.1")))
    );
    let acts = e.set_origination(ours, vec![], None);
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(gw("198.51.100.1")))
    );
}

#[test]
fn multipath_gives_every_equal_gateway_and_discard_a_blackhole() {
    let mut e = engine();
    e.set_decision_options(DecisionOptions {
        multipath: true,
        ..Default::default()
    });
    e.set_forwarding(true);
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    let acts = e.handle(Event::Update {
        peer: 1,
        update: update_from_b(&["192.0.2.0/25"]),
    });
    assert_eq!(
        entry(&acts, "192.0.2.0/25"),
        Some(Some(Forward::Gateways(vec![
            "198.51.100.1".parse().unwrap(),
            "198.51.100.2".parse().unwrap()
        ])))
    );

    // An import policy that discards: a blackhole.
    use peerd_policy::{Policy, Set, Verdict};
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.import_policy = Some(0);
    let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), vec![a], &[]);
    e.set_policies(policies(vec![Policy {
        name: "rtbh".into(),
        terms: vec![term(vec![], vec![Set::Discard], Verdict::Accept)],
    }]));
    e.set_forwarding(true);
    bring_up(&mut e, &[A_UP]);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.66/32"], vec![]),
    });
    assert_eq!(
        entry(&acts, "192.0.2.66/32"),
        Some(Some(Forward::Blackhole))
    );
}

/// RFC 4271 §9.1.2.1: a route whose next hop no usable kernel route covers
/// is not a candidate; the best route and the forwarding entry move when
/// the kernel's routes change, and back.
#[test]
fn unreachable_next_hops_lose() {
    let mut e = engine();
    e.set_forwarding(true);
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    e.handle(Event::Update {
        peer: 1,
        update: update_from_b(&["192.0.2.0/25"]),
    });
    let resolvable = |e: &mut Engine, p: &[&str]| {
        e.handle(Event::Resolvable {
            prefixes: p.iter().map(|p| p.parse().unwrap()).collect(),
            links_down: vec![],
        })
    };
    let lost = |e: &Engine| {
        e.candidates("192.0.2.0/25".parse().unwrap())
            .iter()
            .map(|v| (v.from.clone().unwrap(), v.best, v.lost.map(|l| l.as_str())))
            .collect::<Vec<_>>()
    };
    // Before the kernel has been read, every next hop counts.
    assert_eq!(lost(&e)[0], ("a".into(), true, None));
    // A's link goes: only B's next hop is covered.
    let acts = resolvable(&mut e, &["198.51.100.2/32", "192.0.2.0/24"]);
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(Some(gw("198.51.100.2"))));
    assert_eq!(
        lost(&e),
        vec![
            ("b".into(), true, None),
            ("a".into(), false, Some("next-hop-unreachable"))
        ]
    );
    // It comes back.
    let acts = resolvable(&mut e, &["198.51.100.0/24"]);
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(Some(gw("198.51.100.1"))));
    // Nothing resolves: no route, no entry.
    let acts = resolvable(&mut e, &[]);
    assert_eq!(entry(&acts, "192.0.2.0/25"), Some(None));
    assert!(lost(&e).iter().all(|(_, best, _)| !best));
    // A change that flips no next hop decides nothing again.
    let acts = resolvable(&mut e, &["203.0.113.0/24"]);
    assert!(acts.is_empty(), "{acts:?}");
}

/// RFC 2545: an IPv6 next hop that is only link-local (alone, or after an
/// unspecified global address) leaves through the session's interface;
/// a global next hop needs none. Such a next hop resolves while that
/// interface is up.
#[test]
fn link_local_next_hops_leave_through_the_sessions_interface() {
    use peerd_engine::PeerConfig;
    use peerd_wire::attr::NextHop;
    use peerd_wire::{DecodeContext, Family, Message, Nlri, UpdateBuilder};
    use std::net::{IpAddr, Ipv6Addr};
    let mut cfg = PeerConfig::new("ll", "fe80::1".parse().unwrap(), 64501);
    cfg.interface = Some("eth7".into());
    let mut e = Engine::new(
        64500,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![cfg, peer("g", [198, 51, 100, 2], 64502)],
        &[],
    );
    bring_up(&mut e, &[A_UP, B_UP]);
    e.set_forwarding(true);
    let v6 = |nh: NextHop, prefix: &str| -> Update {
        let attrs = vec![
            Attribute::new(AttrValue::Origin(Origin::Igp)),
            Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![64501]))),
        ];
        let nlri = vec![Nlri::new(prefix.parse().unwrap())];
        let msgs = UpdateBuilder::new(&DecodeContext::MODERN)
            .announce(Family::IPV6_UNICAST, &attrs, Some(&nh), &nlri)
            .unwrap();
        match Message::decode(&msgs[0], &DecodeContext::MODERN).unwrap() {
            Message::Update(u) => u,
            _ => unreachable!(),
        }
    };
    let ll: Ipv6Addr = "fe80::1".parse().unwrap();
    let on_eth7 = |a: Ipv6Addr| Forward::Interface {
        name: "eth7".into(),
        gateway: Some(IpAddr::V6(a)),
    };
    let acts = e.handle(Event::Update {
        peer: 0,
        update: v6(
            NextHop::Ipv6 {
                global: ll,
                link_local: None,
            },
            "2001:db8:5::/48",
        ),
    });
    assert_eq!(entry(&acts, "2001:db8:5::/48"), Some(Some(on_eth7(ll))));
    let acts = e.handle(Event::Update {
        peer: 0,
        update: v6(
            NextHop::Ipv6 {
                global: Ipv6Addr::UNSPECIFIED,
                link_local: Some("fe80::2".parse().unwrap()),
            },
            "2001:db8:6::/48",
        ),
    });
    assert_eq!(
        entry(&acts, "2001:db8:6::/48"),
        Some(Some(on_eth7("fe80::2".parse().unwrap())))
    );
    // A global next hop (with a link-local one beside it): the global one,
    // while the kernel reaches it; the link-local one when it does not.
    let acts = e.handle(Event::Update {
        peer: 0,
        update: v6(
            NextHop::Ipv6 {
                global: "2001:db8::7".parse().unwrap(),
                link_local: Some(ll),
            },
            "2001:db8:7::/48",
        ),
    });
    assert_eq!(
        entry(&acts, "2001:db8:7::/48"),
        Some(Some(gw("2001:db8::7")))
    );
    let acts = e.handle(Event::Resolvable {
        prefixes: vec!["2001:db8:ffff::/48".parse().unwrap()],
        links_down: vec![],
    });
    assert_eq!(entry(&acts, "2001:db8:7::/48"), Some(Some(on_eth7(ll))));
    let acts = e.handle(Event::Resolvable {
        prefixes: vec!["2001:db8::/64".parse().unwrap()],
        links_down: vec![],
    });
    assert_eq!(
        entry(&acts, "2001:db8:7::/48"),
        Some(Some(gw("2001:db8::7")))
    );
    // From a neighbour with no interface, a link-local next hop has nowhere
    // to go: no entry.
    let acts = e.handle(Event::Update {
        peer: 1,
        update: v6(
            NextHop::Ipv6 {
                global: "fe80::9".parse().unwrap(),
                link_local: None,
            },
            "2001:db8:8::/48",
        ),
    });
    assert_eq!(entry(&acts, "2001:db8:8::/48"), Some(None));
    // eth7 loses its carrier: the routes through link-local next hops on
    // it go at once (not when the session's hold timer runs out), and
    // come back with it.
    let down = |e: &mut Engine, links: &[&str]| {
        e.handle(Event::Resolvable {
            prefixes: vec!["2001:db8::/64".parse().unwrap()],
            links_down: links.iter().map(|l| l.to_string()).collect(),
        })
    };
    let acts = down(&mut e, &["eth7"]);
    assert_eq!(entry(&acts, "2001:db8:5::/48"), Some(None));
    assert_eq!(entry(&acts, "2001:db8:6::/48"), Some(None));
    assert_eq!(
        e.candidates("2001:db8:5::/48".parse().unwrap())[0]
            .lost
            .map(|l| l.as_str()),
        Some("next-hop-unreachable")
    );
    let acts = down(&mut e, &["eth3"]);
    assert_eq!(entry(&acts, "2001:db8:5::/48"), Some(Some(on_eth7(ll))));
}

/// A static route whose gateway no usable kernel route covers is inactive:
/// the BGP route forwards instead, and it is not redistributed; it comes
/// back with its gateway.
#[test]
fn a_static_route_needs_its_gateway() {
    let mut e = engine();
    e.set_forwarding(true);
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24"], vec![]),
    });
    let st = Static {
        prefix: "198.51.100.0/24".parse().unwrap(),
        via: Via::Address("192.0.2.254".parse().unwrap(), None),
        distance: 1,
    };
    let acts = e.set_origination(vec![], vec![st], Some(None));
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(gw("192.0.2.254")))
    );
    let resolvable = |e: &mut Engine, p: &[&str]| {
        e.handle(Event::Resolvable {
            prefixes: p.iter().map(|p| p.parse().unwrap()).collect(),
            links_down: vec![],
        })
    };
    // Its gateway's link goes (A's next hop stays reachable).
    let acts = resolvable(&mut e, &["198.51.100.0/24"]);
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(gw("198.51.100.1")))
    );
    // It comes back.
    let acts = resolvable(&mut e, &["198.51.100.0/24", "192.0.2.0/24"]);
    assert_eq!(
        entry(&acts, "198.51.100.0/24"),
        Some(Some(gw("192.0.2.254")))
    );
}
