//! The session state machine against RFC 4271 §8 and the RFCs that extend
//! it, one behaviour per test, on a simulated clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_fsm::{
    ConnId, DownReason, GracefulRestartConfig, Input, Output, PeerConfig, Session, State,
};
use peerd_wire::attr::AS_TRANS;
use peerd_wire::capability::{AddPathFamily, AddPathMode, Capability, GracefulRestart, Role};
use peerd_wire::message::{OptParam, RouteRefreshSubtype};
use peerd_wire::{
    AttrAction, AttrError, DecodeError, Family, Message, Notification, Open, Reason, RouteRefresh,
    Update,
};
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

const A: ConnId = ConnId::Active;
const P: ConnId = ConnId::Passive;

fn cfg() -> PeerConfig {
    PeerConfig::new(64500, Ipv4Addr::new(192, 0, 2, 1), 64501)
}

/// The peer's OPEN: AS 64501, id 192.0.2.2, hold 90, IPv4+IPv6, 4-octet AS.
fn peer_open() -> Open {
    Open::new(
        64501,
        90,
        Ipv4Addr::new(192, 0, 2, 2),
        vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
            Capability::RouteRefresh,
            Capability::EnhancedRouteRefresh,
            Capability::FourOctetAs(64501),
        ],
    )
}

fn sent(out: &[Output]) -> Vec<(ConnId, Message)> {
    out.iter()
        .filter_map(|o| {
            if let Output::Send(c, m) = o {
                Some((*c, m.clone()))
            } else {
                None
            }
        })
        .collect()
}

fn notification(out: &[Output]) -> Option<Notification> {
    sent(out).into_iter().find_map(|(_, m)| {
        if let Message::Notification(n) = m {
            Some(n)
        } else {
            None
        }
    })
}

/// A session brought to OpenSent on its active connection.
fn open_sent(cfg: PeerConfig, t0: Instant) -> Session {
    let mut s = Session::new(cfg);
    s.process(Input::ManualStart, t0);
    s.process(Input::TcpConnected(A), t0);
    assert_eq!(s.state(), State::OpenSent);
    s
}

fn established(cfg: PeerConfig, t0: Instant) -> Session {
    let mut s = open_sent(cfg, t0);
    s.process(Input::Message(A, Message::Open(peer_open())), t0);
    let out = s.process(Input::Message(A, Message::Keepalive), t0);
    assert!(
        out.iter().any(|o| matches!(o, Output::Established(..))),
        "{out:?}"
    );
    s
}

#[test]
fn manual_start_connects_out_and_starts_connect_retry_with_jitter() {
    let t0 = Instant::now();
    let mut s = Session::new(cfg());
    assert_eq!(s.state(), State::Idle);
    let out = s.process(Input::ManualStart, t0);
    assert!(out.contains(&Output::Connect));
    assert!(out.contains(&Output::StateChanged {
        from: State::Idle,
        to: State::Connect
    }));
    let wait = s.poll_timeout().unwrap() - t0;
    assert!(
        wait >= Duration::from_secs(90) && wait <= Duration::from_secs(120),
        "{wait:?}"
    );
}

#[test]
fn connect_retry_expiry_abandons_the_attempt_and_connects_again() {
    let t0 = Instant::now();
    let mut s = Session::new(cfg());
    s.process(Input::ManualStart, t0);
    let out = s.handle_timeout(t0 + Duration::from_secs(121));
    assert_eq!(out.iter().filter(|o| **o == Output::Connect).count(), 1);
    assert!(out.contains(&Output::Close(A)));
}

#[test]
fn passive_peer_waits_in_active_and_never_connects() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.passive = true;
    let mut s = Session::new(c);
    let out = s.process(Input::ManualStart, t0);
    assert!(!out.contains(&Output::Connect));
    assert_eq!(s.state(), State::Active);
    assert!(s.handle_timeout(t0 + Duration::from_secs(3600)).is_empty());
    let out = s.process(Input::TcpConnected(P), t0);
    assert!(matches!(sent(&out)[0], (P, Message::Open(_))));
}

