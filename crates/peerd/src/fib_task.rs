//! The FIB task: what the routing table says about each prefix
//! (`Action::Forward`) made into kernel routes in the `[fib]` table, on a
//! thread of its own (netlink calls block).
//!
//! It keeps what it installed, so an entry that did not change costs no
//! netlink request, and it drains its queue before each batch, so a full
//! table goes in at hundreds of routes per round trip. A route the kernel
//! refuses is logged with the reason and counted, never silently dropped;
//! it is tried again when its entry next changes.
//!
//! At start the routes of ours that an earlier run left (it crashed, or was
//! killed) are removed; on a clean stop every route installed is removed.
//! With `[fib] retain` (kernel-level graceful restart) a clean stop leaves
//! them, and the next start keeps what it finds: each one learned again
//! is confirmed (or replaced), and those still unconfirmed are removed
//! when the routing table has converged (`FibMsg::Sweep`, after every
//! neighbour's End-of-RIB) or, at the latest, after `retain`.

use peerd_config::Fib as FibConfig;
use peerd_engine::Forward;
use peerd_fib::{Fib, KernelRoute, LinuxFib, NextHop, Op, Outcome, RouteKind};
use peerd_wire::Prefix;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

/// Work for the FIB task.
pub enum FibMsg {
    /// The routing table's new entries for these prefixes.
    Entries(Vec<(Prefix, Option<Forward>)>),
    /// Remove every route installed, then say so.
    Stop(mpsc::Sender<()>),
    /// The routing table has converged after a restart: remove the kept
    /// routes that were not learned again, now rather than when `retain`
    /// is up.
    Sweep,
}

/// What the FIB task has done, for the API and metrics; written by the
/// task, read by anyone.
#[derive(Debug, Default)]
pub struct FibStats {
    /// Routes of ours in the kernel table now.
    pub installed: AtomicU64,
    /// Routes the kernel refused, since start.
    pub refused: AtomicU64,
    /// Entries queued for the task and not yet taken.
    pub queued: AtomicU64,
    /// Batches applied, since start.
    pub batches: AtomicU64,
    /// Time spent applying them, microseconds.
    pub busy_micros: AtomicU64,
    /// The last batch: how many changes, and how long it took (µs).
    pub last_changes: AtomicU64,
    /// See `last_changes`.
    pub last_micros: AtomicU64,
}

/// The way to the FIB task: its channel, counting what waits in it.
#[derive(Clone)]
pub struct FibQueue {
    tx: mpsc::Sender<FibMsg>,
    stats: Arc<FibStats>,
}

impl FibQueue {
    /// Queues the routing table's new entries.
    pub fn entries(&self, v: Vec<(Prefix, Option<Forward>)>) {
        self.stats
            .queued
            .fetch_add(v.len() as u64, Ordering::Relaxed);
        let _ = self.tx.send(FibMsg::Entries(v));
    }

    /// The routing table has converged after a restart (`FibMsg::Sweep`).
    pub fn sweep(&self) {
        let _ = self.tx.send(FibMsg::Sweep);
    }
}

/// The running task.
pub struct FibHandle {
    /// Where its work goes.
    pub tx: FibQueue,
    /// What it has done.
    pub stats: Arc<FibStats>,
    /// Whether a clean stop leaves the routes (`[fib] retain`).
    pub retains: bool,
    /// How many routes an earlier run left were kept (`retain`).
    pub kept: usize,
    thread: JoinHandle<()>,
}

impl FibHandle {
    /// Removes every route installed and ends the task.
    pub fn stop(self) {
        let (done, wait) = mpsc::channel();
        if self.tx.tx.send(FibMsg::Stop(done)).is_ok() {
            let _ = wait.recv_timeout(std::time::Duration::from_secs(30));
        }
        let _ = self.thread.join();
    }
}

