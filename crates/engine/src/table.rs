//! Compact prefix tables: one per family, keyed by the address and length
//! packed into integers, with longest-prefix-match lookup.
//!
//! A full IPv4 table is a million prefixes, so what one entry costs beside
//! its value decides most of the RIB's memory. A `BTreeMap<(Family,
//! Prefix), V>` spends 24 octets on each key and leaves its nodes half full
//! when the table arrives in order, as it does from a neighbour. Here an
//! IPv4 key is one `u64` (address << 8 | length) and an IPv6 key 24 octets;
//! keys and values sit in two sorted vectors per bucket, each bucket holding
//! a run of consecutive keys, and the buckets sit in a B-tree by their first
//! key. A bucket splits in two when it passes [`MAX`] entries, so however the
//! prefixes are spread (a neighbour may send a million /64s of one /48), an
//! insertion moves at most [`MAX`] entries and finding a bucket is a B-tree
//! walk over a hundredth of the keys. The vectors grow by an eighth at a time
//! instead of doubling.
//!
//! Order is by family (IPv4 first), then address, then length — the order
//! of `(Family, Prefix)` — so a walk sees a covering prefix before the
//! prefixes it covers.
//!
//! Only unicast is held: the family of a key is that of its prefix
//! (`Family::IPV4_UNICAST` or `Family::IPV6_UNICAST`); the engine drops
//! routes of any other family before they reach a table.

use peerd_wire::{Family, Prefix};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A route's key in every table: its family and prefix.
pub(crate) type RouteKey = (Family, Prefix);

/// Most entries in one bucket: an insertion moves at most this many.
#[cfg(not(test))]
const MAX: usize = 256;
/// Small in tests, so that the property test splits buckets (and re-keys
/// the first one) all the time.
#[cfg(test)]
const MAX: usize = 8;

/// A packed prefix of one family.
trait Key: Copy + Ord + std::fmt::Debug {
    /// The prefix it stands for.
    fn prefix(self) -> Prefix;
    /// The prefix's length.
    fn len(self) -> u8;
}

/// An IPv4 prefix: address << 8 | length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct K4(u64);

impl K4 {
    fn new(addr: Ipv4Addr, len: u8) -> K4 {
        K4(u64::from(u32::from(addr)) << 8 | u64::from(len))
    }
}

impl Key for K4 {
    fn prefix(self) -> Prefix {
        Prefix::v4(Ipv4Addr::from((self.0 >> 8) as u32), self.0 as u8)
    }
    fn len(self) -> u8 {
        self.0 as u8
    }
}

/// An IPv6 prefix: the address in two halves, then the length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct K6 {
    hi: u64,
    lo: u64,
    len: u8,
}

impl K6 {
    fn new(addr: Ipv6Addr, len: u8) -> K6 {
        let a = u128::from(addr);
        K6 {
            hi: (a >> 64) as u64,
            lo: a as u64,
            len,
        }
    }
}

impl Key for K6 {
    fn prefix(self) -> Prefix {
        let a = u128::from(self.hi) << 64 | u128::from(self.lo);
        Prefix::v6(Ipv6Addr::from(a), self.len)
    }
    fn len(self) -> u8 {
        self.len
    }
}

/// A run of consecutive prefixes, sorted.
#[derive(Debug, Clone)]
struct Bucket<K, V> {
    keys: Vec<K>,
    vals: Vec<V>,
}

impl<K: Key, V> Bucket<K, V> {
    fn new() -> Self {
        Bucket {
            keys: Vec::new(),
            vals: Vec::new(),
        }
    }

    fn find(&self, k: K) -> Result<usize, usize> {
        self.keys.binary_search(&k)
    }

    /// Inserts at `i`, growing by an eighth when full (doubling would
    /// leave a third of a large table unused on average).
    fn insert_at(&mut self, i: usize, k: K, v: V) {
        if self.keys.len() == self.keys.capacity() {
            let more = (self.keys.len() / 8).max(2);
            self.keys.reserve_exact(more);
            self.vals.reserve_exact(more);
        }
        self.keys.insert(i, k);
        self.vals.insert(i, v);
    }

