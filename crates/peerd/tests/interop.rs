//! peerd against the reference daemons from Debian: BIRD 2, FRR bgpd,
//! GoBGP and OpenBGPD, each started with its own temp directory on its own
//! loopback address, checked through its own CLI, killed by PID at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn bird_and_peerd_exchange_routes_with_communities() {
    let dir = tempdir("bird");
    let conf = format!(
        r#"log "{d}/bird.log" all;
router id 192.0.2.13;
protocol device {{ }}
ipv4 table igp4;
protocol static nh_resolve {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via "lo"; }}
protocol static orig4 {{
    ipv4;
    route 198.18.10.0/24 blackhole {{
        bgp_community.add((64513, 7)); bgp_large_community.add((64513, 1, 2));
        bgp_ext_community.add((rt, 64513, 7));
        bgp_path.prepend(64998); bgp_path.prepend(64999); bgp_path.prepend(4200000013);
    }};
}}
protocol static orig6 {{ ipv6; route 2001:db8:bbbb::/48 blackhole; }}
protocol bgp peerd {{
    local 127.0.6.13 port 1179 as 64513;
    neighbor 127.0.6.1 port 1179 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    ipv4 {{ igp table igp4; import all; export all; next hop address 198.18.0.13; }};
    ipv6 {{ import all; export all; next hop address 2001:db8::13; }};
}}
"#,
        d = dir.display()
    );
    let Some(_bird) = bird(&dir, &conf) else {
        return;
    };
    let ann = format!("{ANNOUNCE}\n[[announce]]\nprefix = \"2001:db8:100::/40\"");
    let nb = "families = [\"ipv4-unicast\", \"ipv6-unicast\"]\nmultihop = 2\nipv6-next-hop = \"2001:db8::1\"";
    let cfg = config(
        64500,
        "192.0.2.1",
        "127.0.6.1",
        "127.0.6.13",
        64513,
        &ann,
        nb,
    );
    let a = peerd("bird-peerd", &cfg);
    wait(
        Duration::from_secs(20),
        || established(&a, "other"),
        || format!("{}\n{}", a.log(), birdc(&dir, "show protocols all peerd")),
    );
    wait(
        Duration::from_secs(5),
        || a.ctl("routes other").contains("2001:db8:bbbb::/48"),
        || a.ctl("routes other"),
    );
    let got = a.ctl("routes other json");
    assert!(got.contains("\"prefix\":\"198.18.10.0/24\""), "{got}");
    assert!(
        got.contains("\"communities\":[\"64513:7\"]")
            && got.contains("\"large_communities\":[\"64513:1:2\"]"),
        "{got}"
    );
    assert!(
        got.contains("\"next_hop\":\"198.18.0.13\"")
            && got.contains("\"as_path\":\"64513 4200000013 64999 64998\"")
            && got.contains("\"extended_communities\":[\"rt 64513:7\"]"),
        "{got}"
    );
    wait(
        Duration::from_secs(5),
        || birdc(&dir, "show route all").contains("2001:db8:100::/40"),
        || birdc(&dir, "show route all"),
    );
    let routes = birdc(&dir, "show route all");
    assert!(
        routes.contains("198.18.20.0/24") && routes.contains("BGP.as_path: 64500"),
        "{routes}"
    );
    assert!(
        routes.contains("BGP.community: (64500,100)")
            && routes.contains("BGP.ext_community: (rt, 64500, 7)")
            && routes.contains("BGP.large_community: (64500, 0, 7)"),
        "{routes}"
    );
    refresh_both_ways(&a, || birdc(&dir, "reload in peerd"), true);
    // Withdraw on BIRD's side: disable its static protocol.
    birdc(&dir, "disable orig4");
    wait(
        Duration::from_secs(5),
        || !a.ctl("routes other").contains("198.18.10.0/24"),
        || a.ctl("routes other"),
    );
    // Still up after several hold times.
    std::thread::sleep(Duration::from_secs(20));
    assert!(established(&a, "other"));
    assert!(birdc(&dir, "show protocols peerd").contains("Established"));
}

