//! The safety checks against each reference daemon (BIRD 2, FRR bgpd,
//! GoBGP, OpenBGPD): the RFC 9003 shutdown text both ways, max-prefix
//! Cease 1 seen by the daemon, TCP-MD5 with matching and wrong keys. One
//! daemon per test with four peerd on its /24, each killed by PID at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::time::Duration;

/// What a daemon shows in the safety checks of [`safety_checks`].
struct DaemonView<'a> {
    /// Its name, in the shutdown text it sends.
    name: &'a str,
    /// Its address; peerd runs on the same /24 at .1 to .4.
    ip: &'a str,
    asn: u32,
    /// Whether it shows this shutdown text from the neighbour at .1.
    shows_our_text: &'a dyn Fn(&str) -> bool,
    /// Shuts its session with .1 down with this text.
    shut_down: &'a dyn Fn(&str),
    /// Whether it shows the Cease 1 the neighbour at .2 sent it.
    shows_max_prefix: &'a dyn Fn() -> bool,
    /// Whether its session with .3 (matching TCP-MD5 key) is up.
    md5_wrong_up: &'a dyn Fn() -> bool,
    /// Its view, for failure messages.
    dump: &'a dyn Fn() -> String,
}

/// Four peerd against one daemon (which has neighbours .1 to .4 on its /24,
/// announces two IPv4 prefixes and has TCP-MD5 key "k3y-one" for .3 and .4):
/// .1 checks the RFC 9003 text both ways, .2 trips max-prefix (limit 1),
/// .3 has the matching key and comes up, .4 a wrong one and never does.
fn safety_checks(v: &DaemonView) {
    let net = v.ip.rsplit_once('.').unwrap().0;
    let p = |n: u8, extra: &str| {
        peerd(
            &format!("{}-safety-{n}", v.name.to_lowercase()),
            &config(
                64500,
                "192.0.2.1",
                &format!("{net}.{n}"),
                v.ip,
                v.asn,
                "",
                &format!("multihop = 2\n{extra}"),
            ),
        )
    };
    let stop = p(1, "");
    let maxp = p(
        2,
        "max-prefixes = { ipv4 = 1, action = \"restart\", restart-after = \"1h\" }",
    );
    let md5 = p(3, "password = \"k3y-one\"");
    let wrong = p(4, "password = \"k3y-two\"");

    // Our shutdown communication, shown by the daemon.
    wait(
        Duration::from_secs(30),
        || established(&stop, "other"),
        || stop.log(),
    );
    assert_eq!(stop.ctl("stop other rack move, back at 15:00 UTC"), "ok\n");
    wait(
        Duration::from_secs(10),
        || (v.shows_our_text)("rack move, back at 15:00 UTC"),
        v.dump,
    );
    // The daemon's, shown by `peerctl neighbors`.
    assert_eq!(stop.ctl("start other"), "ok\n");
    wait(
        Duration::from_secs(30),
        || established(&stop, "other"),
        || stop.log(),
    );
    let theirs = format!("{} says: fibre cut, ETA 2h", v.name);
    (v.shut_down)(&theirs);
    wait(
        Duration::from_secs(10),
        || stop.ctl("neighbors").contains(&theirs),
        || format!("{}\n{}", stop.ctl("neighbors"), stop.log()),
    );

    // Max-prefix: two routes against a limit of one; the daemon is told
    // Cease 1 — inside a Hard Reset (6/9) where both set the N bit (RFC
    // 8538 §5: FRR does), so that it does not keep our routes as stale.
    wait(
        Duration::from_secs(30),
        || {
            maxp.ctl("neighbors")
                .contains("6/1 Cease / Maximum Number of Prefixes Reached")
        },
        || maxp.ctl("neighbors"),
    );
    wait(Duration::from_secs(10), v.shows_max_prefix, v.dump);

    // TCP-MD5: the matching key comes up, the wrong one never does.
    wait(
        Duration::from_secs(30),
        || established(&md5, "other"),
        || md5.log(),
    );
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        !established(&wrong, "other") && !(v.md5_wrong_up)(),
        "a wrong TCP-MD5 key must not come up: {}\n{}",
        wrong.ctl("neighbors"),
        (v.dump)()
    );
}