    fn remove_at(&mut self, i: usize) -> V {
        self.keys.remove(i);
        let v = self.vals.remove(i);
        let n = self.keys.len();
        if self.keys.capacity() > 2 * n + 8 {
            self.keys.shrink_to(n + n / 4);
            self.vals.shrink_to(n + n / 4);
        }
        v
    }
}

/// The table of one family: buckets by a key that is not above any of
/// theirs and is above every key of the bucket before, so every key has one
/// bucket: the last whose key is not above it (a key below them all goes
/// into the first bucket, which then takes it as its key).
#[derive(Debug, Clone)]
struct Table<K, V> {
    buckets: BTreeMap<K, Bucket<K, V>>,
    len: usize,
    /// How many prefixes of each length there are (longest match tries
    /// only the lengths present).
    by_len: Vec<u32>,
}

impl<K: Key, V> Table<K, V> {
    fn new() -> Self {
        Table {
            buckets: BTreeMap::new(),
            len: 0,
            by_len: Vec::new(),
        }
    }

    /// Heap bytes: the buckets' vectors as allocated, their entries in the
    /// B-tree (its nodes' own overhead aside: one entry per few hundred
    /// prefixes), the length histogram.
    fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<K>() + std::mem::size_of::<Bucket<K, V>>();
        self.buckets
            .values()
            .map(|b| {
                entry
                    + b.keys.capacity() * std::mem::size_of::<K>()
                    + b.vals.capacity() * std::mem::size_of::<V>()
            })
            .sum::<usize>()
            + self.by_len.capacity() * std::mem::size_of::<u32>()
    }

    /// The first key of the bucket that holds (or would hold) `k`.
    fn bucket_of(&self, k: K) -> Option<K> {
        self.buckets
            .range(..=k)
            .next_back()
            .or_else(|| self.buckets.iter().next())
            .map(|(b, _)| *b)
    }

    fn get(&self, k: K) -> Option<&V> {
        let b = self.buckets.get(&self.bucket_of(k)?)?;
        b.find(k).ok().map(|i| &b.vals[i])
    }

    fn insert(&mut self, k: K, v: V) -> Option<V> {
        let mut first = self.bucket_of(k).unwrap_or(k);
        if k < first {
            // Below every bucket: the first one takes it, under its new
            // first key (a bucket's key is never above its keys, so a split
            // always leaves the upper half above the lower).
            if let Some(b) = self.buckets.remove(&first) {
                self.buckets.insert(k, b);
            }
            first = k;
        }
        let b = self.buckets.entry(first).or_insert_with(Bucket::new);
        match b.find(k) {
            Ok(i) => return Some(std::mem::replace(&mut b.vals[i], v)),
            Err(i) => b.insert_at(i, k, v),
        }
        if b.keys.len() > MAX {
            // Split: the upper half becomes a bucket of its own.
            let half = b.keys.len() / 2;
            let keys = b.keys.split_off(half);
            let vals = b.vals.split_off(half);
            let n = b.keys.len();
            b.keys.shrink_to(n + n / 8);
            b.vals.shrink_to(n + n / 8);
            self.buckets.insert(keys[0], Bucket { keys, vals });
        }
        self.len += 1;
        let l = usize::from(k.len());
        if self.by_len.len() <= l {
            self.by_len.resize(l + 1, 0);
        }
        self.by_len[l] += 1;
        None
    }

    fn remove(&mut self, k: K) -> Option<V> {
        let first = self.bucket_of(k)?;
        let b = self.buckets.get_mut(&first)?;
        let i = b.find(k).ok()?;
        let v = b.remove_at(i);
        if b.keys.is_empty() {
            self.buckets.remove(&first);
        }
        self.len -= 1;
        if let Some(n) = self.by_len.get_mut(usize::from(k.len())) {
            *n = n.saturating_sub(1);
        }
        Some(v)
    }

    fn iter(&self) -> impl Iterator<Item = (Prefix, &V)> + '_ {
        self.buckets
            .values()
            .flat_map(|b| b.keys.iter().zip(&b.vals))
            .map(|(k, v)| (k.prefix(), v))
    }

    /// Keys and values in order, from the first key above `k` (all of
    /// them without one): a page starts where the last one ended without
    /// walking what came before.
    fn iter_after(&self, k: Option<K>) -> impl Iterator<Item = (Prefix, &V)> + '_ {
        let from = k.and_then(|k| self.bucket_of(k));
        let buckets = match from {
            Some(b) => self.buckets.range(b..),
            None => self.buckets.range(..),
        };
        buckets
            .flat_map(|(_, b)| b.keys.iter().zip(&b.vals))
            .filter(move |(key, _)| k.is_none_or(|k| **key > k))
            .map(|(k, v)| (k.prefix(), v))
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = (Prefix, &mut V)> + '_ {
        self.buckets
            .values_mut()
            .flat_map(|b| b.keys.iter().zip(b.vals.iter_mut()))
            .map(|(k, v)| (k.prefix(), v))
    }

    fn retain(&mut self, mut keep: impl FnMut(Prefix, &mut V) -> bool) {
        let mut removed = Vec::new();
        for b in self.buckets.values_mut() {
            let mut i = 0;
            while i < b.keys.len() {
                if keep(b.keys[i].prefix(), &mut b.vals[i]) {
                    i += 1;
                } else {
                    removed.push(b.keys[i]);
                    b.remove_at(i);
                }
            }
        }
        self.buckets.retain(|_, b| !b.keys.is_empty());
        self.len -= removed.len();
        for k in removed {
            if let Some(n) = self.by_len.get_mut(usize::from(k.len())) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// The lengths present, longest first, up to `max`.
    fn lengths(&self, max: u8) -> impl Iterator<Item = u8> + '_ {
        let top = usize::from(max).min(self.by_len.len().saturating_sub(1));
        (0..=top)
            .rev()
            .filter(|l| self.by_len.get(*l).is_some_and(|n| *n > 0))
            .map(|l| l as u8)
    }
}

