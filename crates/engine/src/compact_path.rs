//! AS paths as the engine keeps them: one heap block each.
//!
//! A decoded [`AsPath`] is three blocks (the path, its segment list, each
//! segment's ASNs); every distinct path of a full table is held as long as a
//! route uses it, and each feed brings its own paths (the neighbour's AS
//! leads them), so their size counts per route. Here a path is one shared
//! slice of words: per segment a header (type << 16 | count) and its ASNs.
//! The decision process reads it in place; a policy or an export that needs
//! the decoded form gets one with [`CompactPath::to_as_path`].

use peerd_wire::attr::{AsPath, Segment, SegmentType};
use std::fmt;
use std::sync::Arc;

/// An AS path in one block, shared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompactPath(Arc<[u32]>);

/// The encoding of `p`: per segment a header word and its ASNs.
pub(crate) fn words(p: &AsPath) -> Vec<u32> {
    let mut w = Vec::with_capacity(p.segments.iter().map(|s| s.asns.len() + 1).sum());
    for s in &p.segments {
        w.push(u32::from(s.kind.to_u8()) << 16 | s.asns.len().min(0xffff) as u32);
        w.extend(s.asns.iter().take(0xffff));
    }
    w
}

fn kind(header: u32) -> SegmentType {
    match header >> 16 {
        1 => SegmentType::Set,
        3 => SegmentType::ConfedSequence,
        4 => SegmentType::ConfedSet,
        _ => SegmentType::Sequence,
    }
}

impl CompactPath {
    /// The shared words of an interned path (see `intern.rs`).
    pub(crate) fn from_shared(words: Arc<[u32]>) -> CompactPath {
        CompactPath(words)
    }

    /// A path of its own (not interned).
    pub fn new(p: &AsPath) -> CompactPath {
        CompactPath(words(p).into())
    }

    /// Where its block is: equal interned paths share one.
    pub(crate) fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }

    /// Its segments: kind and ASNs.
    pub fn segments(&self) -> impl Iterator<Item = (SegmentType, &[u32])> + '_ {
        let mut rest: &[u32] = &self.0;
        std::iter::from_fn(move || {
            let (&h, tail) = rest.split_first()?;
            let n = ((h & 0xffff) as usize).min(tail.len());
            let (asns, next) = tail.split_at(n);
            rest = next;
            Some((kind(h), asns))
        })
    }

    /// The decoded path.
    pub fn to_as_path(&self) -> AsPath {
        // Exactly as many segments as there are (a collected iterator of
        // unknown length would start at four): exported sets keep this.
        let mut segments = Vec::with_capacity(self.segments().count());
        segments.extend(self.segments().map(|(kind, asns)| Segment {
            kind,
            asns: asns.to_vec(),
        }));
        AsPath { segments }
    }

    /// Its length for the decision process, as [`AsPath::path_len`]
    /// counts (RFC 4271 §9.1.2.2 a: an AS_SET is one, confederation
    /// segments nothing).
    pub fn path_len(&self) -> usize {
        self.segments()
            .map(|(k, asns)| match k {
                SegmentType::Sequence => asns.len(),
                SegmentType::Set => 1,
                _ => 0,
            })
            .sum()
    }

    /// The neighbouring AS, as [`AsPath::first_as`] finds it: the first AS
    /// of a leading (non-confederation) AS_SEQUENCE.
    pub fn first_as(&self) -> Option<u32> {
        let (k, asns) = self.segments().find(|(k, _)| !k.is_confed())?;
        match k {
            SegmentType::Sequence => asns.first().copied(),
            _ => None,
        }
    }
}

impl fmt::Display for CompactPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_as_path().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_path() -> impl Strategy<Value = AsPath> {
        let seg =
            (1u8..=4, prop::collection::vec(any::<u32>(), 0..6)).prop_map(|(k, asns)| Segment {
                kind: match k {
                    1 => SegmentType::Set,
                    2 => SegmentType::Sequence,
                    3 => SegmentType::ConfedSequence,
                    _ => SegmentType::ConfedSet,
                },
                asns,
            });
        prop::collection::vec(seg, 0..5).prop_map(|segments| AsPath { segments })
    }

    proptest! {
        /// The compact form gives back the same path and answers as the
        /// decoded one does.
        #[test]
        fn same_answers_as_the_decoded_path(p in arb_path()) {
            let c = CompactPath::new(&p);
            prop_assert_eq!(c.to_as_path(), p.clone());
            prop_assert_eq!(c.path_len(), p.path_len());
            prop_assert_eq!(c.first_as(), p.first_as());
            prop_assert_eq!(c.to_string(), p.to_string());
        }
    }

    #[test]
    fn one_block_for_a_real_path() {
        let p = AsPath::from_sequence(vec![64501, 3356, 15169]);
        let c = CompactPath::new(&p);
        assert_eq!(c.0.len(), 4);
        assert_eq!((c.path_len(), c.first_as()), (3, Some(64501)));
        assert_eq!(c.to_string(), "64501 3356 15169");
    }
}
