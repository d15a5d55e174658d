//! The direct-peering example (`examples/direct-peering.toml`) end to end,
//! with real daemons on the example's own addresses, in a network
//! namespace of the test's own:
//!
//! - BIRD is the peer's edge (AS 15169) on the PNI, one session per family
//!   (198.51.100.1 and 2001:db8:ffff::1), with GTSM as the example asks. It
//!   announces its prefixes, one too specific, and one it has no business
//!   announcing.
//! - FRR is the transit (AS 64501, 192.0.2.254), one session for both
//!   families, announcing default routes.
//! - peerd runs the example's file.
//!
//! Then, in each daemon's own table: peerd uses the PNI for the peer's
//! prefixes (LOCAL_PREF 200, tagged) and transit for everything else; it
//! filtered what the example's policies filter; both neighbours have our
//! prefixes; the transit has nothing of the peer's and the peer has
//! nothing of the transit's (no leak, by the export policy and by the
//! roles).
//!
//! What the test changes in the example, and why:
//! - the `bogons` term of `sanity` goes: the example's prefixes are
//!   documentation prefixes, which are bogons (the bogon match has its own
//!   tests in crates/config/tests/policies.rs);
//! - `listen` and each neighbor's `local-address` are added: every daemon
//!   shares the namespace's loopback, so each binds its own address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::time::Duration;

/// Our addresses: on the PNI (both families) and towards the transit.
const US_PNI4: &str = "198.51.100.2";
const US_PNI6: &str = "2001:db8:ffff::2";
const US_TRANSIT: &str = "192.0.2.1";

/// The example as shipped, with the changes the module comment lists.
fn example_for_lab() -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/direct-peering.toml"
    ))
    .unwrap();
    let bogons =
        "[[policy.sanity]]\nname = \"bogons\"\nmatch = { bogon = true }\naction = \"reject\"\n";
    assert!(
        text.contains(bogons),
        "the example changed: update this test"
    );
    let mut text = text.replace(bogons, "");
    text = text.replace(
        "router-id = \"192.0.2.1\"\n",
        &format!(
            "router-id = \"192.0.2.1\"\nlisten = [\"{US_PNI4}\", \"{US_PNI6}\", \"{US_TRANSIT}\"]\n"
        ),
    );
    for (addr, local) in [
        ("198.51.100.1", US_PNI4),
        ("2001:db8:ffff::1", US_PNI6),
        ("192.0.2.254", US_TRANSIT),
    ] {
        let line = format!("address = \"{addr}\"\n");
        assert!(text.contains(&line), "no neighbor {addr} in the example");
        text = text.replace(
            &line,
            &format!("{line}local-address = \"{local}\"\nconnect-retry = 1\n"),
        );
    }
    text
}

/// One PNI session of the peer's edge, GTSM on, for one family.
fn pni(name: &str, local: &str, neighbor: &str, family: &str) -> String {
    format!(
        "protocol bgp {name} {{\n    local {local} as 15169;\n    neighbor {neighbor} as 64500;\n    \
         strict bind yes;\n    multihop 2;\n    ttl security yes;\n    hold time 9;\n    \
         connect retry time 2;\n    error wait time 1, 5;\n    \
         {family} {{ igp table igp{n}; import all; export all; }};\n}}\n",
        n = &family[3..],
    )
}

fn bird_peer_edge(dir: &std::path::Path) -> String {
    format!(
        r#"log "{d}/bird.log" all;
router id 198.51.100.1;
protocol device {{ }}
ipv4 table igp4;
ipv6 table igp6;
protocol static nh4 {{ ipv4 {{ table igp4; }}; route 198.51.100.0/24 via "lo"; }}
protocol static nh6 {{ ipv6 {{ table igp6; }}; route 2001:db8:ffff::/64 via "lo"; }}
protocol static own4 {{
    ipv4;
    route 198.51.100.0/24 unreachable;   # ours: accepted
    route 198.51.100.0/25 unreachable;   # too specific
    route 192.0.2.0/24 unreachable;      # not ours to announce
}}
protocol static own6 {{
    ipv6;
    route 2001:db8:4000::/36 unreachable;  # ours
    route 2001:db8:4000::/56 unreachable;  # too specific
    route 2001:db8:200::/48 unreachable;   # not ours
}}
{pni4}{pni6}"#,
        d = dir.display(),
        pni4 = pni("pni4", "198.51.100.1", US_PNI4, "ipv4"),
        pni6 = pni("pni6", "2001:db8:ffff::1", US_PNI6, "ipv6"),
    )
}

fn frr_transit(dir: &std::path::Path) -> String {
    let n = US_TRANSIT;
    format!(
        "frr defaults traditional\nhostname transit\nlog file {d}/bgpd.log informational\n!\n\
         route-map ALLOW permit 10\nexit\n!\nrouter bgp 64501\n bgp router-id 192.0.2.254\n \
         bgp log-neighbor-changes\n no bgp ebgp-requires-policy\n no bgp network import-check\n \
         neighbor {n} remote-as 64500\n neighbor {n} update-source 192.0.2.254\n \
         neighbor {n} disable-connected-check\n neighbor {n} timers connect 2\n neighbor {n} timers 3 9\n \
         address-family ipv4 unicast\n  network 0.0.0.0/0\n  neighbor {n} route-map ALLOW in\n  neighbor {n} route-map ALLOW out\n exit-address-family\n \
         address-family ipv6 unicast\n  network ::/0\n  neighbor {n} activate\n  neighbor {n} route-map ALLOW in\n  neighbor {n} route-map ALLOW out\n exit-address-family\nexit\n",
        d = dir.display()
    )
}