#[test]
fn idle_refuses_incoming_connections() {
    let mut s = Session::new(cfg());
    let out = s.process(Input::TcpConnected(P), Instant::now());
    assert_eq!(out, vec![Output::Close(P)]);
}

#[test]
fn tcp_connected_sends_our_open_with_our_capabilities() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.role = Some(Role::Peer);
    c.hostname = Some(("edge1".into(), "example.net".into()));
    let mut s = Session::new(c);
    s.process(Input::ManualStart, t0);
    let out = s.process(Input::TcpConnected(A), t0);
    let Some((A, Message::Open(o))) = sent(&out).into_iter().next() else {
        panic!("{out:?}")
    };
    assert_eq!((o.my_as, o.hold_time, o.asn()), (64500, 90, 64500));
    let caps: Vec<_> = o.capabilities().cloned().collect();
    assert!(caps.contains(&Capability::Multiprotocol(Family::IPV6_UNICAST)));
    assert!(caps.contains(&Capability::Role(Role::Peer)));
    assert!(caps.contains(&Capability::EnhancedRouteRefresh));
    assert!(caps.contains(&Capability::ExtendedMessage));
}

#[test]
fn four_octet_local_as_is_sent_as_as_trans() {
    let mut c = cfg();
    c.local_as = 4_200_000_001;
    let o = peerd_fsm::our_open(&c);
    assert_eq!(u32::from(o.my_as), AS_TRANS);
    assert_eq!(o.asn(), 4_200_000_001);
}

fn rejects_with(open: Open, cfg: PeerConfig) -> Notification {
    let t0 = Instant::now();
    let mut s = open_sent(cfg, t0);
    let out = s.process(Input::Message(A, Message::Open(open)), t0);
    assert!(out.contains(&Output::Close(A)), "{out:?}");
    assert_eq!(s.state(), State::Idle);
    notification(&out).expect("a NOTIFICATION")
}

#[test]
fn open_with_bad_peer_as_sends_notification_2_2() {
    let mut o = peer_open();
    o.params = vec![OptParam::Capabilities(vec![Capability::FourOctetAs(64999)])];
    o.my_as = 64999;
    let n = rejects_with(o, cfg());
    assert_eq!(
        (n.code, n.subcode, n.data),
        (2, 2, 64999u16.to_be_bytes().to_vec())
    );
}

#[test]
fn open_with_hold_time_2_sends_notification_2_6() {
    let mut o = peer_open();
    o.hold_time = 2;
    let n = rejects_with(o, cfg());
    assert_eq!((n.code, n.subcode), (2, 6));
}

#[test]
fn open_with_zero_bgp_identifier_sends_notification_2_3() {
    let mut o = peer_open();
    o.bgp_id = Ipv4Addr::UNSPECIFIED;
    let n = rejects_with(o, cfg());
    assert_eq!((n.code, n.subcode), (2, 3));
}

#[test]
fn ibgp_open_with_our_own_identifier_sends_notification_2_3() {
    let mut c = cfg();
    c.remote_as = 64500;
    let mut o = peer_open();
    o.params = vec![OptParam::Capabilities(vec![Capability::FourOctetAs(64500)])];
    o.my_as = 64500;
    o.bgp_id = c.router_id;
    let n = rejects_with(o, c);
    assert_eq!((n.code, n.subcode), (2, 3));
}

#[test]
fn open_with_version_3_sends_notification_2_1_naming_version_4() {
    let mut o = peer_open();
    o.version = 3;
    let n = rejects_with(o, cfg());
    assert_eq!((n.code, n.subcode, n.data), (2, 1, vec![0, 4]));
}

#[test]
fn open_with_an_unknown_optional_parameter_sends_notification_2_4() {
    let mut o = peer_open();
    o.params.push(OptParam::Unknown {
        param_type: 9,
        value: vec![1],
    });
    let n = rejects_with(o, cfg());
    assert_eq!((n.code, n.subcode, n.data), (2, 4, vec![9, 1]));
}

