//! The management API's endpoints (`peerd-api` parses and describes them):
//! each request answered from the neighbours' status, the engine (asked
//! over its queue, one page at a time) and the reload machinery.

use crate::daemon::{self, Shared};
use crate::engine_task::EngineMsg;
use crate::session::SessionCmd;
use crate::status;
use peerd_api::http::{self, Request};
use peerd_api::types::{
    Announcement, Candidates, Done, FibLookup, FibNextHop, FibState, Neighbor, ReloadResult, Route,
    RoutePage, Summary,
};
use peerd_api::{ApiError, Endpoint, ErrorCode, RouteSet};
use peerd_engine::{Page, RouteView};
use std::time::Instant;
use tokio::sync::oneshot;

/// The answer to one request, as bytes.
pub async fn answer(shared: &Shared, req: &Request) -> Vec<u8> {
    let found = peerd_api::endpoint::endpoint(req);
    match found {
        Ok(ep) => match handle(shared, ep).await {
            Ok(bytes) => bytes,
            Err(e) => http::error(&e),
        },
        Err(e) => http::error(&e),
    }
}

fn not_found(name: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("no neighbor {name:?}"))
}

/// Asks the engine and waits for its answer.
async fn ask<T>(
    shared: &Shared,
    msg: impl FnOnce(oneshot::Sender<T>) -> EngineMsg,
) -> Result<T, ApiError> {
    let (tx, rx) = oneshot::channel();
    let gone = || ApiError::new(ErrorCode::Internal, "the routing engine is not answering");
    shared.engine.send(msg(tx)).await.map_err(|_| gone())?;
    rx.await.map_err(|_| gone())
}

