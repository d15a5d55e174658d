//! One lab run: build, start, wait for BGP, send packets, check, report.

use super::daemons::{Kind, Proc};
use super::net::{End, Net};
use super::topology::{self as topo, Scenario, DESTINATIONS, HOLD};
use super::{pause, LabError, Options};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Probes per measurement: well above what BGP keepalives and neighbour
/// discovery add to a link's counters in the same second.
const PROBES: u32 = 40;

/// The checks of one run, printed as they are made.
struct Report {
    name: &'static str,
    passed: u32,
    failed: u32,
}

impl Report {
    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            self.passed += 1;
            println!("ok    lab {}: {what}", self.name);
        } else {
            self.failed += 1;
            println!("FAIL  lab {}: {what}", self.name);
        }
    }
}

/// The running lab: its network, its daemons (by router) and responders.
struct Lab {
    s: Scenario,
    dir: PathBuf,
    // Dropped in this order: processes before the namespaces they run in.
    routers: BTreeMap<&'static str, Proc>,
    echoes: Vec<Proc>,
    net: Net,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.routers.clear();
        self.echoes.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the lab; `Ok(true)` when every check passed.
pub fn run(o: &Options) -> Result<bool, LabError> {
    let s = o.scenario;
    let mut rep = Report {
        name: s.name(),
        passed: 0,
        failed: 0,
    };
    println!("peerd lab {}: building the network", s.name());
    let mut lab = build(s)?;
    print_plan(&lab, o);
    start(&mut lab, o)?;
    let res = exercise(&mut lab, o, &mut rep);
    if let Err(LabError::Interrupted) = res {
        return Err(LabError::Interrupted);
    }
    if let Err(e) = &res {
        rep.check(false, &format!("{e}"));
    }
    if rep.failed > 0 {
        for (name, p) in &lab.routers {
            let log = p.log();
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            println!("--- last lines of {name}'s log ---");
            for l in tail.iter().rev() {
                println!("{l}");
            }
        }
    }
    if o.hold && res.is_ok() {
        println!(
            "\nThe lab stays up until Ctrl-C. Look around, for example:\n  ip netns exec {} ip route\n  {} --socket {} neighbors",
            lab.net.ns("us"),
            peerctl(),
            lab.dir.join("us").join("peerd.sock").display()
        );
        loop {
            if pause(Duration::from_secs(3600)).is_err() {
                break;
            }
        }
    }
    println!(
        "lab {}: {} passed, {} failed",
        s.name(),
        rep.passed,
        rep.failed
    );
    Ok(rep.failed == 0)
}

/// peerctl next to this peerd, for the hints.
fn peerctl() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("peerctl")))
        .filter(|p| p.exists())
        .map_or("peerctl".into(), |p| p.display().to_string())
}

/// Namespaces, links, addresses and the hosts' default routes.
fn build(s: Scenario) -> Result<Lab, LabError> {
    let mut net = Net::new();
    for (h, _, _) in topo::HOSTS {
        net.add(h, false)?;
    }
    for r in s.routers() {
        net.add(r, true)?;
    }
    for ((h, addrs, gws), (_, router, raddrs)) in topo::HOSTS.iter().zip(topo::LANS.iter()) {
        net.link(
            End {
                ns: router,
                dev: &format!("to-{h}"),
                addrs: raddrs,
            },
            End {
                ns: h,
                dev: "eth0",
                addrs,
            },
        )?;
        net.ip(h, &["route", "add", "default", "via", gws[0]])?;
        net.ip(h, &["-6", "route", "add", "default", "via", gws[1]])?;
    }
    for l in topo::links(s) {
        net.link(
            End {
                ns: l.a.0,
                dev: &format!("to-{}", l.b.0),
                addrs: &l.a.1,
            },
            End {
                ns: l.b.0,
                dev: &format!("to-{}", l.a.0),
                addrs: &l.b.1,
            },
        )?;
    }
    let dir = std::env::temp_dir().join(format!("peerd-{}", net.tag));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Lab {
        s,
        dir,
        routers: BTreeMap::new(),
        echoes: Vec::new(),
        net,
    })
}