#[test]
fn open_without_a_common_family_sends_notification_2_7() {
    let mut c = cfg();
    c.families = vec![Family::IPV6_UNICAST];
    let mut o = peer_open();
    o.params = vec![OptParam::Capabilities(vec![
        Capability::Multiprotocol(Family::IPV4_UNICAST),
        Capability::FourOctetAs(64501),
    ])];
    let n = rejects_with(o, c);
    assert_eq!((n.code, n.subcode), (2, 7));
    // The data names what we wanted: Multiprotocol IPv6 unicast.
    assert_eq!(n.data, vec![1, 4, 0, 2, 0, 1]);
}

#[test]
fn role_mismatch_sends_notification_2_11() {
    let mut c = cfg();
    c.role = Some(Role::Customer);
    let mut o = peer_open();
    o.params.push(OptParam::Capabilities(vec![Capability::Role(
        Role::Customer,
    )]));
    let n = rejects_with(o, c);
    assert_eq!((n.code, n.subcode), (2, 11));
}

#[test]
fn strict_role_without_a_peer_role_sends_notification_2_11() {
    let mut c = cfg();
    c.role = Some(Role::Peer);
    c.role_strict = true;
    let n = rejects_with(peer_open(), c);
    assert_eq!((n.code, n.subcode), (2, 11));
}

#[test]
fn matching_roles_and_a_missing_role_without_strict_are_accepted() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.role = Some(Role::Customer);
    let mut o = peer_open();
    o.params.push(OptParam::Capabilities(vec![Capability::Role(
        Role::Provider,
    )]));
    let mut s = open_sent(c.clone(), t0);
    s.process(Input::Message(A, Message::Open(o)), t0);
    assert_eq!(s.state(), State::OpenConfirm);
    let mut s = open_sent(c, t0);
    s.process(Input::Message(A, Message::Open(peer_open())), t0);
    assert_eq!(s.state(), State::OpenConfirm);
}

#[test]
fn open_in_open_sent_answers_keepalive_and_keepalive_establishes() {
    let t0 = Instant::now();
    let mut s = open_sent(cfg(), t0);
    let out = s.process(Input::Message(A, Message::Open(peer_open())), t0);
    assert_eq!(sent(&out), vec![(A, Message::Keepalive)]);
    assert_eq!(s.state(), State::OpenConfirm);
    let out = s.process(Input::Message(A, Message::Keepalive), t0);
    let Some(Output::Established(A, n)) = out.iter().find(|o| matches!(o, Output::Established(..)))
    else {
        panic!("{out:?}")
    };
    assert_eq!(n.peer_as, 64501);
    assert_eq!(n.families, vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]);
    assert!(n.four_octet_as && n.route_refresh && n.enhanced_route_refresh);
    assert!(
        !n.extended_message,
        "the peer did not offer extended messages"
    );
    assert_eq!(n.keepalive, Some(Duration::from_secs(30)));
    assert_eq!(s.state(), State::Established);
}

#[test]
fn a_peer_without_multiprotocol_capabilities_gets_ipv4_unicast_only() {
    let t0 = Instant::now();
    let mut s = open_sent(cfg(), t0);
    let o = Open::new(64501, 90, Ipv4Addr::new(192, 0, 2, 2), vec![]);
    s.process(Input::Message(A, Message::Open(o)), t0);
    s.process(Input::Message(A, Message::Keepalive), t0);
    let n = s.negotiated().unwrap();
    assert_eq!(n.families, vec![Family::IPV4_UNICAST]);
    assert!(!n.four_octet_as && !n.rx.four_octet_as);
}

#[test]
fn add_path_is_negotiated_per_family_and_direction() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.add_path = vec![
        AddPathFamily {
            family: Family::IPV4_UNICAST,
            mode: AddPathMode::BOTH,
        },
        AddPathFamily {
            family: Family::IPV6_UNICAST,
            mode: AddPathMode::RECEIVE,
        },
    ];
    let mut o = peer_open();
    o.params
        .push(OptParam::Capabilities(vec![Capability::AddPath(vec![
            AddPathFamily {
                family: Family::IPV4_UNICAST,
                mode: AddPathMode::RECEIVE,
            },
            AddPathFamily {
                family: Family::IPV6_UNICAST,
                mode: AddPathMode::SEND,
            },
        ])]));
    let mut s = open_sent(c, t0);
    s.process(Input::Message(A, Message::Open(o)), t0);
    s.process(Input::Message(A, Message::Keepalive), t0);
    let n = s.negotiated().unwrap();
    assert!(
        n.add_path_tx.contains(Family::IPV4_UNICAST)
            && !n.add_path_rx.contains(Family::IPV4_UNICAST)
    );
    assert!(
        n.add_path_rx.contains(Family::IPV6_UNICAST)
            && !n.add_path_tx.contains(Family::IPV6_UNICAST)
    );
    assert!(n.rx.add_path_for(Family::IPV6_UNICAST) && n.tx.add_path_for(Family::IPV4_UNICAST));
}

