//! What `peerctl` prints for people: aligned tables and short reports,
//! from the API's types. Pure functions, checked against golden files
//! (`tests/golden/`); colour only when asked (a terminal, no `NO_COLOR`).

use peerd_api::types::{Candidates, Neighbor, ReloadResult, Route, Summary};
use std::fmt::Write as _;

/// Whether to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub colour: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str, width: usize) -> String {
        let padded = format!("{text:<width$}");
        if self.colour {
            format!("\x1b[{code}m{padded}\x1b[0m")
        } else {
            padded
        }
    }
}

/// `12:03:45`, or `3d04h05m` past a day.
pub fn duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d{h:02}h{m:02}m")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

fn state(style: Style, s: &str) -> String {
    let code = match s {
        "Established" => "32",
        "Idle" | "Active" => "31",
        _ => "33",
    };
    style.paint(code, s, 12)
}

/// The neighbor list.
pub fn neighbors(list: &[Neighbor], style: Style) -> String {
    let w = list.iter().map(|n| n.name.len()).max().unwrap_or(0).max(4);
    let a = list
        .iter()
        .map(|n| n.address.len())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut o = format!(
        "{:<w$}  {:<a$}  {:>10}  {:<12}  {:>10}  {:>9}  {:>9}  {:>8}  last error\n",
        "name", "address", "AS", "state", "for", "received", "sent", "filtered"
    );
    for n in list {
        let line = format!(
            "{:<w$}  {:<a$}  {:>10}  {}  {:>10}  {:>9}  {:>9}  {:>8}  {}",
            n.name,
            n.address,
            n.remote_as,
            state(style, &n.state),
            duration(n.state_seconds),
            n.received,
            n.sent,
            n.filtered,
            n.last_error.as_deref().unwrap_or("")
        );
        let _ = writeln!(o, "{}", line.trim_end());
    }
    o
}

/// One neighbor in full.
pub fn neighbor(n: &Neighbor, style: Style) -> String {
    let mut o = String::new();
    let mut line = |k: &str, v: String| {
        let _ = writeln!(o, "{k:<12} {v}");
    };
    line("name", n.name.clone());
    line("address", n.address.clone());
    line("AS", n.remote_as.to_string());
    line(
        "state",
        format!(
            "{} for {}",
            state(style, &n.state).trim_end(),
            duration(n.state_seconds)
        ),
    );
    line("received", n.received.to_string());
    line("filtered", n.filtered.to_string());
    line("sent", n.sent.to_string());
    line(
        "families",
        if n.families.is_empty() {
            "-".into()
        } else {
            n.families.join(", ")
        },
    );
    line("hostname", n.hostname.clone().unwrap_or_else(|| "-".into()));
    line(
        "timers",
        match (n.hold_time, n.keepalive) {
            (Some(h), Some(k)) => format!("hold {h} s, keepalive {k} s"),
            (Some(h), None) => format!("hold {h} s, no keepalives"),
            _ => "-".into(),
        },
    );
    line(
        "capabilities",
        if n.capabilities.is_empty() {
            "-".into()
        } else {
            n.capabilities.join(", ")
        },
    );
    let counts = |m: &peerd_api::types::MessageCounts| {
        format!(
            "{} OPEN, {} UPDATE, {} NOTIFICATION, {} KEEPALIVE, {} ROUTE-REFRESH",
            m.open, m.update, m.notification, m.keepalive, m.route_refresh
        )
    };
    line("messages in", counts(&n.messages_received));
    line("messages out", counts(&n.messages_sent));
    line("flaps", n.flaps.to_string());
    line(
        "last error",
        n.last_error.clone().unwrap_or_else(|| "-".into()),
    );
    line(
        "notif. out",
        n.last_notification_sent
            .clone()
            .unwrap_or_else(|| "-".into()),
    );
    line(
        "notif. in",
        n.last_notification_received
            .clone()
            .unwrap_or_else(|| "-".into()),
    );
    o
}

/// Best, multipath, or why the route lost (plus stale).
fn verdict(r: &Route) -> String {
    let mut s = if r.best {
        "best".to_string()
    } else if r.multipath {
        "multipath".to_string()
    } else if let Some(l) = &r.lost {
        format!("lost: {l}")
    } else {
        String::new()
    };
    if r.stale {
        s.push_str(" (stale)");
    }
    if r.leak {
        s.push_str(" (leak)");
    }
    s
}

