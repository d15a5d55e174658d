//! `peerctl`: the command-line client of peerd.
//!
//! For now it carries the MRT tools (`peerctl mrt`); the daemon commands
//! arrive with the daemon.

mod mrt;

use std::process::ExitCode;

const USAGE: &str = "\
usage: peerctl mrt [--json | --stats] FILE...
       peerctl mrt --write-sample FILE

  mrt FILE...           print MRT records one line per prefix, as `bgpdump -m` does
  mrt --json FILE...    print one JSON object per line with every attribute
  mrt --stats FILE...   count records by type, prefixes by family, and peers
  mrt --write-sample F  write a small MRT file (TABLE_DUMP_V2 and BGP4MP) to F

Files may be plain, gzip or bzip2 compressed.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("mrt") => mrt::run(&args[1..]),
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
