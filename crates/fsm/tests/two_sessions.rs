//! Two sessions driven against each other on a simulated clock, every
//! message going through the real encoder and decoder, as it would on a wire.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_fsm::{ConnId, DownReason, Input, Output, PeerConfig, Session, State};
use peerd_wire::{DecodeContext, Message};
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    X,
    Y,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::X => Side::Y,
            Side::Y => Side::X,
        }
    }
}

/// Two sessions and the wire between them. A connection opened by one side
/// is that side's `Active` and the other's `Passive`.
struct Net {
    x: Session,
    y: Session,
    now: Instant,
    queue: VecDeque<(Side, Input)>,
    /// Open links, by the side that initiated them.
    links: Vec<Side>,
    log: Vec<(Side, Output)>,
    /// Refuse connections opened by this side (to test one-way reachability).
    blocked: Option<Side>,
}

const CTX: DecodeContext = DecodeContext {
    four_octet_as: true,
    add_path: peerd_wire::FamilySet::EMPTY,
    extended_message: true,
};

impl Net {
    fn new(x: PeerConfig, y: PeerConfig) -> Net {
        Net {
            x: Session::new(x),
            y: Session::new(y),
            now: Instant::now(),
            queue: VecDeque::new(),
            links: Vec::new(),
            log: Vec::new(),
            blocked: None,
        }
    }

    fn session(&mut self, s: Side) -> &mut Session {
        match s {
            Side::X => &mut self.x,
            Side::Y => &mut self.y,
        }
    }

    /// The initiator of the link that `side` calls `conn`.
    fn initiator(side: Side, conn: ConnId) -> Side {
        match conn {
            ConnId::Active => side,
            ConnId::Passive => side.other(),
        }
    }

    fn handle(&mut self, side: Side, outputs: Vec<Output>) {
        for o in outputs {
            match &o {
                Output::Connect => {
                    if self.blocked == Some(side) || self.links.contains(&side) {
                        self.queue
                            .push_back((side, Input::TcpFailed(ConnId::Active)));
                    } else {
                        self.links.push(side);
                        self.queue
                            .push_back((side, Input::TcpConnected(ConnId::Active)));
                        self.queue
                            .push_back((side.other(), Input::TcpConnected(ConnId::Passive)));
                    }
                }
                Output::Send(conn, m) => {
                    let link = Self::initiator(side, *conn);
                    if self.links.contains(&link) {
                        // Over the wire: encode, then decode on the other side.
                        let bytes = m.encode(&CTX);
                        let back = Message::decode(&bytes, &CTX).unwrap();
                        let their = if link == side.other() {
                            ConnId::Active
                        } else {
                            ConnId::Passive
                        };
                        self.queue
                            .push_back((side.other(), Input::Message(their, back)));
                    }
                }
                Output::Close(conn) => {
                    let link = Self::initiator(side, *conn);
                    if let Some(i) = self.links.iter().position(|l| *l == link) {
                        self.links.remove(i);
                        let their = if link == side.other() {
                            ConnId::Active
                        } else {
                            ConnId::Passive
                        };
                        self.queue
                            .push_back((side.other(), Input::TcpFailed(their)));
                    }
                }
                _ => {}
            }
            self.log.push((side, o));
        }
    }

    fn input(&mut self, side: Side, i: Input) {
        let now = self.now;
        let out = self.session(side).process(i, now);
        self.handle(side, out);
    }

    /// Delivers queued events, then advances the clock to each deadline, until `until`.
    fn run_until(&mut self, until: Instant) {
        loop {
            while let Some((side, i)) = self.queue.pop_front() {
                self.input(side, i);
            }
            let next = [self.x.poll_timeout(), self.y.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    self.now = self.now.max(t);
                    for side in [Side::X, Side::Y] {
                        let now = self.now;
                        let out = self.session(side).handle_timeout(now);
                        self.handle(side, out);
                    }
                }
                _ => {
                    self.now = self.now.max(until);
                    return;
                }
            }
        }
    }

    fn count(&self, side: Side, f: impl Fn(&Output) -> bool) -> usize {
        self.log.iter().filter(|(s, o)| *s == side && f(o)).count()
    }
}

fn pair() -> (PeerConfig, PeerConfig) {
    let x = PeerConfig::new(64500, Ipv4Addr::new(192, 0, 2, 1), 64501);
    let mut y = PeerConfig::new(64501, Ipv4Addr::new(192, 0, 2, 2), 64500);
    y.jitter_seed = 99;
    (x, y)
}

