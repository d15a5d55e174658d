//! `peerctl mrt`: read MRT files and print them.

mod bgpdump;
mod json;
mod sample;
mod stats;
mod text;

use peerd_mrt::{MrtError, Record};
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// Output mode.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Bgpdump,
    Json,
    Stats,
}

/// Something that consumes records in order.
trait Sink {
    fn record(&mut self, rec: &Record, out: &mut dyn Write) -> io::Result<()>;
    fn error(&mut self, _err: &MrtError) {}
    fn finish(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
}

/// Why the BGP message inside a record did not decode, if it did not. The
/// record is still shown as far as it could be read; the warning makes sure
/// nothing is dropped silently.
fn malformed_message(rec: &Record) -> Option<String> {
    use peerd_mrt::{Body, LegacyPayload};
    use peerd_wire::Message;
    let update = match &rec.body {
        Body::Bgp4mpMessage(m) => match &m.message {
            Err(e) => return Some(e.to_string()),
            Ok(Message::Update(u)) => u,
            Ok(_) => return None,
        },
        Body::LegacyBgp(b) => match &b.payload {
            LegacyPayload::Update { update: Err(e), .. } => return Some(e.to_string()),
            LegacyPayload::Update { update: Ok(u), .. } => u,
            _ => return None,
        },
        _ => return None,
    };
    if update.errors.is_empty() {
        return None;
    }
    let parts: Vec<String> = update
        .errors
        .iter()
        .map(|e| format!("attribute {}: {} ({:?})", e.type_code, e.error, e.action))
        .collect();
    Some(parts.join("; "))
}

pub fn run(args: &[String]) -> ExitCode {
    let mut mode = Mode::Bgpdump;
    let mut files = Vec::new();
    let mut sample_out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => mode = Mode::Json,
            "--stats" => mode = Mode::Stats,
            "--write-sample" => match it.next() {
                Some(f) => sample_out = Some(f.clone()),
                None => {
                    eprintln!("peerctl mrt: --write-sample needs a file name");
                    return ExitCode::from(2);
                }
            },
            s if s.starts_with('-') && s.len() > 1 => {
                eprintln!("peerctl mrt: unknown option {s}");
                return ExitCode::from(2);
            }
            _ => files.push(a.clone()),
        }
    }
    if let Some(path) = sample_out {
        return match sample::write(&path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("peerctl mrt: {path}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if files.is_empty() {
        eprintln!("peerctl mrt: no input files (try --help)");
        return ExitCode::from(2);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut failed = false;
    let mut sink: Box<dyn Sink> = match mode {
        Mode::Bgpdump => Box::new(bgpdump::Bgpdump::default()),
        Mode::Json => Box::new(json::Json::default()),
        Mode::Stats => Box::new(stats::Stats::default()),
    };
    for f in &files {
        let reader = match peerd_mrt::open(f) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("peerctl mrt: {f}: {e}");
                failed = true;
                continue;
            }
        };
        let mut reader = reader;
        loop {
            let offset = reader.offset();
            let Some(rec) = reader.next() else { break };
            let res = match rec {
                Ok(r) => {
                    if let Some(why) = malformed_message(&r) {
                        eprintln!(
                            "peerctl mrt: {f}: at byte {offset}: malformed BGP message: {why}"
                        );
                    }
                    sink.record(&r, &mut out)
                }
                Err(e) => {
                    eprintln!("peerctl mrt: {f}: {e}");
                    sink.error(&e);
                    failed = true;
                    Ok(())
                }
            };
            if let Err(e) = res {
                if e.kind() == io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
                eprintln!("peerctl mrt: write error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(e) = sink.finish(&mut out).and_then(|_| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("peerctl mrt: write error: {e}");
            return ExitCode::FAILURE;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
