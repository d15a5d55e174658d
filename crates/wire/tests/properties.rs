//! Property tests: any well-formed message we can build encodes and decodes
//! back to itself, and its bytes re-encode identically, under any negotiated
//! context.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_wire::attr::{
    Aggregator, AigpTlv, AsPath, Community, ExtCommunity, LargeCommunity, MpNlri, MpReach,
    MpUnreach, NextHop, Origin, Segment, SegmentType,
};
use peerd_wire::capability::{
    AddPathFamily, AddPathMode, GracefulRestart, GracefulRestartFamily, Role,
};
use peerd_wire::{
    AttrValue, Attribute, Capability, DecodeContext, Family, FamilySet, Message, Nlri, Open,
    Prefix, Update,
};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn ctx() -> impl Strategy<Value = DecodeContext> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(four, ap4, ap6)| {
        let mut add_path = FamilySet::EMPTY;
        if ap4 {
            add_path.insert(Family::IPV4_UNICAST);
        }
        if ap6 {
            add_path.insert(Family::IPV6_UNICAST);
        }
        DecodeContext {
            four_octet_as: four,
            add_path,
            extended_message: true,
        }
    })
}

fn v4_nlri(add_path: bool) -> impl Strategy<Value = Nlri> {
    (any::<u32>(), 0u8..=32, any::<u32>()).prop_map(move |(a, l, id)| Nlri {
        path_id: add_path.then_some(id),
        prefix: Prefix::new(IpAddr::V4(Ipv4Addr::from(a)), l).unwrap(),
    })
}

fn v6_nlri(add_path: bool) -> impl Strategy<Value = Nlri> {
    (any::<u128>(), 0u8..=128, any::<u32>()).prop_map(move |(a, l, id)| Nlri {
        path_id: add_path.then_some(id),
        prefix: Prefix::new(IpAddr::V6(Ipv6Addr::from(a)), l).unwrap(),
    })
}

fn as_path(four: bool) -> impl Strategy<Value = AsPath> {
    let asn = if four {
        any::<u32>().boxed()
    } else {
        (0u32..=65535).boxed()
    };
    let kind = prop_oneof![
        Just(SegmentType::Sequence),
        Just(SegmentType::Set),
        Just(SegmentType::ConfedSequence),
        Just(SegmentType::ConfedSet)
    ];
    prop::collection::vec((kind, prop::collection::vec(asn, 1..12)), 0..4).prop_map(|segs| AsPath {
        segments: segs
            .into_iter()
            .map(|(kind, asns)| Segment { kind, asns })
            .collect(),
    })
}

