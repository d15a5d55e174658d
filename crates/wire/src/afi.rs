//! Address families: AFI and SAFI (IANA registries, RFC 4760 §5).

use std::fmt;

/// Address Family Identifier (IANA "Address Family Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Afi {
    /// IPv4 (1).
    Ipv4,
    /// IPv6 (2).
    Ipv6,
    /// Any other value, kept so it survives a round trip.
    Unknown(u16),
}

impl Afi {
    /// Decodes the 2-octet registry value.
    pub fn from_u16(v: u16) -> Self {
        match v {
            1 => Afi::Ipv4,
            2 => Afi::Ipv6,
            v => Afi::Unknown(v),
        }
    }

    /// The 2-octet registry value.
    pub fn to_u16(self) -> u16 {
        match self {
            Afi::Ipv4 => 1,
            Afi::Ipv6 => 2,
            Afi::Unknown(v) => v,
        }
    }
}

/// Subsequent Address Family Identifier (IANA "SAFI Values").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Safi {
    /// Unicast forwarding (1).
    Unicast,
    /// Multicast forwarding (2).
    Multicast,
    /// Any other value, kept so it survives a round trip.
    Unknown(u8),
}

impl Safi {
    /// Decodes the 1-octet registry value.
    pub fn from_u8(v: u8) -> Self {
        match v {
            1 => Safi::Unicast,
            2 => Safi::Multicast,
            v => Safi::Unknown(v),
        }
    }

    /// The 1-octet registry value.
    pub fn to_u8(self) -> u8 {
        match self {
            Safi::Unicast => 1,
            Safi::Multicast => 2,
            Safi::Unknown(v) => v,
        }
    }
}

/// An (AFI, SAFI) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Family {
    /// The address family.
    pub afi: Afi,
    /// The sub-address family.
    pub safi: Safi,
}

impl Family {
    /// IPv4 unicast.
    pub const IPV4_UNICAST: Family = Family {
        afi: Afi::Ipv4,
        safi: Safi::Unicast,
    };
    /// IPv6 unicast.
    pub const IPV6_UNICAST: Family = Family {
        afi: Afi::Ipv6,
        safi: Safi::Unicast,
    };
    /// IPv4 multicast.
    pub const IPV4_MULTICAST: Family = Family {
        afi: Afi::Ipv4,
        safi: Safi::Multicast,
    };
    /// IPv6 multicast.
    pub const IPV6_MULTICAST: Family = Family {
        afi: Afi::Ipv6,
        safi: Safi::Multicast,
    };

    /// Builds a family from registry values.
    pub fn new(afi: u16, safi: u8) -> Self {
        Family {
            afi: Afi::from_u16(afi),
            safi: Safi::from_u8(safi),
        }
    }

    /// Whether this family's NLRI is a plain list of IP prefixes (RFC 4760 §5),
    /// which this codec decodes; other families are kept as opaque bytes.
    pub fn has_prefix_nlri(self) -> bool {
        matches!(self.afi, Afi::Ipv4 | Afi::Ipv6)
            && matches!(self.safi, Safi::Unicast | Safi::Multicast)
    }

    /// A bit for the four prefix families, used by [`FamilySet`].
    fn bit(self) -> Option<u8> {
        match (self.afi, self.safi) {
            (Afi::Ipv4, Safi::Unicast) => Some(1),
            (Afi::Ipv6, Safi::Unicast) => Some(2),
            (Afi::Ipv4, Safi::Multicast) => Some(4),
            (Afi::Ipv6, Safi::Multicast) => Some(8),
            _ => None,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let afi = match self.afi {
            Afi::Ipv4 => "ipv4".to_string(),
            Afi::Ipv6 => "ipv6".to_string(),
            Afi::Unknown(v) => format!("afi{v}"),
        };
        let safi = match self.safi {
            Safi::Unicast => "unicast".to_string(),
            Safi::Multicast => "multicast".to_string(),
            Safi::Unknown(v) => format!("safi{v}"),
        };
        write!(f, "{afi}-{safi}")
    }
}

/// A small set of the prefix families (IPv4/IPv6 × unicast/multicast).
///
/// Used for per-family negotiated options such as ADD-PATH, where only families
/// with prefix NLRI matter to the codec.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FamilySet(u8);

impl FamilySet {
    /// The empty set.
    pub const EMPTY: FamilySet = FamilySet(0);
    /// All four prefix families.
    pub const ALL: FamilySet = FamilySet(0x0f);

    /// Adds a family; families without prefix NLRI are ignored.
    pub fn insert(&mut self, family: Family) {
        if let Some(b) = family.bit() {
            self.0 |= b;
        }
    }

    /// Whether the family is in the set.
    pub fn contains(self, family: Family) -> bool {
        family.bit().is_some_and(|b| self.0 & b != 0)
    }

    /// Builds a set from families.
    pub fn of(families: &[Family]) -> Self {
        let mut s = FamilySet::EMPTY;
        for f in families {
            s.insert(*f);
        }
        s
    }
}
