//! The first engine: routes in from one neighbour, out to another, with the
//! eBGP rules, on real encoded UPDATEs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Action, Engine, Event};
use peerd_wire::attr::{AsPath, Community, ExtCommunity, LargeCommunity, Origin};
use peerd_wire::message::{RouteRefresh, RouteRefreshSubtype};
use peerd_wire::{
    AttrAction, AttrError, AttrValue, Attribute, DecodeError, Family, Message, Nlri, Reason,
    Update, UpdateBuilder,
};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

#[test]
fn a_new_session_gets_the_table_then_end_of_rib() {
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![peer("a", [198, 51, 100, 1], 64501)],
        &[
            (
                "203.0.113.0/24".parse().unwrap(),
                vec![Attribute::new(AttrValue::Communities(vec![
                    Community::new(64500, 1),
                ]))],
            ),
            ("2001:db8:100::/40".parse().unwrap(), vec![]),
        ],
    );
    let acts = e.handle(Event::PeerUp {
        peer: 0,
        negotiated: neg(64501, [198, 51, 100, 1]),
        local_addr: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 254)),
    });
    let ups = sent_to(&acts, 0);
    assert_eq!(ups.len(), 4, "two routes, two End-of-RIB: {ups:#?}");
    assert_eq!(ups[0].nlri[0].prefix.to_string(), "203.0.113.0/24");
    assert_eq!(ups[0].as_path().unwrap().to_string(), "64500");
    assert_eq!(ups[0].communities(), [Community::new(64500, 1)]);
    assert_eq!(ups[0].next_hop(), Some(Ipv4Addr::new(198, 51, 100, 254)));
    let v6 = ups[1].mp_reach().unwrap();
    assert_eq!(
        v6.nlri.prefixes()[0].prefix.to_string(),
        "2001:db8:100::/40"
    );
    assert_eq!(
        v6.next_hop.to_string(),
        "::ffff:198.51.100.254",
        "IPv6 over an IPv4 session: mapped next hop"
    );
    assert_eq!(ups[2].end_of_rib(), Some(Family::IPV4_UNICAST));
    assert_eq!(ups[3].end_of_rib(), Some(Family::IPV6_UNICAST));
}

#[test]
fn a_link_local_session_sends_the_global_and_the_link_local_next_hop() {
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.ipv6_next_hop = Some("2001:db8:1::254".parse().unwrap());
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![a],
        &[("2001:db8:100::/40".parse().unwrap(), vec![])],
    );
    let acts = e.handle(Event::PeerUp {
        peer: 0,
        negotiated: neg(64501, [198, 51, 100, 1]),
        local_addr: "fe80::254".parse().unwrap(),
    });
    let ups = sent_to(&acts, 0);
    // RFC 2545 §3: 32 octets, global first.
    assert_eq!(
        ups[0].mp_reach().unwrap().next_hop.to_string(),
        "2001:db8:1::254 fe80::254"
    );
}

#[test]
fn ebgp_to_ebgp_prepends_sets_next_hop_self_and_drops_local_pref_and_med() {
    let mut e = engine();
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    let to_b = sent_to(&acts, 1);
    assert_eq!(to_b.len(), 1);
    let u = &to_b[0];
    assert_eq!(u.as_path().unwrap().to_string(), "64500 64501 4200000001");
    assert_eq!(u.next_hop(), Some(Ipv4Addr::new(198, 51, 100, 253)));
    assert_eq!(u.local_pref(), None);
    assert_eq!(u.med(), None, "MED is not passed between neighbouring ASes");
    assert!(
        sent_to(&acts, 0).is_empty(),
        "not sent back where it came from"
    );
    // To iBGP: no prepend, next hop kept, LOCAL_PREF 100 (the eBGP one was ignored).
    let to_c = sent_to(&acts, 2);
    assert_eq!(to_c[0].as_path().unwrap().to_string(), "64501 4200000001");
    assert_eq!(to_c[0].next_hop(), Some(Ipv4Addr::new(198, 51, 100, 1)));
    assert_eq!(to_c[0].local_pref(), Some(100));
    assert_eq!(to_c[0].med(), Some(50));
    let v = e.routes_from(0);
    assert_eq!((v.len(), v[0].local_pref, v[0].best), (1, 100, true));
}

