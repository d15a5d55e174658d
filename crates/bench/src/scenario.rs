//! The scenarios (S1–S6) and how one run of one scenario against one daemon
//! is driven and measured.
//!
//! Addresses: the daemon 127.0.0.10 (AS 65000); feeds 127.0.1.k (AS
//! 65100+k); sinks 127.0.2.k (AS 65200+k); route-server clients 127.0.3.k
//! (AS 65300+k). Sinks connect first; T0 is the first feed's Established (or
//! the start of the phase's event); a phase has converged when every sink
//! holds exactly the expected prefixes (and, where the phase is about best
//! path, each through the expected neighbouring AS) and nothing has arrived
//! for the quiet period. Its time is the last arrival minus T0.

use crate::daemons::{self, Kind, Neighbor, Role};
use crate::dataset::{mix, FeedSpec, Rng, Table, View};
use crate::feed::{self, Blocks};
use crate::proto;
use crate::session::{lock, Session};
use peerd_wire::attr::{Community, LargeCommunity};
use peerd_wire::{AttrValue, Attribute, DecodeContext, Family, Nlri, Prefix, UpdateBuilder};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The six scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// One full feed in, one peer out.
    S1,
    /// One full feed in, ten peers out.
    S2,
    /// Four full feeds in (competing for best path), one out.
    S3,
    /// Route server: 20 clients each announcing a slice, receiving the rest.
    S4,
    /// Churn: the best feed drops and returns, then steady churn with the
    /// canary's latency.
    S5,
    /// Full withdrawal.
    S6,
}

impl Scenario {
    /// All, in order.
    pub const ALL: [Scenario; 6] = [
        Scenario::S1,
        Scenario::S2,
        Scenario::S3,
        Scenario::S4,
        Scenario::S5,
        Scenario::S6,
    ];

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::S1 => "S1",
            Scenario::S2 => "S2",
            Scenario::S3 => "S3",
            Scenario::S4 => "S4",
            Scenario::S5 => "S5",
            Scenario::S6 => "S6",
        }
    }

    /// What it measures.
    pub fn title(self) -> &'static str {
        match self {
            Scenario::S1 => "one full feed in, one peer out",
            Scenario::S2 => "one full feed in, ten peers out",
            Scenario::S3 => "four full feeds in (competing), one out",
            Scenario::S4 => "route server, 20 clients, each a slice",
            Scenario::S5 => "best feed drops and returns, then churn",
            Scenario::S6 => "full withdrawal",
        }
    }

    /// From its name (case-insensitive).
    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL
            .into_iter()
            .find(|x| x.name().eq_ignore_ascii_case(s))
    }

    /// Whether the direct check (no daemon) runs it.
    pub fn direct(self) -> bool {
        matches!(self, Scenario::S1 | Scenario::S6)
    }
}

/// Settings of a benchmark run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Quiet period that ends a phase.
    pub quiet: Duration,
    /// Longest a phase may take.
    pub timeout: Duration,
    /// CPUs the daemon is pinned to.
    pub daemon_cpus: Option<String>,
    /// Churn: updates per second, and for how long.
    pub churn_rate: u32,
    /// Churn duration.
    pub churn_for: Duration,
    /// Where daemons keep their files.
    pub work: PathBuf,
    /// Keep each daemon's directory after its run.
    pub keep: bool,
}

/// One timed phase of a run.
#[derive(Debug, Clone, Default)]
pub struct Phase {
    /// Its name.
    pub name: String,
    /// Seconds from T0 to the last arrival, when it converged.
    pub seconds: Option<f64>,
    /// What was wrong, when it did not.
    pub problem: Option<String>,
    /// Prefixes (announced or withdrawn) the sinks saw.
    pub changes: u64,
    /// Prefixes whose winning feed differed from the standard decision
    /// process (informational where the phase is not about best path).
    pub other_winner: u64,
    /// Seconds the harness spent writing the feeds' messages.
    pub send_seconds: f64,
    /// The harness's own CPU use over the phase (1.0 = one core busy); at
    /// 0.9 and above the harness, not the daemon, was the limit.
    pub harness_load: f64,
}

