//! Writing MRT: TABLE_DUMP_V2 and BGP4MP / BGP4MP_ET records.

use crate::header::mrt_type;
use crate::{Body, Header, Record};
use std::io::{self, Write};

/// Writes MRT records to any byte sink.
pub struct MrtWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> MrtWriter<W> {
    /// Wraps a sink.
    pub fn new(out: W) -> Self {
        MrtWriter {
            out,
            buf: Vec::new(),
        }
    }

    /// Writes one record. The header's type, subtype and length are derived
    /// from the body; its timestamps are kept. Legacy TABLE_DUMP and records
    /// kept as raw bytes are written with the header's type and subtype.
    pub fn write(&mut self, record: &Record) -> io::Result<()> {
        let h = &record.header;
        self.buf.clear();
        let (t, st) = match &record.body {
            Body::PeerIndexTable(p) => {
                p.encode(&mut self.buf);
                (mrt_type::TABLE_DUMP_V2, 1)
            }
            Body::Rib(r) => {
                r.encode(&mut self.buf);
                (mrt_type::TABLE_DUMP_V2, r.subtype())
            }
            Body::RibGeneric(r) => {
                r.encode(&mut self.buf);
                (mrt_type::TABLE_DUMP_V2, if r.add_path { 12 } else { 6 })
            }
            Body::Bgp4mpMessage(m) => {
                m.encode(&mut self.buf);
                (bgp4mp_type(h), m.subtype())
            }
            Body::StateChange(s) => {
                s.encode(&mut self.buf);
                (bgp4mp_type(h), s.subtype())
            }
            Body::TableDump(_) | Body::LegacyBgp(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "legacy TABLE_DUMP and BGP records are not written",
                ))
            }
            Body::Unsupported(raw) => {
                self.buf.extend_from_slice(raw);
                (h.mrt_type, h.subtype)
            }
        };
        let et = mrt_type::is_extended(t);
        let len = self.buf.len() + if et { 4 } else { 0 };
        let len = u32::try_from(len)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "record too long"))?;
        let mut head = [0u8; 16];
        head[0..4].copy_from_slice(&h.timestamp.to_be_bytes());
        head[4..6].copy_from_slice(&t.to_be_bytes());
        head[6..8].copy_from_slice(&st.to_be_bytes());
        head[8..12].copy_from_slice(&len.to_be_bytes());
        if et {
            head[12..16].copy_from_slice(&h.microseconds.unwrap_or(0).to_be_bytes());
            self.out.write_all(&head)?;
        } else {
            self.out.write_all(&head[..12])?;
        }
        self.out.write_all(&self.buf)
    }

    /// Writes a BGP message received on `session` as it came (BGP4MP,
    /// subtype MESSAGE, _AS4 and _ADDPATH as the session is), at
    /// `timestamp` (seconds since the Unix epoch).
    pub fn write_received(
        &mut self,
        timestamp: u32,
        session: &crate::bgp4mp::Session,
        raw: &[u8],
    ) -> io::Result<()> {
        self.buf.clear();
        session.encode(raw, &mut self.buf);
        let len = u32::try_from(self.buf.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "record too long"))?;
        let mut head = [0u8; 12];
        head[0..4].copy_from_slice(&timestamp.to_be_bytes());
        head[4..6].copy_from_slice(&mrt_type::BGP4MP.to_be_bytes());
        head[6..8].copy_from_slice(&session.subtype().to_be_bytes());
        head[8..12].copy_from_slice(&len.to_be_bytes());
        self.out.write_all(&head)?;
        self.out.write_all(&self.buf)
    }

    /// Flushes the sink.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and returns the sink.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// BGP4MP_ET when the record has microseconds, BGP4MP otherwise.
fn bgp4mp_type(h: &Header) -> u16 {
    if h.microseconds.is_some() {
        mrt_type::BGP4MP_ET
    } else {
        mrt_type::BGP4MP
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::bgp4mp::Session;
    use crate::MrtReader;

    #[test]
    fn received_messages_read_back() {
        let keepalive = {
            let mut m = vec![0xff; 16];
            m.extend_from_slice(&[0, 19, 4]);
            m
        };
        let mut w = MrtWriter::new(Vec::new());
        let v4 = Session {
            peer_as: 4_200_000_000,
            local_as: 64500,
            peer_ip: "192.0.2.2".parse().unwrap(),
            local_ip: "192.0.2.1".parse().unwrap(),
            as4: true,
            add_path: false,
        };
        let mixed = Session {
            peer_as: 4_200_000_000,
            local_as: 64500,
            peer_ip: "2001:db8::2".parse().unwrap(),
            local_ip: "192.0.2.1".parse().unwrap(),
            as4: false,
            add_path: true,
        };
        w.write_received(1_700_000_000, &v4, &keepalive).unwrap();
        w.write_received(1_700_000_001, &mixed, &keepalive).unwrap();
        let bytes = w.into_inner().unwrap();
        let recs: Vec<Record> = MrtReader::new(&bytes[..]).map(|r| r.unwrap()).collect();
        assert_eq!(recs.len(), 2);
        let Body::Bgp4mpMessage(m) = &recs[0].body else {
            panic!("{:?}", recs[0])
        };
        assert_eq!(
            (recs[0].header.timestamp, recs[0].header.subtype),
            (1_700_000_000, 4)
        );
        assert_eq!((m.peer_as, m.local_as, m.as4), (4_200_000_000, 64500, true));
        assert_eq!(m.peer_ip, v4.peer_ip);
        assert_eq!(m.raw, keepalive);
        assert!(m.message.is_ok());
        let Body::Bgp4mpMessage(m) = &recs[1].body else {
            panic!("{:?}", recs[1])
        };
        // 2-octet fields: AS_TRANS; the IPv4 address mapped into IPv6.
        assert_eq!(recs[1].header.subtype, 8);
        assert_eq!((m.peer_as, m.afi), (23456, 2));
        assert_eq!(
            m.local_ip,
            "::ffff:192.0.2.1".parse::<std::net::IpAddr>().unwrap()
        );
    }
}
