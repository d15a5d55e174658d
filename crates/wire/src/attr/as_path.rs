//! AS_PATH (type 2, well-known mandatory; RFC 4271 §4.3, §5.1.2; RFC 5065 for
//! confederation segments; RFC 6793 for 4-octet AS numbers).
//!
//! ```text
//! +------------------+------------------+-------------------------------+
//! | segment type (1) | segment len (1)  | len × AS number (2 or 4 each) | ...
//! +------------------+------------------+-------------------------------+
//! types: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET
//! ```
//!
//! The AS number width is a property of the session (RFC 6793): 2 octets with
//! an old speaker, 4 octets once both sides advertised the capability. A bad
//! segment type, a zero-length segment or a length that does not match the
//! attribute is a Malformed AS_PATH (3/11), handled as treat-as-withdraw
//! (RFC 7606 §7.2).

use super::Fault;
use crate::reader::Reader;
use std::fmt;

/// AS_TRANS, the 2-octet stand-in for a 4-octet AS number (RFC 6793 §9).
pub const AS_TRANS: u32 = 23456;

/// The kind of an AS_PATH segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegmentType {
    /// AS_SET (1): unordered, from aggregation.
    Set,
    /// AS_SEQUENCE (2): ordered.
    Sequence,
    /// AS_CONFED_SEQUENCE (3, RFC 5065).
    ConfedSequence,
    /// AS_CONFED_SET (4, RFC 5065).
    ConfedSet,
}

impl SegmentType {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            SegmentType::Set => 1,
            SegmentType::Sequence => 2,
            SegmentType::ConfedSequence => 3,
            SegmentType::ConfedSet => 4,
        }
    }

    fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            1 => SegmentType::Set,
            2 => SegmentType::Sequence,
            3 => SegmentType::ConfedSequence,
            4 => SegmentType::ConfedSet,
            _ => return None,
        })
    }

    /// Whether this is a confederation segment.
    pub fn is_confed(self) -> bool {
        matches!(self, SegmentType::ConfedSequence | SegmentType::ConfedSet)
    }
}

/// One AS_PATH segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Segment {
    /// The kind of segment.
    pub kind: SegmentType,
    /// The AS numbers, in wire order.
    pub asns: Vec<u32>,
}

/// An AS path: a list of segments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AsPath {
    /// The segments, in wire order.
    pub segments: Vec<Segment>,
}

impl AsPath {
    /// A path made of one AS_SEQUENCE.
    pub fn from_sequence(asns: impl Into<Vec<u32>>) -> Self {
        let asns = asns.into();
        if asns.is_empty() {
            return AsPath::default();
        }
        AsPath {
            segments: vec![Segment {
                kind: SegmentType::Sequence,
                asns,
            }],
        }
    }

    /// Decodes an AS_PATH value with 2- or 4-octet AS numbers.
    pub(crate) fn decode(value: &[u8], four_octet: bool) -> Result<AsPath, Fault> {
        let width = if four_octet { 4 } else { 2 };
        let mut r = Reader::new(value);
        let mut segments = Vec::with_capacity(1);
        while !r.is_empty() {
            let kind = r
                .u8()
                .and_then(SegmentType::from_u8)
                .ok_or(Fault::AS_PATH)?;
            let count = r.u8().ok_or(Fault::AS_PATH)?;
            if count == 0 {
                return Err(Fault::AS_PATH);
            }
            let body = r.take(usize::from(count) * width).ok_or(Fault::AS_PATH)?;
            let asns = if four_octet {
                body.chunks_exact(4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            } else {
                body.chunks_exact(2)
                    .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
                    .collect()
            };
            segments.push(Segment { kind, asns });
        }
        Ok(AsPath { segments })
    }

    /// Appends the encoding. With 2-octet width, AS numbers above 65535 are
    /// written as AS_TRANS (RFC 6793 §4.2.2). Segments longer than 255 AS
    /// numbers are split.
    pub fn encode(&self, out: &mut Vec<u8>, four_octet: bool) {
        for seg in &self.segments {
            for chunk in seg.asns.chunks(255) {
                out.push(seg.kind.to_u8());
                out.push(chunk.len() as u8);
                for &asn in chunk {
                    if four_octet {
                        out.extend_from_slice(&asn.to_be_bytes());
                    } else {
                        let a = u16::try_from(asn).unwrap_or(AS_TRANS as u16);
                        out.extend_from_slice(&a.to_be_bytes());
                    }
                }
            }
        }
    }

    /// Path length for best-path selection (RFC 4271 §9.1.2.2 a): each AS in a
    /// sequence counts one, an AS_SET counts one, confederation segments count
    /// zero (RFC 5065 §5.3).
    pub fn path_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s.kind {
                SegmentType::Sequence => s.asns.len(),
                SegmentType::Set => 1,
                _ => 0,
            })
            .sum()
    }

    /// The originating AS: the last AS of a final AS_SEQUENCE, if there is one.
    pub fn origin_as(&self) -> Option<u32> {
        let last = self.segments.last()?;
        match last.kind {
            SegmentType::Sequence => last.asns.last().copied(),
            _ => None,
        }
    }

    /// The neighbouring AS: the first AS of a leading AS_SEQUENCE.
    pub fn first_as(&self) -> Option<u32> {
        let first = self.segments.iter().find(|s| !s.kind.is_confed())?;
        match first.kind {
            SegmentType::Sequence => first.asns.first().copied(),
            _ => None,
        }
    }

    /// Whether `asn` appears anywhere in the path (loop detection, RFC 4271 §9.1.2).
    pub fn contains(&self, asn: u32) -> bool {
        self.segments.iter().any(|s| s.asns.contains(&asn))
    }

    /// Prepends `asn` to the leading AS_SEQUENCE, or adds one (RFC 4271 §5.1.2).
    pub fn prepend(&mut self, asn: u32) {
        match self.segments.first_mut() {
            Some(s) if s.kind == SegmentType::Sequence && s.asns.len() < 255 => {
                s.asns.insert(0, asn)
            }
            _ => self.segments.insert(
                0,
                Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![asn],
                },
            ),
        }
    }

    /// Whether any AS number needs 4 octets.
    pub fn has_four_octet_asns(&self) -> bool {
        self.segments
            .iter()
            .any(|s| s.asns.iter().any(|&a| a > u32::from(u16::MAX)))
    }
}

