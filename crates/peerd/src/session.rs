//! One task per neighbour: TCP connections, framing, decoding and the
//! session state machine; routes go to and come from the engine task.

use crate::conn::{self, Conn, ConnEvent, Tag};
use crate::engine_task::EngineMsg;
use crate::sockopt;
use crate::status::{self, Status};
use peerd_config::{MaxPrefixAction, Neighbor};
use peerd_engine::Event;
use peerd_fsm::{ConnId, DownReason, GracefulRestartConfig, Input, Output, PeerConfig, Session};
use peerd_wire::error::code;
use peerd_wire::{
    DecodeContext, DecodeError, Family, Message, Notification, Reason, MAX_MESSAGE_LEN,
};
use std::net::{IpAddr, SocketAddr, SocketAddrV6};
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tracing::Level;

/// Router-wide settings a session needs.
#[derive(Debug, Clone)]
pub struct RouterInfo {
    pub asn: u32,
    pub router_id: std::net::Ipv4Addr,
    pub hostname: Option<String>,
    pub gr: std::sync::Arc<GrState>,
    /// Where received messages go to be written as MRT (`[mrt]`).
    pub mrt: Option<crate::mrt_task::MrtQueue>,
}

/// Our side of graceful restart, shared by every session (RFC 4724 §3):
/// what the capability in our OPENs says, as it changes while we run.
#[derive(Debug, Default)]
pub struct GrState {
    /// Our forwarding state survives our restarts (`[fib] retain`): the
    /// capability lists our families, so that neighbours keep our routes
    /// while we restart.
    pub preserves: bool,
    /// The forwarding state is complete now (the F bits).
    pub preserved: std::sync::atomic::AtomicBool,
    /// We have restarted with the forwarding state kept and not yet sent
    /// our routes again (the R bit).
    pub restarting: std::sync::atomic::AtomicBool,
}

/// The graceful-restart capability a neighbour's OPENs carry now.
fn gr_config(nb: &Neighbor, r: &RouterInfo) -> Option<GracefulRestartConfig> {
    use std::sync::atomic::Ordering::Relaxed;
    nb.graceful_restart.then(|| GracefulRestartConfig {
        restart_time: 120,
        restarting: r.gr.restarting.load(Relaxed),
        forwarding: r.gr.preserves.then(|| r.gr.preserved.load(Relaxed)),
    })
}

/// Commands to a session task.
#[derive(Debug)]
pub enum SessionCmd {
    /// Send these encoded messages on the established connection.
    Send(Vec<Vec<u8>>),
    /// The neighbour is over its max-prefix limit.
    MaxPrefix { family: Family, limit: u32 },
    /// Administrative shutdown with an optional message (RFC 9003).
    Stop(Option<String>),
    /// Start (after a stop).
    Start,
    /// Ask the neighbour to send its routes again (RFC 2918).
    Refresh,
    /// An operator's reset: Cease / Administrative Reset with this message
    /// (a Hard Reset when both sides set the N bit), then start again.
    HardReset(Option<String>),
    /// Send the neighbour every route it holds again (soft reset out).
    ResendAll,
    /// Its import policy changed: ask for its routes again, or — if it
    /// cannot refresh — reset the session (Cease / Other Configuration Change).
    RefreshOrReset,
    /// End the session with Cease and this subcode (RFC 4486), and end the
    /// task: the neighbor is removed or replaced by a reload.
    Exit(u8),
    /// peerd stops and keeps its forwarding state for the next start
    /// (`[fib] retain`): end the session so that the neighbour keeps our
    /// routes — with Cease if it handles NOTIFICATIONs gracefully (both N
    /// bits, RFC 8538), else by closing the connection without one (RFC
    /// 4724 §4.2) — and end the task.
    Restart(String),
}

