//! Our own graceful restart (RFC 4724 §4.1): after a restart with the
//! forwarding state kept, nothing is sent until every neighbour waited for
//! has sent its table (End-of-RIB for each family, when it does graceful
//! restart) or the time is up; then the held messages go, in order, and
//! End-of-RIB last.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use peerd_engine::{Action, Engine, Event};
use peerd_fsm::{negotiate, our_open, GracefulRestartConfig, Negotiated};
use peerd_wire::{DecodeContext, Family, Message, Update, UpdateBuilder};
use std::net::{IpAddr, Ipv4Addr};

/// A session with a neighbour that does graceful restart.
fn neg_gr(remote_as: u32, peer_id: [u8; 4]) -> Box<Negotiated> {
    let mut ours = peerd_fsm::PeerConfig::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), remote_as);
    ours.families = vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST];
    let mut theirs = peerd_fsm::PeerConfig::new(remote_as, Ipv4Addr::from(peer_id), LOCAL_AS);
    theirs.families = ours.families.clone();
    theirs.graceful_restart = Some(GracefulRestartConfig::helper(120));
    Box::new(negotiate(&ours, &our_open(&ours), &our_open(&theirs)).unwrap())
}

fn up(e: &mut Engine, s: (usize, u32, [u8; 4], [u8; 4]), gr: bool) -> Vec<Action> {
    let (peer, asn, id, local) = s;
    e.handle(Event::PeerUp {
        peer,
        negotiated: if gr { neg_gr(asn, id) } else { neg(asn, id) },
        local_addr: IpAddr::V4(Ipv4Addr::from(local)),
    })
}

fn eor(f: Family) -> Update {
    let bytes = UpdateBuilder::new(&DecodeContext::MODERN).end_of_rib(f);
    match Message::decode(&bytes, &DecodeContext::MODERN).unwrap() {
        Message::Update(u) => u,
        m => panic!("{m:?}"),
    }
}

fn eors(e: &mut Engine, peer: usize) -> Vec<Action> {
    let mut acts = e.handle(Event::Update {
        peer,
        update: eor(Family::IPV4_UNICAST),
    });
    acts.extend(e.handle(Event::Update {
        peer,
        update: eor(Family::IPV6_UNICAST),
    }));
    acts
}

fn fresh() -> Engine {
    Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![
            peer("a", [198, 51, 100, 1], 64501),
            peer("b", [198, 51, 100, 2], 64502),
        ],
        &[("203.0.113.0/24".parse().unwrap(), vec![])],
    )
}

fn sends(acts: &[Action]) -> usize {
    acts.iter()
        .filter(|a| matches!(a, Action::Send { .. }))
        .count()
}

fn converged(acts: &[Action]) -> Option<bool> {
    acts.iter().find_map(|a| match a {
        Action::Converged { complete } => Some(*complete),
        _ => None,
    })
}

#[test]
fn a_restarting_speaker_sends_nothing_until_every_table_is_in() {
    let mut e = fresh();
    assert!(e.await_convergence(vec![0, 1], true).is_empty());
    assert!(e.converging());
    let mut held = up(&mut e, A_UP, true);
    held.extend(e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["198.51.100.0/24"], vec![]),
    }));
    held.extend(up(&mut e, B_UP, true));
    held.extend(eors(&mut e, 0));
    assert_eq!(sends(&held), 0, "held: {held:?}");
    assert_eq!(converged(&held), None);
    // A's route is chosen meanwhile (the forwarding table follows).
    assert_eq!(e.loc_rib().len(), 2);

    // B's End-of-RIB for IPv4 only: still waiting; then IPv6: done.
    let acts = e.handle(Event::Update {
        peer: 1,
        update: eor(Family::IPV4_UNICAST),
    });
    assert_eq!(sends(&acts), 0);
    let acts = e.handle(Event::Update {
        peer: 1,
        update: eor(Family::IPV6_UNICAST),
    });
    assert_eq!(converged(&acts), Some(true));
    assert!(!e.converging());
    // B gets the whole table — A's route and ours — and End-of-RIB last.
    let to_b = sent_to(&acts, 1);
    let (ann, _) = prefixes(&to_b);
    assert!(
        ann.contains(&"198.51.100.0/24".to_string()) && ann.contains(&"203.0.113.0/24".to_string()),
        "{ann:?}"
    );
    assert!(to_b.last().unwrap().end_of_rib().is_some());
    let to_a = sent_to(&acts, 0);
    assert_eq!(prefixes(&to_a).0, ["203.0.113.0/24"]);
    assert!(to_a.last().unwrap().end_of_rib().is_some());
    // The Converged action comes after what was held.
    let last_send = acts
        .iter()
        .rposition(|a| matches!(a, Action::Send { .. }))
        .unwrap();
    let conv = acts
        .iter()
        .position(|a| matches!(a, Action::Converged { .. }))
        .unwrap();
    assert!(conv > last_send);

    // From now on, changes go out at once.
    let acts = e.handle(Event::Update {
        peer: 0,
        update: update_from_a(&["192.0.2.0/25"], vec![]),
    });
    assert_eq!(prefixes(&sent_to(&acts, 1)).0, ["192.0.2.0/25"]);
}

#[test]
fn the_wait_ends_with_the_time_and_a_lost_session_loses_its_held_messages() {
    let mut e = fresh();
    e.await_convergence(vec![0, 1], true);
    up(&mut e, A_UP, true);
    up(&mut e, B_UP, true);
    e.handle(Event::PeerDown {
        peer: 1,
        graceful_restart: None,
    });
    let acts = e.handle(Event::ConvergenceTimeout);
    assert_eq!(converged(&acts), Some(false));
    assert!(sent_to(&acts, 1).is_empty(), "B is down: {acts:?}");
    assert_eq!(prefixes(&sent_to(&acts, 0)).0, ["203.0.113.0/24"]);
}

#[test]
fn a_neighbour_without_graceful_restart_counts_once_up_and_a_cold_start_does_not_defer() {
    let mut e = fresh();
    // Not deferring: sends pass; A does graceful restart, B does not.
    e.await_convergence(vec![0, 1], false);
    let acts = up(&mut e, A_UP, true);
    assert_eq!(prefixes(&sent_to(&acts, 0)).0, ["203.0.113.0/24"]);
    assert_eq!(converged(&acts), None);
    let acts = up(&mut e, B_UP, false);
    assert_eq!(converged(&acts), None, "A's End-of-RIB is missing");
    let acts = eors(&mut e, 0);
    assert_eq!(converged(&acts), Some(true));
    // Nothing to wait for: over at once.
    let mut e = fresh();
    assert_eq!(converged(&e.await_convergence(vec![], true)), Some(true));
}
