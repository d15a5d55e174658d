//! Packets through the lab: a UDP echo responder on the hosts and a prober
//! that sends numbered datagrams and counts the answers. Both run as
//! `peerd lab echo` / `peerd lab probe` inside a host's namespace (started
//! with `ip netns exec`), so the lab needs nothing but iproute2.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The port the responders listen on (the echo service's).
pub const PORT: u16 = 7;

/// `peerd lab echo`: answers every datagram with itself, for ever (the lab
/// kills it by PID).
pub fn echo() -> std::io::Result<()> {
    // [::] with IPV6_V6ONLY off (Linux's default) takes IPv4 too.
    let s = UdpSocket::bind(("::", PORT))?;
    let mut buf = [0u8; 512];
    loop {
        let (n, from) = s.recv_from(&mut buf)?;
        let _ = s.send_to(&buf[..n], from);
    }
}

/// `peerd lab probe ADDRESS COUNT`: sends COUNT datagrams, 5 ms apart,
/// and prints how many distinct ones came back.
pub fn probe(dst: IpAddr, count: u32) -> std::io::Result<u32> {
    let bind: SocketAddr = match dst {
        IpAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        IpAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let s = UdpSocket::bind(bind)?;
    s.connect((dst, PORT))?;
    s.set_read_timeout(Some(Duration::from_millis(5)))?;
    // A tag per run, so an answer to an earlier probe is not counted.
    let tag = (std::process::id() as u64) << 32
        | u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos()),
        );
    let mut seen = vec![false; count as usize];
    let mut answered = 0;
    for i in 0..count {
        let mut msg = [0u8; 12];
        msg[..8].copy_from_slice(&tag.to_be_bytes());
        msg[8..].copy_from_slice(&i.to_be_bytes());
        // A refusal (no route, ICMP unreachable) is a lost probe, not an
        // error of the prober.
        let _ = s.send(&msg);
        answered += collect(&s, tag, &mut seen);
    }
    let end = Instant::now() + Duration::from_secs(1);
    while Instant::now() < end && answered < count {
        answered += collect(&s, tag, &mut seen);
    }
    Ok(answered)
}

/// Reads answers until the socket's timeout; returns how many new ones.
fn collect(s: &UdpSocket, tag: u64, seen: &mut [bool]) -> u32 {
    let mut buf = [0u8; 64];
    let mut new = 0;
    while let Ok(n) = s.recv(&mut buf) {
        if n == 12 && buf[..8] == tag.to_be_bytes() {
            let i = u32::from_be_bytes([buf[8], buf[9], buf[10], buf[11]]) as usize;
            if i < seen.len() && !seen[i] {
                seen[i] = true;
                new += 1;
            }
        }
    }
    new
}
