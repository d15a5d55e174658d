//! The Adj-RIB-In of one neighbour (RFC 4271 §3.2): its routes as received
//! (after the import switch), in a compact prefix table that counts each
//! family, so that max-prefix (RFC 4486) costs nothing per UPDATE.

use crate::route::Route;
use crate::table::{PrefixMap, RouteKey};
use peerd_wire::Family;
use std::ops::Deref;

/// Routes by (family, prefix).
#[derive(Debug, Clone, Default)]
pub(crate) struct AdjRibIn {
    routes: PrefixMap<Route>,
}

impl AdjRibIn {
    /// How many prefixes of `family` the neighbour has.
    pub(crate) fn count(&self, family: Family) -> usize {
        self.routes.count(family)
    }

    /// Adds or replaces a route; returns the one it replaced.
    pub(crate) fn insert(&mut self, key: RouteKey, route: Route) -> Option<Route> {
        self.routes.insert(key, route)
    }

    /// Removes a route; returns it if it was there.
    pub(crate) fn remove(&mut self, key: &RouteKey) -> Option<Route> {
        self.routes.remove(key)
    }

    /// Removes every route.
    pub(crate) fn clear(&mut self) {
        self.routes.clear();
    }

    /// The routes, to change in place (keys stay, so counts do too).
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Route> {
        self.routes.values_mut()
    }

    /// Keys and routes, the routes changeable in place.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (RouteKey, &mut Route)> {
        self.routes.iter_mut()
    }
}

impl Deref for AdjRibIn {
    type Target = PrefixMap<Route>;

    fn deref(&self) -> &Self::Target {
        &self.routes
    }
}
