//! The one task that owns all routing state.

use crate::fib_task::FibQueue;
use crate::session::{GrState, SessionCmd};
use crate::status::{self, Status};
use peerd_engine::{Action, Engine, Event, Reconfig, RouteView};
use tokio::sync::{mpsc, oneshot};

/// Messages to the engine task.
#[derive(Debug)]
pub enum EngineMsg {
    /// An event from a session.
    Event(Event),
    /// One page of the routing table: after this prefix, at most so many,
    /// those that pass the filter.
    RibPage(
        Option<peerd_wire::Prefix>,
        usize,
        Box<peerd_engine::RouteFilter>,
        oneshot::Sender<peerd_engine::Page>,
    ),
    /// One page of a neighbour's routes (accepted, as received, or sent).
    RoutesPage(
        usize,
        peerd_engine::RouteSet,
        Option<peerd_wire::Prefix>,
        usize,
        Box<peerd_engine::RouteFilter>,
        oneshot::Sender<Option<peerd_engine::Page>>,
    ),
    /// Prefixes in the routing table: IPv4, IPv6.
    Counts(oneshot::Sender<(usize, usize)>),
    /// What we originate from now on; answered when applied.
    Announce(Vec<peerd_engine::Announcement>, oneshot::Sender<()>),
    /// Which of these prefixes we originate now.
    Originates(Vec<peerd_wire::Prefix>, oneshot::Sender<Vec<bool>>),
    /// The engine's structure counts and their bytes.
    Stats(oneshot::Sender<(peerd_engine::Stats, peerd_engine::Memory)>),
    /// The neighbours, for an MRT PEER_INDEX_TABLE.
    DumpPeers(oneshot::Sender<Vec<peerd_engine::DumpPeer>>),
    /// One page of an MRT table dump: every neighbour's routes (or the
    /// best ones), after this prefix, at most so many prefixes.
    DumpPage(
        bool,
        Option<peerd_wire::Prefix>,
        usize,
        oneshot::Sender<peerd_engine::DumpPage>,
    ),
    /// Every candidate for one prefix, with why each lost.
    Candidates(peerd_wire::Prefix, oneshot::Sender<Vec<RouteView>>),
    /// The routing table's longest match for an address, with every
    /// candidate for that prefix.
    Lookup(
        std::net::IpAddr,
        oneshot::Sender<Option<(peerd_wire::Prefix, Vec<RouteView>)>>,
    ),
    /// A reload: the new engine settings, and the command queues of new or
    /// restarted sessions (by neighbour index). Answered when applied.
    Reconfigure(
        Box<Reconfig>,
        Vec<(usize, mpsc::UnboundedSender<SessionCmd>)>,
        oneshot::Sender<()>,
    ),
    /// A soft reset in: the neighbour's kept routes through its import
    /// policy again.
    Reimport(usize),
}

/// Runs the engine until every sender is gone.
pub async fn run(
    mut engine: Engine,
    mut rx: mpsc::Receiver<EngineMsg>,
    me: mpsc::Sender<EngineMsg>,
    mut sessions: Vec<mpsc::UnboundedSender<SessionCmd>>,
    around: Around,
) {
    let Around {
        status,
        fib,
        gr,
        load,
    } = around;
    use std::sync::atomic::Ordering::Relaxed;
    let start = std::time::Instant::now();
    while let Some(msg) = rx.recv().await {
        match msg {
            EngineMsg::Event(ev) => {
                let t = std::time::Instant::now();
                let secs = start.elapsed().as_secs();
                engine.set_clock(u32::try_from(secs).unwrap_or(u32::MAX));
                let actions = engine.handle(ev);
                dispatch(actions, &sessions, &me, &status, &fib, &gr);
                counts(&engine, sessions.len(), &status);
                load.events.fetch_add(1, Relaxed);
                load.busy_micros
                    .fetch_add(t.elapsed().as_micros() as u64, Relaxed);
            }
            EngineMsg::RibPage(after, limit, filter, reply) => {
                let _ = reply.send(engine.loc_rib_page(after, limit, &filter));
            }
            EngineMsg::RoutesPage(peer, set, after, limit, filter, reply) => {
                let _ = reply.send(engine.routes_page(peer, set, after, limit, &filter));
            }
            EngineMsg::DumpPeers(reply) => {
                let _ = reply.send(engine.dump_peers());
            }
            EngineMsg::DumpPage(all, after, limit, reply) => {
                let _ = reply.send(engine.dump_page(all, after, limit));
            }
            EngineMsg::Stats(reply) => {
                let _ = reply.send((engine.stats(), engine.memory()));
            }
            EngineMsg::Announce(list, done) => {
                let actions = engine.set_announcements(list);
                dispatch(actions, &sessions, &me, &status, &fib, &gr);
                counts(&engine, sessions.len(), &status);
                let _ = done.send(());
            }
            EngineMsg::Originates(prefixes, reply) => {
                let _ = reply.send(prefixes.into_iter().map(|p| engine.originates(p)).collect());
            }
            EngineMsg::Counts(reply) => {
                let _ = reply.send((
                    engine.prefix_count(peerd_wire::Family::IPV4_UNICAST),
                    engine.prefix_count(peerd_wire::Family::IPV6_UNICAST),
                ));
            }
            EngineMsg::Candidates(prefix, reply) => {
                let _ = reply.send(engine.candidates(prefix));
            }
            EngineMsg::Lookup(addr, reply) => {
                let found = engine.lookup(addr).map(|p| (p, engine.candidates(p)));
                let _ = reply.send(found);
            }
            EngineMsg::Reimport(peer) => {
                let actions = engine.reimport_kept(peer);
                dispatch(actions, &sessions, &me, &status, &fib, &gr);
                counts(&engine, sessions.len(), &status);
            }
            EngineMsg::Reconfigure(r, new_sessions, done) => {
                for (i, tx) in new_sessions {
                    let n = sessions.len();
                    match sessions.get_mut(i) {
                        Some(s) => *s = tx,
                        None if i == n => sessions.push(tx),
                        None => {}
                    }
                }
                let actions = engine.reconfigure(*r);
                dispatch(actions, &sessions, &me, &status, &fib, &gr);
                counts(&engine, sessions.len(), &status);
                let _ = done.send(());
            }
        }
    }
}

