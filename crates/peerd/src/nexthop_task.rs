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

use crate::engine_task::EngineMsg;
use peerd_config::Fib as FibConfig;
use peerd_engine::{Event, Via};
use peerd_fib::{Foreign, ForeignVia, LinuxFib, Watch};
use peerd_wire::Prefix;
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
        .spawn(move || {
            let mut last = None;
            let mut last_foreign = None;
            loop {
                let read = fib.links().and_then(|links| {
                    let routes = fib.dump_routes(|r| {
                        tables.contains(&r.table) && r.protocol != cfg.protocol
                    })?;
                    Ok((links, routes))
                });
                match read {
                    Ok((links, routes)) => {
                        let prefixes =
                            peerd_fib::watch::resolvable(&links, &routes, &tables, cfg.protocol);
                        let foreign =
                            peerd_fib::import::foreign(&links, &routes, &tables, cfg.protocol);
                        let mut events = Vec::new();
                        if last.as_ref() != Some(&prefixes) {
                            last = Some(prefixes.clone());
                            events.push(Event::Resolvable { prefixes });
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
                    Err(e) => tracing::error!("next hops: cannot read the kernel's routes: {e}"),
                }
                // Wait for a change, then let the burst settle and read
                // what came meanwhile (a bounded number of datagrams: our
                // own installs can keep the socket busy).
                loop {
                    match watch.wait(None, cfg.protocol) {
                        Ok(Some(true)) => break,
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
                    if !matches!(watch.wait(Some(Duration::ZERO), cfg.protocol), Ok(Some(_))) {
                        break;
                    }
                }
            }
        })?;
    Ok(())
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
