//! Starting the daemon: listeners, one task per neighbour, the engine task,
//! the control socket; a reload on SIGHUP or `peerctl reload`; an orderly
//! stop on SIGTERM/SIGINT.

use crate::engine_task::{self, EngineMsg};
use crate::reload::{self, Change};
use crate::session::{self, RouterInfo, SessionCmd};
use crate::sockopt;
use crate::status::{self, PeerStatus, Status};
use peerd_config::{Config, Neighbor, PolicySwitch};
use peerd_engine::Engine;
use peerd_wire::attr::{AttrValue, Attribute};
use peerd_wire::error::subcode::cease;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// One neighbour's place: its index is its engine and status index for
/// the daemon's life, also after a reload removed it.
pub struct Slot {
    /// Its configuration.
    pub nb: Neighbor,
    /// Commands to its session task.
    pub cmds: mpsc::UnboundedSender<SessionCmd>,
    /// Connections the listeners accepted from it.
    pub incoming: mpsc::Sender<TcpStream>,
    /// Its session task.
    pub task: Option<JoinHandle<()>>,
    /// Removed by a reload.
    pub removed: bool,
}

/// What the control socket, the listeners and reloads share.
pub struct Shared {
    pub status: Status,
    pub engine: mpsc::Sender<EngineMsg>,
    pub slots: Mutex<Vec<Slot>>,
    /// The configuration in force; held for the whole of a reload.
    pub config: tokio::sync::Mutex<Config>,
    pub config_path: PathBuf,
    pub listeners: Vec<Arc<TcpListener>>,
    /// Our graceful-restart state, for sessions started by a reload.
    pub gr: Arc<session::GrState>,
    /// When peerd started.
    pub started: std::time::Instant,
    /// The same, on the wall clock (the engine's clock counts from it).
    pub started_at: std::time::SystemTime,
    /// The MRT writer's queue, for sessions started by a reload.
    pub mrt: Option<crate::mrt_task::MrtQueue>,
    /// The log's level, which a reload may change.
    pub log: crate::log::Level,
    /// Prefixes announced through the API, until peerd stops (a prefix
    /// the file announces too is the file's).
    pub runtime: Mutex<Vec<peerd_config::Announce>>,
    /// What the FIB task has done (with `[fib]`).
    pub fib: Option<Arc<crate::fib_task::FibStats>>,
    /// How busy the engine task is.
    pub engine_load: Arc<engine_task::EngineLoad>,
}

impl Shared {
    /// The prefixes announced through the API.
    pub fn runtime(&self) -> Vec<peerd_config::Announce> {
        self.runtime
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The index of the neighbour with this name or address.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.slots()
            .iter()
            .position(|s| !s.removed && (s.nb.name == name || s.nb.address.to_string() == name))
    }

    /// The command queue of neighbour `i`.
    pub fn session(&self, i: usize) -> Option<mpsc::UnboundedSender<SessionCmd>> {
        self.slots()
            .get(i)
            .filter(|s| !s.removed)
            .map(|s| s.cmds.clone())
    }

    fn incoming_for(&self, ip: IpAddr) -> Option<mpsc::Sender<TcpStream>> {
        self.slots()
            .iter()
            .find(|s| !s.removed && s.nb.address == ip)
            .map(|s| s.incoming.clone())
    }
}

fn router_info(
    cfg: &Config,
    gr: &Arc<session::GrState>,
    mrt: Option<crate::mrt_task::MrtQueue>,
) -> RouterInfo {
    RouterInfo {
        asn: cfg.router.asn,
        router_id: cfg.router.router_id,
        hostname: cfg.router.hostname.clone(),
        gr: gr.clone(),
        mrt,
    }
}

