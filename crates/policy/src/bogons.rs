//! Built-in bogons: prefixes and AS numbers that must never appear in the
//! global routing table. One list, here, so that every check agrees.
//!
//! Prefixes: the IANA special-purpose registries (RFC 6890 and updates)
//! entries that are not globally reachable, plus multicast, the former
//! class E, and IPv6 outside 2000::/3. A prefix is a bogon when it lies
//! inside one of these (the default route is not).
//!
//! AS numbers: RFC 7607 (0), RFC 6793 (23456, AS_TRANS), RFC 5398
//! (documentation), RFC 6996 (private use), RFC 7300 (last of each range),
//! and IANA's reserved 65552-131071.

use peerd_wire::Prefix;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 bogons: (address, length).
pub const IPV4: &[([u8; 4], u8)] = &[
    ([0, 0, 0, 0], 8),       // "this network" (RFC 791)
    ([10, 0, 0, 0], 8),      // private (RFC 1918)
    ([100, 64, 0, 0], 10),   // shared address space (RFC 6598)
    ([127, 0, 0, 0], 8),     // loopback (RFC 1122)
    ([169, 254, 0, 0], 16),  // link local (RFC 3927)
    ([172, 16, 0, 0], 12),   // private (RFC 1918)
    ([192, 0, 0, 0], 24),    // IETF protocol assignments (RFC 6890)
    ([192, 0, 2, 0], 24),    // TEST-NET-1 (RFC 5737)
    ([192, 168, 0, 0], 16),  // private (RFC 1918)
    ([198, 18, 0, 0], 15),   // benchmarking (RFC 2544)
    ([198, 51, 100, 0], 24), // TEST-NET-2 (RFC 5737)
    ([203, 0, 113, 0], 24),  // TEST-NET-3 (RFC 5737)
    ([224, 0, 0, 0], 4),     // multicast (RFC 5771)
    ([240, 0, 0, 0], 4),     // reserved, and limited broadcast (RFC 1112)
];

/// IPv6 bogons inside 2000::/3 (everything outside it is one too).
pub const IPV6: &[(u16, u16, u16, u8)] = &[
    (0x2001, 0x0002, 0, 48), // benchmarking (RFC 5180)
    (0x2001, 0x0010, 0, 28), // ORCHID (RFC 4843)
    (0x2001, 0x0db8, 0, 32), // documentation (RFC 3849)
    (0x2002, 0, 0, 16),      // 6to4 (RFC 3056; not to be announced further)
    (0x3ffe, 0, 0, 16),      // former 6bone (RFC 3701)
    (0x3fff, 0, 0, 20),      // documentation (RFC 9637)
];

/// Inclusive ranges of bogon AS numbers.
pub const ASNS: &[(u32, u32)] = &[
    (0, 0),                         // RFC 7607
    (23456, 23456),                 // AS_TRANS (RFC 6793)
    (64496, 64511),                 // documentation (RFC 5398)
    (64512, 65534),                 // private use (RFC 6996)
    (65535, 65535),                 // last 16-bit (RFC 7300)
    (65536, 65551),                 // documentation (RFC 5398)
    (65552, 131071),                // IANA reserved
    (4_200_000_000, 4_294_967_294), // private use (RFC 6996)
    (4_294_967_295, 4_294_967_295), // last 32-bit (RFC 7300)
];

/// Whether `p` lies inside a bogon range.
pub fn is_bogon_prefix(p: &Prefix) -> bool {
    match p.addr() {
        IpAddr::V4(a) => {
            let a = u32::from(a);
            IPV4.iter().any(|(net, len)| {
                p.len() >= *len && within(a, u32::from(Ipv4Addr::from(*net)), *len)
            })
        }
        IpAddr::V6(a) => {
            if p.is_empty() {
                return false;
            }
            let v = u128::from(a);
            // Outside 2000::/3: not global unicast.
            if p.len() < 3 || (v >> 125) != 1 {
                return true;
            }
            IPV6.iter().any(|&(a0, a1, a2, len)| {
                let net = u128::from(Ipv6Addr::new(a0, a1, a2, 0, 0, 0, 0, 0));
                p.len() >= len && within128(v, net, len)
            })
        }
    }
}

/// Whether `asn` is a bogon AS number.
pub fn is_bogon_asn(asn: u32) -> bool {
    ASNS.iter().any(|&(lo, hi)| (lo..=hi).contains(&asn))
}

fn within(a: u32, net: u32, len: u8) -> bool {
    len == 0 || (a ^ net) >> (32 - u32::from(len)) == 0
}

fn within128(a: u128, net: u128, len: u8) -> bool {
    len == 0 || (a ^ net) >> (128 - u32::from(len)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn bogon_prefixes_and_their_more_specifics_but_not_their_neighbours() {
        for b in [
            "10.0.0.0/8",
            "10.1.2.0/24",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "203.0.113.0/24",
            "224.0.0.0/4",
            "255.255.255.255/32",
            "fe80::/10",
            "fc00::/7",
            "::/8",
            "2001:db8::/32",
            "2001:db8:1::/48",
            "2002::/16",
        ] {
            assert!(is_bogon_prefix(&p(b)), "{b}");
        }
        for g in [
            "0.0.0.0/0",
            "::/0",
            "8.8.8.0/24",
            "11.0.0.0/8",
            "100.128.0.0/10",
            "203.0.112.0/24",
            "172.32.0.0/11",
            "2001:4860::/32",
            "2a00::/12",
            // A covering prefix of a bogon is not a bogon itself.
            "192.0.0.0/16",
        ] {
            assert!(!is_bogon_prefix(&p(g)), "{g}");
        }
    }

    #[test]
    fn bogon_asns() {
        for a in [
            0,
            23456,
            64496,
            64512,
            65000,
            65534,
            65535,
            65551,
            100_000,
            4_200_000_000,
            u32::MAX,
        ] {
            assert!(is_bogon_asn(a), "{a}");
        }
        for a in [1, 174, 15169, 64495, 131_072, 4_199_999_999] {
            assert!(!is_bogon_asn(a), "{a}");
        }
    }
}
