//! The session state machine (RFC 4271 §8), sans-IO.
//!
//! A session owns up to two TCP connections, one we opened ([`ConnId::Active`])
//! and one the peer opened ([`ConnId::Passive`]), so that a connection
//! collision (§6.8) is resolved by the rules rather than by timing. The
//! transport feeds in connection events and decoded messages
//! ([`Input`]); the session answers with [`Output`]s: connections to open or
//! close, messages to send, and what the routing engine must know. Time is
//! an input: [`Session::poll_timeout`] says when to call
//! [`Session::handle_timeout`].
//!
//! What we do where the RFC leaves a choice:
//! - after an error, automatic restart waits an IdleHold time that doubles on
//!   each consecutive failure (§8.1.1 DampPeerOscillations), jittered, reset
//!   once a session has stayed up longer than the longest wait;
//! - a plain failure to connect is not a flap: we retry on ConnectRetry;
//! - an AFI/SAFI-disable outcome (RFC 7606) resets the session, as FRR and
//!   BIRD do, since one session carries every family;
//! - the send-hold timer (RFC 9687) defaults to the larger of 8 minutes and
//!   twice the hold time.

use crate::config::{GracefulRestartConfig, PeerConfig};
use crate::negotiate::{negotiate, our_open, Negotiated};
use crate::timer::{Jitter, Timer, Timers};
use peerd_wire::error::{code, subcode};
use peerd_wire::{AttrAction, DecodeError, Message, Notification, Open, RouteRefresh, Update};
use std::time::{Duration, Instant};

/// Which of the two connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnId {
    /// The connection we opened.
    Active,
    /// The connection the peer opened.
    Passive,
}

impl ConnId {
    fn idx(self) -> usize {
        match self {
            ConnId::Active => 0,
            ConnId::Passive => 1,
        }
    }

    fn other(self) -> ConnId {
        match self {
            ConnId::Active => ConnId::Passive,
            ConnId::Passive => ConnId::Active,
        }
    }
}

/// Session states (RFC 4271 §8.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Refusing connections; waiting for a start or the IdleHold timer.
    Idle,
    /// Trying to connect out.
    Connect,
    /// Waiting for the peer to connect (or for ConnectRetry).
    Active,
    /// OPEN sent, waiting for the peer's.
    OpenSent,
    /// OPENs exchanged, waiting for KEEPALIVE.
    OpenConfirm,
    /// Up.
    Established,
}

/// Events from the transport and the operator (RFC 4271 §8.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Event 1/4: start (passive when configured so).
    ManualStart,
    /// Event 2: stop, with an optional RFC 9003 shutdown communication.
    ManualStop {
        /// Text shown to the peer's operator.
        communication: Option<String>,
    },
    /// Tear the session down with this NOTIFICATION (max-prefix, RFC 4486):
    /// restart automatically after `restart_after`, or stay down.
    Reset {
        /// What to send.
        notification: Notification,
        /// When to come back, if at all.
        restart_after: Option<Duration>,
    },
    /// Events 16/17: a TCP connection is up (ours completed, or the peer's accepted).
    TcpConnected(ConnId),
    /// Event 18: a TCP connection failed or closed.
    TcpFailed(ConnId),
    /// Events 19-28: a decoded message.
    Message(ConnId, Message),
    /// Events 21/22/28: a message that failed to decode (the NOTIFICATION to send).
    DecodeError(ConnId, DecodeError),
    /// The transport could not write for a while (starts the RFC 9687 send-hold timer).
    WriteStalled(ConnId),
    /// The transport wrote again (stops the send-hold timer).
    WriteProgress(ConnId),
}

/// Why an established session (or an attempt) ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownReason {
    /// We sent this NOTIFICATION.
    Sent(Notification),
    /// The peer sent this NOTIFICATION.
    Received(Notification),
    /// The TCP connection failed or closed.
    TcpFailed,
    /// The operator stopped the session.
    Stopped,
}