fn peer_status(n: &Neighbor) -> PeerStatus {
    PeerStatus {
        name: n.name.clone(),
        address: n.address.to_string(),
        remote_as: n.remote_as,
        state: peerd_fsm::State::Idle,
        since: Instant::now(),
        last_error: n.shutdown.then(|| "administratively down".to_string()),
        received: 0,
        sent: 0,
        filtered: Default::default(),
        leaked: 0,
        received_by_family: [0, 0],
        max_prefix_trips: 0,
        removed: false,
        hostname: None,
        families: Vec::new(),
        messages: Default::default(),
        flaps: 0,
        session: None,
        last_notification_sent: None,
        last_notification_received: None,
    }
}

/// The engine's view of a neighbour.
fn engine_peer(n: &Neighbor) -> peerd_engine::PeerConfig {
    peerd_engine::PeerConfig {
        name: n.name.clone(),
        address: n.address,
        remote_as: n.remote_as,
        import: n.import != PolicySwitch::Deny,
        export: n.export != PolicySwitch::Deny,
        max_prefix_v4: n.max_prefix.and_then(|m| m.ipv4),
        max_prefix_v6: n.max_prefix.and_then(|m| m.ipv6),
        max_prefix_warning_percent: n.max_prefix.map_or(0, |m| m.warning_percent),
        ipv4_next_hop: n.ipv4_next_hop,
        ipv6_next_hop: n.ipv6_next_hop,
        role: n.role,
        rr_client: n.route_reflector_client,
        next_hop_self: n.next_hop_self,
        keep_received: n.keep_received,
        import_policy: policy_of(n.import),
        export_policy: policy_of(n.export),
        interface: n.interface.clone(),
    }
}

/// The queues of a session not yet started.
struct Pending {
    idx: usize,
    nb: Neighbor,
    cmds: mpsc::UnboundedReceiver<SessionCmd>,
    incoming: mpsc::Receiver<TcpStream>,
}

/// A slot and the queues its session task will read.
fn new_slot(idx: usize, nb: &Neighbor) -> (Slot, Pending) {
    // Unbounded: the engine must never wait for a session that is itself
    // waiting for the engine (a deadlock under load from many peers);
    // back-pressure comes from the sessions' bounded way in.
    let (ctx, crx) = mpsc::unbounded_channel();
    let (itx, irx) = mpsc::channel(4);
    (
        Slot {
            nb: nb.clone(),
            cmds: ctx,
            incoming: itx,
            task: None,
            removed: false,
        },
        Pending {
            idx,
            nb: nb.clone(),
            cmds: crx,
            incoming: irx,
        },
    )
}

fn spawn_session(
    p: Pending,
    router: &RouterInfo,
    engine: &mpsc::Sender<EngineMsg>,
    status: &Status,
) -> JoinHandle<()> {
    tokio::spawn(session::run(
        p.idx,
        p.nb,
        router.clone(),
        p.cmds,
        p.incoming,
        engine.clone(),
        status.clone(),
    ))
}