/// The header of a route table.
pub fn routes_header() -> String {
    format!(
        "  {:<24} {:<16} {:<26} {:>6} {:>6}  {:<24} {:<22} communities\n",
        "prefix", "from", "next hop", "lpref", "med", "AS path", "state"
    )
}

/// Route lines (`*` marks the best).
pub fn routes(v: &[Route]) -> String {
    let mut o = String::new();
    for r in v {
        let mut c = r.communities.clone();
        c.extend(r.large_communities.iter().cloned());
        c.extend(r.extended_communities.iter().cloned());
        if let Some(x) = r.otc {
            c.push(format!("otc:{x}"));
        }
        let line = format!(
            "{} {:<24} {:<16} {:<26} {:>6} {:>6}  {:<24} {:<22} {}",
            if r.best { '*' } else { ' ' },
            r.prefix,
            r.from.as_deref().unwrap_or(&r.protocol),
            if r.discard {
                "discard"
            } else {
                r.next_hop.as_str()
            },
            r.local_pref,
            r.med.map_or("-".into(), |m| m.to_string()),
            r.as_path,
            verdict(r),
            c.join(" ")
        );
        let _ = writeln!(o, "{}", line.trim_end());
    }
    o
}

/// The kernel forwarding table peerd programs.
pub fn fib(f: &peerd_api::types::FibState) -> String {
    if !f.configured {
        return "peerd does not program the kernel ([fib] is not set)\n".into();
    }
    let mut o = String::new();
    let mut line = |k: &str, v: String| {
        let _ = writeln!(o, "{k:<12} {v}");
    };
    line(
        "table",
        format!(
            "{} (proto {}, metric {}, retain {} s)",
            f.table.unwrap_or(0),
            f.protocol.unwrap_or(0),
            f.metric.unwrap_or(0),
            f.retain_seconds.unwrap_or(0)
        ),
    );
    line("installed", f.installed.to_string());
    line("refused", f.refused.to_string());
    line("queued", f.queued.to_string());
    let mean = f.busy_micros.checked_div(f.batches).unwrap_or(0);
    line(
        "batches",
        format!(
            "{} (mean {:.1} ms; last: {} changes in {:.1} ms)",
            f.batches,
            mean as f64 / 1000.0,
            f.last_batch_changes,
            f.last_batch_micros as f64 / 1000.0
        ),
    );
    o
}

/// The prefixes we originate: one line each, where each comes from and
/// whether it is announced now.
pub fn announcements(list: &[peerd_api::types::Announcement]) -> String {
    let w = list
        .iter()
        .map(|a| a.prefix.len())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut o = format!(
        "{:<w$}  {:<7}  {:<7}  {:<9}  communities\n",
        "prefix", "source", "when", "announced"
    );
    for a in list {
        let comms: Vec<&str> = a
            .communities
            .iter()
            .chain(&a.large_communities)
            .chain(&a.extended_communities)
            .map(String::as_str)
            .collect();
        let line = format!(
            "{:<w$}  {:<7}  {:<7}  {:<9}  {}",
            a.prefix,
            a.source,
            a.when,
            if a.announced { "yes" } else { "no" },
            comms.join(" ")
        );
        let _ = writeln!(o, "{}", line.trim_end());
    }
    o
}

/// What the kernel does with a packet to the address, in one line.
fn kernel_line(k: &peerd_api::types::FibLookup) -> String {
    let whose = |k: &peerd_api::types::FibLookup| {
        let mut s = format!(
            "{}, table {}",
            k.prefix.as_deref().unwrap_or("?"),
            k.table.unwrap_or(0)
        );
        if k.ours {
            s.push_str(", installed by peerd");
        } else {
            s.push_str(&format!(
                ", proto {}: not peerd's route",
                k.protocol.unwrap_or(0)
            ));
        }
        s
    };
    let hop = |h: &peerd_api::types::FibNextHop| match (&h.gateway, &h.interface) {
        (Some(g), Some(i)) => format!("via {g} dev {i}"),
        (Some(g), None) => format!("via {g}"),
        (None, Some(i)) => format!("dev {i}"),
        (None, None) => "?".into(),
    };
    match k.kind.as_str() {
        "unicast" | "device" => {
            let hops: Vec<String> = k.next_hops.iter().map(hop).collect();
            format!("the kernel sends it {} ({})", hops.join(" and "), whose(k))
        }
        "blackhole" if k.prefix.is_none() => {
            "the kernel drops it (a blackhole or prohibit route)".into()
        }
        "blackhole" => format!("the kernel drops it (blackhole {})", whose(k)),
        "local-or-other" => "the kernel does not forward it: the address is local, or its route is unreachable or prohibit".into(),
        _ => "the kernel has no route for it".into(),
    }
}