#[test]
fn zero_hold_time_means_no_keepalives_and_no_hold_timer() {
    let t0 = Instant::now();
    let mut o = peer_open();
    o.hold_time = 0;
    let mut s = open_sent(cfg(), t0);
    s.process(Input::Message(A, Message::Open(o)), t0);
    s.process(Input::Message(A, Message::Keepalive), t0);
    assert_eq!(s.negotiated().unwrap().keepalive, None);
    assert_eq!(s.poll_timeout(), None);
    assert!(s
        .handle_timeout(t0 + Duration::from_secs(86_400))
        .is_empty());
}

#[test]
fn hold_timer_expiry_sends_notification_4_0_and_goes_idle() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    // Keepalives go out on time, but nothing comes back.
    let mut now = t0;
    let mut keepalives = 0;
    let mut down = None;
    while now < t0 + Duration::from_secs(100) {
        let Some(next) = s.poll_timeout() else { break };
        now = next;
        let out = s.handle_timeout(now);
        keepalives += sent(&out)
            .iter()
            .filter(|(_, m)| *m == Message::Keepalive)
            .count();
        if let Some(o) = out.iter().find(|o| matches!(o, Output::Down { .. })) {
            down = Some((now, o.clone(), notification(&out)));
            break;
        }
    }
    let (at, o, n) = down.expect("hold timer fired");
    assert_eq!(at - t0, Duration::from_secs(90));
    assert_eq!(n.map(|n| (n.code, n.subcode)), Some((4, 0)));
    assert!(matches!(
        o,
        Output::Down {
            reason: DownReason::Sent(_),
            ..
        }
    ));
    assert!(
        (3..=4).contains(&keepalives),
        "a keepalive every 22.5-30 s: {keepalives}"
    );
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn keepalives_from_the_peer_keep_the_session_up() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    for i in 1..=20u64 {
        let now = t0 + Duration::from_secs(60 * i);
        s.handle_timeout(now - Duration::from_secs(1));
        s.process(Input::Message(A, Message::Keepalive), now);
        assert_eq!(s.state(), State::Established, "after {i} minutes");
    }
}

#[test]
fn notification_received_closes_without_answering_and_keeps_the_message() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let n = Notification::shutdown(2, "planned maintenance");
    let out = s.process(Input::Message(A, Message::Notification(n.clone())), t0);
    assert!(sent(&out).is_empty(), "never answer a NOTIFICATION");
    assert!(out.contains(&Output::Close(A)));
    let Some(DownReason::Received(got)) = s.last_down() else {
        panic!()
    };
    assert_eq!(
        got.shutdown_communication(),
        Some(Ok("planned maintenance"))
    );
}

#[test]
fn manual_stop_sends_cease_2_with_the_shutdown_communication() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let out = s.process(
        Input::ManualStop {
            communication: Some("moving to a new port".into()),
        },
        t0,
    );
    let n = notification(&out).unwrap();
    assert_eq!((n.code, n.subcode), (6, 2));
    assert_eq!(n.shutdown_communication(), Some(Ok("moving to a new port")));
    assert!(out.contains(&Output::Down {
        reason: DownReason::Stopped,
        graceful_restart: None
    }));
    assert_eq!(s.state(), State::Idle);
    assert_eq!(
        s.poll_timeout(),
        None,
        "a stopped session does not restart by itself"
    );
}

