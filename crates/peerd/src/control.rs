//! The control socket's older protocol, which `peerctl` still speaks: a
//! line of text per connection (`api_server.rs` tells it from an HTTP
//! request of the management API); the answer is a table for people or
//! JSON lines for programs.
//!
//! Commands: `neighbors [json]`, `routes NAME [received] [json]`, `rib [json]`,
//! `route PREFIX|ADDRESS [json]`, `stop NAME [MESSAGE...]`, `start NAME`,
//! `refresh NAME`, `reload [dry-run]`.

use crate::daemon::{self, Shared};
use crate::engine_task::EngineMsg;
use crate::session::SessionCmd;
use crate::status;
use peerd_engine::RouteView;
use std::fmt::Write as _;
use std::time::Instant;
use tokio::sync::oneshot;

pub struct Control {
    pub shared: std::sync::Arc<Shared>,
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn uptime(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d{h:02}h{m:02}m")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

impl Control {
    fn find(&self, name: &str) -> Option<usize> {
        self.shared.find(name)
    }

    /// Sends a command to a neighbour's session.
    fn tell(&self, i: usize, c: SessionCmd) {
        if let Some(tx) = self.shared.session(i) {
            let _ = tx.send(c);
        }
    }

    /// Answers one line of the older protocol.
    pub async fn command(&self, line: &str) -> String {
        let words: Vec<&str> = line.split_whitespace().collect();
        let json = words.last() == Some(&"json");
        match words.as_slice() {
            ["neighbors", ..] => self.neighbors(json),
            ["routes", name, "received", ..] => match self.find(name) {
                Some(i) => {
                    let (tx, rx) = oneshot::channel();
                    let _ = self.shared.engine.send(EngineMsg::RoutesReceived(i, tx)).await;
                    match rx.await.ok().flatten() {
                        Some(v) => routes(&v, json),
                        None => format!("error: neighbor {name:?} does not keep its routes as received (keep-received = true)\n"),
                    }
                }
                None => format!("error: no neighbor {name:?}\n"),
            },
            ["routes", name, ..] => match self.find(name) {
                Some(i) => {
                    let (tx, rx) = oneshot::channel();
                    let _ = self.shared.engine.send(EngineMsg::RoutesFrom(i, tx)).await;
                    routes(&rx.await.unwrap_or_default(), json)
                }
                None => format!("error: no neighbor {name:?}\n"),
            },
            ["route", prefix, ..] => match prefix.parse::<peerd_wire::Prefix>() {
                Ok(p) => {
                    let (tx, rx) = oneshot::channel();
                    let _ = self.shared.engine.send(EngineMsg::Candidates(p, tx)).await;
                    let v = rx.await.unwrap_or_default();
                    if v.is_empty() && !json {
                        format!("no route for {p}\n")
                    } else {
                        routes(&v, json)
                    }
                }
                Err(_) => match prefix.parse::<std::net::IpAddr>() {
                    // An address: the route traffic to it takes (longest match).
                    Ok(a) => {
                        let (tx, rx) = oneshot::channel();
                        let _ = self.shared.engine.send(EngineMsg::Lookup(a, tx)).await;
                        match rx.await.ok().flatten() {
                            Some((_, v)) => routes(&v, json),
                            None if json => routes(&[], json),
                            None => format!("no route for {a}\n"),
                        }
                    }
                    Err(_) => format!("error: expected a prefix such as 203.0.113.0/24 or an address such as 203.0.113.7, found {prefix:?}\n"),
                },
            },
            ["rib", ..] => {
                let (tx, rx) = oneshot::channel();
                let _ = self.shared.engine.send(EngineMsg::LocRib(tx)).await;
                routes(&rx.await.unwrap_or_default(), json)
            }
            ["stop", name, rest @ ..] => match self.find(name) {
                Some(i) => {
                    let text = rest.join(" ");
                    let msg = (!text.is_empty()).then_some(text);
                    self.tell(i, SessionCmd::Stop(msg));
                    "ok\n".into()
                }
                None => format!("error: no neighbor {name:?}\n"),
            },
            ["refresh", name, ..] => match self.find(name) {
                Some(i) => {
                    self.tell(i, SessionCmd::Refresh);
                    "ok\n".into()
                }
                None => format!("error: no neighbor {name:?}\n"),
            },
            ["start", name] => match self.find(name) {
                Some(i) => {
                    self.tell(i, SessionCmd::Start);
                    "ok\n".into()
                }
                None => format!("error: no neighbor {name:?}\n"),
            },
            ["reload", rest @ ..] => {
                let dry = rest.first() == Some(&"dry-run");
                match daemon::reload(&self.shared, dry).await {
                    Ok(t) if dry => format!("dry run, nothing changed:\n{t}"),
                    Ok(t) => format!("reloaded:\n{t}"),
                    Err(e) => format!("error: {e}\n"),
                }
            }
            _ => "error: commands are: neighbors, routes NAME, rib, route PREFIX|ADDRESS, reload [dry-run], stop NAME [MESSAGE], start NAME, refresh NAME (add json for JSON)\n".into(),
        }
    }

    fn neighbors(&self, json: bool) -> String {
        let now = Instant::now();
        let mut out = String::new();
        let peers: Vec<_> = status::snapshot(&self.shared.status)
            .into_iter()
            .filter(|p| !p.removed)
            .collect();
        if !json {
            let _ = writeln!(
                out,
                "{:<16} {:<28} {:>10} {:<12} {:>10} {:>9} {:>9}  last error",
                "name", "address", "AS", "state", "for", "received", "sent"
            );
        }
        for p in &peers {
            let secs = now.saturating_duration_since(p.since).as_secs();
            let state = format!("{:?}", p.state);
            if json {
                let _ = writeln!(
                    out,
                    "{{\"name\":{},\"address\":{},\"remote_as\":{},\"state\":{},\"since_seconds\":{secs},\"received\":{},\"sent\":{},\"last_error\":{},\"hostname\":{},\"families\":[{}]}}",
                    esc(&p.name),
                    esc(&p.address),
                    p.remote_as,
                    esc(&state),
                    p.received,
                    p.sent,
                    p.last_error.as_deref().map_or("null".into(), esc),
                    p.hostname.as_deref().map_or("null".into(), esc),
                    p.families.iter().map(|f| esc(f)).collect::<Vec<_>>().join(","),
                );
            } else {
                let _ = writeln!(
                    out,
                    "{:<16} {:<28} {:>10} {:<12} {:>10} {:>9} {:>9}  {}",
                    p.name,
                    p.address,
                    p.remote_as,
                    state,
                    uptime(secs),
                    p.received,
                    p.sent,
                    p.last_error.as_deref().unwrap_or("")
                );
            }
        }
        out
    }
}

/// Best, multipath, or why the route lost (plus stale).
fn state(r: &RouteView) -> String {
    let mut s = if r.best {
        "best".to_string()
    } else if r.multipath {
        "multipath".to_string()
    } else if let Some(l) = r.lost {
        format!("lost: {}", l.as_str())
    } else {
        String::new()
    };
    if r.stale {
        s.push_str(" (stale)");
    }
    s
}

fn routes(v: &[RouteView], json: bool) -> String {
    let mut out = String::new();
    if !json {
        let _ = writeln!(
            out,
            "  {:<24} {:<16} {:<26} {:>6} {:>6}  {:<24} {:<22} communities",
            "prefix", "from", "next hop", "lpref", "med", "AS path", "state"
        );
    }
    for r in v {
        if json {
            let list = |l: &[String]| {
                format!(
                    "[{}]",
                    l.iter().map(|c| esc(c)).collect::<Vec<_>>().join(",")
                )
            };
            let _ = writeln!(
                out,
                "{{\"prefix\":{},\"family\":{},\"next_hop\":{},\"as_path\":{},\"origin\":{},\"local_pref\":{},\"med\":{},\"communities\":{},\"large_communities\":{},\"extended_communities\":{},\"from\":{},\"best\":{},\"multipath\":{},\"lost\":{},\"stale\":{},\"leak\":{},\"discard\":{},\"otc\":{},\"protocol\":{}}}",
                esc(&r.prefix.to_string()),
                esc(&r.family.to_string()),
                esc(&r.next_hop),
                esc(&r.as_path),
                esc(r.origin),
                r.local_pref,
                r.med.map_or("null".into(), |m| m.to_string()),
                list(&r.communities),
                list(&r.large_communities),
                list(&r.ext_communities),
                r.from.as_deref().map_or("null".into(), esc),
                r.best,
                r.multipath,
                r.lost.map_or("null".into(), |l| esc(l.as_str())),
                r.stale,
                r.leak,
                r.discard,
                r.otc.map_or("null".into(), |o| o.to_string()),
                esc(r.protocol)
            );
        } else {
            let mut c = r.communities.clone();
            c.extend(r.large_communities.iter().cloned());
            c.extend(r.ext_communities.iter().cloned());
            if let Some(o) = r.otc {
                c.push(format!("otc:{o}"));
            }
            let _ = writeln!(
                out,
                "{} {:<24} {:<16} {:<26} {:>6} {:>6}  {:<24} {:<22} {}",
                if r.best { '*' } else { ' ' },
                r.prefix.to_string(),
                r.from.as_deref().unwrap_or(r.protocol),
                if r.discard {
                    "discard"
                } else {
                    r.next_hop.as_str()
                },
                r.local_pref,
                r.med.map_or("-".into(), |m| m.to_string()),
                r.as_path,
                state(r),
                c.join(" ")
            );
        }
    }
    out
}