/// Route refresh both ways with peerd's neighbour "other": the daemon asks
/// (`ask`) and peerd logs the request (and answers it); then peerd asks, and
/// with `enhanced` the daemon's answer is seen in peerd's log, framed by its
/// RFC 7313 Begin/End-of-RIB-Refresh.
fn refresh_both_ways(a: &Proc, ask: impl Fn() -> String, enhanced: bool) {
    let count = |what: &str| a.log().matches(what).count();
    let request = "route refresh received: ipv4-unicast Request";
    let n = count(request);
    let out = ask();
    wait(
        Duration::from_secs(10),
        || count(request) > n,
        || format!("{out}\n{}", a.log()),
    );
    if enhanced {
        let end = "route refresh received: ipv4-unicast EndOfRib";
        let n = count(end);
        assert_eq!(a.ctl("refresh other"), "ok\n");
        wait(Duration::from_secs(10), || count(end) > n, || a.log());
    }
}

/// peerd asks its neighbour "other" for a route refresh, and the daemon's
/// CLI (`show`) counts it received: the last number on the line starting
/// with `label`.
fn refresh_is_counted(a: &Proc, show: &dyn Fn() -> String, label: &str) {
    let received = || {
        show()
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split_whitespace().last().map(str::to_string))
            .unwrap_or_default()
    };
    let before = received();
    assert_eq!(a.ctl("refresh other"), "ok\n");
    wait(Duration::from_secs(10), || received() != before, show);
}

/// peerd's IPv4 route with a standard, a large and an extended community.
const ANNOUNCE: &str = r#"[[announce]]
prefix = "198.18.20.0/24"
communities = ["64500:100"]
large-communities = ["64500:0:7"]
extended-communities = ["rt 64500:7"]"#;

/// peerd's side of an interop test: AS 64500 on `me`, one neighbour.
fn peerd_for(name: &str, me: &str, other: &str, other_as: u32) -> Proc {
    // The hostname goes in the [router] table, before the announcements.
    let ann = format!(
        "hostname = \"peerd-edge\"\n{ANNOUNCE}\n[[announce]]\nprefix = \"2001:db8:100::/40\""
    );
    let ann = ann.as_str();
    let nb = "families = [\"ipv4-unicast\", \"ipv6-unicast\"]\nmultihop = 2\nipv4-next-hop = \"198.18.0.1\"\nipv6-next-hop = \"2001:db8::1\"";
    peerd(
        name,
        &config(64500, "192.0.2.1", me, other, other_as, ann, nb),
    )
}

