//! The Adj-RIB-In of one neighbour (RFC 4271 §3.2): its routes as received
//! (after the import switch), with a running count per family so that
//! max-prefix (RFC 4486) costs nothing per UPDATE.

use crate::route::Route;
use peerd_wire::{Family, Prefix};
use std::collections::BTreeMap;
use std::ops::Deref;

/// Routes by (family, prefix), and how many there are of each family.
#[derive(Debug, Clone, Default)]
pub(crate) struct AdjRibIn {
    routes: BTreeMap<(Family, Prefix), Route>,
    counts: Vec<(Family, usize)>,
}

impl AdjRibIn {
    /// How many prefixes of `family` the neighbour has.
    pub(crate) fn count(&self, family: Family) -> usize {
        self.counts
            .iter()
            .find(|(f, _)| *f == family)
            .map_or(0, |(_, n)| *n)
    }

    fn counter(&mut self, family: Family) -> &mut usize {
        let i = match self.counts.iter().position(|(f, _)| *f == family) {
            Some(i) => i,
            None => {
                self.counts.push((family, 0));
                self.counts.len() - 1
            }
        };
        &mut self.counts[i].1
    }

    /// Adds or replaces a route; returns the one it replaced.
    pub(crate) fn insert(&mut self, key: (Family, Prefix), route: Route) -> Option<Route> {
        let old = self.routes.insert(key, route);
        if old.is_none() {
            *self.counter(key.0) += 1;
        }
        old
    }

    /// Removes a route; returns it if it was there.
    pub(crate) fn remove(&mut self, key: &(Family, Prefix)) -> Option<Route> {
        let old = self.routes.remove(key);
        if old.is_some() {
            let n = self.counter(key.0);
            *n = n.saturating_sub(1);
        }
        old
    }

    /// Removes every route.
    pub(crate) fn clear(&mut self) {
        self.routes.clear();
        self.counts.clear();
    }

    /// The routes, to change in place (keys stay, so counts do too).
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Route> {
        self.routes.values_mut()
    }

    /// Keys and routes, the routes changeable in place.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&(Family, Prefix), &mut Route)> {
        self.routes.iter_mut()
    }
}

impl Deref for AdjRibIn {
    type Target = BTreeMap<(Family, Prefix), Route>;

    fn deref(&self) -> &Self::Target {
        &self.routes
    }
}
