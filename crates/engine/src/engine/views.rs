//! What operators see: a route as shown (`RouteView`), every candidate of
//! a prefix with the step it lost at, a neighbour's routes before and after
//! its import policy, the routing table, and the longest match for an
//! address.

use super::filter::{self, RouteFilter};
use super::{family_of, gather, Engine, Exported, PeerId, RouteKey, Source};
use crate::decision::{self, Step};
use crate::engine::originate::Static;
use crate::route::Route;
use peerd_wire::attr::{AsPath, AttrValue};
use peerd_wire::{Family, Prefix};
use std::net::IpAddr;

/// A route as shown to operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteView {
    /// Family.
    pub family: Family,
    /// Prefix.
    pub prefix: Prefix,
    /// Next hop.
    pub next_hop: String,
    /// AS path.
    pub as_path: String,
    /// ORIGIN.
    pub origin: &'static str,
    /// LOCAL_PREF.
    pub local_pref: u32,
    /// MED, if present.
    pub med: Option<u32>,
    /// Standard communities.
    pub communities: Vec<String>,
    /// Large communities.
    pub large_communities: Vec<String>,
    /// Extended communities.
    pub ext_communities: Vec<String>,
    /// Whether this route is the best for its prefix.
    pub best: bool,
    /// Usable for forwarding beside the best (multipath).
    pub multipath: bool,
    /// Why it is not the best: the decision step it lost at.
    pub lost: Option<Step>,
    /// The neighbour it came from (`None`: ours).
    pub from: Option<String>,
    /// Kept for a restarting neighbour.
    pub stale: bool,
    /// Ineligible as a route leak (RFC 9234).
    pub leak: bool,
    /// Traffic to the prefix is dropped here (an import policy set the
    /// next hop to discard); `next_hop` is still the one received.
    pub discard: bool,
    /// The Only to Customer attribute (RFC 9234), if present.
    pub otc: Option<u32>,
    /// Where it comes from: "bgp" (a neighbor), "local" (our announcement
    /// or a redistributed static or kernel route), "static" (the static
    /// route itself), "kernel" (another program's kernel route, imported).
    pub protocol: &'static str,
}

impl Engine {
    /// Every candidate for `key` as shown to operators: the best first,
    /// then the others in the order of the step they lost at.
    fn judged(&self, key: &RouteKey) -> Vec<(Source, RouteView)> {
        let mut sources = Vec::new();
        let mut cands = Vec::new();
        let mut lost = Vec::new();
        gather(self.tables(), key, &mut sources, &mut cands);
        let winner = decision::select(&cands, &self.decision, &mut lost);
        let mut out: Vec<(Source, RouteView)> = cands
            .iter()
            .zip(&sources)
            .zip(&lost)
            .enumerate()
            .map(|(i, ((c, src), l))| {
                let mut v = view(key, c.route, winner == Some(i));
                v.lost = *l;
                v.multipath = decision::is_multipath(&self.decision, *l);
                v.from = self.source_name(*src);
                if matches!(src, Source::Peer(_)) {
                    v.protocol = "bgp";
                }
                (*src, v)
            })
            .collect();
        // The routing table: a static and a kernel route against the best
        // BGP route.
        let wins = self.table_wins(key).map(|(_, kernel)| kernel);
        if wins.is_some() {
            for (_, v) in out.iter_mut().filter(|(_, v)| v.best) {
                v.best = false;
                v.lost = Some(Step::Distance);
            }
        }
        if let Some(s) = self.statics.get(key) {
            out.push((
                Source::Local,
                static_view(key, s, wins == Some(false), "static"),
            ));
        }
        if let Some(s) = self.kernel.get(key) {
            out.push((
                Source::Local,
                static_view(key, s, wins == Some(true), "kernel"),
            ));
        }
        out.sort_by_key(|(_, v)| (!v.best, v.lost));
        out
    }

