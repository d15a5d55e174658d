//! Starting the daemon: listeners, one task per neighbour, the engine task,
//! the control socket, and an orderly stop on SIGTERM/SIGINT.

use crate::control::{self, Control};
use crate::engine_task::{self, EngineMsg};
use crate::session::{self, RouterInfo, SessionCmd};
use crate::sockopt;
use crate::status::{PeerStatus, Status};
use peerd_config::{Config, PolicySwitch};
use peerd_engine::Engine;
use peerd_wire::attr::{AttrValue, Attribute};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;

/// Runs the daemon until it is told to stop.
pub async fn run(cfg: Config, socket: PathBuf) -> std::io::Result<()> {
    let router = RouterInfo {
        asn: cfg.router.asn,
        router_id: cfg.router.router_id,
        hostname: cfg.router.hostname.clone(),
    };
    let status: Status = Arc::new(Mutex::new(
        cfg.neighbors
            .iter()
            .map(|n| PeerStatus {
                name: n.name.clone(),
                address: n.address.to_string(),
                remote_as: n.remote_as,
                state: peerd_fsm::State::Idle,
                since: Instant::now(),
                last_error: n.shutdown.then(|| "administratively down".to_string()),
                received: 0,
                sent: 0,
                hostname: None,
                families: Vec::new(),
            })
            .collect(),
    ));
    let peers = cfg
        .neighbors
        .iter()
        .map(|n| peerd_engine::PeerConfig {
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
            import_policy: policy_of(n.import),
            export_policy: policy_of(n.export),
        })
        .collect();
    let announce: Vec<_> = cfg.announce.iter().map(originated).collect();
    let mut engine = Engine::new(cfg.router.asn, cfg.router.router_id, peers, &announce);
    engine.set_policies(Arc::new(cfg.policies.clone()));
    engine.set_decision_options(peerd_engine::DecisionOptions {
        always_compare_med: cfg.bestpath.always_compare_med,
        prefer_oldest: cfg.bestpath.prefer_oldest,
        multipath: cfg.bestpath.multipath,
    });
    let (engine_tx, engine_rx) = mpsc::channel::<EngineMsg>(4096);

    let mut session_tx = Vec::new();
    let mut incoming_tx = Vec::new();
    for (i, nb) in cfg.neighbors.iter().enumerate() {
        // Unbounded: the engine must never wait for a session that is itself
        // waiting for the engine (a deadlock under load from many peers);
        // back-pressure comes from the sessions' bounded way in.
        let (ctx, crx) = mpsc::unbounded_channel();
        let (itx, irx) = mpsc::channel(4);
        session_tx.push(ctx);
        incoming_tx.push(itx);
        tokio::spawn(session::run(
            i,
            nb.clone(),
            router.clone(),
            crx,
            irx,
            engine_tx.clone(),
            status.clone(),
        ));
    }
    tokio::spawn(engine_task::run(
        engine,
        engine_rx,
        engine_tx.clone(),
        session_tx.clone(),
        status.clone(),
    ));

    let neighbors: Arc<Vec<(IpAddr, mpsc::Sender<TcpStream>)>> = Arc::new(
        cfg.neighbors
            .iter()
            .map(|n| n.address)
            .zip(incoming_tx)
            .collect(),
    );
    for addr in &cfg.router.listen {
        let sa = SocketAddr::new(*addr, cfg.router.port);
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
        eprintln!("peerd: listening on {sa}");
        let neighbors = neighbors.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, from)) = listener.accept().await else {
                    continue;
                };
                let ip = match from.ip() {
                    IpAddr::V6(a) => a.to_ipv4_mapped().map_or(IpAddr::V6(a), IpAddr::V4),
                    a => a,
                };
                match neighbors.iter().find(|(a, _)| *a == ip) {
                    Some((_, tx)) => {
                        let _ = tx.send(stream).await;
                    }
                    None => eprintln!(
                        "peerd: refused a connection from {from}: not a configured neighbor"
                    ),
                }
            }
        });
    }

    let ctl = Control {
        status,
        engine: engine_tx,
        sessions: session_tx.clone(),
    };
    let sock_path = socket.clone();
    tokio::spawn(async move {
        if let Err(e) = control::serve(&sock_path, ctl).await {
            eprintln!("peerd: control socket {}: {e}", sock_path.display());
        }
    });
    eprintln!(
        "peerd: AS{} router-id {}, {} neighbors, control socket {}",
        cfg.router.asn,
        cfg.router.router_id,
        cfg.neighbors.len(),
        socket.display()
    );

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    eprintln!("peerd: stopping");
    for s in &session_tx {
        let _ = s.send(SessionCmd::Stop(Some("peerd is shutting down".into())));
    }
    // Give the NOTIFICATIONs a moment to leave.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = std::fs::remove_file(&socket);
    Ok(())
}

/// A configured announcement as the engine takes it: the prefix and the
/// attributes it carries besides ORIGIN.
fn originated(a: &peerd_config::Announce) -> (peerd_wire::Prefix, Vec<Attribute>) {
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
    (a.prefix, attrs)
}

/// The policy a neighbor's import or export runs, if it is not a switch.
fn policy_of(s: PolicySwitch) -> Option<peerd_policy::PolicyId> {
    match s {
        PolicySwitch::Policy(id) => Some(id),
        PolicySwitch::Accept | PolicySwitch::Deny => None,
    }
}