/// The state machine's configuration for a neighbour.
pub fn fsm_config(nb: &Neighbor, r: &RouterInfo) -> PeerConfig {
    let mut c = PeerConfig::new(r.asn, r.router_id, nb.remote_as);
    c.hold_time = nb.hold_time;
    c.keepalive = nb.keepalive.map(|k| Duration::from_secs(u64::from(k)));
    c.connect_retry = nb.connect_retry;
    c.passive = nb.passive;
    c.delay_open = nb.delay_open;
    c.families = nb.families.clone();
    c.role = nb.role;
    c.role_strict = nb.role_strict;
    c.graceful_restart = gr_config(nb, r);
    c.hostname = r.hostname.clone().map(|h| (h, String::new()));
    // Short first waits suit a peering edge: a flapping peer still backs off.
    c.idle_hold.initial = Duration::from_secs(2);
    c.idle_hold.max = Duration::from_secs(120);
    c
}

struct Task {
    idx: usize,
    nb: Neighbor,
    fsm: Session,
    conns: [Option<Conn>; 2],
    established: Option<ConnId>,
    serial: u64,
    connect_gen: u64,
    ebgp: bool,
    events: mpsc::Sender<ConnEvent>,
    connected: mpsc::Sender<(u64, std::io::Result<TcpStream>)>,
    engine: mpsc::Sender<EngineMsg>,
    status: Status,
    /// Our AS (for MRT records).
    local_as: u32,
    mrt: Option<crate::mrt_task::MrtQueue>,
    /// This neighbour's message counters (shared with its status).
    messages: std::sync::Arc<status::MessageCounts>,
}

fn slot(id: ConnId) -> usize {
    match id {
        ConnId::Active => 0,
        ConnId::Passive => 1,
    }
}

/// Runs a neighbour's session until the daemon stops.
pub async fn run(
    idx: usize,
    nb: Neighbor,
    router: RouterInfo,
    mut cmds: mpsc::UnboundedReceiver<SessionCmd>,
    mut incoming: mpsc::Receiver<TcpStream>,
    engine: mpsc::Sender<EngineMsg>,
    status: Status,
) {
    let (events, mut event_rx) = mpsc::channel(1024);
    let (connected, mut connected_rx) = mpsc::channel(4);
    let ebgp = nb.is_ebgp(router.asn);
    let messages = status::snapshot(&status)
        .get(idx)
        .map(|s| s.messages.clone())
        .unwrap_or_default();
    let mut t = Task {
        idx,
        fsm: Session::new(fsm_config(&nb, &router)),
        nb,
        conns: [None, None],
        established: None,
        serial: 0,
        connect_gen: 0,
        ebgp,
        events,
        connected,
        engine,
        status,
        local_as: router.asn,
        mrt: router.mrt.clone(),
        messages,
    };
    if !t.nb.shutdown {
        let out = t.fsm.process(Input::ManualStart, Instant::now());
        t.exec(out).await;
    }
    loop {
        // The R and F bits of the OPENs sent from now on.
        t.fsm.set_graceful_restart(gr_config(&t.nb, &router));
        let deadline = t.fsm.poll_timeout();
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            cmd = cmds.recv() => match cmd {
                Some(SessionCmd::Exit(subcode)) => {
                    t.input(Input::Reset {
                        notification: Notification::new(code::CEASE, subcode, Vec::new()),
                        restart_after: None,
                    })
                    .await;
                    return;
                }
                Some(SessionCmd::Restart(text)) => {
                    let n_bits = t
                        .fsm
                        .negotiated()
                        .and_then(|n| n.peer_graceful_restart.as_ref())
                        .map(|g| g.flags & 0x4 != 0);
                    match n_bits {
                        Some(false) if t.fsm.config().graceful_restart.is_some() => {
                            t.log(Level::INFO, "restarting", "restarting: connection closed without NOTIFICATION, so that the neighbor keeps our routes (RFC 4724)");
                        }
                        // Both N bits: a Cease that is not a Hard Reset
                        // keeps our routes at the neighbour (RFC 8538 §3).
                        // Administrative Reset, which the FSM sends as it
                        // is (a shutdown would go as a Hard Reset).
                        Some(true) if t.fsm.notifications_are_graceful() => {
                            t.input(Input::Reset {
                                notification: Notification::shutdown(
                                    peerd_wire::error::subcode::cease::ADMIN_RESET,
                                    &text,
                                ),
                                restart_after: None,
                            })
                            .await;
                        }
                        _ => t.command(SessionCmd::Stop(Some(text))).await,
                    }
                    return;
                }
                Some(c) => t.command(c).await,
                None => return,
            },
            Some(stream) = incoming.recv() => t.accepted(stream).await,
            Some(ev) = event_rx.recv() => t.conn_event(ev).await,
            Some((gen, res)) = connected_rx.recv() => t.connect_done(gen, res).await,
            () = sleep => {
                let out = t.fsm.handle_timeout(Instant::now());
                t.exec(out).await;
            }
        }
    }
}

