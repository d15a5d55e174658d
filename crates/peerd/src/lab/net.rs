//! The lab's network: network namespaces joined by veth pairs, made with
//! iproute2 and deleted when the `Net` is dropped (also after a failure or
//! Ctrl-C, which the caller turns into an early return).

use std::process::Command;

/// Every namespace of one lab run is named `TAG-NAME`, the tag holding our
/// PID so two runs never meet.
pub struct Net {
    pub tag: String,
    made: Vec<String>,
}

/// A failure of an `ip` command, with what it was asked.
#[derive(Debug)]
pub struct NetError(pub String);

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `ip ARGS`; the error carries the command and what it printed.
pub fn ip(args: &[&str]) -> Result<String, NetError> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| NetError(format!("cannot run ip ({e}); peerd lab needs iproute2")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(NetError(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// One end of a link: namespace, interface name, addresses with length.
pub struct End<'a> {
    pub ns: &'a str,
    pub dev: &'a str,
    pub addrs: &'a [&'a str],
}

impl Net {
    pub fn new() -> Net {
        Net {
            tag: format!("lab{}", std::process::id()),
            made: Vec::new(),
        }
    }

    /// The full name of namespace `name`.
    pub fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.tag)
    }

    /// A namespace with its loopback up; a router also forwards (both
    /// families), keeps IPv6 addresses while a link is down, and does no
    /// reverse-path filtering (return traffic may take another link during
    /// a failover).
    pub fn add(&mut self, name: &str, router: bool) -> Result<(), NetError> {
        let ns = self.ns(name);
        ip(&["netns", "add", &ns])?;
        self.made.push(ns.clone());
        ip(&["-n", &ns, "link", "set", "lo", "up"])?;
        // Written through /proc/sys from inside the namespace (no procps
        // needed): these settings are per namespace.
        let mut settings = vec![
            ("ipv6/conf/all/keep_addr_on_down", 1),
            ("ipv6/conf/default/keep_addr_on_down", 1),
            ("ipv4/conf/all/rp_filter", 0),
            ("ipv4/conf/default/rp_filter", 0),
        ];
        if router {
            settings.push(("ipv4/ip_forward", 1));
            settings.push(("ipv6/conf/all/forwarding", 1));
        }
        let script: Vec<String> = settings
            .iter()
            .map(|(k, v)| format!("echo {v} > /proc/sys/net/{k}"))
            .collect();
        self.exec(name, &["sh", "-c", &script.join(" && ")])?;
        Ok(())
    }

    /// Runs a program inside namespace `name`.
    pub fn exec(&self, name: &str, args: &[&str]) -> Result<String, NetError> {
        let mut a = vec!["netns", "exec"];
        let ns = self.ns(name);
        a.push(&ns);
        a.extend_from_slice(args);
        ip(&a)
    }

    /// `ip -n NS ARGS`.
    pub fn ip(&self, name: &str, args: &[&str]) -> Result<String, NetError> {
        let ns = self.ns(name);
        let mut a = vec!["-n", ns.as_str()];
        a.extend_from_slice(args);
        ip(&a)
    }

    /// A veth pair between two namespaces, both ends up, with their
    /// addresses (IPv6 without duplicate address detection, so they are
    /// usable at once).
    pub fn link(&self, a: End, b: End) -> Result<(), NetError> {
        let (na, nb) = (self.ns(a.ns), self.ns(b.ns));
        ip(&[
            "link", "add", a.dev, "netns", &na, "type", "veth", "peer", "name", b.dev, "netns", &nb,
        ])?;
        for e in [&a, &b] {
            for addr in e.addrs {
                let mut args = vec!["addr", "add", addr, "dev", e.dev];
                if addr.contains(':') {
                    args.push("nodad");
                }
                self.ip(e.ns, &args)?;
            }
            self.ip(e.ns, &["link", "set", e.dev, "up"])?;
        }
        Ok(())
    }

    /// A packet counter of an interface: `rx_packets` or `tx_packets`.
    pub fn counter(&self, name: &str, dev: &str, which: &str) -> u64 {
        self.exec(
            name,
            &["cat", &format!("/sys/class/net/{dev}/statistics/{which}")],
        )
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
    }

    /// The kernel's forwarding decision for `dst` in namespace `name`, on
    /// one line.
    pub fn route_get(&self, name: &str, dst: &str) -> String {
        match self.ip(name, &["route", "get", dst]) {
            Ok(s) => s.lines().next().unwrap_or("").trim().to_string(),
            Err(e) => e.0,
        }
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        for ns in self.made.drain(..).rev() {
            let _ = ip(&["netns", "del", &ns]);
        }
    }
}
