//! The daemons under test: peerd and the reference daemons from Debian's
//! packages, each configured for the same work (see `bench/conf/README.md`):
//! one address (127.0.0.10, AS 65000, port 179), passive sessions to the
//! harness's neighbours, feeds imported and never exported to, sinks
//! exported to, no FIB, best path down to the lowest router ID (FRR's
//! "prefer the oldest eBGP route" switched off so that all five choose the
//! same paths), no advertisement-interval delays.

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The daemon's address, AS and port.
pub const ADDR: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 10);
/// The daemon's AS.
pub const ASN: u32 = 65000;
/// The BGP port.
pub const PORT: u16 = 179;
/// The daemon's IPv6 next hop for IPv6 routes over the IPv4 sessions
/// (documentation space; bench/run puts it on the namespace's loopback).
pub const NH6: &str = "2001:db8:ffff::10";

/// Which daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No daemon: the feed writes straight into a sink (the harness's own
    /// ceiling).
    Direct,
    /// peerd.
    Peerd,
    /// BIRD 2.
    Bird,
    /// FRR bgpd.
    Frr,
    /// GoBGP.
    Gobgp,
    /// OpenBGPD.
    Openbgpd,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 6] = [
        Kind::Direct,
        Kind::Peerd,
        Kind::Bird,
        Kind::Frr,
        Kind::Gobgp,
        Kind::Openbgpd,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Direct => "direct",
            Kind::Peerd => "peerd",
            Kind::Bird => "bird",
            Kind::Frr => "frr",
            Kind::Gobgp => "gobgp",
            Kind::Openbgpd => "openbgpd",
        }
    }

    /// From its name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// What a neighbour of the daemon does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Sends routes; the daemon sends it nothing.
    Feed,
    /// Receives the daemon's routes; sends none.
    Sink,
    /// Both (route-server clients).
    Both,
}

/// A neighbour of the daemon.
#[derive(Debug, Clone, Copy)]
pub struct Neighbor {
    /// Its address (127.0.N.M).
    pub addr: Ipv4Addr,
    /// Its AS.
    pub asn: u32,
    /// What it does.
    pub role: Role,
}

impl Neighbor {
    fn import(&self) -> bool {
        self.role != Role::Sink
    }
    fn export(&self) -> bool {
        self.role != Role::Feed
    }
}

/// A started daemon, stopped (by PID) on drop.
#[derive(Debug)]
pub struct Running {
    child: Option<Child>,
    /// A helper started before it and stopped after it (FRR's zebra).
    helper: Option<Child>,
    /// Its directory (config, logs).
    pub dir: PathBuf,
}

fn cmd_in_cpus(cpus: Option<&str>, program: &str) -> Command {
    match cpus {
        Some(c) => {
            let mut cmd = Command::new("taskset");
            cmd.args(["-c", c, program]);
            cmd
        }
        None => Command::new(program),
    }
}

fn dotted(a: Ipv4Addr) -> String {
    a.to_string().replace('.', "_")
}

/// peerd's configuration.
pub fn peerd_conf(nbs: &[Neighbor], v6: bool) -> String {
    let mut s = format!(
        "[router]\nasn = {ASN}\nrouter-id = \"{ADDR}\"\nlisten = [\"{ADDR}\"]\nport = {PORT}\n"
    );
    for n in nbs {
        let _ = write!(
            s,
            "\n[[neighbor]]\nname = \"n{}\"\naddress = \"{}\"\nremote-as = {}\nlocal-address = \"{ADDR}\"\n\
             passive = true\nhold-time = 240\nmultihop = 2\nimport = \"{}\"\nexport = \"{}\"\n",
            dotted(n.addr),
            n.addr,
            n.asn,
            if n.import() { "accept" } else { "deny" },
            if n.export() { "accept" } else { "deny" },
        );
        if v6 {
            let _ = write!(
                s,
                "families = [\"ipv4-unicast\", \"ipv6-unicast\"]\nipv6-next-hop = \"{NH6}\"\n"
            );
        }
    }
    s
}

