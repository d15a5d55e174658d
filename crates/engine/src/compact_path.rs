//! AS paths as the engine keeps them: the neighbour's AS apart, the rest in
//! one shared heap block.
//!
//! A decoded [`AsPath`] is three blocks (the path, its segment list, each
//! segment's ASNs); every distinct path of a full table is held as long as a
//! route uses it, so their size counts per route. Every path a neighbour
//! sends starts with its own AS (RFC 4271 §5.1.2), so two neighbours never
//! send the same path, but behind their own AS their paths to an origin
//! often agree. So a path is the neighbour's AS (the first ASN of a leading
//! AS_SEQUENCE) plus the rest, interned apart ([`Rests`]) behind a thin
//! pointer: per segment a header word (type << 16 | count) and its ASNs.
//! The decision process reads it in place; a policy or an export that needs
//! the decoded form gets one with [`CompactPath::to_as_path`].

use crate::hash::FastHasher;
use hashbrown::HashTable;
use peerd_wire::attr::{AsPath, Segment, SegmentType};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use triomphe::ThinArc;

/// The shared words of the rest of a path (8 octets a pointer).
type Words = ThinArc<(), u32>;

/// An AS path: the first AS apart, the rest shared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompactPath {
    /// The first ASN of a leading AS_SEQUENCE (the neighbour's AS), when
    /// the path has one and it is not 0; the first segment of `rest` is
    /// then that AS_SEQUENCE's other ASNs (maybe none).
    first: Option<NonZeroU32>,
    /// The rest of the path, per segment a header word and its ASNs.
    rest: Words,
}

/// The path without its first AS (when split), as words.
fn split(p: &AsPath) -> (Option<NonZeroU32>, Vec<u32>) {
    let mut first = None;
    let mut w = Vec::with_capacity(p.segments.iter().map(|s| s.asns.len() + 1).sum());
    for (i, s) in p.segments.iter().enumerate() {
        let mut asns: &[u32] = &s.asns[..s.asns.len().min(0xffff)];
        if i == 0 && s.kind == SegmentType::Sequence {
            if let Some((&f, tail)) = asns.split_first() {
                first = NonZeroU32::new(f);
                if first.is_some() {
                    asns = tail;
                }
            }
        }
        w.push(u32::from(s.kind.to_u8()) << 16 | asns.len() as u32);
        w.extend_from_slice(asns);
    }
    (first, w)
}

fn kind(header: u32) -> SegmentType {
    match header >> 16 {
        1 => SegmentType::Set,
        3 => SegmentType::ConfedSequence,
        4 => SegmentType::ConfedSet,
        _ => SegmentType::Sequence,
    }
}

fn hash_words(w: &[u32]) -> u64 {
    let mut h = FastHasher::default();
    w.hash(&mut h);
    h.finish()
}

/// Shared copies of the rests of AS paths (hash-consing, as `intern.rs`):
/// forgets those nobody else holds when it has doubled since the last
/// sweep.
#[derive(Debug, Clone)]
pub(crate) struct Rests {
    table: HashTable<Words>,
    sweep_at: usize,
    /// Bytes of the rests held.
    bytes: usize,
}

impl Default for Rests {
    fn default() -> Self {
        Rests {
            table: HashTable::new(),
            sweep_at: 1024,
            bytes: 0,
        }
    }
}

/// A rest's block: its reference count, its length, its words.
fn cost(words: usize) -> usize {
    16 + (4 * words).next_multiple_of(8)
}

impl Rests {
    /// The shared compact form of `p`.
    pub(crate) fn compact(&mut self, p: &AsPath) -> CompactPath {
        let (first, w) = split(p);
        let h = hash_words(&w);
        if let Some(rest) = self.table.find(h, |r| r.slice == w[..]) {
            return CompactPath {
                first,
                rest: rest.clone(),
            };
        }
        if self.table.len() >= self.sweep_at {
            let mut freed = 0;
            self.table.retain(|r| {
                let keep = ThinArc::strong_count(r) > 1;
                if !keep {
                    freed += cost(r.slice.len());
                }
                keep
            });
            self.bytes -= freed;
            self.sweep_at = (self.table.len() * 2).max(1024);
        }
        self.bytes += cost(w.len());
        let rest = ThinArc::from_header_and_slice((), &w);
        self.table
            .insert_unique(h, rest.clone(), |r| hash_words(&r.slice));
        CompactPath { first, rest }
    }

    /// Distinct rests held (including some no longer used, until a sweep).
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// Bytes of the rests held and of the table that finds them.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes + crate::intern::table_bytes(self.table.capacity(), 8)
    }
}