fn print_plan(lab: &Lab, o: &Options) {
    let pic = match lab.s {
        Scenario::Direct => {
            "  host ── us ══ peer ── peerhost      us: AS 64500 (192.0.2.0/24, 2001:db8:1::/48)\n           │      │                  peer: AS 64510 (198.51.100.0/24, 2001:db8:2::/48)\n           └─ transit ─ nethost      transit: AS 64505 (default routes; nethost 203.0.113.10)"
        }
        Scenario::Carrier { .. } => {
            "  host ── us ── carrier ── peer ── peerhost   us: AS 64500, carrier: AS 64511, peer: AS 64510\n           │                  │\n           └───── transit ────┘── nethost     transit: AS 64505 (default routes)"
        }
    };
    println!("{pic}");
    let edge = match o.peer_edge {
        Kind::Peerd => "peerd",
        Kind::Bird => "BIRD",
    };
    let how = match lab.s {
        Scenario::Carrier { statics: true } => ", static routes between us and the carrier",
        Scenario::Carrier { statics: false } => ", eBGP between us and the carrier",
        Scenario::Direct => "",
    };
    println!(
        "  namespaces {}-*; the peer's edge runs {edge}, every other router peerd{how}\n",
        lab.net.tag
    );
}

/// The daemons and the echo responders.
fn start(lab: &mut Lab, o: &Options) -> Result<(), LabError> {
    for r in lab.s.routers() {
        let p = start_router(lab, r, o)?;
        lab.routers.insert(r, p);
    }
    for h in ["peerhost", "nethost"] {
        let ns = lab.net.ns(h);
        let p = Proc::echo(&ns).map_err(|e| LabError::Start(format!("the responder on {h}"), e))?;
        lab.echoes.push(p);
    }
    Ok(())
}

fn start_router(lab: &Lab, r: &'static str, o: &Options) -> Result<Proc, LabError> {
    let dir = lab.dir.join(r);
    let ns = lab.net.ns(r);
    let p = match topo::kind(r, o.peer_edge) {
        Kind::Peerd => Proc::peerd(&ns, &dir, &topo::peerd_config(lab.s, r)),
        Kind::Bird => Proc::bird(&ns, &dir, &topo::bird_config(lab.s, r, &dir)),
    };
    p.map_err(|e| LabError::Start(format!("{r}'s daemon"), e))
}

/// Waits until `f` holds, up to `limit`; the time it took, or `None`.
fn until(limit: Duration, mut f: impl FnMut() -> bool) -> Result<Option<Duration>, LabError> {
    let t = Instant::now();
    loop {
        if f() {
            return Ok(Some(t.elapsed()));
        }
        if t.elapsed() > limit {
            return Ok(None);
        }
        pause(Duration::from_millis(250))?;
    }
}

/// The BGP sessions of a router that are not Established.
fn not_established(p: &Proc) -> Vec<String> {
    match p.kind {
        Kind::Peerd => match p.api("/v1/neighbors") {
            Ok(v) => v
                .as_array()
                .into_iter()
                .flatten()
                .filter(|n| n["state"] != "Established")
                .map(|n| n["name"].as_str().unwrap_or("?").to_string())
                .collect(),
            Err(e) => vec![format!("(no answer from peerd: {e})")],
        },
        Kind::Bird => {
            let out = p.birdc("show protocols");
            let v: Vec<String> = out
                .lines()
                .filter(|l| l.contains(" BGP ") && !l.contains("Established"))
                .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
                .collect();
            if out.contains(" BGP ") {
                v
            } else {
                vec!["(no answer from birdc)".into()]
            }
        }
    }
}

/// Every router has all its sessions, and each is Established.
fn all_established(lab: &Lab) -> bool {
    lab.routers.iter().all(|(r, p)| {
        let want = topo::sessions(lab.s, r).len();
        let up = match p.kind {
            Kind::Peerd => p
                .api_list("/v1/neighbors", None)
                .iter()
                .filter(|n| n["state"] == "Established")
                .count(),
            Kind::Bird => p
                .birdc("show protocols")
                .lines()
                .filter(|l| l.contains(" BGP ") && l.contains("Established"))
                .count(),
        };
        up == want
    })
}

