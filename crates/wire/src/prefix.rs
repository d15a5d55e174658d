//! IP prefixes and NLRI encoding (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3).
//!
//! ```text
//! +---------------------------+
//! |   Path Identifier (4 octets, only with ADD-PATH)
//! +---------------------------+
//! |   Length (1 octet, bits)  |
//! +---------------------------+
//! |   Prefix (ceil(len/8) octets)
//! +---------------------------+
//! ```

use crate::afi::Afi;
use crate::error::{code, subcode, DecodeError, Reason};
use crate::reader::Reader;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IP prefix whose host bits are zero and whose length fits its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    /// Builds a prefix, clearing host bits. Returns `None` when the length is
    /// longer than the address.
    pub fn new(addr: IpAddr, len: u8) -> Option<Self> {
        match addr {
            IpAddr::V4(a) => {
                if len > 32 {
                    return None;
                }
                let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                Some(Prefix {
                    addr: IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask)),
                    len,
                })
            }
            IpAddr::V6(a) => {
                if len > 128 {
                    return None;
                }
                let mask = if len == 0 {
                    0
                } else {
                    u128::MAX << (128 - len)
                };
                Some(Prefix {
                    addr: IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask)),
                    len,
                })
            }
        }
    }

    /// An IPv4 prefix: host bits cleared, a length over 32 taken as 32.
    pub fn v4(addr: Ipv4Addr, len: u8) -> Self {
        let len = len.min(32);
        let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
        Prefix {
            addr: IpAddr::V4(Ipv4Addr::from(u32::from(addr) & mask)),
            len,
        }
    }

    /// An IPv6 prefix: host bits cleared, a length over 128 taken as 128.
    pub fn v6(addr: Ipv6Addr, len: u8) -> Self {
        let len = len.min(128);
        let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
        Prefix {
            addr: IpAddr::V6(Ipv6Addr::from(u128::from(addr) & mask)),
            len,
        }
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// Whether this is a default route (length 0).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The address family.
    pub fn afi(&self) -> Afi {
        match self.addr {
            IpAddr::V4(_) => Afi::Ipv4,
            IpAddr::V6(_) => Afi::Ipv6,
        }
    }

    /// Octets of the encoded prefix body.
    fn body_len(&self) -> usize {
        (self.len as usize).div_ceil(8)
    }

    /// Appends the RFC 4271 encoding (length octet and prefix octets).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.len);
        let n = self.body_len();
        match self.addr {
            IpAddr::V4(a) => out.extend_from_slice(&a.octets()[..n]),
            IpAddr::V6(a) => out.extend_from_slice(&a.octets()[..n]),
        }
    }

    /// Encoded size in octets (without a path identifier).
    pub fn encoded_len(&self) -> usize {
        1 + self.body_len()
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// Error parsing a prefix from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixParseError;

impl fmt::Display for PrefixParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected ADDRESS/LENGTH with host bits zero")
    }
}

impl std::error::Error for PrefixParseError {}

impl FromStr for Prefix {
    type Err = PrefixParseError;

    /// Parses `addr/len`; host bits must be zero.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, l) = s.split_once('/').ok_or(PrefixParseError)?;
        let addr: IpAddr = a.parse().map_err(|_| PrefixParseError)?;
        let len: u8 = l.parse().map_err(|_| PrefixParseError)?;
        let p = Prefix::new(addr, len).ok_or(PrefixParseError)?;
        if p.addr != addr {
            return Err(PrefixParseError);
        }
        Ok(p)
    }
}

/// One NLRI entry: a prefix with its ADD-PATH path identifier when negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nlri {
    /// RFC 7911 path identifier; `None` when ADD-PATH is not in use.
    pub path_id: Option<u32>,
    /// The prefix.
    pub prefix: Prefix,
}

impl Nlri {
    /// An NLRI without a path identifier.
    pub fn new(prefix: Prefix) -> Self {
        Nlri {
            path_id: None,
            prefix,
        }
    }

    /// Appends the encoding, path identifier first when present.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(id) = self.path_id {
            out.extend_from_slice(&id.to_be_bytes());
        }
        self.prefix.encode(out);
    }

    /// Encoded size in octets.
    pub fn encoded_len(&self) -> usize {
        self.prefix.encoded_len() + if self.path_id.is_some() { 4 } else { 0 }
    }
}

impl fmt::Display for Nlri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path_id {
            Some(id) => write!(f, "{} path-id {}", self.prefix, id),
            None => write!(f, "{}", self.prefix),
        }
    }
}

/// How a prefix was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NlriFault {
    /// The length octet is larger than the address size.
    Length,
    /// The prefix octets ran past the end of the field.
    Truncated,
}