/// The result of one run.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// Daemon name.
    pub daemon: String,
    /// Scenario name.
    pub scenario: String,
    /// Which repetition.
    pub run: usize,
    /// The phases.
    pub phases: Vec<Phase>,
    /// The daemon's CPU seconds over the run.
    pub cpu_seconds: f64,
    /// Peak resident memory (sum over its processes), MiB.
    pub peak_rss_mib: f64,
    /// Resident memory after the main phase settled, MiB.
    pub settled_rss_mib: f64,
    /// Canary latencies in ms (p50, p99) and how many of those sent arrived.
    pub canary: Option<(f64, f64, usize, usize)>,
    /// Why the run failed, if it did.
    pub error: Option<String>,
    /// Whether the harness was the bottleneck in a timed phase (discarded).
    pub harness_bound: bool,
}

/// What the scenarios send, encoded once and shared by all daemons.
pub struct Workload {
    /// The table.
    pub table: Arc<Table>,
    /// Whether the sessions carry IPv6 unicast too (the table's IPv6 part).
    pub v6: bool,
}

impl Workload {
    /// The families the sessions negotiate.
    pub fn families(&self) -> Vec<Family> {
        if self.v6 {
            vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]
        } else {
            vec![Family::IPV4_UNICAST]
        }
    }
}

fn feed_addr(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 1, k)
}
fn sink_addr(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 2, k)
}
fn client_addr(k: u8) -> Ipv4Addr {
    Ipv4Addr::new(127, 0, 3, k)
}

fn spec(k: u8, view: View) -> FeedSpec {
    FeedSpec {
        asn: 65100 + u32::from(k),
        next_hop: Ipv4Addr::new(198, 18, 0, k),
        view,
        seed: mix(u64::from(k)),
    }
}

fn client_spec(k: u8) -> FeedSpec {
    FeedSpec {
        asn: 65300 + u32::from(k),
        next_hop: Ipv4Addr::new(198, 18, 1, k),
        view: View::Plain,
        seed: mix(0x300 + u64::from(k)),
    }
}

/// What a sink must hold at the end of a phase: keys and, with `via`, the
/// neighbouring AS each must come through.
#[derive(Debug, Clone)]
struct Expect {
    keys: Arc<Vec<(u64, u32)>>,
    keys6: Arc<Vec<((u128, u8), u32)>>,
    /// The neighbouring AS is part of convergence (else only counted).
    via_required: bool,
}

impl Expect {
    /// The routes of `table` (IPv6 too with `v6`) whose index `keep`
    /// accepts, each through the AS `via` gives (0: not checked).
    fn of(
        table: &Table,
        v6: bool,
        keep: &dyn Fn(usize) -> bool,
        via: &dyn Fn(usize, u32) -> u32,
        via_required: bool,
    ) -> Expect {
        let keys = table
            .v4
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(i, (p, s))| (key_of(p), via(i, *s)))
            .collect();
        let keys6 = if v6 {
            table
                .v6
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(i, (p, s))| (key6_of(p), via(i, *s)))
                .collect()
        } else {
            Vec::new()
        };
        Expect {
            keys: Arc::new(keys),
            keys6: Arc::new(keys6),
            via_required,
        }
    }

    fn empty() -> Expect {
        Expect {
            keys: Arc::new(Vec::new()),
            keys6: Arc::new(Vec::new()),
            via_required: false,
        }
    }

    fn len(&self) -> usize {
        self.keys.len() + self.keys6.len()
    }
}

fn key_of(p: &Prefix) -> u64 {
    match p.addr() {
        std::net::IpAddr::V4(a) => proto::key_v4(u32::from(a), p.len()),
        std::net::IpAddr::V6(_) => 0,
    }
}

fn key6_of(p: &Prefix) -> (u128, u8) {
    match p.addr() {
        std::net::IpAddr::V6(a) => (u128::from(a), p.len()),
        std::net::IpAddr::V4(_) => (0, 0),
    }
}

/// Which of `feeds` wins each prefix under RFC 4271 §9.1.2.2 as all five
/// daemons are configured: shortest AS path (an AS_SET counts one), lowest
/// ORIGIN (the same for all feeds here), MED only within one neighbouring AS
/// (never here: each feed has its own), then the lowest BGP identifier —
/// the feed with the lowest address.
fn winners(table: &Table, feeds: &[FeedSpec]) -> Vec<u32> {
    let mut lens: Vec<Vec<usize>> = Vec::new();
    for f in feeds {
        let mut v = vec![0usize; table.sets.len()];
        for (i, l) in v.iter_mut().enumerate() {
            let attrs = crate::dataset::feed_attrs(table, f, i as u32);
            *l = attrs
                .iter()
                .find_map(|a| match &a.value {
                    AttrValue::AsPath(p) => Some(p.path_len()),
                    _ => None,
                })
                .unwrap_or(0);
        }
        lens.push(v);
    }
    (0..table.sets.len())
        .map(|s| {
            let best = (0..feeds.len())
                .min_by_key(|&k| (lens[k][s], k))
                .unwrap_or(0);
            feeds[best].asn
        })
        .collect()
}

