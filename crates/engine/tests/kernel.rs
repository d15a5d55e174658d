//! Other programs' kernel routes in the routing table (`[fib] import`):
//! taken through the import policy, losing to BGP by default and winning
//! when given a lower distance (then our own kernel route goes), covering
//! conditional announcements, shown as "kernel", and sent to neighbours
//! only when redistributed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Announcement, Event, Forward, KernelImport, Step, Via};
use peerd_policy::{Match, Policy, Verdict};

fn kernel(routes: &[(&str, &str)]) -> Event {
    Event::KernelRoutes {
        routes: routes
            .iter()
            .map(|(p, gw)| (p.parse().unwrap(), Via::Address(gw.parse().unwrap(), None)))
            .collect(),
    }
}

#[test]
fn kernel_routes_are_imported_through_the_policy() {
    let mut e = engine();
    bring_up(&mut e, &[A_UP, B_UP]);
    e.set_forwarding(true);
    // Only default routes: "from-kernel" accepts 0.0.0.0/0 and rejects
    // the rest.
    e.set_policies(policies(vec![Policy {
        name: "from-kernel".into(),
        terms: vec![
            term(
                vec![Match::Prefix(std::sync::Arc::new(vec!["0.0.0.0/0"
                    .parse()
                    .unwrap()]))],
                vec![],
                Verdict::Accept,
            ),
            term(vec![], vec![], Verdict::Reject),
        ],
    }]));
    let from_kernel = Some(Some(0));
    e.set_origination(
        vec![Announcement {
            prefix: "203.0.113.0/24".parse().unwrap(),
            attrs: vec![],
            when_covered: true,
        }],
        vec![],
        None,
    );
    // Not imported yet: the kernel's routes change nothing.
    let acts = e.handle(kernel(&[
        ("0.0.0.0/0", "192.0.2.1"),
        ("192.0.2.128/25", "192.0.2.2"),
    ]));
    assert!(sent_to(&acts, 1).is_empty(), "{acts:?}");
    assert!(e.candidates("0.0.0.0/0".parse().unwrap()).is_empty());

    // Imported: the DHCP-style default is in the routing table, and our
    // conditional announcement goes out; the other route is not taken.
    let acts = e.set_kernel_import(KernelImport {
        import: from_kernel,
        ..Default::default()
    });
    let (ann, _) = prefixes(&sent_to(&acts, 1));
    assert_eq!(ann, ["203.0.113.0/24"], "covered by the kernel's default");
    assert_eq!(
        entry(&acts, "0.0.0.0/0"),
        Some(None),
        "never installed by us"
    );
    let c = e.candidates("0.0.0.0/0".parse().unwrap());
    assert_eq!(c.len(), 1);
    assert_eq!((c[0].protocol, c[0].best), ("kernel", true));
    assert_eq!(c[0].next_hop, "192.0.2.1");
    assert!(e.candidates("192.0.2.128/25".parse().unwrap()).is_empty());
    assert_eq!(
        e.lookup("198.18.0.1".parse().unwrap()),
        "0.0.0.0/0".parse().ok()
    );

    // A BGP default: it wins at distance 250 (and is installed by us);
    // the kernel's loses at the routing table's step.
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["0.0.0.0/0"], vec![]),
    });
    assert_eq!(
        entry(&acts, "0.0.0.0/0"),
        Some(Some(Forward::Gateways(vec!["198.51.100.1"
            .parse()
            .unwrap()])))
    );
    let c = e.candidates("0.0.0.0/0".parse().unwrap());
    assert_eq!((c[0].protocol, c[0].best), ("bgp", true));
    assert_eq!((c[1].protocol, c[1].lost), ("kernel", Some(Step::Distance)));
    // At distance 5 the kernel's wins: our own kernel route goes.
    let acts = e.set_kernel_import(KernelImport {
        import: from_kernel,
        distance: 5,
        redistribute: None,
    });
    assert_eq!(entry(&acts, "0.0.0.0/0"), Some(None));
    let rib = e.loc_rib();
    let d = rib.iter().find(|r| r.prefix.is_empty()).unwrap();
    assert_eq!(d.protocol, "kernel");
    e.handle(Event::Update {
        peer: 0,
        update: withdrawal(&["0.0.0.0/0"]),
    });

    // The default leaves the kernel: our announcement is withdrawn.
    let acts = e.handle(kernel(&[("192.0.2.128/25", "192.0.2.2")]));
    let (_, wd) = prefixes(&sent_to(&acts, 1));
    assert_eq!(wd, ["203.0.113.0/24"]);
    assert!(e.candidates("0.0.0.0/0".parse().unwrap()).is_empty());
}

#[test]
fn imported_kernel_routes_enter_bgp_only_when_redistributed() {
    let mut e = engine();
    bring_up(&mut e, &[A_UP, B_UP]);
    e.handle(kernel(&[("192.0.2.128/25", "192.0.2.2")]));
    let acts = e.set_kernel_import(KernelImport {
        import: Some(None),
        ..Default::default()
    });
    assert!(sent_to(&acts, 1).is_empty(), "not redistributed: {acts:?}");
    let acts = e.set_kernel_import(KernelImport {
        import: Some(None),
        redistribute: Some(None),
        ..Default::default()
    });
    let ups = sent_to(&acts, 1);
    assert_eq!(prefixes(&ups).0, ["192.0.2.128/25"]);
    let origin = ups[0].attributes.iter().find_map(|a| match &a.value {
        peerd_wire::AttrValue::Origin(o) => Some(o),
        _ => None,
    });
    assert_eq!(origin, Some(&peerd_wire::attr::Origin::Incomplete));
    // The route leaves the kernel: withdrawn.
    let acts = e.handle(kernel(&[]));
    assert_eq!(prefixes(&sent_to(&acts, 1)).1, ["192.0.2.128/25"]);
}