/// Reads one prefix of the given family. Host bits past the length are cleared,
/// as BIRD, FRR and OpenBGPD do; RFC 4271 §4.3 only says they are irrelevant.
pub(crate) fn read_prefix(r: &mut Reader<'_>, afi: Afi) -> Result<Prefix, NlriFault> {
    let len = r.u8().ok_or(NlriFault::Truncated)?;
    let max = if afi == Afi::Ipv6 { 128 } else { 32 };
    if len > max {
        return Err(NlriFault::Length);
    }
    let n = (len as usize).div_ceil(8);
    let body = r.take(n).ok_or(NlriFault::Truncated)?;
    let addr = if afi == Afi::Ipv6 {
        let mut o = [0u8; 16];
        o[..n].copy_from_slice(body);
        IpAddr::V6(Ipv6Addr::from(o))
    } else {
        let mut o = [0u8; 4];
        o[..n].copy_from_slice(body);
        IpAddr::V4(Ipv4Addr::from(o))
    };
    Prefix::new(addr, len).ok_or(NlriFault::Length)
}

/// Reads one prefix (length octet and prefix octets) of the given family from
/// a cursor, clearing host bits. `None` if it is truncated or too long.
pub fn read_one(r: &mut Reader<'_>, afi: Afi) -> Option<Prefix> {
    read_prefix(r, afi).ok()
}

/// Decodes a whole NLRI field (IPv4 or IPv6), with path identifiers when
/// `add_path` is set. Errors are Invalid Network Field (3/10); the caller may
/// re-label them (withdrawn routes use 3/1).
pub fn decode_nlri(buf: &[u8], afi: Afi, add_path: bool) -> Result<Vec<Nlri>, DecodeError> {
    let mut out = Vec::with_capacity(buf.len() / 4);
    decode_nlri_into(buf, afi, add_path, &mut out)?;
    Ok(out)
}

/// Like [`decode_nlri`], appending to `out`.
pub fn decode_nlri_into(
    buf: &[u8],
    afi: Afi,
    add_path: bool,
    out: &mut Vec<Nlri>,
) -> Result<(), DecodeError> {
    let mut r = Reader::new(buf);
    while !r.is_empty() {
        let path_id = if add_path {
            Some(r.u32().ok_or_else(|| nlri_error(NlriFault::Truncated))?)
        } else {
            None
        };
        let prefix = read_prefix(&mut r, afi).map_err(nlri_error)?;
        out.push(Nlri { path_id, prefix });
    }
    Ok(())
}

fn nlri_error(f: NlriFault) -> DecodeError {
    let reason = match f {
        NlriFault::Length => Reason::BadPrefixLength,
        NlriFault::Truncated => Reason::Truncated,
    };
    DecodeError::new(
        code::UPDATE_MESSAGE,
        subcode::update::INVALID_NETWORK_FIELD,
        reason,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_bits_are_cleared() {
        let mut r = Reader::new(&[13, 11, 15]);
        let p = read_prefix(&mut r, Afi::Ipv4).unwrap();
        assert_eq!(p.to_string(), "11.8.0.0/13");
    }

    #[test]
    fn infallible_constructors_clear_host_bits_and_clamp() {
        let a = Ipv4Addr::new(192, 0, 2, 77);
        assert_eq!(Prefix::v4(a, 24), Prefix::new(IpAddr::V4(a), 24).unwrap());
        assert_eq!(Prefix::v4(a, 0).to_string(), "0.0.0.0/0");
        assert_eq!(Prefix::v4(a, 40).to_string(), "192.0.2.77/32");
        let b: Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert_eq!(Prefix::v6(b, 32).to_string(), "2001:db8::/32");
        assert_eq!(Prefix::v6(b, 0).to_string(), "::/0");
        assert_eq!(Prefix::v6(b, 200).len(), 128);
    }

    #[test]
    fn overlong_prefix_is_rejected() {
        let mut r = Reader::new(&[33, 1, 2, 3, 4, 5]);
        assert_eq!(read_prefix(&mut r, Afi::Ipv4), Err(NlriFault::Length));
        let e = decode_nlri(&[129], Afi::Ipv6, false).unwrap_err();
        assert_eq!((e.code, e.subcode), (3, 10));
    }

    #[test]
    fn truncated_prefix_is_rejected() {
        let e = decode_nlri(&[24, 10, 0], Afi::Ipv4, false).unwrap_err();
        assert_eq!(e.reason, Reason::Truncated);
    }

    #[test]
    fn add_path_round_trip() {
        let bytes = [0, 0, 0, 7, 24, 192, 0, 2, 0, 0, 0, 9, 0];
        let n = decode_nlri(&bytes, Afi::Ipv4, true).unwrap();
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].path_id, Some(7));
        assert_eq!(n[1].prefix.to_string(), "0.0.0.0/0");
        let mut out = Vec::new();
        for x in &n {
            x.encode(&mut out);
        }
        assert_eq!(out, bytes);
    }

    #[test]
    fn parse_rejects_host_bits() {
        assert!("192.0.2.1/24".parse::<Prefix>().is_err());
        assert_eq!("2001:db8::/32".parse::<Prefix>().unwrap().len(), 32);
    }
}
