//! Capabilities advertised in OPEN (RFC 5492), one variant per capability.
//!
//! ```text
//! +------------------------------+
//! | Capability Code (1 octet)    |
//! +------------------------------+
//! | Capability Length (1 octet)  |
//! +------------------------------+
//! | Capability Value (variable)  |
//! +------------------------------+
//! ```
//!
//! Unknown capabilities are kept as bytes so that they round-trip and can be
//! shown to operators.

use crate::afi::Family;
use crate::error::{code, subcode, DecodeError, Reason};
use crate::reader::Reader;

/// Capability codes (IANA "Capability Codes").
pub mod cap_code {
    /// Multiprotocol Extensions (RFC 4760).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route Refresh (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Extended Next Hop Encoding (RFC 8950).
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    /// Extended Message (RFC 8654).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// BGP Role (RFC 9234).
    pub const ROLE: u8 = 9;
    /// Graceful Restart (RFC 4724).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// Support for 4-octet AS numbers (RFC 6793).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced Route Refresh (RFC 7313).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    /// Long-Lived Graceful Restart (RFC 9494).
    pub const LONG_LIVED_GRACEFUL_RESTART: u8 = 71;
    /// FQDN / hostname (draft-walton-bgp-hostname-capability).
    pub const FQDN: u8 = 73;
}

/// A BGP role (RFC 9234 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Provider (0): the peer is our customer.
    Provider,
    /// Route server (1).
    RouteServer,
    /// Route-server client (2).
    RouteServerClient,
    /// Customer (3): the peer is our provider.
    Customer,
    /// Lateral peer (4).
    Peer,
    /// An unassigned value.
    Unknown(u8),
}

impl Role {
    /// Decodes the role octet.
    pub fn from_u8(v: u8) -> Self {
        match v {
            0 => Role::Provider,
            1 => Role::RouteServer,
            2 => Role::RouteServerClient,
            3 => Role::Customer,
            4 => Role::Peer,
            v => Role::Unknown(v),
        }
    }

    /// The role octet.
    pub fn to_u8(self) -> u8 {
        match self {
            Role::Provider => 0,
            Role::RouteServer => 1,
            Role::RouteServerClient => 2,
            Role::Customer => 3,
            Role::Peer => 4,
            Role::Unknown(v) => v,
        }
    }

    /// The role a correctly configured neighbour must have (RFC 9234 §4.2).
    pub fn expected_peer_role(self) -> Option<Role> {
        Some(match self {
            Role::Provider => Role::Customer,
            Role::Customer => Role::Provider,
            Role::RouteServer => Role::RouteServerClient,
            Role::RouteServerClient => Role::RouteServer,
            Role::Peer => Role::Peer,
            Role::Unknown(_) => return None,
        })
    }
}

/// ADD-PATH send/receive mode (RFC 7911 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddPathMode(pub u8);

impl AddPathMode {
    /// Willing to receive multiple paths.
    pub const RECEIVE: AddPathMode = AddPathMode(1);
    /// Able to send multiple paths.
    pub const SEND: AddPathMode = AddPathMode(2);
    /// Both.
    pub const BOTH: AddPathMode = AddPathMode(3);

    /// Whether the receive bit is set.
    pub fn receive(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether the send bit is set.
    pub fn send(self) -> bool {
        self.0 & 2 != 0
    }
}

/// Per-family graceful-restart state (RFC 4724 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GracefulRestartFamily {
    /// The family.
    pub family: Family,
    /// Flags; 0x80 is Forwarding State preserved.
    pub flags: u8,
}

/// Graceful Restart capability value (RFC 4724 §3, RFC 8538 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GracefulRestart {
    /// The 4 flag bits: 0x8 Restart State (R), 0x4 Notification (N, RFC 8538).
    pub flags: u8,
    /// Restart time in seconds (12 bits).
    pub restart_time: u16,
    /// Families whose state the sender can preserve.
    pub families: Vec<GracefulRestartFamily>,
}

/// Per-family long-lived graceful-restart state (RFC 9494 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LlgrFamily {
    /// The family.
    pub family: Family,
    /// Flags; 0x80 is Forwarding State preserved.
    pub flags: u8,
    /// Long-lived stale time in seconds (24 bits).
    pub stale_time: u32,
}

/// One ADD-PATH entry (RFC 7911 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddPathFamily {
    /// The family.
    pub family: Family,
    /// Send, receive or both.
    pub mode: AddPathMode,
}

