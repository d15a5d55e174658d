//! peerd programs a kernel table (`[fib]`), in a network namespace of the
//! test's own: BIRD announces two prefixes (one per family) with gateways
//! on a link of the namespace, peerd has two static routes (a blackhole and
//! one out of an interface); the kernel table ends up with exactly those,
//! follows a withdrawal, is emptied by a clean stop, and after a `kill -9`
//! and a restart holds each route once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

const PEERD: &str = r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["198.51.100.2"]

[fib]
table = 1000
protocol = 200
metric = 20

[[static]]
prefix = "203.0.113.128/25"
blackhole = true

[[static]]
prefix = "192.0.2.128/26"
interface = "v0"

[[neighbor]]
name = "bird"
address = "198.51.100.1"
local-address = "198.51.100.2"
remote-as = 64510
families = ["ipv4-unicast", "ipv6-unicast"]
hold-time = 9
connect-retry = 1
import = "accept"
export = "accept"
"#;

fn bird_conf(dir: &std::path::Path) -> String {
    format!(
        r#"log "{d}/bird.log" all;
router id 198.51.100.1;
protocol device {{ }}
protocol static own4 {{ ipv4; route 203.0.113.0/24 unreachable; }}
protocol static own6 {{ ipv6; route 2001:db8:4000::/36 unreachable; }}
protocol bgp peerd {{
    local 198.51.100.1 as 64510;
    neighbor 198.51.100.2 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    connect retry time 2;
    error wait time 1, 5;
    ipv4 {{ import none; export all; next hop address 192.0.2.9; }};
    ipv6 {{ import none; export all; next hop address 2001:db8::9; }};
}}
"#,
        d = dir.display()
    )
}

/// A namespace with both daemons' addresses on its loopback and a veth
/// link (v0, with carrier) holding BIRD's next hops, and BIRD in it.
fn with_bird(tag: &str) -> Option<(Netns, std::path::PathBuf, Proc)> {
    with_bird_conf(tag, bird_conf)
}

