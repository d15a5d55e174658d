//! The reference daemons from Debian (BIRD 2, FRR bgpd, GoBGP, OpenBGPD):
//! starting them in a test's temp directory (killed by PID on drop) and
//! asking their CLIs.

use super::{installed, run, spawn, wait, Netns, Proc};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// BIRD 2 from Debian, if installed (`.ci/run` installs it).
pub fn bird(dir: &Path, conf: &str) -> Option<Proc> {
    bird_in(None, dir, conf)
}

/// The same, inside a namespace when one is given.
pub fn bird_in(ns: Option<&Netns>, dir: &Path, conf: &str) -> Option<Proc> {
    if !installed("bird") {
        return None;
    }
    std::fs::write(dir.join("bird.conf"), conf).unwrap();
    let mut cmd = match ns {
        Some(n) => n.cmd("bird"),
        None => Command::new("bird"),
    };
    let child = cmd
        .arg("-f")
        .arg("-c")
        .arg(dir.join("bird.conf"))
        .arg("-s")
        .arg(dir.join("bird.ctl"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let p = Proc {
        child,
        dir: dir.to_path_buf(),
    };
    wait(
        Duration::from_secs(10),
        || p.dir.join("bird.ctl").exists(),
        String::new,
    );
    Some(p)
}

pub fn birdc(dir: &Path, cmd: &str) -> String {
    let out = Command::new("birdc")
        .arg("-s")
        .arg(dir.join("bird.ctl"))
        .args(cmd.split(' '))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A BIRD instance on `ip` (AS `asn`) peering with peerd at `peerd_ip`, with
/// extra lines in its BGP protocol and statics of its own.
pub fn bird_conf(
    dir: &Path,
    ip: &str,
    asn: u32,
    peerd_ip: &str,
    proto_extra: &str,
    statics: &str,
) -> String {
    format!(
        r#"log "{d}/bird.log" all;
router id {ip};
protocol device {{ }}
ipv4 table igp4;
protocol static nh_resolve {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via "lo"; }}
protocol static orig4 {{
    ipv4;
{statics}
}}
protocol bgp peerd {{
    local {ip} port 1179 as {asn};
    neighbor {peerd_ip} port 1179 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    connect retry time 2;
    error wait time 1, 5;
{proto_extra}
    ipv4 {{ igp table igp4; import all; export all; next hop address 198.18.0.13; }};
}}
"#,
        d = dir.display()
    )
}

/// One FRR bgpd on `frr_ip` (AS 64510) with a neighbour per peerd address,
/// each with its own extra lines, announcing two IPv4 prefixes.
pub fn frr_multi(dir: &Path, frr_ip: &str, neighbors: &[(&str, &str)]) -> Option<Proc> {
    frr_as(dir, frr_ip, 64510, neighbors)
}

/// The same in AS `asn`. In AS 64500 it is an iBGP neighbour of peerd and
/// its routes leave with next hop 198.18.0.10 (iBGP keeps next hops, and
/// the receivers resolve 198.18.0.0/15 only).
pub fn frr_as(dir: &Path, frr_ip: &str, asn: u32, neighbors: &[(&str, &str)]) -> Option<Proc> {
    let bgpd = "/usr/lib/frr/bgpd";
    if !installed(bgpd) {
        return None;
    }
    let set_nh = if asn == 64500 {
        " set ip next-hop 198.18.0.10\n"
    } else {
        ""
    };
    let mut conf = format!(
        "frr defaults traditional\nhostname frrsafety\nlog file {d}/bgpd.log informational\n!\n\
         route-map ALLOW permit 10\n{set_nh}exit\n!\nrouter bgp {asn}\n bgp router-id 192.0.2.10\n \
         bgp log-neighbor-changes\n no bgp ebgp-requires-policy\n no bgp network import-check\n",
        d = dir.display()
    );
    for (ip, extra) in neighbors {
        conf.push_str(&format!(
            " neighbor {ip} remote-as 64500\n neighbor {ip} update-source {frr_ip}\n \
             neighbor {ip} port 1179\n neighbor {ip} disable-connected-check\n \
             neighbor {ip} timers connect 2\n neighbor {ip} timers 3 9\n{extra}"
        ));
    }
    conf.push_str(
        " address-family ipv4 unicast\n  network 198.18.80.0/24\n  network 198.18.81.0/24\n",
    );
    for (ip, _) in neighbors {
        conf.push_str(&format!(
            "  neighbor {ip} route-map ALLOW in\n  neighbor {ip} route-map ALLOW out\n"
        ));
    }
    conf.push_str(" exit-address-family\nexit\n");
    std::fs::write(dir.join("bgpd.conf"), conf).unwrap();
    let mut cmd = Command::new(bgpd);
    cmd.arg("-f")
        .arg(dir.join("bgpd.conf"))
        .args(["-Z", "-S", "-l", frr_ip, "-p", "1179", "-P", "0"])
        .arg("--vty_socket")
        .arg(dir)
        .arg("-i")
        .arg(dir.join("bgpd.pid"));
    Some(spawn(dir, "frr", &mut cmd))
}

/// FRR's bgpd with the configuration `conf`, listening on `ip`, inside a
/// namespace when one is given (port 179 there, 1179 outside).
pub fn frr_in(ns: Option<&Netns>, dir: &Path, ip: &str, conf: &str) -> Option<Proc> {
    let bgpd = "/usr/lib/frr/bgpd";
    if !installed(bgpd) {
        return None;
    }
    std::fs::write(dir.join("bgpd.conf"), conf).unwrap();
    let mut cmd = match ns {
        Some(n) => n.cmd(bgpd),
        None => Command::new(bgpd),
    };
    let port = if ns.is_some() { "179" } else { "1179" };
    cmd.arg("-f")
        .arg(dir.join("bgpd.conf"))
        .args(["-Z", "-S", "-l", ip, "-p", port, "-P", "0"])
        .arg("--vty_socket")
        .arg(dir)
        .arg("-i")
        .arg(dir.join("bgpd.pid"));
    Some(spawn(dir, "frr", &mut cmd))
}

pub fn vtysh(dir: &Path, commands: &[&str]) -> String {
    let mut cmd = Command::new("vtysh");
    cmd.arg("--vty_socket").arg(dir);
    for c in commands {
        cmd.arg("-c").arg(c);
    }
    run(&mut cmd)
}

pub fn file(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A GoBGP daemon (`gobgpd`) from Debian, inside `ns` when one is given,
/// configured from `conf` (its TOML) in `dir`, with its API on a Unix
/// socket there; killed by PID on drop.
pub struct GoBgp {
    pub proc: Proc,
    api: String,
}

impl GoBgp {
    /// Starts it and waits until its API answers with its AS number.
    pub fn start(ns: Option<&Netns>, dir: &Path, conf: &str, asn: u32) -> GoBgp {
        std::fs::write(dir.join("gobgpd.toml"), conf).unwrap();
        let api = format!("unix://{}/gobgp.sock", dir.display());
        let mut cmd = match ns {
            Some(n) => n.cmd("gobgpd"),
            None => Command::new("gobgpd"),
        };
        cmd.arg("-f").arg(dir.join("gobgpd.toml")).args([
            "--api-hosts",
            &api,
            "--pprof-disable",
            "-p",
            "-l",
            "info",
        ]);
        let g = GoBgp {
            proc: spawn(dir, "gobgpd", &mut cmd),
            api,
        };
        wait(
            Duration::from_secs(10),
            || g.cli(&["global"]).contains(&asn.to_string()),
            || g.cli(&["global"]),
        );
        g
    }

    /// Runs its CLI, `gobgp ARGS`, against it.
    pub fn cli(&self, args: &[&str]) -> String {
        run(Command::new("gobgp")
            .args(["--target", &self.api])
            .args(args))
    }
}

/// An OpenBGPD daemon (`bgpd`) from Debian, inside `ns` when one is given,
/// configured from `conf` in `dir` (which must name `DIR/bgpd.sock` as its
/// control socket); the configuration is checked with `bgpd -n` first.
pub struct OpenBgpd {
    pub proc: Proc,
    sock: PathBuf,
}

impl OpenBgpd {
    /// Checks the configuration, starts it and waits for its control socket.
    pub fn start(ns: Option<&Netns>, dir: &Path, conf: &str) -> OpenBgpd {
        std::fs::create_dir_all("/run/openbgpd").ok();
        let file = dir.join("bgpd.conf");
        std::fs::write(&file, conf).unwrap();
        let check = run(Command::new("bgpd").arg("-n").arg("-f").arg(&file));
        assert!(check.contains("configuration OK"), "{check}");
        let mut cmd = match ns {
            Some(n) => n.cmd("bgpd"),
            None => Command::new("bgpd"),
        };
        cmd.arg("-d").arg("-f").arg(&file).stdin(Stdio::null());
        let o = OpenBgpd {
            proc: spawn(dir, "bgpd", &mut cmd),
            sock: dir.join("bgpd.sock"),
        };
        wait(Duration::from_secs(10), || o.sock.exists(), String::new);
        o
    }

    /// Runs its CLI, `bgpctl ARGS`, against it.
    pub fn ctl(&self, args: &[&str]) -> String {
        run(Command::new("bgpctl").arg("-s").arg(&self.sock).args(args))
    }
}

/// GoBGP's configuration: AS 64520 on `me`, port 1179, one neighbour per
/// `(address, TCP-MD5 password or "")` in AS 64500 (peerd), multihop 2,
/// hold time 9; IPv4 and IPv6 unicast when `both_families`, else GoBGP's
/// default for the address.
pub fn gobgp_conf(me: &str, neighbors: &[(&str, &str)], both_families: bool) -> String {
    let mut c = format!(
        "[global.config]\n  as = 64520\n  router-id = \"192.0.2.20\"\n  port = 1179\n  \
         local-address-list = [\"{me}\"]\n"
    );
    for (ip, password) in neighbors {
        c.push_str(&format!(
            "\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = \"{ip}\"\n    \
             peer-as = 64500\n    auth-password = \"{password}\"\n  \
             [neighbors.transport.config]\n    local-address = \"{me}\"\n    \
             remote-port = 1179\n  [neighbors.timers.config]\n    connect-retry = 2\n    \
             hold-time = 9\n    keepalive-interval = 3\n  [neighbors.ebgp-multihop.config]\n    \
             enabled = true\n    multihop-ttl = 2\n"
        ));
        if both_families {
            for f in ["ipv4-unicast", "ipv6-unicast"] {
                c.push_str(&format!(
                    "  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      \
                     afi-safi-name = \"{f}\"\n"
                ));
            }
        }
    }
    c
}