fn attributes(ctx: DecodeContext) -> impl Strategy<Value = Vec<Attribute>> {
    let four = ctx.four_octet_as;
    let agg_asn = if four {
        any::<u32>().boxed()
    } else {
        (0u32..=65535).boxed()
    };
    (
        (
            prop_oneof![
                Just(Origin::Igp),
                Just(Origin::Egp),
                Just(Origin::Incomplete)
            ],
            as_path(four),
            any::<u32>(),
        ),
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u32>()),
            any::<bool>(),
        ),
        proptest::option::of((agg_asn, any::<u32>())),
        prop::collection::vec(any::<u32>(), 0..8),
        prop::collection::vec(any::<[u8; 8]>(), 0..4),
        prop::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 0..4),
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u64>()),
        ),
        proptest::option::of((200u8..=250, prop::collection::vec(any::<u8>(), 0..300))),
        prop::collection::vec(v6_nlri(ctx.add_path_for(Family::IPV6_UNICAST)), 0..30),
        prop::collection::vec(v6_nlri(ctx.add_path_for(Family::IPV6_UNICAST)), 0..10),
        (
            proptest::option::of(any::<u32>()),
            prop::collection::vec(any::<u32>(), 0..5),
            prop::collection::vec(any::<[u8; 20]>(), 0..3),
            proptest::option::of((as_path(true), any::<u32>(), any::<u32>())),
        ),
    )
        .prop_map(
            move |(
                core,
                (med, lp, atomic),
                agg,
                comms,
                ext,
                large,
                (otc, aigp),
                unknown,
                reach,
                unreach,
                rr,
            )| {
                let (origin, path, nh) = core;
                let (originator, clusters, ext6, as4) = rr;
                let mut v = Vec::new();
                if !reach.is_empty() {
                    let nh6 = NextHop::Ipv6 {
                        global: Ipv6Addr::from(u128::from(nh) << 64),
                        link_local: None,
                    };
                    v.push(Attribute::new(AttrValue::MpReach(Box::new(MpReach::new(
                        Family::IPV6_UNICAST,
                        nh6,
                        reach,
                    )))));
                }
                if !unreach.is_empty() {
                    v.push(Attribute::new(AttrValue::MpUnreach(Box::new(MpUnreach {
                        family: Family::IPV6_UNICAST,
                        nlri: MpNlri::Prefixes(unreach),
                    }))));
                }
                v.push(Attribute::new(AttrValue::Origin(origin)));
                v.push(Attribute::new(AttrValue::AsPath(path)));
                v.push(Attribute::new(AttrValue::NextHop(Ipv4Addr::from(nh))));
                if let Some(m) = med {
                    v.push(Attribute::new(AttrValue::Med(m)));
                }
                if let Some(l) = lp {
                    v.push(Attribute::new(AttrValue::LocalPref(l)));
                }
                if atomic {
                    v.push(Attribute::new(AttrValue::AtomicAggregate));
                }
                if let Some((asn, a)) = agg {
                    v.push(Attribute::new(AttrValue::Aggregator(Aggregator {
                        asn,
                        addr: Ipv4Addr::from(a),
                    })));
                }
                if !comms.is_empty() {
                    v.push(Attribute::new(AttrValue::Communities(
                        comms.into_iter().map(Community).collect(),
                    )));
                }
                if !ext.is_empty() {
                    v.push(Attribute::new(AttrValue::ExtCommunities(
                        ext.into_iter().map(ExtCommunity).collect(),
                    )));
                }
                if !large.is_empty() {
                    let l = large
                        .into_iter()
                        .map(|(global, local1, local2)| LargeCommunity {
                            global,
                            local1,
                            local2,
                        })
                        .collect();
                    v.push(Attribute::new(AttrValue::LargeCommunities(l)));
                }
                if let Some(o) = otc {
                    v.push(Attribute::new(AttrValue::Otc(o)));
                }
                if let Some(m) = aigp {
                    let t = AigpTlv {
                        tlv_type: 1,
                        value: m.to_be_bytes().to_vec(),
                    };
                    v.push(Attribute::new(AttrValue::Aigp(vec![t])));
                }
                if let Some(o) = originator {
                    v.push(Attribute::new(AttrValue::OriginatorId(Ipv4Addr::from(o))));
                }
                if !clusters.is_empty() {
                    v.push(Attribute::new(AttrValue::ClusterList(
                        clusters.into_iter().map(Ipv4Addr::from).collect(),
                    )));
                }
                if !ext6.is_empty() {
                    let e = ext6
                        .into_iter()
                        .map(peerd_wire::attr::Ipv6ExtCommunity)
                        .collect();
                    v.push(Attribute::new(AttrValue::Ipv6ExtCommunities(e)));
                }
                if let Some((p4, asn, a)) = as4 {
                    v.push(Attribute::new(AttrValue::As4Path(p4)));
                    v.push(Attribute::new(AttrValue::As4Aggregator(Aggregator {
                        asn,
                        addr: Ipv4Addr::from(a),
                    })));
                }
                if let Some((t, data)) = unknown {
                    v.push(Attribute::new(AttrValue::Unknown { type_code: t, data }));
                }
                v
            },
        )
}

fn update() -> impl Strategy<Value = (DecodeContext, Update)> {
    ctx().prop_flat_map(|c| {
        let ap4 = c.add_path_for(Family::IPV4_UNICAST);
        (
            Just(c),
            prop::collection::vec(v4_nlri(ap4), 0..30),
            attributes(c),
            prop::collection::vec(v4_nlri(ap4), 0..30),
        )
            .prop_map(|(c, withdrawn, attributes, nlri)| {
                (
                    c,
                    Update {
                        withdrawn,
                        attributes,
                        nlri,
                        errors: Vec::new(),
                    },
                )
            })
    })
}

