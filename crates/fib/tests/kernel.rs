//! `LinuxFib` against the real kernel, in a network namespace of the
//! test's own (a veth pair with documentation addresses): routes of
//! every kind go in (IPv4 over IPv6 gateways too), `ip route` shows them as installed, a dump reads them
//! back, a refused one is reported with its errno while the rest of its
//! batch goes in, and everything comes out again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_fib::{Fib, KernelRoute, LinuxFib, MemoryFib, NextHop, Op, Outcome, RouteKind};
use peerd_testkit::Netns;

const TABLE: u32 = 1000;
const PROTO: u8 = 200;

/// A namespace with a veth pair inside (a link with a carrier) carrying
/// documentation addresses.
fn lab(tag: &str) -> Option<Netns> {
    let ns = Netns::new(tag, &[])?;
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    ns.ip(&["addr", "add", "192.0.2.1/24", "dev", "v0"]);
    ns.ip(&["addr", "add", "2001:db8::1/64", "dev", "v0", "nodad"]);
    Some(ns)
}

fn route(p: &str, kind: RouteKind) -> KernelRoute {
    KernelRoute {
        prefix: p.parse().unwrap(),
        table: TABLE,
        protocol: PROTO,
        metric: 20,
        kind,
    }
}

fn via(gws: &[&str]) -> RouteKind {
    RouteKind::Unicast(
        gws.iter()
            .map(|g| NextHop {
                gateway: g.parse().unwrap(),
                ifindex: None,
                weight: 1,
            })
            .collect(),
    )
}

fn sorted(mut v: Vec<KernelRoute>) -> Vec<String> {
    let mut s: Vec<String> = v.drain(..).map(|r| format!("{r:?}")).collect();
    s.sort();
    s
}

