//! A full table through the API with bounded memory: a scripted peer
//! (AS 64501, 127.0.39.2) sends peerd (127.0.39.1) one million IPv6
//! prefixes — /56s of the documentation prefix 2001:db8::/32 — and
//! `peerctl routes --json` walks the routing table page by page. Every
//! route arrives once, in order; `peerctl`'s peak memory stays that of a
//! page, and peerd's resident memory grows by no more than a few pages
//! while it answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_wire::attr::{AsPath, NextHop, Origin};
use peerd_wire::{AttrValue, Attribute, DecodeContext, Family, Nlri, Prefix, UpdateBuilder};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const ROUTES: u32 = 1_000_000;

const CONF: &str = r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.39.1"]
port = 1179

[[neighbor]]
name = "feed"
address = "127.0.39.2"
port = 1179
local-address = "127.0.39.1"
remote-as = 64501
passive = true
families = ["ipv6-unicast"]
import = "accept"
"#;

/// A field of /proc/PID/status, in KiB.
fn kib(pid: u32, field: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The i-th /56 of 2001:db8::/32.
fn prefix(i: u32) -> Prefix {
    let a = (0x2001_0db8_u128 << 96) | (u128::from(i) << 72);
    Prefix::new(std::net::Ipv6Addr::from(a).into(), 56).unwrap()
}

#[test]
fn a_million_routes_page_through_with_bounded_memory() {
    let bin = Path::new(env!("CARGO_BIN_EXE_peerd")).with_file_name("peerctl");
    if !bin.exists() {
        eprintln!(
            "SKIP: {} is not built (cargo build -p peerctl)",
            bin.display()
        );
        return;
    }
    let us = peerd("paging", CONF);
    let sock = us.dir.join("peerd.sock");
    let mut feed =
        FakePeer::connect_with("127.0.39.2", "127.0.39.1:1179", 0, &[Family::IPV6_UNICAST]);
    let attrs = [
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![64501, 64496]))),
    ];
    let nh = NextHop::Ipv6 {
        global: "2001:db8::2".parse().unwrap(),
        link_local: None,
    };
    let b = UpdateBuilder::new(&DecodeContext::MODERN);
    for chunk in (0..ROUTES).collect::<Vec<_>>().chunks(4000) {
        let nlri: Vec<Nlri> = chunk.iter().map(|i| Nlri::new(prefix(*i))).collect();
        for m in b
            .announce(Family::IPV6_UNICAST, &attrs, Some(&nh), &nlri)
            .unwrap()
        {
            feed.send(&m);
        }
    }
    wait(
        Duration::from_secs(180),
        || http(&sock, "GET", "/v1/summary", "").1["prefixes_ipv6"] == ROUTES,
        || format!("{}\n{}", http(&sock, "GET", "/v1/summary", "").1, us.log()),
    );
    let pid = us.child.id();
    let before = kib(pid, "VmRSS:").unwrap();

    // Walk it: pages of 10000 routes, one JSON line per route.
    let mut ctl = Command::new(&bin)
        .arg("--socket")
        .arg(&sock)
        .args(["routes", "--json", "--page", "10000"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let ctl_pid = ctl.id();
    let out = BufReader::new(ctl.stdout.take().unwrap());
    let (mut n, mut last, mut ordered) = (0u32, None::<Prefix>, true);
    let (mut ctl_peak, mut peerd_peak) = (0u64, before);
    for line in out.lines() {
        let line = line.unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        let p: Prefix = v["prefix"].as_str().unwrap().parse().unwrap();
        ordered &= last.is_none_or(|l| l < p);
        last = Some(p);
        n += 1;
        if n % 20_000 == 0 {
            ctl_peak = ctl_peak.max(kib(ctl_pid, "VmHWM:").unwrap_or(0));
            peerd_peak = peerd_peak.max(kib(pid, "VmRSS:").unwrap_or(0));
        }
    }
    assert!(ctl.wait().unwrap().success());
    assert_eq!(n, ROUTES, "every route once");
    assert!(ordered, "in prefix order");
    assert_eq!(last, Some(prefix(ROUTES - 1)));
    // A page of 10000 routes is a few MiB of JSON: the client holds one
    // at a time, the daemon builds one at a time. A whole table as one
    // answer would be hundreds of MiB on each side.
    eprintln!(
        "peerctl peak {} MiB; peerd {} MiB before, {} MiB at most while paging",
        ctl_peak / 1024,
        before / 1024,
        peerd_peak / 1024
    );
    assert!(
        ctl_peak > 0 && ctl_peak < 48 * 1024,
        "peerctl peak {ctl_peak} KiB"
    );
    assert!(
        peerd_peak < before + 48 * 1024,
        "peerd grew from {before} KiB to {peerd_peak} KiB while paging"
    );
}
