//! The one task that owns all routing state.

use crate::session::SessionCmd;
use crate::status::{self, Status};
use peerd_engine::{Action, Engine, Event, RouteView};
use tokio::sync::{mpsc, oneshot};

/// Messages to the engine task.
#[derive(Debug)]
pub enum EngineMsg {
    /// An event from a session.
    Event(Event),
    /// Routes received from a neighbour.
    RoutesFrom(usize, oneshot::Sender<Vec<RouteView>>),
    /// The best route of every prefix.
    LocRib(oneshot::Sender<Vec<RouteView>>),
    /// Every candidate for one prefix, with why each lost.
    Candidates(peerd_wire::Prefix, oneshot::Sender<Vec<RouteView>>),
}

/// Runs the engine until every sender is gone.
pub async fn run(
    mut engine: Engine,
    mut rx: mpsc::Receiver<EngineMsg>,
    me: mpsc::Sender<EngineMsg>,
    sessions: Vec<mpsc::UnboundedSender<SessionCmd>>,
    status: Status,
) {
    let start = std::time::Instant::now();
    while let Some(msg) = rx.recv().await {
        match msg {
            EngineMsg::Event(ev) => {
                let secs = start.elapsed().as_secs();
                engine.set_clock(u32::try_from(secs).unwrap_or(u32::MAX));
                for a in engine.handle(ev) {
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
                            let mut who = String::new();
                            status::update(&status, peer, |s| {
                                who = format!("{} ({})", s.name, s.address);
                            });
                            eprintln!(
                                "peerd: neighbor {who}: max-prefix warning: {count} {family} prefixes, limit {limit}"
                            );
                        }
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
                for i in 0..sessions.len() {
                    let (rcv, snt) = (engine.routes_in(i), engine.routes_to(i));
                    status::update(&status, i, |s| {
                        s.received = rcv;
                        s.sent = snt;
                    });
                }
            }
            EngineMsg::RoutesFrom(peer, reply) => {
                let _ = reply.send(engine.routes_from(peer));
            }
            EngineMsg::LocRib(reply) => {
                let _ = reply.send(engine.loc_rib());
            }
            EngineMsg::Candidates(prefix, reply) => {
                let _ = reply.send(engine.candidates(prefix));
            }
        }
    }
}