struct Run<'a> {
    rt: &'a tokio::runtime::Runtime,
    families: Vec<Family>,
    settings: &'a Settings,
    daemon: Option<daemons::Running>,
    kind: Kind,
    remote: SocketAddr,
    epoch: Instant,
}

/// The harness's CPU seconds so far.
fn own_cpu() -> f64 {
    crate::procstat::cpu_seconds(std::process::id())
}

impl Run<'_> {
    fn deadline(&self) -> Instant {
        Instant::now() + Duration::from_secs(40)
    }

    fn connect(&self, addr: Ipv4Addr, asn: u32) -> Result<Session, String> {
        Session::connect(
            self.rt,
            addr,
            self.remote,
            asn,
            &self.families,
            self.deadline(),
        )
    }

    fn daemon_cpu(&self) -> f64 {
        self.daemon.as_ref().map_or(0.0, |d| {
            d.pids().into_iter().map(crate::procstat::cpu_seconds).sum()
        })
    }

    fn daemon_mem(&self) -> (f64, f64) {
        let Some(d) = self.daemon.as_ref() else {
            return (0.0, 0.0);
        };
        let pids = d.pids();
        let hwm: u64 = pids.iter().map(|p| crate::procstat::hwm_kib(*p)).sum();
        let rss: u64 = pids.iter().map(|p| crate::procstat::rss_kib(*p)).sum();
        (hwm as f64 / 1024.0, rss as f64 / 1024.0)
    }

    fn check_alive(&mut self) -> Result<(), String> {
        match self.daemon.as_mut() {
            Some(d) => {
                if d.alive() {
                    Ok(())
                } else {
                    Err(format!(
                        "{} died; see {}",
                        self.kind.name(),
                        d.dir.display()
                    ))
                }
            }
            None => Ok(()),
        }
    }

    /// Waits until every sink holds what `expect` says and has been quiet.
    fn converge(
        &mut self,
        name: &str,
        sinks: &[&Session],
        expect: &[Expect],
        t0: Instant,
        cpu0: f64,
    ) -> Phase {
        let mut phase = Phase {
            name: name.to_string(),
            ..Phase::default()
        };
        let start_changes: u64 = sinks.iter().map(|s| s.received().changes).sum();
        let deadline = t0 + self.settings.timeout;
        let mut checked_at = u64::MAX;
        loop {
            std::thread::sleep(Duration::from_millis(20));
            let now = Instant::now();
            let mut done = true;
            let mut last = t0;
            for (s, e) in sinks.iter().zip(expect) {
                let r = s.received();
                if let Some(end) = &r.ended {
                    phase.problem = Some(format!("sink {} session ended: {end}", s.local));
                    return phase;
                }
                let quiet = r
                    .last_change
                    .is_none_or(|l| now.duration_since(l) >= self.settings.quiet);
                if r.v4.len() != e.keys.len() || r.v6.len() != e.keys6.len() || !quiet {
                    done = false;
                    break;
                }
                if let Some(l) = r.last_change {
                    last = last.max(l);
                }
            }
            let total: u64 = sinks.iter().map(|s| s.received().changes).sum();
            if done && total == checked_at {
                // Checked before and nothing arrived since.
                done = false;
            }
            if done {
                checked_at = total;
                // Counts match and all is quiet: check prefix by prefix.
                let mut missing = 0u64;
                let mut other = 0u64;
                for (s, e) in sinks.iter().zip(expect) {
                    let r = s.received();
                    for (k, via) in e.keys.iter() {
                        match r.v4.get(k) {
                            None => missing += 1,
                            Some(v) if *via != 0 && v != via => other += 1,
                            _ => {}
                        }
                    }
                    for (k, via) in e.keys6.iter() {
                        match r.v6.get(k) {
                            None => missing += 1,
                            Some(v) if *via != 0 && v != via => other += 1,
                            _ => {}
                        }
                    }
                }
                phase.other_winner = other;
                let required = expect.iter().any(|e| e.via_required);
                if missing == 0 && (other == 0 || !required) {
                    phase.seconds = Some(last.saturating_duration_since(t0).as_secs_f64());
                } else if missing > 0 {
                    phase.problem = Some(format!("{missing} expected prefixes missing at the sinks (counts equal, sets differ)"));
                } else if now < deadline {
                    continue;
                } else {
                    phase.problem = Some(format!("{other} prefixes through the wrong neighbour"));
                }
                break;
            }
            if now > deadline {
                let held: Vec<String> = sinks
                    .iter()
                    .zip(expect)
                    .map(|(s, e)| format!("{}/{}", s.received().len(), e.len()))
                    .collect();
                phase.problem = Some(format!(
                    "no convergence in {:?}: sinks hold {}",
                    self.settings.timeout,
                    held.join(" ")
                ));
                break;
            }
            if let Err(e) = self.check_alive() {
                phase.problem = Some(e);
                break;
            }
        }
        phase.changes = sinks.iter().map(|s| s.received().changes).sum::<u64>() - start_changes;
        let wall = t0.elapsed().as_secs_f64().max(1e-3);
        phase.harness_load = (own_cpu() - cpu0) / wall;
        phase
    }
}

