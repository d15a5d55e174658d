//! Communities of all three kinds in policies: values to add or set, and
//! patterns to match or remove, written as operators write them.
//!
//! | kind | value | pattern |
//! |---|---|---|
//! | standard (RFC 1997) | `64500:100`, `no-export` | `64500:*`, `*:100`, `64500:100-199` |
//! | large (RFC 8092) | `64500:1:2` | `64500:*:*`, `64500:1-9:*` |
//! | extended (RFC 4360) | `rt 64500:7`, `soo 192.0.2.1:3`, `0x…` | `rt 64500:*`, `soo *:*` |

use peerd_wire::attr::{Community, ExtCommunity, LargeCommunity};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// A community of any of the three kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnyCommunity {
    /// RFC 1997.
    Standard(Community),
    /// RFC 8092.
    Large(LargeCommunity),
    /// RFC 4360.
    Ext(ExtCommunity),
}

/// Why a community or a pattern does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityError(pub String);

impl fmt::Display for CommunityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_ext(s: &str) -> bool {
    s.starts_with("rt ") || s.starts_with("soo ") || s.starts_with("0x")
}

impl FromStr for AnyCommunity {
    type Err = CommunityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let r = if is_ext(s) {
            s.parse().map(AnyCommunity::Ext)
        } else if s.matches(':').count() == 2 {
            s.parse().map(AnyCommunity::Large)
        } else {
            s.parse().map(AnyCommunity::Standard)
        };
        r.map_err(|e| CommunityError(e.0.to_string()))
    }
}

impl fmt::Display for AnyCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyCommunity::Standard(c) => c.fmt(f),
            AnyCommunity::Large(c) => c.fmt(f),
            AnyCommunity::Ext(c) => c.fmt(f),
        }
    }
}

/// One part of a pattern: anything, one value, or an inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `*`
    Any,
    /// `lo-hi` (a single value has lo == hi).
    Range(u32, u32),
}

impl Field {
    fn matches(self, v: u32) -> bool {
        match self {
            Field::Any => true,
            Field::Range(lo, hi) => (lo..=hi).contains(&v),
        }
    }

    fn parse(s: &str, max: u32) -> Option<Field> {
        if s == "*" {
            return Some(Field::Any);
        }
        let (lo, hi) = match s.split_once('-') {
            Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
            None => {
                let v = s.parse().ok()?;
                (v, v)
            }
        };
        (lo <= hi && hi <= max).then_some(Field::Range(lo, hi))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Any => f.write_str("*"),
            Field::Range(a, b) if a == b => write!(f, "{a}"),
            Field::Range(a, b) => write!(f, "{a}-{b}"),
        }
    }
}

/// A pattern over communities of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommunityPattern {
    /// `AS:VALUE`, each part a [`Field`].
    Standard(Field, Field),
    /// `GLOBAL:LOCAL1:LOCAL2`.
    Large(Field, Field, Field),
    /// `rt|soo GLOBAL:LOCAL`: sub-type, global administrator, local value.
    Ext(u8, Field, Field),
    /// One exact extended community (`0x…`, or any exact value).
    ExtExact(ExtCommunity),
}

impl CommunityPattern {
    /// Whether `c` matches.
    pub fn matches(&self, c: &AnyCommunity) -> bool {
        match (self, c) {
            (CommunityPattern::Standard(a, v), AnyCommunity::Standard(c)) => {
                a.matches(c.0 >> 16) && v.matches(c.0 & 0xFFFF)
            }
            (CommunityPattern::Large(g, l1, l2), AnyCommunity::Large(c)) => {
                g.matches(c.global) && l1.matches(c.local1) && l2.matches(c.local2)
            }
            (CommunityPattern::ExtExact(e), AnyCommunity::Ext(c)) => e == c,
            (CommunityPattern::Ext(sub, g, l), AnyCommunity::Ext(c)) => {
                ext_parts(c).is_some_and(|(s, gv, lv)| s == *sub && g.matches(gv) && l.matches(lv))
            }
            _ => false,
        }
    }
}

/// Sub-type, global administrator and local value of a two-octet-AS,
/// IPv4-address or four-octet-AS specific extended community (RFC 4360
/// §3.1-3.2, RFC 5668), transitive or not.
fn ext_parts(c: &ExtCommunity) -> Option<(u8, u32, u32)> {
    let b = c.0;
    let be16 = |i: usize| u32::from(u16::from_be_bytes([b[i], b[i + 1]]));
    let be32 = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    match b[0] & 0x3F {
        0x00 => Some((b[1], be16(2), be32(4))),
        0x01 | 0x02 => Some((b[1], be32(2), be16(6))),
        _ => None,
    }
}

