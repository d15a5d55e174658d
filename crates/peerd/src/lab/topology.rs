//! The lab's scenarios on paper: namespaces, links, addresses and each
//! router's configuration. Documentation prefixes only (RFC 5737, RFC 3849)
//! and documentation AS numbers (RFC 5398).
//!
//! ```text
//! direct:   host ── us ══pni══ peer ── peerhost        (us: AS 64500, peer: AS 64510)
//!                    │          │
//!                    └─ transit ┘── nethost             (transit: AS 64505)
//!
//! carrier:  host ── us ── carrier ── peer ── peerhost   (carrier: AS 64511)
//!                    │                 │
//!                    └──── transit ────┘── nethost
//! ```
//!
//! Every router link carries one BGP session per family; `us` announces
//! 192.0.2.0/24 and 2001:db8:1::/48, the peer 198.51.100.0/24 and
//! 2001:db8:2::/48, the transit a default route of each family. Roles
//! (RFC 9234) are set on every session, so what `us` learns from the peer
//! or the carrier never reaches the transit, and the reverse.

use super::daemons::Kind;

/// Which lab.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Scenario {
    /// A private interconnect to the peer's edge.
    Direct,
    /// A carrier between us and the peer: eBGP with it, or static routes
    /// towards it (`statics`).
    Carrier { statics: bool },
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Direct => "direct",
            Scenario::Carrier { statics: false } => "carrier",
            Scenario::Carrier { statics: true } => "carrier-static",
        }
    }

    /// The routers, in start order.
    pub fn routers(self) -> &'static [&'static str] {
        match self {
            Scenario::Direct => &["us", "peer", "transit"],
            Scenario::Carrier { .. } => &["us", "carrier", "peer", "transit"],
        }
    }

    /// The interface of `us` that traffic to the peer should leave by.
    pub fn peer_way(self) -> &'static str {
        match self {
            Scenario::Direct => "to-peer",
            Scenario::Carrier { .. } => "to-carrier",
        }
    }
}

/// The hosts: name, addresses, and their router's addresses (gateways).
pub const HOSTS: [(&str, [&str; 2], [&str; 2]); 3] = [
    (
        "host",
        ["192.0.2.10/25", "2001:db8:1::10/64"],
        ["192.0.2.1", "2001:db8:1::1"],
    ),
    (
        "peerhost",
        ["198.51.100.10/25", "2001:db8:2::10/64"],
        ["198.51.100.1", "2001:db8:2::1"],
    ),
    (
        "nethost",
        ["203.0.113.10/25", "2001:db8:3::10/64"],
        ["203.0.113.1", "2001:db8:3::1"],
    ),
];

/// The router each host hangs off, and its side's addresses.
pub const LANS: [(&str, &str, [&str; 2]); 3] = [
    ("host", "us", ["192.0.2.1/25", "2001:db8:1::1/64"]),
    ("peerhost", "peer", ["198.51.100.1/25", "2001:db8:2::1/64"]),
    ("nethost", "transit", ["203.0.113.1/25", "2001:db8:3::1/64"]),
];

/// A link between two routers: each end's namespace (its interface is
/// named `to-` and the other end's name) and addresses.
pub struct Link {
    pub a: (&'static str, [&'static str; 2]),
    pub b: (&'static str, [&'static str; 2]),
}

const PNI: Link = Link {
    a: ("us", ["198.51.100.254/30", "2001:db8:2:ffff::2/64"]),
    b: ("peer", ["198.51.100.253/30", "2001:db8:2:ffff::1/64"]),
};
const US_TRANSIT: Link = Link {
    a: ("us", ["203.0.113.254/30", "2001:db8:3:ffff::2/64"]),
    b: ("transit", ["203.0.113.253/30", "2001:db8:3:ffff::1/64"]),
};
const PEER_TRANSIT: Link = Link {
    a: ("peer", ["203.0.113.250/30", "2001:db8:3:fffe::2/64"]),
    b: ("transit", ["203.0.113.249/30", "2001:db8:3:fffe::1/64"]),
};
const US_CARRIER: Link = Link {
    a: ("us", ["203.0.113.246/30", "2001:db8:4:ffff::2/64"]),
    b: ("carrier", ["203.0.113.245/30", "2001:db8:4:ffff::1/64"]),
};
const CARRIER_PEER: Link = Link {
    a: ("carrier", ["198.51.100.250/30", "2001:db8:2:fffe::2/64"]),
    b: ("peer", ["198.51.100.249/30", "2001:db8:2:fffe::1/64"]),
};

pub fn links(s: Scenario) -> Vec<&'static Link> {
    match s {
        Scenario::Direct => vec![&PNI, &US_TRANSIT, &PEER_TRANSIT],
        Scenario::Carrier { .. } => vec![&US_CARRIER, &CARRIER_PEER, &US_TRANSIT, &PEER_TRANSIT],
    }
}