impl Task {
    /// One line of the log about this session: the neighbor's name and
    /// address and what happened (`event`) as fields.
    fn log(&self, level: Level, event: &'static str, msg: &str) {
        let (neighbor, address) = (&self.nb.name, self.nb.address);
        match level {
            Level::ERROR => {
                tracing::error!(neighbor = %neighbor, %address, event = %event, "{msg}")
            }
            Level::WARN => tracing::warn!(neighbor = %neighbor, %address, event = %event, "{msg}"),
            Level::INFO => tracing::info!(neighbor = %neighbor, %address, event = %event, "{msg}"),
            _ => tracing::debug!(neighbor = %neighbor, %address, event = %event, "{msg}"),
        }
    }

    async fn input(&mut self, i: Input) {
        let out = self.fsm.process(i, Instant::now());
        self.exec(out).await;
    }

    /// Sends encoded messages on the established connection, counting
    /// them by type.
    fn send_raw(&self, msgs: Vec<Vec<u8>>) {
        let Some(conn) = self
            .established
            .and_then(|id| self.conns[slot(id)].as_ref())
        else {
            return;
        };
        for m in msgs {
            self.messages.add(true, m.get(18).copied().unwrap_or(0), 1);
            let _ = conn.tx.send(m);
        }
    }

    async fn command(&mut self, c: SessionCmd) {
        match c {
            SessionCmd::Send(msgs) => {
                self.send_raw(msgs);
            }
            SessionCmd::MaxPrefix { family, limit } => {
                // RFC 4486 §4: AFI, SAFI and the limit as data.
                let mut data = family.afi.to_u16().to_be_bytes().to_vec();
                data.push(family.safi.to_u8());
                data.extend_from_slice(&limit.to_be_bytes());
                let n = Notification::new(
                    code::CEASE,
                    peerd_wire::error::subcode::cease::MAX_PREFIXES,
                    data,
                );
                let action = self
                    .nb
                    .max_prefix
                    .map_or(MaxPrefixAction::Shutdown, |m| m.action);
                self.log(
                    Level::WARN,
                    "max-prefix",
                    &format!("more than {limit} {family} prefixes: {action:?}"),
                );
                status::update(&self.status, self.idx, |s| s.max_prefix_trips += 1);
                match action {
                    MaxPrefixAction::Warn => {}
                    MaxPrefixAction::Shutdown => {
                        self.input(Input::Reset {
                            notification: n,
                            restart_after: None,
                        })
                        .await;
                    }
                    MaxPrefixAction::Restart(d) => {
                        self.input(Input::Reset {
                            notification: n,
                            restart_after: Some(d),
                        })
                        .await;
                    }
                }
            }
            SessionCmd::Stop(text) => {
                self.input(Input::ManualStop {
                    communication: text,
                })
                .await
            }
            SessionCmd::Start => self.input(Input::ManualStart).await,
            SessionCmd::HardReset(text) => {
                let n = match &text {
                    Some(t) => {
                        Notification::shutdown(peerd_wire::error::subcode::cease::ADMIN_RESET, t)
                    }
                    None => Notification::new(
                        code::CEASE,
                        peerd_wire::error::subcode::cease::ADMIN_RESET,
                        Vec::new(),
                    ),
                };
                // RFC 8538 leaves Administrative Reset to the operator: a
                // reset asked for clears the routes on both sides.
                let n = if self.fsm.notifications_are_graceful() {
                    Notification::hard_reset(&n)
                } else {
                    n
                };
                self.log(Level::INFO, "reset", "reset by the operator");
                self.input(Input::Reset {
                    notification: n,
                    restart_after: Some(Duration::from_secs(1)),
                })
                .await;
            }
            SessionCmd::ResendAll => {
                let Some(n) = self.fsm.negotiated() else {
                    return;
                };
                self.log(
                    Level::INFO,
                    "soft-reset",
                    "soft reset out: every route sent again",
                );
                // As if the neighbour had asked for each family (RFC 2918).
                for f in n.families.clone() {
                    let _ = self
                        .engine
                        .send(EngineMsg::Event(Event::RouteRefresh {
                            peer: self.idx,
                            refresh: peerd_wire::RouteRefresh::request(f),
                        }))
                        .await;
                }
            }
            // Handled by the task loop, which ends after it.
            SessionCmd::Exit(_) | SessionCmd::Restart(_) => {}
            SessionCmd::RefreshOrReset => {
                match self.fsm.negotiated().map(|n| n.route_refresh) {
                    None => {} // not established: its next session uses the new policy
                    Some(true) => Box::pin(self.command(SessionCmd::Refresh)).await,
                    Some(false) => {
                        self.log(
                            Level::INFO,
                            "reset",
                            "import policy changed and the neighbor cannot refresh: resetting",
                        );
                        let n = Notification::new(
                            code::CEASE,
                            peerd_wire::error::subcode::cease::OTHER_CONFIG_CHANGE,
                            Vec::new(),
                        );
                        self.input(Input::Reset {
                            notification: n,
                            restart_after: Some(Duration::from_secs(1)),
                        })
                        .await;
                    }
                }
            }
            SessionCmd::Refresh => {
                let Some(n) = self.fsm.negotiated() else {
                    self.log(
                        Level::INFO,
                        "refresh",
                        "route refresh: the session is not established",
                    );
                    return;
                };
                if !n.route_refresh {
                    self.log(
                        Level::WARN,
                        "refresh",
                        "route refresh: the neighbor did not announce the capability",
                    );
                    return;
                }
                let msgs: Vec<Vec<u8>> = n
                    .families
                    .iter()
                    .map(|f| {
                        Message::RouteRefresh(peerd_wire::RouteRefresh::request(*f)).encode(&n.tx)
                    })
                    .collect();
                self.log(
                    Level::INFO,
                    "refresh",
                    &format!("asking for a route refresh of {} families", msgs.len()),
                );
                self.send_raw(msgs);
            }
        }
    }