async fn handle(shared: &Shared, ep: Endpoint) -> Result<Vec<u8>, ApiError> {
    Ok(match ep {
        Endpoint::OpenApi => http::json(&peerd_api::openapi::document()),
        Endpoint::Metrics => {
            let text = metrics(shared).await?;
            http::response(200, peerd_api::metrics::CONTENT_TYPE, text.as_bytes())
        }
        Endpoint::Summary => {
            let (v4, v6) = ask(shared, EngineMsg::Counts).await?;
            let (_, memory) = ask(shared, EngineMsg::Stats).await?;
            let cfg = shared.config.lock().await;
            let peers: Vec<_> = status::snapshot(&shared.status)
                .into_iter()
                .filter(|p| !p.removed)
                .collect();
            http::json(&Summary {
                asn: cfg.router.asn,
                router_id: cfg.router.router_id.to_string(),
                uptime_seconds: shared.started.elapsed().as_secs(),
                neighbors: peers.len() as u32,
                established: peers
                    .iter()
                    .filter(|p| p.state == peerd_fsm::State::Established)
                    .count() as u32,
                prefixes_ipv4: v4 as u64,
                prefixes_ipv6: v6 as u64,
                fib_table: cfg.fib.map(|f| f.table),
                memory_bytes: memory.total() as u64,
            })
        }
        Endpoint::Neighbors => {
            let now = Instant::now();
            let list: Vec<Neighbor> = status::snapshot(&shared.status)
                .iter()
                .filter(|p| !p.removed)
                .map(|p| neighbor(p, now))
                .collect();
            http::json(&list)
        }
        Endpoint::Neighbor(name) => {
            let i = shared.find(&name).ok_or_else(|| not_found(&name))?;
            let p = status::snapshot(&shared.status)
                .into_iter()
                .nth(i)
                .ok_or_else(|| not_found(&name))?;
            http::json(&neighbor(&p, Instant::now()))
        }
        Endpoint::NeighborRoutes(name, set, page, filter) => {
            let i = shared.find(&name).ok_or_else(|| not_found(&name))?;
            let f = route_filter(shared, filter)?;
            let set = match set {
                RouteSet::Accepted => peerd_engine::RouteSet::Accepted,
                RouteSet::Received => peerd_engine::RouteSet::Received,
                RouteSet::Advertised => peerd_engine::RouteSet::Advertised,
            };
            let found = ask(shared, |tx| {
                EngineMsg::RoutesPage(i, set, page.after, page.limit, f, tx)
            })
            .await?;
            let page = found.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotKept,
                    format!("neighbor {name:?} does not keep its routes as received (keep-received = true)"),
                )
            })?;
            http::json(&route_page(&page))
        }
        Endpoint::Rib(page, filter) => {
            let f = route_filter(shared, filter)?;
            let p = ask(shared, |tx| {
                EngineMsg::RibPage(page.after, page.limit, f, tx)
            })
            .await?;
            let mut page = route_page(&p);
            mark_runtime(shared, &mut page.routes);
            http::json(&page)
        }
        Endpoint::Candidates(prefix) => {
            let v = ask(shared, |tx| EngineMsg::Candidates(prefix, tx)).await?;
            if v.is_empty() {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("no route for {prefix}"),
                ));
            }
            let mut routes: Vec<Route> = v.iter().map(route).collect();
            mark_runtime(shared, &mut routes);
            http::json(&Candidates {
                prefix: prefix.to_string(),
                routes,
            })
        }
        Endpoint::Lookup(addr) => {
            let found = ask(shared, |tx| EngineMsg::Lookup(addr, tx)).await?;
            let (prefix, v) = found.ok_or_else(|| {
                ApiError::new(ErrorCode::NotFound, format!("no route for {addr}"))
            })?;
            let mut routes: Vec<Route> = v.iter().map(route).collect();
            mark_runtime(shared, &mut routes);
            http::json(&Candidates {
                prefix: prefix.to_string(),
                routes,
            })
        }
        Endpoint::Reload { dry_run } => match daemon::reload(shared, dry_run).await {
            Ok(text) => http::json(&ReloadResult {
                dry_run,
                plan: text.lines().map(str::to_string).collect(),
            }),
            Err(e) => return Err(ApiError::new(ErrorCode::ReloadRefused, e)),
        },
        Endpoint::Disable(name, message) => {
            tell(shared, &name, SessionCmd::Stop(message))?;
            http::json(&Done {
                message: format!("neighbor {name:?} shut down"),
            })
        }
        Endpoint::Enable(name) => {
            tell(shared, &name, SessionCmd::Start)?;
            http::json(&Done {
                message: format!("neighbor {name:?} started"),
            })
        }
        Endpoint::Config => {
            let text = peerd_config::to_toml(&*shared.config.lock().await);
            http::response(200, "text/plain; charset=utf-8", text.as_bytes())
        }
        Endpoint::Fib => {
            let f = shared.config.lock().await.fib;
            let n = |v: &std::sync::atomic::AtomicU64| v.load(std::sync::atomic::Ordering::Relaxed);
            let s = shared.fib.as_deref();
            http::json(&FibState {
                configured: f.is_some(),
                table: f.map(|f| f.table),
                protocol: f.map(|f| u32::from(f.protocol)),
                metric: f.map(|f| f.metric),
                retain_seconds: f.map(|f| f.retain.as_secs()),
                installed: s.map_or(0, |s| n(&s.installed)),
                refused: s.map_or(0, |s| n(&s.refused)),
                queued: s.map_or(0, |s| n(&s.queued)),
                batches: s.map_or(0, |s| n(&s.batches)),
                busy_micros: s.map_or(0, |s| n(&s.busy_micros)),
                last_batch_changes: s.map_or(0, |s| n(&s.last_changes)),
                last_batch_micros: s.map_or(0, |s| n(&s.last_micros)),
            })
        }
        Endpoint::FibLookup(addr) => {
            let ours = shared
                .config
                .lock()
                .await
                .fib
                .map(|f| (f.table, f.protocol));
            let found = tokio::task::spawn_blocking(move || -> Result<_, peerd_fib::FibError> {
                let mut fib = peerd_fib::LinuxFib::open()?;
                let got = fib.route_get(addr)?;
                let links = fib.links()?;
                Ok((got, links))
            })
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("asking the kernel: {e}")))?;
            http::json(&fib_lookup(addr, &found.0, &found.1, ours))
        }
        Endpoint::Announcements => {
            let cfg = shared.config.lock().await;
            let runtime = shared.runtime();
            let all: Vec<(&peerd_config::Announce, &str)> = cfg
                .announce
                .iter()
                .map(|a| (a, "config"))
                .chain(runtime.iter().map(|a| (a, "runtime")))
                .collect();
            let prefixes = all.iter().map(|(a, _)| a.prefix).collect();
            let now = ask(shared, |tx| EngineMsg::Originates(prefixes, tx)).await?;
            let list: Vec<Announcement> = all
                .iter()
                .zip(now)
                .map(|((a, source), announced)| Announcement {
                    prefix: a.prefix.to_string(),
                    communities: a.communities.iter().map(|c| c.to_string()).collect(),
                    large_communities: a.large_communities.iter().map(|c| c.to_string()).collect(),
                    extended_communities: a
                        .extended_communities
                        .iter()
                        .map(|c| c.to_string())
                        .collect(),
                    when: match a.when {
                        peerd_config::AnnounceWhen::Always => "always",
                        peerd_config::AnnounceWhen::Covered => "covered",
                    }
                    .to_string(),
                    source: (*source).to_string(),
                    announced,
                })
                .collect();
            http::json(&list)
        }
        Endpoint::Announce(a) => {
            // Under the configuration's lock: a reload does not interleave.
            let cfg = shared.config.lock().await;
            if cfg.announce.iter().any(|c| c.prefix == a.prefix) {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!(
                        "{} is announced by the configuration file: change it there",
                        a.prefix
                    ),
                ));
            }
            let replaced = {
                let mut rt = shared.runtime.lock().unwrap_or_else(|e| e.into_inner());
                let before = rt.len();
                rt.retain(|r| r.prefix != a.prefix);
                let replaced = rt.len() != before;
                rt.push(peerd_config::Announce {
                    prefix: a.prefix,
                    communities: a.communities,
                    large_communities: a.large_communities,
                    extended_communities: a.extended_communities,
                    when: peerd_config::AnnounceWhen::Always,
                });
                replaced
            };
            let list = daemon::announcements(&cfg, &shared.runtime());
            ask(shared, |tx| EngineMsg::Announce(list, tx)).await?;
            tracing::info!(event = "announce", prefix = %a.prefix, "announced at run time (until peerd restarts)");
            http::json(&Done {
                message: format!(
                    "{} {} until peerd restarts",
                    a.prefix,
                    if replaced {
                        "announced again, replaced,"
                    } else {
                        "announced"
                    }
                ),
            })
        }
        Endpoint::Withdraw(prefix) => {
            let cfg = shared.config.lock().await;
            if cfg.announce.iter().any(|c| c.prefix == prefix) {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("{prefix} is announced by the configuration file: change it there"),
                ));
            }
            let found = {
                let mut rt = shared.runtime.lock().unwrap_or_else(|e| e.into_inner());
                let before = rt.len();
                rt.retain(|r| r.prefix != prefix);
                rt.len() != before
            };
            if !found {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("{prefix} is not announced at run time"),
                ));
            }
            let list = daemon::announcements(&cfg, &shared.runtime());
            ask(shared, |tx| EngineMsg::Announce(list, tx)).await?;
            tracing::info!(event = "withdraw", prefix = %prefix, "run-time announcement withdrawn");
            http::json(&Done {
                message: format!("{prefix} withdrawn"),
            })
        }
        Endpoint::MrtDump => {
            let cfg = shared.config.lock().await.clone();
            let Some(m) = cfg.mrt else {
                return Err(ApiError::new(
                    ErrorCode::NotConfigured,
                    "no [mrt] section: MRT dumps are not configured",
                ));
            };
            let us = crate::mrt_dump::Us {
                router_id: cfg.router.router_id,
                asn: cfg.router.asn,
                started: shared.started_at,
            };
            let engine = shared.engine.clone();
            let done = tokio::task::spawn_blocking(move || crate::mrt_dump::dump(&m, us, &engine))
                .await
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
                .map_err(|e| ApiError::new(ErrorCode::Internal, format!("MRT dump: {e}")))?;
            http::json(&Done {
                message: format!("wrote {}", done.display()),
            })
        }
        Endpoint::Reset(name, message) => {
            established(shared, &name)?;
            tell(shared, &name, SessionCmd::HardReset(message))?;
            http::json(&Done {
                message: format!("neighbor {name:?} reset: its session starts again"),
            })
        }
        Endpoint::SoftReset {
            name,
            inbound,
            outbound,
        } => {
            let (i, info) = established(shared, &name)?;
            let mut did = Vec::new();
            if inbound {
                let kept = shared
                    .slots
                    .lock()
                    .is_ok_and(|s| s.get(i).is_some_and(|s| s.nb.keep_received));
                if kept {
                    shared
                        .engine
                        .send(EngineMsg::Reimport(i))
                        .await
                        .map_err(|_| ApiError::new(ErrorCode::Internal, "the engine is gone"))?;
                    did.push("its kept routes run through the import policy again");
                } else if info.route_refresh {
                    tell(shared, &name, SessionCmd::Refresh)?;
                    did.push("route refresh asked");
                } else {
                    return Err(ApiError::new(
                        ErrorCode::NotEstablished,
                        format!("neighbor {name:?} cannot refresh its routes and they are not kept (keep-received = true): only a reset brings them again"),
                    ));
                }
            }
            if outbound {
                tell(shared, &name, SessionCmd::ResendAll)?;
                did.push("every route sent again");
            }
            http::json(&Done {
                message: format!("neighbor {name:?}: {}", did.join("; ")),
            })
        }
        Endpoint::Refresh(name) => {
            tell(shared, &name, SessionCmd::Refresh)?;
            http::json(&Done {
                message: format!("route refresh asked of neighbor {name:?}"),
            })
        }
    })
}

