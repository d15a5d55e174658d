//! Encode/decode vectors for the edge cases: UPDATE packing, End-of-RIB,
//! OPEN with the RFC 9072 extended parameters length, 4-octet AS through a
//! 2-octet speaker, extended messages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_wire::attr::{AsPath, Community, NextHop, Origin, AS_TRANS};
use peerd_wire::capability::Capability;
use peerd_wire::{
    frame, AttrAction, AttrValue, Attribute, DecodeContext, Family, FamilySet, Message, Nlri, Open,
    Prefix, UpdateBuilder,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn v4_prefixes(n: u32) -> Vec<Nlri> {
    (0..n)
        .map(|i| {
            Nlri::new(Prefix::new(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + (i << 8))), 24).unwrap())
        })
        .collect()
}

fn base_attrs(nh: Option<Ipv4Addr>) -> Vec<Attribute> {
    let mut v = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![64500, 64501]))),
    ];
    if let Some(nh) = nh {
        v.push(Attribute::new(AttrValue::NextHop(nh)));
    }
    v.push(Attribute::new(AttrValue::Communities(vec![
        Community::new(64500, 1),
    ])));
    v
}

fn decode_all(msgs: &[Vec<u8>], ctx: &DecodeContext) -> Vec<peerd_wire::Update> {
    msgs.iter()
        .map(|m| match Message::decode(m, ctx).unwrap() {
            Message::Update(u) => {
                assert!(u.errors.is_empty(), "{:?}", u.errors);
                u
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn ipv4_announcements_pack_into_as_few_messages_as_fit() {
    let ctx = DecodeContext::MODERN;
    let nlri = v4_prefixes(3000);
    let attrs = base_attrs(Some(Ipv4Addr::new(192, 0, 2, 1)));
    let msgs = UpdateBuilder::new(&ctx)
        .announce(Family::IPV4_UNICAST, &attrs, None, &nlri)
        .unwrap();
    assert!(msgs.iter().all(|m| m.len() <= 4096));
    // Every message but the last is full: the next prefix (4 octets) would not fit.
    assert!(msgs[..msgs.len() - 1].iter().all(|m| m.len() > 4096 - 4));
    let total: usize = nlri.len() * 4;
    let room = 4096 - 23 - attrs_len(&attrs, &ctx);
    assert_eq!(msgs.len(), total.div_ceil(room / 4 * 4));
    let got: Vec<Nlri> = decode_all(&msgs, &ctx)
        .into_iter()
        .flat_map(|u| {
            assert_eq!(u.attributes, attrs);
            u.nlri
        })
        .collect();
    assert_eq!(got, nlri);
}

fn attrs_len(attrs: &[Attribute], ctx: &DecodeContext) -> usize {
    let mut v = Vec::new();
    for a in attrs {
        a.encode(&mut v, ctx);
    }
    v.len()
}

#[test]
fn ipv6_announcements_go_in_mp_reach_and_extended_messages_hold_more() {
    let nh = NextHop::Ipv6 {
        global: "2001:db8::1".parse().unwrap(),
        link_local: Some("fe80::1".parse().unwrap()),
    };
    let nlri: Vec<Nlri> = (0..5000u32)
        .map(|i| {
            Nlri::new(
                Prefix::new(
                    IpAddr::V6(Ipv6Addr::from(
                        (0x2001_0db8u128 << 96) | (u128::from(i) << 80),
                    )),
                    48,
                )
                .unwrap(),
            )
        })
        .collect();
    let attrs = base_attrs(None);
    for (ext, max) in [(false, 4096), (true, 65535)] {
        let ctx = DecodeContext {
            extended_message: ext,
            ..DecodeContext::MODERN
        };
        let msgs = UpdateBuilder::new(&ctx)
            .announce(Family::IPV6_UNICAST, &attrs, Some(&nh), &nlri)
            .unwrap();
        assert!(msgs.iter().all(|m| m.len() <= max));
        if ext {
            assert_eq!(msgs.len(), 1, "5000 /48s (35 kB) fit one extended message");
            assert!(frame(&msgs[0], 65535).unwrap().is_some());
            assert!(frame(&msgs[0], 4096).is_err(), "too long without RFC 8654");
        }
        let ups = decode_all(&msgs, &ctx);
        let got: Vec<Nlri> = ups
            .iter()
            .flat_map(|u| u.mp_reach().unwrap().nlri.prefixes().to_vec())
            .collect();
        assert_eq!(got, nlri);
        assert_eq!(ups[0].mp_reach().unwrap().next_hop, nh);
        // MP_REACH_NLRI first, then the shared attributes (RFC 7606 §5.1).
        assert_eq!(ups[0].attributes[0].type_code(), 14);
        assert_eq!(&ups[0].attributes[1..], attrs.as_slice());
    }
}

#[test]
fn withdrawals_and_end_of_rib() {
    let ctx = DecodeContext {
        add_path: FamilySet::of(&[Family::IPV4_UNICAST]),
        ..DecodeContext::MODERN
    };
    let mut nlri = v4_prefixes(2000);
    for (i, n) in nlri.iter_mut().enumerate() {
        n.path_id = Some(i as u32);
    }
    let b = UpdateBuilder::new(&ctx);
    let msgs = b.withdraw(Family::IPV4_UNICAST, &nlri).unwrap();
    let got: Vec<Nlri> = decode_all(&msgs, &ctx)
        .into_iter()
        .flat_map(|u| u.withdrawn)
        .collect();
    assert_eq!(got, nlri);
    let v6 = vec![Nlri::new("2001:db8::/32".parse().unwrap())];
    let msgs = b.withdraw(Family::IPV6_UNICAST, &v6).unwrap();
    let u = &decode_all(&msgs, &ctx)[0];
    assert_eq!(
        u.withdrawn_routes().map(|(_, n)| *n).collect::<Vec<_>>(),
        v6
    );

    let eor = b.end_of_rib(Family::IPV4_UNICAST);
    assert_eq!(eor.len(), 23);
    assert_eq!(
        decode_all(&[eor], &ctx)[0].end_of_rib(),
        Some(Family::IPV4_UNICAST)
    );
    let eor6 = b.end_of_rib(Family::IPV6_UNICAST);
    assert_eq!(
        decode_all(&[eor6], &ctx)[0].end_of_rib(),
        Some(Family::IPV6_UNICAST)
    );
}

#[test]
fn open_with_many_capabilities_uses_the_rfc_9072_form_and_round_trips() {
    let mut caps = vec![
        Capability::FourOctetAs(4_200_000_001),
        Capability::RouteRefresh,
    ];
    caps.push(Capability::Fqdn {
        hostname: vec![b'h'; 200],
        domain: vec![b'd'; 50],
    });
    for f in [
        Family::IPV4_UNICAST,
        Family::IPV6_UNICAST,
        Family::IPV4_MULTICAST,
    ] {
        caps.push(Capability::Multiprotocol(f));
    }
    let open = Open::new(4_200_000_001, 90, Ipv4Addr::new(192, 0, 2, 1), caps);
    assert_eq!(open.my_as, AS_TRANS as u16);
    let bytes = Message::Open(open.clone()).encode(&DecodeContext::MODERN);
    // Opt Parm Len 255, then the 255 marker and a 2-octet length.
    assert_eq!(&bytes[28..30], &[255, 255]);
    let Message::Open(back) = Message::decode(&bytes, &DecodeContext::MODERN).unwrap() else {
        panic!()
    };
    assert!(back.extended_params);
    assert_eq!(back.asn(), 4_200_000_001);
    assert_eq!(
        back.capabilities().cloned().collect::<Vec<_>>(),
        open.capabilities().cloned().collect::<Vec<_>>()
    );
    assert_eq!(Message::Open(back).encode(&DecodeContext::MODERN), bytes);
}

#[test]
fn an_overlong_capability_value_is_cut_not_mislabelled() {
    let c = Capability::Fqdn {
        hostname: vec![b'h'; 300],
        domain: vec![b'd'; 10],
    };
    let mut out = Vec::new();
    c.encode(&mut out);
    assert_eq!(usize::from(out[1]), out.len() - 2);
    assert!(Capability::decode(out[0], &out[2..]).is_ok());
}

#[test]
fn four_octet_path_survives_a_two_octet_speaker() {
    // What a 2-octet speaker sends: AS_TRANS in AS_PATH and AGGREGATOR, the
    // real values in AS4_PATH and AS4_AGGREGATOR (RFC 6793 §4.2.2).
    let legacy = DecodeContext::LEGACY;
    let attrs = vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![
            64500, AS_TRANS, AS_TRANS,
        ]))),
        Attribute::new(AttrValue::NextHop(Ipv4Addr::new(192, 0, 2, 1))),
        Attribute::new(AttrValue::Aggregator(peerd_wire::attr::Aggregator {
            asn: AS_TRANS,
            addr: Ipv4Addr::new(192, 0, 2, 9),
        })),
        Attribute::new(AttrValue::As4Path(AsPath::from_sequence(vec![
            4_200_000_001,
            4_200_000_002,
        ]))),
        Attribute::new(AttrValue::As4Aggregator(peerd_wire::attr::Aggregator {
            asn: 4_200_000_002,
            addr: Ipv4Addr::new(192, 0, 2, 9),
        })),
    ];
    let msgs = UpdateBuilder::new(&legacy)
        .announce(Family::IPV4_UNICAST, &attrs, None, &v4_prefixes(1))
        .unwrap();
    // AS_PATH is written with 2-octet AS numbers: 2 + 3*2 octets of value.
    let u = &decode_all(&msgs, &legacy)[0];
    assert_eq!(u.as_path().unwrap().to_string(), "64500 23456 23456");
    assert_eq!(
        u.real_as_path(&legacy).unwrap().to_string(),
        "64500 4200000001 4200000002"
    );
    let agg = peerd_wire::message::update::real_aggregator(&u.attributes, false).unwrap();
    assert_eq!(agg.asn, 4_200_000_002);
    // Decoded as if 4-octet, the same bytes are a malformed AS_PATH.
    let wrong = match Message::decode(&msgs[0], &DecodeContext::MODERN).unwrap() {
        Message::Update(u) => u,
        _ => unreachable!(),
    };
    assert_eq!(wrong.action(), Some(AttrAction::TreatAsWithdraw));
}

