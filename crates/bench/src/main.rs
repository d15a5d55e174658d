//! `peerd-bench`: the side-by-side benchmark of peerd and the reference
//! daemons (BIRD 2, FRR, GoBGP, OpenBGPD). See `docs/benchmarks.md`.
//!
//! Run it through `bench/run`, which builds it, makes a private network
//! namespace and runs it there as root.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod counting;
mod daemons;
mod dataset;
mod feed;
mod fib;
mod procstat;
mod proto;
mod report;
mod rib;
mod scenario;
mod session;
#[cfg(test)]
mod tests;

use daemons::Kind;
use dataset::{Size, Table};
use scenario::{Scenario, Settings, Workload};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: counting::Counting = counting::Counting;

const USAGE: &str = "usage: peerd-bench run [--quick] [--runs N] [--daemons LIST] [--scenarios LIST]
                        [--v4 N] [--v6 N] [--runs-for DAEMON=N] [--data DIR] [--out DIR] [--daemon-cpus LIST] [--harness-cpus LIST] [--keep]
       peerd-bench dataset [--v4 N] [--v6 N] [--data DIR]
       peerd-bench rib [--v4 N] [--v6 N] [--feeds N] [--runs N] [--same-neighbour|--unshared] [--data DIR]
                       (the engine alone: bytes per route and routes/s, feed by feed;
                        --same-neighbour: feeds after the first are the same AS's routes
                        over other sessions, not other ASes'; --unshared: each feed has an
                        AS of its own behind its AS, so no two feeds' paths share a rest)
       peerd-bench fib [--v4 N] [--runs N] [--daemons direct,peerd,bird,frr] [--data DIR] [--out DIR]
                       (a full IPv4 table into the kernel and out again, through each daemon's
                        FIB: peerd [fib], BIRD's kernel protocol, FRR's zebra; direct: the harness
                        alone through one netlink socket, the floor; run it through bench/fib)
       peerd-bench configs DIR   (the five daemons' configurations for S1, as run)

  --daemons    direct,peerd,bird,frr,gobgp,openbgpd (default: all)
  --scenarios  S1,S2,S3,S4,S5,S6 (default: all)
  --quick      20k IPv4 routes, one run, short quiet period and churn
  --runs       repetitions of each scenario (default 3)
  --runs-for   DAEMON=N: another count for one daemon (e.g. gobgp=1: it takes minutes a run)
  --v4         IPv4 prefixes in the table (default 1050000; --quick 20000)
  --v6         IPv6 prefixes in the table (default 250000; --quick 5000; 0: IPv4 only)
  --data       the shared data folder (default $PEERD_SHARED_DATA or ../shared/data)
  --out        where results.json and results.md go (default target/bench)";

struct Args {
    cmd: String,
    quick: bool,
    runs: usize,
    daemons: Vec<Kind>,
    scenarios: Vec<Scenario>,
    v4: Option<usize>,
    v6: Option<usize>,
    data: PathBuf,
    out: PathBuf,
    daemon_cpus: Option<String>,
    harness_cpus: Option<String>,
    keep: bool,
    runs_for: Vec<(Kind, usize)>,
    feeds: usize,
    same_neighbour: bool,
    unshared: bool,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let cmd = it.next().ok_or(USAGE)?;
    let mut a = Args {
        cmd,
        quick: false,
        runs: 3,
        daemons: Kind::ALL.to_vec(),
        scenarios: Scenario::ALL.to_vec(),
        v4: None,
        v6: None,
        data: std::env::var_os("PEERD_SHARED_DATA")
            .map_or_else(|| PathBuf::from("../shared/data"), PathBuf::from),
        out: PathBuf::from("target/bench"),
        daemon_cpus: None,
        harness_cpus: None,
        keep: false,
        runs_for: Vec::new(),
        feeds: 3,
        same_neighbour: false,
        unshared: false,
    };
    let mut runs_given = false;
    while let Some(x) = it.next() {
        let mut val = || {
            it.next()
                .ok_or_else(|| format!("{x} needs a value\n{USAGE}"))
        };
        match x.as_str() {
            "--quick" => a.quick = true,
            "--same-neighbour" => a.same_neighbour = true,
            "--unshared" => a.unshared = true,
            "--keep" => a.keep = true,
            "--runs" => {
                a.runs = val()?.parse().map_err(|_| "--runs: a number".to_string())?;
                runs_given = true;
            }
            "--v4" => a.v4 = Some(val()?.parse().map_err(|_| "--v4: a number".to_string())?),
            "--v6" => a.v6 = Some(val()?.parse().map_err(|_| "--v6: a number".to_string())?),
            "--data" => a.data = PathBuf::from(val()?),
            "--out" => a.out = PathBuf::from(val()?),
            "--daemon-cpus" => a.daemon_cpus = Some(val()?),
            "--runs-for" => {
                let v = val()?;
                let (d, n) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--runs-for wants DAEMON=N, not {v:?}"))?;
                let d = Kind::parse(d).ok_or_else(|| format!("--runs-for: unknown daemon {d:?}"))?;
                let n = n.parse().map_err(|_| format!("--runs-for: {n:?} is not a number"))?;
                a.runs_for.push((d, n));
            }
            "--harness-cpus" => a.harness_cpus = Some(val()?),
            "--feeds" => {
                a.feeds = val()?.parse().map_err(|_| "--feeds: a number".to_string())?;
                if a.feeds == 0 {
                    return Err("--feeds: at least 1".into());
                }
            }
            "--daemons" => {
                a.daemons = val()?
                    .split(',')
                    .map(|d| Kind::parse(d.trim()).ok_or_else(|| format!("unknown daemon {d:?}; known: direct, peerd, bird, frr, gobgp, openbgpd")))
                    .collect::<Result<_, _>>()?
            }
            "--scenarios" => {
                a.scenarios = val()?
                    .split(',')
                    .map(|d| Scenario::parse(d.trim()).ok_or_else(|| format!("unknown scenario {d:?}; known: S1…S6")))
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(format!("unknown argument {x:?}\n{USAGE}")),
        }
    }
    if a.quick && !runs_given {
        a.runs = 1;
    }
    Ok(a)
}

fn dataset_cmd(a: &Args) -> Result<(), String> {
    let size = Size {
        v4: a.v4.unwrap_or(Size::FULL.v4),
        v6: a.v6.unwrap_or(Size::FULL.v6),
    };
    let t0 = Instant::now();
    let t = Table::build(&a.data, size, 1).map_err(|e| e.to_string())?;
    let took = t0.elapsed();
    let (s4, s6) = t.sets_in_use();
    println!(
        "built in {:.2} s from {} (seed 1)",
        took.as_secs_f64(),
        a.data.display()
    );
    for (fam, asn) in &t.source_as {
        println!("  {fam}: real feed of AS{asn}");
    }
    println!(
        "IPv4: {} prefixes ({} real), {} attribute sets ({:.2} prefixes per set)",
        t.v4.len(),
        t.real.0,
        s4,
        t.v4.len() as f64 / s4.max(1) as f64
    );
    println!(
        "IPv6: {} prefixes ({} real), {} attribute sets ({:.2} prefixes per set)",
        t.v6.len(),
        t.real.1,
        s6,
        t.v6.len() as f64 / s6.max(1) as f64
    );
    for (name, routes) in [("IPv4", &t.v4), ("IPv6", &t.v6)] {
        let h = Table::lengths(routes);
        let top: Vec<String> = h
            .iter()
            .enumerate()
            .filter(|(_, n)| **n * 100 >= routes.len().max(1))
            .map(|(l, n)| format!("/{l} {:.1}%", *n as f64 * 100.0 / routes.len() as f64))
            .collect();
        println!("{name} lengths (>=1%): {}", top.join(", "));
    }
    let feed = dataset::FeedSpec {
        asn: 65101,
        next_hop: std::net::Ipv4Addr::new(198, 18, 0, 1),
        view: dataset::View::Plain,
        seed: 1,
    };
    let t1 = Instant::now();
    let b = feed::announce(&t, &feed, &|_| true, true);
    println!(
        "one feed encoded in {:.2} s: {} UPDATEs, {:.1} MB",
        t1.elapsed().as_secs_f64(),
        b.messages,
        b.bytes() as f64 / 1e6
    );
    Ok(())
}

fn rib_cmd(a: &Args) -> Result<(), String> {
    let size = Size {
        v4: a.v4.unwrap_or(Size::FULL.v4),
        v6: a.v6.unwrap_or(Size::FULL.v6),
    };
    let t = Table::build(&a.data, size, 1).map_err(|e| e.to_string())?;
    println!(
        "RIB benchmark: {} IPv4 + {} IPv6 prefixes per feed, {} feeds, {} runs",
        t.v4.len(),
        t.v6.len(),
        a.feeds,
        a.runs
    );
    let mut runs = Vec::new();
    for r in 0..a.runs {
        let kind = if a.same_neighbour {
            rib::Feeds::SameNeighbour
        } else if a.unshared {
            rib::Feeds::Unshared
        } else {
            rib::Feeds::Distinct
        };
        let (costs, sink) = rib::run(&t, a.feeds, kind)?;
        println!("run {}:\n{}", r + 1, rib::report(&costs, &sink));
        runs.push((costs, sink));
    }
    // Medians over the runs, feed by feed.
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("medians of {} runs:", a.runs);
    println!("| feed | bytes/route | routes/s (engine) |\n|---|---|---|");
    for f in 0..a.feeds {
        println!(
            "| {} | {:.1} | {:.0} |",
            f + 1,
            median(runs.iter().map(|c| c.0[f].per_route()).collect()),
            median(runs.iter().map(|c| c.0[f].rate()).collect()),
        );
    }
    println!(
        "| export to one neighbour | {:.1} | {:.0} |",
        median(
            runs.iter()
                .map(|c| c.1.bytes as f64 / c.1.routes.max(1) as f64)
                .collect()
        ),
        median(
            runs.iter()
                .map(|c| c.1.routes as f64 / c.1.time.as_secs_f64().max(1e-9))
                .collect()
        ),
    );
    Ok(())
}

fn version(cmd: &str, arg: &str) -> String {
    std::process::Command::new(cmd)
        .arg(arg)
        .output()
        .map(|o| {
            let t = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            t.lines().next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_else(|_| "not installed".into())
}

fn run_cmd(a: &Args) -> Result<(), String> {
    if !procstat::is_root() {
        return Err("run needs root: the daemons listen on port 179 (use bench/run, which also makes a private namespace)".into());
    }
    let size = Size {
        v4: a.v4.unwrap_or(if a.quick { 20_000 } else { Size::FULL.v4 }),
        v6: a.v6.unwrap_or(if a.quick { 5_000 } else { Size::FULL.v6 }),
    };
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    let daemon_cpus = a
        .daemon_cpus
        .clone()
        .or_else(|| (ncpu >= 2).then(|| format!("1-{}", ncpu - 1)));
    let harness_cpus = a
        .harness_cpus
        .clone()
        .or_else(|| (ncpu >= 2).then(|| "0".to_string()));
    if let Some(c) = &harness_cpus {
        if !procstat::pin_self(c) {
            eprintln!("warning: could not pin the harness to CPUs {c}");
        }
    }
    let t0 = Instant::now();
    let table = Table::build(&a.data, size, 1).map_err(|e| e.to_string())?;
    eprintln!(
        "dataset: {} IPv4 and {} IPv6 prefixes in {:.1} s",
        table.v4.len(),
        table.v6.len(),
        t0.elapsed().as_secs_f64()
    );
    let v6 = !table.v6.is_empty();
    let w = Workload {
        table: Arc::new(table),
        v6,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| e.to_string())?;
    let settings = Settings {
        quiet: if a.quick {
            Duration::from_millis(700)
        } else {
            Duration::from_secs(2)
        },
        timeout: if a.quick {
            Duration::from_secs(90)
        } else {
            Duration::from_secs(600)
        },
        daemon_cpus: daemon_cpus.clone(),
        churn_rate: 10_000,
        churn_for: if a.quick {
            Duration::from_secs(3)
        } else {
            Duration::from_secs(60)
        },
        work: std::env::temp_dir().join(format!("peerd-bench-{}", std::process::id())),
        keep: a.keep,
    };
    let meta: Vec<(&str, String)> = vec![
        ("date", version("date", "-u")),
        ("kernel", version("uname", "-r")),
        (
            "cpus",
            format!(
                "{ncpu} (daemon pinned to {}, harness to {})",
                daemon_cpus.as_deref().unwrap_or("any"),
                harness_cpus.as_deref().unwrap_or("any")
            ),
        ),
        (
            "table",
            format!(
                "{} IPv4 and {} IPv6 prefixes, seed 1",
                w.table.v4.len(),
                w.table.v6.len()
            ),
        ),
        (
            "runs",
            std::iter::once(a.runs.to_string())
                .chain(a.runs_for.iter().map(|(k, n)| format!("{} {n}", k.name())))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("quiet period", format!("{:?}", settings.quiet)),
        ("peerd", format!("git {}", git_head())),
        ("bird", version("bird", "--version")),
        ("frr", version("/usr/lib/frr/bgpd", "--version")),
        ("gobgpd", version("gobgpd", "--version")),
        (
            "openbgpd",
            "Debian package (bgpd has no version flag)".into(),
        ),
    ];
    let mut results = Vec::new();
    for sc in &a.scenarios {
        for d in &a.daemons {
            if *d == Kind::Direct && !sc.direct() {
                continue;
            }
            let runs = a
                .runs_for
                .iter()
                .rev()
                .find(|(k, _)| k == d)
                .map_or(a.runs, |(_, n)| *n);
            for n in 0..runs {
                let t = Instant::now();
                let r = scenario::run(&rt, &w, *d, *sc, n, &settings);
                eprintln!(
                    "{} {} run {}: {} ({:.1} s wall){}",
                    sc.name(),
                    d.name(),
                    n + 1,
                    report::timed(&r).map_or_else(
                        || r.error
                            .clone()
                            .or_else(|| r.phases.iter().find_map(|p| p.problem.clone()))
                            .unwrap_or_else(|| "harness-bound".into()),
                        |s| format!(
                            "{s:.3} s, peak {:.0} MiB, cpu {:.2} s",
                            r.peak_rss_mib, r.cpu_seconds
                        )
                    ),
                    t.elapsed().as_secs_f64(),
                    if r.harness_bound {
                        " [harness-bound: discarded]"
                    } else {
                        ""
                    },
                );
                results.push(r);
            }
        }
    }
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let names: Vec<String> = a.daemons.iter().map(|d| d.name().to_string()).collect();
    let md = report::markdown(&meta, &results, &names, &a.scenarios);
    std::fs::write(a.out.join("results.json"), report::json(&meta, &results))
        .map_err(|e| e.to_string())?;
    std::fs::write(a.out.join("results.md"), &md).map_err(|e| e.to_string())?;
    println!("{md}");
    eprintln!("written: {}/results.json, results.md", a.out.display());
    let _ = std::fs::remove_dir_all(&settings.work);
    Ok(())
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("configs") {
        if let Err(e) = configs_cmd() {
            eprintln!("peerd-bench: {e}");
            std::process::exit(2);
        }
        return;
    }
    let r = parse().and_then(|a| match a.cmd.as_str() {
        "dataset" => dataset_cmd(&a),
        "rib" => rib_cmd(&a),
        "run" => run_cmd(&a),
        "fib" => fib_cmd(&a),
        _ => Err(USAGE.to_string()),
    });
    if let Err(e) = r {
        eprintln!("peerd-bench: {e}");
        std::process::exit(2);
    }
}

/// `peerd-bench fib`: the runs interleaved (run 1 of every daemon, then
/// run 2, ...) so that the machine's noise spreads over all of them.
fn fib_cmd(a: &Args) -> Result<(), String> {
    if !procstat::is_root() {
        return Err("fib needs root: it programs the kernel (use bench/fib, which also makes a private namespace)".into());
    }
    let kinds: Vec<Kind> = [Kind::Direct, Kind::Peerd, Kind::Bird, Kind::Frr]
        .into_iter()
        .filter(|k| a.daemons.contains(k))
        .collect();
    let size = Size {
        v4: a.v4.unwrap_or(if a.quick { 20_000 } else { Size::FULL.v4 }),
        v6: 0,
    };
    let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
    let daemon_cpus = a
        .daemon_cpus
        .clone()
        .or_else(|| (ncpu >= 2).then(|| format!("1-{}", ncpu - 1)));
    if ncpu >= 2 && !procstat::pin_self("0") {
        eprintln!("warning: could not pin the harness to CPU 0");
    }
    let table = Arc::new(Table::build(&a.data, size, 1).map_err(|e| e.to_string())?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    for i in 0..a.runs {
        for k in &kinds {
            // Absolute: FRR's daemons change directory.
            let dir = std::env::current_dir()
                .map_err(|e| e.to_string())?
                .join(&a.out)
                .join("fib")
                .join(k.name());
            let r = fib::run_one(&rt, *k, &table, &dir, daemon_cpus.as_deref())?;
            let f = |x: Option<f64>| x.map_or("not done".into(), |v| format!("{v:.2} s"));
            eprintln!(
                "run {}: {}: install {}, withdraw {}, CPU {:.2} s{}",
                i + 1,
                k.name(),
                f(r.install),
                f(r.withdraw),
                r.cpu,
                if r.mismatch.is_empty() {
                    String::new()
                } else {
                    format!(", table differs: {}", r.mismatch)
                }
            );
            runs.push(r);
        }
    }
    let md = fib::markdown(&runs, table.v4.len(), &kinds);
    std::fs::create_dir_all(&a.out).map_err(|e| e.to_string())?;
    let head = format!(
        "peerd {} ({}), {} runs, medians; {}; {}\n\n",
        git_head(),
        version("bird", "--version"),
        a.runs,
        version("/usr/lib/frr/bgpd", "--version"),
        std::env::consts::ARCH
    );
    std::fs::write(a.out.join("fib.md"), format!("{head}{md}")).map_err(|e| e.to_string())?;
    print!("{head}{md}");
    Ok(())
}

/// Writes the configurations of S1 (one feed, one sink, both families)
/// for every daemon into DIR: what the benchmark runs, for reading.
fn configs_cmd() -> Result<(), String> {
    let dir = std::env::args().nth(2).map(PathBuf::from).ok_or(USAGE)?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, text) in daemons::s1_configs() {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        println!("{}", p.display());
    }
    Ok(())
}

fn git_head() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
