//! Configuration files in, `Config` or precise errors out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_config::{parse, MaxPrefixAction, PolicySwitch};
use peerd_wire::attr::{Community, ExtCommunity};
use peerd_wire::capability::Role;
use peerd_wire::Family;
use std::time::Duration;

const GOOD: &str = r#"
[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.0.1"]
port = 1179

[[announce]]
prefix = "203.0.113.0/24"

[[announce]]
prefix = "2001:db8:100::/40"
communities = ["64500:1", "no-export"]
large-communities = ["64500:0:7"]
extended-communities = ["rt 64500:7", "soo 192.0.2.1:3"]

[[neighbor]]
name = "google-v4"
address = "198.51.100.1"
remote-as = 15169
role = "peer"
ttl-security = true
password = "s3cret"
max-prefixes = { ipv4 = 20000, action = "restart", restart-after = "15m" }
import = "accept"
export = "accept"

[[neighbor]]
name = "transit"
address = "2001:db8::1"
remote-as = 64501
hold-time = 30
families = ["ipv4-unicast", "ipv6-unicast"]
"#;

#[test]
fn a_good_file_becomes_a_complete_config() {
    let c = parse(GOOD, "peerd.toml").unwrap();
    assert_eq!((c.router.asn, c.router.port), (64500, 1179));
    assert_eq!(c.announce.len(), 2);
    let v6 = &c.announce[1];
    assert_eq!(
        v6.communities,
        [Community::new(64500, 1), Community::NO_EXPORT]
    );
    assert_eq!(v6.large_communities[0].to_string(), "64500:0:7");
    assert_eq!(
        v6.extended_communities,
        [
            ExtCommunity::route_target(64500, 7),
            ExtCommunity([0x01, 0x03, 192, 0, 2, 1, 0, 3])
        ]
    );
    let g = &c.neighbors[0];
    assert_eq!(
        (g.name.as_str(), g.remote_as, g.role),
        ("google-v4", 15169, Some(Role::Peer))
    );
    assert!(g.ttl_security && g.password.as_deref() == Some("s3cret"));
    assert_eq!(g.families, vec![Family::IPV4_UNICAST]);
    let m = g.max_prefix.unwrap();
    assert_eq!(
        (m.ipv4, m.action),
        (
            Some(20000),
            MaxPrefixAction::Restart(Duration::from_secs(900))
        )
    );
    assert_eq!(
        (g.import, g.export),
        (PolicySwitch::Accept, PolicySwitch::Accept)
    );
    let t = &c.neighbors[1];
    assert_eq!(t.hold_time, 30);
    assert_eq!(t.families, vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]);
    // RFC 8212: no policy on an eBGP session means nothing in or out, and a warning.
    assert_eq!(
        (t.import, t.export),
        (PolicySwitch::Deny, PolicySwitch::Deny)
    );
    assert!(c
        .warnings
        .iter()
        .any(|w| w.contains("transit") && w.contains("RFC 8212")));
}

