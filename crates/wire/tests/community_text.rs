//! Communities as operators write them: the text `Display` writes parses
//! back to the same value, and malformed text is refused with the form that
//! was expected.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_wire::attr::{Community, ExtCommunity, LargeCommunity};

#[test]
fn standard_communities_parse_from_numbers_and_well_known_names() {
    assert_eq!(
        "64500:7".parse::<Community>().unwrap(),
        Community::new(64500, 7)
    );
    assert_eq!(
        "no-export".parse::<Community>().unwrap(),
        Community::NO_EXPORT
    );
    for c in [Community::NO_ADVERTISE, Community::BLACKHOLE, Community(1)] {
        assert_eq!(c.to_string().parse::<Community>().unwrap(), c);
    }
    for bad in ["65536:1", "1:2:3", "1", "a:b", ""] {
        let e = bad.parse::<Community>().unwrap_err();
        assert!(e.to_string().starts_with("expected AS:VALUE"), "{bad}: {e}");
    }
}

#[test]
fn large_communities_parse_three_32_bit_parts() {
    let c: LargeCommunity = "4200000001:1:2".parse().unwrap();
    assert_eq!((c.global, c.local1, c.local2), (4_200_000_001, 1, 2));
    assert_eq!(c.to_string(), "4200000001:1:2");
    assert!("4294967296:1:1".parse::<LargeCommunity>().is_err());
    assert!("1:1".parse::<LargeCommunity>().is_err());
}

#[test]
fn extended_communities_parse_in_every_route_target_form() {
    // Two-octet AS, 4-octet value (RFC 4360 §3.1).
    let rt: ExtCommunity = "rt 64500:70000".parse().unwrap();
    assert_eq!(rt.0, [0x00, 0x02, 0xfb, 0xf4, 0x00, 0x01, 0x11, 0x70]);
    assert_eq!(rt, ExtCommunity::route_target(64500, 70000));
    // IPv4 address, 2-octet value (§3.2).
    let ip: ExtCommunity = "soo 192.0.2.1:9".parse().unwrap();
    assert_eq!(ip.0, [0x01, 0x03, 192, 0, 2, 1, 0, 9]);
    // Four-octet AS, 2-octet value (RFC 5668).
    let as4: ExtCommunity = "rt 4200000001:9".parse().unwrap();
    assert_eq!(as4.0[..2], [0x02, 0x02]);
    // Any other kind in hex.
    let raw: ExtCommunity = "0x4002fbf500000009".parse().unwrap();
    assert!(!raw.is_transitive());
    for c in [rt, ip, as4, raw] {
        assert_eq!(c.to_string().parse::<ExtCommunity>().unwrap(), c, "{c}");
    }
    for bad in ["rt 4200000001:70000", "xx 1:2", "rt 1", "0x12", "rt 1:2:3"] {
        let e = bad.parse::<ExtCommunity>().unwrap_err();
        assert!(e.to_string().contains("rt GLOBAL:LOCAL"), "{bad}: {e}");
    }
}