/// The answer to "where does traffic to this address go, and why": what
/// peerd chose, then — when the kernel was asked — the link the packets
/// really take.
pub fn route_get(
    address: &str,
    c: &Candidates,
    kernel: Option<&peerd_api::types::FibLookup>,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{address} is in {} (the longest match)", c.prefix);
    match c.routes.iter().find(|r| r.best) {
        Some(b) => {
            let source = match (&b.from, b.protocol.as_str()) {
                (Some(n), _) => format!(
                    "from neighbor {n}, AS path {}",
                    if b.as_path.is_empty() {
                        "(empty)"
                    } else {
                        &b.as_path
                    }
                ),
                (None, "static") => "a static route".to_string(),
                (None, "kernel") => "a kernel route imported from another program".to_string(),
                (None, "runtime") => {
                    "our own prefix, announced through the API until peerd restarts".to_string()
                }
                (None, _) => "our own prefix".to_string(),
            };
            let way = if b.discard {
                "dropped here (discard)".to_string()
            } else if b.protocol == "local" || b.protocol == "runtime" {
                "delivered locally: the prefix is ours".to_string()
            } else {
                format!("forwarded to {}", b.next_hop)
            };
            let _ = writeln!(o, "traffic is {way}: {source}");
            if let Some(k) = kernel {
                let _ = writeln!(o, "{}", kernel_line(k));
            }
        }
        None => {
            let _ = writeln!(o, "no usable route: every candidate lost");
        }
    }
    let others: Vec<&Route> = c.routes.iter().filter(|r| !r.best).collect();
    if !others.is_empty() {
        let _ = writeln!(o, "\nother candidates:");
        o.push_str(&routes_header());
        o.push_str(&routes(&others.into_iter().cloned().collect::<Vec<_>>()));
    }
    o
}

/// A reload's plan.
pub fn reload(r: &ReloadResult) -> String {
    let mut o = String::from(if r.dry_run {
        "dry run, nothing changed:\n"
    } else {
        "reloaded:\n"
    });
    for l in &r.plan {
        let _ = writeln!(o, "{l}");
    }
    o
}