/// Sends `blocks` on `s` from a new thread; returns when it is done and how
/// long the writes took.
fn send_async(s: &Session, blocks: Arc<Blocks>) -> std::thread::JoinHandle<f64> {
    let w = s.writer();
    std::thread::spawn(move || {
        let t = Instant::now();
        for b in &blocks.blocks {
            if lock(&w).write_all(b).is_err() {
                break;
            }
        }
        t.elapsed().as_secs_f64()
    })
}

/// Announces the canary every 100 ms on `w` with its sequence number and
/// send time (ms since `epoch`) in a large community, until `stop`.
fn canary(
    w: Arc<Mutex<std::net::TcpStream>>,
    next_hop: Ipv4Addr,
    asn: u32,
    epoch: Instant,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<u32> {
    std::thread::spawn(move || {
        let b = UpdateBuilder::new(&DecodeContext::MODERN);
        let prefix: Prefix =
            Prefix::new(Ipv4Addr::new(192, 0, 2, 0).into(), 24).unwrap_or_else(|| unreachable!());
        let mut seq = 0u32;
        while !stop.load(Ordering::Relaxed) {
            seq += 1;
            let sent = epoch.elapsed().as_millis() as u32;
            let attrs = vec![
                Attribute::new(AttrValue::Origin(peerd_wire::attr::Origin::Igp)),
                Attribute::new(AttrValue::AsPath(peerd_wire::attr::AsPath::from_sequence(
                    vec![asn],
                ))),
                Attribute::new(AttrValue::NextHop(next_hop)),
                Attribute::new(AttrValue::LargeCommunities(vec![LargeCommunity {
                    global: proto::CANARY_AS,
                    local1: seq,
                    local2: sent,
                }])),
            ];
            if let Ok(m) = b.announce(Family::IPV4_UNICAST, &attrs, None, &[Nlri::new(prefix)]) {
                if m.iter().any(|m| lock(&w).write_all(m).is_err()) {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        seq
    })
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// Runs one scenario once against one daemon.
pub fn run(
    rt: &tokio::runtime::Runtime,
    w: &Workload,
    kind: Kind,
    sc: Scenario,
    n: usize,
    settings: &Settings,
) -> RunResult {
    let mut res = RunResult {
        daemon: kind.name().to_string(),
        scenario: sc.name().to_string(),
        run: n,
        ..RunResult::default()
    };
    if let Err(e) = drive(rt, w, kind, sc, settings, &mut res) {
        res.error = Some(e);
    }
    // CPU time comes in 10 ms ticks: phases shorter than 0.25 s cannot be
    // judged.
    res.harness_bound = kind != Kind::Direct
        && res
            .phases
            .iter()
            .any(|p| p.harness_load >= 0.9 && p.seconds.is_some_and(|s| s >= 0.25));
    res
}

fn drive(
    rt: &tokio::runtime::Runtime,
    w: &Workload,
    kind: Kind,
    sc: Scenario,
    settings: &Settings,
    res: &mut RunResult,
) -> Result<(), String> {
    let table = &w.table;
    let all = |_: usize| true;
    // Who is who.
    let (feeds, sinks_n, clients): (Vec<FeedSpec>, u8, u8) = match sc {
        Scenario::S1 | Scenario::S6 => (vec![spec(1, View::Plain)], 1, 0),
        Scenario::S2 => (vec![spec(1, View::Plain)], 10, 0),
        Scenario::S3 => ((1..=4).map(|k| spec(k, View::Varied)).collect(), 1, 0),
        Scenario::S4 => (Vec::new(), 0, 20),
        Scenario::S5 => (vec![spec(1, View::Plain), spec(2, View::Backup)], 1, 0),
    };
    let mut nbs: Vec<Neighbor> = Vec::new();
    for (i, f) in feeds.iter().enumerate() {
        nbs.push(Neighbor {
            addr: feed_addr(i as u8 + 1),
            asn: f.asn,
            role: Role::Feed,
        });
    }
    for k in 1..=sinks_n {
        nbs.push(Neighbor {
            addr: sink_addr(k),
            asn: 65200 + u32::from(k),
            role: Role::Sink,
        });
    }
    for k in 1..=clients {
        nbs.push(Neighbor {
            addr: client_addr(k),
            asn: client_spec(k).asn,
            role: Role::Both,
        });
    }
    // Encode before any daemon runs.
    let announce: Vec<Arc<Blocks>> = feeds
        .iter()
        .map(|f| Arc::new(feed::announce(table, f, &all, w.v6)))
        .collect();
    let slices: Vec<Arc<Blocks>> = (1..=clients)
        .map(|k| {
            let keep = move |i: usize| (i % usize::from(clients)) + 1 == usize::from(k);
            Arc::new(feed::announce(table, &client_spec(k), &keep, w.v6))
        })
        .collect();

    let dir = settings
        .work
        .join(format!("{}-{}-{}", kind.name(), sc.name(), res.run));
    let _ = std::fs::remove_dir_all(&dir);
    let daemon = daemons::start(kind, &dir, &nbs, w.v6, settings.daemon_cpus.as_deref())?;
    let mut r = Run {
        rt,
        families: w.families(),
        settings,
        daemon: Some(daemon),
        kind,
        remote: SocketAddr::new(daemons::ADDR.into(), daemons::PORT),
        epoch: Instant::now(),
    };
    if kind == Kind::Direct {
        r.daemon = None;
    }
    let cpu_start = r.daemon_cpu();

    // Sinks first (route-server clients are sinks too).
    let listener = if kind == Kind::Direct {
        Some(TcpListener::bind(r.remote).map_err(|e| format!("direct sink: {e}"))?)
    } else {
        None
    };
    let mut sinks: Vec<Session> = Vec::new();
    let mut sink_expect: Vec<Expect> = Vec::new();
    for k in 1..=sinks_n {
        if kind != Kind::Direct {
            sinks.push(r.connect(sink_addr(k), 65200 + u32::from(k))?);
        }
    }
    let mut clients_s: Vec<Session> = Vec::new();
    for k in 1..=clients {
        clients_s.push(r.connect(client_addr(k), client_spec(k).asn)?);
    }

    // The main phase: every feed (or client) connects and sends its table.
    let cpu0 = own_cpu();
    let mut feed_s: Vec<Session> = Vec::new();
    let mut senders = Vec::new();
    let t0;
    if kind == Kind::Direct {
        let l = listener.as_ref().ok_or("no listener")?;
        let f = &feeds[0];
        let addr = feed_addr(1);
        let remote = r.remote;
        let (asn, rt2) = (f.asn, rt);
        let accept = std::thread::scope(|sc| {
            let fams = w.families();
            let h = sc.spawn(|| Session::accept(l, 65201, sink_addr(1), &w.families()));
            let fs = Session::connect(
                rt2,
                addr,
                remote,
                asn,
                &fams,
                Instant::now() + Duration::from_secs(5),
            );
            (
                h.join().unwrap_or_else(|_| Err("accept panicked".into())),
                fs,
            )
        });
        sinks.push(accept.0?);
        feed_s.push(accept.1?);
        t0 = feed_s[0].established;
        senders.push(send_async(&feed_s[0], Arc::clone(&announce[0])));
    } else if clients > 0 {
        t0 = Instant::now();
        for (i, s) in clients_s.iter().enumerate() {
            senders.push(send_async(s, Arc::clone(&slices[i])));
        }
    } else {
        // Connect feeds in parallel; each starts sending once Established.
        let results: Vec<Result<Session, String>> = std::thread::scope(|scope| {
            let hs: Vec<_> = feeds
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let r = &r;
                    let blocks = Arc::clone(&announce[i]);
                    scope.spawn(move || {
                        let s = r.connect(feed_addr(i as u8 + 1), f.asn)?;
                        let h = send_async(&s, blocks);
                        Ok::<_, String>((s, h))
                    })
                })
                .collect();
            hs.into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("feed thread panicked".into()))
                })
                .map(|x| {
                    x.map(|(s, h)| {
                        senders.push(h);
                        s
                    })
                })
                .collect()
        });
        for x in results {
            feed_s.push(x?);
        }
        t0 = feed_s
            .iter()
            .map(|s| s.established)
            .min()
            .unwrap_or_else(Instant::now);
    }
    // Expected sets of the main phase.
    match sc {
        Scenario::S1 | Scenario::S2 | Scenario::S6 => {
            // Direct: no daemon AS in front, so the second AS is a real one.
            let via = if kind == Kind::Direct {
                0
            } else {
                feeds[0].asn
            };
            let e = Expect::of(table, w.v6, &all, &|_, _| via, true);
            sink_expect.extend(std::iter::repeat_n(e, sinks.len()));
        }
        Scenario::S3 | Scenario::S5 => {
            let win = winners(table, &feeds);
            let via = move |_: usize, s: u32| win[s as usize];
            sink_expect.push(Expect::of(table, w.v6, &all, &via, sc == Scenario::S5));
        }
        Scenario::S4 => {
            let n = usize::from(clients);
            for k in 1..=n {
                let keep = move |i: usize| (i % n) + 1 != k;
                let via = move |i: usize, _: u32| client_spec((i % n) as u8 + 1).asn;
                sink_expect.push(Expect::of(table, w.v6, &keep, &via, true));
            }
        }
    }
    // The canary rides on the first feed (or client) during every phase.
    let stop = Arc::new(AtomicBool::new(false));
    let (cw, cnh, cas) = match (feed_s.first(), clients_s.first()) {
        (Some(f), _) => (f.writer(), feeds[0].next_hop, feeds[0].asn),
        (None, Some(c)) => (c.writer(), client_spec(1).next_hop, client_spec(1).asn),
        _ => return Err("no feed".into()),
    };
    let canary_h = canary(cw, cnh, cas, r.epoch, Arc::clone(&stop));

    let sink_refs: Vec<&Session> = sinks.iter().chain(clients_s.iter()).collect();
    let mut main = r.converge("load", &sink_refs, &sink_expect, t0, cpu0);
    main.send_seconds = senders
        .drain(..)
        .map(|h| h.join().unwrap_or(0.0))
        .fold(0.0, f64::max);
    let ok = main.seconds.is_some();
    res.phases.push(main);
    let (peak, settled) = r.daemon_mem();
    res.peak_rss_mib = peak;
    res.settled_rss_mib = settled;

    if ok && sc == Scenario::S6 {
        let wd = Arc::new(feed::withdraw(table, &all, w.v6));
        let cpu0 = own_cpu();
        let t0 = Instant::now();
        let h = send_async(&feed_s[0], wd);
        let empty = vec![Expect::empty(); sinks.len()];
        let mut p = r.converge("withdraw", &sink_refs, &empty, t0, cpu0);
        p.send_seconds = h.join().unwrap_or(0.0);
        res.phases.push(p);
    }
    if ok && sc == Scenario::S5 {
        let backup = feeds[1].asn;
        let backup_keys = Expect::of(table, w.v6, &all, &|_, _| backup, true);
        // The best feed drops: every prefix moves to the backup.
        stop.store(true, Ordering::Relaxed);
        let _ = canary_h.join();
        let best = feed_s.remove(0);
        let cpu0 = own_cpu();
        let t0 = Instant::now();
        best.close();
        let p = r.converge("best feed down", &sink_refs, &[backup_keys], t0, cpu0);
        let ok2 = p.seconds.is_some();
        res.phases.push(p);
        if ok2 {
            // It comes back: every prefix moves back.
            let cpu0 = own_cpu();
            let s = r.connect(feed_addr(1), feeds[0].asn)?;
            let t0 = s.established;
            let h = send_async(&s, Arc::clone(&announce[0]));
            let mut p = r.converge("best feed back", &sink_refs, &sink_expect, t0, cpu0);
            p.send_seconds = h.join().unwrap_or(0.0);
            let ok3 = p.seconds.is_some();
            res.phases.push(p);
            if ok3 {
                let churn = churn_blocks(table, &feeds[0], settings);
                let stop2 = Arc::new(AtomicBool::new(false));
                let epoch2 = Instant::now();
                let c = canary(s.writer(), cnh, cas, r.epoch, Arc::clone(&stop2));
                let cpu0 = own_cpu();
                let t0 = Instant::now();
                let tick = Duration::from_millis(10);
                for (i, batch) in churn.iter().enumerate() {
                    let due = t0 + tick * i as u32;
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    if lock(&s.writer()).write_all(batch).is_err() {
                        break;
                    }
                }
                stop2.store(true, Ordering::Relaxed);
                let sent = c.join().unwrap_or(0);
                let mut p = r.converge("churn", &sink_refs, &sink_expect, t0, cpu0);
                p.name = format!(
                    "churn {}/s for {:?}",
                    settings.churn_rate, settings.churn_for
                );
                res.phases.push(p);
                res.canary = canary_stats(&sink_refs, r.epoch, epoch2, sent);
            }
            feed_s.insert(0, s);
        }
    } else {
        stop.store(true, Ordering::Relaxed);
        let sent = canary_h.join().unwrap_or(0);
        if sc != Scenario::S5 {
            res.canary = canary_stats(&sink_refs, r.epoch, r.epoch, sent);
        }
    }
    res.cpu_seconds = r.daemon_cpu() - cpu_start;
    drop(sink_refs);
    for s in feed_s.into_iter().chain(sinks).chain(clients_s) {
        s.close();
    }
    if let Some(mut d) = r.daemon.take() {
        d.stop();
        if !settings.keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(())
}

/// Latencies (ms) of the canaries that arrived at the first sink after
/// `since`: p50, p99, arrived, sent.
fn canary_stats(
    sinks: &[&Session],
    epoch: Instant,
    since: Instant,
    sent: u32,
) -> Option<(f64, f64, usize, usize)> {
    let first = sinks.first()?;
    let r = first.received();
    let base = since.duration_since(epoch).as_millis() as u32;
    let mut lat: Vec<f64> = r
        .canary
        .iter()
        .filter(|(_, s, _)| *s >= base)
        .map(|(_, s, at)| at.duration_since(epoch).as_secs_f64() * 1000.0 - f64::from(*s))
        .collect();
    let n = lat.len();
    let p50 = percentile(&mut lat, 0.5);
    let p99 = percentile(&mut lat, 0.99);
    Some((p50, p99, n, sent as usize))
}

/// Churn: every 10 ms a batch of single-prefix UPDATEs re-announcing random
/// prefixes of the feed with one more community whose value counts up — a
/// transitive change every daemon must pass on (a MED change would not do:
/// RFC 4271 §5.1.4 keeps MED from other ASes, and peerd rightly sends
/// nothing when only that changes), `rate` per second for `for` seconds.
fn churn_blocks(table: &Table, f: &FeedSpec, s: &Settings) -> Vec<Vec<u8>> {
    let b = UpdateBuilder::new(&DecodeContext::MODERN);
    let per_tick = (s.churn_rate / 100).max(1) as usize;
    let ticks = (s.churn_for.as_millis() / 10) as usize;
    let mut rng = Rng::new(0xc0ffee);
    let mut out = Vec::with_capacity(ticks);
    for t in 0..ticks {
        let mut batch = Vec::new();
        for j in 0..per_tick {
            let (p, set) = table.v4[rng.below(table.v4.len() as u64) as usize];
            let mut attrs = crate::dataset::feed_attrs(table, f, set);
            let tag = Community((f.asn & 0xffff) << 16 | ((t * per_tick + j) as u32 & 0xffff));
            match attrs.iter_mut().find_map(|a| match &mut a.value {
                AttrValue::Communities(c) => Some(c),
                _ => None,
            }) {
                Some(c) => c.push(tag),
                None => attrs.push(Attribute::new(AttrValue::Communities(vec![tag]))),
            }
            attrs.push(Attribute::new(AttrValue::NextHop(f.next_hop)));
            attrs.sort_by_key(Attribute::type_code);
            if let Ok(ms) = b.announce(Family::IPV4_UNICAST, &attrs, None, &[Nlri::new(p)]) {
                for m in ms {
                    batch.extend_from_slice(&m);
                }
            }
        }
        out.push(batch);
    }
    out
}