    fn source_name(&self, s: Source) -> Option<String> {
        match s {
            Source::Local => None,
            Source::Peer(i) => self.peers.get(i).map(|p| p.cfg.name.clone()),
        }
    }

    /// Every candidate route for a prefix, the best first, each other one
    /// with the decision step it lost at.
    pub fn candidates(&self, prefix: Prefix) -> Vec<RouteView> {
        self.judged(&(family_of(&prefix), prefix))
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }

    /// The prefix the routing table uses for `addr`: the longest one that
    /// holds it among the prefixes with a best route (BGP or our own), the
    /// static routes and the imported kernel routes.
    pub fn lookup(&self, addr: IpAddr) -> Option<Prefix> {
        let bgp = self.best.longest_match(addr).map(|(p, _)| p);
        let by_static = self
            .statics
            .keys()
            .chain(self.kernel.keys())
            .map(|k| k.1)
            .filter(|p| Prefix::new(addr, p.len()) == Some(*p))
            .max_by_key(Prefix::len);
        bgp.into_iter().chain(by_static).max_by_key(Prefix::len)
    }

    /// Routes received from a neighbour (after the import switch).
    pub fn routes_from(&self, peer: PeerId) -> Vec<RouteView> {
        let Some(p) = self.peers.get(peer) else {
            return Vec::new();
        };
        p.adj_in
            .keys()
            .filter_map(|k| {
                self.judged(&k)
                    .into_iter()
                    .find(|(s, _)| *s == Source::Peer(peer))
                    .map(|(_, v)| v)
            })
            .collect()
    }

    /// Routes received from a neighbour as they came, before its import
    /// policy (`None` unless it keeps them).
    pub fn routes_received(&self, peer: PeerId) -> Option<Vec<RouteView>> {
        let pre = self.peers.get(peer)?.pre.as_ref()?;
        Some(pre.iter().map(|(k, r)| view(&k, r, false)).collect())
    }

    /// Routes sent to a neighbour.
    pub fn routes_to(&self, peer: PeerId) -> usize {
        self.held_count(peer)
    }

    /// Prefixes a neighbour sent that its import policy rejected (a count
    /// of announcements, since the neighbour was configured).
    pub fn routes_filtered(&self, peer: PeerId) -> u64 {
        self.peers.get(peer).map_or(0, |p| p.filtered.total())
    }

    /// Announcements from `peer` its import policy rejected, by why.
    pub fn routes_filtered_by(&self, peer: PeerId) -> super::Filtered {
        self.peers
            .get(peer)
            .map_or_else(Default::default, |p| p.filtered)
    }

    /// Announcements from a neighbour that RFC 9234's ingress rules
    /// marked as route leaks (kept, never chosen), since it was configured.
    pub fn routes_leaked(&self, peer: PeerId) -> u64 {
        self.peers.get(peer).map_or(0, |p| p.leaks)
    }

    /// Prefixes of one family accepted from a neighbour.
    pub fn routes_in_family(&self, peer: PeerId, family: Family) -> usize {
        self.peers.get(peer).map_or(0, |p| p.adj_in.count(family))
    }

    /// Prefixes accepted from a neighbour.
    pub fn routes_in(&self, peer: PeerId) -> usize {
        self.peers.get(peer).map_or(0, |p| p.adj_in.len())
    }

    /// The routing table: for every prefix the best BGP route, or the
    /// static or imported kernel route where it wins by administrative
    /// distance.
    pub fn loc_rib(&self) -> Vec<RouteView> {
        let keys: std::collections::BTreeSet<RouteKey> = self
            .best
            .keys()
            .chain(self.statics.keys().copied())
            .chain(self.kernel.keys().copied())
            .collect();
        let all = RouteFilter::default();
        keys.iter()
            .filter_map(|k| self.rib_entry(k, &all))
            .collect()
    }

