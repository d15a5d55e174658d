//! MRT output (`[mrt]`, RFC 6396): every BGP message peerd receives, as it
//! came, in BGP4MP records — one file per `updates` period,
//! `updates.YYYYMMDD.HHMM` in UTC (gzipped: `.gz`), as route collectors
//! name theirs — readable by bgpdump and `peerctl mrt`.
//!
//! The session tasks hand each message over a bounded queue ([`MrtQueue`])
//! to a thread of its own that writes; a session never waits for the disk:
//! when the queue is full the message is not written, and the writer logs
//! how many were lost that way. A file is flushed every few seconds and
//! finished (its gzip trailer written) when its period ends or peerd
//! stops. A write error is logged once per file and the file given up,
//! never the session.

use peerd_config::Mrt;
use peerd_mrt::{MrtWriter, Session};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A message received, or a change of the session's state, for the file.
pub struct Received {
    /// When it arrived.
    pub at: SystemTime,
    /// The session it came over.
    pub session: Session,
    /// The message, header included (empty for a state change).
    pub raw: Vec<u8>,
    /// A state change instead: old and new state (RFC 6396 §4.4.1: 1 Idle
    /// … 6 Established), written as BGP4MP STATE_CHANGE_AS4.
    pub state: Option<(u16, u16)>,
}

/// Work for the writer.
pub enum MrtMsg {
    /// A message to write.
    Received(Received),
    /// Finish the file and end.
    Stop,
}

/// Messages the queue holds at most (the writer is far faster than the
/// sessions unless the disk stalls).
const QUEUE: usize = 16_384;

/// The way into the writer, for the sessions: never blocks; what does not
/// fit is counted, and the writer logs the count.
#[derive(Debug, Clone)]
pub struct MrtQueue {
    tx: mpsc::SyncSender<MrtMsg>,
    dropped: Arc<AtomicU64>,
}