/// Runs the daemon until it is told to stop.
pub async fn run(
    cfg: Config,
    socket: PathBuf,
    config_path: PathBuf,
    log: crate::log::Level,
) -> std::io::Result<()> {
    // Our forwarding state survives a restart with `[fib] retain`: we do
    // graceful restart as the restarting speaker too (RFC 4724 §4.1).
    let retain = cfg.fib.map_or(std::time::Duration::ZERO, |f| f.retain);
    let gr = Arc::new(session::GrState {
        preserves: !retain.is_zero(),
        ..Default::default()
    });
    let mrt = match &cfg.mrt {
        Some(m) => Some(crate::mrt_task::start(m.clone())?),
        None => None,
    };
    let router = router_info(&cfg, &gr, mrt.as_ref().map(|m| m.queue.clone()));
    let status: Status = Arc::new(Mutex::new(cfg.neighbors.iter().map(peer_status).collect()));
    let peers = cfg.neighbors.iter().map(engine_peer).collect();
    let mut engine = Engine::new(cfg.router.asn, cfg.router.router_id, peers, &[]);
    engine.set_policies(Arc::new(cfg.policies.clone()));
    let (announce, statics, redistribute) = origination(&cfg);
    engine.set_origination(announce, statics, redistribute);
    engine.set_kernel_import(kernel_import(&cfg));
    engine.set_cluster_id(cfg.router.cluster_id);
    engine.set_decision_options(decision(&cfg));
    let (engine_tx, engine_rx) = mpsc::channel::<EngineMsg>(4096);
    // The kernel table, when configured: the engine then reports every
    // change of the routing table.
    let fib = match cfg.fib {
        Some(f) => {
            let h = crate::fib_task::start(f)?;
            if let Err(e) = crate::nexthop_task::start(f, engine_tx.clone()) {
                tracing::warn!(
                    "next hops cannot be tracked ({e}): every next hop counts as reachable"
                );
            }
            for a in engine.set_forwarding(true) {
                if let peerd_engine::Action::Forward(entries) = a {
                    h.tx.entries(entries);
                }
            }
            if !retain.is_zero() {
                // Routes kept from the run before: we have restarted.
                // Learn before sending (R bit set, F bits set), until
                // every enabled neighbour has sent its table or `retain`
                // is up. A cold start only waits to set the F bits.
                let restarted = h.kept > 0;
                gr.restarting
                    .store(restarted, std::sync::atomic::Ordering::Relaxed);
                gr.preserved
                    .store(restarted, std::sync::atomic::Ordering::Relaxed);
                let wait_for: Vec<usize> = cfg
                    .neighbors
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| !n.shutdown)
                    .map(|(i, _)| i)
                    .collect();
                if restarted {
                    tracing::info!(
                        "graceful restart: restarting with {} kept routes; routes are sent once {} neighbors have sent theirs, or after {} s",
                        h.kept,
                        wait_for.len(),
                        retain.as_secs()
                    );
                }
                // Nothing to wait for: over at once.
                if !engine.await_convergence(wait_for, restarted).is_empty() {
                    engine_task::converged(true, &gr, &Some(h.tx.clone()));
                }
                let tx = engine_tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(retain).await;
                    let _ = tx
                        .send(EngineMsg::Event(peerd_engine::Event::ConvergenceTimeout))
                        .await;
                });
            }
            Some(h)
        }
        None => None,
    };

    let mut slots = Vec::new();
    let mut pending = Vec::new();
    for (i, nb) in cfg.neighbors.iter().enumerate() {
        let (slot, p) = new_slot(i, nb);
        slots.push(slot);
        pending.push(p);
    }
    let senders = slots.iter().map(|s| s.cmds.clone()).collect();
    // The engine's clock starts with its task.
    let started_at = std::time::SystemTime::now();
    let load = Arc::new(engine_task::EngineLoad::default());
    tokio::spawn(engine_task::run(
        engine,
        engine_rx,
        engine_tx.clone(),
        senders,
        engine_task::Around {
            status: status.clone(),
            fib: fib.as_ref().map(|h| h.tx.clone()),
            gr: gr.clone(),
            load: load.clone(),
        },
    ));
    for (slot, p) in slots.iter_mut().zip(pending) {
        slot.task = Some(spawn_session(p, &router, &engine_tx, &status));
    }
    if let Some(m) = &cfg.mrt {
        let us = crate::mrt_dump::Us {
            router_id: cfg.router.router_id,
            asn: cfg.router.asn,
            started: started_at,
        };
        crate::mrt_dump::start(m.clone(), us, engine_tx.clone())?;
    }

    let mut listeners = Vec::new();
    for addr in &cfg.router.listen {
        listeners.push(Arc::new(listen(&cfg, *addr)?));
    }
    let shared = Arc::new(Shared {
        status: status.clone(),
        engine: engine_tx.clone(),
        slots: Mutex::new(slots),
        config: tokio::sync::Mutex::new(cfg.clone()),
        config_path,
        listeners: listeners.clone(),
        gr: gr.clone(),
        started: std::time::Instant::now(),
        started_at,
        mrt: mrt.as_ref().map(|m| m.queue.clone()),
        log,
        runtime: Mutex::new(Vec::new()),
        fib: fib.as_ref().map(|h| h.stats.clone()),
        engine_load: load,
    });
    for l in listeners {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, from)) = l.accept().await else {
                    continue;
                };
                let ip = match from.ip() {
                    IpAddr::V6(a) => a.to_ipv4_mapped().map_or(IpAddr::V6(a), IpAddr::V4),
                    a => a,
                };
                match shared.incoming_for(ip) {
                    Some(tx) => {
                        let _ = tx.send(stream).await;
                    }
                    None => tracing::info!(
                        "refused a connection from {from}: not a configured neighbor"
                    ),
                }
            }
        });
    }

    let unix = crate::api_server::bind_unix(&socket, cfg.api.group.as_deref()).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("control socket {}: {e}", socket.display()),
        )
    })?;
    let sock_path = socket.clone();
    let c = shared.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::api_server::serve_unix(unix, c).await {
            tracing::error!("control socket {}: {e}", sock_path.display());
        }
    });
    if let (Some(addr), Some(file)) = (cfg.api.listen, &cfg.api.token_file) {
        let (tcp, token) = crate::api_server::bind_tcp(addr, file).await?;
        tracing::info!("api: listening on {addr} (bearer token required)");
        let c = shared.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::api_server::serve_tcp(tcp, token, c).await {
                tracing::error!("api {addr}: {e}");
            }
        });
    }
    tracing::info!(
        "AS{} router-id {}, {} neighbors, control socket {}",
        cfg.router.asn,
        cfg.router.router_id,
        cfg.neighbors.len(),
        socket.display()
    );

    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    crate::notify::notify("READY=1\nSTATUS=serving");
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
            _ = hup.recv() => {
                tracing::info!("SIGHUP: reloading");
                crate::notify::notify("RELOADING=1");
                // reload() logs what it did or why it refused.
                let _ = reload(&shared, false).await;
                crate::notify::notify("READY=1");
            }
        }
    }
    tracing::info!("stopping");
    crate::notify::notify("STOPPING=1");
    // With `[fib] retain` the kernel table stays as it is: the FIB task
    // stops before the sessions, whose end would withdraw the routes.
    let retains = fib.as_ref().is_some_and(|h| h.retains);
    let fib = match fib {
        Some(h) if h.retains => {
            let _ = tokio::task::spawn_blocking(move || h.stop()).await;
            None
        }
        other => other,
    };
    let cmds: Vec<_> = shared
        .slots()
        .iter()
        .filter(|s| !s.removed)
        .map(|s| s.cmds.clone())
        .collect();
    for s in cmds {
        let text = "peerd is shutting down".to_string();
        let _ = s.send(if retains {
            SessionCmd::Restart(text)
        } else {
            SessionCmd::Stop(Some(text))
        });
    }
    // Give the NOTIFICATIONs a moment to leave.
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let Some(h) = fib {
        let _ = tokio::task::spawn_blocking(move || h.stop()).await;
    }
    if let Some(m) = mrt {
        let _ = tokio::task::spawn_blocking(move || m.stop()).await;
    }
    let _ = std::fs::remove_file(&socket);
    Ok(())
}