#[test]
fn update_in_open_confirm_is_fsm_error_5_2() {
    let t0 = Instant::now();
    let mut s = open_sent(cfg(), t0);
    s.process(Input::Message(A, Message::Open(peer_open())), t0);
    let out = s.process(Input::Message(A, Message::Update(Update::default())), t0);
    let n = notification(&out).unwrap();
    assert_eq!((n.code, n.subcode), (5, 2));
}

#[test]
fn keepalive_in_open_sent_is_fsm_error_5_1() {
    let t0 = Instant::now();
    let mut s = open_sent(cfg(), t0);
    let out = s.process(Input::Message(A, Message::Keepalive), t0);
    assert_eq!(
        notification(&out).map(|n| (n.code, n.subcode)),
        Some((5, 1))
    );
}

#[test]
fn open_in_established_is_fsm_error_5_3() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let out = s.process(Input::Message(A, Message::Open(peer_open())), t0);
    assert_eq!(
        notification(&out).map(|n| (n.code, n.subcode)),
        Some((5, 3))
    );
}

fn update_with(action: AttrAction, sub: u8) -> Update {
    Update {
        errors: vec![AttrError {
            type_code: 2,
            action,
            family: None,
            error: DecodeError::new(3, sub, Reason::MalformedAsPath).with_data(vec![0x40, 2, 1, 9]),
        }],
        ..Update::default()
    }
}

#[test]
fn treat_as_withdraw_update_keeps_the_session_and_reaches_the_engine() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let u = update_with(AttrAction::TreatAsWithdraw, 11);
    let out = s.process(Input::Message(A, Message::Update(u.clone())), t0);
    assert_eq!(out, vec![Output::Update(u)]);
    assert_eq!(s.state(), State::Established);
}

#[test]
fn session_reset_update_sends_its_notification_with_the_attribute_as_data() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let out = s.process(
        Input::Message(A, Message::Update(update_with(AttrAction::SessionReset, 1))),
        t0,
    );
    let n = notification(&out).unwrap();
    assert_eq!((n.code, n.subcode, n.data), (3, 1, vec![0x40, 2, 1, 9]));
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn header_error_from_the_transport_resets_with_its_notification() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let e = DecodeError::new(1, 2, Reason::BadLength).with_data(vec![0, 18]);
    let out = s.process(Input::DecodeError(A, e), t0);
    assert_eq!(
        notification(&out).map(|n| (n.code, n.subcode, n.data)),
        Some((1, 2, vec![0, 18]))
    );
    assert!(matches!(s.last_down(), Some(DownReason::Sent(_))));
}

#[test]
fn route_refresh_reaches_the_engine_and_a_long_one_is_7_1_with_enhanced_refresh() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let rr = RouteRefresh {
        family: Family::IPV6_UNICAST,
        subtype: RouteRefreshSubtype::BeginOfRib,
        orf: vec![],
    };
    let out = s.process(Input::Message(A, Message::RouteRefresh(rr.clone())), t0);
    assert_eq!(out, vec![Output::RouteRefresh(rr)]);
    let bad = RouteRefresh {
        family: Family::IPV4_UNICAST,
        subtype: RouteRefreshSubtype::Request,
        orf: vec![1, 2],
    };
    let out = s.process(Input::Message(A, Message::RouteRefresh(bad)), t0);
    assert_eq!(
        notification(&out).map(|n| (n.code, n.subcode)),
        Some((7, 1))
    );
}

#[test]
fn delay_open_waits_then_sends_open() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.delay_open = Some(Duration::from_secs(5));
    let mut s = Session::new(c);
    s.process(Input::ManualStart, t0);
    let out = s.process(Input::TcpConnected(A), t0);
    assert!(sent(&out).is_empty());
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(5)));
    let out = s.handle_timeout(t0 + Duration::from_secs(5));
    assert!(matches!(sent(&out)[0], (A, Message::Open(_))));
    assert_eq!(s.state(), State::OpenSent);
}