#[test]
fn bird_sees_the_shutdown_message_max_prefix_and_md5_and_peerd_sees_birds() {
    if !installed("bird") {
        return;
    }
    // One BIRD, a BGP protocol per peerd at 127.0.11.1 to .4.
    let dir = tempdir("bird-safety");
    let mut conf = bird_conf(
        &dir,
        "127.0.11.13",
        64513,
        "127.0.11.1",
        "",
        "    route 198.18.71.0/24 blackhole;\n    route 198.18.72.0/24 blackhole;",
    )
    .replace("protocol bgp peerd {", "protocol bgp peerd1 {");
    for n in 2..=4 {
        let password = if n >= 3 {
            "    password \"k3y-one\";\n"
        } else {
            ""
        };
        conf.push_str(&format!(
            "protocol bgp peerd{n} {{\n    local 127.0.11.13 port 1179 as 64513;\n    \
             neighbor 127.0.11.{n} port 1179 as 64500;\n    strict bind yes;\n    multihop 2;\n    hold time 9;\n    \
             connect retry time 2;\n    error wait time 1, 5;\n{password}    \
             ipv4 {{ igp table igp4; import all; export all; next hop address 198.18.0.13; }};\n}}\n"
        ));
    }
    let Some(_b) = bird(&dir, &conf) else {
        return;
    };
    let log = dir.join("bird.log");
    let proto = |n: u8| birdc(&dir, &format!("show protocols all peerd{n}"));
    safety_checks(&DaemonView {
        name: "BIRD",
        ip: "127.0.11.13",
        asn: 64513,
        shows_our_text: &|t| file(&log).contains(t),
        shut_down: &|t| {
            birdc(&dir, &format!("disable peerd1 \"{t}\""));
        },
        shows_max_prefix: &|| proto(2).contains("Maximum number of prefixes reached"),
        md5_wrong_up: &|| proto(4).contains("Established"),
        dump: &|| format!("{}\n{}", proto(1), proto(2)),
    });
}

#[test]
fn frr_sees_the_shutdown_message_max_prefix_and_md5_and_peerd_sees_frrs() {
    let dir = tempdir("frr-safety");
    let Some(_frr) = frr_multi(
        &dir,
        "127.0.16.10",
        &[
            ("127.0.16.1", ""),
            ("127.0.16.2", ""),
            ("127.0.16.3", " neighbor 127.0.16.3 password k3y-one\n"),
            ("127.0.16.4", " neighbor 127.0.16.4 password k3y-one\n"),
        ],
    ) else {
        return;
    };
    let log = dir.join("bgpd.log");
    let neighbor = |n: u8| vtysh(&dir, &[&format!("show bgp neighbors 127.0.16.{n}")]);
    safety_checks(&DaemonView {
        name: "FRR",
        ip: "127.0.16.10",
        asn: 64510,
        shows_our_text: &|t| file(&log).contains(t),
        shut_down: &|t| {
            vtysh(
                &dir,
                &[
                    "configure terminal",
                    "router bgp 64510",
                    &format!("neighbor 127.0.16.1 shutdown message {t}"),
                ],
            );
        },
        shows_max_prefix: &|| neighbor(2).contains("Maximum Number of Prefixes Reached"),
        // "show bgp summary": the last column is a prefix count once Established.
        md5_wrong_up: &|| {
            vtysh(&dir, &["show bgp summary"]).lines().any(|l| {
                l.starts_with("127.0.16.4")
                    && l.split_whitespace()
                        .nth(9)
                        .is_some_and(|s| s.parse::<u32>().is_ok())
            })
        },
        dump: &|| format!("{}\n{}\n{}", neighbor(1), neighbor(2), file(&log)),
    });
}

