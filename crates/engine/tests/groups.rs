//! Update groups: neighbours with identical export settings share one
//! Adj-RIB-Out and one encoding of each change. The property that matters:
//! whatever happens, every neighbour holds exactly what a per-neighbour
//! export would have sent it — every best route but its own. Checked by
//! replaying random announcements, withdrawals and session flaps, and
//! decoding every message each neighbour was sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_engine::{Action, Engine, Event, PeerConfig};
use peerd_fsm::{negotiate, our_open, Negotiated};
use peerd_wire::attr::{AsPath, Origin};
use peerd_wire::{AttrValue, Attribute, DecodeContext, Family, Message, Nlri, UpdateBuilder};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

const LOCAL_AS: u32 = 64500;
/// Neighbours 0-3 are alike (one group); 4 has another local address.
const PEERS: usize = 5;

fn neg(remote_as: u32, id: u8) -> Box<Negotiated> {
    let mut ours = peerd_fsm::PeerConfig::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), remote_as);
    ours.families = vec![Family::IPV4_UNICAST];
    let mut theirs = peerd_fsm::PeerConfig::new(remote_as, Ipv4Addr::new(192, 0, 2, id), LOCAL_AS);
    theirs.families = ours.families.clone();
    Box::new(negotiate(&ours, &our_open(&ours), &our_open(&theirs)).unwrap())
}

fn remote_as(i: usize) -> u32 {
    64501 + i as u32
}

fn up(e: &mut Engine, i: usize) -> Vec<Action> {
    let local = if i == 4 {
        [198, 51, 100, 99]
    } else {
        [198, 51, 100, 254]
    };
    e.handle(Event::PeerUp {
        peer: i,
        negotiated: neg(remote_as(i), 10 + i as u8),
        local_addr: IpAddr::V4(Ipv4Addr::from(local)),
    })
}

fn prefix(n: u8) -> String {
    format!("203.0.113.{}/32", n)
}

/// An UPDATE from neighbour `i` for prefix `n`, with a path of `len` ASes.
fn announce(i: usize, n: u8, len: u8) -> peerd_wire::Update {
    let mut path = vec![remote_as(i)];
    path.extend(std::iter::repeat_n(64999, usize::from(len)));
    let attrs = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(path))),
        Attribute::new(AttrValue::NextHop(Ipv4Addr::new(198, 51, 100, 1 + i as u8))),
    ];
    let m = UpdateBuilder::new(&DecodeContext::MODERN)
        .announce(
            Family::IPV4_UNICAST,
            &attrs,
            None,
            &[Nlri::new(prefix(n).parse().unwrap())],
        )
        .unwrap();
    match Message::decode(&m[0], &DecodeContext::MODERN).unwrap() {
        Message::Update(u) => u,
        _ => unreachable!(),
    }
}

fn withdraw(n: u8) -> peerd_wire::Update {
    let m = UpdateBuilder::new(&DecodeContext::MODERN)
        .withdraw(
            Family::IPV4_UNICAST,
            &[Nlri::new(prefix(n).parse().unwrap())],
        )
        .unwrap();
    match Message::decode(&m[0], &DecodeContext::MODERN).unwrap() {
        Message::Update(u) => u,
        _ => unreachable!(),
    }
}

/// What each neighbour holds, from the messages it was sent: prefix → path.
#[derive(Default)]
struct Mirror(Vec<BTreeMap<String, String>>);

impl Mirror {
    fn apply(&mut self, actions: &[Action]) {
        for a in actions {
            let Action::Send { peer, messages } = a else {
                continue;
            };
            for m in messages {
                let ctx = DecodeContext {
                    extended_message: true,
                    ..DecodeContext::MODERN
                };
                let Ok(Message::Update(u)) = Message::decode(m, &ctx) else {
                    continue;
                };
                let t = &mut self.0[*peer];
                for w in &u.withdrawn {
                    t.remove(&w.prefix.to_string());
                }
                for n in &u.nlri {
                    t.insert(n.prefix.to_string(), u.as_path().unwrap().to_string());
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Announce(usize, u8, u8),
    Withdraw(usize, u8),
    Flap(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..PEERS, 0u8..6, 0u8..3).prop_map(|(i, n, l)| Op::Announce(i, n, l)),
        3 => (0..PEERS, 0u8..6).prop_map(|(i, n)| Op::Withdraw(i, n)),
        1 => (0..PEERS).prop_map(Op::Flap),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn every_neighbour_holds_every_best_route_but_its_own(ops in proptest::collection::vec(op(), 1..60)) {
        let peers = (0..PEERS)
            .map(|i| PeerConfig::new(&format!("p{i}"), IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1 + i as u8)), remote_as(i)))
            .collect();
        let mut e = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), peers, &[]);
        let mut mirror = Mirror(vec![BTreeMap::new(); PEERS]);
        for i in 0..PEERS {
            let a = up(&mut e, i);
            mirror.apply(&a);
        }
        for op in &ops {
            let acts = match op {
                Op::Announce(i, n, l) => e.handle(Event::Update { peer: *i, update: announce(*i, *n, *l) }),
                Op::Withdraw(i, n) => e.handle(Event::Update { peer: *i, update: withdraw(*n) }),
                Op::Flap(i) => {
                    let mut a = e.handle(Event::PeerDown { peer: *i, graceful_restart: None });
                    mirror.0[*i].clear();
                    a.extend(up(&mut e, *i));
                    a
                }
            };
            mirror.apply(&acts);
        }
        // What per-neighbour export says each one should hold.
        let rib = e.loc_rib();
        for i in 0..PEERS {
            let want: BTreeMap<String, String> = rib
                .iter()
                .filter(|r| r.from.as_deref() != Some(format!("p{i}").as_str()))
                .map(|r| (r.prefix.to_string(), format!("{LOCAL_AS} {}", r.as_path)))
                .collect();
            prop_assert_eq!(&mirror.0[i], &want, "neighbour {} after {:?}", i, ops);
            prop_assert_eq!(e.routes_to(i), want.len());
        }
    }
}