impl CompactPath {
    /// A path of its own (not interned).
    pub fn new(p: &AsPath) -> CompactPath {
        let (first, w) = split(p);
        CompactPath {
            first,
            rest: ThinArc::from_header_and_slice((), &w),
        }
    }

    /// What identifies an interned path: its first AS and where its rest
    /// is (equal interned rests share one block).
    pub(crate) fn key(&self) -> (usize, u32) {
        (
            self.rest.as_ptr() as usize,
            self.first.map_or(0, NonZeroU32::get),
        )
    }

    /// Its segments: kind, the split first AS (first segment only), ASNs.
    fn segments(&self) -> impl Iterator<Item = (SegmentType, Option<u32>, &[u32])> + '_ {
        let mut rest: &[u32] = &self.rest.slice;
        let mut first = self.first.map(NonZeroU32::get);
        std::iter::from_fn(move || {
            let (&h, tail) = rest.split_first()?;
            let n = ((h & 0xffff) as usize).min(tail.len());
            let (asns, next) = tail.split_at(n);
            rest = next;
            Some((kind(h), first.take(), asns))
        })
    }

    /// The decoded path.
    pub fn to_as_path(&self) -> AsPath {
        // Exactly as many segments as there are (a collected iterator of
        // unknown length would start at four): exported sets keep this.
        let mut segments = Vec::with_capacity(self.segments().count());
        segments.extend(self.segments().map(|(kind, first, asns)| {
            let mut v = Vec::with_capacity(asns.len() + usize::from(first.is_some()));
            v.extend(first);
            v.extend_from_slice(asns);
            Segment { kind, asns: v }
        }));
        AsPath { segments }
    }

    /// Its length for the decision process, as [`AsPath::path_len`]
    /// counts (RFC 4271 §9.1.2.2 a: an AS_SET is one, confederation
    /// segments nothing).
    pub fn path_len(&self) -> usize {
        self.segments()
            .map(|(k, first, asns)| match k {
                SegmentType::Sequence => asns.len() + usize::from(first.is_some()),
                SegmentType::Set => 1,
                _ => 0,
            })
            .sum()
    }

    /// The neighbouring AS, as [`AsPath::first_as`] finds it: the first AS
    /// of a leading (non-confederation) AS_SEQUENCE.
    pub fn first_as(&self) -> Option<u32> {
        let (k, first, asns) = self.segments().find(|(k, _, _)| !k.is_confed())?;
        match k {
            SegmentType::Sequence => first.or_else(|| asns.first().copied()),
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

    proptest! {
        /// Interned, a path is the same path, and two paths that differ
        /// only in their first AS share their rest.
        #[test]
        fn interned_paths_share_all_but_the_first_as(p in arb_path(), other in 1u32..) {
            let mut rests = Rests::default();
            let c = rests.compact(&p);
            prop_assert_eq!(c.to_as_path(), p.clone());
            prop_assert_eq!(&c, &CompactPath::new(&p));
            let mut q = p.clone();
            let leads = q.segments.first().is_some_and(|s| {
                s.kind == SegmentType::Sequence && s.asns.first().is_some_and(|a| *a != 0)
            });
            if leads {
                q.segments[0].asns[0] = other;
                let d = rests.compact(&q);
                prop_assert_eq!(d.to_as_path(), q);
                prop_assert_eq!(c.key().0, d.key().0);
                prop_assert_eq!(c.key().1 == d.key().1, p.segments[0].asns[0] == other);
            }
        }
    }

    #[test]
    fn one_block_for_a_real_path_shared_behind_the_first_as() {
        let mut rests = Rests::default();
        let p = AsPath::from_sequence(vec![64501, 3356, 15169]);
        let c = rests.compact(&p);
        // The rest: a header and two ASNs.
        assert_eq!(c.rest.slice.len(), 3);
        assert_eq!((c.path_len(), c.first_as()), (3, Some(64501)));
        assert_eq!(c.to_string(), "64501 3356 15169");
        let d = rests.compact(&AsPath::from_sequence(vec![64502, 3356, 15169]));
        assert_eq!(c.key().0, d.key().0);
        assert_ne!(c, d);
        assert_eq!(rests.len(), 1);
        // Counted once: its count and length, three words (a header and
        // two ASNs) rounded up to eight octets.
        assert_eq!(rests.bytes, 16 + 16);
        // A path of the neighbour's AS alone, and the empty path (iBGP).
        let alone = rests.compact(&AsPath::from_sequence(vec![64501]));
        assert_eq!(
            (alone.path_len(), alone.to_string()),
            (1, "64501".to_string())
        );
        let empty = rests.compact(&AsPath::default());
        assert_eq!((empty.path_len(), empty.first_as()), (0, None));
        assert_eq!(empty.to_as_path(), AsPath::default());
    }
}
