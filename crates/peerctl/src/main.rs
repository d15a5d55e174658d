//! `peerctl`: the command-line client of peerd.
//!
//! Daemon commands are requests of peerd's management API (docs/api.md)
//! over its control socket (`--socket PATH`, or `$PEERD_SOCKET`, default
//! `/run/peerd.sock`), answered as tables or JSON; `peerctl mrt` reads MRT
//! files.

mod client;
mod commands;
mod completions;
mod mrt;
mod render;

use std::process::ExitCode;

const USAGE: &str = "\
usage: peerctl [--socket PATH] COMMAND [--json]

  summary                       the router at a glance
  neighbors [--watch[=SECS]]    every neighbor: state, for how long, routes received,
                                sent and filtered, last error (--watch: again every SECS, 2)
  neighbor NAME                 one neighbor in full (NAME: its name or address)
  neighbor NAME disable [--message TEXT]
                                administrative shutdown; TEXT is shown to the neighbor (RFC 9003)
  neighbor NAME enable          start its session again
  neighbor NAME reset [--message TEXT]
                                end the session (Cease / Administrative Reset; a Hard Reset
                                where both sides set the N bit) and start it again
  neighbor NAME soft-reset [--in|--out]
                                routes again without a reset: --in theirs through the
                                import policy (kept routes, or route refresh), --out ours
                                sent again; both without either
  neighbor NAME refresh         ask it for its routes again (route refresh)
  routes                        the best route of every prefix (* marks the best)
  routes --neighbor NAME [--received|--advertised]
                                the routes a neighbor sent, after its import policy
                                (--received: as they came; needs keep-received = true;
                                --advertised: what we send it, attributes as sent)
  routes [PREFIX] [--neighbor NAME] [--community C] [--as-path RE] [--origin-as AS]
                                the routes (of the table, or a neighbor's) of PREFIX and
                                its more-specifics with a community matching C (64500:*),
                                an AS path matching RE (_174_, ^15169$), originated by AS
  routes PREFIX --more-specifics   the table's routes of PREFIX and its more-specifics
  routes PREFIX|ADDRESS         every candidate for PREFIX, or for the longest prefix
                                holding ADDRESS: the best first, the others with the
                                decision step each lost at
  route get ADDRESS             where traffic to ADDRESS goes now, and why: the route peerd
                                chose, and the link the kernel sends the packets out of
  fib                           the kernel table peerd programs: routes installed, refused,
                                queued, batch times
  config                        the configuration in force, normalised (as peerd check)
  announcements                 the prefixes we originate: from the file, or at run time
  announce PREFIX [--community C,...] [--large-community L,...]
                                announce PREFIX now, until peerd restarts (not written to
                                the file; shown as runtime)
  withdraw PREFIX               withdraw a prefix announced at run time
  reload [--dry-run]            read the configuration file again and apply only what
                                changed (--dry-run: say what would happen, change nothing)
  mrt [--json | --stats] FILE...   print MRT records one line per prefix, as `bgpdump -m`
                                does (--json: one object per line; --stats: counts)
  mrt --write-sample FILE       write a small MRT file (TABLE_DUMP_V2 and BGP4MP)
  completions bash|zsh|fish     a completion script to source (neighbor names come
                                from the running daemon)

  --json     the API's JSON (route lists: one route per line) instead of tables
  --page N   routes per request when walking a table (default 1000)

Older spellings still work: rib, route PREFIX, stop NAME [MESSAGE], start NAME,
refresh NAME. The socket is --socket PATH, else $PEERD_SOCKET, else /run/peerd.sock.
Exit status: 0 done, 1 peerd refused (its message is printed), 2 usage, 3 peerd
unreachable. Colour only on a terminal, and never with NO_COLOR set.
MRT files may be plain, gzip or bzip2 compressed.";

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
        Some("completions") => completions::run(&args[1..]),
        Some(
            "summary" | "neighbors" | "neighbor" | "routes" | "rib" | "route" | "reload" | "stop"
            | "start" | "refresh" | "announcements" | "announce" | "withdraw" | "fib" | "config",
        ) => commands::run(&socket, &args),
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
