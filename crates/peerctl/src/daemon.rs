//! Commands to the running daemon over its control socket.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;

/// Sends one command and prints the answer.
pub fn run(socket: &str, args: &[String]) -> ExitCode {
    let json = args.iter().any(|a| a == "--json");
    let mut words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .map(|a| match a {
            "--dry-run" => "dry-run",
            "--received" => "received",
            a => a,
        })
        .collect();
    let needs_name = matches!(
        words.first(),
        Some(&"routes" | &"stop" | &"start" | &"refresh")
    );
    if needs_name && words.len() < 2 {
        eprintln!("peerctl: {} needs a neighbor name or address", words[0]);
        return ExitCode::from(2);
    }
    if words.first() == Some(&"route") && words.len() != 2 {
        eprintln!(
            "peerctl: route needs one prefix or address, such as 203.0.113.0/24 or 203.0.113.7"
        );
        return ExitCode::from(2);
    }
    if json {
        words.push("json");
    }
    let line = words.join(" ");
    let mut s = match UnixStream::connect(socket) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "peerctl: cannot reach peerd at {socket}: {e} (is it running? --socket PATH)"
            );
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = s.write_all(format!("{line}\n").as_bytes()) {
        eprintln!("peerctl: {e}");
        return ExitCode::FAILURE;
    }
    let mut out = String::new();
    if let Err(e) = s.read_to_string(&mut out) {
        eprintln!("peerctl: {e}");
        return ExitCode::FAILURE;
    }
    if let Some(err) = out.strip_prefix("error: ") {
        eprint!("peerctl: {err}");
        return ExitCode::FAILURE;
    }
    print!("{out}");
    ExitCode::SUCCESS
}