/// A listening socket on `addr`, with the TCP-MD5 keys and GTSM TTL its
/// neighbours need.
fn listen(cfg: &Config, addr: IpAddr) -> std::io::Result<TcpListener> {
    let sa = SocketAddr::new(addr, cfg.router.port);
    let sock = if addr.is_ipv6() {
        TcpSocket::new_v6()?
    } else {
        TcpSocket::new_v4()?
    };
    sock.set_reuseaddr(true)?;
    if addr.is_ipv6() {
        sockopt::set_v6only(&sock)?;
    }
    for n in cfg
        .neighbors
        .iter()
        .filter(|n| n.address.is_ipv6() == addr.is_ipv6())
    {
        if let Some(key) = &n.password {
            sockopt::set_md5(&sock, n.address, key.as_bytes())?;
        }
    }
    // GTSM (RFC 5082 §3): our SYN-ACK to a ttl-security neighbour must
    // leave with TTL 255 too, or its IP_MINTTL drops it. Accepted sockets
    // inherit this; the minimum TTL is set per neighbour after accept.
    if cfg
        .neighbors
        .iter()
        .any(|n| n.ttl_security && n.address.is_ipv6() == addr.is_ipv6())
    {
        sockopt::set_ttl(&sock, addr.is_ipv6(), 255)?;
    }
    sock.bind(sa)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {sa}: {e}")))?;
    let listener = sock.listen(64)?;
    tracing::info!("listening on {sa}");
    Ok(listener)
}