#[test]
fn peer_open_during_delay_open_is_answered_with_open_and_keepalive() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.delay_open = Some(Duration::from_secs(5));
    let mut s = Session::new(c);
    s.process(Input::ManualStart, t0);
    s.process(Input::TcpConnected(A), t0);
    let out = s.process(
        Input::Message(A, Message::Open(peer_open())),
        t0 + Duration::from_secs(1),
    );
    let msgs: Vec<_> = sent(&out).into_iter().map(|x| x.1).collect();
    assert!(
        matches!(msgs[..], [Message::Open(_), Message::Keepalive]),
        "{msgs:?}"
    );
    assert_eq!(s.state(), State::OpenConfirm);
}

#[test]
fn idle_hold_backoff_doubles_with_each_consecutive_failure_up_to_the_maximum() {
    let t0 = Instant::now();
    let mut s = Session::new(cfg());
    s.process(Input::ManualStart, t0);
    let mut now = t0;
    let mut waits = Vec::new();
    for _ in 0..8 {
        s.process(Input::TcpConnected(A), now);
        let mut bad = peer_open();
        bad.hold_time = 1;
        s.process(Input::Message(A, Message::Open(bad)), now);
        assert_eq!(s.state(), State::Idle);
        let next = s.poll_timeout().unwrap();
        waits.push((next - now).as_secs_f64());
        now = next;
        let out = s.handle_timeout(now);
        assert!(
            out.contains(&Output::Connect),
            "automatic restart after IdleHold"
        );
    }
    // 5, 10, 20, 40, 80, 160, 300, 300 seconds, each jittered to 75-100%.
    let nominal = [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0];
    for (w, n) in waits.iter().zip(nominal) {
        assert!(*w >= 0.75 * n - 1e-6 && *w <= n + 1e-6, "{waits:?}");
    }
    assert_eq!(s.flaps(), 8);
}

#[test]
fn failing_to_connect_is_not_a_flap() {
    let t0 = Instant::now();
    let mut s = Session::new(cfg());
    s.process(Input::ManualStart, t0);
    s.process(Input::TcpFailed(A), t0);
    assert_eq!(s.flaps(), 0);
    assert_eq!(s.state(), State::Active);
    let out = s.handle_timeout(t0 + Duration::from_secs(120));
    assert!(out.contains(&Output::Connect));
}

#[test]
fn collision_keeps_the_connection_of_the_higher_identifier() {
    // We are 192.0.2.1, the peer 192.0.2.2: the peer's connection wins.
    let t0 = Instant::now();
    let mut s = Session::new(cfg());
    s.process(Input::ManualStart, t0);
    s.process(Input::TcpConnected(A), t0);
    s.process(Input::TcpConnected(P), t0);
    s.process(Input::Message(A, Message::Open(peer_open())), t0);
    assert_eq!(s.state(), State::OpenConfirm);
    let out = s.process(Input::Message(P, Message::Open(peer_open())), t0);
    let n = notification(&out).unwrap();
    assert_eq!((n.code, n.subcode), (6, 7));
    assert!(
        out.contains(&Output::Close(A)),
        "our connection loses: {out:?}"
    );
    let out = s.process(Input::Message(P, Message::Keepalive), t0);
    assert!(out.iter().any(|o| matches!(o, Output::Established(P, _))));

    // With a higher identifier than the peer, ours wins.
    let mut c = cfg();
    c.router_id = Ipv4Addr::new(192, 0, 2, 9);
    let mut s = Session::new(c);
    s.process(Input::ManualStart, t0);
    s.process(Input::TcpConnected(A), t0);
    s.process(Input::TcpConnected(P), t0);
    s.process(Input::Message(A, Message::Open(peer_open())), t0);
    let out = s.process(Input::Message(P, Message::Open(peer_open())), t0);
    assert!(
        out.contains(&Output::Close(P)),
        "the peer's connection loses: {out:?}"
    );
    assert_eq!(s.state(), State::OpenConfirm);
}

#[test]
fn an_incoming_connection_while_established_is_closed() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let out = s.process(Input::TcpConnected(P), t0);
    assert_eq!(out, vec![Output::Close(P)]);
    assert_eq!(s.state(), State::Established);
}

