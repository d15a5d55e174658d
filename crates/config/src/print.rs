//! The normalised configuration: every setting written out with its
//! effective value (defaults filled in, names resolved, lists inlined), as
//! TOML that parses back to the same [`Config`]. `peerd check FILE`
//! prints it. Secrets are not printed: a TCP-MD5 key shows as a comment.

use crate::model::{AnnounceWhen, Config, MaxPrefixAction, Neighbor, PolicySwitch, StaticNextHop};
use peerd_policy::{Match, Policies, Set, Verdict};
use peerd_wire::attr::Origin;
use peerd_wire::capability::Role;
use peerd_wire::{Afi, Family};
use std::fmt::{Display, Write};
use std::time::Duration;

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(o, "\\u{:04X}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A TOML key: bare when it can be, quoted otherwise.
fn key(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        s.to_string()
    } else {
        q(s)
    }
}

/// A TOML array of strings.
fn qs<T: Display>(v: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = v.into_iter().map(|x| q(&x.to_string())).collect();
    format!("[{}]", items.join(", "))
}

fn secs(d: Duration) -> u64 {
    d.as_secs()
}

fn role(r: Role) -> &'static str {
    match r {
        Role::Provider => "provider",
        Role::Customer => "customer",
        Role::Peer => "peer",
        Role::RouteServer => "rs",
        Role::RouteServerClient => "rs-client",
        Role::Unknown(_) => "unknown",
    }
}

fn family(f: &Family) -> &'static str {
    if f.afi == Afi::Ipv6 {
        "ipv6-unicast"
    } else {
        "ipv4-unicast"
    }
}

fn switch(p: &Policies, s: PolicySwitch) -> String {
    match s {
        PolicySwitch::Accept => q("accept"),
        PolicySwitch::Deny => q("deny"),
        PolicySwitch::Policy(id) => q(p.list.get(id).map_or("?", |x| x.name.as_str())),
    }
}

/// The normalised configuration as TOML.
pub fn to_toml(c: &Config) -> String {
    let mut o = String::new();
    let r = &c.router;
    let _ = writeln!(
        o,
        "[router]\nasn = {}\nrouter-id = {}",
        r.asn,
        q(&r.router_id.to_string())
    );
    let _ = writeln!(o, "listen = {}\nport = {}", qs(&r.listen), r.port);
    if let Some(h) = &r.hostname {
        let _ = writeln!(o, "hostname = {}", q(h));
    }
    let _ = writeln!(o, "cluster-id = {}", q(&r.cluster_id.to_string()));
    let b = &c.bestpath;
    let _ = writeln!(
        o,
        "\n[bestpath]\nalways-compare-med = {}\nprefer-oldest = {}\nmultipath = {}",
        b.always_compare_med, b.prefer_oldest, b.multipath
    );
    if let Some(f) = &c.fib {
        let _ = writeln!(
            o,
            "\n[fib]\ntable = {}\nprotocol = {}\nmetric = {}\nretain = {}\nimport = {}\nimport-distance = {}",
            f.table,
            f.protocol,
            f.metric,
            secs(f.retain),
            switch(&c.policies, f.import),
            f.import_distance
        );
    }
    if let Some(m) = &c.mrt {
        let _ = writeln!(
            o,
            "\n[mrt]\ndir = {}\nupdates = {}\ncompress = {}",
            q(&m.dir.display().to_string()),
            secs(m.updates),
            q(if m.gzip { "gzip" } else { "none" })
        );
        if let Some(t) = m.table_dump {
            let _ = writeln!(
                o,
                "table-dump = {}\ntable-dump-source = {}",
                secs(t),
                q(if m.table_dump_adj_rib_in {
                    "adj-rib-in"
                } else {
                    "loc-rib"
                })
            );
        }
    }
    if c.log != crate::model::Log::default() {
        let format = match c.log.format {
            crate::model::LogFormat::Text => "text",
            crate::model::LogFormat::Json => "json",
        };
        let _ = writeln!(
            o,
            "\n[log]\nformat = {}\nlevel = {}",
            q(format),
            q(c.log.level.name())
        );
    }
    if c.api != crate::model::Api::default() {
        o.push_str("\n[api]\n");
        if let Some(g) = &c.api.group {
            let _ = writeln!(o, "group = {}", q(g));
        }
        if let Some(l) = &c.api.listen {
            let _ = writeln!(o, "listen = {}", q(&l.to_string()));
        }
        if let Some(t) = &c.api.token_file {
            let _ = writeln!(o, "token-file = {}", q(&t.display().to_string()));
        }
    }
    for a in &c.announce {
        let when = match a.when {
            AnnounceWhen::Always => "always",
            AnnounceWhen::Covered => "covered",
        };
        let _ = writeln!(
            o,
            "\n[[announce]]\nprefix = {}\nwhen = {}",
            q(&a.prefix.to_string()),
            q(when)
        );
        if !a.communities.is_empty() {
            let _ = writeln!(o, "communities = {}", qs(&a.communities));
        }
        if !a.large_communities.is_empty() {
            let _ = writeln!(o, "large-communities = {}", qs(&a.large_communities));
        }
        if !a.extended_communities.is_empty() {
            let _ = writeln!(o, "extended-communities = {}", qs(&a.extended_communities));
        }
    }
    for s in &c.statics {
        let _ = writeln!(o, "\n[[static]]\nprefix = {}", q(&s.prefix.to_string()));
        match &s.next_hop {
            StaticNextHop::Address(a, i) => {
                let _ = writeln!(o, "next-hop = {}", q(&a.to_string()));
                if let Some(i) = i {
                    let _ = writeln!(o, "interface = {}", q(i));
                }
            }
            StaticNextHop::Interface(i) => {
                let _ = writeln!(o, "interface = {}", q(i));
            }
            StaticNextHop::Blackhole => o.push_str("blackhole = true\n"),
        }
        let _ = writeln!(o, "distance = {}", s.distance);
    }
    if c.redistribute_static.is_some() || c.redistribute_kernel.is_some() {
        o.push_str("\n[redistribute]\n");
    }
    if let Some(s) = c.redistribute_static {
        let _ = writeln!(o, "static = {}", switch(&c.policies, s));
    }
    if let Some(s) = c.redistribute_kernel {
        let _ = writeln!(o, "kernel = {}", switch(&c.policies, s));
    }
    policies(&mut o, &c.policies);
    for n in &c.neighbors {
        neighbor(&mut o, c, n);
    }
    o
}

