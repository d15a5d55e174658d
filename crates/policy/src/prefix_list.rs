//! Prefix lists with `ge`/`le`, as FRR and Cisco write them: an entry
//! `P/L` matches exactly `P/L`; `P/L le M` matches `P/L` and the
//! more-specifics of `P/L` up to length M; `P/L ge N [le M]` matches the
//! more-specifics from length N (to M, default the family's maximum).

use peerd_wire::{Afi, Prefix};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// One entry of a prefix list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixEntry {
    /// The covering prefix.
    pub prefix: Prefix,
    /// Shortest length matched.
    pub ge: u8,
    /// Longest length matched.
    pub le: u8,
}

/// Why an entry does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixEntryError(pub String);

impl fmt::Display for PrefixEntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PrefixEntry {
    /// Whether `p` matches this entry.
    pub fn matches(&self, p: &Prefix) -> bool {
        p.afi() == self.prefix.afi()
            && (self.ge..=self.le).contains(&p.len())
            && covers(&self.prefix, p)
    }
}

/// Whether `outer` covers `inner` (same family, shorter or equal, same bits).
pub fn covers(outer: &Prefix, inner: &Prefix) -> bool {
    if inner.len() < outer.len() {
        return false;
    }
    let len = u32::from(outer.len());
    match (outer.addr(), inner.addr()) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            len == 0 || (u32::from(a) ^ u32::from(b)) >> (32 - len) == 0
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            len == 0 || (u128::from(a) ^ u128::from(b)) >> (128 - len) == 0
        }
        _ => false,
    }
}

impl FromStr for PrefixEntry {
    type Err = PrefixEntryError;

    /// `P/L`, `P/L le M`, `P/L ge N`, `P/L ge N le M`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const FORM: &str = "expected PREFIX/LEN with optional \"ge N\" and \"le M\", such as \"203.0.113.0/24 le 32\"";
        let mut words = s.split_whitespace();
        let prefix: Prefix = words
            .next()
            .and_then(|w| w.parse().ok())
            .ok_or_else(|| PrefixEntryError(format!("{FORM} (with host bits zero)")))?;
        let max = if prefix.afi() == Afi::Ipv6 { 128 } else { 32 };
        let (mut ge, mut le) = (None, None);
        while let Some(w) = words.next() {
            let n: u8 = words
                .next()
                .and_then(|v| v.parse().ok())
                .filter(|v| *v <= max)
                .ok_or_else(|| PrefixEntryError(format!("{FORM}; a length is 0-{max}")))?;
            match w {
                "ge" if ge.is_none() => ge = Some(n),
                "le" if le.is_none() => le = Some(n),
                _ => return Err(PrefixEntryError(FORM.to_string())),
            }
        }
        let (ge, le) = match (ge, le) {
            (None, None) => (prefix.len(), prefix.len()),
            (Some(g), None) => (g, max),
            (None, Some(l)) => (prefix.len(), l),
            (Some(g), Some(l)) => (g, l),
        };
        if ge < prefix.len() || le < ge {
            return Err(PrefixEntryError(format!(
                "needs {} <= ge <= le (the prefix's length first)",
                prefix.len()
            )));
        }
        Ok(PrefixEntry { prefix, ge, le })
    }
}

impl fmt::Display for PrefixEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = if self.prefix.afi() == Afi::Ipv6 {
            128
        } else {
            32
        };
        write!(f, "{}", self.prefix)?;
        if self.ge != self.prefix.len() {
            write!(f, " ge {}", self.ge)?;
        }
        if self.le != self.prefix.len() && !(self.ge != self.prefix.len() && self.le == max) {
            write!(f, " le {}", self.le)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> PrefixEntry {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }
    fn p(s: &str) -> Prefix {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn exact_le_ge_and_both() {
        let exact = e("203.0.113.0/24");
        assert!(exact.matches(&p("203.0.113.0/24")));
        assert!(!exact.matches(&p("203.0.113.0/25")));
        let le = e("203.0.113.0/24 le 26");
        assert!(le.matches(&p("203.0.113.0/24")));
        assert!(le.matches(&p("203.0.113.64/26")));
        assert!(!le.matches(&p("203.0.113.0/27")));
        assert!(!le.matches(&p("203.0.112.0/23")));
        let ge = e("10.0.0.0/8 ge 16");
        assert!(!ge.matches(&p("10.0.0.0/8")));
        assert!(ge.matches(&p("10.1.0.0/16")));
        assert!(ge.matches(&p("10.1.2.3/32")));
        assert!(!ge.matches(&p("11.1.0.0/16")));
        let both = e("2001:db8::/32 ge 40 le 48");
        assert!(both.matches(&p("2001:db8:100::/40")));
        assert!(both.matches(&p("2001:db8:1::/48")));
        assert!(!both.matches(&p("2001:db8::/32")));
        assert!(!both.matches(&p("2001:db8::/56")));
        assert!(!both.matches(&p("10.0.0.0/8")));
        let any = e("0.0.0.0/0 le 32");
        assert!(any.matches(&p("192.0.2.0/24")));
        assert!(!any.matches(&p("::/0")));
    }

    #[test]
    fn bad_entries_say_what_is_expected() {
        for bad in [
            "203.0.113.1/24",
            "203.0.113.0/24 le 33",
            "203.0.113.0/24 ge 20",
            "203.0.113.0/24 ge 28 le 26",
            "203.0.113.0/24 le",
            "203.0.113.0/24 upto 26",
            "203.0.113.0/24 le 26 le 27",
        ] {
            assert!(bad.parse::<PrefixEntry>().is_err(), "{bad}");
        }
    }

    #[test]
    fn display_is_the_normal_form() {
        for (i, o) in [
            ("203.0.113.0/24", "203.0.113.0/24"),
            ("203.0.113.0/24 le 32", "203.0.113.0/24 le 32"),
            ("10.0.0.0/8 ge 16", "10.0.0.0/8 ge 16"),
            ("10.0.0.0/8 ge 16 le 32", "10.0.0.0/8 ge 16"),
            ("10.0.0.0/8 ge 16 le 24", "10.0.0.0/8 ge 16 le 24"),
        ] {
            assert_eq!(e(i).to_string(), o);
        }
    }
}