fn without_ext_len(u: &Update) -> Update {
    let mut u = u.clone();
    for a in &mut u.attributes {
        a.flags &= !peerd_wire::attr::flags::EXTENDED_LENGTH;
    }
    u
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn update_round_trips((c, u) in update()) {
        let bytes = Message::Update(u.clone()).encode(&c);
        let Message::Update(back) = Message::decode(&bytes, &c).unwrap() else { panic!("not an UPDATE") };
        prop_assert!(back.errors.is_empty(), "{:?}", back.errors);
        // The encoder sets the extended-length bit where a value needs it.
        prop_assert_eq!(without_ext_len(&back), without_ext_len(&u));
        prop_assert_eq!(Message::Update(back).encode(&c), bytes);
    }

    #[test]
    fn open_round_trips(
        asn in any::<u32>(),
        hold in any::<u16>(),
        id in any::<u32>(),
        role in 0u8..=5,
        restart in 0u16..4096,
        host in prop::collection::vec(any::<u8>(), 0..60),
        unknown in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let caps = vec![
            Capability::Multiprotocol(Family::IPV4_UNICAST),
            Capability::Multiprotocol(Family::IPV6_UNICAST),
            Capability::RouteRefresh,
            Capability::EnhancedRouteRefresh,
            Capability::FourOctetAs(asn),
            Capability::Role(Role::from_u8(role)),
            Capability::GracefulRestart(GracefulRestart {
                flags: 0x8,
                restart_time: restart,
                families: vec![GracefulRestartFamily { family: Family::IPV4_UNICAST, flags: 0x80 }],
            }),
            Capability::AddPath(vec![AddPathFamily { family: Family::IPV6_UNICAST, mode: AddPathMode::BOTH }]),
            Capability::Fqdn { hostname: host, domain: b"example".to_vec() },
            Capability::Unknown { code: 200, value: unknown },
        ];
        let o = Open::new(asn, hold, Ipv4Addr::from(id), caps);
        let bytes = Message::Open(o.clone()).encode(&DecodeContext::MODERN);
        let back = Message::decode(&bytes, &DecodeContext::MODERN).unwrap();
        prop_assert_eq!(&back, &Message::Open(o.clone()));
        prop_assert_eq!(back.encode(&DecodeContext::MODERN), bytes);
        let Message::Open(b) = back else { unreachable!() };
        prop_assert_eq!(b.asn(), asn);
    }

    #[test]
    fn other_messages_round_trip(
        code in any::<u8>(),
        sub in any::<u8>(),
        data in prop::collection::vec(any::<u8>(), 0..100),
        afi in any::<u16>(),
        safi in any::<u8>(),
        st in any::<u8>(),
        text in "[ -~]{0,80}",
    ) {
        let c = DecodeContext::MODERN;
        let rr = peerd_wire::RouteRefresh {
            family: Family::new(afi, safi),
            subtype: match st % 4 {
                0 => peerd_wire::message::RouteRefreshSubtype::Request,
                1 => peerd_wire::message::RouteRefreshSubtype::BeginOfRib,
                2 => peerd_wire::message::RouteRefreshSubtype::EndOfRib,
                _ => peerd_wire::message::RouteRefreshSubtype::Reserved(st.max(3)),
            },
            orf: Vec::new(),
        };
        for m in [
            Message::Notification(peerd_wire::Notification::new(code, sub, data.clone())),
            Message::Notification(peerd_wire::Notification::shutdown(2, &text)),
            Message::RouteRefresh(rr.clone()),
            Message::Keepalive,
        ] {
            let bytes = m.encode(&c);
            let back = Message::decode(&bytes, &c).unwrap();
            prop_assert_eq!(&back, &m);
            prop_assert_eq!(back.encode(&c), bytes);
        }
        let Message::Notification(n) = Message::decode(
            &Message::Notification(peerd_wire::Notification::shutdown(2, &text)).encode(&c), &c).unwrap()
        else { unreachable!() };
        prop_assert_eq!(n.shutdown_communication(), Some(Ok(text.as_str())));
    }

    #[test]
    fn prefixes_parse_and_print((a, l) in (any::<u128>(), 0u8..=128)) {
        let p = Prefix::new(IpAddr::V6(Ipv6Addr::from(a)), l).unwrap();
        prop_assert_eq!(p.to_string().parse::<Prefix>().unwrap(), p);
        let mut out = Vec::new();
        p.encode(&mut out);
        prop_assert_eq!(out.len(), p.encoded_len());
    }

    #[test]
    fn arbitrary_bytes_never_panic(c in ctx(), bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Update::decode(&bytes, &c);
        let mut framed = vec![0xff; 16];
        framed.extend_from_slice(&((bytes.len() + 19) as u16).to_be_bytes());
        framed.push(2);
        framed.extend_from_slice(&bytes);
        let _ = Message::decode(&framed, &c);
    }
}