/// BIRD's configuration: one table per family (master4, master6), next
/// hops 198.18.0.0/15 and 2001:db8:ffff::/48 resolved through separate IGP
/// tables that are never exported.
pub fn bird_conf(dir: &Path, nbs: &[Neighbor], v6: bool) -> String {
    let mut s = format!(
        "log \"{}/bird.log\" {{ info, warning, error, auth, fatal, bug }};\nrouter id {ADDR};\n\
         protocol device {{ }}\nipv4 table igp4;\n\
         protocol static nh {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via \"lo\"; }}\n",
        dir.display()
    );
    if v6 {
        s.push_str(
            "ipv6 table igp6;\nprotocol static nh6 { ipv6 { table igp6; }; route 2001:db8:ffff::/48 via \"lo\"; }\n",
        );
    }
    for n in nbs {
        let (imp, exp) = (
            if n.import() { "all" } else { "none" },
            if n.export() { "all" } else { "none" },
        );
        let _ = write!(
            s,
            "protocol bgp n{} {{\n  local {ADDR} port {PORT} as {ASN};\n  neighbor {} as {};\n  strict bind yes;\n  \
             multihop 2;\n  passive on;\n  hold time 240;\n  ipv4 {{ igp table igp4; import {imp}; export {exp}; }};\n",
            dotted(n.addr),
            n.addr,
            n.asn,
        );
        if v6 {
            let _ = writeln!(
                s,
                "  ipv6 {{ igp table igp6; import {imp}; export {exp}; next hop address {NH6}; }};"
            );
        }
        s.push_str("}\n");
    }
    s
}

/// FRR bgpd's configuration (run without zebra, -Z).
pub fn frr_conf(dir: &Path, nbs: &[Neighbor], v6: bool) -> String {
    let mut s = format!(
        "frr defaults traditional\nhostname bench\nlog file {}/bgpd.log informational\n!\n\
         route-map ALLOW permit 10\nexit\nroute-map DENY deny 10\nexit\n\
         route-map ALLOW6 permit 10\n set ipv6 next-hop global {NH6}\nexit\n!\nrouter bgp {ASN}\n \
         bgp router-id {ADDR}\n no bgp ebgp-requires-policy\n no bgp network import-check\n \
         bgp bestpath compare-routerid\n",
        dir.display()
    );
    for n in nbs {
        let a = n.addr;
        let _ = write!(
            s,
            " neighbor {a} remote-as {}\n neighbor {a} update-source {ADDR}\n neighbor {a} passive\n \
             neighbor {a} disable-connected-check\n neighbor {a} timers 80 240\n \
             neighbor {a} advertisement-interval 0\n",
            n.asn
        );
    }
    let families: &[(&str, &str)] = if v6 {
        &[("ipv4", "ALLOW"), ("ipv6", "ALLOW6")]
    } else {
        &[("ipv4", "ALLOW")]
    };
    for (af, out) in families {
        let _ = writeln!(s, " address-family {af} unicast");
        for n in nbs {
            let a = n.addr;
            let _ = write!(
                s,
                "  neighbor {a} activate\n  neighbor {a} route-map {} in\n  neighbor {a} route-map {} out\n",
                if n.import() { "ALLOW" } else { "DENY" },
                if n.export() { out } else { "DENY" },
            );
        }
        s.push_str(" exit-address-family\n");
    }
    s.push_str("exit\n");
    s
}

