//! The harness's BGP sessions: a blocking socket per neighbour, a reader
//! thread that keeps the neighbour's routes prefix by prefix (the sink), and
//! writes serialised through one lock so that the pre-encoded table and the
//! KEEPALIVEs never interleave inside a message.

use crate::proto::{self, Scan};
use peerd_wire::Family;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A multiply-rotate hasher for the sinks' integer keys (the standard
/// SipHash would make the sink, not the daemon, the slow side).
#[derive(Debug, Default, Clone, Copy)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
    fn finish(&self) -> u64 {
        // The product's low bits depend only on the key's low bits (for an
        // IPv4 key, mostly the prefix length): fold the high half in, as
        // the table indexes buckets by the low bits.
        crate::dataset::mix(self.0)
    }
}

/// A map with [`Fx`] hashing.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// What a neighbour has sent us: its routes, each with the neighbouring AS
/// behind the daemon, and the canary's arrivals.
#[derive(Debug, Default)]
pub struct Received {
    /// IPv4 routes.
    pub v4: FxMap<u64, u32>,
    /// IPv6 routes.
    pub v6: FxMap<(u128, u8), u32>,
    /// UPDATE messages.
    pub updates: u64,
    /// Prefixes announced or withdrawn, canary excluded.
    pub changes: u64,
    /// When the last change arrived.
    pub last_change: Option<Instant>,
    /// Canary arrivals: (sequence, sent at in ms since the epoch, arrived).
    pub canary: Vec<(u32, u32, Instant)>,
    /// Why the session ended, if it did.
    pub ended: Option<String>,
}

impl Received {
    fn apply(&mut self, s: &Scan, now: Instant) {
        self.updates += 1;
        let mut n = 0;
        for k in &s.withdrawn_v4 {
            if *k != proto::CANARY {
                self.v4.remove(k);
                n += 1;
            }
        }
        for k in &s.withdrawn_v6 {
            self.v6.remove(k);
            n += 1;
        }
        if s.looped {
            // Our own AS in the path: not a usable route (an implicit
            // withdrawal of what we held).
            for k in &s.announced_v4 {
                n += u64::from(self.v4.remove(k).is_some());
            }
            for k in &s.announced_v6 {
                n += u64::from(self.v6.remove(k).is_some());
            }
            if n > 0 {
                self.changes += n;
                self.last_change = Some(now);
            }
            return;
        }
        for k in &s.announced_v4 {
            if *k == proto::CANARY {
                if let Some((seq, sent)) = s.stamp {
                    self.canary.push((seq, sent, now));
                }
            } else {
                self.v4.insert(*k, s.via);
                n += 1;
            }
        }
        for k in &s.announced_v6 {
            self.v6.insert(*k, s.via);
            n += 1;
        }
        if n > 0 {
            self.changes += n;
            self.last_change = Some(now);
        }
    }

    /// Prefixes held.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// Whether nothing is held.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One established session with the daemon (or, in the direct check, with
/// the harness's own other end).
#[derive(Debug)]
pub struct Session {
    /// Our address.
    pub local: IpAddr,
    /// When it reached Established.
    pub established: Instant,
    writer: Arc<Mutex<TcpStream>>,
    received: Arc<Mutex<Received>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Reads one whole message into `buf` (blocking); returns its type.
fn read_message(s: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<u8> {
    buf.resize(proto::HEADER, 0);
    s.read_exact(&mut buf[..proto::HEADER])?;
    let len = usize::from(u16::from_be_bytes([buf[16], buf[17]]));
    if !(proto::HEADER..=65535).contains(&len) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad message length",
        ));
    }
    buf.resize(len, 0);
    s.read_exact(&mut buf[proto::HEADER..])?;
    Ok(buf[18])
}

/// OPEN, KEEPALIVE both ways (RFC 4271 §8); the daemon's NOTIFICATION is an
/// error naming its code.
fn handshake(s: &mut TcpStream, open: &[u8]) -> io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(15)))?;
    s.write_all(open)?;
    let mut buf = Vec::new();
    let mut got_open = false;
    loop {
        match read_message(s, &mut buf)? {
            proto::OPEN if !got_open => {
                got_open = true;
                s.write_all(&proto::keepalive())?;
            }
            proto::KEEPALIVE if got_open => break,
            proto::NOTIFICATION => {
                let (c, sc) = (
                    buf.get(19).copied().unwrap_or(0),
                    buf.get(20).copied().unwrap_or(0),
                );
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    format!("NOTIFICATION {c}/{sc}"),
                ));
            }
            t => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("unexpected message type {t} while opening"),
                ))
            }
        }
    }
    s.set_read_timeout(None)?;
    Ok(())
}

/// Binds to `local` and connects to `remote`.
fn connect_from(
    rt: &tokio::runtime::Runtime,
    local: IpAddr,
    remote: SocketAddr,
) -> io::Result<TcpStream> {
    let s = rt.block_on(async {
        let sock = if remote.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        sock.bind(SocketAddr::new(local, 0))?;
        tokio::time::timeout(Duration::from_secs(3), sock.connect(remote))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))?
    })?;
    let s = s.into_std()?;
    s.set_nonblocking(false)?;
    s.set_nodelay(true)?;
    Ok(s)
}