/// The destinations the lab sends to from `host`: name, address, and
/// whose it is.
pub const DESTINATIONS: [(&str, &str, &str); 4] = [
    ("peer", "198.51.100.10", "the peer's host"),
    ("peer", "2001:db8:2::10", "the peer's host"),
    ("internet", "203.0.113.10", "a host behind the transit"),
    ("internet", "2001:db8:3::10", "a host behind the transit"),
];

/// Our prefixes, the peer's, and the transit's defaults.
pub const OURS: [&str; 2] = ["192.0.2.0/24", "2001:db8:1::/48"];
pub const PEERS: [&str; 2] = ["198.51.100.0/24", "2001:db8:2::/48"];
pub const DEFAULTS: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// The hold time on every session: a failover is over within it.
pub const HOLD: u64 = 9;

struct Router {
    asn: u32,
    id: &'static str,
    announce: &'static [&'static str],
}

fn router(name: &str) -> Router {
    match name {
        "us" => Router {
            asn: 64500,
            id: "192.0.2.1",
            announce: &OURS,
        },
        "peer" => Router {
            asn: 64510,
            id: "198.51.100.1",
            announce: &PEERS,
        },
        "transit" => Router {
            asn: 64505,
            id: "203.0.113.1",
            announce: &DEFAULTS,
        },
        _ => Router {
            asn: 64511,
            id: "203.0.113.245",
            announce: &[],
        },
    }
}

/// Our role towards `other` (RFC 9234), as `name` sees it.
fn role(name: &str, other: &str) -> &'static str {
    match (name, other) {
        (_, "transit") => "customer",
        ("transit", _) => "provider",
        ("us", "carrier") => "customer",
        ("carrier", "us") => "provider",
        _ => "peer",
    }
}

/// A BGP session of router `name`: the neighbour's name, its address, our
/// address, its AS, our role.
pub struct Session {
    pub name: String,
    pub address: &'static str,
    pub local: &'static str,
    pub remote_as: u32,
    pub role: &'static str,
    pub v6: bool,
    /// A session that carries the peer's routes to us (or ours to it)
    /// over a peering: preferred with LOCAL_PREF 200 over the transit's.
    pub preferred: bool,
}

fn plain(a: &str) -> &str {
    a.split('/').next().unwrap_or(a)
}

/// The sessions of router `name` in scenario `s`.
pub fn sessions(s: Scenario, name: &str) -> Vec<Session> {
    let mut v = Vec::new();
    for l in links(s) {
        let (me, other) = if l.a.0 == name {
            (&l.a, &l.b)
        } else if l.b.0 == name {
            (&l.b, &l.a)
        } else {
            continue;
        };
        // Carrier peering with static routes: no BGP between us and it.
        if s == (Scenario::Carrier { statics: true })
            && matches!((name, other.0), ("us", "carrier") | ("carrier", "us"))
        {
            continue;
        }
        for (i, fam) in ["v4", "v6"].iter().enumerate() {
            v.push(Session {
                name: format!("{}-{fam}", other.0),
                address: plain(other.1[i]),
                local: plain(me.1[i]),
                remote_as: router(other.0).asn,
                role: role(name, other.0),
                v6: i == 1,
                preferred: other.0 != "transit" && name != "transit",
            });
        }
    }
    v
}

/// Static routes of router `name`: prefix and next hop.
fn statics(s: Scenario, name: &str) -> Vec<(&'static str, &'static str)> {
    match (s, name) {
        (Scenario::Carrier { statics: true }, "us") => vec![
            (PEERS[0], plain(US_CARRIER.b.1[0])),
            (PEERS[1], plain(US_CARRIER.b.1[1])),
        ],
        (Scenario::Carrier { statics: true }, "carrier") => vec![
            (OURS[0], plain(US_CARRIER.a.1[0])),
            (OURS[1], plain(US_CARRIER.a.1[1])),
        ],
        _ => Vec::new(),
    }
}