/// A route of the API in one line for people: prefix, where from, next
/// hop, AS path, and whether it is the best (or why it lost).
fn describe(r: &serde_json::Value) -> String {
    let s = |k: &str| r[k].as_str().unwrap_or("").to_string();
    let state = if r["best"] == true {
        "best".to_string()
    } else {
        format!("lost: {}", s("lost"))
    };
    format!(
        "{:<20} from {:<12} via {:<24} path {:<16} {state}",
        s("prefix"),
        r["from"]
            .as_str()
            .unwrap_or(r["protocol"].as_str().unwrap_or("")),
        s("next_hop"),
        if s("as_path").is_empty() {
            "-".into()
        } else {
            s("as_path")
        },
    )
}

/// The prefixes a router holds from neighbour `from` (after its import
/// policy).
fn received(p: &Proc, from: &str) -> Vec<String> {
    match p.kind {
        // A lab's neighbour sends a handful of routes: one page.
        Kind::Peerd => p
            .api_list(&format!("/v1/neighbors/{from}/routes"), Some("routes"))
            .iter()
            .filter_map(|r| r["prefix"].as_str().map(str::to_string))
            .collect(),
        Kind::Bird => p
            .birdc(&format!("show route protocol {}", from.replace('-', "_")))
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.contains('/'))
            .map(str::to_string)
            .collect(),
    }
}

/// Packets from `host` to `dst`: how many were answered, and what the
/// counters of `us`'s interfaces moved by (out, back) per interface.
struct Trip {
    answered: u32,
    out: BTreeMap<&'static str, u64>,
    back: BTreeMap<&'static str, u64>,
}

fn trip(lab: &Lab, dst: &str, n: u32) -> Result<Trip, LabError> {
    let ifaces = [lab.s.peer_way(), "to-transit"];
    let read = |which| -> BTreeMap<&'static str, u64> {
        ifaces
            .iter()
            .map(|i| (*i, lab.net.counter("us", i, which)))
            .collect()
    };
    let (tx0, rx0) = (read("tx_packets"), read("rx_packets"));
    let me = std::env::current_exe()
        .map_err(|e| LabError::Start("the prober".into(), e))?
        .display()
        .to_string();
    let out = lab
        .net
        .exec("host", &[&me, "lab", "probe", dst, &n.to_string()])?;
    let answered = out
        .trim()
        .strip_prefix("answered ")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let (tx1, rx1) = (read("tx_packets"), read("rx_packets"));
    let delta = |a: &BTreeMap<&'static str, u64>, b: &BTreeMap<&'static str, u64>| {
        a.iter()
            .map(|(k, v)| (*k, b[k].saturating_sub(*v)))
            .collect()
    };
    Ok(Trip {
        answered,
        out: delta(&tx0, &tx1),
        back: delta(&rx0, &rx1),
    })
}

impl Trip {
    /// All answered, out and back through `via`, the other link quiet.
    fn through(&self, via: &str, n: u32) -> bool {
        let n = u64::from(n);
        u64::from(self.answered) == n
            && self
                .out
                .iter()
                .all(|(k, v)| if *k == via { *v >= n } else { *v < n / 4 })
            && self.back.get(via).is_some_and(|v| *v >= n)
    }

    fn describe(&self, n: u32) -> String {
        let list = |m: &BTreeMap<&'static str, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{n} sent, {} answered; packets out of us: {}; back into us: {}",
            self.answered,
            list(&self.out),
            list(&self.back)
        )
    }
}

