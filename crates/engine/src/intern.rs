//! Hash-consing (STYLE.md: interned attributes): one shared copy of each
//! distinct value, so the prefixes that carry the same attribute set or AS
//! path — about five per set in a real full table — share it instead of
//! each holding its own. The set forgets values nobody else holds any more
//! when it has doubled since the last sweep, so the sweep costs O(1)
//! amortised per insertion.

use crate::hash::{FastBuild, FastHasher};
use crate::route::{Learned, Path};
use hashbrown::HashTable;
use peerd_wire::attr::{AsPath, AttrValue, Attribute, MpReach, MpUnreach, NextHop};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What a value holds on the heap besides itself (its vectors' buffers),
/// for the memory figures (`Engine::memory`): what was asked of the
/// allocator, not what it charges on top.
pub(crate) trait HeapSize {
    /// Heap bytes owned by the value.
    fn heap_size(&self) -> usize;
}

/// Bytes of a vector's buffer.
pub(crate) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

/// Bytes of a hash table's slots and control bytes for `capacity` entries
/// of `slot` octets (hashbrown keeps at least one slot in eight free).
pub(crate) fn table_bytes(capacity: usize, slot: usize) -> usize {
    capacity * (slot + 1) * 8 / 7
}

/// Shared copies of values of one type.
#[derive(Debug)]
pub(crate) struct Interner<T: Eq + Hash> {
    set: HashSet<Arc<T>, FastBuild>,
    sweep_at: usize,
    /// Bytes of the values held (with their reference counts).
    bytes: usize,
}

// Not derived: that would ask `T: Clone`, and a copy shares the values.
impl<T: Eq + Hash> Clone for Interner<T> {
    fn clone(&self) -> Self {
        Interner {
            set: self.set.clone(),
            sweep_at: self.sweep_at,
            bytes: self.bytes,
        }
    }
}

impl<T: Eq + Hash> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            set: HashSet::default(),
            sweep_at: 1024,
            bytes: 0,
        }
    }
}

/// What one shared value costs: its block (two reference counts and the
/// value) and its heap.
fn cost<T: HeapSize>(v: &T) -> usize {
    16 + std::mem::size_of::<T>() + v.heap_size()
}

impl<T: Eq + Hash + HeapSize> Interner<T> {
    /// Distinct values held (including some no longer used, until a sweep).
    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }

    /// Bytes of the values held and of the table that finds them.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes + table_bytes(self.set.capacity(), std::mem::size_of::<Arc<T>>())
    }

    fn insert(&mut self, a: Arc<T>) -> Arc<T> {
        if self.set.len() >= self.sweep_at {
            let mut freed = 0;
            self.set.retain(|a| {
                let keep = Arc::strong_count(a) > 1;
                if !keep {
                    freed += cost(&**a);
                }
                keep
            });
            self.bytes -= freed;
            self.sweep_at = (self.set.len() * 2).max(1024);
        }
        self.bytes += cost(&*a);
        self.set.insert(Arc::clone(&a));
        a
    }

    /// The shared copy of `v`.
    pub(crate) fn intern(&mut self, v: T) -> Arc<T> {
        if let Some(a) = self.set.get(&v) {
            return Arc::clone(a);
        }
        self.insert(Arc::new(v))
    }
}

impl HeapSize for NextHop {
    fn heap_size(&self) -> usize {
        match self {
            NextHop::Other(b) => vec_bytes(b),
            _ => 0,
        }
    }
}

/// Its next hop is shared (counted with the next hops).
impl HeapSize for Learned {
    fn heap_size(&self) -> usize {
        0
    }
}

impl HeapSize for AsPath {
    fn heap_size(&self) -> usize {
        vec_bytes(&self.segments)
            + self
                .segments
                .iter()
                .map(|s| vec_bytes(&s.asns))
                .sum::<usize>()
    }
}

impl HeapSize for Attribute {
    fn heap_size(&self) -> usize {
        match &self.value {
            AttrValue::AsPath(p) | AttrValue::As4Path(p) => p.heap_size(),
            AttrValue::Communities(v) => vec_bytes(v),
            AttrValue::ClusterList(v) => vec_bytes(v),
            AttrValue::ExtCommunities(v) => vec_bytes(v),
            AttrValue::Ipv6ExtCommunities(v) => vec_bytes(v),
            AttrValue::LargeCommunities(v) => vec_bytes(v),
            AttrValue::Aigp(v) => {
                vec_bytes(v) + v.iter().map(|t| vec_bytes(&t.value)).sum::<usize>()
            }
            AttrValue::Unknown { data, .. } => vec_bytes(data),
            // Not kept in sets (the engine takes them apart); their
            // boxes alone.
            AttrValue::MpReach(_) => std::mem::size_of::<MpReach>(),
            AttrValue::MpUnreach(_) => std::mem::size_of::<MpUnreach>(),
            _ => 0,
        }
    }
}

impl<T: HeapSize> HeapSize for Vec<T> {
    fn heap_size(&self) -> usize {
        vec_bytes(self) + self.iter().map(HeapSize::heap_size).sum::<usize>()
    }
}

/// An attribute set as sent, with its next hop.
impl<A: HeapSize, B: HeapSize> HeapSize for (A, B) {
    fn heap_size(&self) -> usize {
        self.0.heap_size() + self.1.heap_size()
    }
}

