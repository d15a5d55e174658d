//! The harness checked against real data and a real socket: the dataset is
//! deterministic and keeps the real table's shape, and the blaster's bytes
//! reach a sink as exactly the table, prefix by prefix.

use crate::dataset::{self, FeedSpec, Size, Table, View};
use crate::feed;
use crate::session::Session;
use peerd_wire::Family;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

fn data() -> Option<std::path::PathBuf> {
    peerd_testkit::shared_data()
}

fn share(h: &[usize], len: usize, total: usize) -> f64 {
    h[len] as f64 / total as f64
}

#[test]
fn dataset_is_deterministic_and_keeps_the_real_shape() {
    let Some(d) = data() else { return };
    let size = Size {
        v4: 600_000,
        v6: 60_000,
    };
    let a = Table::build(&d, size, 1).unwrap_or_else(|e| panic!("{e}"));
    let b = Table::build(&d, size, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.v4, b.v4);
    assert_eq!(a.v6, b.v6);
    assert_eq!((a.v4.len(), a.v6.len()), (600_000, 60_000));
    // The real feeds: AS30844 at JINX (README: 497,321 routes; a few
    // hundred are left out for private ASes or reserved space) and the
    // route-views6 peer with the most routes.
    assert_eq!(a.source_as[0], (Family::IPV4_UNICAST, 30844));
    assert!(a.real.0 > 490_000, "{}", a.real.0);
    assert!(a.real.1 > 20_000, "{}", a.real.1);
    // No duplicates, host bits clear.
    let mut seen = std::collections::HashSet::new();
    assert!(a.v4.iter().chain(a.v6.iter()).all(|(p, _)| seen.insert(*p)));
    // The expanded table keeps the real prefix-length shares (within one
    // point) and about the real sharing of attribute sets.
    let h_all = Table::lengths(&a.v4);
    let base = Table::build(
        &d,
        Size {
            v4: a.real.0,
            v6: 0,
        },
        1,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let h_real = Table::lengths(&base.v4);
    for len in [16, 19, 20, 22, 23, 24] {
        let (x, y) = (
            share(&h_all, len, a.v4.len()),
            share(&h_real, len, base.v4.len()),
        );
        assert!(
            (x - y).abs() < 0.01,
            "/{len}: {x:.3} expanded vs {y:.3} real"
        );
    }
    let per_set = |t: &Table| t.v4.len() as f64 / t.sets_in_use().0 as f64;
    let (x, y) = (per_set(&a), per_set(&base));
    assert!(
        (x / y - 1.0).abs() < 0.25,
        "prefixes per set {x:.2} expanded vs {y:.2} real"
    );
}

#[test]
fn varied_feeds_differ_and_backup_is_longer() {
    let Some(d) = data() else { return };
    let t = Table::build(&d, Size { v4: 50_000, v6: 0 }, 1).unwrap_or_else(|e| panic!("{e}"));
    let f = |k: u32, view| FeedSpec {
        asn: 65100 + k,
        next_hop: Ipv4Addr::new(198, 18, 0, k as u8),
        view,
        seed: dataset::mix(u64::from(k)),
    };
    let len = |spec: &FeedSpec, s: u32| {
        dataset::feed_attrs(&t, spec, s)
            .iter()
            .find_map(|a| match &a.value {
                peerd_wire::AttrValue::AsPath(p) => Some(p.path_len()),
                _ => None,
            })
            .unwrap_or(0)
    };
    let (a, b, plain, backup) = (
        f(1, View::Varied),
        f(2, View::Varied),
        f(3, View::Plain),
        f(4, View::Backup),
    );
    let mut differ = 0;
    for (_, s) in &t.v4 {
        differ += usize::from(len(&a, *s) != len(&b, *s));
        assert_eq!(len(&backup, *s), len(&plain, *s) + 2);
    }
    // Two varied feeds disagree on path length for a real share of prefixes.
    assert!(differ * 10 > t.v4.len(), "{differ} of {}", t.v4.len());
}

#[test]
fn blaster_into_sink_delivers_exactly_the_table() {
    let Some(d) = data() else { return };
    let t = Table::build(
        &d,
        Size {
            v4: 200_000,
            v6: 20_000,
        },
        1,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let spec = FeedSpec {
        asn: 65101,
        next_hop: Ipv4Addr::new(198, 18, 0, 1),
        view: View::Plain,
        seed: 1,
    };
    let blocks = feed::announce(&t, &spec, &|_| true, true);
    let listener = TcpListener::bind("127.0.26.1:0").unwrap_or_else(|e| panic!("{e}"));
    let remote: SocketAddr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let fams = [Family::IPV4_UNICAST, Family::IPV6_UNICAST];
    let (sink, feed_s) = std::thread::scope(|sc| {
        let h = sc.spawn(|| Session::accept(&listener, 65201, Ipv4Addr::new(127, 0, 26, 1), &fams));
        let f = Session::connect(
            &rt,
            Ipv4Addr::new(127, 0, 26, 2),
            remote,
            65101,
            &fams,
            Instant::now() + Duration::from_secs(5),
        );
        (h.join().unwrap_or_else(|_| panic!("accept")), f)
    });
    let (sink, feed_s) = (
        sink.unwrap_or_else(|e| panic!("{e}")),
        feed_s.unwrap_or_else(|e| panic!("{e}")),
    );
    feed_s
        .send_blocks(&blocks.blocks)
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while sink.received().len() < t.v4.len() + t.v6.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    {
        let r = sink.received();
        assert_eq!(r.v4.len(), t.v4.len());
        assert_eq!(r.v6.len(), t.v6.len());
        for (p, _) in &t.v4 {
            let std::net::IpAddr::V4(a) = p.addr() else {
                unreachable!()
            };
            // Straight from the feed: the path starts with the feed's AS,
            // then the real path.
            assert!(
                r.v4.contains_key(&crate::proto::key_v4(u32::from(a), p.len())),
                "{p} missing"
            );
        }
        for (p, _) in &t.v6 {
            let std::net::IpAddr::V6(a) = p.addr() else {
                unreachable!()
            };
            assert!(r.v6.contains_key(&(u128::from(a), p.len())), "{p} missing");
        }
        // Every UPDATE the blaster wrote was read (End-of-RIB included).
        assert_eq!(r.updates as usize, blocks.messages);
        assert!(r.ended.is_none());
    }
    // Withdrawing everything empties the sink.
    let w = feed::withdraw(&t, &|_| true, true);
    feed_s
        .send_blocks(&w.blocks)
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !sink.received().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(sink.received().is_empty());
    feed_s.close();
    sink.close();
}

/// Runs `sc` once against `kind` on a small table, on the host's loopback
/// (root: the daemon listens on port 179).
fn small_run(
    kind: crate::daemons::Kind,
    sc: crate::scenario::Scenario,
    v4: usize,
) -> Option<crate::scenario::RunResult> {
    let d = data()?;
    if !crate::procstat::is_root() {
        eprintln!(
            "SKIP: {} {}: needs root for port 179",
            kind.name(),
            sc.name()
        );
        return None;
    }
    let t = Table::build(&d, Size { v4, v6: v4 / 4 }, 1).unwrap_or_else(|e| panic!("{e}"));
    let v6 = !t.v6.is_empty();
    let w = crate::scenario::Workload {
        table: std::sync::Arc::new(t),
        v6,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = crate::scenario::Settings {
        quiet: Duration::from_millis(500),
        timeout: Duration::from_secs(60),
        daemon_cpus: None,
        churn_rate: 2_000,
        churn_for: Duration::from_secs(1),
        work: std::env::temp_dir().join(format!(
            "peerd-bench-test-{}-{}",
            std::process::id(),
            kind.name()
        )),
        keep: false,
    };
    Some(crate::scenario::run(&rt, &w, kind, sc, 0, &settings))
}

fn converged(r: &crate::scenario::RunResult) {
    assert!(
        r.error.is_none(),
        "{} {}: {:?}",
        r.daemon,
        r.scenario,
        r.error
    );
    for p in &r.phases {
        assert!(
            p.seconds.is_some(),
            "{} {} {}: {:?}",
            r.daemon,
            r.scenario,
            p.name,
            p.problem
        );
    }
    // (Not `report::timed`: other tests in this process make the
    // harness look busy, which flags runs as harness-bound.)
    if r.daemon != "direct" {
        // (CPU time comes in 10 ms ticks: BIRD may use none on 5k routes.)
        assert!(r.peak_rss_mib > 1.0 && r.cpu_seconds >= 0.0, "{r:?}");
    }
}

/// The whole harness against peerd, one scenario after another (one test:
/// they share 127.0.0.10:179). S4 is the regression test of a deadlock the
/// benchmark found: twenty clients sending at once filled the engine's
/// queue while the engine waited for a session's queue.
#[test]
fn every_scenario_converges_through_peerd() {
    use crate::daemons::Kind;
    use crate::scenario::Scenario;
    let _guard = crate::tests::PORT_179
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for sc in Scenario::ALL {
        // S4 needs volume to fill the queues: 40k routes.
        let n = if sc == Scenario::S4 { 40_000 } else { 5_000 };
        let Some(r) = small_run(Kind::Peerd, sc, n) else {
            return;
        };
        converged(&r);
        match sc {
            // Every client got the 19 other slices (checked prefix by
            // prefix by the run itself).
            Scenario::S4 => assert!(r.phases[0].changes > 0),
            Scenario::S5 => {
                assert_eq!(r.phases.len(), 4);
                // The canary arrived, and in time.
                let (_, p99, got, sent) = r.canary.unwrap_or_else(|| panic!("no canary"));
                assert!(got > 0 && got <= sent && p99 < 1_000.0, "{:?}", r.canary);
            }
            Scenario::S6 => assert_eq!(r.phases[1].name, "withdraw"),
            _ => {}
        }
    }
}

/// S1 through each reference daemon that is installed: the configurations
/// the benchmark writes work, and the sets arrive complete.
#[test]
fn reference_daemons_take_the_small_table() {
    use crate::daemons::Kind;
    use crate::scenario::Scenario;
    let _guard = crate::tests::PORT_179
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    for (kind, bin) in [
        (Kind::Direct, "true"),
        (Kind::Bird, "bird"),
        (Kind::Frr, "/usr/lib/frr/bgpd"),
        (Kind::Gobgp, "gobgpd"),
    ] {
        let found = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {bin}"))
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !found {
            eprintln!("SKIP: {bin} not installed");
            continue;
        }
        let Some(r) = small_run(kind, Scenario::S1, 5_000) else {
            return;
        };
        converged(&r);
    }
}

/// One daemon at a time on 127.0.0.10:179.
static PORT_179: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The configurations in bench/conf are the ones the benchmark writes
/// (regenerate with `peerd-bench configs bench/conf`).
#[test]
fn committed_configs_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/conf");
    for (name, text) in crate::daemons::s1_configs() {
        let p = dir.join(name);
        let on_disk =
            std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(
            on_disk,
            text,
            "{} is stale: run peerd-bench configs bench/conf",
            p.display()
        );
    }
}

#[test]
fn rib_benchmark_feeds_every_route_through_policy_and_counts_its_memory() {
    let Some(d) = data() else { return };
    let t = Table::build(
        &d,
        Size {
            v4: 50_000,
            v6: 12_500,
        },
        1,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (feeds, sink) =
        crate::rib::run(&t, 2, crate::rib::Feeds::Distinct).unwrap_or_else(|e| panic!("{e}"));
    for f in &feeds {
        assert_eq!(f.routes, 62_500);
        // Every route is either held or counted as filtered by the policy,
        // which rejects a few (bogons, too-specifics) and not the rest.
        assert_eq!(f.accepted as u64 + f.filtered, f.routes as u64);
        assert!(f.filtered > 0 && f.filtered * 10 < f.routes as u64, "{f:?}");
        assert!(f.per_route() > 16.0 && f.per_route() < 2000.0, "{f:?}");
        // What the engine reports of its memory (metrics) is what the
        // allocator saw it keep, within a few percent (the B-tree nodes
        // over the buckets, small tables it does not count).
        let ratio = f.accounted as f64 / f.asked as f64;
        assert!((0.9..=1.02).contains(&ratio), "{ratio} {f:?}");
    }
    // The first feed also pays for the best-route index and the attribute
    // sets the second one shares.
    assert!(feeds[1].per_route() < feeds[0].per_route(), "{feeds:?}");
    // The neighbour brought up afterwards is sent every accepted prefix.
    assert_eq!(sink.routes, feeds[0].accepted);
    assert!(sink.bytes > 0);
    // A second session to the same neighbour shares its attribute sets and
    // AS paths with the first. Another AS's feed (the same paths behind its
    // own AS, varied) shares the rests of its paths (`compact_path.rs`):
    // it costs no more than the second session, and less than a feed whose
    // paths share nothing with the first feed's.
    let (same, _) =
        crate::rib::run(&t, 2, crate::rib::Feeds::SameNeighbour).unwrap_or_else(|e| panic!("{e}"));
    let (unshared, _) =
        crate::rib::run(&t, 2, crate::rib::Feeds::Unshared).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same[1].accepted, feeds[1].accepted);
    assert_eq!(unshared[1].accepted, feeds[1].accepted);
    assert!(
        same[1].per_route() <= feeds[1].per_route() * 1.02,
        "{same:?} {feeds:?}"
    );
    assert!(
        feeds[1].per_route() * 1.2 < unshared[1].per_route(),
        "{unshared:?} {feeds:?}"
    );
}
