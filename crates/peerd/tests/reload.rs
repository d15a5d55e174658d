//! Hitless reload against real daemons: BIRD and FRR stay connected while
//! peerd's policies change under them, and what they hold changes.
//!
//! peerd (AS 64500, 127.0.28.1) exports to BIRD (AS 64520, .2) and imports
//! from FRR (AS 64510, .3). Reloads, in order:
//! 1. `reload dry-run`: lists the plan and changes nothing;
//! 2. `reload`: BIRD's export policy now drops one of our prefixes and
//!    prepends and tags the rest; FRR's import policy drops one of FRR's
//!    prefixes and raises LOCAL_PREF on the other (by route refresh); a new
//!    neighbor (a second peerd, .4) starts. Neither BIRD's nor FRR's session
//!    restarts (BIRD's "since" time and FRR's established count are the
//!    same afterwards);
//! 3. an invalid file: the error names the place, nothing changes;
//! 4. SIGHUP with the new neighbor removed: it is told "peer de-configured".
//!
//! A second test: with `keep-received`, a new import policy applies from
//! the kept routes and FRR is not even asked for a route refresh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::time::Duration;

const V1: &str = r#"
[[policy.to-bird]]
action = "accept"

[[policy.from-frr]]
action = "accept"
"#;

const V2: &str = r#"
[[policy.to-bird]]
match = { prefix = ["198.18.131.0/24"] }
action = "reject"
[[policy.to-bird]]
set = { add-communities = ["64500:77"], prepend = 1 }
action = "accept"

[[policy.from-frr]]
match = { prefix = ["198.18.81.0/24"] }
action = "reject"
[[policy.from-frr]]
set = { local-pref = 200 }
action = "accept"
"#;

const LATE: &str = r#"
[[neighbor]]
name = "late"
address = "127.0.28.4"
port = 1179
local-address = "127.0.28.1"
remote-as = 64530
hold-time = 9
connect-retry = 1
import = "accept"
export = "accept"
"#;

fn conf(policies: &str, extra: &str) -> String {
    format!(
        r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.28.1"]
port = 1179

[[announce]]
prefix = "198.18.130.0/24"
[[announce]]
prefix = "198.18.131.0/24"
{policies}
[[neighbor]]
name = "bird"
address = "127.0.28.2"
port = 1179
local-address = "127.0.28.1"
remote-as = 64520
ipv4-next-hop = "198.18.0.1"
hold-time = 9
connect-retry = 1
import = "deny"
export = "to-bird"

[[neighbor]]
name = "frr"
address = "127.0.28.3"
port = 1179
local-address = "127.0.28.1"
remote-as = 64510
ipv4-next-hop = "198.18.0.1"
hold-time = 9
connect-retry = 1
import = "from-frr"
export = "deny"
{extra}"#
    )
}

fn late_conf() -> String {
    "[router]\nasn = 64530\nrouter-id = \"192.0.2.4\"\nlisten = [\"127.0.28.4\"]\nport = 1179\n\n\
     [[neighbor]]\nname = \"hub\"\naddress = \"127.0.28.1\"\nport = 1179\nlocal-address = \"127.0.28.4\"\n\
     remote-as = 64500\nhold-time = 9\nconnect-retry = 1\nimport = \"accept\"\nexport = \"accept\"\n"
        .to_string()
}

