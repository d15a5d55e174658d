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