/// Everything after the start: sessions, forwarding, leaks, failover,
/// restart.
fn exercise(lab: &mut Lab, o: &Options, rep: &mut Report) -> Result<(), LabError> {
    // Sessions.
    let t = until(Duration::from_secs(60), || all_established(lab))?;
    let count: usize = lab
        .s
        .routers()
        .iter()
        .map(|r| topo::sessions(lab.s, r).len())
        .sum::<usize>()
        / 2;
    let down: Vec<String> = lab
        .routers
        .iter()
        .flat_map(|(r, p)| {
            not_established(p)
                .into_iter()
                .map(move |n| format!("{r}: {n}"))
        })
        .collect();
    rep.check(
        t.is_some(),
        &match t {
            Some(t) => format!(
                "all {count} BGP sessions Established after {:.1} s",
                t.as_secs_f64()
            ),
            None => format!(
                "BGP sessions not Established after 60 s: {}",
                down.join(", ")
            ),
        },
    );

    // Forwarding: wait for us's kernel to route each destination the
    // expected way, then send packets and look.
    println!();
    let way = |kind: &str| {
        if kind == "peer" {
            lab.s.peer_way()
        } else {
            "to-transit"
        }
    };
    until(Duration::from_secs(30), || {
        DESTINATIONS.iter().all(|(k, d, _)| {
            lab.net
                .route_get("us", d)
                .contains(&format!("dev {} ", way(k)))
        })
    })?;
    // The other routers converge too: wait until a few packets to each
    // destination come back (what they show is measured below).
    until(Duration::from_secs(30), || {
        DESTINATIONS
            .iter()
            .all(|(_, d, _)| trip(lab, d, 3).is_ok_and(|t| t.answered == 3))
    })?;
    for (kind, dst, what) in DESTINATIONS {
        let via = way(kind);
        let route = lab.net.route_get("us", dst);
        let trip = trip(lab, dst, PROBES)?;
        println!("to {dst} ({what})");
        println!("  kernel of us:  {route}");
        println!("  packets:       {}", trip.describe(PROBES));
        println!("  BGP at us:");
        if let Some(p) = lab.routers.get("us") {
            match p.api(&format!("/v1/lookup/{dst}")) {
                Ok(v) => {
                    for r in v["routes"].as_array().into_iter().flatten() {
                        println!("    {}", describe(r));
                    }
                }
                Err(e) => println!("    {e}"),
            }
        }
        rep.check(
            route.contains(&format!("dev {via} ")),
            &format!("the kernel of us sends {dst} ({what}) out of {via}"),
        );
        rep.check(
            trip.through(via, PROBES),
            &format!("packets to {dst} leave through {via}, arrive, and come back the same way"),
        );
        println!();
    }

    no_leak(lab, rep);
    if o.failover {
        failover(lab, rep)?;
    }
    if o.restart {
        restart(lab, o, rep)?;
    }
    Ok(())
}

/// Route-leak prevention, checked in the other routers' tables: the
/// transit gets only our prefixes from us; the peer (directly or through
/// the carrier) gets only ours; and each still has what it should.
fn no_leak(lab: &Lab, rep: &mut Report) {
    let ours: Vec<String> = topo::OURS.iter().map(|p| p.to_string()).collect();
    let only_ours = |v: &[String]| !v.is_empty() && v.iter().all(|p| ours.contains(p));
    let mut look = |router: &str, from: &str| {
        if let Some(p) = lab.routers.get(router) {
            for fam in ["v4", "v6"] {
                let n = format!("{from}-{fam}");
                let got = received(p, &n);
                rep.check(
                    only_ours(&got),
                    &format!(
                        "{router} receives only our prefix from {n}, none of the peer's or the transit's (it has: {})",
                        got.join(" ")
                    ),
                );
            }
        }
    };
    look("transit", "us");
    match lab.s {
        Scenario::Direct => look("peer", "us"),
        Scenario::Carrier { statics } => {
            look("peer", "carrier");
            if !statics {
                look("carrier", "us");
            }
        }
    }
}

