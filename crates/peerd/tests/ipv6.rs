//! Sessions over IPv6 transport, with IPv4 and IPv6 unicast negotiated, in a
//! network namespace of the test's own (documentation addresses on its
//! loopback): peerd against peerd, BIRD, FRR, GoBGP and OpenBGPD.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

/// peerd on `me` (AS 64500) with one IPv6 neighbour, announcing one prefix of each family.
fn peerd_v6(ns: &Netns, name: &str, me: &str, other: &str, other_as: u32) -> Proc {
    let cfg = format!(
        r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["{me}"]
port = 1179

[[announce]]
prefix = "198.18.80.0/24"

[[announce]]
prefix = "2001:db8:100::/40"

[[neighbor]]
name = "other"
address = "{other}"
local-address = "{me}"
port = 1179
remote-as = {other_as}
multihop = 2
hold-time = 9
connect-retry = 1
families = ["ipv4-unicast", "ipv6-unicast"]
ipv4-next-hop = "198.18.0.1"
import = "accept"
export = "accept"
"#
    );
    peerd_in(Some(ns), name, &cfg)
}

/// Still Established with both families after more than two hold times (9 s).
fn stays_up(p: &Proc) {
    std::thread::sleep(Duration::from_secs(20));
    assert!(both_families(p), "{}", p.ctl("neighbors"));
}

fn both_families(p: &Proc) -> bool {
    let j = p.ctl("neighbors json");
    j.contains("\"Established\"") && j.contains("ipv4-unicast") && j.contains("ipv6-unicast")
}

#[test]
fn peerd_to_peerd_over_ipv6() {
    let Some(ns) = Netns::new("v6pp", &["2001:db8:40::1/128", "2001:db8:40::2/128"]) else {
        return;
    };
    let a = peerd_v6(&ns, "v6-a", "2001:db8:40::1", "2001:db8:40::2", 64501);
    let cfg_b = r#"[router]
asn = 64501
router-id = "192.0.2.2"
listen = ["2001:db8:40::2"]
port = 1179

[[announce]]
prefix = "2001:db8:200::/40"

[[neighbor]]
name = "other"
address = "2001:db8:40::1"
local-address = "2001:db8:40::2"
port = 1179
remote-as = 64500
hold-time = 9
connect-retry = 1
families = ["ipv4-unicast", "ipv6-unicast"]
import = "accept"
export = "accept"
"#;
    let b = peerd_in(Some(&ns), "v6-b", cfg_b);
    wait(
        Duration::from_secs(20),
        || both_families(&a) && both_families(&b),
        || format!("{}\n{}", a.log(), b.log()),
    );
    wait(
        Duration::from_secs(5),
        || b.ctl("routes other").contains("198.18.80.0/24"),
        || b.ctl("routes other"),
    );
    let got = b.ctl("routes other json");
    assert!(
        got.contains("\"prefix\":\"2001:db8:100::/40\"")
            && got.contains("\"next_hop\":\"2001:db8:40::1\""),
        "{got}"
    );
    assert!(
        got.contains("\"prefix\":\"198.18.80.0/24\"")
            && got.contains("\"next_hop\":\"198.18.0.1\""),
        "{got}"
    );
    assert!(a.ctl("routes other").contains("2001:db8:200::/40"));
    stays_up(&a);
}