#[test]
fn frr_and_peerd_exchange_routes_with_communities() {
    let bgpd = "/usr/lib/frr/bgpd";
    if !installed(bgpd) {
        return;
    }
    let dir = tempdir("frr");
    let conf = format!(
        r#"frr defaults traditional
hostname frrtest
log file {d}/bgpd.log informational
!
route-map ALLOW permit 10
exit
route-map SETC permit 10
 set community 64510:9
 set large-community 64510:1:1
 set extcommunity rt 64510:9
 set as-path prepend 4200000010 64999 64998
exit
!
router bgp 64510
 bgp router-id 192.0.2.10
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.7.1 remote-as 64500
 neighbor 127.0.7.1 update-source 127.0.7.10
 neighbor 127.0.7.1 port 1179
 neighbor 127.0.7.1 disable-connected-check
 neighbor 127.0.7.1 timers connect 2
 neighbor 127.0.7.1 timers 3 9
 !
 address-family ipv4 unicast
  network 198.18.30.0/24 route-map SETC
  neighbor 127.0.7.1 activate
  neighbor 127.0.7.1 route-map ALLOW in
  neighbor 127.0.7.1 route-map ALLOW out
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:cccc::/48
  neighbor 127.0.7.1 activate
  neighbor 127.0.7.1 route-map ALLOW in
  neighbor 127.0.7.1 route-map ALLOW out
 exit-address-family
exit
"#,
        d = dir.display()
    );
    std::fs::write(dir.join("bgpd.conf"), conf).unwrap();
    let mut cmd = Command::new(bgpd);
    cmd.arg("-f").arg(dir.join("bgpd.conf")).args([
        "-Z",
        "-S",
        "-l",
        "127.0.7.10",
        "-p",
        "1179",
        "-P",
        "0",
    ]);
    cmd.arg("--vty_socket")
        .arg(&dir)
        .arg("-i")
        .arg(dir.join("bgpd.pid"));
    let _frr = spawn(&dir, "frr", &mut cmd);
    let vty = |c: &str| {
        run(Command::new("vtysh")
            .arg("--vty_socket")
            .arg(&dir)
            .arg("-c")
            .arg(c))
    };
    let a = peerd_for("frr-peerd", "127.0.7.1", "127.0.7.10", 64510);
    wait(
        Duration::from_secs(30),
        || established(&a, "other"),
        || format!("{}\n{}", a.log(), vty("show bgp summary")),
    );
    wait(
        Duration::from_secs(10),
        || a.ctl("routes other").contains("2001:db8:cccc::/48"),
        || a.ctl("routes other"),
    );
    let got = a.ctl("routes other json");
    assert!(got.contains("\"prefix\":\"198.18.30.0/24\""), "{got}");
    assert!(
        got.contains("\"communities\":[\"64510:9\"]")
            && got.contains("\"large_communities\":[\"64510:1:1\"]"),
        "{got}"
    );
    assert!(
        got.contains("\"as_path\":\"64510 4200000010 64999 64998\"")
            && got.contains("\"extended_communities\":[\"rt 64510:9\"]"),
        "{got}"
    );
    wait(
        Duration::from_secs(10),
        || vty("show bgp ipv6 unicast").contains("2001:db8:100::/40"),
        || vty("show bgp ipv6 unicast"),
    );
    // The FQDN capability both ways: FRR's host name in `peerctl neighbors`,
    // ours in FRR's neighbour view.
    assert!(
        a.ctl("neighbors json").contains("\"hostname\":\"frrtest\""),
        "{}",
        a.ctl("neighbors json")
    );
    let nb = vty("show bgp neighbors 127.0.7.1");
    assert!(nb.contains("peerd-edge"), "{nb}");
    let v4 = vty("show bgp ipv4 unicast 198.18.20.0/24");
    assert!(v4.contains("64500") && v4.contains("198.18.0.1"), "{v4}");
    assert!(
        v4.contains("Community: 64500:100")
            && v4.contains("Extended Community: RT:64500:7")
            && v4.contains("Large Community: 64500:0:7"),
        "{v4}"
    );
    // Route refresh both ways: FRR asks us, and we answer with the table again.
    refresh_both_ways(&a, || vty("clear bgp ipv4 unicast 127.0.7.1 soft in"), true);
    assert!(vty("show bgp ipv4 unicast").contains("198.18.20.0/24"));
    // Withdrawal from FRR's side.
    let out = run(Command::new("vtysh").arg("--vty_socket").arg(&dir).args([
        "-c",
        "configure terminal",
        "-c",
        "router bgp 64510",
        "-c",
        "address-family ipv4 unicast",
        "-c",
        "no network 198.18.30.0/24 route-map SETC",
    ]));
    wait(
        Duration::from_secs(10),
        || !a.ctl("routes other").contains("198.18.30.0/24"),
        || format!("{out}\n{}", a.ctl("routes other")),
    );
    std::thread::sleep(Duration::from_secs(20));
    assert!(
        established(&a, "other"),
        "still up after several hold times: {}",
        a.ctl("neighbors")
    );
}