#[test]
fn send_hold_timer_drops_a_peer_that_stops_reading() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.send_hold_time = Some(Duration::from_secs(30));
    let mut s = established(c, t0);
    s.process(Input::WriteStalled(A), t0);
    // The peer keeps sending keepalives but does not read ours.
    s.process(
        Input::Message(A, Message::Keepalive),
        t0 + Duration::from_secs(20),
    );
    let out = s.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(
        notification(&out).map(|n| (n.code, n.subcode)),
        Some((8, 0))
    );
    assert_eq!(s.state(), State::Idle);
}

#[test]
fn write_progress_stops_the_send_hold_timer() {
    let t0 = Instant::now();
    let mut c = cfg();
    c.send_hold_time = Some(Duration::from_secs(30));
    let mut s = established(c, t0);
    s.process(Input::WriteStalled(A), t0);
    s.process(Input::WriteProgress(A), t0 + Duration::from_secs(10));
    s.process(
        Input::Message(A, Message::Keepalive),
        t0 + Duration::from_secs(29),
    );
    s.handle_timeout(t0 + Duration::from_secs(31));
    assert_eq!(s.state(), State::Established);
}

fn gr_peer_open(flags: u8) -> Open {
    let mut o = peer_open();
    o.params
        .push(OptParam::Capabilities(vec![Capability::GracefulRestart(
            GracefulRestart {
                flags,
                restart_time: 120,
                families: vec![],
            },
        )]));
    o
}

fn gr_established(flags: u8) -> Session {
    let t0 = Instant::now();
    let mut c = cfg();
    c.graceful_restart = Some(GracefulRestartConfig::helper(120));
    let mut s = open_sent(c, t0);
    s.process(Input::Message(A, Message::Open(gr_peer_open(flags))), t0);
    s.process(Input::Message(A, Message::Keepalive), t0);
    s
}

#[test]
fn graceful_restart_helper_keeps_routes_when_the_connection_drops() {
    let mut s = gr_established(0);
    let out = s.process(Input::TcpFailed(A), Instant::now());
    assert!(out.contains(&Output::Down {
        reason: DownReason::TcpFailed,
        graceful_restart: Some(Duration::from_secs(120))
    }));
}

#[test]
fn graceful_restart_helper_flushes_on_a_notification_without_the_n_bit() {
    let mut s = gr_established(0);
    let n = Notification::new(6, 4, vec![]);
    let out = s.process(Input::Message(A, Message::Notification(n)), Instant::now());
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Down {
            graceful_restart: None,
            ..
        }
    )));
}

#[test]
fn with_the_n_bit_routes_survive_a_notification_but_not_a_hard_reset() {
    let mut s = gr_established(0x4);
    let out = s.process(
        Input::Message(A, Message::Notification(Notification::new(6, 4, vec![]))),
        Instant::now(),
    );
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Down {
            graceful_restart: Some(_),
            ..
        }
    )));
    let mut s = gr_established(0x4);
    let out = s.process(
        Input::Message(A, Message::Notification(Notification::new(6, 9, vec![]))),
        Instant::now(),
    );
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Down {
            graceful_restart: None,
            ..
        }
    )));
}

/// RFC 8538 §5: with both N bits, a shutdown, a de-configured peer and
/// max-prefix go as a Hard Reset carrying the Cease (else the neighbour
/// would keep our routes as stale); Administrative Reset, the operator's
/// choice, goes as it is given; without the N bit nothing is wrapped.
#[test]
fn with_both_n_bits_a_shutdown_goes_as_a_hard_reset() {
    let mut s = gr_established(0x4);
    assert!(s.notifications_are_graceful());
    let out = s.process(
        Input::ManualStop {
            communication: Some("maintenance".into()),
        },
        Instant::now(),
    );
    let n = notification(&out).unwrap();
    assert_eq!((n.code, n.subcode), (6, 9));
    assert_eq!(
        n.hard_reset_inner(),
        Some(Notification::shutdown(2, "maintenance"))
    );
    for (sub, wrapped) in [(1, true), (3, true), (4, false), (6, false)] {
        let mut s = gr_established(0x4);
        let out = s.process(
            Input::Reset {
                notification: Notification::new(6, sub, vec![]),
                restart_after: None,
            },
            Instant::now(),
        );
        let n = notification(&out).unwrap();
        assert_eq!(n.subcode == 9, wrapped, "Cease {sub}: {n:?}");
        assert!(out.contains(&Output::Down {
            reason: DownReason::Sent(n),
            graceful_restart: None
        }));
    }
    let mut s = gr_established(0);
    assert!(!s.notifications_are_graceful());
    let out = s.process(
        Input::ManualStop {
            communication: None,
        },
        Instant::now(),
    );
    assert_eq!(notification(&out).map(|n| n.subcode), Some(2));
}

