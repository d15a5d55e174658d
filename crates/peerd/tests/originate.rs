//! Static routes and conditional announcements, seen by real daemons.
//!
//! peerd (AS 64500, 127.0.30.1) takes FRR's routes (AS 64510, .3) and
//! sends to BIRD (AS 64520, .2):
//! - a static route redistributed through a policy that tags it reaches
//!   BIRD with ORIGIN INCOMPLETE and the tag; a static route the policy
//!   rejects does not;
//! - 198.18.80.128/25, announced `when = "covered"`, is at BIRD while
//!   FRR's 198.18.80.0/24 covers it, and withdrawn when FRR stops.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::time::Duration;

const CONF: &str = r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.30.1"]
port = 1179

[[announce]]
prefix = "198.18.80.128/25"
when = "covered"

[[static]]
prefix = "198.18.135.0/24"
next-hop = "198.18.0.1"

[[static]]
prefix = "198.18.136.0/24"
blackhole = true

[[policy.statics]]
match = { prefix = ["198.18.136.0/24"] }
action = "reject"
[[policy.statics]]
set = { add-communities = ["64500:135"] }
action = "accept"

[redistribute]
static = "statics"

[[neighbor]]
name = "bird"
address = "127.0.30.2"
port = 1179
local-address = "127.0.30.1"
remote-as = 64520
ipv4-next-hop = "198.18.0.1"
hold-time = 9
connect-retry = 1
import = "deny"
export = "accept"

[[neighbor]]
name = "frr"
address = "127.0.30.3"
port = 1179
local-address = "127.0.30.1"
remote-as = 64510
hold-time = 9
connect-retry = 1
import = "accept"
export = "deny"
# Killed, FRR would otherwise have its routes kept as stale (RFC 4724).
graceful-restart = false
"#;

#[test]
fn statics_and_conditional_announcements_reach_bird() {
    if !installed("bird") || !installed("/usr/lib/frr/bgpd") {
        return;
    }
    let bird_dir = tempdir("orig-bird");
    let Some(_bird) = bird(
        &bird_dir,
        &bird_conf(&bird_dir, "127.0.30.2", 64520, "127.0.30.1", "", ""),
    ) else {
        return;
    };
    let frr_dir = tempdir("orig-frr");
    let frr = frr_multi(&frr_dir, "127.0.30.3", &[("127.0.30.1", "")]);
    let Some(frr) = frr else { return };
    let us = peerd("orig-us", CONF);
    let at_bird = |p: &str| birdc(&bird_dir, &format!("show route {p} all"));
    let dump = || {
        format!(
            "{}\n{}\n{}\nBIRD:\n{}",
            us.ctl("neighbors"),
            us.ctl("rib"),
            us.log(),
            birdc(&bird_dir, "show route all")
        )
    };
    wait(
        Duration::from_secs(40),
        || {
            at_bird("198.18.135.0/24").contains("BGP.as_path")
                && at_bird("198.18.80.128/25").contains("BGP.as_path")
        },
        dump,
    );
    let st = at_bird("198.18.135.0/24");
    assert!(st.contains("BGP.origin: Incomplete"), "{st}");
    assert!(st.contains("(64500,135)"), "{st}");
    assert!(
        !at_bird("198.18.136.0/24").contains("BGP.as_path"),
        "rejected by the policy"
    );
    // peerd's table: the static routes, and FRR's routes.
    let rib = us.ctl("rib json");
    assert!(
        rib.contains("\"prefix\":\"198.18.136.0/24\"")
            && rib.contains("\"next_hop\":\"blackhole\""),
        "{rib}"
    );

    // FRR goes: its /24 is withdrawn, so is our /25.
    drop(frr);
    wait(
        Duration::from_secs(30),
        || !at_bird("198.18.80.128/25").contains("BGP.as_path"),
        dump,
    );
    assert!(
        at_bird("198.18.135.0/24").contains("BGP.as_path"),
        "the static route stays"
    );
}
