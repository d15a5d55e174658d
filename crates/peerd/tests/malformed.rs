//! A scripted peer sends peerd malformed UPDATEs of each RFC 7606 class over a
//! real TCP session; peerd must do exactly what the RFC says without losing
//! other routes: attribute discard and treat-as-withdraw keep the session,
//! session-reset errors end it with the right NOTIFICATION.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use peerd_wire::attr::{AsPath, Origin};
use peerd_wire::{AttrValue, Attribute, DecodeContext, Family, Message, Nlri, UpdateBuilder};
use std::net::Ipv4Addr;
use std::time::Duration;

fn attrs(nh: [u8; 4]) -> Vec<Attribute> {
    vec![
        Attribute::new(AttrValue::Origin(Origin::Igp)),
        Attribute::new(AttrValue::AsPath(AsPath::from_sequence(vec![64501]))),
        Attribute::new(AttrValue::NextHop(Ipv4Addr::from(nh))),
    ]
}

fn announce(p: &mut FakePeer, prefixes: &[&str], extra: Vec<Attribute>) {
    let mut a = attrs([198, 18, 0, 2]);
    a.extend(extra);
    let nlri: Vec<Nlri> = prefixes
        .iter()
        .map(|x| Nlri::new(x.parse().unwrap()))
        .collect();
    for m in UpdateBuilder::new(&DecodeContext::MODERN)
        .announce(Family::IPV4_UNICAST, &a, None, &nlri)
        .unwrap()
    {
        p.send(&m);
    }
}

/// An UPDATE for `prefix` with the usual attributes plus `raw_attr` as sent.
fn with_raw_attr(prefix: &str, raw_attr: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&[0, 0]); // no withdrawn routes
    let mut at = Vec::new();
    for a in attrs([198, 18, 0, 2]) {
        a.encode(&mut at, &DecodeContext::MODERN);
    }
    at.extend_from_slice(raw_attr);
    body.extend_from_slice(&(at.len() as u16).to_be_bytes());
    body.extend_from_slice(&at);
    Nlri::new(prefix.parse().unwrap()).encode(&mut body);
    let mut msg = vec![0xff; 16];
    msg.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
    msg.push(2);
    msg.extend_from_slice(&body);
    msg
}

fn start(n: u8) -> Proc {
    let cfg = format!(
        r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.{n}.1"]
port = 1179

[[neighbor]]
name = "fake"
address = "127.0.{n}.2"
remote-as = 64501
passive = true
hold-time = 9
import = "accept"
export = "accept"
"#
    );
    peerd(&format!("malformed-{n}"), &cfg)
}

fn routes(p: &Proc) -> String {
    p.ctl("routes fake")
}

#[test]
fn treat_as_withdraw_and_attribute_discard_keep_the_session_and_the_other_routes() {
    let d = start(20);
    let mut f = FakePeer::connect("127.0.20.2", "127.0.20.1:1179");
    wait(
        Duration::from_secs(5),
        || established(&d, "fake"),
        || d.log(),
    );
    announce(&mut f, &["198.18.1.0/24", "198.18.2.0/24"], vec![]);
    wait(
        Duration::from_secs(5),
        || routes(&d).contains("198.18.2.0/24"),
        || routes(&d),
    );

    // Treat-as-withdraw (RFC 7606 §7.1): ORIGIN value 7 for 198.18.1.0/24.
    let mut bad = with_raw_attr("198.18.1.0/24", &[]);
    // Patch the ORIGIN value (the first attribute: flags, type, len, value).
    let origin_at = 19 + 2 + 2 + 3;
    bad[origin_at] = 7;
    f.send(&bad);
    wait(
        Duration::from_secs(5),
        || !routes(&d).contains("198.18.1.0/24"),
        || routes(&d),
    );
    assert!(
        routes(&d).contains("198.18.2.0/24"),
        "the other route stays: {}",
        routes(&d)
    );
    assert!(established(&d, "fake"));

    // Treat-as-withdraw: COMMUNITIES of length 3 (RFC 7606 §7.8).
    announce(&mut f, &["198.18.3.0/24"], vec![]);
    wait(
        Duration::from_secs(5),
        || routes(&d).contains("198.18.3.0/24"),
        || routes(&d),
    );
    f.send(&with_raw_attr("198.18.3.0/24", &[0xc0, 8, 3, 1, 2, 3]));
    wait(
        Duration::from_secs(5),
        || !routes(&d).contains("198.18.3.0/24"),
        || routes(&d),
    );
    assert!(established(&d, "fake"));

    // Attribute discard (RFC 7606 §7.7): an AGGREGATOR of 5 octets; the route is kept without it.
    f.send(&with_raw_attr(
        "198.18.4.0/24",
        &[0xc0, 7, 5, 1, 2, 3, 4, 5],
    ));
    wait(
        Duration::from_secs(5),
        || routes(&d).contains("198.18.4.0/24"),
        || routes(&d),
    );
    assert!(established(&d, "fake"));
    assert!(
        d.log().contains("UPDATE attribute 7"),
        "the error is logged: {}",
        d.log()
    );

    // Nothing of this earned a NOTIFICATION: a KEEPALIVE still gets through.
    f.send(&Message::Keepalive.encode(&DecodeContext::MODERN));
    std::thread::sleep(Duration::from_secs(1));
    assert!(established(&d, "fake"));
}

#[test]
fn a_session_reset_error_ends_the_session_with_its_notification() {
    let d = start(21);
    let mut f = FakePeer::connect("127.0.21.2", "127.0.21.1:1179");
    wait(
        Duration::from_secs(5),
        || established(&d, "fake"),
        || d.log(),
    );
    announce(&mut f, &["198.18.9.0/24"], vec![]);
    wait(
        Duration::from_secs(5),
        || routes(&d).contains("198.18.9.0/24"),
        || routes(&d),
    );
    // An unrecognised well-known attribute (type 99, flags 0x40): 3/2, session reset.
    f.send(&with_raw_attr("198.18.10.0/24", &[0x40, 99, 1, 0]));
    let n = f.notification().expect("a NOTIFICATION");
    assert_eq!((n.code, n.subcode), (3, 2));
    assert_eq!(
        n.data,
        vec![0x40, 99, 1, 0],
        "the attribute as data (RFC 4271 §6.3)"
    );
    wait(
        Duration::from_secs(5),
        || !established(&d, "fake"),
        || d.ctl("neighbors"),
    );
    assert!(
        d.ctl("neighbors").contains("sent NOTIFICATION 3/2"),
        "{}",
        d.ctl("neighbors")
    );
    assert!(
        !routes(&d).contains("198.18.9.0/24"),
        "routes of a reset session are flushed"
    );
}

#[test]
fn a_header_error_ends_the_session_with_1_x() {
    let d = start(22);
    let mut f = FakePeer::connect("127.0.22.2", "127.0.22.1:1179");
    wait(
        Duration::from_secs(5),
        || established(&d, "fake"),
        || d.log(),
    );
    // A KEEPALIVE with a length of 20: Bad Message Length, data = the length.
    let mut k = vec![0xff; 16];
    k.extend_from_slice(&[0, 20, 4, 0]);
    f.send(&k);
    let n = f.notification().expect("a NOTIFICATION");
    assert_eq!((n.code, n.subcode, n.data), (1, 2, vec![0, 20]));
    wait(
        Duration::from_secs(5),
        || !established(&d, "fake"),
        || d.ctl("neighbors"),
    );
}
