//! Route-leak prevention with RFC 9234 roles, against real daemons.
//!
//! peerd (AS 64500, 127.0.27.1) has four eBGP neighbours:
//! - BIRD (AS 64520, .2) is a lateral **peer**;
//! - FRR (AS 64510, .3) is a **provider** (transit);
//! - a second peerd (AS 64530, .4) is a **customer** (roles on both sides, strict);
//! - BIRD again (AS 64521, .5) is a customer with **no role of its own**, that
//!   "leaks": it sends one route carrying an OTC, as a route learned from
//!   its other provider would, and one clean route.
//!
//! With no policy beyond "accept", what each one may receive is exactly
//! what RFC 9234 says: the peer's and the provider's routes go only to the
//! customer; our own and our customers' go everywhere; the leaked route
//! goes nowhere. Checked in each daemon's own table.
//!
//! BIRD and FRR are given no role: both implement RFC 9234's ingress checks
//! and would drop a leak we sent them, which would hide our mistake. With
//! no role of their own they take whatever we send, so what they hold is
//! what peerd decided to send.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::time::Duration;

const PEER_ROUTE: &str = "198.18.120.0/24";
const OUR_ROUTE: &str = "198.18.121.0/24";
const LEAKED_ROUTE: &str = "198.18.122.0/24";
const CUSTOMER_ROUTE: &str = "198.18.123.0/24";
const CLEAN_ROUTE: &str = "198.18.124.0/24";
const TRANSIT_ROUTE: &str = "198.18.80.0/24";

fn peerd_conf() -> String {
    let nb = |name: &str, ip: &str, asn: u32, role: &str, strict: bool| {
        format!(
            "[[neighbor]]\nname = \"{name}\"\naddress = \"{ip}\"\nport = 1179\nlocal-address = \"127.0.27.1\"\n\
             remote-as = {asn}\nipv4-next-hop = \"198.18.0.1\"\nhold-time = 9\nconnect-retry = 1\nimport = \"accept\"\nexport = \"accept\"\n\
             role = \"{role}\"\nrole-strict = {strict}\n\n"
        )
    };
    format!(
        "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"127.0.27.1\"]\nport = 1179\n\n\
         [[announce]]\nprefix = \"{OUR_ROUTE}\"\n\n{}{}{}{}",
        nb("peer-bird", "127.0.27.2", 64520, "peer", false),
        nb("transit-frr", "127.0.27.3", 64510, "customer", false),
        nb("customer", "127.0.27.4", 64530, "provider", true),
        nb("leaky", "127.0.27.5", 64521, "provider", false),
    )
}

fn customer_conf() -> String {
    format!(
        "[router]\nasn = 64530\nrouter-id = \"192.0.2.4\"\nlisten = [\"127.0.27.4\"]\nport = 1179\n\n\
         [[announce]]\nprefix = \"{CUSTOMER_ROUTE}\"\n\n\
         [[neighbor]]\nname = \"upstream\"\naddress = \"127.0.27.1\"\nport = 1179\nlocal-address = \"127.0.27.4\"\n\
         remote-as = 64500\nhold-time = 9\nconnect-retry = 1\nimport = \"accept\"\nexport = \"accept\"\n\
         role = \"customer\"\nrole-strict = true\n"
    )
}

/// BIRD as the peer (AS 64520).
fn bird_peer_conf(dir: &std::path::Path) -> String {
    format!(
        r#"log "{d}/bird.log" all;
router id 127.0.27.2;
protocol device {{ }}
ipv4 table igp4;
protocol static nh_resolve {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via "lo"; }}
protocol static peer_routes {{ ipv4; route {PEER_ROUTE} blackhole; }}
protocol bgp peerd {{
    local 127.0.27.2 port 1179 as 64520;
    neighbor 127.0.27.1 port 1179 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    connect retry time 2;
    error wait time 1, 5;
    ipv4 {{ igp table igp4; import all; export where proto = "peer_routes"; next hop address 198.18.0.13; }};
}}
"#,
        d = dir.display()
    )
}

/// BIRD as the leaky customer (AS 64521, no role): it sets an OTC on one
/// route in its export filter, as if it had learned it from a provider.
fn bird_leaky_conf(dir: &std::path::Path) -> String {
    format!(
        r#"log "{d}/bird.log" all;
router id 127.0.27.5;
protocol device {{ }}
ipv4 table igp4;
protocol static nh_resolve {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via "lo"; }}
protocol static leaky_routes {{
    ipv4;
    route {LEAKED_ROUTE} blackhole;
    route {CLEAN_ROUTE} blackhole;
}}
protocol bgp peerd {{
    local 127.0.27.5 port 1179 as 64521;
    neighbor 127.0.27.1 port 1179 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    connect retry time 2;
    error wait time 1, 5;
    ipv4 {{
        igp table igp4;
        import none;
        export filter {{ if net = {LEAKED_ROUTE} then bgp_otc = 64999; accept; }};
        next hop address 198.18.0.13;
    }};
}}
"#,
        d = dir.display()
    )
}

