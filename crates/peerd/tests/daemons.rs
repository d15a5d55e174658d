//! Real `peerd` processes on loopback addresses: against each other and
//! against BIRD. Each test uses its own 127.0.N.x addresses and temp dir, and
//! every process it starts is killed by PID when the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Proc {
    child: Child,
    dir: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("peerd-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn peerd(name: &str, config: &str) -> Proc {
    let dir = tempdir(name);
    std::fs::write(dir.join("peerd.toml"), config).unwrap();
    let log = std::fs::File::create(dir.join("peerd.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("--config")
        .arg(dir.join("peerd.toml"))
        .arg("--socket")
        .arg(dir.join("peerd.sock"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let p = Proc { child, dir };
    wait(
        Duration::from_secs(10),
        || p.dir.join("peerd.sock").exists(),
        || p.log(),
    );
    p
}

impl Proc {
    fn ctl(&self, cmd: &str) -> String {
        let Ok(mut s) = UnixStream::connect(self.dir.join("peerd.sock")) else {
            return String::new();
        };
        s.write_all(format!("{cmd}\n").as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("peerd.log")).unwrap_or_default()
    }
}

fn wait(limit: Duration, mut ok: impl FnMut() -> bool, why: impl Fn() -> String) {
    let t = Instant::now();
    while t.elapsed() < limit {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out after {limit:?}:\n{}", why());
}

fn established(p: &Proc, name: &str) -> bool {
    p.ctl("neighbors json")
        .lines()
        .any(|l| l.contains(&format!("\"name\":\"{name}\"")) && l.contains("\"Established\""))
}

/// A minimal configuration: `me` peers with `other` on port 1179.
fn config(
    asn: u32,
    id: &str,
    me: &str,
    other: &str,
    other_as: u32,
    extra_router: &str,
    extra_nb: &str,
) -> String {
    format!(
        r#"[router]
asn = {asn}
router-id = "{id}"
listen = ["{me}"]
port = 1179
{extra_router}

[[neighbor]]
name = "other"
address = "{other}"
port = 1179
local-address = "{me}"
remote-as = {other_as}
hold-time = 9
connect-retry = 1
import = "accept"
export = "accept"
{extra_nb}
"#
    )
}

#[test]
fn two_daemons_come_up_and_exchange_ipv4_and_ipv6_routes() {
    let ann_a =
        "[[announce]]\nprefix = \"203.0.113.0/24\"\n[[announce]]\nprefix = \"2001:db8:100::/40\"";
    let ann_b = "[[announce]]\nprefix = \"198.51.100.0/24\"";
    let fam = "families = [\"ipv4-unicast\", \"ipv6-unicast\"]\nipv6-next-hop = \"2001:db8::11\"";
    let a = peerd(
        "two-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.1.1",
            "127.0.1.2",
            64501,
            ann_a,
            fam,
        ),
    );
    let b = peerd(
        "two-b",
        &config(
            64501,
            "192.0.2.2",
            "127.0.1.2",
            "127.0.1.1",
            64500,
            ann_b,
            fam,
        ),
    );
    wait(
        Duration::from_secs(15),
        || established(&a, "other") && established(&b, "other"),
        || format!("{}\n{}", a.log(), b.log()),
    );
    wait(
        Duration::from_secs(5),
        || b.ctl("routes other").contains("2001:db8:100::/40"),
        || b.ctl("routes other"),
    );
    let from_a = b.ctl("routes other json");
    assert!(
        from_a.contains("\"prefix\":\"203.0.113.0/24\"")
            && from_a.contains("\"as_path\":\"64500\""),
        "{from_a}"
    );
    assert!(
        from_a.contains("\"next_hop\":\"2001:db8::11\""),
        "configured IPv6 next hop: {from_a}"
    );
    let from_b = a.ctl("routes other json");
    assert!(
        from_b.contains("\"prefix\":\"198.51.100.0/24\"")
            && from_b.contains("\"next_hop\":\"127.0.1.2\""),
        "{from_b}"
    );
    // Three hold times (9 s) later both are still up.
    std::thread::sleep(Duration::from_secs(28));
    assert!(
        established(&a, "other") && established(&b, "other"),
        "{}",
        a.ctl("neighbors")
    );
}

#[test]
fn an_administrative_shutdown_shows_its_message_on_the_other_side() {
    let a = peerd(
        "stop-a",
        &config(64500, "192.0.2.1", "127.0.2.1", "127.0.2.2", 64501, "", ""),
    );
    let b = peerd(
        "stop-b",
        &config(64501, "192.0.2.2", "127.0.2.2", "127.0.2.1", 64500, "", ""),
    );
    wait(
        Duration::from_secs(15),
        || established(&a, "other") && established(&b, "other"),
        || a.log(),
    );
    assert_eq!(
        a.ctl("stop other maintenance until 14:00 UTC, ticket 4711"),
        "ok\n"
    );
    wait(
        Duration::from_secs(5),
        || {
            b.ctl("neighbors json")
                .contains("maintenance until 14:00 UTC, ticket 4711")
        },
        || b.ctl("neighbors"),
    );
    assert!(
        b.ctl("neighbors")
            .contains("received NOTIFICATION 6/2 Cease / Administrative Shutdown"),
        "{}",
        b.ctl("neighbors")
    );
    assert_eq!(a.ctl("start other"), "ok\n");
    wait(
        Duration::from_secs(20),
        || established(&a, "other") && established(&b, "other"),
        || b.log(),
    );
}

#[test]
fn tcp_md5_with_matching_keys_comes_up_and_with_wrong_keys_does_not() {
    let a = peerd(
        "md5-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.3.1",
            "127.0.3.2",
            64501,
            "",
            "password = \"s3cret-key\"",
        ),
    );
    let b = peerd(
        "md5-b",
        &config(
            64501,
            "192.0.2.2",
            "127.0.3.2",
            "127.0.3.1",
            64500,
            "",
            "password = \"s3cret-key\"",
        ),
    );
    wait(
        Duration::from_secs(15),
        || established(&a, "other") && established(&b, "other"),
        || format!("{}\n{}", a.log(), b.log()),
    );
    let c = peerd(
        "md5-c",
        &config(
            64500,
            "192.0.2.1",
            "127.0.4.1",
            "127.0.4.2",
            64501,
            "",
            "password = \"right\"",
        ),
    );
    let d = peerd(
        "md5-d",
        &config(
            64501,
            "192.0.2.2",
            "127.0.4.2",
            "127.0.4.1",
            64500,
            "",
            "password = \"wrong\"",
        ),
    );
    std::thread::sleep(Duration::from_secs(6));
    assert!(
        !established(&c, "other") && !established(&d, "other"),
        "{}",
        c.ctl("neighbors")
    );
}

#[test]
fn max_prefix_trips_with_cease_1() {
    let ann = "[[announce]]\nprefix = \"198.51.100.0/26\"\n[[announce]]\nprefix = \"198.51.100.64/26\"\n[[announce]]\nprefix = \"198.51.100.128/26\"";
    let a = peerd(
        "maxp-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.5.1",
            "127.0.5.2",
            64501,
            "",
            "max-prefixes = { ipv4 = 2, action = \"shutdown\" }",
        ),
    );
    let b = peerd(
        "maxp-b",
        &config(64501, "192.0.2.2", "127.0.5.2", "127.0.5.1", 64500, ann, ""),
    );
    wait(
        Duration::from_secs(15),
        || {
            b.ctl("neighbors")
                .contains("received NOTIFICATION 6/1 Cease / Maximum Number of Prefixes Reached")
        },
        || {
            format!(
                "{}\n{}\n{}",
                a.ctl("neighbors"),
                b.ctl("neighbors"),
                a.log()
            )
        },
    );
    assert!(
        a.ctl("neighbors").contains("sent NOTIFICATION 6/1"),
        "{}",
        a.ctl("neighbors")
    );
    std::thread::sleep(Duration::from_secs(3));
    assert!(!established(&a, "other"), "action shutdown keeps it down");
}

#[test]
fn peerd_check_reports_errors_with_file_line_and_column() {
    let dir = tempdir("check");
    let f = dir.join("bad.toml");
    std::fs::write(&f, "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n\n[[neighbor]]\naddress = \"192.0.2.300\"\nremote-as = 1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("check")
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("{}:6:11: neighbor.address", f.display())),
        "{err}"
    );
    std::fs::write(&f, "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("check")
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("configuration OK"));
}

/// BIRD 2 from Debian, if installed (`.ci/run` installs it).
fn bird(dir: &Path, conf: &str) -> Option<Proc> {
    if Command::new("bird").arg("--version").output().is_err() {
        eprintln!("SKIP: bird is not installed");
        return None;
    }
    std::fs::write(dir.join("bird.conf"), conf).unwrap();
    let child = Command::new("bird")
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

fn birdc(dir: &Path, cmd: &str) -> String {
    let out = Command::new("birdc")
        .arg("-s")
        .arg(dir.join("bird.ctl"))
        .args(cmd.split(' '))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bird_and_peerd_exchange_routes_with_communities() {
    let dir = tempdir("bird");
    let conf = format!(
        r#"log "{d}/bird.log" all;
router id 192.0.2.13;
protocol device {{ }}
ipv4 table igp4;
protocol static nh_resolve {{ ipv4 {{ table igp4; }}; route 198.18.0.0/15 via "lo"; }}
protocol static orig4 {{
    ipv4;
    route 198.18.10.0/24 blackhole {{ bgp_community.add((64513, 7)); bgp_large_community.add((64513, 1, 2)); }};
}}
protocol static orig6 {{ ipv6; route 2001:db8:bbbb::/48 blackhole; }}
protocol bgp peerd {{
    local 127.0.6.13 port 1179 as 64513;
    neighbor 127.0.6.1 port 1179 as 64500;
    strict bind yes;
    multihop 2;
    hold time 9;
    ipv4 {{ igp table igp4; import all; export all; next hop address 198.18.0.13; }};
    ipv6 {{ import all; export all; next hop address 2001:db8::13; }};
}}
"#,
        d = dir.display()
    );
    let Some(_bird) = bird(&dir, &conf) else {
        return;
    };
    let ann =
        "[[announce]]\nprefix = \"198.18.20.0/24\"\n[[announce]]\nprefix = \"2001:db8:100::/40\"";
    let nb = "families = [\"ipv4-unicast\", \"ipv6-unicast\"]\nmultihop = 2\nipv6-next-hop = \"2001:db8::1\"";
    let cfg = config(
        64500,
        "192.0.2.1",
        "127.0.6.1",
        "127.0.6.13",
        64513,
        ann,
        nb,
    );
    let a = peerd("bird-peerd", &cfg);
    wait(
        Duration::from_secs(20),
        || established(&a, "other"),
        || format!("{}\n{}", a.log(), birdc(&dir, "show protocols all peerd")),
    );
    wait(
        Duration::from_secs(5),
        || a.ctl("routes other").contains("2001:db8:bbbb::/48"),
        || a.ctl("routes other"),
    );
    let got = a.ctl("routes other json");
    assert!(got.contains("\"prefix\":\"198.18.10.0/24\""), "{got}");
    assert!(
        got.contains("\"communities\":[\"64513:7\"]")
            && got.contains("\"large_communities\":[\"64513:1:2\"]"),
        "{got}"
    );
    assert!(
        got.contains("\"next_hop\":\"198.18.0.13\"") && got.contains("\"as_path\":\"64513\""),
        "{got}"
    );
    wait(
        Duration::from_secs(5),
        || birdc(&dir, "show route all").contains("2001:db8:100::/40"),
        || birdc(&dir, "show route all"),
    );
    let routes = birdc(&dir, "show route all");
    assert!(
        routes.contains("198.18.20.0/24") && routes.contains("BGP.as_path: 64500"),
        "{routes}"
    );
    // Withdraw on BIRD's side: disable its static protocol.
    birdc(&dir, "disable orig4");
    wait(
        Duration::from_secs(5),
        || !a.ctl("routes other").contains("198.18.10.0/24"),
        || a.ctl("routes other"),
    );
    // Still up after several hold times.
    std::thread::sleep(Duration::from_secs(20));
    assert!(established(&a, "other"));
    assert!(birdc(&dir, "show protocols peerd").contains("Established"));
}