/// Everything `/metrics` exposes, gathered now.
async fn metrics(shared: &Shared) -> Result<String, ApiError> {
    use peerd_api::metrics::{Exposition, Kind};
    let (v4, v6) = ask(shared, EngineMsg::Counts).await?;
    let (stats, memory) = ask(shared, EngineMsg::Stats).await?;
    let depth = shared.engine.max_capacity() - shared.engine.capacity();
    let peers: Vec<_> = status::snapshot(&shared.status)
        .into_iter()
        .filter(|p| !p.removed)
        .collect();
    let now = Instant::now();
    let mut e = Exposition::default();
    e.family(
        "peerd_uptime_seconds",
        Kind::Gauge,
        "Seconds since peerd started.",
    )
    .sample(
        "peerd_uptime_seconds",
        &[],
        shared.started.elapsed().as_secs() as f64,
    );
    e.family(
        "peerd_neighbor_up",
        Kind::Gauge,
        "1 while the BGP session with the neighbor is established.",
    );
    for p in &peers {
        let up = p.state == peerd_fsm::State::Established;
        let asn = p.remote_as.to_string();
        e.sample(
            "peerd_neighbor_up",
            &[
                ("neighbor", &p.name),
                ("address", &p.address),
                ("remote_as", &asn),
            ],
            f64::from(u8::from(up)),
        );
    }
    e.family(
        "peerd_neighbor_state_seconds",
        Kind::Gauge,
        "Seconds the session has been in its present state.",
    );
    for p in &peers {
        let state = format!("{:?}", p.state);
        e.sample(
            "peerd_neighbor_state_seconds",
            &[("neighbor", &p.name), ("state", &state)],
            now.saturating_duration_since(p.since).as_secs() as f64,
        );
    }
    // One number per neighbor.
    type PerNeighbor = fn(&status::PeerStatus) -> u64;
    let single: [(&str, Kind, &str, PerNeighbor); 3] = [
        (
            "peerd_neighbor_flaps_total",
            Kind::Counter,
            "Times the established session went down.",
            |p| p.flaps,
        ),
        (
            "peerd_neighbor_max_prefix_total",
            Kind::Counter,
            "Times the neighbor sent more prefixes than its max-prefix limit.",
            |p| p.max_prefix_trips,
        ),
        (
            "peerd_neighbor_prefixes_sent",
            Kind::Gauge,
            "Prefixes sent to the neighbor.",
            |p| p.sent as u64,
        ),
    ];
    for (name, kind, help, value) in single {
        e.family(name, kind, help);
        for p in &peers {
            e.sample(name, &[("neighbor", &p.name)], value(p) as f64);
        }
    }
    e.family(
        "peerd_neighbor_prefixes_received",
        Kind::Gauge,
        "Prefixes accepted from the neighbor (after its import policy), by family.",
    );
    for p in &peers {
        for (family, n) in ["ipv4-unicast", "ipv6-unicast"]
            .iter()
            .zip(p.received_by_family)
        {
            e.sample(
                "peerd_neighbor_prefixes_received",
                &[("neighbor", &p.name), ("family", family)],
                n as f64,
            );
        }
    }
    for (name, dir, help) in [
        (
            "peerd_neighbor_messages_received_total",
            true,
            "BGP messages received, by type.",
        ),
        (
            "peerd_neighbor_messages_sent_total",
            false,
            "BGP messages sent, by type.",
        ),
    ] {
        e.family(name, Kind::Counter, help);
        for p in &peers {
            let counts = p.messages.get(!dir);
            for (ty, n) in status::MESSAGE_TYPES.iter().zip(counts) {
                e.sample(name, &[("neighbor", &p.name), ("type", ty)], n as f64);
            }
        }
    }
    e.family(
        "peerd_neighbor_prefixes_filtered_total",
        Kind::Counter,
        "Announcements not accepted from the neighbor since peerd started (or the neighbor was added), by reason.",
    );
    for p in &peers {
        for (reason, n) in [
            ("policy", p.filtered.policy),
            ("bogon", p.filtered.bogon),
            ("rpki-invalid", p.filtered.rpki_invalid),
        ] {
            e.sample(
                "peerd_neighbor_prefixes_filtered_total",
                &[("neighbor", &p.name), ("reason", reason)],
                n as f64,
            );
        }
        e.sample(
            "peerd_neighbor_prefixes_filtered_total",
            &[("neighbor", &p.name), ("reason", "leak")],
            p.leaked as f64,
        );
    }
    e.family(
        "peerd_rib_prefixes",
        Kind::Gauge,
        "Prefixes in the routing table, by family.",
    );
    e.sample(
        "peerd_rib_prefixes",
        &[("family", "ipv4-unicast")],
        v4 as f64,
    )
    .sample(
        "peerd_rib_prefixes",
        &[("family", "ipv6-unicast")],
        v6 as f64,
    );
    e.family(
        "peerd_engine_queue_depth",
        Kind::Gauge,
        "Events waiting for the routing engine.",
    )
    .sample("peerd_engine_queue_depth", &[], depth as f64);
    e.family(
        "peerd_engine_objects",
        Kind::Gauge,
        "Structures the routing engine holds, by kind (shared ones counted once).",
    );
    for (kind, n) in [
        ("attribute_sets", stats.attribute_sets),
        ("as_paths", stats.as_paths),
        ("next_hops", stats.next_hops),
        ("export_sets", stats.export_sets),
        ("adj_rib_in_routes", stats.adj_rib_in_routes),
        ("best_routes", stats.best_routes),
    ] {
        e.sample("peerd_engine_objects", &[("kind", kind)], n as f64);
    }
    e.family(
        "peerd_engine_memory_bytes",
        Kind::Gauge,
        "Bytes the routing engine's structures take, asked of the allocator (its own overhead aside).",
    );
    for (structure, n) in memory.by_structure() {
        e.sample(
            "peerd_engine_memory_bytes",
            &[("structure", structure)],
            n as f64,
        );
    }
    let load = &shared.engine_load;
    e.family(
        "peerd_engine_events_total",
        Kind::Counter,
        "Events the routing engine handled (UPDATEs, sessions up and down, kernel changes, ...).",
    )
    .sample(
        "peerd_engine_events_total",
        &[],
        load.events.load(std::sync::atomic::Ordering::Relaxed) as f64,
    );
    e.family(
        "peerd_engine_busy_seconds_total",
        Kind::Counter,
        "Time spent on them, with what they cause (with peerd_engine_events_total: the mean latency of an event).",
    )
    .sample(
        "peerd_engine_busy_seconds_total",
        &[],
        load.busy_micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6,
    );
    if let Some(s) = shared.fib.as_deref() {
        let n =
            |v: &std::sync::atomic::AtomicU64| v.load(std::sync::atomic::Ordering::Relaxed) as f64;
        let fib: [(&str, Kind, &str, f64); 6] = [
            (
                "peerd_fib_routes",
                Kind::Gauge,
                "Routes of peerd in the kernel table.",
                n(&s.installed),
            ),
            (
                "peerd_fib_refused_total",
                Kind::Counter,
                "Routes the kernel refused (each is logged).",
                n(&s.refused),
            ),
            (
                "peerd_fib_queue_depth",
                Kind::Gauge,
                "Routing-table changes waiting for the FIB task.",
                n(&s.queued),
            ),
            (
                "peerd_fib_batches_total",
                Kind::Counter,
                "Batches of changes applied to the kernel table.",
                n(&s.batches),
            ),
            (
                "peerd_fib_batch_seconds_total",
                Kind::Counter,
                "Time spent applying them (with peerd_fib_batches_total: the mean latency of a batch).",
                n(&s.busy_micros) / 1e6,
            ),
            (
                "peerd_fib_last_batch_seconds",
                Kind::Gauge,
                "How long the last batch took.",
                n(&s.last_micros) / 1e6,
            ),
        ];
        for (name, kind, help, v) in fib {
            e.family(name, kind, help).sample(name, &[], v);
        }
    }
    Ok(e.finish())
}

