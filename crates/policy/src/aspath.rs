//! AS-path regular expressions, as FRR, GoBGP and Cisco write them: the
//! path is the text of its ASNs separated by spaces (an AS_SET as
//! `{a,b}`), and `_` stands for a boundary: the start, the end, a space or
//! a set's brace or comma. `^15169$` is a route from AS 15169 itself,
//! `_174_` any path through AS 174, `^64500( 64500)*$` one AS however
//! prepended.

use peerd_wire::attr::{AsPath, SegmentType};
use regex::Regex;
use std::fmt::Write;

/// A compiled AS-path expression, compared by its text.
#[derive(Debug, Clone)]
pub struct AsPathRegex {
    source: String,
    re: Regex,
}

impl PartialEq for AsPathRegex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for AsPathRegex {}

impl AsPathRegex {
    /// Compiles `source`; the error says what is wrong.
    pub fn new(source: &str) -> Result<Self, String> {
        let translated = source.replace('_', "(?:^|$|[ {},])");
        let re = Regex::new(&translated).map_err(|e| match e {
            regex::Error::Syntax(s) => {
                let last = s.lines().last().unwrap_or("bad expression").trim();
                last.strip_prefix("error: ").unwrap_or(last).to_string()
            }
            other => other.to_string(),
        })?;
        Ok(AsPathRegex {
            source: source.to_string(),
            re,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `path` matches.
    pub fn matches(&self, path: &AsPath) -> bool {
        self.re.is_match(&path_text(path))
    }
}

/// The text a path is matched as: `a b {c,d}`; confederation segments
/// are left out (they are not part of the path between ASes).
pub fn path_text(path: &AsPath) -> String {
    let mut s = String::new();
    for seg in &path.segments {
        match seg.kind {
            SegmentType::Sequence => {
                for a in &seg.asns {
                    if !s.is_empty() {
                        s.push(' ');
                    }
                    let _ = write!(s, "{a}");
                }
            }
            SegmentType::Set => {
                if !s.is_empty() {
                    s.push(' ');
                }
                s.push('{');
                for (i, a) in seg.asns.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    let _ = write!(s, "{a}");
                }
                s.push('}');
            }
            _ => {}
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use peerd_wire::attr::Segment;

    fn re(s: &str) -> AsPathRegex {
        AsPathRegex::new(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn anchors_boundaries_and_repetition() {
        let google = AsPath::from_sequence(vec![15169]);
        let prepended = AsPath::from_sequence(vec![15169, 15169, 15169]);
        let via = AsPath::from_sequence(vec![3356, 174, 1299]);
        assert!(re("^15169$").matches(&google));
        assert!(!re("^15169$").matches(&prepended));
        assert!(re("^15169( 15169)*$").matches(&prepended));
        assert!(re("_174_").matches(&via));
        assert!(!re("_17_").matches(&via));
        assert!(!re("_74_").matches(&via));
        assert!(re("^3356_").matches(&via));
        assert!(re("_1299$").matches(&via));
        assert!(re("^$").matches(&AsPath::default()));
        assert!(re(r"^\d+ \d+ \d+$").matches(&via));
    }

    #[test]
    fn sets_are_written_in_braces() {
        let mut p = AsPath::from_sequence(vec![64500]);
        p.segments.push(Segment {
            kind: SegmentType::Set,
            asns: vec![64510, 64511],
        });
        assert_eq!(path_text(&p), "64500 {64510,64511}");
        assert!(re("_64511_").matches(&p));
    }

    #[test]
    fn a_bad_expression_says_why() {
        let e = AsPathRegex::new("^(15169").unwrap_err();
        assert!(e.contains("unclosed"), "{e}");
    }
}