#[test]
fn roles_stop_route_leaks_between_bird_frr_and_peerd() {
    if !installed("bird") || !installed("/usr/lib/frr/bgpd") {
        return;
    }
    let bird_dir = tempdir("roles-bird");
    let Some(_bird) = bird(&bird_dir, &bird_peer_conf(&bird_dir)) else {
        return;
    };
    let leaky_dir = tempdir("roles-leaky");
    let Some(_leaky) = bird(&leaky_dir, &bird_leaky_conf(&leaky_dir)) else {
        return;
    };
    let frr_dir = tempdir("roles-frr");
    let Some(_frr) = frr_multi(&frr_dir, "127.0.27.3", &[("127.0.27.1", "")]) else {
        return;
    };
    let us = peerd("roles-us", &peerd_conf());
    let customer = peerd("roles-customer", &customer_conf());

    let all_up = || {
        ["peer-bird", "transit-frr", "customer", "leaky"]
            .iter()
            .all(|n| established(&us, n))
    };
    wait(Duration::from_secs(40), all_up, || {
        format!(
            "{}\n{}\nBIRD:\n{}\nFRR:\n{}",
            us.ctl("neighbors"),
            us.log(),
            birdc(&bird_dir, "show protocols all"),
            vtysh(&frr_dir, &["show bgp neighbors 127.0.27.1"])
        )
    });

    let bird_has = |p: &str| birdc(&bird_dir, &format!("show route {p} all"));
    let frr_has = |p: &str| vtysh(&frr_dir, &[&format!("show bgp ipv4 unicast {p} json")]);
    let frr_holds = |p: &str| frr_has(p).contains("\"paths\"");
    let customer_has = |p: &str| customer.ctl(&format!("route {p} json"));
    let bird_holds = |p: &str| bird_has(p).contains("BGP.as_path");

    // What each may receive arrives...
    wait(
        Duration::from_secs(30),
        || {
            [OUR_ROUTE, CUSTOMER_ROUTE, CLEAN_ROUTE]
                .iter()
                .all(|p| frr_holds(p) && bird_holds(p))
                && [PEER_ROUTE, TRANSIT_ROUTE, OUR_ROUTE, CLEAN_ROUTE]
                    .iter()
                    .all(|p| customer_has(p).contains("\"best\":true"))
        },
        || {
            format!(
                "peerd rib:\n{}\ncustomer rib:\n{}\nBIRD:\n{}\nFRR:\n{}",
                us.ctl("rib"),
                customer.ctl("rib"),
                birdc(&bird_dir, "show route all"),
                vtysh(&frr_dir, &["show bgp ipv4 unicast"])
            )
        },
    );
    // ...and after a moment more, nothing else has.
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        !frr_holds(PEER_ROUTE),
        "the peer's route leaked to the transit: {}",
        frr_has(PEER_ROUTE)
    );
    assert!(
        !bird_holds(TRANSIT_ROUTE),
        "the transit's route leaked to the peer: {}",
        bird_has(TRANSIT_ROUTE)
    );
    assert!(!bird_holds("198.18.81.0/24"));
    for (who, holds) in [
        ("FRR", frr_holds(LEAKED_ROUTE)),
        ("BIRD", bird_holds(LEAKED_ROUTE)),
        (
            "the customer",
            customer_has(LEAKED_ROUTE).contains("\"best\""),
        ),
    ] {
        assert!(!holds, "the leaked route reached {who}");
    }

    // OTC as RFC 9234 §5 writes it: our AS on what we send to a peer, the
    // sender's AS on what comes from a peer or a provider (and passed on
    // unchanged to the customer).
    let ours_at_bird = bird_has(OUR_ROUTE);
    assert!(
        ours_at_bird.contains("BGP.otc: 64500"),
        "OTC 64500 expected at the peer:\n{ours_at_bird}"
    );
    assert!(
        customer_has(PEER_ROUTE).contains("\"otc\":64520"),
        "{}",
        customer_has(PEER_ROUTE)
    );
    assert!(
        customer_has(TRANSIT_ROUTE).contains("\"otc\":64510"),
        "{}",
        customer_has(TRANSIT_ROUTE)
    );
    // Nothing is added towards a provider.
    assert!(
        !frr_has(OUR_ROUTE).contains("\"otc\""),
        "{}",
        frr_has(OUR_ROUTE)
    );
    // peerd keeps the leaked route and says why it is not used.
    let leaked = us.ctl(&format!("route {LEAKED_ROUTE} json"));
    assert!(
        leaked.contains("\"from\":\"leaky\"")
            && leaked.contains("\"lost\":\"route-leak\"")
            && leaked.contains("\"leak\":true"),
        "{leaked}"
    );
    // And in words, as peerctl shows the prefix's candidates.
    if let Some((text, _, _)) = peerctl(&us.dir.join("peerd.sock"), &["routes", LEAKED_ROUTE]) {
        assert!(text.contains("lost: route-leak"), "{text}");
    }
}