#[test]
fn every_error_is_reported_with_file_line_and_column() {
    let bad = r#"[router]
asn = 0
router-id = "not-an-ip"

[[announce]]
prefix = "203.0.113.1/24"
communities = ["64500:1", "70000:1"]

[[neighbor]]
address = "198.51.100.300"
remote-as = 64501
hold-time = 2
role = "friend"
import = "maybe"
"#;
    let e = parse(bad, "bad.toml").unwrap_err();
    let lines: Vec<String> = e.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(lines.len(), 8, "{lines:#?}");
    assert!(
        lines[0].starts_with("bad.toml:2:7: router.asn: AS 0 is reserved"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("bad.toml:3:13: router.router-id"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(
        "bad.toml:6:10: announce.prefix: expected ADDRESS/LENGTH with host bits zero"
    ));
    assert_eq!(
        lines[3],
        "bad.toml:7:27: announce.communities: expected AS:VALUE with both parts 0-65535, \
         or a well-known name such as no-export, found \"70000:1\""
    );
    assert!(
        lines[4].starts_with("bad.toml:10:11: neighbor.address: expected an IPv4 or IPv6 address")
    );
    assert!(lines[5].starts_with("bad.toml:12:13: neighbor.hold-time: expected 0 or 3-65535"));
    assert!(lines[6].starts_with("bad.toml:13:8: neighbor.role: expected provider, customer, peer"));
    assert!(
        lines[7].starts_with("bad.toml:14:10: neighbor.import: expected \"accept\", \"deny\" or the name of a [[policy.NAME]]")
    );
}

#[test]
fn syntax_errors_and_unknown_keys_name_the_place() {
    let e = parse(
        "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nrouter_id = 1\n",
        "x.toml",
    )
    .unwrap_err();
    let s = e.to_string();
    assert!(
        s.starts_with("x.toml:4:1: unknown field `router_id`"),
        "{s}"
    );
    let e = parse("[router]\nasn = \n", "y.toml").unwrap_err();
    assert!(e.to_string().starts_with("y.toml:2:"), "{e}");
    let e = parse("[router]\nasn = 64500\n", "z.toml").unwrap_err();
    assert!(e.to_string().contains("router-id"), "{e}");
}

#[test]
fn contradictions_are_errors() {
    let t = r#"[router]
asn = 64500
router-id = "192.0.2.1"

[[neighbor]]
address = "fe80::1"
remote-as = 64501
ttl-security = true
multihop = 3
role-strict = true

[[neighbor]]
address = "192.0.2.8"
remote-as = 64502
keepalive = 90

[[neighbor]]
address = "192.0.2.9"
remote-as = 64503

[[neighbor]]
address = "192.0.2.9"
remote-as = 64504
"#;
    let e = parse(t, "c.toml").unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("c.toml:6:11: neighbor.address: a link-local IPv6 address needs"),
        "{s}"
    );
    assert!(
        s.contains("c.toml:8:16: neighbor.ttl-security: cannot be combined with multihop"),
        "{s}"
    );
    assert!(
        s.contains("c.toml:10:15: neighbor.role-strict: needs a role"),
        "{s}"
    );
    assert!(
        s.contains("c.toml:15:13: neighbor.keepalive: must be smaller than the hold time"),
        "{s}"
    );
    assert!(
        s.contains("c.toml:22:11: neighbor 192.0.2.9: the address is used twice"),
        "{s}"
    );
}

#[test]
fn ibgp_defaults_to_accept_and_durations_take_several_forms() {
    let t = r#"[router]
asn = 64500
router-id = "192.0.2.1"

[[neighbor]]
address = "192.0.2.2"
remote-as = 64500
connect-retry = "1m30s"
delay-open = 5
"#;
    let c = parse(t, "i.toml").unwrap();
    let n = &c.neighbors[0];
    assert_eq!(
        (n.import, n.export),
        (PolicySwitch::Accept, PolicySwitch::Accept)
    );
    assert_eq!(
        (n.connect_retry, n.delay_open),
        (Duration::from_secs(90), Some(Duration::from_secs(5)))
    );
    assert!(c.warnings.is_empty());
}

#[test]
fn a_role_on_ibgp_is_an_error_and_ebgp_without_one_a_warning() {
    let t = r#"[router]
asn = 64500
router-id = "192.0.2.1"

[[neighbor]]
address = "192.0.2.2"
remote-as = 64500
role = "peer"
"#;
    let s = parse(t, "r.toml").unwrap_err().to_string();
    assert!(
        s.contains("r.toml:8:8: neighbor.role: roles (RFC 9234) are for eBGP sessions"),
        "{s}"
    );
    let t = r#"[router]
asn = 64500
router-id = "192.0.2.1"

[[neighbor]]
name = "t"
address = "192.0.2.2"
remote-as = 64501
import = "accept"
export = "accept"
"#;
    let c = parse(t, "r.toml").unwrap();
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    assert!(c.warnings[0].contains("neighbor t: eBGP without a role"));
}

#[test]
fn bestpath_options_default_off_and_parse() {
    let base = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n";
    let c = parse(base, "b.toml").unwrap();
    assert_eq!(c.bestpath, peerd_config::Bestpath::default());
    let t = format!(
        "{base}\n[bestpath]\nalways-compare-med = true\nprefer-oldest = true\nmultipath = true\n"
    );
    let b = parse(&t, "b.toml").unwrap().bestpath;
    assert!(b.always_compare_med && b.prefer_oldest && b.multipath);
    let t = format!("{base}\n[bestpath]\ndeterministic-med = true\n");
    let s = parse(&t, "b.toml").unwrap_err().to_string();
    assert!(
        s.contains("b.toml:6:1:") && s.contains("deterministic-med"),
        "{s}"
    );
}

#[test]
fn route_reflection_settings() {
    let t = r#"[router]
asn = 64500
router-id = "192.0.2.1"
cluster-id = "192.0.2.100"

[[neighbor]]
address = "192.0.2.2"
remote-as = 64500
route-reflector-client = true
next-hop-self = true

[[neighbor]]
address = "192.0.2.3"
remote-as = 64501
route-reflector-client = true
"#;
    let s = parse(t, "rr.toml").unwrap_err().to_string();
    assert!(
        s.contains("rr.toml:15:26: neighbor.route-reflector-client: route reflection (RFC 4456) is for iBGP"),
        "{s}"
    );
    let ok = t.replace(
        "remote-as = 64501\nroute-reflector-client = true\n",
        "remote-as = 64501\n",
    );
    let c = parse(&ok, "rr.toml").unwrap();
    assert_eq!(c.router.cluster_id.to_string(), "192.0.2.100");
    assert!(c.neighbors[0].route_reflector_client && c.neighbors[0].next_hop_self);
    let bad = t.replace("\"192.0.2.100\"", "\"x\"");
    assert!(parse(&bad, "rr.toml")
        .unwrap_err()
        .to_string()
        .contains("rr.toml:4:14: router.cluster-id"));
}

#[test]
fn static_routes_redistribution_and_conditional_announcements() {
    use peerd_config::{AnnounceWhen, StaticNextHop};
    let t = r#"[router]
asn = 64500
router-id = "192.0.2.1"

[[announce]]
prefix = "203.0.113.0/24"
when = "covered"

[[static]]
prefix = "198.51.100.0/24"
next-hop = "192.0.2.254"

[[static]]
prefix = "0.0.0.0/0"
next-hop = "192.0.2.253"
distance = 250

[[static]]
prefix = "192.0.2.128/25"
blackhole = true

[[static]]
prefix = "2001:db8:1::/48"
next-hop = "fe80::1"
interface = "eth1"

[[policy.statics]]
action = "accept"

[redistribute]
static = "statics"
"#;
    let c = parse(t, "s.toml").unwrap();
    assert_eq!(c.announce[0].when, AnnounceWhen::Covered);
    assert_eq!(c.statics.len(), 4);
    assert_eq!(c.statics[0].distance, 1);
    assert_eq!(c.statics[1].distance, 250);
    assert_eq!(c.statics[2].next_hop, StaticNextHop::Blackhole);
    assert_eq!(
        c.statics[3].next_hop,
        StaticNextHop::Address("fe80::1".parse().unwrap(), Some("eth1".into()))
    );
    assert!(matches!(
        c.redistribute_static,
        Some(PolicySwitch::Policy(_))
    ));

    let bad = r#"[router]
asn = 64500
router-id = "192.0.2.1"

[[announce]]
prefix = "203.0.113.0/24"
when = "sometimes"

[[static]]
prefix = "198.51.100.0/24"

[[static]]
prefix = "2001:db8:1::/48"
next-hop = "fe80::1"

[[static]]
prefix = "192.0.2.0/24"
next-hop = "192.0.2.1"
blackhole = true

[redistribute]
static = "missing"
"#;
    let s = parse(bad, "s.toml").unwrap_err().to_string();
    for want in [
        "s.toml:7:8: announce.when: expected \"always\" or \"covered\"",
        "s.toml:9:1: static: give next-hop, interface, or blackhole = true",
        "s.toml:12:1: static: a link-local next hop needs `interface`",
        "s.toml:16:1: static: blackhole = true takes no next-hop or interface",
        "s.toml:22:10: redistribute.static: expected \"accept\", \"deny\" or the name of a [[policy.NAME]], found \"missing\"",
    ] {
        assert!(s.contains(want), "{want:?} in:\n{s}");
    }
}

#[test]
fn overlapping_listen_addresses_are_an_error() {
    let t = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"0.0.0.0\", \"::\", \"192.0.2.1\", \"::\"]\n";
    let s = parse(t, "l.toml").unwrap_err().to_string();
    assert!(
        s.contains("l.toml:4:28: router.listen: 192.0.2.1 overlaps 0.0.0.0"),
        "{s}"
    );
    assert!(
        s.contains("l.toml:4:41: router.listen: :: overlaps ::"),
        "{s}"
    );
    let ok = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"192.0.2.1\", \"2001:db8::1\", \"192.0.2.2\"]\n";
    assert_eq!(parse(ok, "l.toml").unwrap().router.listen.len(), 3);
}

#[test]
fn the_fib_section_has_defaults_and_precise_errors() {
    let head = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n";
    let c = parse(head, "f.toml").unwrap();
    assert_eq!(c.fib, None, "no [fib]: no kernel table is programmed");
    let c = parse(&format!("{head}\n[fib]\n"), "f.toml").unwrap();
    assert_eq!(
        c.fib,
        Some(peerd_config::Fib {
            table: 254,
            protocol: 200,
            metric: 20,
            retain: std::time::Duration::ZERO,
            import: PolicySwitch::Deny,
            import_distance: 250,
        })
    );
    // Kernel routes imported through a policy, and redistributed.
    let c = parse(
        &format!("{head}\n[fib]\nimport = \"dhcp\"\nimport-distance = 5\n\n[[policy.dhcp]]\naction = \"accept\"\n\n[redistribute]\nkernel = \"accept\"\n"),
        "f.toml",
    )
    .unwrap();
    let f = c.fib.unwrap();
    assert!(matches!(f.import, PolicySwitch::Policy(_)));
    assert_eq!(f.import_distance, 5);
    assert_eq!(c.redistribute_kernel, Some(PolicySwitch::Accept));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let c = parse(
        &format!("{head}\n[redistribute]\nkernel = \"accept\"\n"),
        "f.toml",
    )
    .unwrap();
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("[fib] import is not set")),
        "{:?}",
        c.warnings
    );
    let s = parse(
        &format!("{head}\n[fib]\nimport = \"nope\"\nimport-distance = 0\n"),
        "f.toml",
    )
    .unwrap_err()
    .to_string();
    for want in [
        "f.toml:6:10: fib.import: expected \"accept\", \"deny\" or the name of a [[policy.NAME]], found \"nope\"",
        "f.toml:7:19: fib.import-distance: expected a number from 1 to 255, found 0",
    ] {
        assert!(s.contains(want), "missing {want:?} in {s}");
    }
    let c = parse(&format!("{head}\n[fib]\nretain = \"2m\"\n"), "f.toml").unwrap();
    assert_eq!(c.fib.unwrap().retain, std::time::Duration::from_secs(120));
    let s = parse(
        &format!("{head}\n[fib]\ntable = 255\nprotocol = 300\nmetric = -1\nretain = \"soon\"\n"),
        "f.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        s.contains("f.toml:6:9: fib.table: 255 is the kernel's own table (local)"),
        "{s}"
    );
    for want in [
        "f.toml:7:12: fib.protocol: expected a number from 5 to 254, found 300",
        "f.toml:8:10: fib.metric: expected a number from 0 to 4294967295, found -1",
        "f.toml:9:10: fib.retain: expected a duration such as 90, \"90s\", \"15m\" or \"1h\"",
    ] {
        assert!(s.contains(want), "missing {want:?} in {s}");
    }
    let s = parse(&format!("{head}\n[fib]\nkernel = true\n"), "f.toml")
        .unwrap_err()
        .to_string();
    assert!(
        s.contains(
            "f.toml:6:1: unknown field `kernel`, expected one of `table`, `protocol`, `metric`, `retain`"
        ),
        "{s}"
    );
}