    /// The routing table's entry for one prefix, if it passes `f`.
    fn rib_entry(&self, k: &RouteKey, f: &RouteFilter) -> Option<RouteView> {
        if let Some((s, kernel)) = self.table_wins(k) {
            // A static or kernel route: no attributes, an empty path.
            if f.from.is_some() || !f.passes(&[], AsPath::default, self.local_as) {
                return None;
            }
            let protocol = if kernel { "kernel" } else { "static" };
            return Some(static_view(k, s, true, protocol));
        }
        let r = self.best_route(k)?;
        let from = match self.source_of(k) {
            Some(Source::Peer(i)) => Some(i),
            _ => None,
        };
        if f.from.is_some() && f.from != from {
            return None;
        }
        if f.on_attributes() && !f.passes(&r.attrs, || r.as_path.to_as_path(), self.local_as) {
            return None;
        }
        let mut v = view(k, r, true);
        if let Some(i) = from {
            v.from = self.source_name(Source::Peer(i));
            v.protocol = "bgp";
        }
        Some(v)
    }

    /// One page of the routing table: at most `limit` entries that pass
    /// `f`, after `after` (in prefix order, IPv4 first), and the prefix to
    /// ask from for the next page (`None` on the last). A page costs its
    /// own size — or with a filter at most [`crate::SCAN_LIMIT`] prefixes — not
    /// the table's.
    pub fn loc_rib_page(&self, after: Option<Prefix>, limit: usize, f: &RouteFilter) -> Page {
        let beyond = |k: &RouteKey| after.is_none_or(|a| *k > (family_of(&a), a));
        let mut extra: Vec<RouteKey> = self
            .statics
            .keys()
            .chain(self.kernel.keys())
            .filter(|k| beyond(k) && f.covers(k))
            .copied()
            .collect();
        extra.sort_unstable();
        extra.dedup();
        let keys = filter::merge(f.keys(&self.best, after), extra);
        filter::page(keys, limit, |k| self.rib_entry(k, f))
    }

    /// One page of a neighbour's routes, as [`Engine::loc_rib_page`]:
    /// those its import policy accepted, those it sent as they came (`None`
    /// when it does not keep them), or those we send it; `None` too for an
    /// unknown neighbour.
    pub fn routes_page(
        &self,
        peer: PeerId,
        set: RouteSet,
        after: Option<Prefix>,
        limit: usize,
        f: &RouteFilter,
    ) -> Option<Page> {
        let p = self.peers.get(peer)?;
        let local_as = self.local_as;
        match set {
            RouteSet::Received => {
                let pre = p.pre.as_ref()?;
                Some(filter::page(f.keys(pre, after), limit, |k| {
                    let r = pre.get(k)?;
                    f.passes(&r.attrs, || r.as_path.to_as_path(), local_as)
                        .then(|| view(k, r, false))
                }))
            }
            RouteSet::Accepted => Some(filter::page(f.keys(&p.adj_in, after), limit, |k| {
                let r = p.adj_in.get(k)?;
                if !f.passes(&r.attrs, || r.as_path.to_as_path(), local_as) {
                    return None;
                }
                self.judged(k)
                    .into_iter()
                    .find(|(s, _)| *s == Source::Peer(peer))
                    .map(|(_, v)| v)
            })),
            RouteSet::Advertised => {
                let Some(held) = self.held_by_walk(peer) else {
                    return Some(Page {
                        routes: Vec::new(),
                        next: None,
                    });
                };
                Some(filter::page(f.keys(held.0, after), limit, |k| {
                    if held.1.contains(k) {
                        return None;
                    }
                    let sent = held.0.get(k)?;
                    let path = || {
                        sent.0
                            .iter()
                            .find_map(|a| match &a.value {
                                AttrValue::AsPath(p) => Some(p.clone()),
                                _ => None,
                            })
                            .unwrap_or_default()
                    };
                    f.passes(&sent.0, path, local_as)
                        .then(|| sent_view(k, sent))
                }))
            }
        }
    }