#[test]
fn rfc7606_outcomes_per_attribute() {
    let ctx = DecodeContext::MODERN;
    // (attribute bytes, expected action, expected subcode)
    let cases: &[(&[u8], AttrAction, u8)] = &[
        (&[0x40, 1, 1, 7], AttrAction::TreatAsWithdraw, 6), // ORIGIN 7
        (&[0x40, 3, 3, 1, 2, 3], AttrAction::TreatAsWithdraw, 5), // NEXT_HOP short
        (&[0x80, 4, 2, 0, 1], AttrAction::TreatAsWithdraw, 5), // MED short
        (&[0x40, 6, 1, 0], AttrAction::AttributeDiscard, 5), // ATOMIC_AGGREGATE with data
        (&[0xc0, 7, 3, 0, 0, 0], AttrAction::AttributeDiscard, 5), // AGGREGATOR short
        (&[0xc0, 8, 3, 0, 0, 0], AttrAction::TreatAsWithdraw, 5), // COMMUNITIES not /4
        (&[0xc0, 32, 4, 0, 0, 0, 0], AttrAction::TreatAsWithdraw, 5), // LARGE_COMMUNITY not /12
        (&[0x80, 14, 2, 0, 2], AttrAction::SessionReset, 5), // MP_REACH, AFI/SAFI unreadable
        (
            &[0x80, 14, 5, 0, 2, 1, 16, 0],
            AttrAction::AfiSafiDisable,
            5,
        ), // MP_REACH, next hop overruns
        (&[0x80, 1, 1, 0], AttrAction::TreatAsWithdraw, 4), // ORIGIN marked optional
        (&[0xc0, 17, 2, 2, 0], AttrAction::AttributeDiscard, 9), // AS4_PATH zero-length segment
        (&[0xc0, 35, 2, 0, 0], AttrAction::TreatAsWithdraw, 5), // OTC short
    ];
    for (bytes, action, sub) in cases {
        let list =
            peerd_wire::attr::decode_attributes(bytes, &ctx, peerd_wire::attr::MpReachLayout::Full);
        assert_eq!(list.errors.len(), 1, "{bytes:02x?}");
        let e = &list.errors[0];
        assert_eq!(
            (e.action, e.error.code, e.error.subcode),
            (*action, 3, *sub),
            "{bytes:02x?}"
        );
        if e.action != AttrAction::SessionReset {
            assert_eq!(e.error.data, *bytes, "NOTIFICATION data is the attribute");
        }
    }
    // A repeated attribute: the first is kept (RFC 7606 §3(g)).
    let list = peerd_wire::attr::decode_attributes(
        &[0x80, 4, 4, 0, 0, 0, 1, 0x80, 4, 4, 0, 0, 0, 2],
        &ctx,
        peerd_wire::attr::MpReachLayout::Full,
    );
    assert_eq!(list.attributes[0].value, AttrValue::Med(1));
    assert_eq!(list.errors[0].action, AttrAction::AttributeDiscard);
}