/// What the session asks of the transport and the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a TCP connection to the peer (it becomes [`ConnId::Active`]).
    Connect,
    /// Send a message on a connection.
    Send(ConnId, Message),
    /// Close a connection (after sending what was queued).
    Close(ConnId),
    /// The session is up on this connection.
    Established(ConnId, Box<Negotiated>),
    /// A route update for the engine (RFC 7606 outcomes already applied to
    /// the attribute list; treat-as-withdraw is for the engine to carry out).
    Update(Update),
    /// The peer asked for our routes again (RFC 2918, RFC 7313 subtypes).
    RouteRefresh(RouteRefresh),
    /// The established session went down. `graceful_restart` is the peer's
    /// restart time when its routes should be kept as stale (RFC 4724 helper,
    /// RFC 8538 for NOTIFICATIONs).
    Down {
        /// Why.
        reason: DownReason,
        /// How long to keep the peer's routes as stale, if at all.
        graceful_restart: Option<Duration>,
    },
    /// The session state changed.
    StateChanged {
        /// Before.
        from: State,
        /// After.
        to: State,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnState {
    /// TCP connect in progress (active slot only).
    Connecting,
    /// TCP up, DelayOpen timer running.
    DelayOpen,
    OpenSent,
    OpenConfirm,
    Established,
}

#[derive(Debug, Clone)]
struct Conn {
    state: ConnState,
    timers: Timers,
    negotiated: Option<Box<Negotiated>>,
}

impl Conn {
    fn new(state: ConnState) -> Self {
        Conn {
            state,
            timers: Timers::default(),
            negotiated: None,
        }
    }
}

/// Hold time while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes).
const OPEN_HOLD: Duration = Duration::from_secs(240);

/// One BGP session.
#[derive(Debug, Clone)]
pub struct Session {
    cfg: PeerConfig,
    open: Open,
    conns: [Option<Conn>; 2],
    timers: Timers,
    jitter: Jitter,
    /// Started by the operator (automatic restarts allowed).
    started: bool,
    /// Waiting out IdleHold, or not started.
    idle: bool,
    flaps: u32,
    established_at: Option<Instant>,
    last_down: Option<DownReason>,
}

impl Session {
    /// A stopped session.
    pub fn new(cfg: PeerConfig) -> Self {
        let open = our_open(&cfg);
        let jitter = Jitter::new(cfg.jitter_seed);
        Session {
            cfg,
            open,
            conns: [None, None],
            timers: Timers::default(),
            jitter,
            started: false,
            idle: true,
            flaps: 0,
            established_at: None,
            last_down: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PeerConfig {
        &self.cfg
    }

    /// Changes the graceful-restart capability of the OPENs sent from now
    /// on (the restart state and forwarding state change while we run).
    pub fn set_graceful_restart(&mut self, gr: Option<GracefulRestartConfig>) {
        if self.cfg.graceful_restart != gr {
            self.cfg.graceful_restart = gr;
            self.open = our_open(&self.cfg);
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        if self.idle {
            return State::Idle;
        }
        let mut best = None;
        for c in self.conns.iter().flatten() {
            let s = match c.state {
                ConnState::Established => State::Established,
                ConnState::OpenConfirm => State::OpenConfirm,
                ConnState::OpenSent => State::OpenSent,
                ConnState::Connecting | ConnState::DelayOpen => State::Connect,
            };
            best = best.max(Some(s));
        }
        match best {
            Some(State::Connect) if self.conns[1].is_some() && self.conns[0].is_none() => {
                State::Active
            }
            Some(s) => s,
            None => State::Active,
        }
    }

    /// What was agreed, while established.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.conns
            .iter()
            .flatten()
            .find(|c| c.state == ConnState::Established)
            .and_then(|c| c.negotiated.as_deref())
    }

    /// When the session last came up, if it is up.
    pub fn established_at(&self) -> Option<Instant> {
        self.established_at
    }

    /// Why the session last went down.
    pub fn last_down(&self) -> Option<&DownReason> {
        self.last_down.as_ref()
    }

    /// Consecutive failures (drives the IdleHold backoff).
    pub fn flaps(&self) -> u32 {
        self.flaps
    }

    /// The next instant at which [`Session::handle_timeout`] must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut next = self.timers.next().map(|x| x.0);
        for c in self.conns.iter().flatten() {
            if let Some((d, _)) = c.timers.next() {
                next = Some(next.map_or(d, |n| n.min(d)));
            }
        }
        next
    }

    /// Feeds one input.
    pub fn process(&mut self, input: Input, now: Instant) -> Vec<Output> {
        let before = self.state();
        let mut out = Vec::new();
        match input {
            Input::ManualStart => {
                if !self.started {
                    self.started = true;
                    self.flaps = 0;
                    self.begin(now, &mut out);
                }
            }
            Input::ManualStop { communication } => self.stop(communication, &mut out),
            Input::Reset {
                notification,
                restart_after,
            } => self.reset(notification, restart_after, now, &mut out),
            Input::TcpConnected(id) => self.tcp_connected(id, now, &mut out),
            Input::TcpFailed(id) => self.tcp_failed(id, now, &mut out),
            Input::Message(id, m) => self.message(id, m, now, &mut out),
            Input::DecodeError(id, e) => {
                if self.conns[id.idx()].is_some() {
                    self.fail_conn(id, Notification::from(&e), now, &mut out);
                }
            }
            Input::WriteStalled(id) => {
                let t = self.send_hold_time();
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    if !c.timers.is_running(Timer::SendHold) {
                        c.timers.start(Timer::SendHold, now, t);
                    }
                }
            }
            Input::WriteProgress(id) => {
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    c.timers.stop(Timer::SendHold);
                }
            }
        }
        self.note_state(before, &mut out);
        out
    }

    /// Handles every timer that has expired by `now`.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Output> {
        let before = self.state();
        let mut out = Vec::new();
        // Bounded: each pass stops the timer it handles.
        for _ in 0..32 {
            if let Some(t) = self.timers.take_expired(now) {
                self.session_timer(t, now, &mut out);
                continue;
            }
            let mut fired = None;
            for id in [ConnId::Active, ConnId::Passive] {
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    if let Some(t) = c.timers.take_expired(now) {
                        fired = Some((id, t));
                        break;
                    }
                }
            }
            match fired {
                Some((id, t)) => self.conn_timer(id, t, now, &mut out),
                None => break,
            }
        }
        self.note_state(before, &mut out);
        out
    }

    fn note_state(&self, before: State, out: &mut Vec<Output>) {
        let after = self.state();
        if after != before {
            out.push(Output::StateChanged {
                from: before,
                to: after,
            });
        }
    }

    fn send_hold_time(&self) -> Duration {
        self.cfg.send_hold_time.unwrap_or_else(|| {
            let hold = self
                .negotiated()
                .map_or(self.cfg.hold_time, |n| n.hold_time);
            Duration::from_secs(480).max(Duration::from_secs(2 * u64::from(hold)))
        })
    }

    /// Leaves Idle: connect out, or wait for the peer when passive.
    fn begin(&mut self, now: Instant, out: &mut Vec<Output>) {
        self.idle = false;
        self.timers.stop(Timer::IdleHold);
        if !self.cfg.passive {
            self.connect(now, out);
        }
    }

    fn connect(&mut self, now: Instant, out: &mut Vec<Output>) {
        self.conns[ConnId::Active.idx()] = Some(Conn::new(ConnState::Connecting));
        out.push(Output::Connect);
        let t = self.jitter.apply(self.cfg.connect_retry);
        self.timers.start(Timer::ConnectRetry, now, t);
    }

    fn stop(&mut self, communication: Option<String>, out: &mut Vec<Output>) {
        let n = match communication {
            Some(text) => Notification::shutdown(subcode::cease::ADMIN_SHUTDOWN, &text),
            None => Notification::new(code::CEASE, subcode::cease::ADMIN_SHUTDOWN, Vec::new()),
        };
        for id in [ConnId::Active, ConnId::Passive] {
            if let Some(c) = self.conns[id.idx()].take() {
                if matches!(
                    c.state,
                    ConnState::OpenSent | ConnState::OpenConfirm | ConnState::Established
                ) {
                    let n = self.as_sent(&c, &n);
                    out.push(Output::Send(id, Message::Notification(n)));
                }
                out.push(Output::Close(id));
                if c.state == ConnState::Established {
                    self.down(DownReason::Stopped, None, out);
                }
            }
        }
        self.timers.stop_all();
        self.started = false;
        self.idle = true;
    }

    fn reset(
        &mut self,
        n: Notification,
        restart_after: Option<Duration>,
        now: Instant,
        out: &mut Vec<Output>,
    ) {
        for id in [ConnId::Active, ConnId::Passive] {
            if let Some(c) = self.conns[id.idx()].take() {
                let n = self.as_sent(&c, &n);
                if c.state != ConnState::Connecting {
                    out.push(Output::Send(id, Message::Notification(n.clone())));
                }
                out.push(Output::Close(id));
                if c.state == ConnState::Established {
                    self.down(DownReason::Sent(n), None, out);
                }
            }
        }
        self.timers.stop_all();
        self.idle = true;
        self.established_at = None;
        match restart_after {
            Some(d) if self.started => self.timers.start(Timer::IdleHold, now, d),
            _ => self.started = false,
        }
    }

    fn send_open(&mut self, id: ConnId, now: Instant, out: &mut Vec<Output>) {
        out.push(Output::Send(id, Message::Open(self.open.clone())));
        if let Some(c) = self.conns[id.idx()].as_mut() {
            c.state = ConnState::OpenSent;
            c.timers.stop(Timer::DelayOpen);
            c.timers.start(Timer::Hold, now, OPEN_HOLD);
        }
    }

    fn tcp_connected(&mut self, id: ConnId, now: Instant, out: &mut Vec<Output>) {
        match id {
            ConnId::Active => {
                if !matches!(
                    self.conns[0].as_ref().map(|c| c.state),
                    Some(ConnState::Connecting)
                ) {
                    // A connection we no longer want.
                    out.push(Output::Close(id));
                    return;
                }
                self.timers.stop(Timer::ConnectRetry);
            }
            ConnId::Passive => {
                let established = self
                    .conns
                    .iter()
                    .flatten()
                    .any(|c| c.state == ConnState::Established);
                // RFC 4271 §8.2.2: Idle refuses connections. §6.8: a
                // connection colliding with an established one is closed.
                if self.idle || self.conns[1].is_some() || established {
                    out.push(Output::Close(id));
                    return;
                }
                self.conns[1] = Some(Conn::new(ConnState::Connecting));
            }
        }
        match self.cfg.delay_open {
            Some(d) => {
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    c.state = ConnState::DelayOpen;
                    c.timers.start(Timer::DelayOpen, now, d);
                }
            }
            None => self.send_open(id, now, out),
        }
    }

    fn tcp_failed(&mut self, id: ConnId, now: Instant, out: &mut Vec<Output>) {
        let Some(c) = self.conns[id.idx()].take() else {
            return;
        };
        out.push(Output::Close(id));
        if c.state == ConnState::Established {
            let gr = self.graceful_restart(&c, None);
            self.down(DownReason::TcpFailed, gr, out);
            self.failure(now);
        } else if self.conns[id.other().idx()].is_none() && !self.idle {
            // Connect/OpenSent/OpenConfirm + TcpConnectionFails: back to
            // Active, retry on ConnectRetry (RFC 4271 §8.2.2).
            if !self.cfg.passive && !self.timers.is_running(Timer::ConnectRetry) {
                let t = self.jitter.apply(self.cfg.connect_retry);
                self.timers.start(Timer::ConnectRetry, now, t);
            }
        }
    }

    fn message(&mut self, id: ConnId, m: Message, now: Instant, out: &mut Vec<Output>) {
        let Some(state) = self.conns[id.idx()].as_ref().map(|c| c.state) else {
            return;
        };
        match (m, state) {
            (Message::Notification(n), _) => {
                // Never answer a NOTIFICATION (RFC 4271 §6.4).
                let c = self.conns[id.idx()].take();
                out.push(Output::Close(id));
                if let Some(c) = c.filter(|c| c.state == ConnState::Established) {
                    let gr = self.graceful_restart(&c, Some(&n));
                    self.down(DownReason::Received(n), gr, out);
                } else {
                    self.last_down = Some(DownReason::Received(n));
                }
                if self.conns[id.other().idx()].is_none() {
                    self.failure(now);
                }
            }
            (Message::Open(o), ConnState::DelayOpen | ConnState::OpenSent) => {
                if state == ConnState::DelayOpen {
                    // Event 20: the peer's OPEN while DelayOpen runs.
                    self.send_open(id, now, out);
                }
                self.open_received(id, o, now, out);
            }
            (Message::Keepalive, ConnState::OpenConfirm) => {
                let Some(c) = self.conns[id.idx()].as_mut() else {
                    return;
                };
                c.state = ConnState::Established;
                if let Some(n) = c.negotiated.clone() {
                    restart_hold(c, n.hold_time, now);
                    out.push(Output::Established(id, n));
                }
                self.established_at = Some(now);
                // The other connection, if any, lost (RFC 4271 §6.8).
                if let Some(other) = self.conns[id.other().idx()].take() {
                    if matches!(other.state, ConnState::OpenSent | ConnState::OpenConfirm) {
                        let n = Notification::new(
                            code::CEASE,
                            subcode::cease::CONNECTION_COLLISION,
                            Vec::new(),
                        );
                        out.push(Output::Send(id.other(), Message::Notification(n)));
                    }
                    out.push(Output::Close(id.other()));
                }
                self.timers.stop(Timer::ConnectRetry);
            }
            (Message::Keepalive, ConnState::Established) => {
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    let hold = c.negotiated.as_ref().map_or(0, |n| n.hold_time);
                    restart_hold(c, hold, now);
                }
            }
            (Message::Update(u), ConnState::Established) => {
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    let hold = c.negotiated.as_ref().map_or(0, |n| n.hold_time);
                    restart_hold(c, hold, now);
                }
                if let Some(e) = u
                    .errors
                    .iter()
                    .filter(|e| e.action >= AttrAction::AfiSafiDisable)
                    .max_by_key(|e| e.action)
                {
                    let n = Notification::from(&e.error);
                    self.fail_conn(id, n, now, out);
                } else {
                    out.push(Output::Update(u));
                }
            }
            (Message::RouteRefresh(r), ConnState::Established) => {
                let enhanced = self.negotiated().is_some_and(|n| n.enhanced_route_refresh);
                if enhanced {
                    if let Err(e) = r.check_enhanced() {
                        self.fail_conn(id, Notification::from(&e), now, out);
                        return;
                    }
                }
                if let Some(c) = self.conns[id.idx()].as_mut() {
                    let hold = c.negotiated.as_ref().map_or(0, |n| n.hold_time);
                    restart_hold(c, hold, now);
                }
                out.push(Output::RouteRefresh(r));
            }
            (_, s) => {
                // RFC 6608: an unexpected message earns an FSM error naming the state.
                let sub = match s {
                    ConnState::OpenSent | ConnState::DelayOpen | ConnState::Connecting => 1,
                    ConnState::OpenConfirm => 2,
                    ConnState::Established => 3,
                };
                self.fail_conn(id, Notification::new(code::FSM, sub, Vec::new()), now, out);
            }
        }
    }

    fn open_received(&mut self, id: ConnId, theirs: Open, now: Instant, out: &mut Vec<Output>) {
        let n = match negotiate(&self.cfg, &self.open, &theirs) {
            Ok(n) => n,
            Err(e) => {
                self.fail_conn(id, Notification::from(&e), now, out);
                return;
            }
        };
        // Connection collision (RFC 4271 §6.8): the connection opened by the
        // speaker with the higher BGP identifier survives.
        let other = id.other();
        if self.conns[other.idx()]
            .as_ref()
            .is_some_and(|c| c.state == ConnState::OpenConfirm)
        {
            let local_wins = u32::from(self.cfg.router_id) > u32::from(n.peer_id);
            let loser = if local_wins {
                ConnId::Passive
            } else {
                ConnId::Active
            };
            let cease = Notification::new(
                code::CEASE,
                subcode::cease::CONNECTION_COLLISION,
                Vec::new(),
            );
            self.conns[loser.idx()] = None;
            out.push(Output::Send(loser, Message::Notification(cease)));
            out.push(Output::Close(loser));
            if loser == id {
                return;
            }
        }
        let keepalive = n.keepalive;
        let hold = n.hold_time;
        out.push(Output::Send(id, Message::Keepalive));
        let jittered = keepalive.map(|k| self.jitter.apply(k));
        if let Some(c) = self.conns[id.idx()].as_mut() {
            c.state = ConnState::OpenConfirm;
            restart_hold(c, hold, now);
            if let Some(k) = jittered {
                c.timers.start(Timer::Keepalive, now, k);
            }
            c.negotiated = Some(Box::new(n));
        }
    }

    /// Sends `n` on the connection, closes it, and handles the consequences.
    fn fail_conn(&mut self, id: ConnId, n: Notification, now: Instant, out: &mut Vec<Output>) {
        let Some(c) = self.conns[id.idx()].take() else {
            return;
        };
        if c.state != ConnState::Connecting {
            out.push(Output::Send(id, Message::Notification(n.clone())));
        }
        out.push(Output::Close(id));
        if c.state == ConnState::Established {
            let gr = self.graceful_restart(&c, Some(&n));
            self.down(DownReason::Sent(n), gr, out);
        } else {
            self.last_down = Some(DownReason::Sent(n));
        }
        if self.conns[id.other().idx()].is_none() {
            self.failure(now);
        }
    }

    fn down(
        &mut self,
        reason: DownReason,
        graceful_restart: Option<Duration>,
        out: &mut Vec<Output>,
    ) {
        self.last_down = Some(reason.clone());
        out.push(Output::Down {
            reason,
            graceful_restart,
        });
    }

    /// Whether both sides have set the N bit on connection `c` (RFC 8538):
    /// we do whenever we do graceful restart.
    fn both_n(&self, c: &Conn) -> bool {
        self.cfg.graceful_restart.is_some()
            && c.negotiated
                .as_ref()
                .and_then(|n| n.peer_graceful_restart.as_ref())
                .is_some_and(|g| g.flags & 0x4 != 0)
    }

    /// Whether both sides have set the N bit on the established session.
    pub fn notifications_are_graceful(&self) -> bool {
        self.conns
            .iter()
            .flatten()
            .find(|c| c.state == ConnState::Established)
            .is_some_and(|c| self.both_n(c))
    }

    /// `n` as it goes out on `c`: with both N bits, a Cease that should
    /// clear the neighbour's routes goes as a Hard Reset, else the
    /// neighbour would keep them as stale (RFC 8538 §5).
    fn as_sent(&self, c: &Conn, n: &Notification) -> Notification {
        if self.both_n(c) && n.wants_hard_reset() {
            Notification::hard_reset(n)
        } else {
            n.clone()
        }
    }

    /// Whether the peer's routes are kept as stale (RFC 4724 §4.2; RFC 8538
    /// §3 extends it to NOTIFICATIONs other than Hard Reset when both sides
    /// set the N bit).
    fn graceful_restart(&self, c: &Conn, n: Option<&Notification>) -> Option<Duration> {
        self.cfg.graceful_restart?;
        let neg = c.negotiated.as_ref()?;
        let gr = neg.peer_graceful_restart.as_ref()?;
        let kept = match n {
            None => true,
            Some(n) => {
                let both_n = gr.flags & 0x4 != 0;
                both_n && !(n.code == code::CEASE && n.subcode == subcode::cease::HARD_RESET)
            }
        };
        kept.then(|| Duration::from_secs(u64::from(gr.restart_time)))
    }

    /// After an error: wait IdleHold (doubling per consecutive failure), then
    /// restart automatically.
    fn failure(&mut self, now: Instant) {
        for c in self.conns.iter_mut() {
            *c = None;
        }
        self.timers.stop_all();
        if let Some(t) = self.established_at.take() {
            if now.saturating_duration_since(t) > self.cfg.idle_hold.max {
                self.flaps = 0;
            }
        }
        self.idle = true;
        if !self.started {
            return;
        }
        self.flaps = self.flaps.saturating_add(1);
        let exp = self.flaps.saturating_sub(1).min(16);
        let wait = self
            .cfg
            .idle_hold
            .initial
            .saturating_mul(1 << exp)
            .min(self.cfg.idle_hold.max);
        let wait = self.jitter.apply(wait);
        self.timers.start(Timer::IdleHold, now, wait);
    }

    fn session_timer(&mut self, t: Timer, now: Instant, out: &mut Vec<Output>) {
        match t {
            Timer::IdleHold if self.started => self.begin(now, out),
            Timer::ConnectRetry => {
                if self.idle || self.cfg.passive {
                    return;
                }
                match self.conns[0].as_ref().map(|c| c.state) {
                    Some(ConnState::Connecting) => {
                        // Give up on this attempt and try again.
                        out.push(Output::Close(ConnId::Active));
                        self.connect(now, out);
                    }
                    None => self.connect(now, out),
                    Some(_) => {}
                }
            }
            _ => {}
        }
    }

    fn conn_timer(&mut self, id: ConnId, t: Timer, now: Instant, out: &mut Vec<Output>) {
        match t {
            Timer::Hold => {
                let n = Notification::new(code::HOLD_TIMER_EXPIRED, 0, Vec::new());
                self.fail_conn(id, n, now, out);
            }
            Timer::Keepalive => {
                let k = self.conns[id.idx()]
                    .as_ref()
                    .and_then(|c| c.negotiated.as_ref())
                    .and_then(|n| n.keepalive);
                if let Some(k) = k {
                    out.push(Output::Send(id, Message::Keepalive));
                    let k = self.jitter.apply(k);
                    if let Some(c) = self.conns[id.idx()].as_mut() {
                        c.timers.start(Timer::Keepalive, now, k);
                    }
                }
            }
            Timer::DelayOpen => self.send_open(id, now, out),
            Timer::SendHold => {
                let n = Notification::new(code::SEND_HOLD_TIMER_EXPIRED, 0, Vec::new());
                self.fail_conn(id, n, now, out);
            }
            Timer::ConnectRetry | Timer::IdleHold => {}
        }
    }
}

fn restart_hold(c: &mut Conn, hold: u16, now: Instant) {
    if hold == 0 {
        c.timers.stop(Timer::Hold);
    } else {
        c.timers
            .start(Timer::Hold, now, Duration::from_secs(u64::from(hold)));
    }
}
