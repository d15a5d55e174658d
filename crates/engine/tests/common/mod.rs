//! Helpers shared by the engine's integration tests: neighbours, sessions
//! brought up with real negotiation, UPDATEs encoded and decoded with
//! `peerd-wire`, and small policies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use peerd_engine::{Action, Engine, Event, PeerConfig};
use peerd_fsm::{negotiate, our_open, Negotiated};
use peerd_wire::attr::{AsPath, Origin};
use peerd_wire::{AttrValue, Attribute, Family, Message, Nlri, Update, UpdateBuilder};
use std::net::{IpAddr, Ipv4Addr};

pub const LOCAL_AS: u32 = 64500;

pub fn neg(remote_as: u32, peer_id: [u8; 4]) -> Box<Negotiated> {
    let mut ours = peerd_fsm::PeerConfig::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), remote_as);
    ours.families = vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST];
    let mut theirs = peerd_fsm::PeerConfig::new(remote_as, Ipv4Addr::from(peer_id), LOCAL_AS);
    theirs.families = ours.families.clone();
    let o = our_open(&ours);
    Box::new(negotiate(&ours, &o, &our_open(&theirs)).unwrap())
}

pub fn peer(name: &str, addr: [u8; 4], asn: u32) -> PeerConfig {
    PeerConfig::new(name, IpAddr::V4(Ipv4Addr::from(addr)), asn)
}

/// The sessions of `engine()`'s A, B and C: (index, AS, BGP identifier,
/// our session address).
pub const A_UP: (usize, u32, [u8; 4], [u8; 4]) = (0, 64501, [198, 51, 100, 1], [198, 51, 100, 254]);
pub const B_UP: (usize, u32, [u8; 4], [u8; 4]) = (1, 64502, [198, 51, 100, 2], [198, 51, 100, 253]);
pub const C_UP: (usize, u32, [u8; 4], [u8; 4]) = (2, LOCAL_AS, [192, 0, 2, 3], [192, 0, 2, 1]);

/// Brings neighbours up: (index, AS, BGP identifier, our session address).
pub fn bring_up(e: &mut Engine, sessions: &[(usize, u32, [u8; 4], [u8; 4])]) -> Vec<Action> {
    let mut acts = Vec::new();
    for (i, asn, id, local) in sessions {
        acts.extend(e.handle(Event::PeerUp {
            peer: *i,
            negotiated: neg(*asn, *id),
            local_addr: IpAddr::V4(Ipv4Addr::from(*local)),
        }));
    }
    acts
}

/// An engine with a customer A (AS 64501), a peer B (AS 64502) and an iBGP
/// neighbour C, all up.
pub fn engine() -> Engine {
    let mut e = Engine::new(
        LOCAL_AS,
        Ipv4Addr::new(192, 0, 2, 1),
        vec![
            peer("a", [198, 51, 100, 1], 64501),
            peer("b", [198, 51, 100, 2], 64502),
            peer("c", [192, 0, 2, 3], LOCAL_AS),
        ],
        &[("203.0.113.0/24".parse().unwrap(), vec![])],
    );
    bring_up(&mut e, &[A_UP, B_UP, C_UP]);
    e
}

/// An UPDATE announcing `prefixes` with `attrs`, encoded and decoded with
/// `peerd-wire`.
pub fn update_with(attrs: &[Attribute], prefixes: &[&str]) -> Update {
    let nlri: Vec<Nlri> = prefixes
        .iter()
        .map(|p| Nlri::new(p.parse().unwrap()))
        .collect();
    let msgs = UpdateBuilder::new(&peerd_wire::DecodeContext::MODERN)
        .announce(Family::IPV4_UNICAST, attrs, None, &nlri)
        .unwrap();
    match Message::decode(&msgs[0], &peerd_wire::DecodeContext::MODERN).unwrap() {
        Message::Update(u) => u,
        _ => unreachable!(),
    }
}