/// A map from unicast prefixes to `V`: an IPv4 and an IPv6 table.
#[derive(Debug, Clone)]
pub(crate) struct PrefixMap<V> {
    v4: Table<K4, V>,
    v6: Table<K6, V>,
}

impl<V> Default for PrefixMap<V> {
    fn default() -> Self {
        PrefixMap {
            v4: Table::new(),
            v6: Table::new(),
        }
    }
}

/// A set of unicast prefixes.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrefixSet(PrefixMap<()>);

impl PrefixSet {
    /// Heap bytes of the tables.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.0.heap_bytes()
    }

    /// Adds a prefix; whether it was new.
    pub(crate) fn insert(&mut self, key: RouteKey) -> bool {
        self.0.insert(key, ()).is_none()
    }

    /// Removes a prefix; whether it was there.
    pub(crate) fn remove(&mut self, key: &RouteKey) -> bool {
        self.0.remove(key).is_some()
    }

    /// Whether a prefix is there.
    pub(crate) fn contains(&self, key: &RouteKey) -> bool {
        self.0.contains_key(key)
    }

    /// How many prefixes.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Removes everything.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The prefixes in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = RouteKey> + '_ {
        self.0.keys()
    }
}

impl Extend<RouteKey> for PrefixSet {
    fn extend<I: IntoIterator<Item = RouteKey>>(&mut self, iter: I) {
        for k in iter {
            self.insert(k);
        }
    }
}

/// The family a prefix is held under.
pub(crate) fn family_of(p: &Prefix) -> Family {
    if p.addr().is_ipv6() {
        Family::IPV6_UNICAST
    } else {
        Family::IPV4_UNICAST
    }
}