#[test]
fn bird_over_ipv6() {
    if !installed("bird") {
        return;
    }
    let Some(ns) = Netns::new("v6bird", &["2001:db8:41::1/128", "2001:db8:41::13/128"]) else {
        return;
    };
    let dir = tempdir("v6-bird");
    let conf = format!(
        r#"log "{d}/bird.log" all;
router id 192.0.2.13;
protocol device {{ }}
ipv4 table igp4;
protocol static nh_resolve {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via "lo"; }}
protocol static orig6 {{ ipv6; route 2001:db8:bbbb::/48 blackhole; }}
protocol bgp peerd {{
    local 2001:db8:41::13 port 1179 as 64513;
    neighbor 2001:db8:41::1 port 1179 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    connect retry time 2;
    ipv4 {{ igp table igp4; import all; export all; next hop address 198.18.0.13; }};
    ipv6 {{ import all; export all; }};
}}
"#,
        d = dir.display()
    );
    std::fs::write(dir.join("bird.conf"), conf).unwrap();
    let mut cmd = ns.cmd("bird");
    cmd.arg("-f")
        .arg("-c")
        .arg(dir.join("bird.conf"))
        .arg("-s")
        .arg(dir.join("bird.ctl"))
        .stdin(Stdio::null());
    let _b = spawn(&dir, "bird", &mut cmd);
    let birdc = |c: &str| {
        run(Command::new("birdc")
            .arg("-s")
            .arg(dir.join("bird.ctl"))
            .args(c.split(' ')))
    };
    let a = peerd_v6(
        &ns,
        "v6-bird-peerd",
        "2001:db8:41::1",
        "2001:db8:41::13",
        64513,
    );
    wait(
        Duration::from_secs(30),
        || both_families(&a),
        || format!("{}\n{}", a.log(), birdc("show protocols all peerd")),
    );
    wait(
        Duration::from_secs(5),
        || a.ctl("routes other").contains("2001:db8:bbbb::/48"),
        || a.ctl("routes other"),
    );
    wait(
        Duration::from_secs(5),
        || birdc("show route").contains("2001:db8:100::/40"),
        || birdc("show route"),
    );
    assert!(
        birdc("show route").contains("198.18.80.0/24"),
        "IPv4 over an IPv6 session: {}",
        birdc("show route")
    );
    stays_up(&a);
}

#[test]
fn frr_over_ipv6() {
    let bgpd = "/usr/lib/frr/bgpd";
    if !installed(bgpd) {
        return;
    }
    let Some(ns) = Netns::new("v6frr", &["2001:db8:42::1/128", "2001:db8:42::10/128"]) else {
        return;
    };
    let dir = tempdir("v6-frr");
    let conf = format!(
        r#"frr defaults traditional
hostname v6frr
log file {d}/bgpd.log informational
route-map ALLOW permit 10
exit
router bgp 64510
 bgp router-id 192.0.2.10
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 2001:db8:42::1 remote-as 64500
 neighbor 2001:db8:42::1 update-source 2001:db8:42::10
 neighbor 2001:db8:42::1 port 1179
 neighbor 2001:db8:42::1 disable-connected-check
 neighbor 2001:db8:42::1 timers connect 2
 neighbor 2001:db8:42::1 timers 3 9
 address-family ipv4 unicast
  neighbor 2001:db8:42::1 activate
  neighbor 2001:db8:42::1 route-map ALLOW in
  neighbor 2001:db8:42::1 route-map ALLOW out
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:cccc::/48
  neighbor 2001:db8:42::1 activate
  neighbor 2001:db8:42::1 route-map ALLOW in
  neighbor 2001:db8:42::1 route-map ALLOW out
 exit-address-family
exit
"#,
        d = dir.display()
    );
    std::fs::write(dir.join("bgpd.conf"), conf).unwrap();
    let mut cmd = ns.cmd(bgpd);
    cmd.arg("-f").arg(dir.join("bgpd.conf")).args([
        "-Z",
        "-S",
        "-l",
        "2001:db8:42::10",
        "-p",
        "1179",
        "-P",
        "0",
    ]);
    cmd.arg("--vty_socket")
        .arg(&dir)
        .arg("-i")
        .arg(dir.join("bgpd.pid"));
    let _f = spawn(&dir, "frr", &mut cmd);
    let vty = |c: &str| {
        run(Command::new("vtysh")
            .arg("--vty_socket")
            .arg(&dir)
            .arg("-c")
            .arg(c))
    };
    let a = peerd_v6(
        &ns,
        "v6-frr-peerd",
        "2001:db8:42::1",
        "2001:db8:42::10",
        64510,
    );
    wait(
        Duration::from_secs(30),
        || both_families(&a),
        || format!("{}\n{}", a.log(), vty("show bgp summary")),
    );
    wait(
        Duration::from_secs(5),
        || a.ctl("routes other").contains("2001:db8:cccc::/48"),
        || a.ctl("routes other"),
    );
    wait(
        Duration::from_secs(5),
        || vty("show bgp ipv6 unicast").contains("2001:db8:100::/40"),
        || vty("show bgp ipv6 unicast"),
    );
    assert!(
        vty("show bgp ipv4 unicast").contains("198.18.80.0/24"),
        "{}",
        vty("show bgp ipv4 unicast")
    );
    stays_up(&a);
}