#[test]
fn communities_travel_and_no_export_and_no_advertise_are_honoured() {
    let mut e = engine();
    let extra = vec![
        Attribute::new(AttrValue::Communities(vec![Community::new(64501, 7)])),
        Attribute::new(AttrValue::LargeCommunities(vec![LargeCommunity {
            global: 64501,
            local1: 1,
            local2: 2,
        }])),
    ];
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/26"], extra),
    });
    let u = &sent_to(&acts, 1)[0];
    assert_eq!(u.communities(), [Community::new(64501, 7)]);
    assert_eq!(u.large_communities().len(), 1);

    let no_export = vec![Attribute::new(AttrValue::Communities(vec![
        Community::NO_EXPORT,
    ]))];
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.64/26"], no_export),
    });
    assert!(
        sent_to(&acts, 1).is_empty(),
        "NO_EXPORT stays inside the AS"
    );
    assert_eq!(sent_to(&acts, 2).len(), 1, "but goes to iBGP");
    let no_adv = vec![Attribute::new(AttrValue::Communities(vec![
        Community::NO_ADVERTISE,
    ]))];
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.128/26"], no_adv),
    });
    assert!(sent_to(&acts, 1).is_empty() && sent_to(&acts, 2).is_empty());
}

/// The extended communities of an UPDATE, as sent.
fn ext_communities(u: &Update) -> Vec<ExtCommunity> {
    u.attributes
        .iter()
        .find_map(|a| match &a.value {
            AttrValue::ExtCommunities(c) => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn non_transitive_extended_communities_stay_inside_the_as() {
    let mut e = engine();
    let rt = ExtCommunity::route_target(64501, 7);
    // A non-transitive two-octet-AS community (T bit set, RFC 4360 §3.1).
    let local = ExtCommunity([0x40, 0x02, 0xfb, 0xf5, 0, 0, 0, 9]);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(
            &["192.0.2.0/27"],
            vec![Attribute::new(AttrValue::ExtCommunities(vec![rt, local]))],
        ),
    });
    assert_eq!(ext_communities(&sent_to(&acts, 1)[0]), [rt], "to eBGP");
    assert_eq!(
        ext_communities(&sent_to(&acts, 2)[0]),
        [rt, local],
        "to iBGP"
    );
    let only_local = update_from_a(
        &["192.0.2.32/27"],
        vec![Attribute::new(AttrValue::ExtCommunities(vec![local]))],
    );
    let acts = e.handle(Event::Update {
        peer: 0,
        update: only_local,
    });
    let u = &sent_to(&acts, 1)[0];
    assert!(
        !u.attributes
            .iter()
            .any(|a| matches!(a.value, AttrValue::ExtCommunities(_))),
        "no empty attribute left behind: {u:?}"
    );
}

#[test]
fn a_path_with_our_own_as_is_a_loop_and_is_not_accepted() {
    let mut e = engine();
    let mut u = update_from_a(&["192.0.2.0/24"], vec![]);
    u.attributes[1] = Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![
        64501, LOCAL_AS, 64999,
    ])));
    let acts = e.handle(Event::Update { peer: 0, update: u });
    assert!(acts.is_empty());
    assert!(e.routes_from(0).is_empty());
}

#[test]
fn withdrawals_and_treat_as_withdraw_remove_routes_everywhere() {
    let mut e = engine();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25", "192.0.2.128/25"], vec![]),
    });
    let mut w = Update::default();
    w.withdrawn.push(Nlri::new("192.0.2.0/25".parse().unwrap()));
    let acts = e.handle(Event::Update { peer: 0, update: w });
    assert_eq!(
        sent_to(&acts, 1)[0].withdrawn[0].prefix.to_string(),
        "192.0.2.0/25"
    );
    // An UPDATE that RFC 7606 says to treat as withdraw withdraws its NLRI, and nothing else.
    let mut bad = update_from_a(&["192.0.2.128/25"], vec![]);
    bad.errors.push(AttrError {
        type_code: 1,
        action: AttrAction::TreatAsWithdraw,
        family: None,
        error: DecodeError::new(3, 6, Reason::BadAttributeValue),
    });
    let acts = e.handle(Event::Update {
        peer: 0,
        update: bad,
    });
    assert_eq!(
        sent_to(&acts, 1)[0].withdrawn[0].prefix.to_string(),
        "192.0.2.128/25"
    );
    assert!(e.routes_from(0).is_empty());
    assert_eq!(e.loc_rib().len(), 1, "our own prefix is still there");
}

