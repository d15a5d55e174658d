//! `peerd lab`: direct and carrier peering rebuilt in network namespaces,
//! one routing daemon per router, packets sent across, and what happened
//! reported next to the kernel's decision and the BGP state behind it.
//!
//! ```text
//! peerd lab direct  [--peer-edge peerd|bird] [--failover] [--restart] [--hold]
//! peerd lab carrier [--static] [--peer-edge peerd|bird] [--hold]
//! ```
//!
//! Every check prints `ok    lab NAME: ...` or `FAIL  lab NAME: ...`; the
//! run ends with `lab NAME: N passed, M failed` and exits 1 when anything
//! failed. Namespaces and processes go at the end, on a failure and on
//! Ctrl-C. The scenarios are in `topology.rs`.

mod daemons;
mod net;
mod probe;
mod run;
mod topology;

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

const USAGE: &str =
    "usage: peerd lab direct [--peer-edge peerd|bird] [--failover] [--restart] [--hold]
       peerd lab carrier [--static] [--peer-edge peerd|bird] [--hold]";

/// Set by SIGINT or SIGTERM: every wait of the lab returns early, and the
/// lab cleans up.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// What ends a lab before its checks are done.
#[derive(Debug)]
pub enum LabError {
    /// Building the network failed.
    Net(net::NetError),
    /// A daemon or helper could not be started.
    Start(String, std::io::Error),
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

impl std::fmt::Display for LabError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabError::Net(e) => write!(f, "building the network: {e}"),
            LabError::Start(what, e) => write!(f, "starting {what}: {e}"),
            LabError::Interrupted => f.write_str("interrupted; cleaned up"),
        }
    }
}

impl From<net::NetError> for LabError {
    fn from(e: net::NetError) -> Self {
        LabError::Net(e)
    }
}

/// How a lab runs.
pub struct Options {
    pub scenario: topology::Scenario,
    pub peer_edge: daemons::Kind,
    pub failover: bool,
    pub restart: bool,
    pub hold: bool,
}

/// `peerd lab ...` (args after `lab`).
pub fn main(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("echo") => {
            return match probe::echo() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("peerd lab echo: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Some("probe") => {
            let dst = args.get(1).and_then(|a| a.parse().ok());
            let n = args.get(2).and_then(|a| a.parse().ok());
            let (Some(dst), Some(n)) = (dst, n) else {
                eprintln!("usage: peerd lab probe ADDRESS COUNT");
                return ExitCode::from(2);
            };
            return match probe::probe(dst, n) {
                Ok(a) => {
                    println!("answered {a}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("peerd lab probe: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    let Some(opts) = options(args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    if let Some(why) = cannot_run(&opts) {
        eprintln!("{why}");
        return ExitCode::from(2);
    }
    watch_signals();
    match run::run(&opts) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("peerd lab {}: {e}", opts.scenario.name());
            ExitCode::FAILURE
        }
    }
}

fn options(args: &[String]) -> Option<Options> {
    let mut scenario = match args.first()?.as_str() {
        "direct" => topology::Scenario::Direct,
        "carrier" => topology::Scenario::Carrier { statics: false },
        _ => return None,
    };
    let mut o = Options {
        scenario,
        peer_edge: daemons::Kind::Peerd,
        failover: false,
        restart: false,
        hold: false,
    };
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--static" if scenario != topology::Scenario::Direct => {
                scenario = topology::Scenario::Carrier { statics: true }
            }
            "--peer-edge" => {
                o.peer_edge = match it.next()?.as_str() {
                    "peerd" => daemons::Kind::Peerd,
                    "bird" => daemons::Kind::Bird,
                    _ => return None,
                }
            }
            "--failover" if scenario == topology::Scenario::Direct => o.failover = true,
            "--restart" if scenario == topology::Scenario::Direct => o.restart = true,
            "--hold" => o.hold = true,
            _ => return None,
        }
    }
    o.scenario = scenario;
    Some(o)
}

/// Why the lab cannot run here, in words that say what to do.
fn cannot_run(o: &Options) -> Option<String> {
    let euid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(str::to_string))
        });
    if euid.as_deref() != Some("0") {
        let me = std::env::current_exe()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "peerd".into());
        let args: Vec<String> = std::env::args().skip(1).collect();
        return Some(format!(
            "peerd lab builds network namespaces, veth links and kernel routes, which needs root \
             (CAP_SYS_ADMIN and CAP_NET_ADMIN). Nothing was changed. Run it as root:\n\n    sudo {me} {}\n",
            args.join(" ")
        ));
    }
    let has = |prog: &str, arg: &str| {
        std::process::Command::new(prog)
            .arg(arg)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    };
    if !has("ip", "-V") {
        return Some("peerd lab needs iproute2's `ip` (Debian: apt install iproute2)".into());
    }
    if o.peer_edge == daemons::Kind::Bird && !(has("bird", "--version") && has("birdc", "-h")) {
        return Some(
            "--peer-edge bird needs BIRD 2's `bird` and `birdc` (Debian: apt install bird2)".into(),
        );
    }
    None
}

/// SIGINT and SIGTERM set `INTERRUPTED` (the handlers are in place before
/// the first namespace is made).
fn watch_signals() {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let streams = {
        let _g = rt.enter();
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    let (Ok(mut int), Ok(mut term)) = streams else {
        return;
    };
    std::thread::spawn(move || {
        rt.block_on(async {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        });
        INTERRUPTED.store(true, Ordering::SeqCst);
    });
}

/// Sleeps, unless interrupted.
fn pause(d: std::time::Duration) -> Result<(), LabError> {
    let end = std::time::Instant::now() + d;
    while std::time::Instant::now() < end {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(LabError::Interrupted);
        }
        std::thread::sleep(std::time::Duration::from_millis(50).min(d));
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(LabError::Interrupted);
    }
    Ok(())
}