#[test]
fn gobgp_over_ipv6() {
    if !installed("gobgpd") {
        return;
    }
    let Some(ns) = Netns::new("v6gobgp", &["2001:db8:43::1/128", "2001:db8:43::20/128"]) else {
        return;
    };
    let dir = tempdir("v6-gobgp");
    let conf = gobgp_conf("2001:db8:43::20", &[("2001:db8:43::1", "")], true);
    let g = GoBgp::start(Some(&ns), &dir, &conf, 64520);
    let gb = |args: &[&str]| g.cli(args);
    gb(&[
        "global",
        "rib",
        "add",
        "-a",
        "ipv6",
        "2001:db8:dddd::/48",
        "nexthop",
        "2001:db8:43::20",
    ]);
    let a = peerd_v6(
        &ns,
        "v6-gobgp-peerd",
        "2001:db8:43::1",
        "2001:db8:43::20",
        64520,
    );
    wait(
        Duration::from_secs(30),
        || both_families(&a),
        || format!("{}\n{}", a.log(), gb(&["neighbor"])),
    );
    wait(
        Duration::from_secs(5),
        || a.ctl("routes other").contains("2001:db8:dddd::/48"),
        || a.ctl("routes other"),
    );
    wait(
        Duration::from_secs(5),
        || gb(&["global", "rib", "-a", "ipv6"]).contains("2001:db8:100::/40"),
        || gb(&["global", "rib", "-a", "ipv6"]),
    );
    assert!(gb(&["global", "rib", "-a", "ipv4"]).contains("198.18.80.0/24"));
    stays_up(&a);
}

#[test]
fn openbgpd_over_ipv6() {
    if !installed("bgpd") {
        return;
    }
    let Some(ns) = Netns::new("v6obgpd", &["2001:db8:44::1/128", "2001:db8:44::30/128"]) else {
        return;
    };
    let dir = tempdir("v6-openbgpd");
    let conf = format!(
        r#"AS 64530
router-id 192.0.2.30
listen on 2001:db8:44::30 port 1179
socket "{d}/bgpd.sock"
fib-update no
network 2001:db8:eeee::/48
neighbor 2001:db8:44::1 {{
    remote-as 64500
    local-address 2001:db8:44::30
    port 1179
    multihop 2
    holdtime 9
    announce IPv4 unicast
    announce IPv6 unicast
}}
allow from any
allow to any
"#,
        d = dir.display()
    );
    let o = OpenBgpd::start(Some(&ns), &dir, &conf);
    let ctl = |args: &[&str]| o.ctl(args);
    let a = peerd_v6(
        &ns,
        "v6-openbgpd-peerd",
        "2001:db8:44::1",
        "2001:db8:44::30",
        64530,
    );
    wait(
        Duration::from_secs(30),
        || both_families(&a),
        || format!("{}\n{}", a.log(), ctl(&["show", "neighbor"])),
    );
    wait(
        Duration::from_secs(5),
        || a.ctl("routes other").contains("2001:db8:eeee::/48"),
        || a.ctl("routes other"),
    );
    wait(
        Duration::from_secs(5),
        || ctl(&["show", "rib"]).contains("2001:db8:100::/40"),
        || ctl(&["show", "rib"]),
    );
    assert!(
        ctl(&["show", "rib"]).contains("198.18.80.0/24"),
        "{}",
        ctl(&["show", "rib"])
    );
    stays_up(&a);
}