/// The neighbor's index and its session's negotiation, or
/// `not_established`.
fn established(shared: &Shared, name: &str) -> Result<(usize, status::SessionInfo), ApiError> {
    let i = shared.find(name).ok_or_else(|| not_found(name))?;
    let info = status::snapshot(&shared.status)
        .into_iter()
        .nth(i)
        .and_then(|p| p.session);
    match info {
        Some(s) => Ok((i, s)),
        None => Err(ApiError::new(
            ErrorCode::NotEstablished,
            format!("neighbor {name:?}'s session is not established"),
        )),
    }
}

fn tell(shared: &Shared, name: &str, c: SessionCmd) -> Result<(), ApiError> {
    let i = shared.find(name).ok_or_else(|| not_found(name))?;
    let tx = shared.session(i).ok_or_else(|| not_found(name))?;
    tx.send(c).map_err(|_| {
        ApiError::new(
            ErrorCode::Internal,
            format!("neighbor {name:?}'s session is gone"),
        )
    })
}

fn neighbor(p: &status::PeerStatus, now: Instant) -> Neighbor {
    Neighbor {
        name: p.name.clone(),
        address: p.address.clone(),
        remote_as: p.remote_as,
        state: format!("{:?}", p.state),
        state_seconds: now.saturating_duration_since(p.since).as_secs(),
        received: p.received as u64,
        sent: p.sent as u64,
        filtered: p.filtered.total(),
        last_error: p.last_error.clone(),
        hostname: p.hostname.clone(),
        families: p.families.clone(),
        hold_time: p.session.as_ref().map(|s| u32::from(s.hold_time)),
        keepalive: p.session.as_ref().and_then(|s| s.keepalive),
        capabilities: p
            .session
            .as_ref()
            .map(|s| s.capabilities.clone())
            .unwrap_or_default(),
        messages_received: counts(p.messages.get(false)),
        messages_sent: counts(p.messages.get(true)),
        flaps: p.flaps,
        last_notification_sent: p.last_notification_sent.clone(),
        last_notification_received: p.last_notification_received.clone(),
    }
}