#[test]
fn the_better_route_wins_and_a_withdrawal_falls_back_to_the_other() {
    let mut e = engine();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/24"], vec![]),
    });
    // From B with a shorter path: B's route becomes best; A hears about it.
    let mut ub = update_from_a(&["192.0.2.0/24"], vec![]);
    ub.attributes[1] = Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![64502])));
    ub.attributes[2] = Attribute::new(AttrValue::NextHop(Ipv4Addr::new(198, 51, 100, 2)));
    let acts = e.handle(Event::Update {
        peer: 1,
        update: ub,
    });
    assert_eq!(
        sent_to(&acts, 0)[0].as_path().unwrap().to_string(),
        "64500 64502"
    );
    // B had A's route from us; our best now comes from B, so B gets a withdrawal.
    assert_eq!(
        sent_to(&acts, 1)[0].withdrawn[0].prefix.to_string(),
        "192.0.2.0/24"
    );
    // B withdraws: A's route is best again and B hears about it; A gets a withdrawal.
    let mut w = Update::default();
    w.withdrawn.push(Nlri::new("192.0.2.0/24".parse().unwrap()));
    let acts = e.handle(Event::Update { peer: 1, update: w });
    assert_eq!(
        sent_to(&acts, 1)[0].as_path().unwrap().to_string(),
        "64500 64501 4200000001"
    );
    assert_eq!(sent_to(&acts, 0)[0].withdrawn.len(), 1);
}

#[test]
fn import_deny_accepts_nothing_and_export_deny_sends_nothing() {
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.import = false;
    let mut b = peer("b", [198, 51, 100, 2], 64502);
    b.export = false;
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![a, b],
        &[("203.0.113.0/24".parse().unwrap(), vec![])],
    );
    e.handle(Event::PeerUp {
        peer: 0,
        negotiated: neg(64501, [198, 51, 100, 1]),
        local_addr: "198.51.100.254".parse().unwrap(),
    });
    let acts = e.handle(Event::PeerUp {
        peer: 1,
        negotiated: neg(64502, [198, 51, 100, 2]),
        local_addr: "198.51.100.253".parse().unwrap(),
    });
    let ups = sent_to(&acts, 1);
    assert!(
        ups.iter().all(|u| u.end_of_rib().is_some()),
        "only End-of-RIB: {ups:?}"
    );
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/24"], vec![]),
    });
    assert!(e.routes_from(0).is_empty());
}

#[test]
fn max_prefix_is_reported_when_exceeded() {
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.max_prefix_v4 = Some(2);
    let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), vec![a], &[]);
    e.handle(Event::PeerUp {
        peer: 0,
        negotiated: neg(64501, [198, 51, 100, 1]),
        local_addr: "198.51.100.254".parse().unwrap(),
    });
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/26", "192.0.2.64/26"], vec![]),
    });
    assert!(!acts.iter().any(|a| matches!(a, Action::MaxPrefix { .. })));
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.128/26"], vec![]),
    });
    assert!(acts.contains(&Action::MaxPrefix {
        peer: 0,
        family: Family::IPV4_UNICAST,
        limit: 2
    }));
    // Still over (action "warn" keeps the session): not reported again.
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.192/26"], vec![]),
    });
    assert!(!acts.iter().any(|a| matches!(a, Action::MaxPrefix { .. })));
}

