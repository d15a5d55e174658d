//! The routing table and a neighbour's routes, page by page: walking the
//! pages gives exactly the whole view, in order, static and kernel routes
//! included, whatever the page size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Event, Static, Via};
use peerd_wire::Prefix;

#[test]
fn pages_walk_the_whole_view() {
    let mut e = engine();
    let v4: Vec<String> = (0..23).map(|i| format!("198.51.{i}.0/24")).collect();
    let v4: Vec<&str> = v4.iter().map(String::as_str).collect();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&v4, vec![]),
    });
    let st = |p: &str| Static {
        prefix: p.parse().unwrap(),
        via: Via::Blackhole,
        distance: 1,
    };
    // A static route between BGP prefixes, one after all of them, one
    // replacing a BGP route; a kernel route.
    e.set_origination(
        vec![],
        vec![
            st("198.51.5.128/25"),
            st("203.0.113.0/24"),
            st("198.51.7.0/24"),
        ],
        None,
    );
    e.handle(Event::KernelRoutes {
        routes: vec![("192.0.2.0/24".parse().unwrap(), Via::Blackhole)],
    });
    e.set_kernel_import(peerd_engine::KernelImport {
        import: Some(None),
        ..Default::default()
    });
    let whole: Vec<Prefix> = e.loc_rib().iter().map(|r| r.prefix).collect();
    assert_eq!(whole.len(), 23 + 2 + 1);
    for size in [1, 2, 7, 26, 1000] {
        let mut got = Vec::new();
        let mut after = None;
        loop {
            let page = e.loc_rib_page(after, size);
            assert!(page.routes.len() <= size);
            got.extend(page.routes.iter().map(|r| r.prefix));
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        assert_eq!(got, whole, "pages of {size}");
    }
    let protocols: Vec<&str> = e
        .loc_rib_page(None, 1000)
        .routes
        .iter()
        .map(|r| r.protocol)
        .collect();
    assert!(protocols.contains(&"kernel") && protocols.contains(&"static"));
    assert_eq!(
        e.prefix_count(peerd_wire::Family::IPV4_UNICAST),
        whole.len()
    );

    // A neighbour's routes.
    let mut got = Vec::new();
    let mut after = None;
    loop {
        let page = e.routes_from_page(0, false, after, 5).unwrap();
        got.extend(page.routes.iter().map(|r| r.prefix.to_string()));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let mut want: Vec<String> = v4.iter().map(|s| s.to_string()).collect();
    want.sort_by_key(|p| p.parse::<Prefix>().unwrap());
    assert_eq!(got, want);
    // Not kept as received: None.
    assert!(e.routes_from_page(0, true, None, 5).is_none());
}

/// MRT table dumps: the Loc-RIB's best route per prefix or every
/// neighbour's, page by page, each with the attributes a RIB entry carries
/// (AS_PATH with the real path, NEXT_HOP).
#[test]
fn dumps_carry_every_route_with_its_attributes() {
    use peerd_wire::attr::AttrValue;
    let mut e = engine();
    e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24", "198.51.101.0/24"], vec![]),
    });
    // B has one of them too (a longer path: not the best).
    let attrs = vec![
        peerd_wire::Attribute::new(AttrValue::Origin(peerd_wire::attr::Origin::Igp)),
        peerd_wire::Attribute::new(AttrValue::AsPath(peerd_wire::attr::AsPath::from_sequence(
            vec![64502, 64999, 4_200_000_001],
        ))),
        peerd_wire::Attribute::new(AttrValue::NextHop("198.51.100.2".parse().unwrap())),
    ];
    e.handle(Event::Update {
        peer: 1,
        update: update_with(&attrs, &["198.51.100.0/24"]),
    });
    let peers = e.dump_peers();
    assert_eq!(peers.len(), 3);
    assert_eq!(peers[1].asn, 64502);
    // The Loc-RIB: ours and A's two, one page of two then one.
    let (page, next) = e.dump_page(false, None, 2);
    assert_eq!(page.len(), 2);
    let (rest, last) = e.dump_page(false, next, 2);
    assert_eq!((rest.len(), last), (1, None));
    let (p, routes) = &page[0];
    assert_eq!(p.to_string(), "198.51.100.0/24");
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].peer, Some(0));
    let kinds: Vec<u8> = routes[0].attributes.iter().map(|a| a.type_code()).collect();
    assert!(
        kinds.contains(&2) && kinds.contains(&3),
        "AS_PATH and NEXT_HOP: {kinds:?}"
    );
    // The Adj-RIB-Ins: both neighbours' routes for the shared prefix, ours not.
    let (all, _) = e.dump_page(true, None, 10);
    assert_eq!(all.len(), 2);
    let peers_of: Vec<Option<usize>> = all[0].1.iter().map(|r| r.peer).collect();
    assert_eq!(peers_of, [Some(0), Some(1)]);
    let path = all[0].1[1].attributes.iter().find_map(|a| match &a.value {
        AttrValue::AsPath(p) => Some(p.to_string()),
        _ => None,
    });
    assert_eq!(path.as_deref(), Some("64502 64999 4200000001"));
}
