//! One TCP connection: a reader task that frames, and a writer task that
//! reports when the peer stops reading (RFC 9687).
//!
//! The reader only frames (with the largest size any session may negotiate);
//! the session task decodes each frame in order with the context it has
//! negotiated by then, so an UPDATE right behind the KEEPALIVE that brings
//! the session up is never decoded with the pre-negotiation context.

use peerd_fsm::ConnId;
use peerd_wire::{frame, DecodeError, MAX_EXTENDED_MESSAGE_LEN};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Which connection an event is about: the slot and a serial number, so that
/// late events from a closed connection are not taken for its successor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    pub id: ConnId,
    pub serial: u64,
}

/// What a connection tells its session.
#[derive(Debug)]
pub enum ConnEvent {
    /// One whole message, header included.
    Frame(Tag, Vec<u8>),
    /// The byte stream is not BGP (a header error): the NOTIFICATION to send.
    Error(Tag, DecodeError),
    /// The connection closed or failed.
    Closed(Tag),
    /// A write has been blocked for a while.
    WriteStalled(Tag),
    /// Writing works again.
    WriteProgress(Tag),
}

/// The session's handle on a connection.
pub struct Conn {
    pub tag: Tag,
    pub local: SocketAddr,
    pub tx: mpsc::UnboundedSender<Vec<u8>>,
    reader: JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        // Dropping `tx` lets the writer drain and close; the reader stops now.
        self.reader.abort();
    }
}

/// Queued messages written together, at most (octets).
const WRITE_BATCH: usize = 256 * 1024;

/// After this long without progress a write is reported as stalled.
const STALL: Duration = Duration::from_secs(10);

/// Starts the reader and writer of a connected stream.
pub fn start(stream: TcpStream, id: Tag, events: mpsc::Sender<ConnEvent>) -> std::io::Result<Conn> {
    let local = stream.local_addr()?;
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let wevents = events.clone();
    tokio::spawn(async move {
        let mut batch: Vec<u8> = Vec::new();
        while let Some(first) = rx.recv().await {
            // Whatever else is queued goes in the same write (up to 256
            // KiB): one system call for many small UPDATEs.
            let buf = if rx.is_empty() {
                first
            } else {
                batch.clear();
                batch.extend_from_slice(&first);
                while batch.len() < WRITE_BATCH {
                    match rx.try_recv() {
                        Ok(more) => batch.extend_from_slice(&more),
                        Err(_) => break,
                    }
                }
                std::mem::take(&mut batch)
            };
            let mut write = std::pin::pin!(wr.write_all(&buf));
            let res = match tokio::time::timeout(STALL, &mut write).await {
                Ok(r) => r,
                Err(_) => {
                    let _ = wevents.send(ConnEvent::WriteStalled(id)).await;
                    let r = write.await;
                    let _ = wevents.send(ConnEvent::WriteProgress(id)).await;
                    r
                }
            };
            if res.is_err() {
                break;
            }
            if buf.capacity() >= WRITE_BATCH {
                batch = buf;
            }
        }
        let _ = wr.shutdown().await;
    });
    let reader = tokio::spawn(async move {
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        let mut chunk = vec![0u8; 1 << 16];
        // Start of the first unframed octet: framed messages are copied out
        // from here, and the rest moves down once per read, not per message.
        let mut off = 0;
        loop {
            match frame(&buf[off..], MAX_EXTENDED_MESSAGE_LEN) {
                Ok(Some(f)) => {
                    let msg = buf[off..off + f.len].to_vec();
                    off += f.len;
                    if events.send(ConnEvent::Frame(id, msg)).await.is_err() {
                        return;
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    let _ = events.send(ConnEvent::Error(id, e)).await;
                    return;
                }
            }
            match rd.read(&mut chunk).await {
                Ok(0) | Err(_) => {
                    let _ = events.send(ConnEvent::Closed(id)).await;
                    return;
                }
                Ok(n) => {
                    buf.drain(..off);
                    off = 0;
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
    });
    Ok(Conn {
        tag: id,
        local,
        tx,
        reader,
    })
}
