//! Two peerd in two network namespaces joined by a veth pair, as on a real
//! peering link: an IPv6 link-local neighbour with its interface, and GTSM
//! (RFC 5082) — with both ends at TTL 255 the session comes up; a neighbour
//! that sends with TTL 1 is dropped by the kernel (IP_MINTTL) and never does.
//! The route learned over the link-local session goes into the kernel via
//! the neighbour's link-local address on that interface (RFC 2545), and
//! leaves it as soon as the link loses its carrier.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

fn ip(ns: &Netns, args: &str) {
    let st = Command::new("ip")
        .arg("-n")
        .arg(&ns.name)
        .args(args.split(' '))
        .status()
        .unwrap();
    assert!(st.success(), "ip -n {} {args}", ns.name);
}

fn side(
    asn: u32,
    id: &str,
    ll_peer: &str,
    ifname: &str,
    v4_peer: &str,
    gtsm_v4: bool,
    prefix: &str,
) -> String {
    format!(
        r#"[router]
asn = {asn}
router-id = "{id}"
listen = ["::", "0.0.0.0"]
port = 1179

[fib]
table = 1000

[[announce]]
prefix = "{prefix}"

[[neighbor]]
name = "ll"
address = "{ll_peer}"
interface = "{ifname}"
remote-as = {other}
port = 1179
hold-time = 9
connect-retry = 1
ttl-security = true
families = ["ipv6-unicast"]
ipv6-next-hop = "2001:db8:1::{last}"
import = "accept"
export = "accept"

[[neighbor]]
name = "v4"
address = "{v4_peer}"
remote-as = {other}
port = 1179
hold-time = 9
connect-retry = 1
ttl-security = {gtsm_v4}
import = "accept"
export = "accept"
"#,
        other = if asn == 64500 { 64501 } else { 64500 },
        last = if asn == 64500 { 1 } else { 2 },
    )
}

#[test]
fn a_link_local_neighbor_with_gtsm_comes_up_and_ttl_1_is_refused() {
    let Some(a) = Netns::new("link-a", &[]) else {
        return;
    };
    let Some(b) = Netns::new("link-b", &[]) else {
        return;
    };
    ip(
        &a,
        &format!(
            "link add veth-a type veth peer name veth-b netns {}",
            b.name
        ),
    );
    // Only the configured link-local addresses: with the kernel's own one
    // beside it, a reconnect (after a collision) may leave from the other
    // address, which the far side rightly refuses as no neighbour of its.
    ip(&a, "link set veth-a addrgenmode none");
    ip(&b, "link set veth-b addrgenmode none");
    ip(&a, "addr add fe80::1/64 dev veth-a nodad");
    ip(&b, "addr add fe80::2/64 dev veth-b nodad");
    ip(&a, "addr add 192.0.2.1/24 dev veth-a");
    ip(&b, "addr add 192.0.2.2/24 dev veth-b");
    ip(&a, "link set veth-a up");
    ip(&b, "link set veth-b up");

    // Neighbor "v4": A demands TTL 255, B (plain eBGP) sends TTL 1.
    let pa = peerd_in(
        Some(&a),
        "link-a",
        &side(
            64500,
            "192.0.2.1",
            "fe80::2",
            "veth-a",
            "192.0.2.2",
            true,
            "2001:db8:100::/40",
        ),
    );
    let pb = peerd_in(
        Some(&b),
        "link-b",
        &side(
            64501,
            "192.0.2.2",
            "fe80::1",
            "veth-b",
            "192.0.2.1",
            false,
            "2001:db8:200::/40",
        ),
    );
    wait(
        Duration::from_secs(30),
        || established(&pa, "ll") && established(&pb, "ll"),
        || format!("{}\n{}\n{}", pa.ctl("neighbors"), pa.log(), pb.log()),
    );
    wait(
        Duration::from_secs(10),
        || pa.ctl("routes ll").contains("2001:db8:200::/40"),
        || pa.ctl("routes ll"),
    );
    // RFC 2545: the global next hop and, on the shared link, the link-local one.
    let got = pb.ctl("routes ll json");
    assert!(
        got.contains("\"prefix\":\"2001:db8:100::/40\"")
            && got.contains("\"next_hop\":\"2001:db8:1::1 fe80::1\""),
        "{got}"
    );
    // In the kernel: the global next hop (B's 2001:db8:1::2) is on no link
    // of A's, so the route goes to B's link-local address on the
    // session's interface.
    wait(
        Duration::from_secs(10),
        || {
            a.ip_out(&["-6", "route", "show", "table", "1000"])
                .contains("2001:db8:200::/40 via fe80::2 dev veth-a proto 200")
        },
        || a.ip_out(&["-6", "route", "show", "table", "1000"]),
    );
    // Several connect retries and more than a hold time: TTL 1 never gets in.
    std::thread::sleep(Duration::from_secs(10));
    // A never takes B's TTL-1 packets: it never reaches Established (B may,
    // for a hold time, when its OPEN was queued before A set IP_MINTTL on
    // the accepted socket, but A's hold timer ends that).
    assert!(
        !established(&pa, "v4")
            && !pa
                .log()
                .contains("neighbor=v4 address=192.0.2.2 event=established"),
        "GTSM must refuse TTL 1:\n{}\n{}",
        pa.ctl("neighbors"),
        pa.log()
    );
    assert!(established(&pa, "ll"), "{}", pa.ctl("neighbors"));
    // ... and the log line the check above looks for is the one written.
    assert!(
        pa.log()
            .lines()
            .any(|l| l.contains("neighbor=ll ") && l.ends_with("event=established")),
        "{}",
        pa.log()
    );

    // B's end of the link goes down: A's interface loses its carrier, and
    // the route through B's link-local address leaves A's kernel table at
    // once — long before the session's hold time (9 s) would end it. It
    // comes back with the carrier.
    let table = || a.ip_out(&["-6", "route", "show", "table", "1000"]);
    let flaps = |p: &Proc| {
        http(&p.dir.join("peerd.sock"), "GET", "/v1/neighbors/ll", "").1["flaps"].as_u64()
    };
    let before = flaps(&pa);
    ip(&b, "link set veth-b down");
    let t = std::time::Instant::now();
    wait(
        Duration::from_secs(5),
        || !table().contains("2001:db8:200::/40"),
        table,
    );
    let took = t.elapsed();
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(flaps(&pa), before, "the session did not go down for it");
    ip(&b, "link set veth-b up");
    wait(
        Duration::from_secs(10),
        || table().contains("2001:db8:200::/40 via fe80::2 dev veth-a proto 200"),
        table,
    );
}
