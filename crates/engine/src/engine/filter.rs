//! Which routes a listing shows, and how one page of them is found with
//! bounded work.
//!
//! A filter narrows a listing to the more-specifics of a prefix (the
//! prefix itself included), routes carrying a community matching a
//! pattern, an AS path matching an expression, an origin AS, or — in the
//! routing table — the best routes learned from one neighbour. Every part
//! set must hold.
//!
//! Tables are walked in prefix order from where the last page ended. The
//! more-specifics of a prefix are contiguous in that order (they start at
//! the prefix and end where its address range does), so that filter costs
//! only the range. The others are checked route by route; a page stops
//! after [`SCAN_LIMIT`] prefixes even when it holds fewer than asked, and
//! says where to go on, so one request never walks a whole table.

use super::{family_of, Page, RouteView};
use crate::table::{PrefixMap, RouteKey};
use peerd_policy::{AsPathRegex, CommunityPattern};
use peerd_wire::attr::{AsPath, Attribute};
use peerd_wire::Prefix;

/// The most prefixes one page looks at.
pub const SCAN_LIMIT: usize = 100_000;

/// What a listing is narrowed to (the default: everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteFilter {
    /// This prefix and its more-specifics.
    pub within: Option<Prefix>,
    /// A community of any kind matching this pattern.
    pub community: Option<CommunityPattern>,
    /// The AS path matches this expression.
    pub as_path: Option<AsPathRegex>,
    /// The AS that originated the route (the last of the path; our own AS
    /// for routes we originate).
    pub origin_as: Option<u32>,
    /// Routing table only: the best route was learned from this neighbour.
    pub from: Option<usize>,
}

impl RouteFilter {
    /// Whether the route's attributes and path pass (not the prefix, nor
    /// the neighbour: the walk and the caller check those).
    pub(super) fn passes(
        &self,
        attrs: &[Attribute],
        path: impl FnOnce() -> AsPath,
        local_as: u32,
    ) -> bool {
        if let Some(p) = &self.community {
            if !peerd_policy::communities(attrs).any(|c| p.matches(&c)) {
                return false;
            }
        }
        if self.as_path.is_none() && self.origin_as.is_none() {
            return true;
        }
        let path = path();
        if let Some(re) = &self.as_path {
            if !re.matches(&path) {
                return false;
            }
        }
        if let Some(o) = self.origin_as {
            let origin = if path.segments.is_empty() {
                Some(local_as)
            } else {
                path.origin_as()
            };
            if origin != Some(o) {
                return false;
            }
        }
        true
    }

    /// Whether the listing looks at attributes at all.
    pub(super) fn on_attributes(&self) -> bool {
        self.community.is_some() || self.as_path.is_some() || self.origin_as.is_some()
    }

    /// Whether `k` is in the prefix range, if one is set.
    pub(super) fn covers(&self, k: &RouteKey) -> bool {
        self.within.is_none_or(|w| {
            k.0 == family_of(&w)
                && k.1.len() >= w.len()
                && Prefix::new(k.1.addr(), w.len()) == Some(w)
        })
    }

    /// The keys of `map` a page walks: after `after`, from the start of
    /// the prefix range, up to its end.
    pub(super) fn keys<'a, V>(
        &'a self,
        map: &'a PrefixMap<V>,
        after: Option<Prefix>,
    ) -> Box<dyn Iterator<Item = RouteKey> + 'a> {
        let Some(w) = self.within else {
            return Box::new(map.iter_after(after).map(|(k, _)| k));
        };
        let wk = (family_of(&w), w);
        let beyond = after.is_some_and(|a| (family_of(&a), a) >= wk);
        let walk: Box<dyn Iterator<Item = RouteKey> + 'a> = if beyond {
            Box::new(map.iter_after(after).map(|(k, _)| k))
        } else {
            let first = map.get(&wk).map(|_| wk);
            Box::new(
                first
                    .into_iter()
                    .chain(map.iter_after(Some(w)).map(|(k, _)| k)),
            )
        };
        Box::new(walk.take_while(move |k| self.covers(k)))
    }
}

/// Keys of two ordered walks in order, each once.
pub(super) fn merge<'a>(
    a: impl Iterator<Item = RouteKey> + 'a,
    b: Vec<RouteKey>,
) -> impl Iterator<Item = RouteKey> + 'a {
    let mut a = a.peekable();
    let mut b = b.into_iter().peekable();
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if x < y => a.next(),
        (Some(x), Some(y)) if y < x => b.next(),
        (Some(_), Some(_)) => {
            b.next();
            a.next()
        }
        (Some(_), None) => a.next(),
        (None, _) => b.next(),
    })
}

/// One page: the views of `keys` that `view` gives (it returns `None` for
/// a route the filter drops), at most `limit` of them, looking at no more
/// than [`SCAN_LIMIT`] keys. `next` is where the following page starts:
/// set while keys remain, even when this page holds fewer than `limit`.
pub(super) fn page(
    keys: impl Iterator<Item = RouteKey>,
    limit: usize,
    mut view: impl FnMut(&RouteKey) -> Option<RouteView>,
) -> Page {
    let mut routes = Vec::new();
    let mut keys = keys.peekable();
    let mut scanned = 0;
    while let Some(k) = keys.next() {
        scanned += 1;
        routes.extend(view(&k));
        if routes.len() >= limit || scanned >= SCAN_LIMIT {
            let next = keys.peek().is_some().then_some(k.1);
            return Page { routes, next };
        }
    }
    Page { routes, next: None }
}