/// The router at a glance.
pub fn summary(s: &Summary) -> String {
    let fib = s
        .fib_table
        .map_or("not programmed".to_string(), |t| format!("table {t}"));
    format!(
        "AS{} router-id {}, up {}\nneighbors: {} configured, {} established\nprefixes: {} IPv4, {} IPv6\nkernel: {fib}\nmemory: {:.1} MiB in the routing engine's tables\n",
        s.asn,
        s.router_id,
        duration(s.uptime_seconds),
        s.neighbors,
        s.established,
        s.prefixes_ipv4,
        s.prefixes_ipv6,
        s.memory_bytes as f64 / (1024.0 * 1024.0)
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Compares with `tests/golden/NAME`; `UPDATE_GOLDEN=1` writes it.
    fn golden(name: &str, got: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(got, want, "{} (UPDATE_GOLDEN=1 refreshes)", path.display());
    }

    fn nb(name: &str, state: &str, secs: u64, err: Option<&str>) -> Neighbor {
        Neighbor {
            name: name.into(),
            address: "198.51.100.1".into(),
            remote_as: 64510,
            state: state.into(),
            state_seconds: secs,
            received: 812_345,
            sent: 2,
            filtered: 17,
            last_error: err.map(Into::into),
            hostname: Some("edge1".into()),
            families: vec!["ipv4-unicast".into(), "ipv6-unicast".into()],
            hold_time: Some(90),
            keepalive: Some(30),
            capabilities: vec!["4-octet-as".into(), "route-refresh".into()],
            messages_received: peerd_api::types::MessageCounts {
                open: 1,
                update: 4_017,
                notification: 0,
                keepalive: 88,
                route_refresh: 0,
            },
            messages_sent: peerd_api::types::MessageCounts {
                open: 1,
                update: 2,
                notification: 1,
                keepalive: 90,
                route_refresh: 1,
            },
            flaps: 3,
            last_notification_sent: Some(
                "sent NOTIFICATION 6/2 Cease / Administrative Shutdown: \"maintenance\"".into(),
            ),
            last_notification_received: None,
        }
    }

    fn route(prefix: &str, from: Option<&str>, best: bool, lost: Option<&str>) -> Route {
        Route {
            prefix: prefix.into(),
            family: "ipv4-unicast".into(),
            next_hop: "192.0.2.9".into(),
            as_path: "64510 64496".into(),
            origin: "igp".into(),
            local_pref: 100,
            med: Some(5),
            communities: vec!["64510:1".into()],
            large_communities: vec!["64510:0:7".into()],
            extended_communities: vec![],
            from: from.map(Into::into),
            best,
            multipath: false,
            lost: lost.map(Into::into),
            stale: false,
            leak: false,
            discard: false,
            otc: Some(64510),
            protocol: if from.is_some() { "bgp" } else { "static" }.into(),
        }
    }

    #[test]
    fn tables_and_reports_match_their_golden_files() {
        let plain = Style { colour: false };
        let list = [
            nb("google", "Established", 93_784, None),
            nb(
                "transit-with-a-long-name",
                "Active",
                12,
                Some("hold timer expired"),
            ),
        ];
        golden("neighbors.txt", &neighbors(&list, plain));
        golden("neighbor.txt", &neighbor(&list[1], plain));
        let rs = [
            route("198.51.100.0/24", Some("google"), true, None),
            route("198.51.100.0/24", Some("transit"), false, Some("as-path")),
            route("203.0.113.0/24", None, true, None),
        ];
        golden("routes.txt", &format!("{}{}", routes_header(), routes(&rs)));
        let c = Candidates {
            prefix: "198.51.100.0/24".into(),
            routes: rs[..2].to_vec(),
        };
        let k = peerd_api::types::FibLookup {
            address: "198.51.100.7".into(),
            kind: "unicast".into(),
            prefix: Some("198.51.100.0/24".into()),
            table: Some(254),
            protocol: Some(200),
            ours: true,
            next_hops: vec![peerd_api::types::FibNextHop {
                gateway: Some("192.0.2.9".into()),
                interface: Some("peering0".into()),
            }],
        };
        golden("route-get.txt", &route_get("198.51.100.7", &c, Some(&k)));
        let ann = |prefix: &str, source: &str, when: &str, announced: bool| {
            peerd_api::types::Announcement {
                prefix: prefix.into(),
                communities: vec!["64500:1".into()],
                large_communities: vec![],
                extended_communities: vec![],
                when: when.into(),
                source: source.into(),
                announced,
            }
        };
        golden(
            "announcements.txt",
            &announcements(&[
                ann("203.0.113.0/24", "config", "always", true),
                ann("2001:db8:100::/48", "config", "covered", false),
                ann("198.51.100.0/25", "runtime", "always", true),
            ]),
        );
        golden(
            "reload.txt",
            &reload(&ReloadResult {
                dry_run: true,
                plan: vec![
                    "reset      b: hold-time changed".into(),
                    "untouched  a".into(),
                ],
            }),
        );
        golden(
            "summary.txt",
            &summary(&Summary {
                asn: 64500,
                router_id: "192.0.2.1".into(),
                uptime_seconds: 3725,
                neighbors: 2,
                established: 1,
                prefixes_ipv4: 950_001,
                prefixes_ipv6: 210_000,
                fib_table: Some(254),
                memory_bytes: 97_517_568,
            }),
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let list = [nb("google", "Established", 5, None)];
        let plain = neighbors(&list, Style { colour: false });
        let coloured = neighbors(&list, Style { colour: true });
        assert!(!plain.contains('\x1b'));
        assert!(coloured.contains("\x1b[32mEstablished"));
        assert_eq!(duration(59), "00:00:59");
        assert_eq!(duration(90_061), "1d01h01m");
    }
}