#[test]
fn the_api_section_is_checked() {
    let head = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n";
    let c = parse(head, "a.toml").unwrap();
    assert_eq!(c.api, peerd_config::Api::default());
    let c = parse(
        &format!("{head}\n[api]\ngroup = \"peerd\"\nlisten = \"[::1]:8179\"\ntoken-file = \"/etc/peerd/t\"\n"),
        "a.toml",
    )
    .unwrap();
    assert_eq!(c.api.group.as_deref(), Some("peerd"));
    assert_eq!(c.api.listen, "[::1]:8179".parse().ok());
    let s = parse(
        &format!("{head}\n[api]\nlisten = \"127.0.0.1:8179\"\ngroup = \"a b\"\n"),
        "a.toml",
    )
    .unwrap_err()
    .to_string();
    for want in [
        "a.toml:6:10: api.listen: a TCP listener needs api.token-file",
        "a.toml:7:9: api.group: expected a group name or number, found \"a b\"",
    ] {
        assert!(s.contains(want), "missing {want:?} in {s}");
    }
    let s = parse(
        &format!("{head}\n[api]\nlisten = \"localhost\"\ntoken-file = \"t\"\n"),
        "a.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        s.contains("a.toml:6:10: api.listen: expected ADDRESS:PORT"),
        "{s}"
    );
}