    fn tag(&mut self, id: ConnId) -> Tag {
        self.serial += 1;
        Tag {
            id,
            serial: self.serial,
        }
    }

    fn attach(&mut self, stream: TcpStream, id: ConnId) -> bool {
        let tag = self.tag(id);
        match conn::start(stream, tag, self.events.clone()) {
            Ok(c) => {
                self.conns[slot(id)] = Some(c);
                true
            }
            Err(e) => {
                self.log(
                    Level::WARN,
                    "connection",
                    &format!("connection setup failed: {e}"),
                );
                false
            }
        }
    }

    async fn accepted(&mut self, stream: TcpStream) {
        if self.nb.ttl_security {
            let _ = sockopt::set_gtsm(&stream, self.nb.address.is_ipv6());
        } else if let Some(h) = self.nb.multihop {
            let _ = sockopt::set_ttl(&stream, self.nb.address.is_ipv6(), h);
        }
        if self.conns[1].is_some() || !self.attach(stream, ConnId::Passive) {
            return;
        }
        self.input(Input::TcpConnected(ConnId::Passive)).await;
    }

    async fn connect_done(&mut self, gen: u64, res: std::io::Result<TcpStream>) {
        if gen != self.connect_gen {
            return; // an attempt we gave up on
        }
        match res {
            Ok(stream) => {
                if self.attach(stream, ConnId::Active) {
                    self.input(Input::TcpConnected(ConnId::Active)).await;
                } else {
                    self.input(Input::TcpFailed(ConnId::Active)).await;
                }
            }
            Err(e) => {
                self.status_error(format!("connect: {e}"));
                self.input(Input::TcpFailed(ConnId::Active)).await;
            }
        }
    }

    fn current(&self, tag: Tag) -> bool {
        self.conns[slot(tag.id)]
            .as_ref()
            .is_some_and(|c| c.tag == tag)
    }

