//! What a new configuration changes: the plan a reload carries out (and
//! `peerctl reload --dry-run` prints). Pure: two `Config`s in, a plan out.
//!
//! Per neighbor, by name:
//! - **start**: new in the file;
//! - **stop**: gone from the file (Cease / Peer De-configured, RFC 4486);
//! - **reset**: something negotiated in OPEN or used to set up the
//!   connection changed (Cease / Other Configuration Change), or the
//!   router's AS, identifier or host name did;
//! - **refresh**: its import policy changed — its routes are asked for
//!   again (route refresh, RFC 2918) and run through the new policy; a
//!   neighbor that cannot refresh is reset instead;
//! - **re-export**: its export policy or next-hop settings changed, or the
//!   prefixes we originate did — what it is sent is recomputed and only the
//!   difference goes out;
//! - **keep**: nothing that matters to the session changed.
//!
//! Policies are compared by content, following calls, so editing a policy
//! re-evaluates exactly the neighbors that use it.

use peerd_config::{Config, Neighbor, PolicySwitch};
use peerd_policy::{Policies, Policy, PolicyId};
use std::fmt;

/// What happens to one neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Start it.
    Start,
    /// Stop and forget it.
    Stop,
    /// Reset the session, for these reasons.
    Reset(Vec<&'static str>),
    /// Keep the session; do these.
    Soft {
        /// Run its routes through the new import policy again.
        refresh: bool,
        /// ... from the routes kept as received (no route refresh).
        from_kept: bool,
        /// Recompute what it is sent.
        reexport: bool,
        /// Administrative state to set (`Some(true)`: shut down).
        shutdown: Option<bool>,
        /// Other changes applied in place (limits, description).
        other: Vec<&'static str>,
    },
}

/// The whole plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Per neighbor name, what happens (untouched ones are not listed).
    pub changes: Vec<(String, Change)>,
    /// Neighbors left as they are.
    pub untouched: Vec<String>,
    /// The originated prefixes changed.
    pub announce: bool,
    /// The decision options changed (every prefix is chosen again).
    pub bestpath: bool,
    /// Static routes or their redistribution changed (what they put into
    /// BGP is recomputed and only the difference sent).
    pub statics: bool,
    /// The import of other programs' kernel routes or their
    /// redistribution changed (they go through the import policy again).
    pub kernel: bool,
    /// The log level to set, where it changed.
    pub log_level: Option<peerd_config::LogLevel>,
}

/// Changes a reload cannot apply: the listening sockets.
pub fn refused(old: &Config, new: &Config) -> Vec<String> {
    let mut v = Vec::new();
    if old.router.listen != new.router.listen {
        v.push("router.listen changed: restart peerd to listen elsewhere".to_string());
    }
    if old.router.port != new.router.port {
        v.push("router.port changed: restart peerd to listen on another port".to_string());
    }
    let same_table = match (&old.fib, &new.fib) {
        (Some(a), Some(b)) => a.same_table(b),
        (a, b) => a.is_none() && b.is_none(),
    };
    if old.mrt != new.mrt {
        v.push("[mrt] changed: restart peerd to write MRT elsewhere or otherwise".to_string());
    }
    if old.api != new.api {
        v.push("[api] changed: restart peerd to serve the API elsewhere or to others".to_string());
    }
    if old.log.format != new.log.format {
        v.push("log.format changed: restart peerd to log in another format".to_string());
    }
    if !same_table {
        v.push("[fib] changed: restart peerd to program another kernel table".to_string());
    }
    v
}