/// Message counts by type, from the status's (indexed as
/// [`status::MESSAGE_TYPES`]).
fn counts(c: [u64; 6]) -> peerd_api::types::MessageCounts {
    peerd_api::types::MessageCounts {
        open: c[1],
        update: c[2],
        notification: c[3],
        keepalive: c[4],
        route_refresh: c[5],
    }
}

/// The kernel's answer as the API shows it: interfaces by name, whether
/// the route is ours (`ours`: the `[fib]` table and protocol).
fn fib_lookup(
    addr: std::net::IpAddr,
    got: &peerd_fib::RouteGet,
    links: &[peerd_fib::watch::Link],
    ours: Option<(u32, u8)>,
) -> FibLookup {
    use peerd_fib::{RouteGet, RouteKind};
    let name = |i: u32| {
        links
            .iter()
            .find(|l| l.index == i)
            .map_or_else(|| format!("#{i}"), |l| l.name.clone())
    };
    let mut out = FibLookup {
        address: addr.to_string(),
        kind: "none".into(),
        prefix: None,
        table: None,
        protocol: None,
        ours: false,
        next_hops: Vec::new(),
    };
    match got {
        RouteGet::Unreachable => {}
        RouteGet::Discard => out.kind = "blackhole".into(),
        RouteGet::Other => out.kind = "local-or-other".into(),
        RouteGet::Route(r) => {
            out.prefix = Some(r.prefix.to_string());
            out.table = Some(r.table);
            out.protocol = Some(u32::from(r.protocol));
            out.ours = ours == Some((r.table, r.protocol));
            match &r.kind {
                RouteKind::Blackhole => out.kind = "blackhole".into(),
                RouteKind::Device(i) => {
                    out.kind = "device".into();
                    out.next_hops.push(FibNextHop {
                        gateway: None,
                        interface: Some(name(*i)),
                    });
                }
                RouteKind::Unicast(hops) => {
                    out.kind = "unicast".into();
                    out.next_hops = hops
                        .iter()
                        .map(|h| FibNextHop {
                            gateway: Some(h.gateway.to_string()),
                            interface: h.ifindex.map(name),
                        })
                        .collect();
                }
            }
        }
    }
    out
}