/// GoBGP's configuration: one global export policy refuses the feeds
/// (GoBGP has per-neighbour policies only for route-server clients) and
/// sets the IPv6 next hop.
pub fn gobgp_conf(nbs: &[Neighbor], v6: bool) -> String {
    let mut s = format!(
        "[global.config]\n  as = {ASN}\n  router-id = \"{ADDR}\"\n  port = {PORT}\n  local-address-list = [\"{ADDR}\"]\n\
         [global.apply-policy.config]\n  export-policy-list = [\"bench\"]\n  default-export-policy = \"accept-route\"\n"
    );
    let feeds: Vec<String> = nbs
        .iter()
        .filter(|n| !n.export())
        .map(|n| format!("\"{}/32\"", n.addr))
        .collect();
    if !feeds.is_empty() {
        let _ = write!(
            s,
            "[[defined-sets.neighbor-sets]]\n  neighbor-set-name = \"feeds\"\n  neighbor-info-list = [{}]\n",
            feeds.join(", ")
        );
    }
    s.push_str(
        "[[defined-sets.prefix-sets]]\n  prefix-set-name = \"all6\"\n  [[defined-sets.prefix-sets.prefix-list]]\n    \
         ip-prefix = \"::/0\"\n    masklength-range = \"0..128\"\n[[policy-definitions]]\n  name = \"bench\"\n",
    );
    if !feeds.is_empty() {
        s.push_str(
            "  [[policy-definitions.statements]]\n    name = \"no-feeds\"\n    \
             [policy-definitions.statements.conditions.match-neighbor-set]\n      neighbor-set = \"feeds\"\n    \
             [policy-definitions.statements.actions]\n      route-disposition = \"reject-route\"\n",
        );
    }
    let _ = write!(
        s,
        "  [[policy-definitions.statements]]\n    name = \"nh6\"\n    \
         [policy-definitions.statements.conditions.match-prefix-set]\n      prefix-set = \"all6\"\n    \
         [policy-definitions.statements.actions]\n      route-disposition = \"accept-route\"\n      \
         [policy-definitions.statements.actions.bgp-actions]\n        set-next-hop = \"{NH6}\"\n"
    );
    for n in nbs {
        let _ = write!(
            s,
            "[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{}\"\n    peer-as = {}\n  \
             [neighbors.transport.config]\n    local-address = \"{ADDR}\"\n    passive-mode = true\n  \
             [neighbors.timers.config]\n    hold-time = 240\n    keepalive-interval = 80\n  \
             [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 2\n  \
             [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"ipv4-unicast\"\n",
            n.addr, n.asn
        );
        if v6 {
            s.push_str(
                "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = \"ipv6-unicast\"\n",
            );
        }
    }
    s
}

/// OpenBGPD's configuration (no FIB; RFC 8212 default deny opened, feeds
/// refused on export; the IPv6 local address gives IPv6 routes their next
/// hop over the IPv4 sessions).
pub fn openbgpd_conf(dir: &Path, nbs: &[Neighbor], v6: bool) -> String {
    let mut s = format!(
        "AS {ASN}\nrouter-id {ADDR}\nlisten on {ADDR} port {PORT}\nsocket \"{}/bgpd.sock\"\nfib-update no\n",
        dir.display()
    );
    for n in nbs {
        let _ = write!(
            s,
            "neighbor {} {{\n  remote-as {}\n  local-address {ADDR}\n  multihop 2\n  holdtime 240\n  passive\n",
            n.addr, n.asn
        );
        if v6 {
            let _ = write!(s, "  local-address {NH6}\n  announce IPv6 unicast\n");
        }
        s.push_str("}\n");
    }
    s.push_str("allow from any\nallow to any\n");
    for n in nbs {
        if !n.export() {
            let _ = writeln!(s, "deny to {}", n.addr);
        }
        if !n.import() {
            let _ = writeln!(s, "deny from {}", n.addr);
        }
    }
    s
}

/// peerd next to this program (target/release), or one level up when this
/// is a test binary (target/release/deps).
fn peerd_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let here = exe.with_file_name("peerd");
    let up = exe.parent().and_then(Path::parent).map(|p| p.join("peerd"));
    match up {
        _ if here.is_file() => Ok(here),
        Some(u) if u.is_file() => Ok(u),
        _ => Err(format!(
            "peerd not found next to {} (cargo build --release -p peerd)",
            exe.display()
        )),
    }
}

/// The configurations of S1 (feed 127.0.1.1 AS 65101, sink 127.0.2.1 AS
/// 65201, IPv4 and IPv6), with `DIR` for the run directory: file name and
/// text, for `bench/conf/`.
pub fn s1_configs() -> Vec<(&'static str, String)> {
    let nbs = [
        Neighbor {
            addr: Ipv4Addr::new(127, 0, 1, 1),
            asn: 65101,
            role: Role::Feed,
        },
        Neighbor {
            addr: Ipv4Addr::new(127, 0, 2, 1),
            asn: 65201,
            role: Role::Sink,
        },
    ];
    let dir = Path::new("DIR");
    vec![
        ("peerd.toml", peerd_conf(&nbs, true)),
        ("bird.conf", bird_conf(dir, &nbs, true)),
        ("frr-bgpd.conf", frr_conf(dir, &nbs, true)),
        ("gobgpd.toml", gobgp_conf(&nbs, true)),
        ("openbgpd.conf", openbgpd_conf(dir, &nbs, true)),
    ]
}