impl fmt::Display for AsPath {
    /// `64500 64501 {64502,64503} (64504 64505) [64506,64507]`: sequences
    /// space-separated, sets in braces, confederation sequences in parentheses,
    /// confederation sets in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            let (open, sep, close) = match seg.kind {
                SegmentType::Sequence => ("", " ", ""),
                SegmentType::Set => ("{", ",", "}"),
                SegmentType::ConfedSequence => ("(", " ", ")"),
                SegmentType::ConfedSet => ("[", ",", "]"),
            };
            f.write_str(open)?;
            for (j, a) in seg.asns.iter().enumerate() {
                if j > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(close)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_octet_round_trip_with_set() {
        // AS_SEQUENCE 64500 64501, AS_SET {64502, 64503}
        let bytes = [2, 2, 0xfb, 0xf4, 0xfb, 0xf5, 1, 2, 0xfb, 0xf6, 0xfb, 0xf7];
        let p = AsPath::decode(&bytes, false).unwrap();
        assert_eq!(p.to_string(), "64500 64501 {64502,64503}");
        assert_eq!(p.path_len(), 3);
        assert_eq!(p.origin_as(), None);
        let mut out = Vec::new();
        p.encode(&mut out, false);
        assert_eq!(out, bytes);
    }

    #[test]
    fn confed_segments_do_not_count() {
        let bytes = [
            3, 1, 0, 0, 0xfd, 0xe8, 4, 1, 0, 0, 0xfd, 0xe9, 2, 1, 0, 0, 0xfb, 0xf4,
        ];
        let p = AsPath::decode(&bytes, true).unwrap();
        assert_eq!(p.to_string(), "(65000) [65001] 64500");
        assert_eq!(p.path_len(), 1);
        assert_eq!(p.first_as(), Some(64500));
    }

    #[test]
    fn bad_segments_are_malformed() {
        assert_eq!(AsPath::decode(&[5, 1, 0, 1], false), Err(Fault::AS_PATH));
        assert_eq!(AsPath::decode(&[2, 0], false), Err(Fault::AS_PATH));
        assert_eq!(AsPath::decode(&[2, 2, 0, 1], false), Err(Fault::AS_PATH));
        assert_eq!(AsPath::decode(&[2], false), Err(Fault::AS_PATH));
    }

    #[test]
    fn four_octet_asn_becomes_as_trans_on_a_two_octet_session() {
        let p = AsPath::from_sequence(vec![4_200_000_000, 64500]);
        let mut out = Vec::new();
        p.encode(&mut out, false);
        assert_eq!(out, [2, 2, 0x5b, 0xa0, 0xfb, 0xf4]);
    }

    #[test]
    fn long_sequences_are_split_and_prepend_starts_a_segment() {
        let mut p = AsPath::from_sequence(vec![1; 255]);
        p.prepend(7);
        assert_eq!(p.segments.len(), 2);
        assert_eq!(p.path_len(), 256);
        let mut out = Vec::new();
        p.encode(&mut out, true);
        assert_eq!(AsPath::decode(&out, true).unwrap(), p);
    }
}