/// Reads the configuration file again and applies what changed (see
/// `reload.rs`); with `dry_run`, only says what it would do. An invalid
/// file changes nothing: the error says why.
pub async fn reload(shared: &Shared, dry_run: bool) -> Result<String, String> {
    let r = apply(shared, dry_run).await;
    if !dry_run {
        match &r {
            Ok(t) => t
                .lines()
                .for_each(|l| tracing::info!(event = "reload", "reload: {l}")),
            Err(e) => e
                .lines()
                .for_each(|l| tracing::warn!(event = "reload", "reload refused: {l}")),
        }
    }
    r
}

/// Reads the file again and applies the difference, or says what would
/// change (`dry_run`).
async fn apply(shared: &Shared, dry_run: bool) -> Result<String, String> {
    let mut cur = shared.config.lock().await;
    let new = peerd_config::load(&shared.config_path)
        .map_err(|e| format!("{e}\nthe running configuration is unchanged"))?;
    let refused = reload::refused(&cur, &new);
    if !refused.is_empty() {
        return Err(format!(
            "{}\nthe running configuration is unchanged",
            refused.join("\n")
        ));
    }
    let plan = reload::plan(&cur, &new);
    let mut text = plan.to_string();
    for w in &new.warnings {
        text.push_str(&format!("warning: {w}\n"));
    }
    if dry_run {
        return Ok(text);
    }
    if let Some(l) = plan.log_level {
        shared.log.set(l);
    }
    let change = |name: &str| {
        plan.changes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.clone())
    };

    // 1. End the sessions that go or restart, and wait for them: their
    //    PeerDown reaches the engine before anything below.
    let mut ending = Vec::new();
    for (name, c) in &plan.changes {
        let subcode = match c {
            Change::Stop => cease::PEER_DECONFIGURED,
            Change::Reset(_) => cease::OTHER_CONFIG_CHANGE,
            _ => continue,
        };
        if let Some(i) = shared.find(name) {
            let mut slots = shared.slots();
            let _ = slots[i].cmds.send(SessionCmd::Exit(subcode));
            ending.extend(slots[i].task.take());
        }
    }
    for h in ending {
        let _ = h.await;
    }

    // 2. The engine's new view, and the queues of sessions to start.
    let mut peers = Vec::new();
    let mut remove = Vec::new();
    let mut reexport = Vec::new();
    let mut reimport = Vec::new();
    let mut queues = Vec::new();
    let mut pending = Vec::new();
    let mut soft = Vec::new();
    {
        let mut slots = shared.slots();
        for (name, c) in &plan.changes {
            if *c == Change::Stop {
                if let Some(i) = slots.iter().position(|s| !s.removed && s.nb.name == *name) {
                    slots[i].removed = true;
                    status::update(&shared.status, i, |s| s.removed = true);
                    remove.push(i);
                }
            }
        }
        for n in &new.neighbors {
            let existing = slots.iter().position(|s| !s.removed && s.nb.name == n.name);
            let c = change(&n.name);
            let i = match (existing, &c) {
                (Some(i), Some(Change::Reset(_))) => {
                    let (slot, p) = new_slot(i, n);
                    queues.push((i, slot.cmds.clone()));
                    slots[i] = slot;
                    pending.push(p);
                    let fresh = peer_status(n);
                    status::update(&shared.status, i, |s| *s = fresh);
                    i
                }
                (Some(i), _) => {
                    slots[i].nb = n.clone();
                    if let Some(Change::Soft { reexport: true, .. }) = &c {
                        reexport.push(i);
                    }
                    if let Some(Change::Soft {
                        refresh: true,
                        from_kept: true,
                        ..
                    }) = &c
                    {
                        reimport.push(i);
                    }
                    if let Some(Change::Soft { .. }) = &c {
                        soft.push((i, c.clone()));
                    }
                    i
                }
                (None, _) => {
                    let i = slots.len();
                    let (slot, p) = new_slot(i, n);
                    queues.push((i, slot.cmds.clone()));
                    slots.push(slot);
                    pending.push(p);
                    shared
                        .status
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(peer_status(n));
                    i
                }
            };
            // Every neighbour's settings go again: policy numbers may differ.
            peers.push((i, engine_peer(n)));
        }
    }
    peers.sort_by_key(|(i, _)| *i);
    // A prefix announced through the API that the file now announces is
    // the file's from now on.
    shared
        .runtime
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|r| !new.announce.iter().any(|a| a.prefix == r.prefix));
    let (done_tx, done_rx) = oneshot::channel();
    let r = peerd_engine::Reconfig {
        local_as: new.router.asn,
        router_id: new.router.router_id,
        cluster_id: new.router.cluster_id,
        policies: Arc::new(new.policies.clone()),
        decision: decision(&new),
        announce: announcements(&new, &shared.runtime()),
        statics: origination(&new).1,
        redistribute_static: origination(&new).2,
        kernel: kernel_import(&new),
        peers,
        remove,
        reexport,
        reimport,
    };
    let _ = shared
        .engine
        .send(EngineMsg::Reconfigure(Box::new(r), queues, done_tx))
        .await;
    let _ = done_rx.await;

    // 3. TCP-MD5 keys and GTSM on the listeners for the new settings.
    for n in &new.neighbors {
        let old_key = cur
            .neighbors
            .iter()
            .find(|o| o.address == n.address)
            .and_then(|o| o.password.clone());
        if old_key != n.password {
            set_keys(shared, n.address, n.password.as_deref().unwrap_or(""));
        }
        if n.ttl_security {
            for l in shared
                .listeners
                .iter()
                .filter(|l| is_v6(l) == n.address.is_ipv6())
            {
                let _ = sockopt::set_ttl(l.as_ref(), n.address.is_ipv6(), 255);
            }
        }
    }
    for o in &cur.neighbors {
        if o.password.is_some() && !new.neighbors.iter().any(|n| n.address == o.address) {
            set_keys(shared, o.address, "");
        }
    }

    // 4. Start the new sessions, then the in-place changes.
    let router = router_info(&new, &shared.gr, shared.mrt.clone());
    {
        let mut slots = shared.slots();
        for p in pending {
            let i = p.idx;
            slots[i].task = Some(spawn_session(p, &router, &shared.engine, &shared.status));
        }
    }
    for (i, c) in soft {
        let Some(Change::Soft {
            refresh,
            from_kept,
            shutdown,
            ..
        }) = c
        else {
            continue;
        };
        let Some(tx) = shared.session(i) else {
            continue;
        };
        match shutdown {
            Some(true) => {
                let _ = tx.send(SessionCmd::Stop(Some("administratively down".into())));
            }
            Some(false) => {
                let _ = tx.send(SessionCmd::Start);
            }
            None => {}
        }
        if refresh && !from_kept {
            let _ = tx.send(SessionCmd::RefreshOrReset);
        }
    }
    *cur = new;
    Ok(text)
}

