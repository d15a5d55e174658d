//! LARGE_COMMUNITY (type 32, optional transitive; RFC 8092).
//!
//! A list of 12-octet values: global administrator, local data 1, local data 2,
//! each 4 octets. Empty or not a multiple of twelve: treat-as-withdraw
//! (RFC 8092 §6).

use super::communities::{numbers, CommunityParseError};
use super::Fault;
use std::fmt;
use std::str::FromStr;

/// One large community `global:local1:local2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LargeCommunity {
    /// Global administrator (an AS number).
    pub global: u32,
    /// Local data part 1.
    pub local1: u32,
    /// Local data part 2.
    pub local2: u32,
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.global, self.local1, self.local2)
    }
}

impl FromStr for LargeCommunity {
    type Err = CommunityParseError;

    /// `GLOBAL:LOCAL1:LOCAL2`, each 0-4294967295.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        numbers::<u32, 3>(s)
            .map(|[global, local1, local2]| LargeCommunity {
                global,
                local1,
                local2,
            })
            .ok_or(CommunityParseError(
                "GLOBAL:LOCAL1:LOCAL2 with each part 0-4294967295",
            ))
    }
}

pub(crate) fn decode(value: &[u8]) -> Result<Vec<LargeCommunity>, Fault> {
    if value.is_empty() || value.len() % 12 != 0 {
        return Err(Fault::LENGTH);
    }
    Ok(value
        .chunks_exact(12)
        .map(|c| LargeCommunity {
            global: u32::from_be_bytes([c[0], c[1], c[2], c[3]]),
            local1: u32::from_be_bytes([c[4], c[5], c[6], c[7]]),
            local2: u32::from_be_bytes([c[8], c[9], c[10], c[11]]),
        })
        .collect())
}

pub(crate) fn encode(list: &[LargeCommunity], out: &mut Vec<u8>) {
    for c in list {
        out.extend_from_slice(&c.global.to_be_bytes());
        out.extend_from_slice(&c.local1.to_be_bytes());
        out.extend_from_slice(&c.local2.to_be_bytes());
    }
}