/// peerd's configuration for router `name`: it programs the main kernel
/// table, announces its prefixes, and sets a role on every session.
pub fn peerd_config(s: Scenario, name: &str) -> String {
    let r = router(name);
    let mut c = format!(
        "# peerd lab {}: router {name}\n[router]\nasn = {}\nrouter-id = \"{}\"\nhostname = \"{name}\"\n\n[fib]\n",
        s.name(),
        r.asn,
        r.id
    );
    for p in r.announce {
        c.push_str(&format!("\n[[announce]]\nprefix = \"{p}\"\n"));
    }
    let st = statics(s, name);
    for (p, nh) in &st {
        c.push_str(&format!(
            "\n[[static]]\nprefix = \"{p}\"\nnext-hop = \"{nh}\"\n"
        ));
    }
    // The carrier announces its static routes to our prefixes to the peer;
    // we do not announce ours to the peer's (that would leak them to the
    // transit).
    if name == "carrier" && !st.is_empty() {
        c.push_str("\n[redistribute]\nstatic = \"accept\"\n");
    }
    c.push_str("\n[[policy.preferred]]\nset = { local-pref = 200 }\naction = \"accept\"\n");
    for n in sessions(s, name) {
        c.push_str(&format!(
            "\n[[neighbor]]\nname = \"{}\"\naddress = \"{}\"\nlocal-address = \"{}\"\nremote-as = {}\nrole = \"{}\"\nttl-security = true\nfamilies = [\"{}\"]\nhold-time = {HOLD}\nconnect-retry = 1\nimport = \"{}\"\nexport = \"accept\"\n",
            n.name,
            n.address,
            n.local,
            n.remote_as,
            n.role,
            if n.v6 { "ipv6-unicast" } else { "ipv4-unicast" },
            if n.preferred { "preferred" } else { "accept" },
        ));
    }
    c
}

/// BIRD's configuration for the peer's edge (`--peer-edge bird`): the same
/// sessions and roles, its prefixes from static routes, BGP routes into
/// the kernel.
pub fn bird_config(s: Scenario, name: &str, dir: &std::path::Path) -> String {
    let r = router(name);
    let mut c = format!(
        "log \"{}/bird.log\" all;\nrouter id {};\nprotocol device {{ }}\n",
        dir.display(),
        r.id
    );
    for (fam, i) in [("ipv4", 0), ("ipv6", 1)] {
        c.push_str(&format!(
            "protocol kernel kernel_{fam} {{ {fam} {{ export where source = RTS_BGP; }}; }}\nprotocol static own_{fam} {{ {fam}; route {} unreachable; }}\n",
            r.announce[i]
        ));
    }
    c.push_str("filter prefer_peering { bgp_local_pref = 200; accept; }\n");
    for n in sessions(s, name) {
        let fam = if n.v6 { "ipv6" } else { "ipv4" };
        c.push_str(&format!(
            "protocol bgp {} {{\n  local {} as {};\n  neighbor {} as {};\n  local role {};\n  ttl security on;\n  hold time {HOLD};\n  connect retry time 1;\n  error wait time 1, 5;\n  {fam} {{ import {}; export where source ~ [RTS_STATIC, RTS_BGP]; }};\n}}\n",
            n.name.replace('-', "_"),
            n.local,
            r.asn,
            n.address,
            n.remote_as,
            n.role,
            if n.preferred { "filter prefer_peering" } else { "all" },
        ));
    }
    c
}

/// Which daemon runs router `name`.
pub fn kind(name: &str, peer_edge: Kind) -> Kind {
    if name == "peer" {
        peer_edge
    } else {
        Kind::Peerd
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ALL: [Scenario; 3] = [
        Scenario::Direct,
        Scenario::Carrier { statics: false },
        Scenario::Carrier { statics: true },
    ];

    /// Every router's configuration is valid, with no warning, and its
    /// sessions pair up: each one's address is the other side's local
    /// address, with matching AS numbers and complementary roles.
    #[test]
    fn configurations_are_valid_and_sessions_pair_up() {
        for s in ALL {
            for r in s.routers() {
                let text = peerd_config(s, r);
                let c = peerd_config::parse(&text, r)
                    .unwrap_or_else(|e| panic!("{} {r}: {e}\n{text}", s.name()));
                assert!(c.warnings.is_empty(), "{} {r}: {:?}", s.name(), c.warnings);
                for n in sessions(s, r) {
                    let other = n.name.split('-').next().unwrap();
                    let back: Vec<Session> = sessions(s, other)
                        .into_iter()
                        .filter(|m| m.address == n.local)
                        .collect();
                    assert_eq!(back.len(), 1, "{} {r} -> {other}", s.name());
                    let m = &back[0];
                    assert_eq!(m.local, n.address);
                    assert_eq!(m.remote_as, router(r).asn);
                    let pair = (n.role, m.role);
                    assert!(
                        matches!(
                            pair,
                            ("peer", "peer") | ("customer", "provider") | ("provider", "customer")
                        ),
                        "{} {r} -> {other}: {pair:?}",
                        s.name()
                    );
                }
            }
        }
    }

    /// Our router announces nothing but our prefixes, and originates no
    /// static route into BGP (that would leak the peer's prefixes to the
    /// transit in the static variant).
    #[test]
    fn we_redistribute_nothing() {
        for s in ALL {
            let text = peerd_config(s, "us");
            assert!(!text.contains("[redistribute]"), "{}", s.name());
        }
    }
}