fn policies(o: &mut String, p: &Policies) {
    for pol in &p.list {
        for t in &pol.terms {
            let _ = writeln!(o, "\n[[policy.{}]]", key(&pol.name));
            if let Some(n) = &t.name {
                let _ = writeln!(o, "name = {}", q(n));
            }
            if !t.matches.is_empty() {
                let m: Vec<String> = t.matches.iter().map(match_text).collect();
                let _ = writeln!(o, "match = {{ {} }}", m.join(", "));
            }
            if let Some(c) = t.call.and_then(|c| p.list.get(c)) {
                let _ = writeln!(o, "call = {}", q(&c.name));
            }
            if !t.sets.is_empty() {
                let s: Vec<String> = t.sets.iter().map(set_text).collect();
                let _ = writeln!(o, "set = {{ {} }}", s.join(", "));
            }
            let v = match t.verdict {
                Verdict::Accept => "accept",
                Verdict::Reject => "reject",
                Verdict::Next => "next",
            };
            let _ = writeln!(o, "action = {}", q(v));
        }
    }
}

fn asns(l: &[u32]) -> String {
    let v: Vec<String> = l.iter().map(u32::to_string).collect();
    format!("[{}]", v.join(", "))
}

fn range<T: Display + PartialEq>(lo: T, hi: T) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        q(&format!("{lo}-{hi}"))
    }
}

fn match_text(m: &Match) -> String {
    match m {
        Match::Prefix(l) => format!("prefix = {}", qs(l.iter())),
        Match::PrefixLength(lo, hi) => format!("prefix-length = {}", range(lo, hi)),
        Match::Family(a) => format!(
            "family = {}",
            q(if *a == Afi::Ipv6 { "ipv6" } else { "ipv4" })
        ),
        Match::AsPath(r) => format!("as-path = {}", q(r.as_str())),
        Match::AsPathLength(lo, hi) => format!("as-path-length = {}", range(lo, hi)),
        Match::FirstAs(l) => format!("first-as = {}", asns(l)),
        Match::OriginAs(l) => format!("origin-as = {}", asns(l)),
        Match::ContainsAs(l) => format!("contains-as = {}", asns(l)),
        Match::NeighborAs(l) => format!("neighbor-as = {}", asns(l)),
        Match::Community(l) => format!("community = {}", qs(l)),
        Match::Origin(l) => format!(
            "origin = {}",
            qs(l.iter().map(|o| match o {
                Origin::Igp => "igp",
                Origin::Egp => "egp",
                _ => "incomplete",
            }))
        ),
        Match::NextHop(l) => format!("next-hop = {}", qs(l.iter())),
        Match::NeighborRole(l) => format!("neighbor-role = {}", qs(l.iter().map(|r| role(*r)))),
        Match::Bogon(b) => format!("bogon = {b}"),
        Match::BogonAs(b) => format!("bogon-as = {b}"),
        Match::Rpki(l) => format!("rpki = {}", qs(l.iter().map(|r| r.as_str()))),
    }
}