    async fn conn_event(&mut self, ev: ConnEvent) {
        let input = match ev {
            ConnEvent::Frame(tag, bytes) if self.current(tag) => {
                self.messages
                    .add(false, bytes.get(18).copied().unwrap_or(0), 1);
                self.to_mrt(tag.id, &bytes);
                let neg = self.fsm.negotiated();
                let ctx = neg.map_or(DecodeContext::MODERN, |n| n.rx);
                let max = neg.map_or(MAX_MESSAGE_LEN, |n| n.rx.max_message_len());
                if bytes.len() > max {
                    let e = DecodeError::new(code::MESSAGE_HEADER, 2, Reason::BadLength)
                        .with_data((bytes.len() as u16).to_be_bytes());
                    Input::DecodeError(tag.id, e)
                } else {
                    match Message::decode(&bytes, &ctx) {
                        Ok(m) => {
                            if let Message::Notification(n) = &m {
                                let text = words(n, "received");
                                self.log(Level::INFO, "notification-received", &text);
                                status::update(&self.status, self.idx, |s| {
                                    s.last_notification_received = Some(text)
                                });
                            }
                            Input::Message(tag.id, m)
                        }
                        Err(e) => {
                            self.log(Level::WARN, "malformed", &format!("malformed message: {e}"));
                            Input::DecodeError(tag.id, e)
                        }
                    }
                }
            }
            ConnEvent::Error(tag, e) if self.current(tag) => {
                self.log(Level::WARN, "malformed", &format!("bad framing: {e}"));
                Input::DecodeError(tag.id, e)
            }
            ConnEvent::Closed(tag) if self.current(tag) => Input::TcpFailed(tag.id),
            ConnEvent::WriteStalled(tag) if self.current(tag) => Input::WriteStalled(tag.id),
            ConnEvent::WriteProgress(tag) if self.current(tag) => Input::WriteProgress(tag.id),
            _ => return,
        };
        if let Input::Message(_, Message::Update(u)) = &input {
            for e in &u.errors {
                self.log(
                    Level::WARN,
                    "update-error",
                    &format!(
                        "UPDATE attribute {}: {} → {:?}",
                        e.type_code, e.error, e.action
                    ),
                );
            }
        }
        self.input(input).await;
    }

    /// Hands a received message to the MRT writer, if there is one.
    fn to_mrt(&self, id: ConnId, bytes: &[u8]) {
        let (Some(tx), Some(conn)) = (&self.mrt, self.conns[slot(id)].as_ref()) else {
            return;
        };
        let neg = self.fsm.negotiated();
        let session = peerd_mrt::Session {
            peer_as: self.nb.remote_as,
            local_as: self.local_as,
            peer_ip: self.nb.address,
            local_ip: conn.local.ip(),
            // Before the session is up (OPEN): no AS path to read.
            as4: neg.is_none_or(|n| n.rx.four_octet_as),
            add_path: neg.is_some_and(|n| n.add_path_rx != peerd_wire::FamilySet::EMPTY),
        };
        tx.send(crate::mrt_task::Received {
            at: std::time::SystemTime::now(),
            session,
            raw: bytes.to_vec(),
            state: None,
        });
    }