/// Opens the kernel table, removes what an earlier run left in it, and
/// starts the task.
pub fn start(cfg: FibConfig) -> std::io::Result<FibHandle> {
    let mut fib = LinuxFib::open()?;
    let stale = fib
        .routes(cfg.table, cfg.protocol)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut adopted = Vec::new();
    if !stale.is_empty() && !cfg.retain.is_zero() {
        tracing::info!(
            "fib: kept {} routes an earlier run left in table {} (proto {}); those not learned again within {} s are removed",
            stale.len(),
            cfg.table,
            cfg.protocol,
            cfg.retain.as_secs()
        );
        adopted = stale;
    } else if !stale.is_empty() {
        let del: Vec<(Op, KernelRoute)> = stale.into_iter().map(|r| (Op::Delete, r)).collect();
        let n = del.len();
        let _ = fib.apply(&del);
        tracing::info!(
            "fib: removed {n} routes an earlier run left in table {} (proto {})",
            cfg.table,
            cfg.protocol
        );
    }
    tracing::info!(
        "fib: programming table {} with proto {} metric {}",
        cfg.table,
        cfg.protocol,
        cfg.metric
    );
    let (tx, rx) = mpsc::channel();
    let kept = adopted.len();
    let stats = Arc::new(FibStats::default());
    let s = stats.clone();
    let thread = std::thread::Builder::new()
        .name("peerd-fib".into())
        .spawn(move || run(fib, cfg, rx, adopted, &s))?;
    Ok(FibHandle {
        tx: FibQueue {
            tx,
            stats: stats.clone(),
        },
        stats,
        retains: !cfg.retain.is_zero(),
        kept,
        thread,
    })
}