#[test]
fn gobgp_and_peerd_exchange_routes_with_communities() {
    if !installed("gobgpd") {
        return;
    }
    let dir = tempdir("gobgp");
    let conf = gobgp_conf("127.0.8.10", &[("127.0.8.1", "")], true);
    let g = GoBgp::start(None, &dir, &conf, 64520);
    let gb = |args: &[&str]| g.cli(args);
    gb(&[
        "global",
        "rib",
        "add",
        "-a",
        "ipv4",
        "198.18.40.0/24",
        "nexthop",
        "198.18.0.20",
        "community",
        "64520:9",
        "large-community",
        "64520:1:1",
        "rt",
        "64520:9",
        "aspath",
        "4200000020,64999,64998",
    ]);
    gb(&[
        "global",
        "rib",
        "add",
        "-a",
        "ipv6",
        "2001:db8:dddd::/48",
        "nexthop",
        "2001:db8::20",
    ]);
    let a = peerd_for("gobgp-peerd", "127.0.8.1", "127.0.8.10", 64520);
    wait(
        Duration::from_secs(30),
        || established(&a, "other"),
        || format!("{}\n{}", a.log(), gb(&["neighbor"])),
    );
    wait(
        Duration::from_secs(10),
        || a.ctl("routes other").contains("2001:db8:dddd::/48"),
        || a.ctl("routes other"),
    );
    let got = a.ctl("routes other json");
    assert!(
        got.contains("\"prefix\":\"198.18.40.0/24\"")
            && got.contains("\"next_hop\":\"198.18.0.20\""),
        "{got}"
    );
    assert!(
        got.contains("\"communities\":[\"64520:9\"]")
            && got.contains("\"large_communities\":[\"64520:1:1\"]")
            && got.contains("\"extended_communities\":[\"rt 64520:9\"]")
            && got.contains("\"as_path\":\"64520 4200000020 64999 64998\""),
        "{got}"
    );
    wait(
        Duration::from_secs(10),
        || gb(&["global", "rib", "-a", "ipv4"]).contains("198.18.20.0/24"),
        || gb(&["global", "rib", "-a", "ipv4"]),
    );
    let rib = gb(&["global", "rib", "-a", "ipv4", "198.18.20.0/24"]);
    assert!(rib.contains("198.18.0.1") && rib.contains("64500"), "{rib}");
    assert!(
        rib.contains("64500:100") && rib.contains("64500:0:7") && rib.contains("64500:7"),
        "{rib}"
    );
    assert!(gb(&["global", "rib", "-a", "ipv6"]).contains("2001:db8:100::/40"));
    // Route refresh from our side: GoBGP counts the ROUTE-REFRESH it receives.
    // "Route Refresh:   <sent>   <rcvd>" in its message statistics.
    refresh_is_counted(&a, &|| gb(&["neighbor", "127.0.8.1"]), "Route Refresh:");

    gb(&["global", "rib", "del", "-a", "ipv4", "198.18.40.0/24"]);
    wait(
        Duration::from_secs(10),
        || !a.ctl("routes other").contains("198.18.40.0/24"),
        || a.ctl("routes other"),
    );
    std::thread::sleep(Duration::from_secs(20));
    assert!(established(&a, "other"), "{}", a.ctl("neighbors"));
}