/// One extended next hop entry (RFC 8950 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtendedNextHop {
    /// NLRI AFI.
    pub nlri_afi: u16,
    /// NLRI SAFI (2 octets here).
    pub nlri_safi: u16,
    /// Next hop AFI.
    pub next_hop_afi: u16,
}

/// A capability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Multiprotocol Extensions for one family (RFC 4760 §8).
    Multiprotocol(Family),
    /// Route Refresh (RFC 2918).
    RouteRefresh,
    /// Extended Next Hop Encoding (RFC 8950).
    ExtendedNextHop(Vec<ExtendedNextHop>),
    /// Extended Message (RFC 8654).
    ExtendedMessage,
    /// BGP Role (RFC 9234).
    Role(Role),
    /// Graceful Restart (RFC 4724).
    GracefulRestart(GracefulRestart),
    /// 4-octet AS number support, carrying the speaker's AS (RFC 6793).
    FourOctetAs(u32),
    /// ADD-PATH (RFC 7911).
    AddPath(Vec<AddPathFamily>),
    /// Enhanced Route Refresh (RFC 7313).
    EnhancedRouteRefresh,
    /// Long-Lived Graceful Restart (RFC 9494).
    LongLivedGracefulRestart(Vec<LlgrFamily>),
    /// Hostname and domain name (draft-walton-bgp-hostname-capability).
    Fqdn {
        /// Host name octets (normally ASCII).
        hostname: Vec<u8>,
        /// Domain name octets (normally ASCII).
        domain: Vec<u8>,
    },
    /// Any other capability.
    Unknown {
        /// Capability code.
        code: u8,
        /// Value octets.
        value: Vec<u8>,
    },
}

fn cap_error() -> DecodeError {
    DecodeError::new(
        code::OPEN_MESSAGE,
        subcode::open::UNSPECIFIC,
        Reason::BadCapability,
    )
}

fn family(r: &mut Reader<'_>) -> Option<Family> {
    Some(Family::new(r.u16()?, r.u8()?))
}

