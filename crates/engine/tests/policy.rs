//! Policies in the engine on real UPDATEs: an import policy shapes what
//! enters the Adj-RIB-In (also from kept routes), an export policy what one
//! neighbour is sent, and `allow-leak` overrides the RFC 9234 rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Action, Engine, Event};
use peerd_wire::{AttrValue, Attribute};
use std::net::Ipv4Addr;

#[test]
fn an_import_policy_rejects_and_changes_what_enters_the_rib() {
    use peerd_policy::{Match, Policy, Set, Verdict};
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.import_policy = Some(0);
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![
            a,
            peer("b", [198, 51, 100, 2], 64502),
            peer("c", [192, 0, 2, 3], LOCAL_AS),
        ],
        &[],
    );
    e.set_policies(policies(vec![Policy {
        name: "in".into(),
        terms: vec![
            term(
                vec![Match::Prefix(std::sync::Arc::new(vec!["192.0.2.128/25"
                    .parse()
                    .unwrap()]))],
                vec![],
                Verdict::Reject,
            ),
            // (192.0.2.0/25 is a bogon too: documentation.)
            term(
                vec![Match::Bogon(true), Match::PrefixLength(8, 10)],
                vec![],
                Verdict::Reject,
            ),
            term(
                vec![],
                vec![
                    Set::LocalPref(250),
                    Set::AddCommunities(vec!["64500:7".parse().unwrap()]),
                ],
                Verdict::Accept,
            ),
        ],
    }]));
    bring_up(&mut e, &[A_UP, C_UP]);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25", "192.0.2.128/25"], vec![]),
    });
    let v = e.routes_from(0);
    assert_eq!(v.len(), 1, "{v:#?}");
    assert_eq!(v[0].prefix.to_string(), "192.0.2.0/25");
    assert_eq!(v[0].local_pref, 250);
    assert!(v[0].communities.contains(&"64500:7".to_string()));
    assert_eq!(e.routes_filtered(0), 1);
    // A bogon is counted as one (the term that rejected it matched on it).
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["10.0.0.0/8", "100.64.0.0/10"], vec![]),
    });
    let f = e.routes_filtered_by(0);
    assert_eq!((f.policy, f.bogon, f.rpki_invalid), (1, 2, 0), "{f:?}");
    assert_eq!(e.routes_filtered(0), 3);
    // iBGP sees the LOCAL_PREF the policy set.
    let to_c = sent_to(&acts, 2);
    assert_eq!(to_c.len(), 1);
    assert_eq!(to_c[0].local_pref(), Some(250));
    assert_eq!(to_c[0].nlri.len(), 1);
}

#[test]
fn an_export_policy_prepends_sets_med_and_filters_for_its_neighbour_only() {
    use peerd_policy::{Match, Policy, Set, Verdict};
    let mut b = peer("b", [198, 51, 100, 2], 64502);
    b.export_policy = Some(0);
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![
            peer("a", [198, 51, 100, 1], 64501),
            b,
            peer("c", [192, 0, 2, 3], LOCAL_AS),
        ],
        &[],
    );
    e.set_policies(policies(vec![Policy {
        name: "out".into(),
        terms: vec![
            term(
                vec![Match::PrefixLength(25, 25)],
                vec![Set::Prepend(2), Set::Med(10)],
                Verdict::Accept,
            ),
            term(vec![], vec![], Verdict::Reject),
        ],
    }]));
    bring_up(&mut e, &[A_UP, B_UP, C_UP]);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25", "198.51.100.0/24"], vec![]),
    });
    let to_b = sent_to(&acts, 1);
    assert_eq!(to_b.len(), 1, "{to_b:#?}");
    assert_eq!(to_b[0].nlri.len(), 1);
    assert_eq!(to_b[0].nlri[0].prefix.to_string(), "192.0.2.0/25");
    assert_eq!(
        to_b[0].as_path().unwrap().to_string(),
        "64500 64500 64500 64501 4200000001"
    );
    assert_eq!(to_b[0].med(), Some(10), "a MED the policy set goes to eBGP");
    // c has no export policy: both prefixes, path unchanged.
    let to_c = sent_to(&acts, 2);
    assert_eq!(to_c.iter().map(|u| u.nlri.len()).sum::<usize>(), 2);
    assert_eq!(to_c[0].as_path().unwrap().to_string(), "64501 4200000001");
}

/// Soft reconfiguration inbound: with `keep_received`, routes are kept as
/// they came; a new import policy applies from them, with no route
/// refresh, and what it now accepts reaches the other neighbours.
#[test]
fn kept_routes_go_through_a_new_import_policy() {
    use peerd_policy::{Match, Policy, Verdict};
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.keep_received = true;
    a.import_policy = Some(0);
    let peers = vec![a.clone(), peer("b", [198, 51, 100, 2], 64502)];
    let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), peers, &[]);
    let only_24 = |len| {
        policies(vec![Policy {
            name: "in".into(),
            terms: vec![
                term(vec![Match::PrefixLength(len, len)], vec![], Verdict::Accept),
                term(vec![], vec![], Verdict::Reject),
            ],
        }])
    };
    e.set_policies(only_24(24));
    bring_up(&mut e, &[A_UP, B_UP]);
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25", "198.51.100.0/24"], vec![]),
    });
    assert_eq!(e.routes_from(0).len(), 1);
    assert_eq!(e.routes_received(0).unwrap().len(), 2);
    assert!(e.routes_received(1).is_none(), "b keeps nothing");

    // The policy now takes /25s: the kept /25 goes in, the /24 out.
    let mut b = peer("b", [198, 51, 100, 2], 64502);
    b.import = true;
    let acts = reload_policies(&mut e, only_24(25), vec![(0, a), (1, b)], vec![0]);
    let v = e.routes_from(0);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].prefix.to_string(), "192.0.2.0/25");
    let (ann, wd) = prefixes(&sent_to(&acts, 1));
    assert_eq!(
        (ann, wd),
        (
            vec!["192.0.2.0/25".to_string()],
            vec!["198.51.100.0/24".to_string()]
        )
    );
    assert!(sent_to(&acts, 0).is_empty(), "nothing asked of a");
    // A withdrawal empties both tables.
    let u = withdrawal(&["192.0.2.0/25"]);
    e.handle(Event::Update { peer: 0, update: u });
    assert_eq!(e.routes_from(0).len(), 0);
    assert_eq!(e.routes_received(0).unwrap().len(), 1);
}