    /// Hands a change of the session's state to the MRT writer, if there
    /// is one (with the address of a connection's local end when there
    /// is a connection).
    fn state_to_mrt(&self, from: peerd_fsm::State, to: peerd_fsm::State) {
        let Some(tx) = &self.mrt else {
            return;
        };
        let code = |s: peerd_fsm::State| match s {
            peerd_fsm::State::Idle => 1,
            peerd_fsm::State::Connect => 2,
            peerd_fsm::State::Active => 3,
            peerd_fsm::State::OpenSent => 4,
            peerd_fsm::State::OpenConfirm => 5,
            peerd_fsm::State::Established => 6,
        };
        let local = self.conns.iter().flatten().next().map_or(
            if self.nb.address.is_ipv6() {
                std::net::IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)
            } else {
                std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
            },
            |c| c.local.ip(),
        );
        tx.send(crate::mrt_task::Received {
            at: std::time::SystemTime::now(),
            session: peerd_mrt::Session {
                peer_as: self.nb.remote_as,
                local_as: self.local_as,
                peer_ip: self.nb.address,
                local_ip: local,
                as4: true,
                add_path: false,
            },
            raw: Vec::new(),
            state: Some((code(from), code(to))),
        });
    }

    fn status_error(&self, e: String) {
        status::update(&self.status, self.idx, |s| s.last_error = Some(e));
    }

    async fn exec(&mut self, outs: Vec<Output>) {
        for o in outs {
            match o {
                Output::Connect => {
                    self.connect_gen += 1;
                    let gen = self.connect_gen;
                    let nb = self.nb.clone();
                    let tx = self.connected.clone();
                    let ebgp = self.ebgp;
                    tokio::spawn(async move {
                        let res = connect(&nb, ebgp).await;
                        let _ = tx.send((gen, res)).await;
                    });
                }
                Output::Send(id, m) => {
                    let ctx = self
                        .fsm
                        .negotiated()
                        .map_or(DecodeContext::MODERN, |n| n.tx);
                    if let Message::Notification(n) = &m {
                        let text = words(n, "sent");
                        self.log(Level::INFO, "notification-sent", &text);
                        status::update(&self.status, self.idx, |s| {
                            s.last_notification_sent = Some(text)
                        });
                    }
                    if let Some(c) = &self.conns[slot(id)] {
                        let bytes = m.encode(&ctx);
                        self.messages
                            .add(true, bytes.get(18).copied().unwrap_or(0), 1);
                        let _ = c.tx.send(bytes);
                    }
                }
                Output::Close(id) => {
                    self.conns[slot(id)] = None;
                    if id == ConnId::Active {
                        self.connect_gen += 1;
                    }
                }
                Output::Established(id, n) => {
                    let local = self.conns[slot(id)].as_ref().map(|c| c.local.ip());
                    self.established = Some(id);
                    self.log(
                        Level::INFO,
                        "established",
                        &format!(
                            "established: AS{} id {}, families {}",
                            n.peer_as,
                            n.peer_id,
                            n.families
                                .iter()
                                .map(|f| f.to_string())
                                .collect::<Vec<_>>()
                                .join(" ")
                        ),
                    );
                    let host = n.peer_hostname.as_ref().map(|h| h.0.clone());
                    let fams: Vec<String> = n.families.iter().map(|f| f.to_string()).collect();
                    let info = status::SessionInfo::of(&n);
                    status::update(&self.status, self.idx, |s| {
                        s.last_error = None;
                        s.hostname = host;
                        s.families = fams;
                        s.session = Some(info);
                    });
                    if let Some(local_addr) = local {
                        let _ = self
                            .engine
                            .send(EngineMsg::Event(Event::PeerUp {
                                peer: self.idx,
                                negotiated: n,
                                local_addr,
                            }))
                            .await;
                    }
                }
                Output::Update(update) => {
                    let _ = self
                        .engine
                        .send(EngineMsg::Event(Event::Update {
                            peer: self.idx,
                            update,
                        }))
                        .await;
                }
                Output::RouteRefresh(refresh) => {
                    self.log(
                        Level::INFO,
                        "refresh-received",
                        &format!(
                            "route refresh received: {} {:?}",
                            refresh.family, refresh.subtype
                        ),
                    );
                    let _ = self
                        .engine
                        .send(EngineMsg::Event(Event::RouteRefresh {
                            peer: self.idx,
                            refresh,
                        }))
                        .await;
                }
                Output::Down {
                    reason,
                    graceful_restart,
                } => {
                    self.established = None;
                    let text = describe(&reason);
                    self.log(Level::INFO, "down", &format!("down: {text}"));
                    self.status_error(text);
                    status::update(&self.status, self.idx, |s| {
                        s.flaps += 1;
                        s.session = None;
                    });
                    let _ = self
                        .engine
                        .send(EngineMsg::Event(Event::PeerDown {
                            peer: self.idx,
                            graceful_restart,
                        }))
                        .await;
                }
                Output::StateChanged { from, to } => {
                    self.state_to_mrt(from, to);
                    status::update(&self.status, self.idx, |s| {
                        s.state = to;
                        s.since = Instant::now();
                    });
                    if let Some(r) = self
                        .fsm
                        .last_down()
                        .filter(|_| to == peerd_fsm::State::Idle)
                    {
                        let text = describe(r);
                        self.status_error(text);
                    }
                }
            }
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A reason as operators read it, with the RFC 9003 text when there is one.
/// A NOTIFICATION in words: code and subcode by name, the shutdown
/// communication (RFC 9003) or the one a Hard Reset wraps (RFC 8538).
fn words(n: &Notification, dir: &str) -> String {
    let mut s = format!(
        "{dir} NOTIFICATION {}/{} {}",
        n.code,
        n.subcode,
        peerd_wire::message::notification::describe(n.code, n.subcode)
    );
    match n.shutdown_communication() {
        Some(Ok(t)) => s.push_str(&format!(": {t:?}")),
        // RFC 9003 §5: a malformed communication is logged, not shown as text.
        Some(Err(e)) => s.push_str(&format!(
            ": malformed shutdown communication ({e:?}), data {}",
            hex(&n.data)
        )),
        None => {}
    }
    // RFC 8538: a Hard Reset wraps the NOTIFICATION that caused it.
    if let Some(inner) = n.hard_reset_inner() {
        s.push_str(&format!(
            " ({}/{} {}",
            inner.code,
            inner.subcode,
            peerd_wire::message::notification::describe(inner.code, inner.subcode)
        ));
        if let Some(Ok(t)) = inner.shutdown_communication() {
            s.push_str(&format!(": {t:?}"));
        }
        s.push(')');
    }
    s
}

fn describe(r: &DownReason) -> String {
    match r {
        DownReason::Sent(x) => words(x, "sent"),
        DownReason::Received(x) => words(x, "received"),
        DownReason::TcpFailed => "TCP connection closed".into(),
        DownReason::Stopped => "administratively stopped".into(),
    }
}

/// Opens a TCP connection to the neighbour with its socket options.
async fn connect(nb: &Neighbor, ebgp: bool) -> std::io::Result<TcpStream> {
    let v6 = nb.address.is_ipv6();
    let peer = match (nb.address, &nb.interface) {
        (IpAddr::V6(a), Some(ifname)) => SocketAddr::V6(SocketAddrV6::new(
            a,
            nb.port,
            0,
            sockopt::ifindex(ifname).unwrap_or(0),
        )),
        (a, _) => SocketAddr::new(a, nb.port),
    };
    let sock = if v6 {
        TcpSocket::new_v6()?
    } else {
        TcpSocket::new_v4()?
    };
    if let Some(local) = nb.local_address {
        sock.bind(SocketAddr::new(local, 0))?;
    }
    if let Some(key) = &nb.password {
        sockopt::set_md5(&sock, nb.address, key.as_bytes())?;
    }
    if nb.ttl_security {
        sockopt::set_gtsm(&sock, v6)?;
    } else if let Some(h) = nb.multihop {
        sockopt::set_ttl(&sock, v6, h)?;
    } else if ebgp {
        // A directly connected eBGP neighbour (RFC 4271 §5.1.3 spirit; as BIRD and FRR do).
        sockopt::set_ttl(&sock, v6, 1)?;
    }
    match tokio::time::timeout(
        nb.connect_retry.min(Duration::from_secs(30)),
        sock.connect(peer),
    )
    .await
    {
        Ok(r) => r,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "connect timed out",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shutdown communication comes from the neighbour: shown in words,
    /// with whatever could break a log line (a newline, a quote) escaped.
    #[test]
    fn notifications_in_words_escape_the_neighbors_text() {
        let n = Notification::shutdown(2, "maintenance\nfake line \"x\"");
        let w = words(&n, "received");
        assert_eq!(
            w,
            "received NOTIFICATION 6/2 Cease / Administrative Shutdown: \"maintenance\\nfake line \\\"x\\\"\""
        );
        assert!(!w.contains('\n'));
        let hard = words(&Notification::hard_reset(&n), "sent");
        assert!(
            hard.starts_with("sent NOTIFICATION 6/9 Cease / Hard Reset (6/2 Cease / Administrative Shutdown: \"maintenance\\n"),
            "{hard}"
        );
    }
}