fn set_text(s: &Set) -> String {
    match s {
        Set::LocalPref(v) => format!("local-pref = {v}"),
        Set::Med(v) => format!("med = {v}"),
        Set::StripMed => "med = \"strip\"".to_string(),
        Set::Prepend(n) => format!("prepend = {n}"),
        Set::AddCommunities(l) => format!("add-communities = {}", qs(l)),
        Set::RemoveCommunities(l) => format!("remove-communities = {}", qs(l)),
        Set::SetCommunities(l) => format!("set-communities = {}", qs(l)),
        Set::NextHopSelf => "next-hop = \"self\"".to_string(),
        Set::NextHop(a) => format!("next-hop = {}", q(&a.to_string())),
        Set::AllowLeak => "allow-leak = true".to_string(),
        Set::Discard => "next-hop = \"discard\"".to_string(),
    }
}

fn neighbor(o: &mut String, c: &Config, n: &Neighbor) {
    let _ = writeln!(o, "\n[[neighbor]]\nname = {}", q(&n.name));
    if let Some(d) = &n.description {
        let _ = writeln!(o, "description = {}", q(d));
    }
    let _ = writeln!(o, "address = {}", q(&n.address.to_string()));
    if let Some(i) = &n.interface {
        let _ = writeln!(o, "interface = {}", q(i));
    }
    let _ = writeln!(o, "remote-as = {}", n.remote_as);
    if let Some(a) = n.local_address {
        let _ = writeln!(o, "local-address = {}", q(&a.to_string()));
    }
    if let Some(a) = n.ipv4_next_hop {
        let _ = writeln!(o, "ipv4-next-hop = {}", q(&a.to_string()));
    }
    if let Some(a) = n.ipv6_next_hop {
        let _ = writeln!(o, "ipv6-next-hop = {}", q(&a.to_string()));
    }
    let _ = writeln!(
        o,
        "port = {}\npassive = {}\nshutdown = {}\nhold-time = {}",
        n.port, n.passive, n.shutdown, n.hold_time
    );
    if let Some(k) = n.keepalive {
        let _ = writeln!(o, "keepalive = {k}");
    }
    let _ = writeln!(o, "connect-retry = {}", secs(n.connect_retry));
    if let Some(d) = n.delay_open {
        let _ = writeln!(o, "delay-open = {}", secs(d));
    }
    if n.password.is_some() {
        o.push_str("# password: set (not shown)\n");
    }
    let _ = writeln!(o, "ttl-security = {}", n.ttl_security);
    if let Some(m) = n.multihop {
        let _ = writeln!(o, "multihop = {m}");
    }
    let _ = writeln!(o, "families = {}", qs(n.families.iter().map(family)));
    if let Some(r) = n.role {
        let _ = writeln!(o, "role = {}", q(role(r)));
    }
    let _ = writeln!(
        o,
        "role-strict = {}\ngraceful-restart = {}\nkeep-received = {}",
        n.role_strict, n.graceful_restart, n.keep_received
    );
    if !n.is_ebgp(c.router.asn) {
        let _ = writeln!(
            o,
            "route-reflector-client = {}\nnext-hop-self = {}",
            n.route_reflector_client, n.next_hop_self
        );
    }
    if let Some(m) = n.max_prefix {
        let mut parts = Vec::new();
        if let Some(v) = m.ipv4 {
            parts.push(format!("ipv4 = {v}"));
        }
        if let Some(v) = m.ipv6 {
            parts.push(format!("ipv6 = {v}"));
        }
        parts.push(format!("warning = {}", m.warning_percent));
        match m.action {
            MaxPrefixAction::Warn => parts.push("action = \"warn\"".into()),
            MaxPrefixAction::Shutdown => parts.push("action = \"shutdown\"".into()),
            MaxPrefixAction::Restart(d) => {
                parts.push("action = \"restart\"".into());
                parts.push(format!("restart-after = {}", secs(d)));
            }
        }
        let _ = writeln!(o, "max-prefixes = {{ {} }}", parts.join(", "));
    }
    let _ = writeln!(
        o,
        "import = {}\nexport = {}",
        switch(&c.policies, n.import),
        switch(&c.policies, n.export)
    );
}