/// The peering link goes down at the peer's end: within the hold time
/// the peer's host is reached through the transit; it comes back up:
/// traffic moves back.
fn failover(lab: &Lab, rep: &mut Report) -> Result<(), LabError> {
    let limit = Duration::from_secs(HOLD + 10);
    for (up, via) in [(false, "to-transit"), (true, "to-peer")] {
        let state = if up { "up" } else { "down" };
        println!("the peering link goes {state} (at the peer's end)");
        lab.net.ip("peer", &["link", "set", "to-us", state])?;
        for (_, dst, _) in DESTINATIONS.iter().filter(|d| d.0 == "peer") {
            let mut last = None;
            let t = until(
                limit
                    + if up {
                        Duration::from_secs(20)
                    } else {
                        Duration::ZERO
                    },
                || match trip(lab, dst, 10) {
                    Ok(tr) => {
                        let ok = tr.through(via, 10);
                        last = Some(tr.describe(10));
                        ok
                    }
                    Err(_) => false,
                },
            )?;
            println!("  to {dst}: {}", last.unwrap_or_default());
            println!("  kernel of us:  {}", lab.net.route_get("us", dst));
            rep.check(
                t.is_some_and(|t| up || t <= limit),
                &match t {
                    Some(t) => format!(
                        "link {state}: {dst} reached through {via} after {:.1} s{}",
                        t.as_secs_f64(),
                        if up {
                            String::new()
                        } else {
                            format!(" (hold time {HOLD} s)")
                        }
                    ),
                    None => format!("link {state}: {dst} not reached through {via}"),
                },
            );
        }
    }
    let t = until(Duration::from_secs(60), || all_established(lab))?;
    rep.check(t.is_some(), "link up: every BGP session Established again");
    println!();
    Ok(())
}

/// Our routes in us's kernel (peerd's protocol number, both families), one
/// line each.
fn kernel_routes(lab: &Lab) -> Vec<String> {
    let mut v = Vec::new();
    for fam in ["-4", "-6"] {
        if let Ok(out) = lab.net.ip("us", &[fam, "route", "show", "proto", "200"]) {
            v.extend(out.lines().map(str::to_string));
        }
    }
    v
}

/// `kill -9` leaves peerd's kernel routes behind; the next start finds
/// them and ends with each route once and the table equal to its RIB's
/// best routes; a clean stop removes them.
fn restart(lab: &mut Lab, o: &Options, rep: &mut Report) -> Result<(), LabError> {
    let before = kernel_routes(lab);
    println!("us's kernel routes from peerd:\n  {}", before.join("\n  "));
    if let Some(p) = lab.routers.get_mut("us") {
        p.signal("-KILL");
    }
    let left = kernel_routes(lab);
    rep.check(
        left.len() == before.len() && !left.is_empty(),
        &format!("kill -9: peerd's {} kernel routes stay behind", left.len()),
    );
    let dir = lab.dir.join("us");
    let _ = std::fs::remove_file(dir.join("peerd.sock"));
    lab.routers.remove("us");
    let p = start_router(lab, "us", o)?;
    lab.routers.insert("us", p);
    let us = &lab.routers["us"];
    let same = |lab: &Lab| {
        let now = kernel_routes(lab);
        let mut sorted = now.clone();
        sorted.sort();
        sorted.dedup();
        sorted.len() == now.len() && now.len() == before.len()
    };
    let t = until(Duration::from_secs(60), || {
        not_established(us).is_empty() && same(lab) && us.log().contains("earlier run left")
    })?;
    let now = kernel_routes(lab);
    rep.check(
        t.is_some(),
        &format!(
            "restart: the leftovers found, each route once ({} routes)",
            now.len()
        ),
    );
    // The table equals the RIB: every best route not of our own has one
    // kernel route for its prefix.
    let rib: Vec<String> = us
        .api_list("/v1/rib", Some("routes"))
        .iter()
        .filter(|r| r["best"] == true && !r["from"].is_null())
        .filter_map(|r| r["prefix"].as_str().map(str::to_string))
        .collect();
    let mut kernel: Vec<String> = now
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .map(|p| {
            if p == "default" {
                String::new()
            } else {
                p.to_string()
            }
        })
        .collect();
    let mut rib_k: Vec<String> = rib
        .iter()
        .map(|p| {
            if p == "0.0.0.0/0" || p == "::/0" {
                String::new()
            } else {
                p.clone()
            }
        })
        .collect();
    kernel.sort();
    rib_k.sort();
    rep.check(
        kernel == rib_k,
        &format!(
            "restart: the kernel table holds exactly the RIB's best routes ({} prefixes)",
            rib_k.len()
        ),
    );
    if let Some(p) = lab.routers.get_mut("us") {
        p.signal("-TERM");
    }
    let gone = kernel_routes(lab);
    rep.check(
        gone.is_empty(),
        &format!(
            "clean stop: peerd's kernel routes removed ({} left)",
            gone.len()
        ),
    );
    Ok(())
}