fn is_v6(l: &TcpListener) -> bool {
    l.local_addr().is_ok_and(|a| a.is_ipv6())
}

/// Sets (or with an empty key clears) a neighbour's TCP-MD5 key on every
/// listener of its family.
fn set_keys(shared: &Shared, addr: IpAddr, key: &str) {
    for l in shared
        .listeners
        .iter()
        .filter(|l| is_v6(l) == addr.is_ipv6())
    {
        if let Err(e) = sockopt::set_md5(l.as_ref(), addr, key.as_bytes()) {
            tracing::warn!("reload: TCP-MD5 key for {addr}: {e}");
        }
    }
}

fn decision(cfg: &Config) -> peerd_engine::DecisionOptions {
    peerd_engine::DecisionOptions {
        always_compare_med: cfg.bestpath.always_compare_med,
        prefer_oldest: cfg.bestpath.prefer_oldest,
        multipath: cfg.bestpath.multipath,
    }
}

/// What we originate and the static routes, as the engine takes them.
fn origination(
    cfg: &Config,
) -> (
    Vec<peerd_engine::Announcement>,
    Vec<peerd_engine::Static>,
    Option<Option<peerd_policy::PolicyId>>,
) {
    let announce = announcements(cfg, &[]);
    let statics = cfg
        .statics
        .iter()
        .map(|s| peerd_engine::Static {
            prefix: s.prefix,
            via: match &s.next_hop {
                peerd_config::StaticNextHop::Address(a, i) => {
                    peerd_engine::Via::Address(*a, i.clone())
                }
                peerd_config::StaticNextHop::Interface(i) => {
                    peerd_engine::Via::Interface(i.clone())
                }
                peerd_config::StaticNextHop::Blackhole => peerd_engine::Via::Blackhole,
            },
            distance: s.distance,
        })
        .collect();
    (announce, statics, into_bgp(cfg.redistribute_static))
}

