//! `peerctl`: the command-line client of peerd.
//!
//! Daemon commands talk to peerd's control socket (`--socket PATH`, or
//! `$PEERD_SOCKET`, default `/run/peerd.sock`); `peerctl mrt` reads MRT files.

mod daemon;
mod mrt;

use std::process::ExitCode;

const USAGE: &str = "\
usage: peerctl [--socket PATH] neighbors [--json]
       peerctl [--socket PATH] routes NEIGHBOR [--received] [--json]
       peerctl [--socket PATH] rib [--json]
       peerctl [--socket PATH] route PREFIX|ADDRESS [--json]
       peerctl [--socket PATH] reload [--dry-run]
       peerctl [--socket PATH] stop NEIGHBOR [MESSAGE...]
       peerctl [--socket PATH] start NEIGHBOR
       peerctl [--socket PATH] refresh NEIGHBOR
       peerctl mrt [--json | --stats] FILE...
       peerctl mrt --write-sample FILE

  neighbors             every neighbor: state, for how long, routes received and sent, last error
  routes NEIGHBOR       the routes received from a neighbor (* marks the best)
  routes N --received   the same as they came, before the import policy
                        (for a neighbor with keep-received = true)
  rib                   the best route of every prefix
  route PREFIX          every candidate route for PREFIX: the best first, each
                        other one with the decision step it lost at
  route ADDRESS         the same for the longest prefix in the routing table that
                        holds ADDRESS: the route traffic to it takes
  reload                read the configuration file again and apply only what
                        changed: new neighbors start, removed ones stop, a
                        changed policy is re-evaluated without a session reset
  reload --dry-run      say what a reload would do, change nothing
  stop NEIGHBOR [MSG]   administrative shutdown, MSG shown to the neighbor (RFC 9003)
  start NEIGHBOR        start again after a stop
  refresh NEIGHBOR      ask the neighbor to send its routes again (route refresh)

  mrt FILE...           print MRT records one line per prefix, as `bgpdump -m` does
  mrt --json FILE...    print one JSON object per line with every attribute
  mrt --stats FILE...   count records by type, prefixes by family, and peers
  mrt --write-sample F  write a small MRT file (TABLE_DUMP_V2 and BGP4MP) to F

Files may be plain, gzip or bzip2 compressed.";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut socket = std::env::var("PEERD_SOCKET").unwrap_or_else(|_| "/run/peerd.sock".into());
    if args.first().map(String::as_str) == Some("--socket") {
        if args.len() < 2 {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
        socket = args[1].clone();
        args.drain(..2);
    }
    match args.first().map(String::as_str) {
        Some("mrt") => mrt::run(&args[1..]),
        Some(
            "neighbors" | "routes" | "rib" | "route" | "reload" | "stop" | "start" | "refresh",
        ) => daemon::run(&socket, &args),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
