//! Checks the raw file and builds the [`Config`], collecting every error.

use crate::duration::parse_duration;
use crate::error::{line_col, ConfigError, ConfigErrors};
use crate::model::{
    Announce, AnnounceWhen, Bestpath, Config, Fib, MaxPrefix, MaxPrefixAction, Neighbor,
    PolicySwitch, Router, StaticNextHop, StaticRoute,
};
use crate::raw::{RawConfig, RawDuration, RawNeighbor};
use peerd_policy::Policies;
use peerd_wire::attr::AS_TRANS;
use peerd_wire::{Family, Prefix};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

pub(crate) struct Ctx<'a> {
    text: &'a str,
    file: &'a str,
    errors: Vec<ConfigError>,
}

impl Ctx<'_> {
    pub(crate) fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            line,
            column,
            message: message.into(),
        });
    }

    /// Every element of a list of texts parsed as `T`, each error at its element.
    pub(crate) fn list<T>(&mut self, v: &[Spanned<String>], what: &str) -> Vec<T>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let mut out = Vec::with_capacity(v.len());
        for s in v {
            match s.get_ref().parse() {
                Ok(x) => out.push(x),
                Err(e) => self.err(s.span(), format!("{what}: {e}, found {:?}", s.get_ref())),
            }
        }
        out
    }

    pub(crate) fn asn(&mut self, v: &Spanned<i64>, what: &str) -> u32 {
        match u32::try_from(*v.get_ref()) {
            Ok(0) => {
                self.err(
                    v.span(),
                    format!(
                        "{what}: AS 0 is reserved (RFC 7607); expected an AS number 1-4294967295"
                    ),
                );
                0
            }
            Ok(a) if a == AS_TRANS => {
                self.err(
                    v.span(),
                    format!("{what}: AS 23456 is AS_TRANS (RFC 6793), not a real AS"),
                );
                a
            }
            Ok(a) => a,
            Err(_) => {
                self.err(
                    v.span(),
                    format!("{what}: expected an AS number 1-4294967295"),
                );
                0
            }
        }
    }

    pub(crate) fn ip(&mut self, v: &Spanned<String>, what: &str) -> Option<IpAddr> {
        match v.get_ref().parse::<IpAddr>() {
            Ok(a) => Some(a),
            Err(_) => {
                self.err(
                    v.span(),
                    format!(
                        "{what}: expected an IPv4 or IPv6 address, found {:?}",
                        v.get_ref()
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn uint(&mut self, v: &Spanned<i64>, min: i64, max: i64, what: &str) -> Option<i64> {
        let x = *v.get_ref();
        if x < min || x > max {
            self.err(
                v.span(),
                format!("{what}: expected a number from {min} to {max}, found {x}"),
            );
            None
        } else {
            Some(x)
        }
    }

    fn duration(&mut self, v: &Spanned<RawDuration>, what: &str) -> Option<Duration> {
        let d = match v.get_ref() {
            RawDuration::Seconds(s) if *s >= 0 => Some(Duration::from_secs(*s as u64)),
            RawDuration::Seconds(_) => None,
            RawDuration::Text(t) => parse_duration(t),
        };
        if d.is_none() {
            self.err(
                v.span(),
                format!("{what}: expected a duration such as 90, \"90s\", \"15m\" or \"1h\""),
            );
        }
        d
    }

    fn switch(
        &mut self,
        v: &Option<Spanned<String>>,
        default: PolicySwitch,
        what: &str,
        policies: &Policies,
    ) -> PolicySwitch {
        let Some(v) = v else { return default };
        match v.get_ref().as_str() {
            "accept" | "accept-all" => PolicySwitch::Accept,
            "deny" | "deny-all" => PolicySwitch::Deny,
            name => match policies.find(name) {
                Some(id) => PolicySwitch::Policy(id),
                None => {
                    self.err(
                        v.span(),
                        format!("{what}: expected \"accept\", \"deny\" or the name of a [[policy.NAME]], found {name:?}"),
                    );
                    default
                }
            },
        }
    }
}

pub(crate) fn validate(raw: RawConfig, text: &str, file: &str) -> Result<Config, ConfigErrors> {
    let mut c = Ctx {
        text,
        file,
        errors: Vec::new(),
    };
    let r = raw.router.get_ref();
    let asn = c.asn(&r.asn, "router.asn");
    let router_id = match r.router_id.get_ref().parse::<Ipv4Addr>() {
        Ok(a) if !a.is_unspecified() => a,
        _ => {
            c.err(
                r.router_id.span(),
                "router.router-id: expected a non-zero IPv4 address such as \"192.0.2.1\"",
            );
            Ipv4Addr::UNSPECIFIED
        }
    };
    let listen = match &r.listen {
        None => vec![
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ],
        Some(l) => {
            let mut v: Vec<IpAddr> = Vec::new();
            for s in l {
                let Some(a) = c.ip(s, "router.listen") else {
                    continue;
                };
                // Two sockets on one port must not cover the same address:
                // the same address twice, or a wildcard and an address of
                // its family.
                let clash = v.iter().find(|b| {
                    **b == a
                        || (a.is_ipv4() == b.is_ipv4()
                            && (a.is_unspecified() || b.is_unspecified()))
                });
                match clash {
                    Some(b) => c.err(
                        s.span(),
                        format!("router.listen: {a} overlaps {b}, listed before (one socket per address and port)"),
                    ),
                    None => v.push(a),
                }
            }
            v
        }
    };
    let port = r
        .port
        .as_ref()
        .and_then(|p| c.uint(p, 1, 65535, "router.port"))
        .unwrap_or(179) as u16;
    let cluster_id = match &r.cluster_id {
        None => router_id,
        Some(s) => match s.get_ref().parse::<Ipv4Addr>() {
            Ok(a) if !a.is_unspecified() => a,
            _ => {
                c.err(
                    s.span(),
                    "router.cluster-id: expected a non-zero IPv4 address such as \"192.0.2.1\"",
                );
                router_id
            }
        },
    };
    let router = Router {
        asn,
        router_id,
        listen,
        port,
        hostname: r.hostname.clone(),
        cluster_id,
    };

    let mut announce = Vec::new();
    for a in &raw.announce {
        let communities = c.list(&a.communities, "announce.communities");
        let large_communities = c.list(&a.large_communities, "announce.large-communities");
        let extended_communities = c.list(&a.extended_communities, "announce.extended-communities");
        let when = match a.when.as_ref().map(|w| (w.get_ref().as_str(), w.span())) {
            None | Some(("always", _)) => AnnounceWhen::Always,
            Some(("covered", _)) => AnnounceWhen::Covered,
            Some((other, span)) => {
                c.err(span, format!("announce.when: expected \"always\" or \"covered\" (while another route covers the prefix), found {other:?}"));
                AnnounceWhen::Always
            }
        };
        match a.prefix.get_ref().parse::<Prefix>() {
            Ok(prefix) => announce.push(Announce {
                prefix,
                communities,
                large_communities,
                extended_communities,
                when,
            }),
            Err(_) => c.err(
                a.prefix.span(),
                format!("announce.prefix: expected ADDRESS/LENGTH with host bits zero, such as \"203.0.113.0/24\", found {:?}", a.prefix.get_ref()),
            ),
        }
    }

    let policies = crate::policy::policies(&mut c, &raw);
    let statics = statics(&mut c, &raw);
    let redistribute_static = raw
        .redistribute
        .as_ref()
        .and_then(|r| r.statics.as_ref())
        .map(|s| {
            c.switch(
                &Some(s.clone()),
                PolicySwitch::Deny,
                "redistribute.static",
                &policies,
            )
        });
    let redistribute_kernel = raw
        .redistribute
        .as_ref()
        .and_then(|r| r.kernel.as_ref())
        .map(|s| {
            c.switch(
                &Some(s.clone()),
                PolicySwitch::Deny,
                "redistribute.kernel",
                &policies,
            )
        });
    let mut warnings = Vec::new();
    let mut neighbors = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut addrs: HashMap<(IpAddr, u16), usize> = HashMap::new();
    for n in &raw.neighbor {
        if let Some(nb) = neighbor(&mut c, n, asn, &mut warnings, &policies) {
            if names.insert(nb.name.clone(), neighbors.len()).is_some() {
                c.err(
                    n.span(),
                    format!("neighbor {:?}: the name is used twice", nb.name),
                );
            }
            if addrs
                .insert((nb.address, nb.port), neighbors.len())
                .is_some()
            {
                c.err(
                    n.get_ref().address.span(),
                    format!("neighbor {}: the address is used twice", nb.address),
                );
            }
            neighbors.push(nb);
        }
    }
    let fib = raw.fib.as_ref().map(|f| Fib {
        table: f
            .table
            .as_ref()
            .and_then(|t| {
                let v = c.uint(t, 1, i64::from(u32::MAX), "fib.table")?;
                if v == 255 {
                    c.err(
                        t.span(),
                        "fib.table: 255 is the kernel's own table (local); expected another table, such as 254 (main)",
                    );
                }
                Some(v)
            })
            .map_or(254, |t| t as u32),
        protocol: f
            .protocol
            .as_ref()
            .and_then(|p| c.uint(p, 5, 254, "fib.protocol"))
            .map_or(200, |p| p as u8),
        metric: f
            .metric
            .as_ref()
            .and_then(|m| c.uint(m, 0, i64::from(u32::MAX), "fib.metric"))
            .map_or(20, |m| m as u32),
        retain: f
            .retain
            .as_ref()
            .and_then(|d| c.duration(d, "fib.retain"))
            .unwrap_or_default(),
        import: c.switch(&f.import, PolicySwitch::Deny, "fib.import", &policies),
        import_distance: f
            .import_distance
            .as_ref()
            .and_then(|d| c.uint(d, 1, 255, "fib.import-distance"))
            .map_or(250, |d| d as u8),
    });
    let api = match &raw.api {
        None => crate::model::Api::default(),
        Some(a) => {
            let listen = a.listen.as_ref().and_then(|l| {
                match l.get_ref().parse::<std::net::SocketAddr>() {
                    Ok(s) => Some(s),
                    Err(_) => {
                        c.err(
                            l.span(),
                            format!("api.listen: expected ADDRESS:PORT such as \"127.0.0.1:8179\" or \"[::1]:8179\", found {:?}", l.get_ref()),
                        );
                        None
                    }
                }
            });
            if let (Some(l), None) = (&a.listen, &a.token_file) {
                c.err(
                    l.span(),
                    "api.listen: a TCP listener needs api.token-file (a file holding the bearer token clients must send); without one it is refused",
                );
            }
            let group = a.group.as_ref().and_then(|g| {
                let v = g.get_ref();
                let ok = !v.is_empty()
                    && v.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch));
                if !ok {
                    c.err(
                        g.span(),
                        format!("api.group: expected a group name or number, found {v:?}"),
                    );
                }
                ok.then(|| v.clone())
            });
            crate::model::Api {
                group,
                listen,
                token_file: a
                    .token_file
                    .as_ref()
                    .map(|t| std::path::PathBuf::from(t.get_ref())),
            }
        }
    };
    let mrt = raw.mrt.as_ref().and_then(|m| {
        let r = m.get_ref();
        let dir = match &r.dir {
            Some(d) if !d.get_ref().is_empty() => Some(std::path::PathBuf::from(d.get_ref())),
            _ => {
                c.err(
                    m.span(),
                    "mrt: expected dir = \"DIRECTORY\", where the MRT files go",
                );
                None
            }
        };
        let updates = match &r.updates {
            None => Some(Duration::from_secs(900)),
            Some(u) => c.duration(u, "mrt.updates").and_then(|d| {
                let ok = d >= Duration::from_secs(60) && 86_400 % d.as_secs() == 0;
                if !ok {
                    c.err(
                        u.span(),
                        "mrt.updates: expected a length from 1 minute to 1 day that divides a day, such as \"5m\", \"15m\" or \"1h\"",
                    );
                }
                ok.then_some(d)
            }),
        };
        let gzip = match r.compress.as_ref().map(|c| c.get_ref().as_str()) {
            None | Some("gzip") => Some(true),
            Some("none") => Some(false),
            Some(other) => {
                let span = r.compress.as_ref().map_or(m.span(), |c| c.span());
                c.err(
                    span,
                    format!("mrt.compress: expected \"gzip\" or \"none\", found {other:?}"),
                );
                None
            }
        };
        let table_dump = match &r.table_dump {
            None => Some(None),
            Some(t) => c.duration(t, "mrt.table-dump").and_then(|d| {
                let ok = d >= Duration::from_secs(60) && 86_400 % d.as_secs() == 0;
                if !ok {
                    c.err(
                        t.span(),
                        "mrt.table-dump: expected a length from 1 minute to 1 day that divides a day, such as \"15m\" or \"2h\"",
                    );
                }
                ok.then_some(Some(d))
            }),
        };
        let adj = match r.table_dump_source.as_ref().map(|s| s.get_ref().as_str()) {
            None | Some("loc-rib") => Some(false),
            Some("adj-rib-in") => Some(true),
            Some(other) => {
                let span = r.table_dump_source.as_ref().map_or(m.span(), |s| s.span());
                c.err(
                    span,
                    format!("mrt.table-dump-source: expected \"loc-rib\" or \"adj-rib-in\", found {other:?}"),
                );
                None
            }
        };
        Some(crate::model::Mrt {
            dir: dir?,
            updates: updates?,
            gzip: gzip?,
            table_dump: table_dump?,
            table_dump_adj_rib_in: adj?,
        })
    });
    let log = match &raw.log {
        None => crate::model::Log::default(),
        Some(l) => {
            let format = match &l.format {
                None => crate::model::LogFormat::Text,
                Some(f) => match f.get_ref().as_str() {
                    "text" => crate::model::LogFormat::Text,
                    "json" => crate::model::LogFormat::Json,
                    other => {
                        c.err(
                            f.span(),
                            format!("log.format: expected \"text\" or \"json\", found {other:?}"),
                        );
                        crate::model::LogFormat::Text
                    }
                },
            };
            let level = match &l.level {
                None => crate::model::LogLevel::Info,
                Some(v) => crate::model::LogLevel::NAMES
                    .iter()
                    .find(|(n, _)| *n == v.get_ref().as_str())
                    .map(|(_, l)| *l)
                    .unwrap_or_else(|| {
                        c.err(
                            v.span(),
                            format!(
                                "log.level: expected \"error\", \"warn\", \"info\", \"debug\" or \"trace\", found {:?}",
                                v.get_ref()
                            ),
                        );
                        crate::model::LogLevel::Info
                    }),
            };
            crate::model::Log { format, level }
        }
    };
    let imports = fib.is_some_and(|f| f.import != PolicySwitch::Deny);
    if redistribute_kernel.is_some_and(|r| r != PolicySwitch::Deny) && !imports {
        warnings.push(
            "[redistribute] kernel: no kernel route is imported ([fib] import is not set), so none is redistributed".to_string(),
        );
    }
    if c.errors.is_empty() {
        let b = raw.bestpath.unwrap_or_default();
        Ok(Config {
            router,
            announce,
            neighbors,
            policies,
            statics,
            redistribute_static,
            redistribute_kernel,
            fib,
            api,
            mrt,
            log,
            bestpath: Bestpath {
                always_compare_med: b.always_compare_med.unwrap_or(false),
                prefer_oldest: b.prefer_oldest.unwrap_or(false),
                multipath: b.multipath.unwrap_or(false),
            },
            warnings,
        })
    } else {
        c.errors.sort_by_key(|e| (e.line, e.column));
        Err(ConfigErrors(c.errors))
    }
}

fn statics(c: &mut Ctx<'_>, raw: &RawConfig) -> Vec<StaticRoute> {
    let mut out: Vec<StaticRoute> = Vec::new();
    for s in &raw.statics {
        let r = s.get_ref();
        let Ok(prefix) = r.prefix.get_ref().parse::<Prefix>() else {
            c.err(
                r.prefix.span(),
                format!(
                    "static.prefix: expected ADDRESS/LENGTH with host bits zero, found {:?}",
                    r.prefix.get_ref()
                ),
            );
            continue;
        };
        let nh = r.next_hop.as_ref().and_then(|a| c.ip(a, "static.next-hop"));
        if r.next_hop.is_some() && nh.is_none() {
            continue;
        }
        let next_hop = match (nh, &r.interface, r.blackhole.unwrap_or(false)) {
            (None, None, true) => StaticNextHop::Blackhole,
            (_, _, true) => {
                c.err(
                    s.span(),
                    "static: blackhole = true takes no next-hop or interface",
                );
                continue;
            }
            (Some(a), i, false) => {
                if prefix.addr().is_ipv6() && a.is_ipv4() {
                    c.err(s.span(), "static: an IPv6 prefix needs an IPv6 next hop");
                }
                if matches!(a, IpAddr::V6(v) if v.is_unicast_link_local()) && i.is_none() {
                    c.err(s.span(), "static: a link-local next hop needs `interface`");
                }
                StaticNextHop::Address(a, i.clone())
            }
            (None, Some(i), false) => StaticNextHop::Interface(i.clone()),
            (None, None, false) => {
                c.err(
                    s.span(),
                    "static: give next-hop, interface, or blackhole = true",
                );
                continue;
            }
        };
        let distance = r
            .distance
            .as_ref()
            .and_then(|d| c.uint(d, 1, 255, "static.distance"))
            .unwrap_or(1) as u8;
        if out.iter().any(|o| o.prefix == prefix) {
            c.err(r.prefix.span(), format!("static: {prefix} is given twice"));
            continue;
        }
        out.push(StaticRoute {
            prefix,
            next_hop,
            distance,
        });
    }
    out
}

fn neighbor(
    c: &mut Ctx<'_>,
    n: &Spanned<RawNeighbor>,
    local_asn: u32,
    warnings: &mut Vec<String>,
    policies: &Policies,
) -> Option<Neighbor> {
    let errors_before = c.errors.len();
    let r = n.get_ref();
    let address = c.ip(&r.address, "neighbor.address");
    let name = r
        .name
        .as_ref()
        .map_or_else(|| r.address.get_ref().clone(), |s| s.get_ref().clone());
    let remote_as = c.asn(&r.remote_as, "neighbor.remote-as");
    if let Some(IpAddr::V6(a)) = address {
        if a.is_unicast_link_local() && r.interface.is_none() {
            c.err(
                r.address.span(),
                "neighbor.address: a link-local IPv6 address needs `interface = \"...\"`",
            );
        }
    }
    let local_address = r
        .local_address
        .as_ref()
        .and_then(|a| c.ip(a, "neighbor.local-address"));
    if let (Some(a), Some(l)) = (address, local_address) {
        if a.is_ipv4() != l.is_ipv4() {
            c.err(
                r.local_address.as_ref().map_or(n.span(), |s| s.span()),
                "neighbor.local-address: must be of the same family as the address",
            );
        }
    }
    let ipv4_next_hop =
        r.ipv4_next_hop
            .as_ref()
            .and_then(|a| match c.ip(a, "neighbor.ipv4-next-hop")? {
                IpAddr::V4(v) => Some(v),
                IpAddr::V6(_) => {
                    c.err(a.span(), "neighbor.ipv4-next-hop: expected an IPv4 address");
                    None
                }
            });
    let ipv6_next_hop =
        r.ipv6_next_hop
            .as_ref()
            .and_then(|a| match c.ip(a, "neighbor.ipv6-next-hop")? {
                IpAddr::V6(v) => Some(v),
                IpAddr::V4(_) => {
                    c.err(a.span(), "neighbor.ipv6-next-hop: expected an IPv6 address");
                    None
                }
            });
    let port = r
        .port
        .as_ref()
        .and_then(|p| c.uint(p, 1, 65535, "neighbor.port"))
        .unwrap_or(179) as u16;
    let hold_time = match &r.hold_time {
        None => 90,
        Some(h) => match *h.get_ref() {
            0 => 0,
            x if (3..=65535).contains(&x) => x as u16,
            x => {
                c.err(h.span(), format!("neighbor.hold-time: expected 0 or 3-65535 seconds (RFC 4271 §4.2), found {x}"));
                90
            }
        },
    };
    let keepalive = r.keepalive.as_ref().and_then(|k| {
        let v = c.uint(k, 1, 21845, "neighbor.keepalive")? as u16;
        if hold_time != 0 && v >= hold_time {
            c.err(
                k.span(),
                "neighbor.keepalive: must be smaller than the hold time",
            );
        }
        Some(v)
    });
    let connect_retry = r
        .connect_retry
        .as_ref()
        .and_then(|d| c.duration(d, "neighbor.connect-retry"))
        .unwrap_or(Duration::from_secs(120));
    let delay_open = r
        .delay_open
        .as_ref()
        .and_then(|d| c.duration(d, "neighbor.delay-open"));
    let password = match (&r.password, &r.password_file) {
        (Some(p), Some(_)) => {
            c.err(
                p.span(),
                "neighbor.password: give either password or password-file, not both",
            );
            None
        }
        (Some(p), None) => {
            if p.get_ref().is_empty() || p.get_ref().len() > 80 {
                c.err(
                    p.span(),
                    "neighbor.password: expected 1-80 characters (TCP-MD5 key, RFC 2385)",
                );
            }
            Some(p.get_ref().clone())
        }
        (None, Some(f)) => match std::fs::read_to_string(f.get_ref()) {
            Ok(s) if !s.trim().is_empty() && s.trim().len() <= 80 => Some(s.trim().to_string()),
            Ok(_) => {
                c.err(
                    f.span(),
                    "neighbor.password-file: expected a key of 1-80 characters in the file",
                );
                None
            }
            Err(e) => {
                c.err(
                    f.span(),
                    format!("neighbor.password-file: cannot read {:?}: {e}", f.get_ref()),
                );
                None
            }
        },
        (None, None) => None,
    };
    let ttl_security = r.ttl_security.as_ref().is_some_and(|t| *t.get_ref());
    let multihop = r
        .multihop
        .as_ref()
        .and_then(|m| c.uint(m, 1, 255, "neighbor.multihop"))
        .map(|m| m as u8);
    if ttl_security && multihop.is_some() {
        if let Some(t) = &r.ttl_security {
            c.err(t.span(), "neighbor.ttl-security: cannot be combined with multihop (GTSM needs a direct link)");
        }
    }
    let families = match &r.families {
        None => match address {
            Some(IpAddr::V6(_)) => vec![Family::IPV6_UNICAST],
            _ => vec![Family::IPV4_UNICAST],
        },
        Some(list) => {
            let mut v = Vec::new();
            for f in list {
                match f.get_ref().as_str() {
                    "ipv4-unicast" | "ipv4" => v.push(Family::IPV4_UNICAST),
                    "ipv6-unicast" | "ipv6" => v.push(Family::IPV6_UNICAST),
                    other => c.err(f.span(), format!("neighbor.families: expected \"ipv4-unicast\" or \"ipv6-unicast\", found {other:?}")),
                }
            }
            v
        }
    };
    let role = r.role.as_ref().and_then(|s| {
        let role = crate::policy::role(s.get_ref());
        if role.is_none() {
            c.err(s.span(), format!("neighbor.role: expected provider, customer, peer, rs or rs-client (RFC 9234), found {:?}", s.get_ref()));
        }
        role
    });
    let role_strict = r.role_strict.as_ref().is_some_and(|s| *s.get_ref());
    if role_strict && role.is_none() {
        if let Some(s) = &r.role_strict {
            c.err(s.span(), "neighbor.role-strict: needs a role");
        }
    }
    let max_prefix = r.max_prefixes.as_ref().map(|m| {
        let mr = m.get_ref();
        let ipv4 = mr.ipv4.as_ref().and_then(|v| c.uint(v, 1, u32::MAX as i64, "max-prefixes.ipv4")).map(|v| v as u32);
        let ipv6 = mr.ipv6.as_ref().and_then(|v| c.uint(v, 1, u32::MAX as i64, "max-prefixes.ipv6")).map(|v| v as u32);
        let warning_percent =
            mr.warning.as_ref().and_then(|v| c.uint(v, 1, 100, "max-prefixes.warning")).unwrap_or(90) as u8;
        let restart_after =
            mr.restart_after.as_ref().and_then(|d| c.duration(d, "max-prefixes.restart-after"));
        let action = match mr.action.as_ref().map(|a| (a.get_ref().as_str(), a.span())) {
            None | Some(("shutdown", _)) => MaxPrefixAction::Shutdown,
            Some(("warn", _)) => MaxPrefixAction::Warn,
            Some(("restart", _)) => MaxPrefixAction::Restart(restart_after.unwrap_or(Duration::from_secs(300))),
            Some((other, span)) => {
                c.err(span, format!("max-prefixes.action: expected \"shutdown\", \"restart\" or \"warn\", found {other:?}"));
                MaxPrefixAction::Shutdown
            }
        };
        if ipv4.is_none() && ipv6.is_none() {
            c.err(m.span(), "max-prefixes: give a limit for ipv4 and/or ipv6");
        }
        MaxPrefix { ipv4, ipv6, warning_percent, action }
    });
    let ebgp = remote_as != local_asn;
    if let (Some(s), Some(_), false) = (&r.role, role, ebgp) {
        c.err(
            s.span(),
            "neighbor.role: roles (RFC 9234) are for eBGP sessions; this neighbor is in our own AS",
        );
    }
    let route_reflector_client = r
        .route_reflector_client
        .as_ref()
        .is_some_and(|s| *s.get_ref());
    if let (Some(s), true, true) = (&r.route_reflector_client, route_reflector_client, ebgp) {
        c.err(
            s.span(),
            "neighbor.route-reflector-client: route reflection (RFC 4456) is for iBGP; this neighbor is in another AS",
        );
    }
    if ebgp && role.is_none() {
        warnings.push(format!(
            "neighbor {name}: eBGP without a role: its routes are not checked for leaks and may be sent to every other neighbor (RFC 9234)"
        ));
    }
    // RFC 8212: an eBGP session without a policy accepts and sends nothing.
    let default = if ebgp {
        PolicySwitch::Deny
    } else {
        PolicySwitch::Accept
    };
    let import = c.switch(&r.import, default, "neighbor.import", policies);
    let export = c.switch(&r.export, default, "neighbor.export", policies);
    if let (PolicySwitch::Policy(id), Some(s)) = (import, &r.import) {
        if policies.sets_next_hop_self(id) {
            c.err(
                s.span(),
                format!("neighbor.import: policy {:?} sets next-hop = \"self\", which only means something on export", s.get_ref()),
            );
        }
    }
    if let (PolicySwitch::Policy(id), Some(s)) = (export, &r.export) {
        if policies.sets_discard(id) {
            c.err(
                s.span(),
                format!("neighbor.export: policy {:?} sets next-hop = \"discard\", which only means something on import (to drop traffic here; to ask a neighbor to, add the BLACKHOLE community 65535:666)", s.get_ref()),
            );
        }
    }
    if ebgp && (r.import.is_none() || r.export.is_none()) {
        warnings.push(format!(
            "neighbor {name}: eBGP without an import or export policy accepts and sends nothing there (RFC 8212)"
        ));
    }
    if c.errors.len() > errors_before {
        return None;
    }
    Some(Neighbor {
        name,
        description: r.description.clone(),
        address: address?,
        interface: r.interface.clone(),
        remote_as,
        local_address,
        ipv4_next_hop,
        ipv6_next_hop,
        port,
        passive: r.passive.unwrap_or(false),
        shutdown: r.shutdown.unwrap_or(false),
        hold_time,
        keepalive,
        connect_retry,
        delay_open,
        password,
        ttl_security,
        multihop,
        families,
        role,
        role_strict,
        graceful_restart: r.graceful_restart.unwrap_or(true),
        route_reflector_client,
        next_hop_self: r.next_hop_self.unwrap_or(false),
        keep_received: r.keep_received.unwrap_or(false),
        max_prefix,
        import,
        export,
    })
}
