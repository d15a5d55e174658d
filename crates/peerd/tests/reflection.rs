//! Route reflection (RFC 4456) between real iBGP clients: FRR and BIRD in
//! AS 64500 are clients of peerd (127.0.29.1, cluster ID 192.0.2.100).
//! Each one's routes reach the other with ORIGINATOR_ID naming the client
//! they came from, CLUSTER_LIST holding our cluster ID, and the next hop
//! unchanged — as each daemon shows them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::time::Duration;

fn conf() -> String {
    let nb = |name: &str, ip: &str| {
        format!(
            "[[neighbor]]\nname = \"{name}\"\naddress = \"{ip}\"\nport = 1179\nlocal-address = \"127.0.29.1\"\n\
             remote-as = 64500\nhold-time = 9\nconnect-retry = 1\nroute-reflector-client = true\n\n"
        )
    };
    format!(
        "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\ncluster-id = \"192.0.2.100\"\n\
         listen = [\"127.0.29.1\"]\nport = 1179\n\n{}{}",
        nb("frr", "127.0.29.2"),
        nb("bird", "127.0.29.3"),
    )
}

#[test]
fn peerd_reflects_between_frr_and_bird() {
    if !installed("bird") || !installed("/usr/lib/frr/bgpd") {
        return;
    }
    let frr_dir = tempdir("rr-frr");
    let Some(_frr) = frr_as(&frr_dir, "127.0.29.2", 64500, &[("127.0.29.1", "")]) else {
        return;
    };
    let bird_dir = tempdir("rr-bird");
    let Some(_bird) = bird(
        &bird_dir,
        &bird_conf(
            &bird_dir,
            "127.0.29.3",
            64500,
            "127.0.29.1",
            "",
            "    route 198.18.133.0/24 blackhole;",
        ),
    ) else {
        return;
    };
    let us = peerd("rr-us", &conf());
    let at_bird = || birdc(&bird_dir, "show route 198.18.80.0/24 all");
    let at_frr = || vtysh(&frr_dir, &["show bgp ipv4 unicast 198.18.133.0/24 json"]);
    wait(
        Duration::from_secs(40),
        || at_bird().contains("BGP.originator_id") && at_frr().contains("\"paths\""),
        || {
            format!(
                "{}\n{}\nBIRD:\n{}\nFRR:\n{}",
                us.ctl("neighbors"),
                us.log(),
                birdc(&bird_dir, "show route all"),
                vtysh(&frr_dir, &["show bgp ipv4 unicast"])
            )
        },
    );
    // FRR's route at BIRD: originated by FRR (its router ID), reflected by
    // our cluster, next hop as FRR set it.
    let b = at_bird();
    assert!(b.contains("BGP.originator_id: 192.0.2.10"), "{b}");
    assert!(b.contains("BGP.cluster_list: 192.0.2.100"), "{b}");
    assert!(b.contains("BGP.next_hop: 198.18.0.10"), "{b}");
    // BIRD's route at FRR: originated by BIRD (127.0.29.3).
    let f = at_frr();
    assert!(f.contains("\"originatorId\":\"127.0.29.3\""), "{f}");
    assert!(f.contains("192.0.2.100"), "{f}");
    // Nothing is sent back to where it came from.
    let own = vtysh(&frr_dir, &["show bgp ipv4 unicast 198.18.80.0/24 json"]);
    assert!(!own.contains("originatorId"), "{own}");
}
