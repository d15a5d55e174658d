//! The lab's processes: one routing daemon per router (peerd, or BIRD where
//! asked) and an echo responder per host, each started inside its namespace
//! with a directory of its own, and stopped by PID when dropped.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which routing daemon runs a router.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Peerd,
    Bird,
}

/// A process of the lab.
pub struct Proc {
    pub child: Child,
    pub dir: PathBuf,
    pub kind: Kind,
}

impl Proc {
    /// peerd with `config` inside namespace `ns`, its control socket in
    /// `dir`.
    pub fn peerd(ns: &str, dir: &Path, config: &str) -> std::io::Result<Proc> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("peerd.toml"), config)?;
        let log = std::fs::File::create(dir.join("peerd.log"))?;
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(std::env::current_exe()?)
            .arg("--config")
            .arg(dir.join("peerd.toml"))
            .arg("--socket")
            .arg(dir.join("peerd.sock"))
            // A group of its own: Ctrl-C in the terminal reaches the lab,
            // which stops its processes in order.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        let mut p = Proc {
            child,
            dir: dir.to_path_buf(),
            kind: Kind::Peerd,
        };
        p.wait_for(&dir.join("peerd.sock"))?;
        Ok(p)
    }

    /// BIRD 2 with `config` inside namespace `ns`.
    pub fn bird(ns: &str, dir: &Path, config: &str) -> std::io::Result<Proc> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("bird.conf"), config)?;
        let child = Command::new("ip")
            .args(["netns", "exec", ns, "bird", "-f", "-c"])
            .arg(dir.join("bird.conf"))
            .arg("-s")
            .arg(dir.join("bird.ctl"))
            // A group of its own: Ctrl-C in the terminal reaches the lab,
            // which stops its processes in order.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("bird.stderr"))?)
            .spawn()?;
        let mut p = Proc {
            child,
            dir: dir.to_path_buf(),
            kind: Kind::Bird,
        };
        p.wait_for(&dir.join("bird.ctl"))?;
        Ok(p)
    }

    /// `peerd lab echo` inside a host's namespace.
    pub fn echo(ns: &str) -> std::io::Result<Proc> {
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(std::env::current_exe()?)
            .args(["lab", "echo"])
            // A group of its own: Ctrl-C in the terminal reaches the lab,
            // which stops its processes in order.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()?;
        Ok(Proc {
            child,
            dir: PathBuf::new(),
            kind: Kind::Peerd,
        })
    }

    /// Waits up to 10 s for the control socket; an exit before is an error
    /// with the daemon's own words.
    fn wait_for(&mut self, sock: &Path) -> std::io::Result<()> {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if sock.exists() {
                return Ok(());
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                return Err(std::io::Error::other(format!(
                    "it exited ({st}): {}",
                    self.log().trim()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(std::io::Error::other(format!(
            "no control socket after 10 s; its log: {}",
            self.log().lines().last().unwrap_or("(empty)")
        )))
    }

    /// What the daemon logged.
    pub fn log(&self) -> String {
        let f = match self.kind {
            Kind::Peerd => "peerd.log",
            Kind::Bird => "bird.stderr",
        };
        std::fs::read_to_string(self.dir.join(f)).unwrap_or_default()
    }

    /// A GET of peerd's management API on its control socket: the JSON
    /// answer of a 200, or why there is none.
    pub fn api(&self, target: &str) -> Result<serde_json::Value, String> {
        let ask = || -> std::io::Result<Vec<u8>> {
            let mut s = UnixStream::connect(self.dir.join("peerd.sock"))?;
            s.set_read_timeout(Some(Duration::from_secs(10)))?;
            write!(s, "GET {target} HTTP/1.1\r\nHost: peerd\r\n\r\n")?;
            let mut out = Vec::new();
            s.read_to_end(&mut out)?;
            Ok(out)
        };
        let raw = ask().map_err(|e| e.to_string())?;
        let (status, body) = peerd_api::http::parse_response(&raw).map_err(|e| format!("{e:?}"))?;
        let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        if status == 200 {
            Ok(v)
        } else {
            Err(v["error"]["message"]
                .as_str()
                .unwrap_or("no answer")
                .to_string())
        }
    }

    /// The list under `key` of an API answer (empty without one).
    pub fn api_list(&self, target: &str, key: Option<&str>) -> Vec<serde_json::Value> {
        let v = self.api(target).unwrap_or_default();
        let list = match key {
            Some(k) => &v[k],
            None => &v,
        };
        list.as_array().cloned().unwrap_or_default()
    }

    /// A command of BIRD's control socket (birdc), and its answer.
    pub fn birdc(&self, cmd: &str) -> String {
        Command::new("birdc")
            .arg("-s")
            .arg(self.dir.join("bird.ctl"))
            .args(cmd.split(' '))
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|e| format!("error: {e}\n"))
    }

    /// SIGTERM (a clean stop) or SIGKILL, by PID; waits up to 5 s.
    pub fn signal(&mut self, sig: &str) {
        let _ = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal("-TERM");
        }
    }
}
