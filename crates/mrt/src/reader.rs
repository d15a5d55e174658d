//! The streaming record reader.

use crate::bgp4mp::{subtype as bgp4mp_subtype, Bgp4mpMessage, StateChange};
use crate::bgp_legacy::LegacyBgp;
use crate::error::{MrtError, MrtErrorKind};
use crate::header::{mrt_type, Header};
use crate::table_dump::TableDump;
use crate::table_dump_v2::{subtype as tdv2, PeerIndexTable, Rib, RibGeneric};
use crate::{Body, Record};
use peerd_wire::reader::Reader;
use std::io::{self, BufReader, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The largest record body accepted. Real records are at most a few hundred
/// kilobytes; the cap stops a corrupt length from exhausting memory.
pub const MAX_RECORD_LEN: u32 = 16 << 20;

/// Reads MRT records one at a time from any byte stream.
///
/// Memory use is one record, whatever the stream length. After a truncation
/// or read error the iterator yields that error and then ends; after a
/// malformed record body (framing intact) it yields the error and goes on.
pub struct MrtReader<R: Read> {
    inner: BufReader<R>,
    offset: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: Read> MrtReader<R> {
    /// Wraps a (decompressed) byte stream.
    pub fn new(inner: R) -> Self {
        MrtReader {
            inner: BufReader::with_capacity(1 << 17, inner),
            offset: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// Offset of the next record in the decompressed stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads the next record's header and raw body without decoding the body.
    /// The body is valid until the next call.
    pub fn next_raw(&mut self) -> Option<Result<(Header, &[u8]), MrtError>> {
        if self.done {
            return None;
        }
        let start = self.offset;
        let mut h = [0u8; 12];
        match read_full(&mut self.inner, &mut h) {
            Ok(0) => {
                self.done = true;
                return None;
            }
            Ok(12) => {}
            Ok(n) => return Some(Err(self.fail(start, truncated(12, n as u64)))),
            Err(e) => return Some(Err(self.fail(start, MrtErrorKind::Io(e.to_string())))),
        }
        let timestamp = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let mtype = u16::from_be_bytes([h[4], h[5]]);
        let subtype = u16::from_be_bytes([h[6], h[7]]);
        let length = u32::from_be_bytes([h[8], h[9], h[10], h[11]]);
        if length > MAX_RECORD_LEN {
            return Some(Err(self.fail(start, MrtErrorKind::TooLong(length))));
        }
        let got = match read_body(&mut self.inner, &mut self.buf, length as usize) {
            Ok(n) => n as u64,
            Err(e) => return Some(Err(self.fail(start, MrtErrorKind::Io(e.to_string())))),
        };
        if got < u64::from(length) {
            return Some(Err(
                self.fail(start, truncated(12 + u64::from(length), 12 + got))
            ));
        }
        self.offset += 12 + u64::from(length);
        let mut header = Header {
            timestamp,
            microseconds: None,
            mrt_type: mtype,
            subtype,
            length,
        };
        let mut body = self.buf.as_slice();
        if mrt_type::is_extended(mtype) {
            let Some((us, rest)) = body.split_first_chunk::<4>() else {
                return Some(Err(MrtError {
                    offset: start,
                    kind: MrtErrorKind::Malformed {
                        mrt_type: mtype,
                        subtype,
                        what: "no room for the microsecond timestamp",
                    },
                }));
            };
            header.microseconds = Some(u32::from_be_bytes(*us));
            body = rest;
        }
        Some(Ok((header, body)))
    }

    fn fail(&mut self, offset: u64, kind: MrtErrorKind) -> MrtError {
        self.done = true;
        MrtError { offset, kind }
    }
}

fn truncated(needed: u64, got: u64) -> MrtErrorKind {
    MrtErrorKind::Truncated { needed, got }
}

/// Reads a record body of `len` octets into `buf` (resized to what was read).
/// The buffer grows in steps as data arrives, so a corrupt length on a short
/// stream does not allocate the whole claimed size, and only the bytes about
/// to be read are initialised.
fn read_body<R: Read>(r: &mut R, buf: &mut Vec<u8>, len: usize) -> io::Result<usize> {
    const STEP: usize = 1 << 16;
    let mut got = 0;
    while got < len {
        let want = (got + STEP).min(len);
        buf.resize(want, 0);
        let n = read_full(r, &mut buf[got..want])?;
        got += n;
        if got < want {
            break;
        }
    }
    buf.truncate(got);
    Ok(got)
}

/// Reads until `buf` is full or the stream ends; returns the count read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Decodes a record body of a known header.
pub fn decode_body(header: &Header, body: &[u8]) -> Result<Body, &'static str> {
    let st = header.subtype;
    Ok(match header.mrt_type {
        mrt_type::TABLE_DUMP => Body::TableDump(TableDump::decode(st, body)?),
        mrt_type::TABLE_DUMP_V2 => match st {
            tdv2::PEER_INDEX_TABLE => Body::PeerIndexTable(PeerIndexTable::decode(body)?),
            tdv2::RIB_GENERIC | tdv2::RIB_GENERIC_ADDPATH => {
                Body::RibGeneric(RibGeneric::decode(st, body)?)
            }
            _ if Rib::family_of(st).is_some() => Body::Rib(Rib::decode(st, body)?),
            _ => Body::Unsupported(body.to_vec()),
        },
        mrt_type::BGP4MP | mrt_type::BGP4MP_ET => match st {
            bgp4mp_subtype::STATE_CHANGE | bgp4mp_subtype::STATE_CHANGE_AS4 => {
                Body::StateChange(StateChange::decode(st, body)?)
            }
            _ if Bgp4mpMessage::is_message(st) => {
                Body::Bgp4mpMessage(Bgp4mpMessage::decode(st, body)?)
            }
            _ => Body::Unsupported(body.to_vec()),
        },
        mrt_type::BGP => Body::LegacyBgp(LegacyBgp::decode(st, body)?),
        _ => Body::Unsupported(body.to_vec()),
    })
}

impl<R: Read> Iterator for MrtReader<R> {
    type Item = Result<Record, MrtError>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.offset;
        let (header, body) = match self.next_raw()? {
            Ok(x) => x,
            Err(e) => return Some(Err(e)),
        };
        Some(match decode_body(&header, body) {
            Ok(body) => Ok(Record { header, body }),
            Err(what) => Err(MrtError {
                offset: start,
                kind: MrtErrorKind::Malformed {
                    mrt_type: header.mrt_type,
                    subtype: header.subtype,
                    what,
                },
            }),
        })
    }
}

/// Reads a 4- or 16-octet address.
pub(crate) fn read_ip(r: &mut Reader<'_>, v6: bool) -> Option<IpAddr> {
    if v6 {
        Some(IpAddr::V6(Ipv6Addr::from(r.array::<16>()?)))
    } else {
        Some(IpAddr::V4(Ipv4Addr::from(r.array::<4>()?)))
    }
}

/// Writes a 4- or 16-octet address.
pub(crate) fn write_ip(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(a) => out.extend_from_slice(&a.octets()),
        IpAddr::V6(a) => out.extend_from_slice(&a.octets()),
    }
}