impl MrtQueue {
    /// Hands a received message to the writer.
    pub fn send(&self, r: Received) {
        if self.tx.try_send(MrtMsg::Received(r)).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The running writer.
pub struct MrtHandle {
    /// Where the session tasks send what they receive.
    pub queue: MrtQueue,
    thread: JoinHandle<()>,
}

impl MrtHandle {
    /// Finishes the file and waits for it.
    pub fn stop(self) {
        let _ = self.queue.tx.send(MrtMsg::Stop);
        let _ = self.thread.join();
    }
}

/// A BGP4MP STATE_CHANGE_AS4 record (RFC 6396 §4.4.1).
fn state_change(ts: u32, s: &Session, old: u16, new: u16) -> peerd_mrt::Record {
    peerd_mrt::Record {
        header: peerd_mrt::Header {
            timestamp: ts,
            microseconds: None,
            mrt_type: peerd_mrt::mrt_type::BGP4MP,
            // The writer takes the subtype and the length from the body.
            subtype: 0,
            length: 0,
        },
        body: peerd_mrt::Body::StateChange(peerd_mrt::StateChange {
            peer_as: s.peer_as,
            local_as: s.local_as,
            ifindex: 0,
            afi: if s.peer_ip.is_ipv6() { 2 } else { 1 },
            peer_ip: s.peer_ip,
            local_ip: s.local_ip,
            as4: true,
            old_state: old,
            new_state: new,
        }),
    }
}

/// Days since 1970-01-01 as a civil date (proleptic Gregorian).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The name of the `kind` file (updates, rib) whose period starts at
/// `start` (seconds since the epoch).
pub fn file_name(kind: &str, start: u64, gzip: bool) -> String {
    let (y, m, d) = civil((start / 86_400) as i64);
    let s = start % 86_400;
    format!(
        "{kind}.{y:04}{m:02}{d:02}.{:02}{:02}{}",
        s / 3600,
        s / 60 % 60,
        if gzip { ".gz" } else { "" }
    )
}

/// One open file.
struct Open {
    start: u64,
    path: PathBuf,
    w: MrtWriter<Box<dyn Write + Send>>,
}

fn open(cfg: &Mrt, start: u64) -> std::io::Result<Open> {
    let path = cfg.dir.join(file_name("updates", start, cfg.gzip));
    let f = BufWriter::new(File::options().create(true).append(true).open(&path)?);
    let out: Box<dyn Write + Send> = if cfg.gzip {
        Box::new(flate2::write::GzEncoder::new(
            f,
            flate2::Compression::default(),
        ))
    } else {
        Box::new(f)
    };
    Ok(Open {
        start,
        path,
        w: MrtWriter::new(out),
    })
}

fn finish(o: Open) {
    match o.w.into_inner() {
        Ok(inner) => drop(inner), // the encoder writes its trailer on drop
        Err(e) => tracing::error!("mrt: {}: {e}", o.path.display()),
    }
}

/// Starts the writer.
pub fn start(cfg: Mrt) -> std::io::Result<MrtHandle> {
    std::fs::create_dir_all(&cfg.dir)?;
    let (tx, rx) = mpsc::sync_channel::<MrtMsg>(QUEUE);
    let dropped = Arc::new(AtomicU64::new(0));
    let queue = MrtQueue {
        tx,
        dropped: dropped.clone(),
    };
    let period = cfg.updates.as_secs().max(60);
    tracing::info!(
        "mrt: writing received messages to {} (a file every {period} s)",
        cfg.dir.display()
    );
    let thread = std::thread::Builder::new()
        .name("peerd-mrt".into())
        .spawn(move || {
            let mut cur: Option<Open> = None;
            let mut failed: Option<u64> = None;
            let mut flushed = Instant::now();
            loop {
                let msg = match rx.recv_timeout(Duration::from_secs(1)) {
                    Ok(MrtMsg::Received(m)) => Some(m),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Ok(MrtMsg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                let lost = dropped.swap(0, Ordering::Relaxed);
                if lost > 0 {
                    tracing::warn!(
                        "mrt: {lost} received messages not written: the queue to the writer was full (the disk is slower than the sessions)"
                    );
                }
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let start = now - now % period;
                if cur.as_ref().is_some_and(|c| c.start != start) {
                    if let Some(c) = cur.take() {
                        finish(c);
                    }
                }
                let Some(m) = msg else {
                    if flushed.elapsed() > Duration::from_secs(5) {
                        if let Some(c) = cur.as_mut() {
                            let _ = c.w.flush();
                        }
                        flushed = Instant::now();
                    }
                    continue;
                };
                if cur.is_none() && failed != Some(start) {
                    match open(&cfg, start) {
                        Ok(o) => cur = Some(o),
                        Err(e) => {
                            tracing::error!("mrt: cannot open a file in {}: {e}; messages of this period are not written", cfg.dir.display());
                            failed = Some(start);
                        }
                    }
                }
                let Some(c) = cur.as_mut() else { continue };
                let ts = m
                    .at
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
                let written = match m.state {
                    None => c.w.write_received(ts, &m.session, &m.raw),
                    Some((old, new)) => c.w.write(&state_change(ts, &m.session, old, new)),
                };
                if let Err(e) = written {
                    tracing::error!(
                        "mrt: {}: {e}; this file is given up",
                        c.path.display()
                    );
                    failed = Some(start);
                    cur = None;
                }
            }
            if let Some(c) = cur.take() {
                finish(c);
            }
        })?;
    Ok(MrtHandle { queue, thread })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_their_period_in_utc() {
        assert_eq!(file_name("updates", 0, false), "updates.19700101.0000");
        // 2026-11-28 09:45:00 UTC.
        assert_eq!(
            file_name("rib", 1_795_859_100, true),
            "rib.20261128.0945.gz"
        );
        // 2024-02-29 23:59 (a leap day).
        assert_eq!(
            file_name("updates", 1_709_251_140, false),
            "updates.20240229.2359"
        );
    }
}