/// Carries out the engine's actions.
fn dispatch(
    actions: Vec<Action>,
    sessions: &[mpsc::UnboundedSender<SessionCmd>],
    me: &mpsc::Sender<EngineMsg>,
    status: &Status,
    fib: &Option<FibQueue>,
    gr: &GrState,
) {
    for a in actions {
        match a {
            Action::Send { peer, messages } => {
                if let Some(s) = sessions.get(peer) {
                    let _ = s.send(SessionCmd::Send(messages));
                }
            }
            Action::MaxPrefix {
                peer,
                family,
                limit,
            } => {
                if let Some(s) = sessions.get(peer) {
                    let _ = s.send(SessionCmd::MaxPrefix { family, limit });
                }
            }
            Action::MaxPrefixWarning {
                peer,
                family,
                count,
                limit,
            } => {
                let (name, address) = who(status, peer);
                tracing::warn!(
                    neighbor = %name,
                    %address,
                    event = "max-prefix",
                    "max-prefix warning: {count} {family} prefixes, limit {limit}"
                );
            }
            Action::LeakOverride {
                peer,
                prefix,
                export,
            } => {
                let (name, address) = who(status, peer);
                let way = if export { "export to" } else { "import from" };
                tracing::warn!(
                    neighbor = %name,
                    %address,
                    event = "leak-override",
                    "a policy overrides RFC 9234 route-leak prevention on {way} it (allow-leak), first for {prefix}; further overrides this session are not logged"
                );
            }
            Action::Forward(entries) => {
                if let Some(f) = fib {
                    f.entries(entries);
                }
            }
            Action::Converged { complete } => converged(complete, gr, fib),
            Action::StaleTimer { peer, after } => {
                let me = me.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(after).await;
                    let _ = me
                        .send(EngineMsg::Event(Event::StaleTimeout { peer }))
                        .await;
                });
            }
        }
    }
}

/// The wait after a restart is over (`Action::Converged`): our routes and
/// End-of-RIB went out just before (the actions before this one), so the
/// R bit is cleared, the forwarding state is complete (F bits), and the
/// kept routes nobody announced again go.
pub fn converged(complete: bool, gr: &GrState, fib: &Option<FibQueue>) {
    use std::sync::atomic::Ordering::Relaxed;
    let restarted = gr.restarting.swap(false, Relaxed);
    gr.preserved.store(true, Relaxed);
    if restarted {
        tracing::info!(
            "graceful restart: {}; routes sent to the neighbors",
            if complete {
                "every neighbor has sent its routes"
            } else {
                "the time is up before every neighbor sent its routes"
            }
        );
    }
    if let Some(f) = fib {
        f.sweep();
    }
}

/// Routes in and out per neighbour, for `peerctl neighbors`.
fn counts(engine: &Engine, n: usize, status: &Status) {
    use peerd_wire::Family;
    for i in 0..n {
        let (rcv, snt, filtered, leaked) = (
            engine.routes_in(i),
            engine.routes_to(i),
            engine.routes_filtered_by(i),
            engine.routes_leaked(i),
        );
        let by_family = [
            engine.routes_in_family(i, Family::IPV4_UNICAST),
            engine.routes_in_family(i, Family::IPV6_UNICAST),
        ];
        status::update(status, i, |s| {
            s.received = rcv;
            s.sent = snt;
            s.filtered = filtered;
            s.leaked = leaked;
            s.received_by_family = by_family;
        });
    }
}

/// What the engine task reports to besides the sessions.
pub struct Around {
    /// The neighbours' status (counts after each event).
    pub status: Status,
    /// The FIB task, with `[fib]`.
    pub fib: Option<FibQueue>,
    /// Our graceful-restart state (the end of a restart's deferral).
    pub gr: std::sync::Arc<GrState>,
    /// How busy it is.
    pub load: std::sync::Arc<EngineLoad>,
}

/// How busy the engine task is: events handled and the time spent on them
/// (with what they cause: sending, the FIB, the status), for metrics.
#[derive(Debug, Default)]
pub struct EngineLoad {
    /// Events handled.
    pub events: std::sync::atomic::AtomicU64,
    /// Microseconds spent on them.
    pub busy_micros: std::sync::atomic::AtomicU64,
}

/// A neighbor's name and address, for the log.
fn who(status: &Status, peer: usize) -> (String, String) {
    let mut w = (String::new(), String::new());
    status::update(status, peer, |s| {
        w = (s.name.clone(), s.address.to_string());
    });
    w
}
