//! Next-hop tracking: with `[fib]`, a thread follows the kernel's links,
//! addresses and routes (rtnetlink notifications) and tells the engine
//! which routes next hops resolve through (`Event::Resolvable`), so a
//! route whose next hop's link went down stops being used at once — not
//! only when the session's hold timer runs out, and not after a graceful
//! restart's time when the neighbour's routes are kept as stale.
//!
//! From the same reads it hands the engine the other programs' routes
//! (`Event::KernelRoutes`), which `[fib] import` may take into the routing
//! table — a DHCP client's default route, say.
//!
//! The routes are read once (a dump) and then kept from the notifications:
//! a dump of a table that holds a full table — ours included, which a
//! dump cannot leave out — costs about a second, too much for every link
//! event. A notification that cannot be followed (a route of a kind not
//! modelled, lost notifications) makes it read everything again.

use crate::engine_task::EngineMsg;
use peerd_config::Fib as FibConfig;
use peerd_engine::{Event, Via};
use peerd_fib::watch::Changes;
use peerd_fib::{FibError, Foreign, ForeignVia, KernelRoute, LinuxFib, Watch};
use peerd_wire::Prefix;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long to gather notifications before reading the kernel again (a
/// link going down is a burst of them).
const SETTLE: Duration = Duration::from_millis(50);

/// Starts the thread; it sends the first set at once. An error opening
/// the sockets is returned (the daemon then runs without tracking, and
/// says so).
pub fn start(cfg: FibConfig, engine: mpsc::Sender<EngineMsg>) -> std::io::Result<()> {
    let mut watch = Watch::open(cfg.protocol)?;
    let mut fib = LinuxFib::open()?;
    // Connected and static routes live in the main table; the table we
    // program may hold others'.
    let tables = if cfg.table == 254 {
        vec![254]
    } else {
        vec![254, cfg.table]
    };
    std::thread::Builder::new()
        .name("peerd-nexthop".into())
        .spawn(move || follow(&mut fib, &mut watch, &cfg, &tables, &engine))?;
    Ok(())
}

/// The other programs' routes of the tables followed, by what the kernel
/// tells them apart by: table, prefix, metric.
type Cache = HashMap<(u32, Prefix, u32), KernelRoute>;

/// Reads every route of `tables` that is not ours (a dump: at start, and
/// when notifications could not be followed).
fn dump(fib: &mut LinuxFib, cfg: &FibConfig, tables: &[u32]) -> Result<Cache, FibError> {
    let routes = fib.dump_routes(|r| tables.contains(&r.table) && r.protocol != cfg.protocol)?;
    Ok(routes
        .into_iter()
        .map(|r| ((r.table, r.prefix, r.metric), r))
        .collect())
}

/// The thread: the kernel's routes read once, then kept up to date from
/// the notifications; what next hops resolve through and the routes
/// `[fib] import` may take sent to the engine whenever they change.
fn follow(
    fib: &mut LinuxFib,
    watch: &mut Watch,
    cfg: &FibConfig,
    tables: &[u32],
    engine: &mpsc::Sender<EngineMsg>,
) {
    let ours = cfg.protocol;
    let mut links = Vec::new();
    let mut cache = Cache::new();
    let mut pending = Changes {
        links: true,
        resync: true,
        ..Default::default()
    };
    let mut last = None;
    let mut last_foreign = None;
    loop {
        let read = (|| -> Result<(), FibError> {
            if pending.resync {
                cache = dump(fib, cfg, tables)?;
            } else {
                for (present, r) in pending.routes.drain(..) {
                    let key = (r.table, r.prefix, r.metric);
                    if present {
                        cache.insert(key, r);
                    } else {
                        cache.remove(&key);
                    }
                }
            }
            if pending.links || pending.resync {
                links = fib.links()?;
            }
            Ok(())
        })();
        pending = Changes::default();
        match read {
            Ok(()) => {
                let routes: Vec<KernelRoute> = cache.values().cloned().collect();
                let prefixes = peerd_fib::watch::resolvable(&links, &routes, tables, ours);
                let foreign = peerd_fib::import::foreign(&links, &routes, tables, ours);
                let links_down: Vec<String> = links
                    .iter()
                    .filter(|l| !l.up && !l.name.is_empty())
                    .map(|l| l.name.clone())
                    .collect();
                let mut events = Vec::new();
                let now = (prefixes, links_down);
                if last.as_ref() != Some(&now) {
                    last = Some(now.clone());
                    events.push(Event::Resolvable {
                        prefixes: now.0,
                        links_down: now.1,
                    });
                }
                if last_foreign.as_ref() != Some(&foreign) {
                    let routes = foreign.iter().map(engine_route).collect();
                    last_foreign = Some(foreign);
                    events.push(Event::KernelRoutes { routes });
                }
                for ev in events {
                    if engine.blocking_send(EngineMsg::Event(ev)).is_err() {
                        return; // the daemon is stopping
                    }
                }
            }
            Err(e) => {
                tracing::error!("next hops: cannot read the kernel's routes: {e}");
                pending.resync = true;
            }
        }
        // Wait for a change, then let the burst settle and take what came
        // meanwhile (a bounded number of datagrams).
        loop {
            match watch.changes(None, ours, tables) {
                Ok(Some(c)) if c.any() => {
                    pending.merge(c);
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(
                        "next hops: kernel notifications stopped ({e}); next hops are no longer tracked"
                    );
                    return;
                }
            }
        }
        std::thread::sleep(SETTLE);
        for _ in 0..4096 {
            match watch.changes(Some(Duration::ZERO), ours, tables) {
                Ok(Some(c)) => pending.merge(c),
                _ => break,
            }
        }
    }
}

/// A kernel route as the engine takes it.
fn engine_route(f: &Foreign) -> (Prefix, Via) {
    let via = match &f.via {
        ForeignVia::Gateway(a, dev) => Via::Address(*a, dev.clone()),
        ForeignVia::Device(dev) => Via::Interface(dev.clone()),
        ForeignVia::Blackhole => Via::Blackhole,
    };
    (f.prefix, via)
}
