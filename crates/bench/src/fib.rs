//! `peerd-bench fib`: the forwarding-table benchmark (issue 6). One BGP
//! feed sends a full IPv4 table to the daemon, which installs it into the
//! main kernel table of the benchmark's namespace — peerd with `[fib]`,
//! BIRD with a kernel protocol, FRR's bgpd through zebra — and then
//! withdraws every route, which the daemon removes again.
//!
//! Timed per phase, end to end, from the feed's first octet until the
//! kernel holds the whole table (and, after the withdrawals, until it holds
//! none of it): what an operator waits for after a session comes up or goes
//! down. The kernel's count is read from `/proc/net/fib_triestat` every
//! 50 ms (cheap: no dump). After the install the table is dumped once and
//! compared with the feed — every prefix once, with the feed's next hop,
//! nothing else — which, with everything imported, is the daemon's
//! Loc-RIB.

use crate::daemons::{self, Kind, Neighbor, Role};
use crate::dataset::{mix, FeedSpec, Table, View};
use crate::feed;
use crate::session::{lock, Session};
use peerd_fib::{LinuxFib, RouteKind};
use peerd_wire::{Family, Prefix};
use std::collections::HashSet;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a phase may take before the run counts as failed.
const LIMIT: Duration = Duration::from_secs(900);

/// One run of one daemon.
#[derive(Debug, Clone)]
pub struct FibRun {
    /// Which daemon.
    pub kind: Kind,
    /// Seconds from the first octet of the feed to the whole table in
    /// the kernel (`None`: not within the limit).
    pub install: Option<f64>,
    /// Seconds from the first withdrawal to none of it left.
    pub withdraw: Option<f64>,
    /// The daemon's CPU seconds over both phases (zebra's included).
    pub cpu: f64,
    /// How the installed table differed from the feed ("" when equal).
    pub mismatch: String,
}

/// The prefixes of the main table (IPv4), from the trie's statistics.
fn main_prefixes() -> Option<u64> {
    let t = std::fs::read_to_string("/proc/net/fib_triestat").ok()?;
    let mut in_main = false;
    for l in t.lines() {
        let l = l.trim();
        if l == "Main:" {
            in_main = true;
        } else if in_main {
            if let Some(v) = l.strip_prefix("Prefixes:") {
                return v.trim().parse().ok();
            }
        }
    }
    None
}