impl FromStr for CommunityPattern {
    type Err = CommunityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        const STD: &str = "expected a community pattern: AS:VALUE, GLOBAL:LOCAL1:LOCAL2 or \"rt|soo GLOBAL:LOCAL\", each part a number, a range N-M or *";
        let bad = || CommunityError(STD.to_string());
        if let Some(hex) = s.strip_prefix("0x") {
            let e = format!("0x{hex}")
                .parse::<ExtCommunity>()
                .map_err(|_| bad())?;
            return Ok(CommunityPattern::ExtExact(e));
        }
        if let Some((kind, rest)) = s.split_once(' ') {
            let sub = match kind {
                "rt" => 0x02,
                "soo" => 0x03,
                _ => return Err(bad()),
            };
            let (g, l) = rest.trim().rsplit_once(':').ok_or_else(bad)?;
            let g = match g.parse::<Ipv4Addr>() {
                Ok(ip) => Field::Range(u32::from(ip), u32::from(ip)),
                Err(_) => Field::parse(g, u32::MAX).ok_or_else(bad)?,
            };
            let l = Field::parse(l, u32::MAX).ok_or_else(bad)?;
            return Ok(CommunityPattern::Ext(sub, g, l));
        }
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            [a, v] => Ok(CommunityPattern::Standard(
                Field::parse(a, 0xFFFF).ok_or_else(bad)?,
                Field::parse(v, 0xFFFF).ok_or_else(bad)?,
            )),
            [g, l1, l2] => Ok(CommunityPattern::Large(
                Field::parse(g, u32::MAX).ok_or_else(bad)?,
                Field::parse(l1, u32::MAX).ok_or_else(bad)?,
                Field::parse(l2, u32::MAX).ok_or_else(bad)?,
            )),
            // A well-known name such as no-export.
            [_] => {
                let c: Community = s.parse().map_err(|_| bad())?;
                let (a, v) = (c.0 >> 16, c.0 & 0xFFFF);
                Ok(CommunityPattern::Standard(
                    Field::Range(a, a),
                    Field::Range(v, v),
                ))
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for CommunityPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommunityPattern::Standard(a, v) => write!(f, "{a}:{v}"),
            CommunityPattern::Large(g, l1, l2) => write!(f, "{g}:{l1}:{l2}"),
            CommunityPattern::Ext(sub, g, l) => {
                let kind = if *sub == 0x03 { "soo" } else { "rt" };
                write!(f, "{kind} {g}:{l}")
            }
            CommunityPattern::ExtExact(e) => e.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> AnyCommunity {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn pat(s: &str) -> CommunityPattern {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn values_of_each_kind() {
        assert_eq!(
            c("64500:100"),
            AnyCommunity::Standard(Community(64500 << 16 | 100))
        );
        assert_eq!(c("no-export"), AnyCommunity::Standard(Community::NO_EXPORT));
        assert!(matches!(c("64500:1:2"), AnyCommunity::Large(_)));
        assert!(matches!(c("rt 64500:7"), AnyCommunity::Ext(_)));
        assert!("64500:1:2:3".parse::<AnyCommunity>().is_err());
        assert!("70000:1".parse::<AnyCommunity>().is_err());
    }

    #[test]
    fn patterns_match_their_kind_only() {
        let p = pat("64500:*");
        assert!(p.matches(&c("64500:1")));
        assert!(!p.matches(&c("64501:1")));
        assert!(!p.matches(&c("64500:0:1")));
        let p = pat("*:100-199");
        assert!(p.matches(&c("1:150")));
        assert!(!p.matches(&c("1:200")));
        let p = pat("64500:*:7");
        assert!(p.matches(&c("64500:9:7")));
        assert!(!p.matches(&c("64500:9:8")));
        assert!(!p.matches(&c("64500:7")));
        let p = pat("rt 64500:*");
        assert!(p.matches(&c("rt 64500:7")));
        assert!(!p.matches(&c("soo 64500:7")));
        assert!(!p.matches(&c("rt 64501:7")));
        let p = pat("soo 192.0.2.1:*");
        assert!(p.matches(&c("soo 192.0.2.1:3")));
        assert!(pat("rt 4200000001:*").matches(&c("rt 4200000001:5")));
        assert!(pat("no-export").matches(&c("no-export")));
        assert!(!pat("no-export").matches(&c("no-advertise")));
    }

    #[test]
    fn bad_patterns() {
        for b in [
            "64500", "64500:", "70000:*", "*:*:*:*", "rt 64500", "xx 1:2", "5-3:1",
        ] {
            assert!(b.parse::<CommunityPattern>().is_err(), "{b}");
        }
    }

    #[test]
    fn display_round_trips() {
        for s in ["64500:*", "*:100-199", "64500:*:7", "rt 64500:*", "soo *:*"] {
            assert_eq!(pat(s).to_string(), s);
        }
    }
}