#[test]
fn reload_changes_policies_without_resetting_bird_or_frr() {
    if !installed("bird") || !installed("/usr/lib/frr/bgpd") {
        return;
    }
    let bird_dir = tempdir("reload-bird");
    let Some(_bird) = bird(
        &bird_dir,
        &bird_conf(&bird_dir, "127.0.28.2", 64520, "127.0.28.1", "", ""),
    ) else {
        return;
    };
    let frr_dir = tempdir("reload-frr");
    let Some(_frr) = frr_multi(&frr_dir, "127.0.28.3", &[("127.0.28.1", "")]) else {
        return;
    };
    let us = peerd("reload-us", &conf(V1, ""));
    let late = peerd("reload-late", &late_conf());
    let file = us.dir.join("peerd.toml");

    let bird_route = |p: &str| birdc(&bird_dir, &format!("show route {p} all"));
    let bird_has = |p: &str| bird_route(p).contains("BGP.as_path");
    let bird_since = || {
        birdc(&bird_dir, "show protocols peerd")
            .lines()
            .find(|l| l.starts_with("peerd"))
            .map(|l| l.split_whitespace().nth(4).unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let frr_established = || {
        let j = vtysh(&frr_dir, &["show bgp neighbors 127.0.28.1 json"]);
        j.split("\"connectionsEstablished\":")
            .nth(1)
            .and_then(|r| r.split(',').next())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let dump = || {
        format!(
            "peerd:\n{}\n{}\nBIRD:\n{}\nFRR:\n{}",
            us.ctl("neighbors"),
            us.log(),
            birdc(&bird_dir, "show route all"),
            vtysh(&frr_dir, &["show bgp neighbors 127.0.28.1"])
        )
    };

    wait(
        Duration::from_secs(40),
        || {
            established(&us, "bird")
                && established(&us, "frr")
                && bird_has("198.18.130.0/24")
                && bird_has("198.18.131.0/24")
                && us.ctl("route 198.18.81.0/24").contains("frr")
        },
        dump,
    );
    assert!(!established(&late, "hub"), "not configured in peerd yet");
    let since = bird_since();
    let established_count = frr_established();
    assert!(
        !since.is_empty() && established_count == "1",
        "{since:?} {established_count:?}"
    );

    // 1. Dry run: the plan, and nothing changes.
    std::fs::write(&file, conf(V2, LATE)).unwrap();
    let dry = us.ctl("reload dry-run");
    for want in [
        "dry run, nothing changed",
        "keep       bird: export re-evaluated",
        "keep       frr: import re-evaluated",
        "start      late",
    ] {
        assert!(dry.contains(want), "{want:?} in:\n{dry}");
    }
    std::thread::sleep(Duration::from_secs(2));
    assert!(bird_has("198.18.131.0/24"), "a dry run changed something");
    assert!(!established(&late, "hub"));

    // 2. The reload itself.
    let out = us.ctl("reload");
    assert!(out.starts_with("reloaded:"), "{out}");
    wait(
        Duration::from_secs(30),
        || {
            !bird_has("198.18.131.0/24")
                && bird_route("198.18.130.0/24").contains("(64500,77)")
                && !us.ctl("route 198.18.81.0/24").contains("frr")
                && established(&late, "hub")
        },
        dump,
    );
    let ours = bird_route("198.18.130.0/24");
    assert!(ours.contains("BGP.as_path: 64500 64500"), "{ours}");
    let from_frr = us.ctl("route 198.18.80.0/24 json");
    assert!(from_frr.contains("\"local_pref\":200"), "{from_frr}");
    // An address inside it: the same route, by longest match.
    let by_address = us.ctl("route 198.18.80.77 json");
    assert_eq!(by_address, from_frr);
    assert_eq!(us.ctl("route 192.0.2.99"), "no route for 192.0.2.99\n");
    assert_eq!(bird_since(), since, "BIRD's session restarted");
    assert_eq!(
        frr_established(),
        established_count,
        "FRR's session restarted"
    );
    assert!(late.ctl("rib").contains("198.18.130.0/24"));

    // 3. An invalid file changes nothing and says where.
    std::fs::write(
        &file,
        conf(V2, LATE).replace("import = \"from-frr\"", "import = \"nope\""),
    )
    .unwrap();
    let bad = us.ctl("reload");
    assert!(
        bad.starts_with("error: ")
            && bad.contains("peerd.toml:")
            && bad.contains("\"nope\"")
            && bad.contains("the running configuration is unchanged"),
        "{bad}"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(established(&us, "late") && established(&us, "frr") && established(&us, "bird"));
    assert!(!bird_has("198.18.131.0/24"));

    // 4. SIGHUP, with "late" gone: it is told why.
    std::fs::write(&file, conf(V2, "")).unwrap();
    let pid = us.child.id().to_string();
    run(std::process::Command::new("kill").args(["-HUP", &pid]));
    wait(
        Duration::from_secs(20),
        || late.log().contains("Peer De-configured"),
        || format!("{}\n{}", late.log(), us.log()),
    );
    assert!(!us.ctl("neighbors").contains("late"));
    assert!(us.log().contains("reload: stop       late"), "{}", us.log());
    assert_eq!(bird_since(), since);
    assert_eq!(frr_established(), established_count);
}

/// With `keep-received`, a new import policy applies from the routes kept
/// as received: FRR is not asked for a route refresh (its counter stays
/// at zero) and its session stays up; `routes NAME received` shows the
/// routes as they came.
#[test]
fn kept_routes_take_a_new_import_policy_without_a_route_refresh() {
    if !installed("/usr/lib/frr/bgpd") {
        return;
    }
    let frr_dir = tempdir("soft-frr");
    let Some(_frr) = frr_multi(&frr_dir, "127.0.31.3", &[("127.0.31.1", "")]) else {
        return;
    };
    let conf = |policy: &str| {
        format!(
            "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"127.0.31.1\"]\nport = 1179\n\n\
             [[policy.from-frr]]\nmatch = {{ prefix = [\"{policy}\"] }}\naction = \"accept\"\n\
             [[policy.from-frr]]\naction = \"reject\"\n\n\
             [[neighbor]]\nname = \"frr\"\naddress = \"127.0.31.3\"\nport = 1179\nlocal-address = \"127.0.31.1\"\n\
             remote-as = 64510\nhold-time = 9\nconnect-retry = 1\nkeep-received = true\n\
             import = \"from-frr\"\nexport = \"deny\"\n"
        )
    };
    let us = peerd("soft-us", &conf("198.18.80.0/24"));
    let has = |p: &str| us.ctl(&format!("route {p}")).contains("frr");
    wait(
        Duration::from_secs(30),
        || has("198.18.80.0/24"),
        || us.log(),
    );
    assert!(!has("198.18.81.0/24"));
    let received = us.ctl("routes frr received");
    assert!(
        received.contains("198.18.80.0/24") && received.contains("198.18.81.0/24"),
        "{received}"
    );
    let stat = |k: &str| {
        let j = vtysh(&frr_dir, &["show bgp neighbors 127.0.31.1 json"]);
        j.split(&format!("\"{k}\":"))
            .nth(1)
            .and_then(|r| r.split([',', '}']).next())
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (refresh_before, est_before) = (stat("routeRefreshRecv"), stat("connectionsEstablished"));
    assert_eq!(est_before, "1");
    assert_eq!(refresh_before, "0", "FRR's count of ROUTE-REFRESH received");

    std::fs::write(us.dir.join("peerd.toml"), conf("198.18.81.0/24")).unwrap();
    let dry = us.ctl("reload dry-run");
    assert!(
        dry.contains("keep       frr: import re-evaluated from the routes kept as received"),
        "{dry}"
    );
    let out = us.ctl("reload");
    assert!(out.starts_with("reloaded:"), "{out}");
    wait(
        Duration::from_secs(10),
        || has("198.18.81.0/24") && !has("198.18.80.0/24"),
        || format!("{}\n{}", us.ctl("rib"), us.log()),
    );
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        stat("routeRefreshRecv"),
        refresh_before,
        "FRR was asked for a refresh"
    );
    assert_eq!(stat("connectionsEstablished"), est_before);
}