/// What going from `old` to `new` does.
pub fn plan(old: &Config, new: &Config) -> Plan {
    let router_changed = old.router.asn != new.router.asn
        || old.router.router_id != new.router.router_id
        || old.router.cluster_id != new.router.cluster_id
        || old.router.hostname != new.router.hostname;
    let announce = old.announce != new.announce;
    let mut changes = Vec::new();
    let mut untouched = Vec::new();
    for o in &old.neighbors {
        if !new.neighbors.iter().any(|n| n.name == o.name) {
            changes.push((o.name.clone(), Change::Stop));
        }
    }
    for n in &new.neighbors {
        let Some(o) = old.neighbors.iter().find(|o| o.name == n.name) else {
            changes.push((n.name.clone(), Change::Start));
            continue;
        };
        let mut reasons = session_changes(o, n);
        if router_changed {
            reasons.push("router settings");
        }
        if !reasons.is_empty() {
            changes.push((n.name.clone(), Change::Reset(reasons)));
            continue;
        }
        let refresh =
            !same_policy(old, o.import, new, n.import) || o.keep_received != n.keep_received;
        let from_kept = refresh && o.keep_received && n.keep_received;
        let reexport = !same_policy(old, o.export, new, n.export)
            || o.next_hop_self != n.next_hop_self
            || o.ipv4_next_hop != n.ipv4_next_hop
            || o.ipv6_next_hop != n.ipv6_next_hop
            || announce;
        let shutdown = (o.shutdown != n.shutdown).then_some(n.shutdown);
        let mut other = Vec::new();
        if o.max_prefix != n.max_prefix {
            other.push("max-prefixes");
        }
        if o.description != n.description {
            other.push("description");
        }
        if refresh || reexport || shutdown.is_some() || !other.is_empty() {
            changes.push((
                n.name.clone(),
                Change::Soft {
                    refresh,
                    from_kept,
                    reexport,
                    shutdown,
                    other,
                },
            ));
        } else {
            untouched.push(n.name.clone());
        }
    }
    Plan {
        changes,
        untouched,
        announce,
        bestpath: old.bestpath != new.bestpath,
        statics: old.statics != new.statics
            || !same_switch(old, old.redistribute_static, new, new.redistribute_static),
        kernel: !same_kernel_import(old, new)
            || !same_switch(old, old.redistribute_kernel, new, new.redistribute_kernel),
        log_level: (old.log.level != new.log.level).then_some(new.log.level),
    }
}

/// The settings that need a new session to take effect.
fn session_changes(o: &Neighbor, n: &Neighbor) -> Vec<&'static str> {
    let mut r = Vec::new();
    let mut check = |changed: bool, what: &'static str| {
        if changed {
            r.push(what);
        }
    };
    check(o.address != n.address, "address");
    check(o.interface != n.interface, "interface");
    check(o.remote_as != n.remote_as, "remote-as");
    check(o.local_address != n.local_address, "local-address");
    check(o.port != n.port, "port");
    check(o.passive != n.passive, "passive");
    check(o.hold_time != n.hold_time, "hold-time");
    check(o.keepalive != n.keepalive, "keepalive");
    check(o.connect_retry != n.connect_retry, "connect-retry");
    check(o.delay_open != n.delay_open, "delay-open");
    check(o.password != n.password, "password");
    check(o.ttl_security != n.ttl_security, "ttl-security");
    check(o.multihop != n.multihop, "multihop");
    check(o.families != n.families, "families");
    check(o.role != n.role, "role");
    check(o.role_strict != n.role_strict, "role-strict");
    check(o.graceful_restart != n.graceful_restart, "graceful-restart");
    // Reflection changes what the neighbour may have been sent and holds;
    // a new session is the clean way to get there.
    check(
        o.route_reflector_client != n.route_reflector_client,
        "route-reflector-client",
    );
    // Switching between "deny" and anything else changes nothing in the
    // session itself: it is a policy change like any other.
    r
}

/// Whether static routes enter BGP the same way in both configurations.
fn same_switch(
    old: &Config,
    a: Option<PolicySwitch>,
    new: &Config,
    b: Option<PolicySwitch>,
) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_policy(old, a, new, b),
        (a, b) => a == b,
    }
}

/// Whether `[fib] import` takes the same kernel routes the same way.
fn same_kernel_import(old: &Config, new: &Config) -> bool {
    let import = |c: &Config| c.fib.map(|f| (f.import, f.import_distance));
    match (import(old), import(new)) {
        (Some((a, da)), Some((b, db))) => da == db && same_policy(old, a, new, b),
        (a, b) => a.map(|x| x.0) == b.map(|x| x.0),
    }
}