/// What we originate: the file's announcements, then those made through
/// the API for prefixes the file does not announce.
pub fn announcements(
    cfg: &Config,
    runtime: &[peerd_config::Announce],
) -> Vec<peerd_engine::Announcement> {
    cfg.announce
        .iter()
        .chain(
            runtime
                .iter()
                .filter(|r| !cfg.announce.iter().any(|a| a.prefix == r.prefix)),
        )
        .map(|a| peerd_engine::Announcement {
            prefix: a.prefix,
            attrs: originated(a),
            when_covered: a.when == peerd_config::AnnounceWhen::Covered,
        })
        .collect()
}

/// What `[redistribute]` says for one kind of route, as the engine takes
/// it: nothing, all, or those a policy accepts.
fn into_bgp(s: Option<PolicySwitch>) -> Option<Option<peerd_policy::PolicyId>> {
    match s {
        None | Some(PolicySwitch::Deny) => None,
        Some(PolicySwitch::Accept) => Some(None),
        Some(PolicySwitch::Policy(id)) => Some(Some(id)),
    }
}

/// How the routing table takes other programs' kernel routes (`[fib]
/// import`, `[redistribute] kernel`).
fn kernel_import(cfg: &Config) -> peerd_engine::KernelImport {
    let mut k = peerd_engine::KernelImport {
        redistribute: into_bgp(cfg.redistribute_kernel),
        ..Default::default()
    };
    if let Some(f) = &cfg.fib {
        k.import = into_bgp(Some(f.import));
        k.distance = f.import_distance;
    }
    k
}

/// The attributes a configured announcement carries besides ORIGIN.
fn originated(a: &peerd_config::Announce) -> Vec<Attribute> {
    let mut attrs = Vec::new();
    if !a.communities.is_empty() {
        attrs.push(Attribute::new(AttrValue::Communities(
            a.communities.clone(),
        )));
    }
    if !a.extended_communities.is_empty() {
        attrs.push(Attribute::new(AttrValue::ExtCommunities(
            a.extended_communities.clone(),
        )));
    }
    if !a.large_communities.is_empty() {
        attrs.push(Attribute::new(AttrValue::LargeCommunities(
            a.large_communities.clone(),
        )));
    }
    attrs
}

/// The policy a neighbor's import or export runs, if it is not a switch.
fn policy_of(s: PolicySwitch) -> Option<peerd_policy::PolicyId> {
    match s {
        PolicySwitch::Policy(id) => Some(id),
        PolicySwitch::Accept | PolicySwitch::Deny => None,
    }
}