#[test]
fn the_mrt_section_is_checked() {
    let head = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n";
    let c = parse(
        &format!("{head}\n[mrt]\ndir = \"/var/lib/peerd/mrt\"\n"),
        "m.toml",
    )
    .unwrap();
    let m = c.mrt.unwrap();
    assert_eq!(m.updates, std::time::Duration::from_secs(900));
    assert!(m.gzip);
    let s = parse(
        &format!("{head}\n[mrt]\nupdates = \"7m\"\ncompress = \"bz2\"\n"),
        "m.toml",
    )
    .unwrap_err()
    .to_string();
    for want in [
        "m.toml:5:1: mrt: expected dir = \"DIRECTORY\"",
        "m.toml:6:11: mrt.updates: expected a length from 1 minute to 1 day that divides a day",
        "m.toml:7:12: mrt.compress: expected \"gzip\" or \"none\", found \"bz2\"",
    ] {
        assert!(s.contains(want), "missing {want:?} in {s}");
    }
    let s = parse(
        &format!("{head}\n[mrt]\ndir = \"d\"\ntable-dump = \"7m\"\ntable-dump-source = \"all\"\n"),
        "m.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        s.contains("m.toml:7:14: mrt.table-dump: expected a length"),
        "{s}"
    );
    assert!(
        s.contains("m.toml:8:21: mrt.table-dump-source: expected \"loc-rib\" or \"adj-rib-in\""),
        "{s}"
    );
}