/// Our own routes announced through the API show as `runtime`.
fn mark_runtime(shared: &Shared, routes: &mut [Route]) {
    let rt = shared.runtime();
    if rt.is_empty() {
        return;
    }
    for r in routes
        .iter_mut()
        .filter(|r| r.protocol == "local" && r.from.is_none())
    {
        if rt.iter().any(|a| a.prefix.to_string() == r.prefix) {
            r.protocol = "runtime".into();
        }
    }
}

/// The engine's filter for the API's: the neighbor named becomes its index.
fn route_filter(
    shared: &Shared,
    f: peerd_api::endpoint::Filter,
) -> Result<Box<peerd_engine::RouteFilter>, ApiError> {
    let from = match &f.neighbor {
        None => None,
        Some(n) => Some(shared.find(n).ok_or_else(|| not_found(n))?),
    };
    Ok(Box::new(peerd_engine::RouteFilter {
        within: f.more_specifics,
        community: f.community,
        as_path: f.as_path,
        origin_as: f.origin_as,
        from,
    }))
}

/// A route as the API shows it.
pub fn route(r: &RouteView) -> Route {
    Route {
        prefix: r.prefix.to_string(),
        family: r.family.to_string(),
        next_hop: r.next_hop.clone(),
        as_path: r.as_path.clone(),
        origin: r.origin.to_string(),
        local_pref: r.local_pref,
        med: r.med,
        communities: r.communities.clone(),
        large_communities: r.large_communities.clone(),
        extended_communities: r.ext_communities.clone(),
        from: r.from.clone(),
        best: r.best,
        multipath: r.multipath,
        lost: r.lost.map(|l| l.as_str().to_string()),
        stale: r.stale,
        leak: r.leak,
        discard: r.discard,
        otc: r.otc,
        protocol: r.protocol.to_string(),
    }
}

fn route_page(p: &Page) -> RoutePage {
    RoutePage {
        routes: p.routes.iter().map(route).collect(),
        next: p.next.map(|n| n.to_string()),
    }
}
