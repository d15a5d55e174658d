//! A scripted BGP speaker for the daemon tests: it connects to peerd from
//! a given address, opens the session, sends what the test says and reads
//! what peerd answers.

use peerd_wire::capability::Capability;
use peerd_wire::{frame, DecodeContext, Family, Message, Open};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// A BGP speaker in the test: AS 64501, connects to peerd, reads messages.
pub struct FakePeer {
    s: TcpStream,
    buf: Vec<u8>,
}

impl FakePeer {
    /// AS 64501, IPv4 unicast, hold time 9 s.
    pub fn connect(local: &str, to: &str) -> FakePeer {
        FakePeer::connect_with(local, to, 9, &[Family::IPV4_UNICAST])
    }

    /// AS 64501 with this hold time (0: no keepalives) and families.
    pub fn connect_with(local: &str, to: &str, hold: u16, families: &[Family]) -> FakePeer {
        // Bind the source address so that peerd recognises the neighbour.
        let s = connect_from(format!("{local}:0").parse().unwrap(), to.parse().unwrap());
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut p = FakePeer { s, buf: Vec::new() };
        let mut caps: Vec<Capability> = families
            .iter()
            .map(|f| Capability::Multiprotocol(*f))
            .collect();
        caps.push(Capability::FourOctetAs(64501));
        let open = Open::new(64501, hold, Ipv4Addr::new(192, 0, 2, 2), caps);
        p.send(&Message::Open(open).encode(&DecodeContext::MODERN));
        let first = p.recv();
        assert!(matches!(first, Some(Message::Open(_))), "{first:?}");
        p.send(&Message::Keepalive.encode(&DecodeContext::MODERN));
        assert_eq!(p.recv(), Some(Message::Keepalive));
        p
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
    }

    /// The next message other than KEEPALIVE/UPDATE noise, or None on close.
    pub fn recv(&mut self) -> Option<Message> {
        loop {
            if let Ok(Some(f)) = frame(&self.buf, 65535) {
                let m = Message::decode(&self.buf[..f.len], &DecodeContext::MODERN).ok();
                self.buf.drain(..f.len);
                return m;
            }
            let mut chunk = [0u8; 4096];
            match self.s.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Reads until a NOTIFICATION or the end of the connection.
    pub fn notification(&mut self) -> Option<peerd_wire::Notification> {
        while let Some(m) = self.recv() {
            if let Message::Notification(n) = m {
                return Some(n);
            }
        }
        None
    }
}

/// Connects from a given source address (std has no bind-before-connect,
/// tokio's `TcpSocket` does).
pub fn connect_from(local: SocketAddr, to: SocketAddr) -> TcpStream {
    let rt = tokio_rt();
    let s = rt.block_on(async move {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind(local).unwrap();
        s.connect(to).await.unwrap().into_std().unwrap()
    });
    s.set_nonblocking(false).unwrap();
    s
}

pub fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