#[test]
fn openbgpd_and_peerd_exchange_routes_with_communities() {
    if !installed("bgpd") {
        return;
    }
    let dir = tempdir("openbgpd");
    let conf = format!(
        r#"AS 64530
router-id 192.0.2.30
listen on 127.0.9.10 port 1179
socket "{d}/bgpd.sock"
fib-update no
network 198.18.50.0/24 set {{ community 64530:9 large-community 64530:1:1 ext-community rt 64530:9 prepend-self 2 }}
network 2001:db8:eeee::/48
neighbor 127.0.9.1 {{
    remote-as 64500
    local-address 127.0.9.10
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
    let o = OpenBgpd::start(None, &dir, &conf);
    let ctl = |args: &[&str]| o.ctl(args);
    let a = peerd_for("openbgpd-peerd", "127.0.9.1", "127.0.9.10", 64530);
    wait(
        Duration::from_secs(30),
        || established(&a, "other"),
        || format!("{}\n{}", a.log(), ctl(&["show", "neighbor"])),
    );
    wait(
        Duration::from_secs(10),
        || a.ctl("routes other").contains("2001:db8:eeee::/48"),
        || a.ctl("routes other"),
    );
    let got = a.ctl("routes other json");
    assert!(got.contains("\"prefix\":\"198.18.50.0/24\""), "{got}");
    assert!(
        got.contains("\"communities\":[\"64530:9\"]")
            && got.contains("\"large_communities\":[\"64530:1:1\"]")
            && got.contains("\"extended_communities\":[\"rt 64530:9\"]")
            && got.contains("\"as_path\":\"64530 64530 64530\""),
        "{got}"
    );
    wait(
        Duration::from_secs(10),
        || ctl(&["show", "rib"]).contains("198.18.20.0/24"),
        || ctl(&["show", "rib"]),
    );
    let rib = ctl(&["show", "rib", "198.18.20.0/24"]);
    assert!(rib.contains("198.18.0.1") && rib.contains("64500"), "{rib}");
    let detail = ctl(&["show", "rib", "detail", "198.18.20.0/24"]);
    assert!(
        detail.contains("64500:100")
            && detail.contains("64500:0:7")
            && detail.contains("rt 64500:7"),
        "{detail}"
    );
    assert!(ctl(&["show", "rib"]).contains("2001:db8:100::/40"));
    // Route refresh both ways.
    refresh_both_ways(&a, || ctl(&["neighbor", "127.0.9.1", "refresh"]), false);
    // Ours, counted by OpenBGPD: "Request  <sent>  <received>".
    refresh_is_counted(&a, &|| ctl(&["show", "neighbor", "127.0.9.1"]), "Request");
    assert!(ctl(&["show", "rib"]).contains("198.18.20.0/24"));
    // Withdrawal from OpenBGPD's side.
    let out = ctl(&["network", "delete", "198.18.50.0/24"]);
    wait(
        Duration::from_secs(10),
        || !a.ctl("routes other").contains("198.18.50.0/24"),
        || format!("{out}\n{}", a.ctl("routes other")),
    );
    std::thread::sleep(Duration::from_secs(20));
    assert!(established(&a, "other"), "{}", a.ctl("neighbors"));
}

#[test]
fn a_route_passes_through_peerd_from_bird_to_frr_with_the_right_path_and_next_hop() {
    if !installed("bird") || !installed("/usr/lib/frr/bgpd") {
        return;
    }
    // A: BIRD AS 64513 on 127.0.10.13. B: FRR AS 64510 on 127.0.10.10. peerd in between.
    let da = tempdir("chain-bird");
    let statics = "    route 198.18.60.0/24 blackhole { bgp_community.add((64513, 60)); bgp_path.prepend(4200000001); bgp_path.prepend(64513); };";
    let Some(_a) = bird(
        &da,
        &bird_conf(&da, "127.0.10.13", 64513, "127.0.10.1", "", statics),
    ) else {
        return;
    };
    let db = tempdir("chain-frr");
    let frr = format!(
        r#"frr defaults traditional
hostname chainfrr
log file {d}/bgpd.log informational
route-map ALLOW permit 10
exit
router bgp 64510
 bgp router-id 192.0.2.10
 no bgp ebgp-requires-policy
 neighbor 127.0.10.1 remote-as 64500
 neighbor 127.0.10.1 update-source 127.0.10.10
 neighbor 127.0.10.1 port 1179
 neighbor 127.0.10.1 disable-connected-check
 neighbor 127.0.10.1 timers connect 2
 neighbor 127.0.10.1 timers 3 9
 address-family ipv4 unicast
  neighbor 127.0.10.1 activate
  neighbor 127.0.10.1 route-map ALLOW in
  neighbor 127.0.10.1 route-map ALLOW out
 exit-address-family
exit
"#,
        d = db.display()
    );
    std::fs::write(db.join("bgpd.conf"), frr).unwrap();
    let mut cmd = Command::new("/usr/lib/frr/bgpd");
    cmd.arg("-f").arg(db.join("bgpd.conf")).args([
        "-Z",
        "-S",
        "-l",
        "127.0.10.10",
        "-p",
        "1179",
        "-P",
        "0",
    ]);
    cmd.arg("--vty_socket")
        .arg(&db)
        .arg("-i")
        .arg(db.join("bgpd.pid"));
    let _b = spawn(&db, "frr", &mut cmd);
    let vty = |c: &str| {
        run(Command::new("vtysh")
            .arg("--vty_socket")
            .arg(&db)
            .arg("-c")
            .arg(c))
    };
    let cfg = r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.10.1"]
port = 1179

[[neighbor]]
name = "a"
address = "127.0.10.13"
remote-as = 64513
local-address = "127.0.10.1"
multihop = 2
hold-time = 9
connect-retry = 1
import = "accept"
export = "accept"

[[neighbor]]
name = "b"
address = "127.0.10.10"
remote-as = 64510
local-address = "127.0.10.1"
multihop = 2
hold-time = 9
connect-retry = 1
ipv4-next-hop = "198.18.0.1"
import = "accept"
export = "accept"
"#;
    let p = peerd("chain-peerd", cfg);
    wait(
        Duration::from_secs(30),
        || established(&p, "a") && established(&p, "b"),
        || format!("{}\n{}", p.ctl("neighbors"), p.log()),
    );
    wait(
        Duration::from_secs(10),
        || vty("show bgp ipv4 unicast").contains("198.18.60.0/24"),
        || vty("show bgp ipv4 unicast"),
    );
    let r = vty("show bgp ipv4 unicast 198.18.60.0/24");
    // BIRD prepends its own AS on export to the two the static route carries.
    assert!(
        r.contains("64500 64513 64513 4200000001"),
        "AS path through peerd, 4-octet AS intact: {r}"
    );
    assert!(r.contains("198.18.0.1"), "next hop self: {r}");
    assert!(r.contains("64513:60"), "community intact: {r}");
    // A withdraws; the withdrawal passes through peerd to B.
    birdc(&da, "disable orig4");
    wait(
        Duration::from_secs(10),
        || !vty("show bgp ipv4 unicast").contains("198.18.60.0/24"),
        || vty("show bgp ipv4 unicast"),
    );
}

/// peerd with four neighbours at once (GoBGP, BIRD, FRR, OpenBGPD on
/// 127.0.25.x): what one announces reaches the other three through peerd,
/// and its withdrawal does too — so each daemon is checked receiving a
/// withdrawal from peerd.
#[test]
fn announcements_and_withdrawals_pass_through_peerd_to_every_daemon() {
    if !(installed("gobgpd")
        && installed("bird")
        && installed("/usr/lib/frr/bgpd")
        && installed("bgpd"))
    {
        return;
    }
    let mut cfg = String::from(
        "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"127.0.25.1\"]\nport = 1179\n",
    );
    for (name, ip, asn) in [
        ("gobgp", "127.0.25.20", 64520),
        ("bird", "127.0.25.13", 64513),
        ("frr", "127.0.25.10", 64510),
        ("openbgpd", "127.0.25.30", 64530),
    ] {
        cfg.push_str(&format!(
            "\n[[neighbor]]\nname = \"{name}\"\naddress = \"{ip}\"\nport = 1179\n\
             local-address = \"127.0.25.1\"\nremote-as = {asn}\nhold-time = 9\n\
             connect-retry = 1\nmultihop = 2\nipv4-next-hop = \"198.18.0.1\"\n\
             import = \"accept\"\nexport = \"accept\"\n"
        ));
    }
    let p = peerd("hub-peerd", &cfg);

    // GoBGP, the source of 198.18.100.0/24.
    let gdir = tempdir("hub-gobgp");
    let gconf = gobgp_conf("127.0.25.20", &[("127.0.25.1", "")], false);
    let g = GoBgp::start(None, &gdir, &gconf, 64520);
    let gb = |args: &[&str]| g.cli(args);

    // BIRD, the source of 198.18.101.0/24.
    let bdir = tempdir("hub-bird");
    let Some(_b) = bird(
        &bdir,
        &bird_conf(
            &bdir,
            "127.0.25.13",
            64513,
            "127.0.25.1",
            "",
            "    route 198.18.101.0/24 blackhole;",
        ),
    ) else {
        return;
    };
    let fdir = tempdir("hub-frr");
    let Some(_f) = frr_multi(&fdir, "127.0.25.10", &[("127.0.25.1", "")]) else {
        return;
    };
    let odir = tempdir("hub-openbgpd");
    let o = OpenBgpd::start(
        None,
        &odir,
        &format!(
            "AS 64530\nrouter-id 192.0.2.30\nlisten on 127.0.25.30 port 1179\n\
             socket \"{d}/bgpd.sock\"\nfib-update no\nneighbor 127.0.25.1 {{\n    \
             remote-as 64500\n    local-address 127.0.25.30\n    port 1179\n    multihop 2\n    \
             holdtime 9\n}}\nallow from any\nallow to any\n",
            d = odir.display()
        ),
    );
    let ctl = |args: &[&str]| o.ctl(args);

    wait(
        Duration::from_secs(40),
        || {
            ["gobgp", "bird", "frr", "openbgpd"]
                .iter()
                .all(|n| established(&p, n))
        },
        || format!("{}\n{}", p.ctl("neighbors"), p.log()),
    );
    gb(&[
        "global",
        "rib",
        "add",
        "-a",
        "ipv4",
        "198.18.100.0/24",
        "aspath",
        "4200000020,64999",
        "nexthop",
        "198.18.0.20",
        "community",
        "64520:100",
    ]);
    let at_bird = || birdc(&bdir, "show route all 198.18.100.0/24");
    let at_frr = || vtysh(&fdir, &["show bgp ipv4 unicast 198.18.100.0/24"]);
    let at_openbgpd = || ctl(&["show", "rib", "198.18.100.0/24"]);
    wait(
        Duration::from_secs(15),
        || {
            at_bird().contains("BGP.as_path: 64500 64520 4200000020 64999")
                && at_frr().contains("64500 64520 4200000020 64999")
                && at_openbgpd().contains("64500 64520 4200000020 64999")
        },
        || {
            format!(
                "{}\n{}\n{}\n{}",
                at_bird(),
                at_frr(),
                at_openbgpd(),
                p.ctl("routes gobgp")
            )
        },
    );
    assert!(at_bird().contains("(64520,100)"), "{}", at_bird());
    assert!(at_frr().contains("198.18.0.1"), "{}", at_frr());
    wait(
        Duration::from_secs(15),
        || gb(&["global", "rib", "-a", "ipv4"]).contains("198.18.101.0/24"),
        || gb(&["global", "rib", "-a", "ipv4"]),
    );
    assert!(gb(&["global", "rib", "-a", "ipv4", "198.18.101.0/24"]).contains("64500 64513"));

    // Withdrawals, passed on by peerd to every other daemon.
    gb(&["global", "rib", "del", "-a", "ipv4", "198.18.100.0/24"]);
    wait(
        Duration::from_secs(15),
        || {
            !at_bird().contains("198.18.100.0/24")
                && !at_frr().contains("64500 64520")
                && !at_openbgpd().contains("198.18.100.0/24")
        },
        || format!("{}\n{}\n{}", at_bird(), at_frr(), at_openbgpd()),
    );
    birdc(&bdir, "disable orig4");
    wait(
        Duration::from_secs(15),
        || !gb(&["global", "rib", "-a", "ipv4"]).contains("198.18.101.0/24"),
        || gb(&["global", "rib", "-a", "ipv4"]),
    );
}
