//! Hash-consing (STYLE.md: interned attributes): one shared copy of each
//! distinct value, so the prefixes that carry the same attribute set or AS
//! path — about five per set in a real full table — share it instead of
//! each holding its own. The set forgets values nobody else holds any more
//! when it has doubled since the last sweep, so the sweep costs O(1)
//! amortised per insertion.

use crate::hash::FastBuild;
use std::collections::HashSet;
use std::hash::Hash;
use std::sync::Arc;

/// Shared copies of values of one type.
#[derive(Debug, Clone)]
pub(crate) struct Interner<T: Eq + Hash> {
    set: HashSet<Arc<T>, FastBuild>,
    sweep_at: usize,
}

impl<T: Eq + Hash> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            set: HashSet::default(),
            sweep_at: 1024,
        }
    }
}

impl<T: Eq + Hash> Interner<T> {
    /// The shared copy of `v`.
    pub(crate) fn intern(&mut self, v: T) -> Arc<T> {
        if let Some(a) = self.set.get(&v) {
            return Arc::clone(a);
        }
        if self.set.len() >= self.sweep_at {
            self.set.retain(|a| Arc::strong_count(a) > 1);
            self.sweep_at = (self.set.len() * 2).max(1024);
        }
        let a = Arc::new(v);
        self.set.insert(Arc::clone(&a));
        a
    }

    /// Distinct values held (including some no longer used, until a sweep).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.set.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_copy_and_unused_ones_go() {
        let mut i = Interner::default();
        let a = i.intern(vec![1u32, 2]);
        let b = i.intern(vec![1u32, 2]);
        assert!(Arc::ptr_eq(&a, &b));
        drop((a, b));
        for n in 0..5000u32 {
            let _ = i.intern(vec![n]);
        }
        // Swept as it grew: nothing is held outside, so few remain.
        assert!(i.len() < 2100, "{}", i.len());
        let kept = i.intern(vec![7u32, 7]);
        for n in 0..5000u32 {
            let _ = i.intern(vec![n, n, n]);
        }
        assert!(Arc::ptr_eq(&kept, &i.intern(vec![7u32, 7])));
    }
}