/// The prefixes of `peerctl routes NAME --json`.
fn received(us: &Proc, name: &str) -> Vec<String> {
    us.ctl(&format!("routes {name} json"))
        .lines()
        .filter_map(|l| {
            let rest = l.split("\"prefix\":\"").nth(1)?;
            Some(rest.split('"').next()?.to_string())
        })
        .collect()
}

#[test]
fn the_direct_peering_example_uses_the_pni_for_the_peer_and_transit_for_the_rest() {
    if !installed("bird") || !installed("/usr/lib/frr/bgpd") {
        return;
    }
    let Some(ns) = Netns::new(
        "direct",
        &[
            "198.51.100.1/32",
            "198.51.100.2/32",
            "192.0.2.1/32",
            "192.0.2.254/32",
            "2001:db8:ffff::1/128",
            "2001:db8:ffff::2/128",
        ],
    ) else {
        return;
    };
    let bird_dir = tempdir("direct-bird");
    let bird = bird_in(Some(&ns), &bird_dir, &bird_peer_edge(&bird_dir)).unwrap();
    let frr_dir = tempdir("direct-frr");
    let frr = frr_in(Some(&ns), &frr_dir, "192.0.2.254", &frr_transit(&frr_dir)).unwrap();
    let us = peerd_in(Some(&ns), "direct-us", &example_for_lab());

    let dump = || {
        format!(
            "peerd:\n{}\n{}\nBIRD:\n{}\nFRR:\n{}",
            us.ctl("neighbors"),
            us.log(),
            birdc(&bird_dir, "show protocols all"),
            vtysh(&frr_dir, &["show bgp summary"]),
        )
    };
    wait(
        Duration::from_secs(60),
        || {
            ["peer-v4", "peer-v6", "transit"]
                .iter()
                .all(|n| established(&us, n))
                && received(&us, "transit").len() == 2
                && received(&us, "peer-v4").len() == 1
                && received(&us, "peer-v6").len() == 1
                && birdc(&bird_dir, "show route").contains("203.0.113.0/24")
                && birdc(&bird_dir, "show route").contains("2001:db8:100::/48")
                && vtysh(&frr_dir, &["show bgp ipv4 unicast"]).contains("203.0.113.0/24")
                && vtysh(&frr_dir, &["show bgp ipv6 unicast"]).contains("2001:db8:100::/48")
        },
        dump,
    );

    // What the example's import policies let in: the peer's own prefixes,
    // not the too-specific nor the foreign one; the transit's defaults.
    assert_eq!(received(&us, "peer-v4"), ["198.51.100.0/24"]);
    assert_eq!(received(&us, "peer-v6"), ["2001:db8:4000::/36"]);
    assert_eq!(received(&us, "transit"), ["0.0.0.0/0", "::/0"]);
    let pni = us.ctl("route 198.51.100.0/24 json");
    assert!(pni.contains("\"from\":\"peer-v4\""), "{pni}");
    assert!(pni.contains("\"local_pref\":200"), "{pni}");
    assert!(pni.contains("64500:15169"), "{pni}");
    // RFC 9234: what came from a peer carries OTC = its AS.
    assert!(pni.contains("\"otc\":15169"), "{pni}");

    // Where traffic goes, by longest match in peerd's routing table: the
    // peer's addresses over the PNI, everything else to transit.
    for (addr, from) in [
        ("198.51.100.77", "peer-v4"),
        ("2001:db8:4abc::1", "peer-v6"),
        ("192.0.2.77", "transit"),
        ("2001:db8:200::1", "transit"),
    ] {
        let r = us.ctl(&format!("route {addr} json"));
        let best = r
            .lines()
            .find(|l| l.contains("\"best\":true"))
            .unwrap_or("");
        assert!(
            best.contains(&format!("\"from\":\"{from}\"")),
            "{addr} should go to {from}: {r}"
        );
    }

    // The peer's edge has our prefixes and nothing of the transit's.
    let at_peer = birdc(&bird_dir, "show route");
    assert!(at_peer.contains("203.0.113.0/24"), "{at_peer}");
    assert!(!at_peer.contains("0.0.0.0/0"), "{at_peer}");
    assert!(!at_peer.contains("::/0"), "{at_peer}");
    // The transit has our prefixes and nothing of the peer's: no leak.
    let at_transit4 = vtysh(&frr_dir, &["show bgp ipv4 unicast"]);
    let at_transit6 = vtysh(&frr_dir, &["show bgp ipv6 unicast"]);
    assert!(!at_transit4.contains("198.51.100.0"), "{at_transit4}");
    assert!(!at_transit6.contains("2001:db8:4000::"), "{at_transit6}");
    assert_eq!(
        us.ctl("neighbors json").matches("\"Established\"").count(),
        3
    );
    drop((us, frr, bird));
}