/// Whether something listens on the daemon's address and port (read from
/// /proc/net/tcp of our namespace).
fn listening() -> bool {
    let want = format!("{:08X}:{:04X}", u32::from(ADDR).swap_bytes(), PORT);
    std::fs::read_to_string("/proc/net/tcp")
        .map(|t| {
            t.lines().any(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                f.len() > 3 && f[1] == want && f[3] == "0A"
            })
        })
        .unwrap_or(false)
}

/// Writes the configuration and starts the daemon (pinned to `cpus`), then
/// waits until it listens.
pub fn start(
    kind: Kind,
    dir: &Path,
    nbs: &[Neighbor],
    v6: bool,
    cpus: Option<&str>,
) -> Result<Running, String> {
    start_with(kind, dir, nbs, v6, cpus, false)
}

/// [`start`], and with `fib` the daemon also installs its routes into
/// the main kernel table: peerd with `[fib]`, BIRD with a kernel
/// protocol, FRR's bgpd through zebra (started first). IPv4 only.
pub fn start_with(
    kind: Kind,
    dir: &Path,
    nbs: &[Neighbor],
    v6: bool,
    cpus: Option<&str>,
    fib: bool,
) -> Result<Running, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // FRR and OpenBGPD drop privileges; let them write their logs.
    let _ = Command::new("chmod").arg("0777").arg(dir).status();
    let log = std::fs::File::create(dir.join("stdout.log")).map_err(|e| e.to_string())?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    let write = |name: &str, text: String| -> Result<PathBuf, String> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(p)
    };
    let mut helper = None;
    let mut cmd = match kind {
        Kind::Direct => {
            return Ok(Running {
                child: None,
                helper: None,
                dir: dir.to_path_buf(),
            });
        }
        Kind::Peerd => {
            let mut text = peerd_conf(nbs, v6);
            if fib {
                text.push_str("\n[fib]\ntable = 254\nprotocol = 200\nmetric = 20\n");
            }
            let conf = write("peerd.toml", text)?;
            let peerd = peerd_binary()?;
            let mut c = cmd_in_cpus(cpus, &peerd.to_string_lossy());
            c.arg("--config")
                .arg(conf)
                .arg("--socket")
                .arg(dir.join("peerd.sock"));
            c
        }
        Kind::Bird => {
            let mut text = bird_conf(dir, nbs, v6);
            if fib {
                text.push_str("protocol kernel { ipv4 { export all; }; }\n");
            }
            let conf = write("bird.conf", text)?;
            let mut c = cmd_in_cpus(cpus, "bird");
            c.arg("-f")
                .arg("-c")
                .arg(conf)
                .arg("-s")
                .arg(dir.join("bird.ctl"));
            c
        }
        Kind::Frr => {
            let mut text = frr_conf(dir, nbs, v6);
            if fib {
                // With zebra, bgpd checks a single-hop eBGP neighbour's
                // interface; the feed is on the loopback.
                // zebra must know the loopback for bgpd to find the
                // session's interface (bgpd -Z never asks).
                text = text
                    .replace("disable-connected-check", "ebgp-multihop 2")
                    .replace(&format!("update-source {ADDR}"), "update-source lo")
                    .replacen("!\nroute-map", "interface lo\n!\nroute-map", 1);
            }
            let conf = write("bgpd.conf", text)?;
            let mut c = cmd_in_cpus(cpus, "/usr/lib/frr/bgpd");
            c.arg("-f").arg(conf);
            if fib {
                let zconf = write(
                    "zebra.conf",
                    format!(
                        "hostname bench\nlog file {}/zebra.log informational\n",
                        dir.display()
                    ),
                )?;
                let zlog = std::fs::File::create(dir.join("zebra.stdout.log"))
                    .map_err(|e| e.to_string())?;
                let zerr = zlog.try_clone().map_err(|e| e.to_string())?;
                let z = cmd_in_cpus(cpus, "/usr/lib/frr/zebra")
                    .arg("-f")
                    .arg(zconf)
                    .arg("-z")
                    .arg(dir.join("zserv.api"))
                    .arg("--vty_socket")
                    .arg(dir)
                    .arg("-i")
                    .arg(dir.join("zebra.pid"))
                    .stdin(Stdio::null())
                    .stdout(zlog)
                    .stderr(zerr)
                    .spawn()
                    .map_err(|e| format!("zebra: {e}"))?;
                helper = Some(z);
                let t = Instant::now();
                while !dir.join("zserv.api").exists() && t.elapsed() < Duration::from_secs(10) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                if !dir.join("zserv.api").exists() {
                    if let Some(mut z) = helper.take() {
                        let _ = z.kill();
                        let _ = z.wait();
                    }
                    return Err(format!("zebra did not start; see {}", dir.display()));
                }
                c.arg("-z").arg(dir.join("zserv.api"));
            } else {
                c.arg("-Z");
            }
            c.args([
                "-S",
                "-l",
                &ADDR.to_string(),
                "-p",
                &PORT.to_string(),
                "-P",
                "0",
            ]);
            c.arg("--vty_socket")
                .arg(dir)
                .arg("-i")
                .arg(dir.join("bgpd.pid"));
            c
        }
        Kind::Gobgp => {
            let conf = write("gobgpd.toml", gobgp_conf(nbs, v6))?;
            let mut c = cmd_in_cpus(cpus, "gobgpd");
            c.arg("-f")
                .arg(conf)
                .arg("--api-hosts")
                .arg(format!("unix://{}/gobgp.sock", dir.display()));
            c.args(["--pprof-disable", "-p", "-l", "warn"]);
            c
        }
        Kind::Openbgpd => {
            let conf = write("bgpd.conf", openbgpd_conf(dir, nbs, v6))?;
            std::fs::create_dir_all("/run/openbgpd").map_err(|e| e.to_string())?;
            let check = Command::new("bgpd")
                .arg("-n")
                .arg("-f")
                .arg(&conf)
                .output()
                .map_err(|e| e.to_string())?;
            if !check.status.success() {
                return Err(format!(
                    "bgpd -n: {}",
                    String::from_utf8_lossy(&check.stderr)
                ));
            }
            let mut c = cmd_in_cpus(cpus, "bgpd");
            c.arg("-d").arg("-f").arg(conf);
            c
        }
    };
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("{}: {e}", kind.name()))?;
    let mut running = Running {
        child: Some(child),
        helper,
        dir: dir.to_path_buf(),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !listening() {
        if let Some(Ok(Some(st))) = running.child.as_mut().map(Child::try_wait) {
            return Err(format!(
                "{} exited at start ({st}); see {}",
                kind.name(),
                dir.display()
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} does not listen on {ADDR}:{PORT}; see {}",
                kind.name(),
                dir.display()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(running)
}

impl Running {
    /// The daemon's PID.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The PID and every descendant (OpenBGPD's session engine, RDE and
    /// routing processes).
    pub fn pids(&self) -> Vec<u32> {
        let Some(root) = self.pid() else {
            return Vec::new();
        };
        let mut out = vec![root];
        out.extend(self.helper.as_ref().map(Child::id));
        let mut parents: Vec<(u32, u32)> = Vec::new();
        if let Ok(rd) = std::fs::read_dir("/proc") {
            for e in rd.flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                    continue;
                };
                if let Some(pp) = crate::procstat::ppid(pid) {
                    parents.push((pid, pp));
                }
            }
        }
        let mut i = 0;
        while i < out.len() {
            let p = out[i];
            out.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
            i += 1;
        }
        out
    }

    /// Whether it still runs.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// Stops it: SIGTERM, then SIGKILL after five seconds, and any
    /// descendant left.
    pub fn stop(&mut self) {
        let family = self.pids();
        let Some(mut child) = self.child.take() else {
            return;
        };
        crate::procstat::signal(child.id(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if let Ok(None) = child.try_wait() {
            let _ = child.kill();
            let _ = child.wait();
        }
        for p in family.into_iter().skip(1) {
            if crate::procstat::ppid(p).is_some() {
                crate::procstat::signal(p, "KILL");
            }
        }
        if let Some(mut h) = self.helper.take() {
            crate::procstat::signal(h.id(), "TERM");
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = h.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = h.kill();
            let _ = h.wait();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}