    /// How many of each shared structure the engine holds (for metrics).
    pub fn stats(&self) -> Stats {
        Stats {
            attribute_sets: self.attr_sets.len(),
            as_paths: self.paths.len(),
            next_hops: self.next_hops.len(),
            export_sets: self.out_sets.len(),
            adj_rib_in_routes: self.peers.iter().map(|p| p.adj_in.len()).sum(),
            best_routes: self.best.len(),
        }
    }

    /// What the engine's structures take, in bytes asked of the allocator
    /// (its own headers and rounding not counted), for metrics.
    pub fn memory(&self) -> Memory {
        let peers = self.peers.iter().map(|p| {
            p.adj_in.heap_bytes()
                + p.pre.as_ref().map_or(0, |x| x.heap_bytes())
                + p.hidden.heap_bytes()
        });
        let groups = self.groups.iter().flatten().map(|g| g.heap_bytes());
        Memory {
            prefix_tables: peers.chain(groups).sum::<usize>() + self.best.heap_bytes(),
            // A record's block: two reference counts and the record.
            route_records: crate::route::records_alive()
                * (16 + std::mem::size_of::<crate::route::Path>()),
            attribute_sets: self.attr_sets.bytes(),
            as_paths: self.paths.bytes(),
            export_sets: self.out_sets.bytes(),
            next_hops: self.next_hops.bytes() + self.learned.bytes(),
        }
    }

    /// How many prefixes of `family` the routing table has a route for.
    pub fn prefix_count(&self, family: peerd_wire::Family) -> usize {
        let extra = self
            .statics
            .keys()
            .chain(self.kernel.keys().filter(|k| !self.statics.contains_key(k)))
            .filter(|k| k.0 == family && !self.best.contains_key(k))
            .count();
        self.best.count(family) + extra
    }
}

/// How many of each shared structure the engine holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct attribute sets (interned, shared by the routes that carry them).
    pub attribute_sets: usize,
    /// Distinct AS paths behind the neighbour's AS (their shared rests).
    pub as_paths: usize,
    /// Distinct next hops.
    pub next_hops: usize,
    /// Distinct attribute sets as sent.
    pub export_sets: usize,
    /// Routes in every Adj-RIB-In together.
    pub adj_rib_in_routes: usize,
    /// Prefixes with a best route.
    pub best_routes: usize,
}

/// What the engine's main structures take, in bytes asked of the
/// allocator ([`Engine::memory`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// Per-prefix tables: every neighbour's Adj-RIB-In (after the import
    /// policy, and before it where kept), the best-route index, update
    /// groups' Adj-RIB-Out, held-back sets.
    pub prefix_tables: usize,
    /// Route records, the parts a route shares with the other routes of
    /// its UPDATE (counted for the whole process).
    pub route_records: usize,
    /// Received attribute sets (interned) and the table that finds them.
    pub attribute_sets: usize,
    /// AS paths behind the neighbour's AS (interned) and their table.
    pub as_paths: usize,
    /// Attribute sets as sent (interned) and their table.
    pub export_sets: usize,
    /// Next hops and where routes came from (interned).
    pub next_hops: usize,
}

impl Memory {
    /// All of them.
    pub fn total(&self) -> usize {
        self.prefix_tables
            + self.route_records
            + self.attribute_sets
            + self.as_paths
            + self.export_sets
            + self.next_hops
    }

    /// Each, with the name metrics give it.
    pub fn by_structure(&self) -> [(&'static str, usize); 6] {
        [
            ("prefix_tables", self.prefix_tables),
            ("route_records", self.route_records),
            ("attribute_sets", self.attribute_sets),
            ("as_paths", self.as_paths),
            ("export_sets", self.export_sets),
            ("next_hops", self.next_hops),
        ]
    }
}

/// Which of a neighbour's routes a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteSet {
    /// Accepted by its import policy (Adj-RIB-In, post-policy).
    Accepted,
    /// As received, before the import policy (Adj-RIB-In, pre-policy).
    Received,
    /// What we send it (Adj-RIB-Out), attributes as sent.
    Advertised,
}