impl Session {
    /// Connects from `local` to the daemon, retrying until `deadline` (a
    /// daemon may refuse or close while it starts), and opens the session.
    pub fn connect(
        rt: &tokio::runtime::Runtime,
        local: Ipv4Addr,
        remote: SocketAddr,
        asn: u32,
        families: &[Family],
        deadline: Instant,
    ) -> Result<Session, String> {
        let open = proto::open(asn, local, families);
        let mut last = String::new();
        while Instant::now() < deadline {
            match connect_from(rt, IpAddr::V4(local), remote).and_then(|mut s| {
                handshake(&mut s, &open)?;
                Ok(s)
            }) {
                Ok(s) => return Ok(Session::start(IpAddr::V4(local), asn, s)),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!("{local} -> {remote}: no session: {last}"))
    }

    /// Accepts one session on `listener` (the direct check's sink).
    pub fn accept(
        listener: &TcpListener,
        asn: u32,
        id: Ipv4Addr,
        families: &[Family],
    ) -> Result<Session, String> {
        let (mut s, peer) = listener.accept().map_err(|e| e.to_string())?;
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        handshake(&mut s, &proto::open(asn, id, families)).map_err(|e| format!("{peer}: {e}"))?;
        Ok(Session::start(IpAddr::V4(id), asn, s))
    }

    fn start(local: IpAddr, asn: u32, s: TcpStream) -> Session {
        let established = Instant::now();
        let received = Arc::new(Mutex::new(Received::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = s.try_clone();
        let writer = Arc::new(Mutex::new(s));
        let mut threads = Vec::new();
        match reader {
            Ok(r) => {
                let rx = Arc::clone(&received);
                threads.push(std::thread::spawn(move || read_loop(r, asn, &rx)));
            }
            Err(e) => lock(&received).ended = Some(e.to_string()),
        }
        {
            let w = Arc::clone(&writer);
            let stop = Arc::clone(&stop);
            threads.push(std::thread::spawn(move || {
                let ka = proto::keepalive();
                let mut last = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    if last.elapsed() >= Duration::from_secs(u64::from(proto::HOLD_TIME) / 4) {
                        last = Instant::now();
                        if lock(&w).write_all(&ka).is_err() {
                            break;
                        }
                    }
                }
            }));
        }
        Session {
            local,
            established,
            writer,
            received,
            stop,
            threads,
        }
    }

    /// Writes pre-encoded blocks of whole messages, one lock per block.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn send_blocks(&self, blocks: &[Vec<u8>]) -> io::Result<()> {
        for b in blocks {
            lock(&self.writer).write_all(b)?;
        }
        Ok(())
    }

    /// A handle for writing from another thread.
    pub fn writer(&self) -> Arc<Mutex<TcpStream>> {
        Arc::clone(&self.writer)
    }

    /// What the neighbour has sent, locked.
    pub fn received(&self) -> MutexGuard<'_, Received> {
        lock(&self.received)
    }

    /// Ends the session with a Cease and waits for its threads.
    pub fn close(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        {
            let mut w = lock(&self.writer);
            let _ = w.write_all(&proto::cease());
            let _ = w.shutdown(Shutdown::Both);
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = lock(&self.writer).shutdown(Shutdown::Both);
    }
}

/// Locks, ignoring poisoning (a panicked reader leaves consistent counts).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_loop(mut s: TcpStream, own: u32, rx: &Mutex<Received>) {
    let mut buf = vec![0u8; 1 << 20];
    let mut have = 0;
    let mut scan = Scan::default();
    let end = loop {
        if have == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = match s.read(&mut buf[have..]) {
            Ok(0) => break "closed by the daemon".to_string(),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => break e.to_string(),
        };
        have += n;
        let now = Instant::now();
        let mut off = 0;
        let mut r = lock(rx);
        let mut bad = None;
        while have - off >= proto::HEADER {
            let len = usize::from(u16::from_be_bytes([buf[off + 16], buf[off + 17]]));
            if len < proto::HEADER {
                bad = Some("bad message length".to_string());
                break;
            }
            if have - off < len {
                break;
            }
            match buf[off + 18] {
                proto::UPDATE => {
                    match proto::scan_update(&buf[off + proto::HEADER..off + len], own, &mut scan) {
                        Ok(()) => r.apply(&scan, now),
                        Err(e) => bad = Some(format!("malformed UPDATE from the daemon: {}", e.0)),
                    }
                }
                proto::NOTIFICATION => {
                    bad = Some(format!(
                        "NOTIFICATION {}/{} from the daemon",
                        buf.get(off + 19).copied().unwrap_or(0),
                        buf.get(off + 20).copied().unwrap_or(0)
                    ))
                }
                _ => {}
            }
            if bad.is_some() {
                break;
            }
            off += len;
        }
        if let Some(b) = bad {
            break b;
        }
        drop(r);
        buf.copy_within(off..have, 0);
        have -= off;
    };
    lock(rx).ended = Some(end);
}