fn with_bird_conf(
    tag: &str,
    conf: fn(&std::path::Path) -> String,
) -> Option<(Netns, std::path::PathBuf, Proc)> {
    let ns = Netns::new(tag, &["198.51.100.1/32", "198.51.100.2/32"])?;
    ns.ip(&["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
    ns.ip(&["link", "set", "v0", "up"]);
    ns.ip(&["link", "set", "v1", "up"]);
    ns.ip(&["addr", "add", "192.0.2.1/24", "dev", "v0"]);
    ns.ip(&["addr", "add", "2001:db8::1/64", "dev", "v0", "nodad"]);
    let bird_dir = tempdir(&format!("{tag}-bird"));
    let bird = bird_in(Some(&ns), &bird_dir, &conf(&bird_dir))?;
    Some((ns, bird_dir, bird))
}

fn table(ns: &Netns, v6: bool) -> String {
    let fam = if v6 { "-6" } else { "-4" };
    ns.ip_out(&[fam, "route", "show", "table", "1000"])
}

fn both(ns: &Netns) -> String {
    format!("{}{}", table(ns, false), table(ns, true))
}

#[test]
fn peerd_programs_the_kernel_table_and_cleans_up() {
    if !installed("bird") {
        return;
    }
    let Some((ns, bird_dir, bird)) = with_bird("fib") else {
        return;
    };
    let us = peerd_in(Some(&ns), "fib-us", PEERD);
    let expected = [
        "203.0.113.0/24 via 192.0.2.9 dev v0 proto 200 metric 20",
        "blackhole 203.0.113.128/25 proto 200 metric 20",
        "192.0.2.128/26 dev v0 proto 200 scope link metric 20",
        "2001:db8:4000::/36 via 2001:db8::9 dev v0 proto 200 metric 20",
    ];
    let dump = || format!("table:\n{}\npeerd:\n{}", both(&ns), us.log());
    wait(
        Duration::from_secs(30),
        || {
            let t = both(&ns);
            expected.iter().all(|e| t.contains(e))
        },
        dump,
    );
    assert_eq!(both(&ns).lines().count(), 4, "{}", both(&ns));

    // The API: the table's state, and the kernel's own decision for an
    // address — the route, whose it is, the gateway and the link (a rule
    // makes the kernel look in table 1000 first).
    let sock = us.dir.join("peerd.sock");
    let (status, f) = http(&sock, "GET", "/v1/fib", "");
    assert_eq!(status, 200, "{f}");
    assert_eq!(
        (f["table"].as_u64(), f["installed"].as_u64()),
        (Some(1000), Some(4)),
        "{f}"
    );
    assert!(f["batches"].as_u64() >= Some(1) && f["refused"] == 0, "{f}");
    ns.ip(&["rule", "add", "pref", "100", "table", "1000"]);
    ns.ip(&["-6", "rule", "add", "pref", "100", "table", "1000"]);
    let (status, k) = http(&sock, "GET", "/v1/fib/203.0.113.7", "");
    assert_eq!(status, 200, "{k}");
    assert_eq!(
        (
            k["kind"].as_str(),
            k["prefix"].as_str(),
            k["ours"].as_bool(),
            k["next_hops"][0]["gateway"].as_str(),
            k["next_hops"][0]["interface"].as_str()
        ),
        (
            Some("unicast"),
            Some("203.0.113.0/24"),
            Some(true),
            Some("192.0.2.9"),
            Some("v0")
        ),
        "{k}"
    );
    let (_, k) = http(&sock, "GET", "/v1/fib/2001:db8:4000::7", "");
    assert_eq!(k["next_hops"][0]["gateway"], "2001:db8::9", "{k}");
    // A blackhole: the kernel says it drops it, not which route.
    let (_, k) = http(&sock, "GET", "/v1/fib/203.0.113.200", "");
    assert_eq!(k["kind"], "blackhole", "{k}");
    // Not ours: the link's connected route in the main table.
    let (_, k) = http(&sock, "GET", "/v1/fib/192.0.2.5", "");
    assert_eq!(
        (k["kind"].as_str(), k["table"].as_u64(), k["ours"].as_bool()),
        (Some("device"), Some(254), Some(false)),
        "{k}"
    );
    assert_eq!(k["next_hops"][0]["interface"], "v0");
    let (_, k) = http(&sock, "GET", "/v1/fib/198.18.0.1", "");
    assert_eq!(k["kind"], "none", "{k}");
    let (_, text) = send(&sock, b"GET /metrics HTTP/1.1\r\n\r\n");
    let text = String::from_utf8(text).unwrap();
    assert!(text.lines().any(|l| l == "peerd_fib_routes 4"), "{text}");
    assert!(
        text.lines().any(|l| l == "peerd_fib_refused_total 0"),
        "{text}"
    );

    // BIRD withdraws its IPv4 prefix: the kernel route goes.
    birdc(&bird_dir, "disable own4");
    wait(
        Duration::from_secs(20),
        || !table(&ns, false).contains("203.0.113.0/24"),
        dump,
    );
    assert!(table(&ns, true).contains("2001:db8:4000::/36"));

    // A clean stop removes every route of ours.
    let pid = us.child.id();
    Command::new("kill").arg(pid.to_string()).status().unwrap();
    wait(Duration::from_secs(10), || both(&ns).is_empty(), dump);
    drop(us);

    // kill -9 leaves them; the next start removes the leftovers and
    // installs each route once.
    let us = peerd_in(Some(&ns), "fib-us2", PEERD);
    wait(
        Duration::from_secs(30),
        || table(&ns, true).contains("2001:db8:4000::/36"),
        || format!("table:\n{}\npeerd:\n{}", both(&ns), us.log()),
    );
    let pid = us.child.id();
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(both(&ns).lines().count(), 3, "{}", both(&ns));
    drop(us);
    let us = peerd_in(Some(&ns), "fib-us3", PEERD);
    wait(
        Duration::from_secs(30),
        || {
            us.log().contains("removed 3 routes an earlier run left")
                && both(&ns).lines().count() == 3
        },
        || format!("table:\n{}\npeerd:\n{}", both(&ns), us.log()),
    );
    let t = both(&ns);
    for e in &expected[1..] {
        assert_eq!(t.matches(e).count(), 1, "{e} in\n{t}");
    }
    drop((us, bird));
}

/// `[fib] retain` (kernel-level graceful restart): a clean stop leaves the
/// routes in the table; the next start keeps them, confirms those it
/// learns again, and removes the one nobody announces any more once the
/// retain time is up.
#[test]
fn retained_routes_survive_a_restart() {
    if !installed("bird") {
        return;
    }
    let Some((ns, bird_dir, bird)) = with_bird("fibgr") else {
        return;
    };
    let conf = PEERD.replace("metric = 20\n", "metric = 20\nretain = \"4s\"\n");
    let us = peerd_in(Some(&ns), "fibgr-us", &conf);
    wait(
        Duration::from_secs(30),
        || both(&ns).lines().count() == 4,
        || format!("table:\n{}\npeerd:\n{}", both(&ns), us.log()),
    );
    let before = both(&ns);

    // A clean stop leaves the routes.
    Command::new("kill")
        .arg(us.child.id().to_string())
        .status()
        .unwrap();
    wait(
        Duration::from_secs(10),
        || us.log().contains("left its 4 routes in the table"),
        || us.log(),
    );
    assert_eq!(
        both(&ns),
        before,
        "routes changed over a clean stop with retain"
    );
    drop(us);

    // BIRD stops announcing its IPv4 prefix meanwhile.
    birdc(&bird_dir, "disable own4");
    let us = peerd_in(Some(&ns), "fibgr-us2", &conf);
    let log = || format!("table:\n{}\npeerd:\n{}", both(&ns), us.log());
    wait(
        Duration::from_secs(10),
        || us.log().contains("kept 4 routes an earlier run left"),
        log,
    );
    // Kept meanwhile: the IPv4 route is still there right after the start.
    assert!(table(&ns, false).contains("203.0.113.0/24"), "{}", log());
    // Once the retain time is up, only what was learned again remains.
    wait(
        Duration::from_secs(20),
        || {
            us.log()
                .contains("removed 1 kept routes that were not learned again")
        },
        log,
    );
    let t = both(&ns);
    assert!(!t.contains("203.0.113.0/24"), "{t}");
    assert!(t.contains("2001:db8:4000::/36 via 2001:db8::9"), "{t}");
    assert!(t.contains("blackhole 203.0.113.128/25"), "{t}");
    assert_eq!(t.lines().count(), 3, "{t}");
    drop((us, bird));
}

/// BIRD as a listener only: it takes what peerd sends and sends nothing.
fn listening_bird(dir: &std::path::Path) -> String {
    format!(
        r#"log "{d}/bird.log" all;
router id 198.51.100.1;
protocol device {{ }}
protocol bgp peerd {{
    local 198.51.100.1 as 64510;
    neighbor 198.51.100.2 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    connect retry time 2;
    error wait time 1, 5;
    ipv4 {{ import all; export none; }};
}}
"#,
        d = dir.display()
    )
}

/// `[fib] import`: other programs' routes in the kernel's main table enter
/// the routing table through a policy. A DHCP client's default route (the
/// regular internet connection) is taken, is not installed again by
/// peerd, and keeps a conditional announcement up while it lasts; a
/// route an operator added is redistributed into BGP; a connected route
/// and a route the policy rejects are not taken.
#[test]
fn kernel_routes_are_imported_by_policy() {
    if !installed("bird") {
        return;
    }
    let Some((ns, bird_dir, bird)) = with_bird_conf("fibin", listening_bird) else {
        return;
    };
    let conf = r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["198.51.100.2"]

[fib]
table = 1000
import = "from-kernel"

[[announce]]
prefix = "203.0.113.0/24"
when = "covered"

[[policy.from-kernel]]
match = { prefix = ["0.0.0.0/0", "198.51.100.128/25"] }
action = "accept"
[[policy.from-kernel]]
action = "reject"

[[policy.not-default]]
match = { prefix-length = 0 }
action = "reject"
[[policy.not-default]]
action = "accept"

[redistribute]
kernel = "not-default"

[[neighbor]]
name = "bird"
address = "198.51.100.1"
local-address = "198.51.100.2"
remote-as = 64510
hold-time = 9
connect-retry = 1
import = "deny"
export = "accept"
"#;
    let us = peerd_in(Some(&ns), "fibin-us", conf);
    let at_bird = || birdc(&bird_dir, "show route protocol peerd");
    let log = || {
        format!(
            "bird:\n{}\nrib:\n{}\npeerd:\n{}",
            at_bird(),
            us.ctl("rib"),
            us.log()
        )
    };
    wait(Duration::from_secs(30), || established(&us, "bird"), log);
    // No default route yet: our conditional prefix is not announced.
    std::thread::sleep(Duration::from_secs(1));
    assert!(!at_bird().contains("203.0.113.0/24"), "{}", log());

    // A DHCP client's default, an operator's route, one the policy
    // rejects.
    ns.ip(&[
        "route",
        "add",
        "default",
        "via",
        "192.0.2.254",
        "proto",
        "dhcp",
        "metric",
        "1024",
    ]);
    ns.ip(&[
        "route",
        "add",
        "198.51.100.128/25",
        "via",
        "192.0.2.253",
        "proto",
        "static",
    ]);
    ns.ip(&[
        "route",
        "add",
        "198.51.100.64/26",
        "via",
        "192.0.2.252",
        "proto",
        "static",
    ]);
    wait(
        Duration::from_secs(20),
        || {
            let b = at_bird();
            b.contains("203.0.113.0/24") && b.contains("198.51.100.128/25")
        },
        log,
    );
    let b = at_bird();
    assert!(
        !b.contains("0.0.0.0/0"),
        "the default is not redistributed:\n{b}"
    );
    assert!(!b.contains("198.51.100.64/26"), "rejected on import:\n{b}");
    assert!(
        !b.contains("192.0.2.0/24"),
        "connected routes are not taken:\n{b}"
    );
    let d = us.ctl("route 198.18.0.1");
    assert!(
        d.contains("0.0.0.0/0") && d.contains("kernel"),
        "{d}\n{}",
        log()
    );
    assert!(d.contains("192.0.2.254"), "{d}");
    // Not installed by us: the kernel has it already.
    assert_eq!(table(&ns, false), "", "{}", log());

    // The default goes (the DHCP lease ends): so does our announcement;
    // the operator's route goes: withdrawn.
    ns.ip(&[
        "route",
        "del",
        "default",
        "via",
        "192.0.2.254",
        "proto",
        "dhcp",
        "metric",
        "1024",
    ]);
    wait(
        Duration::from_secs(20),
        || !at_bird().contains("203.0.113.0/24"),
        log,
    );
    assert!(at_bird().contains("198.51.100.128/25"), "{}", log());
    ns.ip(&["route", "del", "198.51.100.128/25"]);
    wait(
        Duration::from_secs(20),
        || !at_bird().contains("198.51.100.128/25"),
        log,
    );
    drop((us, bird));
}

/// BIRD as a helper for our graceful restart: it sends its two prefixes
/// and takes ours.
fn helper_bird(dir: &std::path::Path) -> String {
    bird_conf(dir)
        .replace("    ipv4 {{ import none;", "    ipv4 {{ import all;")
        .replace("ipv4 { import none;", "ipv4 { import all;")
}

/// The restarting speaker's side of graceful restart (RFC 4724 §4.1) with
/// `[fib] retain`: our capability lists our families, so BIRD keeps our
/// route while peerd restarts (a clean stop); the next start has the R
/// and F bits set, sends nothing until BIRD's End-of-RIB, then sends its
/// routes, clears the R bit and removes the kept routes nobody announced
/// again — at once, not when `retain` is up.
#[test]
fn a_restart_with_retained_routes_is_graceful_for_the_neighbours() {
    if !installed("bird") {
        return;
    }
    let Some((ns, bird_dir, bird)) = with_bird_conf("fibrs", helper_bird) else {
        return;
    };
    let conf = PEERD
        .replace("metric = 20\n", "metric = 20\nretain = \"60s\"\n")
        .replace(
            "[[static]]\nprefix = \"203.0.113.128/25\"",
            "[[announce]]\nprefix = \"192.0.2.64/26\"\n\n[[static]]\nprefix = \"203.0.113.128/25\"",
        );
    let at_bird = || birdc(&bird_dir, "show route protocol peerd");
    let caps = || birdc(&bird_dir, "show protocols all peerd");
    let us = peerd_in(Some(&ns), "fibrs-us", &conf);
    let log = |us: &Proc| {
        format!(
            "bird:\n{}\n{}\ntable:\n{}\npeerd:\n{}",
            at_bird(),
            caps(),
            both(&ns),
            us.log()
        )
    };
    wait(
        Duration::from_secs(30),
        || at_bird().contains("192.0.2.64/26") && both(&ns).lines().count() == 4,
        || log(&us),
    );
    // Our capability, as BIRD saw it: both families listed; a cold start
    // has no forwarding state to speak of (no F bit).
    let c = caps();
    let ours = c.split("Neighbor capabilities").nth(1).unwrap_or_default();
    assert!(ours.contains("AF supported: ipv4 ipv6"), "{c}");
    assert!(!ours.contains("AF preserved: ipv4"), "{c}");

    // A clean stop: the routes stay in the kernel and BIRD keeps ours.
    Command::new("kill")
        .arg(us.child.id().to_string())
        .status()
        .unwrap();
    wait(
        Duration::from_secs(10),
        || us.log().contains("left its 4 routes in the table"),
        || log(&us),
    );
    drop(us);
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        at_bird().contains("192.0.2.64/26"),
        "BIRD dropped our route while we restart:\n{}",
        at_bird()
    );
    // BIRD stops announcing its IPv4 prefix meanwhile.
    birdc(&bird_dir, "disable own4");

    let us = peerd_in(Some(&ns), "fibrs-us2", &conf);
    wait(
        Duration::from_secs(30),
        || us.log().contains("every neighbor has sent its routes"),
        || log(&us),
    );
    let l = us.log();
    assert!(l.contains("restarting with 4 kept routes"), "{l}");
    // Swept at convergence, long before `retain` (60 s) is up.
    assert!(
        l.contains("removed 1 kept routes that were not learned again"),
        "{l}"
    );
    let t = both(&ns);
    assert!(!t.contains("203.0.113.0/24"), "{t}");
    assert_eq!(t.lines().count(), 3, "{t}");
    // BIRD has our route, and saw our forwarding state preserved (F bits).
    assert!(at_bird().contains("192.0.2.64/26"), "{}", log(&us));
    let c = caps();
    let ours = c.split("Neighbor capabilities").nth(1).unwrap_or_default();
    assert!(ours.contains("AF preserved: ipv4 ipv6"), "{c}");
    drop((us, bird));
}