/// One page of routes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The routes, in prefix order.
    pub routes: Vec<RouteView>,
    /// Where the next page starts (after this prefix); `None` on the last.
    pub next: Option<Prefix>,
}

fn view(k: &(Family, Prefix), r: &Route, best: bool) -> RouteView {
    let mut communities = Vec::new();
    let mut large = Vec::new();
    let mut ext = Vec::new();
    let mut med = None;
    for a in r.attrs.iter() {
        match &a.value {
            AttrValue::Communities(c) => communities.extend(c.iter().map(|c| c.to_string())),
            AttrValue::LargeCommunities(c) => large.extend(c.iter().map(|c| c.to_string())),
            AttrValue::ExtCommunities(c) => ext.extend(c.iter().map(|c| c.to_string())),
            AttrValue::Med(m) => med = Some(*m),
            _ => {}
        }
    }
    RouteView {
        family: k.0,
        prefix: k.1,
        next_hop: if r.peer().is_none() {
            "self".into()
        } else {
            r.next_hop().to_string()
        },
        as_path: r.as_path.to_string(),
        origin: r.origin().as_str(),
        local_pref: r.local_pref(),
        med,
        communities,
        large_communities: large,
        ext_communities: ext,
        best,
        multipath: false,
        lost: None,
        from: None,
        stale: r.stale,
        leak: r.leak,
        discard: r.discard,
        otc: r.otc(),
        protocol: "local",
    }
}

fn static_view(k: &RouteKey, s: &Static, best: bool, protocol: &'static str) -> RouteView {
    RouteView {
        family: k.0,
        prefix: k.1,
        next_hop: s.via_text(),
        as_path: String::new(),
        origin: "incomplete",
        local_pref: 0,
        med: None,
        communities: Vec::new(),
        large_communities: Vec::new(),
        ext_communities: Vec::new(),
        best,
        multipath: false,
        lost: (!best).then_some(Step::Distance),
        from: None,
        stale: false,
        leak: false,
        discard: false,
        otc: None,
        protocol,
    }
}

/// A route as we send it: the attributes of the Adj-RIB-Out (our AS
/// prepended towards eBGP, MED and LOCAL_PREF as the RFC has them go) and
/// the next hop we set.
fn sent_view(k: &RouteKey, sent: &Exported) -> RouteView {
    let mut v = RouteView {
        family: k.0,
        prefix: k.1,
        next_hop: sent.1.to_string(),
        as_path: String::new(),
        origin: peerd_wire::attr::Origin::Incomplete.as_str(),
        local_pref: 0,
        med: None,
        communities: Vec::new(),
        large_communities: Vec::new(),
        ext_communities: Vec::new(),
        best: false,
        multipath: false,
        lost: None,
        from: None,
        stale: false,
        leak: false,
        discard: false,
        otc: None,
        protocol: "bgp",
    };
    for a in &sent.0 {
        match &a.value {
            AttrValue::Origin(o) => v.origin = o.as_str(),
            AttrValue::AsPath(p) => v.as_path = p.to_string(),
            AttrValue::LocalPref(l) => v.local_pref = *l,
            AttrValue::Med(m) => v.med = Some(*m),
            AttrValue::Communities(c) => v.communities = c.iter().map(|c| c.to_string()).collect(),
            AttrValue::LargeCommunities(c) => {
                v.large_communities = c.iter().map(|c| c.to_string()).collect();
            }
            AttrValue::ExtCommunities(c) => {
                v.ext_communities = c.iter().map(|c| c.to_string()).collect();
            }
            AttrValue::Otc(o) => v.otc = Some(*o),
            _ => {}
        }
    }
    v
}