/// Polls until `done(count)` or the limit; the seconds since `t0`.
fn until(t0: Instant, done: impl Fn(u64) -> bool) -> Option<f64> {
    while t0.elapsed() < LIMIT {
        if main_prefixes().is_some_and(&done) {
            return Some(t0.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// The installed table against the feed: every prefix of the feed once,
/// through `gw` (or out of the loopback, where `gw` is), and no other
/// route of a routing daemon.
fn compare(table: &Table, gw: Ipv4Addr) -> Result<String, String> {
    let mut fib = LinuxFib::open().map_err(|e| format!("netlink: {e}"))?;
    // Routes of the kernel itself (2) and of `ip route` (3) were there
    // before: the lab's own.
    let routes = fib
        .dump_routes(|r| r.table == 254 && r.protocol > 4 && r.prefix.addr().is_ipv4())
        .map_err(|e| format!("dump: {e}"))?;
    let want: HashSet<Prefix> = table.v4.iter().map(|(p, _)| *p).collect();
    let mut seen = HashSet::with_capacity(routes.len());
    let (mut extra, mut twice, mut wrong) = (0usize, 0usize, 0usize);
    let mut example = String::new();
    for r in &routes {
        if !want.contains(&r.prefix) {
            extra += 1;
        } else if !seen.insert(r.prefix) {
            twice += 1;
        }
        // BIRD resolves the next hop through the loopback's device route
        // and installs a device route there (`dev lo`, no gateway), which
        // forwards the same way here: counted as right.
        let ok = match &r.kind {
            RouteKind::Unicast(h) => h.len() == 1 && h[0].gateway == IpAddr::V4(gw),
            RouteKind::Device(i) => *i == 1,
            RouteKind::Blackhole => false,
        };
        if !ok {
            wrong += 1;
            if example.is_empty() {
                example = format!(" (such as {} {:?})", r.prefix, r.kind);
            }
        }
    }
    let missing = want.len() - seen.len();
    Ok(if extra + twice + wrong + missing == 0 {
        String::new()
    } else {
        format!("{missing} missing, {extra} extra, {twice} twice, {wrong} with another next hop{example}")
    })
}

/// The floor (`direct`): the harness itself puts the table into the
/// kernel through one netlink socket (peerd-fib, 512 requests a datagram)
/// and takes it out again — no BGP, no daemon: what the kernel allows.
fn floor(table: &Table, gw: Ipv4Addr) -> Result<FibRun, String> {
    use peerd_fib::{Fib, KernelRoute, NextHop, Op};
    let mut fib = LinuxFib::open().map_err(|e| format!("netlink: {e}"))?;
    let route = |p: Prefix| KernelRoute {
        prefix: p,
        table: 254,
        protocol: 200,
        metric: 20,
        kind: RouteKind::Unicast(vec![NextHop {
            gateway: IpAddr::V4(gw),
            ifindex: None,
            weight: 1,
        }]),
    };
    let add: Vec<(Op, KernelRoute)> = table
        .v4
        .iter()
        .map(|(p, _)| (Op::Replace, route(*p)))
        .collect();
    let del: Vec<(Op, KernelRoute)> = table
        .v4
        .iter()
        .map(|(p, _)| (Op::Delete, route(*p)))
        .collect();
    let cpu0 = crate::procstat::cpu_seconds(std::process::id());
    let t0 = Instant::now();
    fib.apply(&add).map_err(|e| e.to_string())?;
    let install = t0.elapsed().as_secs_f64();
    let cpu_in = crate::procstat::cpu_seconds(std::process::id()) - cpu0;
    let mismatch = compare(table, gw)?;
    let cpu1 = crate::procstat::cpu_seconds(std::process::id());
    let t1 = Instant::now();
    fib.apply(&del).map_err(|e| e.to_string())?;
    let withdraw = t1.elapsed().as_secs_f64();
    let cpu2 = crate::procstat::cpu_seconds(std::process::id());
    Ok(FibRun {
        kind: Kind::Direct,
        install: Some(install),
        withdraw: Some(withdraw),
        // The comparison's dump is not part of it.
        cpu: cpu_in + (cpu2 - cpu1),
        mismatch,
    })
}

/// One run: start `kind` with its FIB, feed, verify, withdraw, stop.
pub fn run_one(
    rt: &tokio::runtime::Runtime,
    kind: Kind,
    table: &Arc<Table>,
    dir: &Path,
    cpus: Option<&str>,
) -> Result<FibRun, String> {
    let base = main_prefixes().ok_or("cannot read /proc/net/fib_triestat")?;
    let n = table.v4.len() as u64;
    if kind == Kind::Direct {
        return floor(table, Ipv4Addr::new(198, 18, 0, 1));
    }
    let feed_spec = FeedSpec {
        asn: 65101,
        next_hop: Ipv4Addr::new(198, 18, 0, 1),
        view: View::Plain,
        seed: mix(1),
    };
    let nbs = [Neighbor {
        addr: Ipv4Addr::new(127, 0, 1, 1),
        asn: feed_spec.asn,
        role: Role::Feed,
    }];
    let announce = feed::announce(table, &feed_spec, &|_| true, false);
    let withdraw = feed::withdraw(table, &|_| true, false);
    let _ = std::fs::remove_dir_all(dir);
    let mut daemon = daemons::start_with(kind, dir, &nbs, false, cpus, true)?;
    let s = Session::connect(
        rt,
        nbs[0].addr,
        SocketAddr::new(IpAddr::V4(daemons::ADDR), daemons::PORT),
        feed_spec.asn,
        &[Family::IPV4_UNICAST],
        Instant::now() + Duration::from_secs(60),
    )?;
    let cpu = |d: &daemons::Running| -> f64 {
        d.pids().into_iter().map(crate::procstat::cpu_seconds).sum()
    };
    let cpu0 = cpu(&daemon);
    let w = s.writer();
    let send = |blocks: &feed::Blocks| {
        for b in &blocks.blocks {
            if lock(&w).write_all(b).is_err() {
                break;
            }
        }
    };
    let t0 = Instant::now();
    send(&announce);
    let install = until(t0, |c| c >= base + n);
    // The count can reach the total while a daemon still replaces routes:
    // let it settle before the table is read.
    std::thread::sleep(Duration::from_secs(1));
    let mismatch = if install.is_some() {
        compare(table, feed_spec.next_hop)?
    } else {
        format!(
            "only {} of {n} routes installed",
            main_prefixes().unwrap_or(base).saturating_sub(base)
        )
    };
    let t1 = Instant::now();
    send(&withdraw);
    let withdrawn = until(t1, |c| c <= base);
    let cpu = cpu(&daemon) - cpu0;
    s.close();
    daemon.stop();
    // Whatever a daemon left is removed, so the next run starts clean.
    if main_prefixes().is_some_and(|c| c > base) {
        for proto in ["200", "bird", "bgp"] {
            let _ = std::process::Command::new("ip")
                .args(["route", "flush", "table", "main", "proto", proto])
                .status();
        }
    }
    Ok(FibRun {
        kind,
        install,
        withdraw: withdrawn,
        cpu,
        mismatch,
    })
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// The report: medians per daemon, and each one's time against peerd's.
pub fn markdown(runs: &[FibRun], n: usize, kinds: &[Kind]) -> String {
    let med = |k: Kind, f: &dyn Fn(&FibRun) -> Option<f64>| {
        median(runs.iter().filter(|r| r.kind == k).filter_map(f).collect())
    };
    let peerd_install = med(Kind::Peerd, &|r| r.install);
    let peerd_withdraw = med(Kind::Peerd, &|r| r.withdraw);
    let mut s = format!(
        "| {n} IPv4 routes, main table | install (s) | routes/s | withdraw (s) | CPU (s) | install vs peerd | withdraw vs peerd | table = feed |\n|---|---|---|---|---|---|---|---|\n"
    );
    let f = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.2}"));
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".into(),
    };
    for k in kinds {
        let i = med(*k, &|r| r.install);
        let w = med(*k, &|r| r.withdraw);
        let c = med(*k, &|r| Some(r.cpu));
        let equal = runs
            .iter()
            .filter(|r| r.kind == *k)
            .all(|r| r.mismatch.is_empty() && r.install.is_some());
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            k.name(),
            f(i),
            i.map_or("-".into(), |i| format!("{:.0}", n as f64 / i)),
            f(w),
            f(c),
            ratio(i, peerd_install),
            ratio(w, peerd_withdraw),
            if equal { "yes" } else { "no" }
        ));
    }
    s
}
