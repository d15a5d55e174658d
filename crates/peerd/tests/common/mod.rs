//! Helpers for the daemon tests: processes killed on drop, waiting, configs.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod daemons;
mod fake;
#[allow(unused_imports)] // not every test file starts a daemon
pub use daemons::*;
#[allow(unused_imports)] // nor talks BGP itself
pub use fake::*;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Proc {
    pub child: Child,
    pub dir: PathBuf,
}

impl Drop for Proc {
    /// SIGTERM by PID (daemons such as OpenBGPD then stop their own
    /// children), SIGKILL if it has not exited within two seconds.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(2) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("peerd-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub use peerd_testkit::Netns;

pub fn peerd(name: &str, config: &str) -> Proc {
    peerd_in(None, name, config)
}

/// peerd, inside a namespace when one is given.
pub fn peerd_in(ns: Option<&Netns>, name: &str, config: &str) -> Proc {
    let dir = tempdir(name);
    std::fs::write(dir.join("peerd.toml"), config).unwrap();
    let log = std::fs::File::create(dir.join("peerd.log")).unwrap();
    let mut cmd = match ns {
        Some(n) => n.cmd(env!("CARGO_BIN_EXE_peerd")),
        None => Command::new(env!("CARGO_BIN_EXE_peerd")),
    };
    let child = cmd
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
    /// The tests' shorthand for the management API on the control socket:
    /// `neighbors`, `routes NAME [received]`, `rib`, `route PREFIX|ADDRESS`
    /// answer one JSON object per line (a neighbor, a route, as the API
    /// gives them); `stop NAME [MESSAGE...]`, `start NAME`, `refresh NAME`
    /// answer `ok`; `reload [dry-run]` the plan after `reloaded:` or `dry
    /// run, nothing changed:`; an error `error: ` and the API's message. A
    /// trailing `json` is accepted and changes nothing. Empty while the
    /// socket does not answer.
    pub fn ctl(&self, cmd: &str) -> String {
        use serde_json::Value;
        let sock = self.dir.join("peerd.sock");
        let words: Vec<&str> = cmd.split_whitespace().filter(|w| *w != "json").collect();
        let get = |target: &str| try_http(&sock, "GET", target, "");
        let lines = |v: &[Value]| -> String { v.iter().map(|x| format!("{x}\n")).collect() };
        let error =
            |v: &Value| format!("error: {}\n", v["error"]["message"].as_str().unwrap_or("?"));
        // Every page of a route list.
        let pages = |target: &str| -> Result<String, String> {
            let mut out = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let sep = if target.contains('?') { '&' } else { '?' };
                let t = match &after {
                    Some(a) => format!("{target}{sep}after={a}"),
                    None => target.to_string(),
                };
                let (status, v) = get(&t).ok_or_else(String::new)?;
                if status != 200 {
                    return Err(error(&v));
                }
                out.extend(v["routes"].as_array().cloned().unwrap_or_default());
                match v["next"].as_str() {
                    Some(n) => after = Some(n.to_string()),
                    None => return Ok(lines(&out)),
                }
            }
        };
        let act = |target: &str, body: &str| match try_http(&sock, "POST", target, body) {
            Some((200, _)) => "ok\n".to_string(),
            Some((_, v)) => error(&v),
            None => String::new(),
        };
        match words.as_slice() {
            ["neighbors", ..] => match get("/v1/neighbors") {
                Some((200, v)) => lines(v.as_array().map_or(&[][..], |a| &a[..])),
                Some((_, v)) => error(&v),
                None => String::new(),
            },
            ["routes", name, "received", ..] => {
                pages(&format!("/v1/neighbors/{name}/routes?received=true")).unwrap_or_else(|e| e)
            }
            ["routes", name, ..] => {
                pages(&format!("/v1/neighbors/{name}/routes")).unwrap_or_else(|e| e)
            }
            ["rib", ..] => pages("/v1/rib").unwrap_or_else(|e| e),
            ["route", what, ..] => {
                let target = if what.contains('/') {
                    format!("/v1/rib/{what}")
                } else {
                    format!("/v1/lookup/{what}")
                };
                match get(&target) {
                    Some((200, v)) => lines(v["routes"].as_array().map_or(&[][..], |a| &a[..])),
                    Some((404, _)) if !cmd.ends_with("json") => format!("no route for {what}\n"),
                    Some((404, _)) => String::new(),
                    Some((_, v)) => error(&v),
                    None => String::new(),
                }
            }
            ["stop", name, rest @ ..] => {
                let body = serde_json::json!({ "message": rest.join(" ") }).to_string();
                let body = if rest.is_empty() { String::new() } else { body };
                act(&format!("/v1/neighbors/{name}/disable"), &body)
            }
            ["start", name] => act(&format!("/v1/neighbors/{name}/enable"), ""),
            ["refresh", name] => act(&format!("/v1/neighbors/{name}/refresh"), ""),
            ["reload", rest @ ..] => {
                let dry = rest.first() == Some(&"dry-run");
                let target = if dry {
                    "/v1/reload?dry-run=true"
                } else {
                    "/v1/reload"
                };
                match try_http(&sock, "POST", target, "") {
                    Some((200, v)) => {
                        let plan: String = v["plan"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|l| format!("{}\n", l.as_str().unwrap_or("")))
                            .collect();
                        if dry {
                            format!("dry run, nothing changed:\n{plan}")
                        } else {
                            format!("reloaded:\n{plan}")
                        }
                    }
                    Some((_, v)) => error(&v),
                    None => String::new(),
                }
            }
            _ => panic!("no such shorthand: {cmd}"),
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("peerd.log")).unwrap_or_default()
    }
}