/// RFC 9234 rules are the default; a policy may override them
/// (`allow-leak`), and the engine says so once per session and direction.
#[test]
fn a_policy_may_override_the_role_rules_and_says_so() {
    use peerd_policy::{Policy, Set, Verdict};
    use peerd_wire::capability::Role;
    let build = |with_override: bool| {
        let mut a = peer("a", [198, 51, 100, 1], 64501);
        a.role = Some(Role::Peer);
        let mut b = peer("b", [198, 51, 100, 2], 64502);
        b.role = Some(Role::Customer); // b is our provider
        if with_override {
            a.import_policy = Some(0);
            b.export_policy = Some(0);
        }
        let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), vec![a, b], &[]);
        e.set_policies(policies(vec![Policy {
            name: "leak-ok".into(),
            terms: vec![term(vec![], vec![Set::AllowLeak], Verdict::Accept)],
        }]));
        bring_up(&mut e, &[A_UP, B_UP]);
        e
    };
    let leaked = || {
        update_from_a(
            &["192.0.2.0/25", "192.0.2.128/25"],
            vec![Attribute::new(AttrValue::Otc(64999))],
        )
    };
    let overrides = |acts: &[Action]| {
        acts.iter()
            .filter_map(|a| match a {
                Action::LeakOverride { peer, export, .. } => Some((*peer, *export)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };

    // Without an override: a leak from a peer is ineligible and goes nowhere.
    let mut e = build(false);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: leaked(),
    });
    assert!(sent_to(&acts, 1).is_empty());
    assert!(e.routes_from(0).iter().all(|r| r.leak && !r.best));
    assert!(overrides(&acts).is_empty());

    // With one on import (from a) and export (to b): chosen and sent, and
    // each override reported once, not per prefix.
    let mut e = build(true);
    let acts = e.handle(Event::Update {
        peer: 0,
        update: leaked(),
    });
    assert!(e.routes_from(0).iter().all(|r| !r.leak && r.best));
    let to_b = sent_to(&acts, 1);
    assert_eq!(to_b.iter().map(|u| u.nlri.len()).sum::<usize>(), 2);
    assert_eq!(overrides(&acts), [(0, false), (1, true)]);
    let again = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(
            &["198.51.100.0/24"],
            vec![Attribute::new(AttrValue::Otc(64999))],
        ),
    });
    assert!(overrides(&again).is_empty(), "reported once");
}

/// Remotely triggered blackholing: an import policy sets the next hop of
/// routes tagged BLACKHOLE (RFC 7999) to discard. The route is marked
/// (traffic to it is dropped here), stays a BGP route, and keeps its mark
/// when kept routes go through the policy again after a reload.
#[test]
fn an_import_policy_can_discard_traffic_to_a_tagged_prefix() {
    use peerd_policy::{Match, Policy, Set, Verdict};
    use peerd_wire::attr::Community;
    let mut a = peer("a", [198, 51, 100, 1], 64501);
    a.keep_received = true;
    a.import_policy = Some(0);
    let peers = vec![a.clone(), peer("b", [198, 51, 100, 2], 64502)];
    let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), peers, &[]);
    let rtbh = || {
        policies(vec![Policy {
            name: "in".into(),
            terms: vec![
                term(
                    vec![Match::Community(vec!["blackhole".parse().unwrap()])],
                    vec![Set::Discard],
                    Verdict::Accept,
                ),
                term(vec![], vec![], Verdict::Accept),
            ],
        }])
    };
    e.set_policies(rtbh());
    bring_up(&mut e, &[A_UP, B_UP]);
    let tag = Attribute::new(AttrValue::Communities(vec![Community::BLACKHOLE]));
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.66/32"], vec![tag]),
    });
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24"], vec![]),
    });
    let discarded = |e: &Engine| -> Vec<(String, bool)> {
        e.routes_from(0)
            .iter()
            .map(|v| (v.prefix.to_string(), v.discard))
            .collect()
    };
    assert_eq!(
        discarded(&e),
        [
            ("192.0.2.66/32".to_string(), true),
            ("198.51.100.0/24".to_string(), false)
        ]
    );
    let c = e.candidates("192.0.2.66/32".parse().unwrap());
    assert!(c[0].best && c[0].discard);
    assert_eq!(
        c[0].next_hop, "198.51.100.1",
        "the received next hop is still shown"
    );
    let (to_b, _) = prefixes(&sent_to(&acts, 1));
    assert_eq!(to_b, ["192.0.2.66/32"], "still a BGP route");
    // Through the policy again from the kept routes: the mark is kept.
    let mut b = peer("b", [198, 51, 100, 2], 64502);
    b.import = true;
    reload_policies(&mut e, rtbh(), vec![(0, a), (1, b)], vec![0]);
    assert_eq!(discarded(&e)[0], ("192.0.2.66/32".to_string(), true));
}