/// The interface index of `name`, from sysfs.
fn ifindex(name: &str) -> Option<u32> {
    if name.contains('/') {
        return None;
    }
    std::fs::read_to_string(format!("/sys/class/net/{name}/ifindex"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The kernel route for an entry, or why there is none.
fn kernel_route(cfg: &FibConfig, prefix: Prefix, f: &Forward) -> Result<KernelRoute, String> {
    let v6 = prefix.addr().is_ipv6();
    let kind = match f {
        Forward::Blackhole => RouteKind::Blackhole,
        Forward::Gateways(gws) => {
            // An IPv4 route may go through an IPv6 gateway (RFC 8950,
            // RTA_VIA); the reverse does not exist.
            let hops: Vec<NextHop> = gws
                .iter()
                .filter(|g| g.is_ipv6() || !v6)
                .map(|g| NextHop {
                    gateway: *g,
                    ifindex: None,
                    weight: 1,
                })
                .collect();
            if hops.is_empty() {
                return Err(format!(
                    "no {} gateway among {gws:?}",
                    if v6 { "IPv6" } else { "IPv4" }
                ));
            }
            RouteKind::Unicast(hops)
        }
        Forward::Interface { name, gateway } => {
            let i = ifindex(name).ok_or_else(|| format!("no interface {name:?}"))?;
            match gateway {
                Some(g) => RouteKind::Unicast(vec![NextHop {
                    gateway: *g,
                    ifindex: Some(i),
                    weight: 1,
                }]),
                None => RouteKind::Device(i),
            }
        }
    };
    Ok(KernelRoute {
        prefix,
        table: cfg.table,
        protocol: cfg.protocol,
        metric: cfg.metric,
        kind,
    })
}

fn describe(r: &KernelRoute) -> String {
    match &r.kind {
        RouteKind::Blackhole => format!("blackhole {}", r.prefix),
        RouteKind::Device(i) => format!("{} dev #{i}", r.prefix),
        RouteKind::Unicast(h) => {
            let gws: Vec<String> = h.iter().map(|x| x.gateway.to_string()).collect();
            format!("{} via {}", r.prefix, gws.join(","))
        }
    }
}

/// Refusals logged one by one per batch; the rest are counted in one line
/// (without peerd's privileges a whole table would be refused).
const LOGGED: usize = 5;

/// Logs refusals: the first few in full, then how many more.
struct Refusals<'a> {
    total: &'a mut u64,
    in_batch: usize,
}

impl<'a> Refusals<'a> {
    fn new(total: &'a mut u64) -> Self {
        Refusals { total, in_batch: 0 }
    }

    fn add(&mut self, what: impl FnOnce() -> String) {
        *self.total += 1;
        self.in_batch += 1;
        if self.in_batch <= LOGGED {
            let text = what();
            tracing::warn!("fib: {text}");
        }
    }
}

impl Drop for Refusals<'_> {
    fn drop(&mut self) {
        if self.in_batch > LOGGED {
            tracing::warn!(
                "fib: and {} more refused in this batch ({} refused so far)",
                self.in_batch - LOGGED,
                self.total
            );
        }
    }
}

fn run(
    mut fib: LinuxFib,
    cfg: FibConfig,
    rx: mpsc::Receiver<FibMsg>,
    adopted: Vec<KernelRoute>,
    stats: &FibStats,
) {
    // Routes an earlier run left, kept (`retain`): they count as installed,
    // so one learned again with the same way out costs nothing; those
    // still unconfirmed when the time is up are removed.
    let mut unconfirmed: HashSet<Prefix> = adopted.iter().map(|r| r.prefix).collect();
    let mut installed: HashMap<Prefix, KernelRoute> =
        adopted.into_iter().map(|r| (r.prefix, r)).collect();
    let sweep_at = std::time::Instant::now() + cfg.retain;
    let mut refused: u64 = 0;
    loop {
        let first = if unconfirmed.is_empty() {
            match rx.recv() {
                Ok(m) => m,
                Err(_) => return,
            }
        } else {
            match rx.recv_timeout(sweep_at.saturating_duration_since(std::time::Instant::now())) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => FibMsg::Sweep,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        // Everything queued goes in one batch; the last entry of a prefix wins.
        let mut want: HashMap<Prefix, Option<Forward>> = HashMap::new();
        let mut order: Vec<Prefix> = Vec::new();
        let mut stop = None;
        let mut sweep = false;
        for msg in std::iter::once(first).chain(rx.try_iter()) {
            match msg {
                FibMsg::Entries(v) => {
                    stats.queued.fetch_sub(v.len() as u64, Ordering::Relaxed);
                    for (p, f) in v {
                        if want.insert(p, f).is_none() {
                            order.push(p);
                        }
                    }
                }
                FibMsg::Stop(done) => stop = Some(done),
                FibMsg::Sweep => sweep = true,
            }
        }
        let mut changes: Vec<(Op, KernelRoute)> = Vec::new();
        let mut log = Refusals::new(&mut refused);
        for p in order {
            let Some(f) = want.remove(&p) else { continue };
            unconfirmed.remove(&p);
            match f.map(|f| kernel_route(&cfg, p, &f)) {
                Some(Ok(r)) if installed.get(&p) == Some(&r) => {}
                Some(Ok(r)) => changes.push((Op::Replace, r)),
                Some(Err(why)) => {
                    log.add(|| format!("{p} not installed: {why}"));
                    if let Some(old) = installed.remove(&p) {
                        changes.push((Op::Delete, old));
                    }
                }
                None => {
                    if let Some(old) = installed.remove(&p) {
                        changes.push((Op::Delete, old));
                    }
                }
            }
        }
        let (n, t) = (changes.len() as u64, std::time::Instant::now());
        apply(&mut fib, changes, &mut installed, &mut log);
        drop(log);
        if n > 0 {
            let us = t.elapsed().as_micros() as u64;
            stats.batches.fetch_add(1, Ordering::Relaxed);
            stats.busy_micros.fetch_add(us, Ordering::Relaxed);
            stats.last_changes.store(n, Ordering::Relaxed);
            stats.last_micros.store(us, Ordering::Relaxed);
        }
        if sweep && !unconfirmed.is_empty() {
            let gone: Vec<(Op, KernelRoute)> = unconfirmed
                .drain()
                .filter_map(|p| installed.remove(&p))
                .map(|r| (Op::Delete, r))
                .collect();
            tracing::info!(
                "fib: removed {} kept routes that were not learned again",
                gone.len()
            );
            apply(
                &mut fib,
                gone,
                &mut HashMap::new(),
                &mut Refusals::new(&mut refused),
            );
        }
        stats
            .installed
            .store(installed.len() as u64, Ordering::Relaxed);
        stats.refused.store(refused, Ordering::Relaxed);
        if let Some(done) = stop {
            if !cfg.retain.is_zero() {
                // Kernel-level graceful restart: traffic keeps flowing
                // through them until the next start has learned again.
                tracing::info!(
                    "fib: left its {} routes in the table for the next start ([fib] retain)",
                    installed.len()
                );
                let _ = done.send(());
                return;
            }
            let all: Vec<(Op, KernelRoute)> =
                installed.drain().map(|(_, r)| (Op::Delete, r)).collect();
            let n = all.len();
            apply(
                &mut fib,
                all,
                &mut HashMap::new(),
                &mut Refusals::new(&mut refused),
            );
            tracing::info!("fib: removed its {n} routes");
            let _ = done.send(());
            return;
        }
    }
}

fn apply(
    fib: &mut LinuxFib,
    changes: Vec<(Op, KernelRoute)>,
    installed: &mut HashMap<Prefix, KernelRoute>,
    log: &mut Refusals<'_>,
) {
    if changes.is_empty() {
        return;
    }
    match fib.apply(&changes) {
        Ok(outcomes) => {
            for ((op, r), o) in changes.into_iter().zip(outcomes) {
                match (op, o) {
                    (Op::Replace, Outcome::Done) => {
                        installed.insert(r.prefix, r);
                    }
                    (Op::Delete, Outcome::Done) => {}
                    (op, Outcome::Refused(errno)) => {
                        let e = std::io::Error::from_raw_os_error(errno);
                        let what = if op == Op::Replace {
                            "install"
                        } else {
                            "remove"
                        };
                        log.add(|| format!("the kernel refused to {what} {}: {e}", describe(&r)));
                        if op == Op::Replace {
                            installed.remove(&r.prefix);
                        }
                    }
                }
            }
        }
        Err(e) => {
            // The socket itself failed: nothing of this batch is known to
            // be in; forget it, so that the next change of each is retried.
            tracing::error!("fib: {e}; {} changes not applied", changes.len());
            *log.total += changes.len() as u64;
            for (_, r) in changes {
                installed.remove(&r.prefix);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal counts, however many are logged in full.
    #[test]
    fn refusals_are_all_counted() {
        let mut total = 3;
        {
            let mut log = Refusals::new(&mut total);
            let mut described = 0;
            for _ in 0..20 {
                log.add(|| {
                    described += 1;
                    "198.51.100.0/24 not installed: a test".into()
                });
            }
            assert_eq!(described, LOGGED, "only the first few are described");
        }
        assert_eq!(total, 23);
    }

    #[test]
    fn entries_become_kernel_routes() {
        let cfg = FibConfig {
            table: 1000,
            protocol: 200,
            metric: 20,
            retain: std::time::Duration::ZERO,
            import: peerd_config::PolicySwitch::Deny,
            import_distance: 250,
        };
        let p: Prefix = "198.51.100.0/24".parse().unwrap_or_else(|_| unreachable!());
        let r = kernel_route(
            &cfg,
            p,
            &Forward::Gateways(vec!["192.0.2.1".parse().unwrap_or_else(|_| unreachable!())]),
        );
        assert_eq!(
            r.map(|r| describe(&r)),
            Ok("198.51.100.0/24 via 192.0.2.1".to_string())
        );
        // An IPv6 gateway for an IPv4 prefix (RFC 8950); never the reverse.
        let r = kernel_route(
            &cfg,
            p,
            &Forward::Gateways(vec!["2001:db8::1"
                .parse()
                .unwrap_or_else(|_| unreachable!())]),
        );
        assert_eq!(
            r.map(|r| describe(&r)),
            Ok("198.51.100.0/24 via 2001:db8::1".to_string())
        );
        let p6: Prefix = "2001:db8:1::/48".parse().unwrap_or_else(|_| unreachable!());
        let r = kernel_route(
            &cfg,
            p6,
            &Forward::Gateways(vec!["192.0.2.1".parse().unwrap_or_else(|_| unreachable!())]),
        );
        assert!(r.is_err());
        let r = kernel_route(&cfg, p, &Forward::Blackhole);
        assert_eq!(r.map(|r| r.kind), Ok(RouteKind::Blackhole));
        let r = kernel_route(
            &cfg,
            p,
            &Forward::Interface {
                name: "no-such-interface0".into(),
                gateway: None,
            },
        );
        assert!(r.is_err());
        let r = kernel_route(
            &cfg,
            p,
            &Forward::Interface {
                name: "lo".into(),
                gateway: None,
            },
        );
        assert_eq!(r.map(|r| r.kind), Ok(RouteKind::Device(1)));
    }
}