/// Whether an import or export behaves the same in both configurations.
fn same_policy(old: &Config, a: PolicySwitch, new: &Config, b: PolicySwitch) -> bool {
    match (a, b) {
        (PolicySwitch::Policy(x), PolicySwitch::Policy(y)) => {
            flatten(&old.policies, x) == flatten(&new.policies, y)
        }
        (a, b) => a == b,
    }
}

/// A policy and every policy it calls, with calls written as names, so
/// that two configurations can be compared whatever their numbering.
fn flatten(p: &Policies, id: PolicyId) -> Vec<(Policy, Vec<Option<String>>)> {
    let mut out = Vec::new();
    let mut seen = vec![false; p.list.len()];
    let mut stack = vec![id];
    while let Some(i) = stack.pop() {
        if i >= seen.len() || std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let mut pol = p.list[i].clone();
        // Content, not name: renaming a policy changes nothing.
        pol.name.clear();
        let calls = pol
            .terms
            .iter_mut()
            .map(|t| {
                let c = t.call.take();
                stack.extend(c);
                c.and_then(|c| p.list.get(c)).map(|c| c.name.clone())
            })
            .collect();
        out.push((pol, calls));
    }
    out
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, c) in &self.changes {
            match c {
                Change::Start => writeln!(f, "start      {name}")?,
                Change::Stop => writeln!(f, "stop       {name} (Cease: peer de-configured)")?,
                Change::Reset(why) => writeln!(f, "reset      {name}: {} changed", why.join(", "))?,
                Change::Soft {
                    refresh,
                    from_kept,
                    reexport,
                    shutdown,
                    other,
                } => {
                    let mut what = Vec::new();
                    if *refresh && *from_kept {
                        what.push(
                            "import re-evaluated from the routes kept as received".to_string(),
                        );
                    } else if *refresh {
                        what.push("import re-evaluated (route refresh; reset if the neighbor cannot refresh)".to_string());
                    }
                    if *reexport {
                        what.push("export re-evaluated".to_string());
                    }
                    match shutdown {
                        Some(true) => what.push("shut down".to_string()),
                        Some(false) => what.push("started".to_string()),
                        None => {}
                    }
                    if !other.is_empty() {
                        what.push(format!("{} updated", other.join(", ")));
                    }
                    writeln!(f, "keep       {name}: {}", what.join("; "))?;
                }
            }
        }
        for name in &self.untouched {
            writeln!(f, "untouched  {name}")?;
        }
        if self.announce {
            writeln!(f, "announce   originated prefixes changed")?;
        }
        if self.bestpath {
            writeln!(
                f,
                "bestpath   decision options changed: every prefix is chosen again"
            )?;
        }
        if self.statics {
            writeln!(
                f,
                "static     static routes or their redistribution changed"
            )?;
        }
        if self.kernel {
            writeln!(
                f,
                "kernel     the import of kernel routes or their redistribution changed"
            )?;
        }
        if let Some(l) = self.log_level {
            writeln!(f, "log        level set to {}", l.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[router]
asn = 64500
router-id = "192.0.2.1"

[[policy.in]]
match = { prefix-length = "8-24" }
action = "accept"

[[policy.out]]
call = "common"
[[policy.out]]
action = "accept"

[[policy.common]]
match = { bogon = true }
action = "reject"
[[policy.common]]
action = "accept"

[[neighbor]]
name = "a"
address = "198.51.100.1"
remote-as = 64501
role = "peer"
import = "in"
export = "out"

[[neighbor]]
name = "b"
address = "198.51.100.2"
remote-as = 64502
role = "customer"
import = "accept"
export = "out"

[[neighbor]]
name = "c"
address = "198.51.100.3"
remote-as = 64503
role = "provider"
import = "accept"
export = "accept"
"#;

    fn cfg(text: &str) -> Config {
        peerd_config::parse(text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn change(p: &Plan, name: &str) -> Option<Change> {
        p.changes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.clone())
    }

    #[test]
    fn the_same_file_changes_nothing() {
        let p = plan(&cfg(BASE), &cfg(BASE));
        assert!(p.changes.is_empty(), "{p}");
        assert_eq!(p.untouched, ["a", "b", "c"]);
    }

    #[test]
    fn a_called_policy_edited_re_exports_its_users_only() {
        let new = BASE.replace("match = { bogon = true }", "match = { bogon-as = true }");
        let p = plan(&cfg(BASE), &cfg(&new));
        for n in ["a", "b"] {
            assert_eq!(
                change(&p, n),
                Some(Change::Soft {
                    refresh: false,
                    from_kept: false,
                    reexport: true,
                    shutdown: None,
                    other: vec![]
                }),
                "{p}"
            );
        }
        assert_eq!(p.untouched, ["c"]);
    }

    #[test]
    fn an_import_policy_edit_refreshes_and_a_new_policy_name_does_not_matter() {
        // Renaming a policy (same content) changes nothing.
        let renamed = BASE
            .replace("[[policy.in]]", "[[policy.inbound]]")
            .replace("import = \"in\"", "import = \"inbound\"");
        assert!(plan(&cfg(BASE), &cfg(&renamed)).changes.is_empty());
        let new = BASE.replace("\"8-24\"", "\"8-23\"");
        let p = plan(&cfg(BASE), &cfg(&new));
        assert!(
            matches!(
                change(&p, "a"),
                Some(Change::Soft {
                    refresh: true,
                    reexport: false,
                    ..
                })
            ),
            "{p}"
        );
        assert_eq!(p.untouched, ["b", "c"]);
    }

    #[test]
    fn session_settings_reset_and_neighbors_come_and_go() {
        let new = BASE
            .replace(
                "role = \"customer\"",
                "role = \"customer\"\nhold-time = 30\npassword = \"k\"",
            )
            .replace(
                "name = \"c\"\naddress = \"198.51.100.3\"",
                "name = \"d\"\naddress = \"198.51.100.4\"",
            );
        let p = plan(&cfg(BASE), &cfg(&new));
        assert_eq!(
            change(&p, "b"),
            Some(Change::Reset(vec!["hold-time", "password"])),
            "{p}"
        );
        assert_eq!(change(&p, "c"), Some(Change::Stop));
        assert_eq!(change(&p, "d"), Some(Change::Start));
        let text = p.to_string();
        assert!(
            text.contains("reset      b: hold-time, password changed"),
            "{text}"
        );
        assert!(text.contains("untouched  a"), "{text}");
    }

    #[test]
    fn originated_prefixes_re_export_to_everyone_and_listen_changes_are_refused() {
        let new = BASE.replace(
            "[[policy.in]]",
            "[[announce]]\nprefix = \"203.0.113.0/24\"\n\n[[policy.in]]",
        );
        let p = plan(&cfg(BASE), &cfg(&new));
        assert!(p.announce);
        assert_eq!(p.changes.len(), 3, "{p}");
        let moved = BASE.replace(
            "router-id = \"192.0.2.1\"",
            "router-id = \"192.0.2.1\"\nport = 1179",
        );
        assert_eq!(refused(&cfg(BASE), &cfg(&moved)).len(), 1);
    }

    #[test]
    fn the_kernel_import_changes_in_place_the_kernel_table_does_not() {
        let with =
            |fib: &str| BASE.replace("[[policy.in]]", &format!("[fib]\n{fib}\n\n[[policy.in]]"));
        let old = cfg(&with("table = 1000"));
        let new = cfg(&with("table = 1000\nimport = \"in\""));
        assert!(refused(&old, &new).is_empty());
        let p = plan(&old, &new);
        assert!(p.kernel && !p.statics, "{p}");
        assert!(p.to_string().contains("kernel     the import"), "{p}");
        // Editing the import policy counts too; the same file does not.
        let edited = cfg(&with("table = 1000\nimport = \"in\"").replace("8-24", "8-23"));
        assert!(plan(&new, &edited).kernel);
        assert!(!plan(&new, &new).kernel);
        let other = cfg(&with("table = 1001\nimport = \"in\""));
        assert_eq!(refused(&new, &other).len(), 1);
    }
}
