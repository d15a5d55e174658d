//! The routing table and a neighbour's routes, page by page: walking the
//! pages gives exactly the whole view, in order, static and kernel routes
//! included, whatever the page size; filtered listings (more-specifics,
//! community, AS path, origin AS, neighbour) and what a neighbour is sent,
//! with a bounded walk per page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Event, RouteFilter, RouteSet, Static, Via, SCAN_LIMIT};
use peerd_wire::attr::{AsPath, AttrValue, Origin};
use peerd_wire::Attribute;
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
            let page = e.loc_rib_page(after, size, &RouteFilter::default());
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
        .loc_rib_page(None, 1000, &RouteFilter::default())
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
        let page = e
            .routes_page(0, RouteSet::Accepted, after, 5, &RouteFilter::default())
            .unwrap();
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
    assert!(e
        .routes_page(0, RouteSet::Received, None, 5, &RouteFilter::default())
        .is_none());
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

/// Every page of a listing, walked to the end: the routes' prefixes and
/// how many pages it took.
fn walk(mut page: impl FnMut(Option<Prefix>) -> peerd_engine::Page) -> (Vec<String>, usize) {
    let (mut got, mut pages, mut after) = (Vec::new(), 0, None);
    loop {
        let p = page(after);
        pages += 1;
        got.extend(p.routes.iter().map(|r| r.prefix.to_string()));
        match p.next {
            Some(n) => after = Some(n),
            None => return (got, pages),
        }
    }
}

fn attrs(path: Vec<u32>, nh: [u8; 4], community: Option<u32>) -> Vec<Attribute> {
    let mut v = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(path))),
        Attribute::new(AttrValue::NextHop(nh.into())),
    ];
    if let Some(c) = community {
        v.push(Attribute::new(AttrValue::Communities(vec![
            peerd_wire::attr::Community(c),
        ])));
    }
    v
}

#[test]
fn filters_narrow_listings_and_pages_stay_bounded() {
    let mut e = engine();
    let c = |a: u32, v: u32| Some((a << 16) | v);
    for (prefix, community) in [
        ("198.51.0.0/16", None),
        ("198.51.100.0/24", c(64501, 10)),
        ("198.51.100.128/25", c(64501, 20)),
        ("198.51.101.0/24", None),
    ] {
        e.handle(Event::Update {
            peer: 0,
            update: update_with(
                &attrs(vec![64501, 4_200_000_001], [198, 51, 100, 1], community),
                &[prefix],
            ),
        });
    }
    e.handle(Event::Update {
        peer: 1,
        update: update_with(
            &attrs(vec![64502, 64999], [198, 51, 100, 2], None),
            &["192.0.2.0/24"],
        ),
    });
    let rib = |f: RouteFilter, size: usize| walk(|after| e.loc_rib_page(after, size, &f)).0;
    let within = |p: &str| RouteFilter {
        within: Some(p.parse().unwrap()),
        ..Default::default()
    };
    // More-specifics: the prefix and what it holds, not what holds it.
    for size in [1, 2, 10] {
        assert_eq!(
            rib(within("198.51.100.0/24"), size),
            ["198.51.100.0/24", "198.51.100.128/25"]
        );
    }
    assert_eq!(rib(within("198.51.100.0/23"), 1).len(), 3);
    assert!(rib(within("2001:db8::/32"), 5).is_empty());
    // Community patterns, AS-path expressions, origin AS, neighbour.
    let community = |p: &str| RouteFilter {
        community: Some(p.parse().unwrap()),
        ..Default::default()
    };
    assert_eq!(rib(community("64501:20"), 1), ["198.51.100.128/25"]);
    assert_eq!(rib(community("64501:*"), 1).len(), 2);
    let path = RouteFilter {
        as_path: Some(peerd_policy::AsPathRegex::new("_64999$").unwrap()),
        ..Default::default()
    };
    assert_eq!(rib(path, 3), ["192.0.2.0/24"]);
    let origin = |asn| RouteFilter {
        origin_as: Some(asn),
        ..Default::default()
    };
    assert_eq!(rib(origin(4_200_000_001), 2).len(), 4);
    assert_eq!(rib(origin(64500), 2), ["203.0.113.0/24"], "ours: our AS");
    let from_b = RouteFilter {
        from: Some(1),
        ..Default::default()
    };
    assert_eq!(rib(from_b, 2), ["192.0.2.0/24"]);
    // Parts together: all must hold.
    let both = RouteFilter {
        community: Some("64501:10".parse().unwrap()),
        ..within("198.51.100.128/25")
    };
    assert!(rib(both, 5).is_empty());

    // What B is sent: A's routes and ours, our AS first, our next hop;
    // not its own. What A is sent: not its own either.
    let sent = |peer: usize, f: RouteFilter| {
        walk(|after| {
            e.routes_page(peer, RouteSet::Advertised, after, 2, &f)
                .unwrap()
        })
        .0
    };
    let to_b = e
        .routes_page(1, RouteSet::Advertised, None, 100, &RouteFilter::default())
        .unwrap();
    assert_eq!(to_b.routes.len(), 5);
    let r = to_b
        .routes
        .iter()
        .find(|r| r.prefix.to_string() == "198.51.100.128/25")
        .unwrap();
    assert_eq!(r.as_path, "64500 64501 4200000001");
    assert_eq!(r.next_hop, "198.51.100.253");
    assert_eq!(r.communities, ["64501:20"]);
    assert_eq!(r.med, None, "a MED is not passed to another AS");
    assert!(!sent(1, RouteFilter::default()).contains(&"192.0.2.0/24".to_string()));
    assert_eq!(
        sent(
            0,
            RouteFilter {
                as_path: Some(peerd_policy::AsPathRegex::new("^64500 64502").unwrap()),
                ..Default::default()
            }
        ),
        ["192.0.2.0/24"]
    );
    assert_eq!(sent(1, within("198.51.100.0/24")).len(), 2);

    // A filter that matches nothing in a big table: every page looks at
    // no more than SCAN_LIMIT prefixes and says where to go on.
    let n = SCAN_LIMIT + SCAN_LIMIT / 2;
    let many: Vec<String> = (0..n as u32)
        .map(|i| {
            let a = 0x0A00_0000 + (i << 8);
            format!("{}/24", std::net::Ipv4Addr::from(a))
        })
        .collect();
    for chunk in many.chunks(500) {
        let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
        e.handle(Event::Update {
            peer: 1,
            update: update_with(&attrs(vec![64502], [198, 51, 100, 2], None), &refs),
        });
    }
    let nothing = community("65535:65535");
    let first = e.loc_rib_page(None, 10, &nothing);
    assert!(first.routes.is_empty());
    assert!(
        first.next.is_some(),
        "a page ends early and says where to go on"
    );
    let (got, pages) = walk(|after| e.loc_rib_page(after, 10, &nothing));
    assert!(got.is_empty());
    assert!(pages >= 2, "{pages} pages for {n} prefixes");
}