/// Route records ([`Path`]) shared within one operation — the routes of an
/// UPDATE, the routes a restarting neighbour leaves stale, a re-evaluation
/// of a neighbour's routes — found by the addresses of their parts: the
/// parts are interned already, so equal parts are the same pointers, and
/// looking a record up hashes five words instead of the attributes.
///
/// The table lives as long as the operation. A record carries its arrival
/// second, so records of two UPDATEs could only be shared within the same
/// second; a table kept for the engine's life would cost about 20 octets a
/// record (5 a route in a full table) for that. While the table holds a
/// record, the addresses of its parts cannot be reused.
#[derive(Debug, Default)]
pub(crate) struct PathInterner {
    table: HashTable<Arc<Path>>,
}

/// The addresses of a record's parts, then its arrival time and flags.
fn parts(p: &Path) -> [u64; 5] {
    let stamp = u64::from(p.since)
        | u64::from(p.stale) << 32
        | u64::from(p.leak) << 33
        | u64::from(p.discard) << 34;
    [
        Arc::as_ptr(&p.attrs) as usize as u64,
        Arc::as_ptr(&p.learned) as usize as u64,
        p.as_path.key().0 as u64,
        u64::from(p.as_path.key().1),
        stamp,
    ]
}

fn hash_parts(k: &[u64; 5]) -> u64 {
    let mut h = FastHasher::default();
    for w in k {
        h.write_u64(*w);
    }
    h.finish()
}

impl PathInterner {
    /// The shared record of these parts.
    pub(crate) fn intern(&mut self, path: Path) -> Arc<Path> {
        let key = parts(&path);
        let h = hash_parts(&key);
        if let Some(p) = self.table.find(h, |p| parts(p) == key) {
            return Arc::clone(p);
        }
        let p = Arc::new(path);
        self.table
            .insert_unique(h, Arc::clone(&p), |x| hash_parts(&parts(x)));
        p
    }

    /// The record of `path` changed by `change` (a flag set or cleared),
    /// shared like any other.
    pub(crate) fn with(&mut self, path: &Path, change: impl FnOnce(&mut Path)) -> Arc<Path> {
        let mut p = path.clone();
        change(&mut p);
        self.intern(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    #[test]
    fn paths_with_the_same_parts_share_one_record() {
        let mut i = PathInterner::default();
        let learned = Arc::new(Learned {
            peer: Some(0),
            peer_id: Ipv4Addr::new(192, 0, 2, 1),
            peer_addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            ebgp: true,
            rr_client: false,
            next_hop: Arc::new(NextHop::Ipv4(Ipv4Addr::new(192, 0, 2, 1))),
        });
        let attrs = Arc::new(Vec::new());
        let path = |n: u32| crate::CompactPath::new(&AsPath::from_sequence(vec![n]));
        let (p1, p2) = (path(1), path(2));
        let mk = |as_path: &crate::CompactPath| {
            Path::new(Arc::clone(&attrs), Arc::clone(&learned), as_path.clone(), 7)
        };
        let a = i.intern(mk(&p1));
        let b = i.intern(mk(&p1));
        let c = i.intern(mk(&p2));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        // Arrival time and flags are part of the record: a later arrival
        // or a flag makes another one, and clearing the flag finds the first.
        let later = i.intern(Path {
            since: 8,
            ..mk(&p1)
        });
        assert!(!Arc::ptr_eq(&a, &later));
        for change in [
            (|p: &mut Path| p.stale = true) as fn(&mut Path),
            |p| p.leak = true,
            |p| p.discard = true,
        ] {
            let flagged = i.with(&a, change);
            assert!(!Arc::ptr_eq(&a, &flagged));
            assert!(Arc::ptr_eq(&flagged, &i.with(&a, change)));
        }
        let stale = i.with(&a, |p| p.stale = true);
        assert!(Arc::ptr_eq(&a, &i.with(&stale, |p| p.stale = false)));
        drop((later, stale, b, c));
        assert!(Arc::ptr_eq(&a, &i.intern(mk(&p1))));
    }

    #[test]
    fn equal_values_share_one_copy_and_unused_ones_go() {
        // What the values held count, as the sum of what each costs.
        fn held(i: &Interner<Vec<u32>>) -> usize {
            i.set.iter().map(|v| cost(&**v)).sum()
        }
        let mut i = Interner::default();
        let a = i.intern(vec![1u32, 2]);
        let b = i.intern(vec![1u32, 2]);
        assert!(Arc::ptr_eq(&a, &b));
        // One block (counts, the vector) and its buffer of two words.
        assert_eq!(i.bytes, 16 + 24 + 8);
        assert!(i.bytes() > i.bytes);
        drop((a, b));
        for n in 0..5000u32 {
            let _ = i.intern(vec![n]);
        }
        // Swept as it grew: nothing is held outside, so few remain.
        assert!(i.len() < 2100, "{}", i.len());
        assert_eq!(i.bytes, held(&i));
        let kept = i.intern(vec![7u32, 7]);
        for n in 0..5000u32 {
            let _ = i.intern(vec![n, n, n]);
        }
        assert!(Arc::ptr_eq(&kept, &i.intern(vec![7u32, 7])));
        assert_eq!(i.bytes, held(&i));
    }

    impl HeapSize for u32 {
        fn heap_size(&self) -> usize {
            0
        }
    }
}