#[test]
fn routes_go_into_the_kernel_and_come_out_again() {
    let Some(ns) = lab("kinds") else {
        return;
    };
    let mut fib = LinuxFib::open_in(&std::path::Path::new("/run/netns").join(&ns.name)).unwrap();
    let good = vec![
        route("198.51.100.0/24", via(&["192.0.2.2"])),
        route("203.0.113.0/24", via(&["192.0.2.2", "192.0.2.3"])),
        route("2001:db8:4000::/36", via(&["2001:db8::2"])),
        route("0.0.0.0/0", via(&["192.0.2.254"])),
        route("198.51.100.66/32", RouteKind::Blackhole),
        // IPv4 over IPv6 gateways (RFC 8950): RTA_VIA, alone and in ECMP.
        route("198.51.100.128/25", via(&["2001:db8::9"])),
        route("192.0.2.128/26", via(&["2001:db8::2", "2001:db8::3"])),
    ];
    // A gateway the namespace cannot reach: refused, and only that one.
    let unreachable = route("203.0.113.128/25", via(&["198.18.0.1"]));
    let mut batch: Vec<(Op, KernelRoute)> = good.iter().map(|r| (Op::Replace, r.clone())).collect();
    batch.insert(2, (Op::Replace, unreachable));
    let out = fib.apply(&batch).unwrap();
    assert_eq!(out[2], Outcome::Refused(libc_enetunreach()), "{out:?}");
    assert!(
        out.iter()
            .enumerate()
            .all(|(i, o)| i == 2 || *o == Outcome::Done),
        "{out:?}"
    );

    // What `ip route` shows is what we asked for.
    let shown = ns.ip_out(&["route", "show", "table", "1000"]);
    for want in [
        "default via 192.0.2.254 dev v0 proto 200 metric 20",
        "198.51.100.0/24 via 192.0.2.2 dev v0 proto 200 metric 20",
        "blackhole 198.51.100.66 proto 200 metric 20",
        "203.0.113.0/24 proto 200 metric 20",
        "nexthop via 192.0.2.2 dev v0 weight 1",
        "nexthop via 192.0.2.3 dev v0 weight 1",
        "198.51.100.128/25 via inet6 2001:db8::9 dev v0 proto 200 metric 20",
        "nexthop via inet6 2001:db8::2 dev v0 weight 1",
        "nexthop via inet6 2001:db8::3 dev v0 weight 1",
    ] {
        assert!(shown.contains(want), "missing {want:?} in:\n{shown}");
    }
    assert!(!shown.contains("203.0.113.128"), "{shown}");
    let shown6 = ns.ip_out(&["-6", "route", "show", "table", "1000"]);
    assert!(
        shown6.contains("2001:db8:4000::/36 via 2001:db8::2 dev v0 proto 200 metric 20"),
        "{shown6}"
    );

    // A dump reads back exactly those (the kernel adds the interfaces).
    let back = fib.routes(TABLE, PROTO).unwrap();
    let strip = |v: Vec<KernelRoute>| {
        v.into_iter()
            .map(|mut r| {
                if let RouteKind::Unicast(h) = &mut r.kind {
                    for x in h.iter_mut() {
                        x.ifindex = None;
                    }
                }
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(sorted(strip(back)), sorted(good.clone()));
    // The in-memory table agrees on the same batch.
    let mut mem = MemoryFib::new();
    let mem_out = mem.apply(&batch).unwrap();
    assert_eq!(mem_out.iter().filter(|o| **o == Outcome::Done).count(), 8);

    // A replacement changes the route in place.
    let moved = route("198.51.100.0/24", via(&["192.0.2.3"]));
    assert_eq!(fib.apply(&[(Op::Replace, moved)]).unwrap(), [Outcome::Done]);
    let shown = ns.ip_out(&["route", "show", "table", "1000", "198.51.100.0/24"]);
    assert!(shown.contains("via 192.0.2.3"), "{shown}");
    assert_eq!(shown.lines().count(), 1, "{shown}");

    // Everything out; removing what is not there is ESRCH (3).
    let del: Vec<(Op, KernelRoute)> = good.iter().map(|r| (Op::Delete, r.clone())).collect();
    assert!(fib.apply(&del).unwrap().iter().all(|o| *o == Outcome::Done));
    assert!(fib.routes(TABLE, PROTO).unwrap().is_empty());
    assert_eq!(ns.ip_out(&["route", "show", "table", "1000"]), "");
    assert_eq!(fib.apply(&del[..1]).unwrap(), [Outcome::Refused(3)]);
}

/// Ten thousand routes in batches: every one acknowledged, read back, and
/// removed.
#[test]
fn many_routes_in_batches() {
    let Some(ns) = lab("many") else { return };
    let mut fib = LinuxFib::open_in(&std::path::Path::new("/run/netns").join(&ns.name)).unwrap();
    let routes: Vec<KernelRoute> = (0..10_000u32)
        .map(|i| {
            let p = format!("2001:db8:{:x}:{:x}::/64", 0x1000 + i / 256, i % 256);
            route(&p, via(&["2001:db8::2"]))
        })
        .collect();
    let add: Vec<(Op, KernelRoute)> = routes.iter().map(|r| (Op::Replace, r.clone())).collect();
    let out = fib.apply(&add).unwrap();
    assert_eq!(out.len(), 10_000);
    assert!(out.iter().all(|o| *o == Outcome::Done));
    assert_eq!(fib.routes(TABLE, PROTO).unwrap().len(), 10_000);
    let n = ns
        .ip_out(&["-6", "route", "show", "table", "1000"])
        .lines()
        .count();
    assert_eq!(n, 10_000);
    let del: Vec<(Op, KernelRoute)> = routes.iter().map(|r| (Op::Delete, r.clone())).collect();
    assert!(fib.apply(&del).unwrap().iter().all(|o| *o == Outcome::Done));
    assert!(fib.routes(TABLE, PROTO).unwrap().is_empty());
}

/// ENETUNREACH on Linux.
fn libc_enetunreach() -> i32 {
    101
}

/// Next-hop resolution follows the kernel: the connected route of a link
/// with carrier resolves, a notification comes when the other end goes
/// down, and then it no longer does; our own routes never count and their
/// notifications are not changes.
#[test]
fn resolution_follows_links_and_notifications() {
    let Some(ns) = lab("watch") else {
        return;
    };
    let path = std::path::Path::new("/run/netns").join(&ns.name);
    let mut fib = LinuxFib::open_in(&path).unwrap();
    let mut watch = peerd_fib::Watch::open_in(&path, PROTO).unwrap();
    let p = |s: &str| -> peerd_wire::Prefix { s.parse().unwrap() };
    let main = [254];
    let now = fib.resolvable(&main, PROTO).unwrap();
    assert!(now.contains(&p("192.0.2.0/24")), "{now:?}");
    assert!(now.contains(&p("2001:db8::/64")), "{now:?}");

    // Our own route in the main table: filtered out in the kernel (not
    // even a datagram), not resolvable.
    let mut own = route("203.0.113.0/24", via(&["192.0.2.9"]));
    own.table = 254;
    fib.apply(&[(Op::Replace, own)]).unwrap();
    let got = watch
        .changes(Some(std::time::Duration::from_millis(300)), PROTO, &main)
        .unwrap();
    assert_eq!(got, None, "our own route's notification came through");
    assert!(!fib
        .resolvable(&main, PROTO)
        .unwrap()
        .contains(&p("203.0.113.0/24")));

    // The other end of the link goes down: v0 loses its carrier.
    ns.ip(&["link", "set", "v1", "down"]);
    let changed = watch
        .changes(Some(std::time::Duration::from_secs(5)), PROTO, &main)
        .unwrap();
    assert!(
        changed.as_ref().is_some_and(peerd_fib::watch::Changes::any),
        "{changed:?}"
    );
    std::thread::sleep(std::time::Duration::from_millis(100));
    let now = fib.resolvable(&main, PROTO).unwrap();
    assert!(!now.contains(&p("192.0.2.0/24")), "{now:?}");
    assert!(!now.contains(&p("2001:db8::/64")), "{now:?}");
    // And back.
    ns.ip(&["link", "set", "v1", "up"]);
    let t = std::time::Instant::now();
    while !fib
        .resolvable(&main, PROTO)
        .unwrap()
        .contains(&p("192.0.2.0/24"))
    {
        assert!(t.elapsed().as_secs() < 5, "the link did not come back");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A lookup answers as the kernel forwards: the matching entry (its
/// prefix, table, protocol, gateway and interface) rather than the most
/// specific route the address could have; a blackhole drops it, our
/// own address is not a unicast route, and with no route the lookup says
/// so. (For a blackhole the kernel answers EINVAL, without the route.)
#[test]
fn a_lookup_is_the_kernels_forwarding_decision() {
    let Some(ns) = lab("get") else {
        return;
    };
    let mut fib = LinuxFib::open_in(&std::path::Path::new("/run/netns").join(&ns.name)).unwrap();
    let r = route("198.51.100.0/24", via(&["192.0.2.9"]));
    // In table 1000, which a rule has the kernel look in first.
    ns.ip(&["rule", "add", "pref", "100", "table", "1000"]);
    let mut b = route("203.0.113.0/24", RouteKind::Blackhole);
    b.table = 254;
    fib.apply(&[(Op::Replace, r), (Op::Replace, b)]).unwrap();
    let got = fib.route_get("198.51.100.7".parse().unwrap()).unwrap();
    let peerd_fib::RouteGet::Route(k) = got else {
        panic!("{got:?}")
    };
    assert_eq!(k.prefix.to_string(), "198.51.100.0/24");
    assert_eq!((k.table, k.protocol), (TABLE, PROTO), "{k:?}");
    let RouteKind::Unicast(hops) = &k.kind else {
        panic!("{k:?}")
    };
    assert_eq!(hops[0].gateway.to_string(), "192.0.2.9");
    let links = fib.links().unwrap();
    let dev = links
        .iter()
        .find(|l| Some(l.index) == hops[0].ifindex)
        .map(|l| l.name.as_str());
    assert_eq!(dev, Some("v0"), "{hops:?} {links:?}");
    // The connected route of the link: the device, no gateway.
    let got = fib.route_get("192.0.2.77".parse().unwrap()).unwrap();
    assert!(
        matches!(&got, peerd_fib::RouteGet::Route(k) if matches!(k.kind, RouteKind::Device(_)) && k.prefix.to_string() == "192.0.2.0/24"),
        "{got:?}"
    );
    assert_eq!(
        fib.route_get("203.0.113.5".parse().unwrap()).unwrap(),
        peerd_fib::RouteGet::Discard
    );
    assert_eq!(
        fib.route_get("192.0.2.1".parse().unwrap()).unwrap(),
        peerd_fib::RouteGet::Other,
        "our own address: a local route"
    );
    assert_eq!(
        fib.route_get("2001:db8:ffff::1".parse().unwrap()).unwrap(),
        peerd_fib::RouteGet::Unreachable
    );
}

/// Another program's route, added and removed with `ip route`, arrives
/// as notifications in order, parsed; ours never does.
#[test]
fn notifications_carry_other_programs_routes() {
    let Some(ns) = lab("changes") else {
        return;
    };
    let path = std::path::Path::new("/run/netns").join(&ns.name);
    let mut fib = LinuxFib::open_in(&path).unwrap();
    let mut watch = peerd_fib::Watch::open_in(&path, PROTO).unwrap();
    let mut own = route("203.0.113.0/24", via(&["192.0.2.9"]));
    own.table = 254;
    fib.apply(&[(Op::Replace, own)]).unwrap();
    ns.ip(&[
        "route",
        "add",
        "198.51.100.0/24",
        "via",
        "192.0.2.9",
        "proto",
        "static",
    ]);
    ns.ip(&["route", "del", "198.51.100.0/24"]);
    let mut got = Vec::new();
    let t = std::time::Instant::now();
    while got.len() < 2 && t.elapsed() < std::time::Duration::from_secs(5) {
        if let Some(c) = watch
            .changes(Some(std::time::Duration::from_millis(200)), PROTO, &[254])
            .unwrap()
        {
            assert!(!c.resync, "{c:?}");
            got.extend(c.routes);
        }
    }
    let seen: Vec<(bool, String, u8)> = got
        .iter()
        .map(|(p, r)| (*p, r.prefix.to_string(), r.protocol))
        .collect();
    assert_eq!(
        seen,
        [
            (true, "198.51.100.0/24".to_string(), 4),
            (false, "198.51.100.0/24".to_string(), 4)
        ]
    );
}