/// An UPDATE withdrawing IPv4 `prefixes`, encoded and decoded with
/// `peerd-wire`.
pub fn withdrawal(prefixes: &[&str]) -> Update {
    let nlri: Vec<Nlri> = prefixes
        .iter()
        .map(|p| Nlri::new(p.parse().unwrap()))
        .collect();
    let msgs = UpdateBuilder::new(&peerd_wire::DecodeContext::MODERN)
        .withdraw(Family::IPV4_UNICAST, &nlri)
        .unwrap();
    match Message::decode(&msgs[0], &peerd_wire::DecodeContext::MODERN).unwrap() {
        Message::Update(u) => u,
        _ => unreachable!(),
    }
}

pub fn update_from_a(prefixes: &[&str], extra: Vec<Attribute>) -> Update {
    let mut attrs = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![
            64501,
            4_200_000_001,
        ]))),
        Attribute::new(AttrValue::NextHop(Ipv4Addr::new(198, 51, 100, 1))),
        Attribute::new(AttrValue::Med(50)),
        Attribute::new(AttrValue::LocalPref(300)),
    ];
    attrs.extend(extra);
    update_with(&attrs, prefixes)
}

/// A reload that changes only policies, running `reimport`'s kept routes
/// through their import policy again.
pub fn reload_policies(
    e: &mut Engine,
    policies: std::sync::Arc<peerd_policy::Policies>,
    peers: Vec<(usize, PeerConfig)>,
    reimport: Vec<usize>,
) -> Vec<Action> {
    e.reconfigure(peerd_engine::Reconfig {
        local_as: LOCAL_AS,
        router_id: Ipv4Addr::new(192, 0, 2, 1),
        cluster_id: Ipv4Addr::new(192, 0, 2, 1),
        policies,
        decision: Default::default(),
        announce: vec![],
        statics: vec![],
        redistribute_static: None,
        kernel: peerd_engine::KernelImport::default(),
        peers,
        remove: vec![],
        reexport: vec![],
        reimport,
    })
}

/// Every UPDATE sent to `peer`, decoded.
pub fn sent_to(actions: &[Action], peer: usize) -> Vec<Update> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send { peer: p, messages } if *p == peer => Some(messages),
            _ => None,
        })
        .flatten()
        .filter_map(|m| {
            match Message::decode(
                m,
                &peerd_wire::DecodeContext {
                    extended_message: true,
                    ..peerd_wire::DecodeContext::MODERN
                },
            )
            .unwrap()
            {
                Message::Update(u) => Some(u),
                _ => None,
            }
        })
        .collect()
}

pub fn policies(list: Vec<peerd_policy::Policy>) -> std::sync::Arc<peerd_policy::Policies> {
    std::sync::Arc::new(peerd_policy::Policies { list })
}

pub fn term(
    matches: Vec<peerd_policy::Match>,
    sets: Vec<peerd_policy::Set>,
    verdict: peerd_policy::Verdict,
) -> peerd_policy::Term {
    peerd_policy::Term {
        name: None,
        matches,
        call: None,
        sets,
        verdict,
    }
}

pub fn prefixes(ups: &[Update]) -> (Vec<String>, Vec<String>) {
    let ann = ups
        .iter()
        .flat_map(|u| u.nlri.iter().map(|n| n.prefix.to_string()))
        .collect();
    let wd = ups
        .iter()
        .flat_map(|u| u.withdrawn.iter().map(|n| n.prefix.to_string()))
        .collect();
    (ann, wd)
}

/// The last entry sent for `prefix`, if any was.
pub fn entry(actions: &[Action], prefix: &str) -> Option<Option<peerd_engine::Forward>> {
    let p: peerd_wire::Prefix = prefix.parse().unwrap();
    actions.iter().rev().find_map(|a| match a {
        peerd_engine::Action::Forward(v) => v
            .iter()
            .rev()
            .find(|(q, _)| *q == p)
            .map(|(_, f)| f.clone()),
        _ => None,
    })
}