#[test]
fn max_prefix_warns_once_at_the_threshold_and_again_after_falling_below() {
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.max_prefix_v4 = Some(4);
    a.max_prefix_warning_percent = 75;
    let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), vec![a], &[]);
    e.handle(Event::PeerUp {
        peer: 0,
        negotiated: neg(64501, [198, 51, 100, 1]),
        local_addr: "198.51.100.254".parse().unwrap(),
    });
    let warnings = |acts: &[Action]| {
        acts.iter()
            .filter_map(|a| match a {
                Action::MaxPrefixWarning { count, limit, .. } => Some((*count, *limit)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let mut send = |prefixes: &[&str], withdraw: &[&str]| {
        let mut u = if prefixes.is_empty() {
            Update::default()
        } else {
            update_from_a(prefixes, vec![])
        };
        for w in withdraw {
            u.withdrawn.push(Nlri::new(w.parse().unwrap()));
        }
        e.handle(Event::Update { peer: 0, update: u })
    };
    assert!(warnings(&send(&["192.0.2.0/26", "192.0.2.64/26"], &[])).is_empty());
    // The same prefix again is a replacement, not a third prefix.
    assert!(warnings(&send(&["192.0.2.0/26"], &[])).is_empty());
    assert_eq!(warnings(&send(&["192.0.2.128/26"], &[])), [(3, 4)]);
    assert!(warnings(&send(&["192.0.2.128/26"], &[])).is_empty(), "once");
    let at_limit = send(&["192.0.2.192/26"], &[]);
    assert!(warnings(&at_limit).is_empty());
    assert!(
        !at_limit
            .iter()
            .any(|a| matches!(a, Action::MaxPrefix { .. })),
        "4 of 4 is allowed"
    );
    assert!(warnings(&send(&[], &["192.0.2.0/26", "192.0.2.64/26"])).is_empty());
    assert_eq!(
        warnings(&send(&["192.0.2.0/26"], &[])),
        [(3, 4)],
        "again after falling below"
    );
}

#[test]
fn graceful_restart_keeps_stale_routes_until_end_of_rib() {
    let mut e = engine();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25", "192.0.2.128/25"], vec![]),
    });
    let acts = e.handle(Event::PeerDown {
        peer: 0,
        graceful_restart: Some(Duration::from_secs(120)),
    });
    assert_eq!(
        acts,
        vec![Action::StaleTimer {
            peer: 0,
            after: Duration::from_secs(120)
        }]
    );
    assert!(e.routes_from(0).iter().all(|r| r.stale));
    // The neighbour comes back and re-sends one of the two routes, then End-of-RIB.
    e.handle(Event::PeerUp {
        peer: 0,
        negotiated: neg(64501, [198, 51, 100, 1]),
        local_addr: "198.51.100.254".parse().unwrap(),
    });
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    let acts = e.handle(Event::Update {
        peer: 0,
        update: Update::default(),
    });
    let v = e.routes_from(0);
    assert_eq!(v.len(), 1);
    assert!(!v[0].stale);
    assert_eq!(
        sent_to(&acts, 1)[0].withdrawn[0].prefix.to_string(),
        "192.0.2.128/25"
    );
}

#[test]
fn without_graceful_restart_a_down_peer_is_flushed() {
    let mut e = engine();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    let acts = e.handle(Event::PeerDown {
        peer: 0,
        graceful_restart: None,
    });
    assert_eq!(sent_to(&acts, 1)[0].withdrawn.len(), 1);
    assert!(e.routes_from(0).is_empty());
}

#[test]
fn route_refresh_resends_the_table_between_borr_and_eorr() {
    let mut e = engine();
    let acts = e.handle(Event::RouteRefresh {
        peer: 1,
        refresh: RouteRefresh {
            family: Family::IPV4_UNICAST,
            subtype: RouteRefreshSubtype::Request,
            orf: vec![],
        },
    });
    let Some(Action::Send { messages, .. }) = acts.first() else {
        panic!("{acts:?}")
    };
    let kinds: Vec<String> = messages
        .iter()
        .map(
            |m| match Message::decode(m, &peerd_wire::DecodeContext::MODERN).unwrap() {
                Message::RouteRefresh(r) => format!("{:?}", r.subtype),
                Message::Update(u) => u
                    .nlri
                    .iter()
                    .map(|n| n.prefix.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                m => format!("{m:?}"),
            },
        )
        .collect();
    assert_eq!(kinds, ["BeginOfRib", "203.0.113.0/24", "EndOfRib"]);
}

/// Route reflection (RFC 4456): clients c1 and c2, non-clients n1 and n2,
/// an eBGP neighbour e; cluster ID 192.0.2.100.
#[test]
fn route_reflection_follows_rfc_4456() {
    let client = |name, addr: [u8; 4]| {
        let mut p = peer(name, addr, LOCAL_AS);
        p.rr_client = true;
        p
    };
    let mut n1 = peer("n1", [192, 0, 2, 13], LOCAL_AS);
    n1.next_hop_self = true;
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![
            client("c1", [192, 0, 2, 11]),
            client("c2", [192, 0, 2, 12]),
            n1,
            peer("n2", [192, 0, 2, 14], LOCAL_AS),
            peer("e", [198, 51, 100, 1], 64501),
        ],
        &[],
    );
    e.set_cluster_id(Ipv4Addr::new(192, 0, 2, 100));
    for (i, asn, last) in [
        (0, LOCAL_AS, 11),
        (1, LOCAL_AS, 12),
        (2, LOCAL_AS, 13),
        (3, LOCAL_AS, 14),
        (4, 64501, 1),
    ] {
        let id = if asn == LOCAL_AS {
            [192, 0, 2, last]
        } else {
            [198, 51, 100, last]
        };
        e.handle(Event::PeerUp {
            peer: i,
            negotiated: neg(asn, id),
            local_addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        });
    }
    let ibgp = |prefix: &str, nh: [u8; 4], extra: Vec<Attribute>| {
        let mut attrs = vec![
            Attribute::new(AttrValue::Origin(Origin::Igp)),
            Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![64510]))),
            Attribute::new(AttrValue::NextHop(Ipv4Addr::from(nh))),
            Attribute::new(AttrValue::LocalPref(100)),
        ];
        attrs.extend(extra);
        let msgs = UpdateBuilder::new(&peerd_wire::DecodeContext::MODERN)
            .announce(
                Family::IPV4_UNICAST,
                &attrs,
                None,
                &[Nlri::new(prefix.parse().unwrap())],
            )
            .unwrap();
        match Message::decode(&msgs[0], &peerd_wire::DecodeContext::MODERN).unwrap() {
            Message::Update(u) => u,
            _ => unreachable!(),
        }
    };
    let attr = |u: &Update, f: fn(&AttrValue) -> Option<String>| {
        u.attributes.iter().find_map(|a| f(&a.value))
    };
    let originator = |v: &AttrValue| match v {
        AttrValue::OriginatorId(a) => Some(a.to_string()),
        _ => None,
    };
    let clusters = |v: &AttrValue| match v {
        AttrValue::ClusterList(l) => Some(format!("{l:?}")),
        _ => None,
    };

    // From client c1: to c2, n1, n2 (reflected) and e (plain eBGP).
    let acts = e.handle(Event::Update {
        peer: 0,
        update: ibgp("203.0.113.0/24", [192, 0, 2, 11], vec![]),
    });
    for p in [1, 2, 3] {
        let u = &sent_to(&acts, p)[0];
        assert_eq!(attr(u, originator).as_deref(), Some("192.0.2.11"), "to {p}");
        assert_eq!(
            attr(u, clusters).as_deref(),
            Some("[192.0.2.100]"),
            "to {p}"
        );
        assert_eq!(
            u.next_hop(),
            Some(Ipv4Addr::new(192, 0, 2, 11)),
            "next hop kept"
        );
    }
    let to_e = &sent_to(&acts, 4)[0];
    assert_eq!(attr(to_e, originator), None, "not to eBGP");
    assert_eq!(attr(to_e, clusters), None);
    assert!(sent_to(&acts, 0).is_empty());

    // From non-client n2: to the clients only.
    let acts = e.handle(Event::Update {
        peer: 3,
        update: ibgp("198.51.100.0/24", [192, 0, 2, 14], vec![]),
    });
    assert_eq!(sent_to(&acts, 0).len(), 1);
    assert_eq!(sent_to(&acts, 1).len(), 1);
    assert!(sent_to(&acts, 2).is_empty(), "non-client to non-client");

    // A route that already went through our cluster, or that we
    // originated, is dropped.
    for extra in [
        vec![Attribute::new(AttrValue::ClusterList(vec![Ipv4Addr::new(
            192, 0, 2, 100,
        )]))],
        vec![Attribute::new(AttrValue::OriginatorId(Ipv4Addr::new(
            192, 0, 2, 1,
        )))],
    ] {
        let acts = e.handle(Event::Update {
            peer: 1,
            update: ibgp("192.0.2.128/25", [192, 0, 2, 12], extra),
        });
        assert!(acts.is_empty(), "{acts:?}");
        assert!(e.candidates("192.0.2.128/25".parse().unwrap()).is_empty());
    }
    // An existing CLUSTER_LIST gets our ID in front.
    let acts = e.handle(Event::Update {
        peer: 1,
        update: ibgp(
            "192.0.2.0/25",
            [192, 0, 2, 12],
            vec![Attribute::new(AttrValue::ClusterList(vec![Ipv4Addr::new(
                10, 0, 0, 1,
            )]))],
        ),
    });
    assert_eq!(
        attr(&sent_to(&acts, 0)[0], clusters).as_deref(),
        Some("[192.0.2.100, 10.0.0.1]")
    );

    // next-hop-self towards n1 for eBGP-learned routes only.
    let acts = e.handle(Event::Update {
        peer: 4,
        update: update_from_a(&["198.18.0.0/24"], vec![]),
    });
    assert_eq!(
        sent_to(&acts, 2)[0].next_hop(),
        Some(Ipv4Addr::new(192, 0, 2, 1))
    );
    assert_eq!(
        sent_to(&acts, 3)[0].next_hop(),
        Some(Ipv4Addr::new(198, 51, 100, 1))
    );
}