#[test]
fn gobgp_sees_the_shutdown_message_max_prefix_and_md5_and_peerd_sees_gobgps() {
    if !installed("gobgpd") {
        return;
    }
    let dir = tempdir("gobgp-safety");
    let conf = gobgp_conf(
        "127.0.17.10",
        &[
            ("127.0.17.1", ""),
            ("127.0.17.2", ""),
            ("127.0.17.3", "k3y-one"),
            ("127.0.17.4", "k3y-one"),
        ],
        false,
    );
    let g = GoBgp::start(None, &dir, &conf, 64520);
    let gb = |args: &[&str]| g.cli(args);
    for p in ["198.18.90.0/24", "198.18.91.0/24"] {
        gb(&[
            "global",
            "rib",
            "add",
            "-a",
            "ipv4",
            p,
            "nexthop",
            "198.18.0.20",
        ]);
    }
    let log = dir.join("gobgpd.log");
    safety_checks(&DaemonView {
        name: "GoBGP",
        ip: "127.0.17.10",
        asn: 64520,
        shows_our_text: &|t| file(&log).contains(t),
        // GoBGP 3.10 sends its --reason with `reset` (6/4); `disable` sends
        // 6/2 without one.
        shut_down: &|t| {
            gb(&["neighbor", "127.0.17.1", "reset", "--reason", t]);
        },
        shows_max_prefix: &|| {
            file(&log).lines().any(|l| {
                l.contains("127.0.17.2")
                    && l.contains("received notification")
                    && l.contains("Subcode=1")
            })
        },
        md5_wrong_up: &|| gb(&["neighbor", "127.0.17.4"]).contains("BGP state = ESTABLISHED"),
        dump: &|| file(&log),
    });
}

#[test]
fn openbgpd_sees_the_shutdown_message_max_prefix_and_md5_and_peerd_sees_openbgpds() {
    if !installed("bgpd") {
        return;
    }
    let dir = tempdir("openbgpd-safety");
    let mut conf = format!(
        "AS 64530\nrouter-id 192.0.2.30\nlisten on 127.0.18.10 port 1179\n\
         socket \"{d}/bgpd.sock\"\nfib-update no\nnetwork 198.18.95.0/24\nnetwork 198.18.96.0/24\n",
        d = dir.display()
    );
    for (ip, extra) in [
        ("127.0.18.1", ""),
        ("127.0.18.2", ""),
        ("127.0.18.3", "    tcp md5sig password k3y-one\n"),
        ("127.0.18.4", "    tcp md5sig password k3y-one\n"),
    ] {
        conf.push_str(&format!(
            "neighbor {ip} {{\n    remote-as 64500\n    local-address 127.0.18.10\n    \
             port 1179\n    multihop 2\n    holdtime 9\n{extra}}}\n"
        ));
    }
    conf.push_str("allow from any\nallow to any\n");
    let o = OpenBgpd::start(None, &dir, &conf);
    let ctl = |args: &[&str]| o.ctl(args);
    let neighbor = |n: u8| ctl(&["show", "neighbor", &format!("127.0.18.{n}")]);
    safety_checks(&DaemonView {
        name: "OpenBGPD",
        ip: "127.0.18.10",
        asn: 64530,
        shows_our_text: &|t| neighbor(1).contains(t),
        shut_down: &|t| {
            ctl(&["neighbor", "127.0.18.1", "down", t]);
        },
        shows_max_prefix: &|| {
            neighbor(2).contains("Last error received: Cease, received max-prefix exceeded")
        },
        // Not a single OPEN either way.
        md5_wrong_up: &|| {
            let n = neighbor(4);
            n.contains("BGP state = Established")
                || !n.contains("Opens                    0          0")
        },
        dump: &|| format!("{}\n{}", neighbor(1), neighbor(2)),
    });
}