/// One request to the API on the Unix socket `sock`; the status and the
/// JSON body.
pub fn http(sock: &Path, method: &str, target: &str, body: &str) -> (u16, serde_json::Value) {
    try_http(sock, method, target, body)
        .unwrap_or_else(|| panic!("no answer from {} to {method} {target}", sock.display()))
}

/// `peerctl` (built beside peerd) against the daemon: stdout, stderr and
/// the exit status.
pub fn peerctl(sock: &Path, args: &[&str]) -> Option<(String, String, i32)> {
    let bin = Path::new(env!("CARGO_BIN_EXE_peerd")).with_file_name("peerctl");
    if !bin.exists() {
        eprintln!(
            "SKIP: {} is not built (cargo build -p peerctl)",
            bin.display()
        );
        return None;
    }
    let out = std::process::Command::new(bin)
        .arg("--socket")
        .arg(sock)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Some((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    ))
}

/// One request to the API, or `None` while the socket does not answer
/// (the daemon is not up yet, or gone).
pub fn try_http(
    sock: &Path,
    method: &str,
    target: &str,
    body: &str,
) -> Option<(u16, serde_json::Value)> {
    let raw = format!(
        "{method} {target} HTTP/1.1\r\nHost: peerd\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut s = UnixStream::connect(sock).ok()?;
    s.write_all(raw.as_bytes()).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let (status, body) = peerd_api::http::parse_response(&out).ok()?;
    Some((
        status,
        serde_json::from_slice(body).unwrap_or(serde_json::Value::Null),
    ))
}

/// Raw bytes to the API on `sock`; the status and the body.
pub fn send(sock: &Path, raw: &[u8]) -> (u16, Vec<u8>) {
    let mut s = UnixStream::connect(sock).unwrap();
    s.write_all(raw).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let (status, body) = peerd_api::http::parse_response(&out).unwrap();
    (status, body.to_vec())
}

pub fn wait(limit: Duration, mut ok: impl FnMut() -> bool, why: impl Fn() -> String) {
    let t = Instant::now();
    while t.elapsed() < limit {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out after {limit:?}:\n{}", why());
}

pub fn established(p: &Proc, name: &str) -> bool {
    p.ctl("neighbors json")
        .lines()
        .any(|l| l.contains(&format!("\"name\":\"{name}\"")) && l.contains("\"Established\""))
}

/// A minimal configuration: `me` peers with `other` on port 1179.
pub fn config(
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

/// Runs a command in `dir`'s daemon CLI and returns its output.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Whether a program is installed.
pub fn installed(prog: &str) -> bool {
    let ok = Command::new(prog)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
        || Path::new(prog).exists();
    if !ok {
        eprintln!("SKIP: {prog} is not installed (.ci/run installs it)");
    }
    ok
}

/// Starts a reference daemon with its output in `dir`/NAME.log.
pub fn spawn(dir: &Path, name: &str, cmd: &mut Command) -> Proc {
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    let child = cmd
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Proc {
        child,
        dir: dir.to_path_buf(),
    }
}
