//! `peerd`: the BGP peering router daemon.
//!
//! ```text
//! peerd --config FILE [--socket PATH]   run
//! peerd check FILE                      validate a configuration and print it
//! peerd lab direct|carrier [OPTIONS]    peering rebuilt in network namespaces
//! ```

mod api;
mod api_server;
mod conn;
mod daemon;
mod engine_task;
mod fib_task;
mod lab;
mod log;
mod mrt_dump;
mod mrt_task;
mod nexthop_task;
mod notify;
mod reload;
mod session;
mod sockopt;
mod status;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: peerd --config FILE [--socket PATH]\n       peerd check FILE\n       peerd lab direct [--peer-edge peerd|bird] [--failover] [--restart] [--hold]\n       peerd lab carrier [--static] [--peer-edge peerd|bird] [--hold]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => match args.get(1) {
            Some(f) => check(f),
            None => usage(),
        },
        Some("--config") => {
            let Some(file) = args.get(1) else {
                return usage();
            };
            let socket = match args.get(2).map(String::as_str) {
                Some("--socket") => match args.get(3) {
                    Some(s) => PathBuf::from(s),
                    None => return usage(),
                },
                None => PathBuf::from("/run/peerd.sock"),
                Some(_) => return usage(),
            };
            let cfg = match peerd_config::load(std::path::Path::new(file)) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            let log = log::init(cfg.log);
            for w in &cfg.warnings {
                tracing::warn!("{w}");
            }
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("peerd: cannot start the runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match rt.block_on(daemon::run(cfg, socket, PathBuf::from(file), log)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    tracing::error!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("lab") => lab::main(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// `peerd check`: every error with file:line:column, or the normalised
/// configuration (every setting with its effective value, as TOML that
/// peerd reads back the same), its warnings, and "configuration OK".
fn check(file: &str) -> ExitCode {
    match peerd_config::load(std::path::Path::new(file)) {
        Ok(c) => {
            print!("{}", peerd_config::to_toml(&c));
            for w in &c.warnings {
                println!("# warning: {w}");
            }
            println!("# configuration OK");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