#[test]
fn two_sessions_come_up_and_stay_up_for_many_hold_times() {
    let (x, mut y) = pair();
    y.passive = true;
    let mut net = Net::new(x, y);
    net.input(Side::Y, Input::ManualStart);
    net.input(Side::X, Input::ManualStart);
    let t0 = net.now;
    net.run_until(t0 + Duration::from_secs(1));
    assert_eq!(
        (net.x.state(), net.y.state()),
        (State::Established, State::Established)
    );
    let n = net.x.negotiated().unwrap();
    assert_eq!((n.peer_as, n.hold_time), (64501, 90));
    assert!(n.extended_message && n.four_octet_as && n.enhanced_route_refresh);
    // Ten hold times: keepalives alone keep both sides up.
    net.run_until(t0 + Duration::from_secs(900));
    assert_eq!(
        (net.x.state(), net.y.state()),
        (State::Established, State::Established)
    );
    assert_eq!(net.count(Side::X, |o| matches!(o, Output::Down { .. })), 0);
    let keepalives = net.count(Side::X, |o| {
        matches!(o, Output::Send(_, Message::Keepalive))
    });
    assert!(
        (30..=41).contains(&keepalives),
        "{keepalives} keepalives in 900 s"
    );
}

#[test]
fn simultaneous_connects_leave_exactly_one_connection() {
    let (x, y) = pair();
    let mut net = Net::new(x, y);
    net.input(Side::X, Input::ManualStart);
    net.input(Side::Y, Input::ManualStart);
    let t0 = net.now;
    net.run_until(t0 + Duration::from_secs(1));
    assert_eq!(
        (net.x.state(), net.y.state()),
        (State::Established, State::Established)
    );
    // Y has the higher identifier: the connection Y opened survives.
    assert_eq!(net.links, vec![Side::Y]);
    assert!(net
        .log
        .iter()
        .any(|(s, o)| *s == Side::X && matches!(o, Output::Established(ConnId::Passive, _))));
    assert!(net
        .log
        .iter()
        .any(|(s, o)| *s == Side::Y && matches!(o, Output::Established(ConnId::Active, _))));
    net.run_until(t0 + Duration::from_secs(600));
    assert_eq!(
        (net.x.state(), net.y.state()),
        (State::Established, State::Established)
    );
}

#[test]
fn a_shutdown_communication_reaches_the_other_side_and_it_reconnects_after_restart() {
    let (x, y) = pair();
    let mut net = Net::new(x, y);
    net.input(Side::X, Input::ManualStart);
    net.input(Side::Y, Input::ManualStart);
    let t0 = net.now;
    net.run_until(t0 + Duration::from_secs(1));
    net.input(
        Side::X,
        Input::ManualStop {
            communication: Some("upgrading to 25.04, back in 10 minutes".into()),
        },
    );
    net.run_until(t0 + Duration::from_secs(2));
    let Some(DownReason::Received(n)) = net.y.last_down() else {
        panic!("{:?}", net.y.last_down())
    };
    assert_eq!(
        n.shutdown_communication(),
        Some(Ok("upgrading to 25.04, back in 10 minutes"))
    );
    assert_eq!(net.x.state(), State::Idle);
    // Y keeps trying; once X is started again, the session returns.
    net.input(Side::X, Input::ManualStart);
    net.run_until(t0 + Duration::from_secs(400));
    assert_eq!(
        (net.x.state(), net.y.state()),
        (State::Established, State::Established)
    );
}

#[test]
fn a_peer_that_cannot_connect_out_is_reached_by_the_other_side() {
    let (x, y) = pair();
    let mut net = Net::new(x, y);
    net.blocked = Some(Side::X);
    net.input(Side::X, Input::ManualStart);
    net.input(Side::Y, Input::ManualStart);
    let t0 = net.now;
    net.run_until(t0 + Duration::from_secs(1));
    assert_eq!(
        (net.x.state(), net.y.state()),
        (State::Established, State::Established)
    );
    assert_eq!(net.links, vec![Side::Y]);
}

#[test]
fn mismatched_configuration_keeps_failing_with_growing_waits() {
    let (x, mut y) = pair();
    y.remote_as = 64999; // Y expects another AS: it rejects X with 2/2.
    let mut net = Net::new(x, y);
    net.input(Side::X, Input::ManualStart);
    net.input(Side::Y, Input::ManualStart);
    let t0 = net.now;
    net.run_until(t0 + Duration::from_secs(600));
    assert_ne!(net.x.state(), State::Established);
    let rejections = net.count(
        Side::Y,
        |o| matches!(o, Output::Send(_, Message::Notification(n)) if (n.code, n.subcode) == (2, 2)),
    );
    // Backoff: 5, 10, 20, 40, 80, 160, 300 s... only a handful of attempts in 10 minutes.
    assert!((3..=12).contains(&rejections), "{rejections} rejections");
    assert!(net.x.flaps() >= 3);
}