#[test]
fn reset_for_max_prefix_sends_cease_1_and_restarts_after_the_delay() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    let n = Notification::new(6, 1, vec![0, 1, 1, 0, 0, 0, 100]);
    let out = s.process(
        Input::Reset {
            notification: n.clone(),
            restart_after: Some(Duration::from_secs(900)),
        },
        t0,
    );
    assert_eq!(notification(&out), Some(n.clone()));
    assert!(out.contains(&Output::Down {
        reason: DownReason::Sent(n),
        graceful_restart: None
    }));
    assert_eq!(s.state(), State::Idle);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(900)));
    assert!(s
        .handle_timeout(t0 + Duration::from_secs(900))
        .contains(&Output::Connect));
}

#[test]
fn reset_without_restart_stays_down() {
    let t0 = Instant::now();
    let mut s = established(cfg(), t0);
    s.process(
        Input::Reset {
            notification: Notification::new(6, 1, vec![]),
            restart_after: None,
        },
        t0,
    );
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.state(), State::Idle);
}

/// The capability we send (RFC 4724 §3): a helper lists no family; with
/// our forwarding state preserved across restarts, our families with the
/// F bit as the state is now, and the R bit while we have restarted. A
/// change applies to the OPENs sent from then on.
#[test]
fn our_graceful_restart_capability_follows_the_restart_state() {
    let t0 = Instant::now();
    let ours = |s: &mut Session| {
        let out = s.process(Input::TcpConnected(A), t0);
        let open = out
            .iter()
            .find_map(|o| match o {
                Output::Send(_, Message::Open(o)) => Some(o.clone()),
                _ => None,
            })
            .expect("an OPEN is sent");
        let g = open
            .capabilities()
            .find_map(|c| match c {
                Capability::GracefulRestart(g) => Some(g.clone()),
                _ => None,
            })
            .expect("the capability is sent");
        g
    };
    let mut c = cfg();
    c.families = vec![
        peerd_wire::Family::IPV4_UNICAST,
        peerd_wire::Family::IPV6_UNICAST,
    ];
    c.graceful_restart = Some(GracefulRestartConfig::helper(120));
    let mut s = Session::new(c);
    s.process(Input::ManualStart, t0);
    let g = ours(&mut s);
    assert_eq!((g.flags, g.restart_time), (0x4, 120));
    assert!(g.families.is_empty());

    let mut s2 = Session::new(s.config().clone());
    s2.set_graceful_restart(Some(GracefulRestartConfig {
        restart_time: 90,
        restarting: true,
        forwarding: Some(true),
    }));
    s2.process(Input::ManualStart, t0);
    let g = ours(&mut s2);
    assert_eq!((g.flags, g.restart_time), (0x4 | 0x8, 90));
    let fams: Vec<(peerd_wire::Family, u8)> =
        g.families.iter().map(|f| (f.family, f.flags)).collect();
    assert_eq!(
        fams,
        [
            (peerd_wire::Family::IPV4_UNICAST, 0x80),
            (peerd_wire::Family::IPV6_UNICAST, 0x80)
        ]
    );
    // Cold start: families listed, no forwarding state, not restarting.
    let mut s3 = Session::new(s.config().clone());
    s3.set_graceful_restart(Some(GracefulRestartConfig {
        restart_time: 90,
        restarting: false,
        forwarding: Some(false),
    }));
    s3.process(Input::ManualStart, t0);
    let g = ours(&mut s3);
    assert_eq!(g.flags, 0x4);
    assert!(g.families.iter().all(|f| f.flags == 0) && g.families.len() == 2);
}