impl Capability {
    /// The capability code.
    pub fn code(&self) -> u8 {
        use cap_code as c;
        match self {
            Capability::Multiprotocol(_) => c::MULTIPROTOCOL,
            Capability::RouteRefresh => c::ROUTE_REFRESH,
            Capability::ExtendedNextHop(_) => c::EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => c::EXTENDED_MESSAGE,
            Capability::Role(_) => c::ROLE,
            Capability::GracefulRestart(_) => c::GRACEFUL_RESTART,
            Capability::FourOctetAs(_) => c::FOUR_OCTET_AS,
            Capability::AddPath(_) => c::ADD_PATH,
            Capability::EnhancedRouteRefresh => c::ENHANCED_ROUTE_REFRESH,
            Capability::LongLivedGracefulRestart(_) => c::LONG_LIVED_GRACEFUL_RESTART,
            Capability::Fqdn { .. } => c::FQDN,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// Decodes one capability value. A known capability with a value of the
    /// wrong shape is an OPEN Message Error (2/0).
    pub fn decode(code: u8, value: &[u8]) -> Result<Capability, DecodeError> {
        use cap_code as c;
        let mut r = Reader::new(value);
        let cap = match code {
            c::MULTIPROTOCOL => {
                if value.len() != 4 {
                    return Err(cap_error());
                }
                let afi = r.u16().ok_or_else(cap_error)?;
                let _reserved = r.u8();
                let safi = r.u8().ok_or_else(cap_error)?;
                Capability::Multiprotocol(Family::new(afi, safi))
            }
            c::ROUTE_REFRESH | c::EXTENDED_MESSAGE | c::ENHANCED_ROUTE_REFRESH => {
                if !value.is_empty() {
                    return Err(cap_error());
                }
                match code {
                    c::ROUTE_REFRESH => Capability::RouteRefresh,
                    c::EXTENDED_MESSAGE => Capability::ExtendedMessage,
                    _ => Capability::EnhancedRouteRefresh,
                }
            }
            c::EXTENDED_NEXT_HOP => {
                if value.is_empty() || value.len() % 6 != 0 {
                    return Err(cap_error());
                }
                let mut v = Vec::new();
                while !r.is_empty() {
                    let (Some(a), Some(s), Some(n)) = (r.u16(), r.u16(), r.u16()) else {
                        return Err(cap_error());
                    };
                    v.push(ExtendedNextHop {
                        nlri_afi: a,
                        nlri_safi: s,
                        next_hop_afi: n,
                    });
                }
                Capability::ExtendedNextHop(v)
            }
            c::ROLE => {
                if value.len() != 1 {
                    return Err(cap_error());
                }
                Capability::Role(Role::from_u8(value[0]))
            }
            c::GRACEFUL_RESTART => {
                if value.len() < 2 || (value.len() - 2) % 4 != 0 {
                    return Err(cap_error());
                }
                let hdr = r.u16().ok_or_else(cap_error)?;
                let mut families = Vec::new();
                while !r.is_empty() {
                    let f = family(&mut r).ok_or_else(cap_error)?;
                    let flags = r.u8().ok_or_else(cap_error)?;
                    families.push(GracefulRestartFamily { family: f, flags });
                }
                Capability::GracefulRestart(GracefulRestart {
                    flags: (hdr >> 12) as u8,
                    restart_time: hdr & 0x0fff,
                    families,
                })
            }
            c::FOUR_OCTET_AS => {
                if value.len() != 4 {
                    return Err(cap_error());
                }
                Capability::FourOctetAs(r.u32().ok_or_else(cap_error)?)
            }
            c::ADD_PATH => {
                if value.is_empty() || value.len() % 4 != 0 {
                    return Err(cap_error());
                }
                let mut v = Vec::new();
                while !r.is_empty() {
                    let f = family(&mut r).ok_or_else(cap_error)?;
                    let m = r.u8().ok_or_else(cap_error)?;
                    v.push(AddPathFamily {
                        family: f,
                        mode: AddPathMode(m),
                    });
                }
                Capability::AddPath(v)
            }
            c::LONG_LIVED_GRACEFUL_RESTART => {
                if value.len() % 7 != 0 {
                    return Err(cap_error());
                }
                let mut v = Vec::new();
                while !r.is_empty() {
                    let f = family(&mut r).ok_or_else(cap_error)?;
                    let flags = r.u8().ok_or_else(cap_error)?;
                    let t = r.array::<3>().ok_or_else(cap_error)?;
                    let stale_time = u32::from_be_bytes([0, t[0], t[1], t[2]]);
                    v.push(LlgrFamily {
                        family: f,
                        flags,
                        stale_time,
                    });
                }
                Capability::LongLivedGracefulRestart(v)
            }
            c::FQDN => {
                let hl = r.u8().ok_or_else(cap_error)?;
                let hostname = r.take(usize::from(hl)).ok_or_else(cap_error)?.to_vec();
                let dl = r.u8().ok_or_else(cap_error)?;
                let domain = r.take(usize::from(dl)).ok_or_else(cap_error)?.to_vec();
                if !r.is_empty() {
                    return Err(cap_error());
                }
                Capability::Fqdn { hostname, domain }
            }
            _ => Capability::Unknown {
                code,
                value: value.to_vec(),
            },
        };
        Ok(cap)
    }

    /// Appends code, length and value. Values that cannot fit the 1-octet
    /// length (a long FQDN, an oversized unknown capability) are truncated to
    /// 255 octets rather than written with a wrong length.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.code());
        let len_at = out.len();
        out.push(0);
        match self {
            Capability::Multiprotocol(f) => {
                out.extend_from_slice(&f.afi.to_u16().to_be_bytes());
                out.push(0);
                out.push(f.safi.to_u8());
            }
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh => {}
            Capability::ExtendedNextHop(v) => {
                for e in v {
                    out.extend_from_slice(&e.nlri_afi.to_be_bytes());
                    out.extend_from_slice(&e.nlri_safi.to_be_bytes());
                    out.extend_from_slice(&e.next_hop_afi.to_be_bytes());
                }
            }
            Capability::Role(r) => out.push(r.to_u8()),
            Capability::GracefulRestart(g) => {
                let hdr = (u16::from(g.flags & 0x0f) << 12) | (g.restart_time & 0x0fff);
                out.extend_from_slice(&hdr.to_be_bytes());
                for f in &g.families {
                    out.extend_from_slice(&f.family.afi.to_u16().to_be_bytes());
                    out.push(f.family.safi.to_u8());
                    out.push(f.flags);
                }
            }
            Capability::FourOctetAs(a) => out.extend_from_slice(&a.to_be_bytes()),
            Capability::AddPath(v) => {
                for e in v {
                    out.extend_from_slice(&e.family.afi.to_u16().to_be_bytes());
                    out.push(e.family.safi.to_u8());
                    out.push(e.mode.0);
                }
            }
            Capability::LongLivedGracefulRestart(v) => {
                for e in v {
                    out.extend_from_slice(&e.family.afi.to_u16().to_be_bytes());
                    out.push(e.family.safi.to_u8());
                    out.push(e.flags);
                    out.extend_from_slice(&e.stale_time.to_be_bytes()[1..]);
                }
            }
            Capability::Fqdn { hostname, domain } => {
                // The whole value must fit the 1-octet capability length.
                let h = &hostname[..hostname.len().min(253)];
                let d = &domain[..domain.len().min(253 - h.len())];
                out.push(h.len() as u8);
                out.extend_from_slice(h);
                out.push(d.len() as u8);
                out.extend_from_slice(d);
            }
            Capability::Unknown { value, .. } => {
                out.extend_from_slice(&value[..value.len().min(255)])
            }
        }
        let len = out.len() - len_at - 1;
        out[len_at] = len.min(255) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) -> Capability {
        let c = Capability::decode(bytes[0], &bytes[2..]).unwrap();
        let mut out = Vec::new();
        c.encode(&mut out);
        assert_eq!(out, bytes, "{c:?}");
        c
    }

    #[test]
    fn vectors() {
        assert_eq!(
            round_trip(&[1, 4, 0, 2, 0, 1]),
            Capability::Multiprotocol(Family::IPV6_UNICAST)
        );
        assert_eq!(round_trip(&[2, 0]), Capability::RouteRefresh);
        assert_eq!(round_trip(&[70, 0]), Capability::EnhancedRouteRefresh);
        assert_eq!(round_trip(&[6, 0]), Capability::ExtendedMessage);
        assert_eq!(
            round_trip(&[65, 4, 0xfa, 0x56, 0xea, 0x01]),
            Capability::FourOctetAs(4_200_000_001)
        );
        assert_eq!(round_trip(&[9, 1, 4]), Capability::Role(Role::Peer));
        assert_eq!(
            round_trip(&[5, 6, 0, 1, 0, 1, 0, 2]),
            Capability::ExtendedNextHop(vec![ExtendedNextHop {
                nlri_afi: 1,
                nlri_safi: 1,
                next_hop_afi: 2
            }])
        );
        let Capability::GracefulRestart(g) = round_trip(&[64, 6, 0xc0, 0x78, 0, 1, 1, 0x80]) else {
            panic!()
        };
        assert_eq!((g.flags, g.restart_time, g.families.len()), (0xc, 120, 1));
        let Capability::AddPath(a) = round_trip(&[69, 4, 0, 1, 1, 3]) else {
            panic!()
        };
        assert!(a[0].mode.send() && a[0].mode.receive());
        let Capability::LongLivedGracefulRestart(l) =
            round_trip(&[71, 7, 0, 2, 1, 0, 0, 0x0e, 0x10])
        else {
            panic!()
        };
        assert_eq!(l[0].stale_time, 3600);
        assert_eq!(
            round_trip(&[73, 5, 2, b'r', b'1', 1, b'x']),
            Capability::Fqdn {
                hostname: b"r1".to_vec(),
                domain: b"x".to_vec()
            }
        );
        assert_eq!(
            round_trip(&[128, 0]),
            Capability::Unknown {
                code: 128,
                value: vec![]
            }
        );
    }

    #[test]
    fn wrong_lengths_are_open_errors() {
        for bad in [
            &[1u8, 3, 0, 1, 1][..],
            &[65, 2, 0, 1],
            &[2, 1, 0],
            &[9, 0],
            &[73, 2, 5, 1],
        ] {
            let e = Capability::decode(bad[0], &bad[2..]).unwrap_err();
            assert_eq!((e.code, e.subcode), (2, 0), "{bad:?}");
        }
    }

    #[test]
    fn roles_pair_up() {
        assert_eq!(Role::Provider.expected_peer_role(), Some(Role::Customer));
        assert_eq!(
            Role::RouteServer.expected_peer_role(),
            Some(Role::RouteServerClient)
        );
        assert_eq!(Role::Peer.expected_peer_role(), Some(Role::Peer));
    }
}