impl<V> PrefixMap<V> {
    /// Heap bytes of the tables (the values' own heap aside).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.v4.heap_bytes() + self.v6.heap_bytes()
    }

    /// An empty map.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// How many prefixes.
    pub(crate) fn len(&self) -> usize {
        self.v4.len + self.v6.len
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many prefixes of `family` (0 for a family it does not hold).
    pub(crate) fn count(&self, family: Family) -> usize {
        match family {
            Family::IPV4_UNICAST => self.v4.len,
            Family::IPV6_UNICAST => self.v6.len,
            _ => 0,
        }
    }

    /// The value for a prefix.
    pub(crate) fn get(&self, key: &RouteKey) -> Option<&V> {
        match key.1.addr() {
            IpAddr::V4(a) => self.v4.get(K4::new(a, key.1.len())),
            IpAddr::V6(a) => self.v6.get(K6::new(a, key.1.len())),
        }
    }

    /// Whether a prefix is there.
    pub(crate) fn contains_key(&self, key: &RouteKey) -> bool {
        self.get(key).is_some()
    }

    /// Sets the value of a prefix; returns the one it replaced.
    pub(crate) fn insert(&mut self, key: RouteKey, v: V) -> Option<V> {
        match key.1.addr() {
            IpAddr::V4(a) => self.v4.insert(K4::new(a, key.1.len()), v),
            IpAddr::V6(a) => self.v6.insert(K6::new(a, key.1.len()), v),
        }
    }

    /// Removes a prefix; returns its value if it was there.
    pub(crate) fn remove(&mut self, key: &RouteKey) -> Option<V> {
        match key.1.addr() {
            IpAddr::V4(a) => self.v4.remove(K4::new(a, key.1.len())),
            IpAddr::V6(a) => self.v6.remove(K6::new(a, key.1.len())),
        }
    }

    /// Removes everything.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// Keys and values in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (RouteKey, &V)> + '_ {
        let v4 = self.v4.iter().map(|(p, v)| ((Family::IPV4_UNICAST, p), v));
        let v6 = self.v6.iter().map(|(p, v)| ((Family::IPV6_UNICAST, p), v));
        v4.chain(v6)
    }

    /// Keys and values in order (IPv4 before IPv6, then by address and
    /// length), from the first one after `after`.
    pub(crate) fn iter_after(
        &self,
        after: Option<Prefix>,
    ) -> Box<dyn Iterator<Item = (RouteKey, &V)> + '_> {
        let v4 = |k| {
            self.v4
                .iter_after(k)
                .map(|(p, v)| ((Family::IPV4_UNICAST, p), v))
        };
        let v6 = |k| {
            self.v6
                .iter_after(k)
                .map(|(p, v)| ((Family::IPV6_UNICAST, p), v))
        };
        match after.map(|p| (p.addr(), p.len())) {
            None => Box::new(v4(None).chain(v6(None))),
            Some((IpAddr::V4(a), l)) => Box::new(v4(Some(K4::new(a, l))).chain(v6(None))),
            Some((IpAddr::V6(a), l)) => Box::new(v6(Some(K6::new(a, l)))),
        }
    }

    /// Keys and values in order, the values changeable.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (RouteKey, &mut V)> + '_ {
        let v4 = self
            .v4
            .iter_mut()
            .map(|(p, v)| ((Family::IPV4_UNICAST, p), v));
        let v6 = self
            .v6
            .iter_mut()
            .map(|(p, v)| ((Family::IPV6_UNICAST, p), v));
        v4.chain(v6)
    }

    /// The keys in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = RouteKey> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values, changeable, in key order.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        self.iter_mut().map(|(_, v)| v)
    }

    /// Keeps the entries `keep` says yes to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(RouteKey, &mut V) -> bool) {
        self.v4.retain(|p, v| keep((Family::IPV4_UNICAST, p), v));
        self.v6.retain(|p, v| keep((Family::IPV6_UNICAST, p), v));
    }

    /// The longest prefix that holds `addr`, with its value.
    pub(crate) fn longest_match(&self, addr: IpAddr) -> Option<(Prefix, &V)> {
        self.covering(addr, 128).next()
    }

    /// Every prefix of at most `max` bits that holds `addr`, longest
    /// first: with a prefix's address and `max` its length, the prefix
    /// itself if present, then each prefix that covers it.
    pub(crate) fn covering(
        &self,
        addr: IpAddr,
        max: u8,
    ) -> Box<dyn Iterator<Item = (Prefix, &V)> + '_> {
        match addr {
            IpAddr::V4(a) => Box::new(self.v4.lengths(max).filter_map(move |l| {
                let mask = u32::MAX.checked_shl(32 - u32::from(l)).unwrap_or(0);
                let k = K4::new(Ipv4Addr::from(u32::from(a) & mask), l);
                self.v4.get(k).map(|v| (k.prefix(), v))
            })),
            IpAddr::V6(a) => Box::new(self.v6.lengths(max).filter_map(move |l| {
                let mask = u128::MAX.checked_shl(128 - u32::from(l)).unwrap_or(0);
                let k = K6::new(Ipv6Addr::from(u128::from(a) & mask), l);
                self.v6.get(k).map(|v| (k.prefix(), v))
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(s: &str) -> RouteKey {
        let p: Prefix = s.parse().unwrap_or_else(|_| panic!("{s}"));
        (family_of(&p), p)
    }

    #[test]
    fn longest_match_finds_the_most_specific_cover() {
        let mut m = PrefixMap::new();
        for (i, p) in [
            "0.0.0.0/0",
            "198.51.0.0/16",
            "198.51.100.0/24",
            "198.51.100.128/25",
        ]
        .iter()
        .enumerate()
        {
            m.insert(key(p), i);
        }
        m.insert(key("2001:db8::/32"), 10);
        m.insert(key("2001:db8:1::/48"), 11);
        let lm = |m: &PrefixMap<usize>, a: &str| {
            m.longest_match(a.parse().unwrap())
                .map(|(p, v)| (p.to_string(), *v))
        };
        assert_eq!(
            lm(&m, "198.51.100.200"),
            Some(("198.51.100.128/25".into(), 3))
        );
        assert_eq!(lm(&m, "198.51.100.1"), Some(("198.51.100.0/24".into(), 2)));
        assert_eq!(lm(&m, "198.51.7.1"), Some(("198.51.0.0/16".into(), 1)));
        assert_eq!(lm(&m, "203.0.113.1"), Some(("0.0.0.0/0".into(), 0)));
        assert_eq!(
            lm(&m, "2001:db8:1::5"),
            Some(("2001:db8:1::/48".into(), 11))
        );
        assert_eq!(lm(&m, "2001:db8:2::5"), Some(("2001:db8::/32".into(), 10)));
        assert_eq!(lm(&m, "2001:db9::1"), None);
        // Within a length: the prefix itself, then what covers it.
        let within = |max| -> Vec<String> {
            m.covering("198.51.100.0".parse().unwrap(), max)
                .map(|(p, _)| p.to_string())
                .collect()
        };
        assert_eq!(
            within(24),
            ["198.51.100.0/24", "198.51.0.0/16", "0.0.0.0/0"]
        );
        assert_eq!(within(23), ["198.51.0.0/16", "0.0.0.0/0"]);
        m.remove(&key("0.0.0.0/0"));
        assert_eq!(lm(&m, "203.0.113.1"), None);
    }

    #[test]
    fn families_are_counted_apart_and_walked_in_key_order() {
        let mut m = PrefixMap::new();
        for p in [
            "2001:db8::/32",
            "198.51.100.0/24",
            "10.0.0.0/8",
            "10.0.0.0/16",
            "::/0",
        ] {
            m.insert(key(p), ());
        }
        assert_eq!(m.count(Family::IPV4_UNICAST), 3);
        assert_eq!(m.count(Family::IPV6_UNICAST), 2);
        let order: Vec<String> = m.keys().map(|k| k.1.to_string()).collect();
        assert_eq!(
            order,
            [
                "10.0.0.0/8",
                "10.0.0.0/16",
                "198.51.100.0/24",
                "::/0",
                "2001:db8::/32"
            ]
        );
    }

    /// A neighbour may put any number of prefixes in one corner of the
    /// space (here 100,000 /128s of one /64, in a scrambled order): buckets
    /// split, so each insertion stays cheap, and every lookup, the walk and
    /// removals stay right. (A single sorted vector would take minutes.)
    #[test]
    fn a_crowded_corner_splits_into_buckets() {
        let base = u128::from("2001:db8:1:2::".parse::<Ipv6Addr>().unwrap());
        let n: u128 = 100_000;
        let key = |i: u128| {
            let p = Prefix::v6(Ipv6Addr::from(base | (i * 7919 % n)), 128);
            (family_of(&p), p)
        };
        let t = std::time::Instant::now();
        let mut m = PrefixMap::new();
        for i in 0..n {
            assert!(m.insert(key(i), i).is_none());
        }
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(m.len(), n as usize);
        assert!(m.v6.buckets.len() > (n as usize) / MAX);
        assert!(m.v6.buckets.values().all(|b| b.keys.len() <= MAX));
        for i in (0..n).step_by(97) {
            assert_eq!(m.get(&key(i)), Some(&i));
        }
        let walked: Vec<RouteKey> = m.keys().collect();
        assert!(walked.windows(2).all(|w| w[0] < w[1]));
        // Remove every other one: the rest stay reachable.
        for i in (0..n).step_by(2) {
            assert_eq!(m.remove(&key(i)), Some(i));
        }
        assert_eq!(m.len(), (n / 2) as usize);
        for i in (1..n).step_by(202) {
            assert_eq!(m.get(&key(i)), Some(&i));
            assert_eq!(m.longest_match(key(i).1.addr()).map(|(_, v)| *v), Some(i));
        }
        assert_eq!(m.get(&key(0)), None);
    }

    fn arb_prefix() -> impl Strategy<Value = Prefix> {
        prop_oneof![
            // Few distinct top bits, so that buckets fill up and split.
            (0u32..4, any::<u32>(), 0u8..=32)
                .prop_map(|(top, low, l)| { Prefix::v4(Ipv4Addr::from(top << 30 | low >> 2), l) }),
            (0u128..4, any::<u128>(), 0u8..=128)
                .prop_map(|(top, low, l)| { Prefix::v6(Ipv6Addr::from(top << 126 | low >> 2), l) }),
        ]
    }

    proptest! {
        /// The map behaves as a `BTreeMap<(Family, Prefix), _>` under any
        /// inserts, removals and retains, and longest match agrees with a
        /// search of every prefix.
        #[test]
        fn same_as_a_btreemap(ops in prop::collection::vec((arb_prefix(), 0u8..4, any::<u16>()), 1..300)) {
            let mut m = PrefixMap::new();
            let mut model: BTreeMap<RouteKey, u16> = BTreeMap::new();
            for (p, op, v) in &ops {
                let k = (family_of(p), *p);
                match op {
                    0 | 1 => prop_assert_eq!(m.insert(k, *v), model.insert(k, *v)),
                    2 => prop_assert_eq!(m.remove(&k), model.remove(&k)),
                    _ => {
                        m.retain(|_, x| *x % 3 != 0);
                        model.retain(|_, x| *x % 3 != 0);
                    }
                }
                prop_assert_eq!(m.len(), model.len());
            }
            let got: Vec<(RouteKey, u16)> = m.iter().map(|(k, v)| (k, *v)).collect();
            let want: Vec<(RouteKey, u16)> = model.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(got, want);
            for f in [Family::IPV4_UNICAST, Family::IPV6_UNICAST] {
                prop_assert_eq!(m.count(f), model.keys().filter(|k| k.0 == f).count());
            }
            // Pages: from after any prefix, what the model has after it.
            for (p, _, _) in ops.iter().take(20) {
                use std::ops::Bound::{Excluded, Unbounded};
                let k = (family_of(p), *p);
                let got: Vec<RouteKey> = m.iter_after(Some(*p)).map(|(k, _)| k).collect();
                let want: Vec<RouteKey> = model.range((Excluded(k), Unbounded)).map(|(k, _)| *k).collect();
                prop_assert_eq!(got, want);
            }
            prop_assert_eq!(m.iter_after(None).count(), model.len());
            for (p, _, _) in &ops {
                let a = p.addr();
                let brute = model
                    .iter()
                    .filter(|(k, _)| {
                        k.1.addr().is_ipv6() == a.is_ipv6()
                            && Prefix::new(a, k.1.len()) == Some(k.1)
                    })
                    .max_by_key(|(k, _)| k.1.len())
                    .map(|(k, v)| (k.1, *v));
                prop_assert_eq!(m.longest_match(a).map(|(p, v)| (p, *v)), brute);
            }
        }
    }
}
