//! The benchmark table, derived from real RIBs.
//!
//! The base is one full feed of a real collector RIB: the IPv4 peer with the
//! most routes in the RouteViews JINX dump, and the IPv6 peer with the most
//! routes in the route-views6 dump (both in `../shared/data`). Each keeps its
//! real attribute sets (AS path, ORIGIN, MED, communities of all kinds,
//! aggregator), so the prefix-length distribution, AS-path lengths,
//! attribute sharing and community usage are the real ones.
//!
//! To reach today's table size (about 1.05M IPv4 and 250k IPv6 prefixes) the
//! base is copied into other parts of the address space: copy `c` moves every
//! prefix by one fixed XOR of its top bits (16 for IPv4, 29 below 2000::/3
//! for IPv6), so nesting and lengths are kept, drops what lands outside
//! public unicast space or on an existing prefix, and gives its routes a
//! different origin AS (one per original origin and copy), so sets stay as
//! shared as in the real table. The last copy takes a seeded random subset.
//!
//! A feed is one neighbour's view of that table: its own AS first, then the
//! real path minus the collector's peer AS, with a per-attribute-set change
//! for some sets (one more transit AS, or one fewer) so that several feeds
//! compete for best path prefix by prefix. Everything is seeded: the same
//! arguments give the same bytes.

use peerd_mrt::{Body, Rib};
use peerd_wire::attr::{AsPath, Community, Segment, SegmentType};
use peerd_wire::{AttrValue, Attribute, Family, Prefix};
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// Where the real RIBs are, relative to the shared data folder.
pub const IPV4_RIB: &str =
    "caida-libbgpstream/test-dumps/routeviews.route-views.jinx.ribs.1401487200.bz2";
/// The IPv6 RIB.
pub const IPV6_RIB: &str = "hask-mrt/test/data/rib.bz2";

/// Errors while building the dataset.
#[derive(Debug)]
pub enum DatasetError {
    /// The RIB file could not be read.
    Read(String, String),
    /// The RIB holds no routes of the family.
    Empty(String),
}

impl std::fmt::Display for DatasetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatasetError::Read(p, e) => write!(f, "{p}: {e}"),
            DatasetError::Empty(p) => write!(f, "{p}: no unicast routes found"),
        }
    }
}

impl std::error::Error for DatasetError {}

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// A value below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A 64-bit mixer (the SplitMix64 finaliser).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One attribute set of the table, without NEXT_HOP: the path as seen behind
/// the collector's peer (its AS removed), and the other attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseSet {
    /// The path behind the collector's peer.
    pub path: AsPath,
    /// ORIGIN, MED, communities, aggregator… (no AS_PATH, NEXT_HOP, MP_*).
    pub others: Vec<Attribute>,
}

/// The table: prefixes of both families, each with an attribute set.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Attribute sets.
    pub sets: Vec<BaseSet>,
    /// IPv4 prefixes and their set.
    pub v4: Vec<(Prefix, u32)>,
    /// IPv6 prefixes and their set.
    pub v6: Vec<(Prefix, u32)>,
    /// The AS of the collector peer each real family came from.
    pub source_as: Vec<(Family, u32)>,
    /// How many prefixes of each family are real (copy 0).
    pub real: (usize, usize),
}

/// Sizes of the table to build.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// IPv4 prefixes.
    pub v4: usize,
    /// IPv6 prefixes.
    pub v6: usize,
}

impl Size {
    /// Today's full table.
    pub const FULL: Size = Size {
        v4: 1_050_000,
        v6: 250_000,
    };
}

/// Prefixes with the attributes one peer sent for them.
type PeerRoutes = Vec<(Prefix, Vec<Attribute>)>;

/// Reads the peer with the most routes of one RIB file: its prefixes and
/// attribute sets, and its AS.
fn read_rib(path: &Path) -> Result<(PeerRoutes, u32), DatasetError> {
    let name = path.display().to_string();
    let reader =
        peerd_mrt::open(path).map_err(|e| DatasetError::Read(name.clone(), e.to_string()))?;
    let mut peers = Vec::new();
    let mut ribs: Vec<Rib> = Vec::new();
    for rec in reader {
        let rec = rec.map_err(|e| DatasetError::Read(name.clone(), e.to_string()))?;
        match rec.body {
            Body::PeerIndexTable(t) => peers = t.peers,
            Body::Rib(r)
                if !r.add_path
                    && matches!(r.family, f if f == Family::IPV4_UNICAST || f == Family::IPV6_UNICAST) =>
            {
                ribs.push(r)
            }
            _ => {}
        }
    }
    let mut count: HashMap<u16, usize> = HashMap::new();
    for r in &ribs {
        for e in &r.entries {
            *count.entry(e.peer_index).or_default() += 1;
        }
    }
    let best = count
        .iter()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(**i)))
        .map(|(i, _)| *i)
        .ok_or_else(|| DatasetError::Empty(name.clone()))?;
    let asn = peers.get(usize::from(best)).map_or(0, |p| p.asn);
    let mut out = Vec::with_capacity(count[&best]);
    for r in ribs {
        if let Some(e) = r
            .entries
            .into_iter()
            .find(|e| e.peer_index == best && e.errors.is_empty())
        {
            out.push((r.prefix, e.attributes));
        }
    }
    Ok((out, asn))
}

/// Whether an AS number is private, reserved or documentation (RFC 6996,
/// RFC 7300, RFC 5398): the benchmark's own ASes come from these ranges, so
/// real paths holding them are left out to keep loop detection quiet.
fn reserved_as(asn: u32) -> bool {
    asn == 0 || (64496..=131071).contains(&asn) || asn >= 4_200_000_000
}

/// Public unicast IPv4 space the benchmark may use: not 0/8, 10/8, 100.64/10,
/// 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24 (the canary),
/// 192.168/16, 198.18/15 (the benchmark's next hops), 198.51.100/24,
/// 203.0.113/24, nor 224/3.
fn public_v4(p: &Prefix) -> bool {
    let IpAddr::V4(a) = p.addr() else {
        return false;
    };
    let len = p.len();
    let o = a.octets();
    let inside = |net: [u8; 4], l: u8| {
        let m = if l == 0 { 0 } else { u32::MAX << (32 - l) };
        let shorter = len.min(l);
        let mm = if shorter == 0 {
            0
        } else {
            u32::MAX << (32 - shorter)
        };
        // overlap: equal on the shorter of the two lengths
        (u32::from(a) & mm) == (u32::from_be_bytes(net) & m & mm)
    };
    len >= 8
        && o[0] != 0
        && o[0] < 224
        && !inside([10, 0, 0, 0], 8)
        && !inside([100, 64, 0, 0], 10)
        && !inside([127, 0, 0, 0], 8)
        && !inside([169, 254, 0, 0], 16)
        && !inside([172, 16, 0, 0], 12)
        && !inside([192, 0, 0, 0], 24)
        && !inside([192, 0, 2, 0], 24)
        && !inside([192, 168, 0, 0], 16)
        && !inside([198, 18, 0, 0], 15)
        && !inside([198, 51, 100, 0], 24)
        && !inside([203, 0, 113, 0], 24)
}

/// Global unicast IPv6 (2000::/3), not 2001:db8::/32, at least /16.
fn public_v6(p: &Prefix) -> bool {
    let IpAddr::V6(a) = p.addr() else {
        return false;
    };
    let s = a.segments();
    p.len() >= 16 && (s[0] & 0xe000) == 0x2000 && !(s[0] == 0x2001 && s[1] == 0x0db8)
}

fn masked(addr: u128, len: u8, bits: u32) -> u128 {
    if len == 0 {
        0
    } else {
        addr & (u128::MAX << (bits - u32::from(len)))
    }
}

/// Moves a prefix by copy `key`: XOR on the top bits, masked to its length.
fn moved(p: &Prefix, key: u128) -> Option<Prefix> {
    match p.addr() {
        IpAddr::V4(a) => {
            let x = (u128::from(u32::from(a)) ^ key) & 0xffff_ffff;
            let x = masked(x, p.len(), 32) as u32;
            Prefix::new(IpAddr::V4(Ipv4Addr::from(x)), p.len())
        }
        IpAddr::V6(a) => {
            let x = masked(u128::from(a) ^ key, p.len(), 128);
            Prefix::new(IpAddr::V6(Ipv6Addr::from(x)), p.len())
        }
    }
}

/// An origin AS for copy `c` of a route whose real origin is `asn`: a public
/// 4-octet AS (the allocated range 131072–399999), stable per (asn, c).
fn copy_origin(asn: u32, c: u32) -> u32 {
    131_072 + (mix(u64::from(asn) << 16 | u64::from(c)) % 268_928) as u32
}

fn with_origin(path: &AsPath, asn: u32) -> AsPath {
    let mut p = path.clone();
    if let Some(seg) = p.segments.last_mut() {
        if seg.kind == SegmentType::Sequence {
            if let Some(last) = seg.asns.last_mut() {
                *last = asn;
            }
        }
    }
    p
}

/// The real routes of one family as base sets, path minus the collector's
/// peer AS; routes with reserved ASes or outside public space are left out.
fn base_routes(
    routes: PeerRoutes,
    peer_as: u32,
    sets: &mut Vec<BaseSet>,
    index: &mut HashMap<BaseSet, u32>,
) -> Vec<(Prefix, u32)> {
    let mut out = Vec::with_capacity(routes.len());
    for (prefix, attrs) in routes {
        let ok = match prefix.addr() {
            IpAddr::V4(_) => public_v4(&prefix),
            IpAddr::V6(_) => public_v6(&prefix),
        };
        if !ok {
            continue;
        }
        let mut path = None;
        let mut others = Vec::new();
        for a in attrs {
            match a.value {
                AttrValue::AsPath(p) => path = Some(p),
                AttrValue::NextHop(_)
                | AttrValue::MpReach(_)
                | AttrValue::MpUnreach(_)
                | AttrValue::LocalPref(_)
                | AttrValue::As4Path(_)
                | AttrValue::As4Aggregator(_)
                | AttrValue::OriginatorId(_)
                | AttrValue::ClusterList(_)
                | AttrValue::Unknown { .. } => {}
                _ => others.push(a),
            }
        }
        let Some(mut path) = path else { continue };
        if path
            .segments
            .iter()
            .any(|s| s.asns.iter().any(|a| reserved_as(*a)))
        {
            continue;
        }
        // Behind the collector's peer: drop its AS (and its prepends).
        if let Some(first) = path.segments.first_mut() {
            if first.kind == SegmentType::Sequence {
                while first.asns.first() == Some(&peer_as) && first.asns.len() > 1 {
                    first.asns.remove(0);
                }
            }
        }
        let set = BaseSet { path, others };
        let id = *index.entry(set.clone()).or_insert_with(|| {
            sets.push(set);
            (sets.len() - 1) as u32
        });
        out.push((prefix, id));
    }
    out
}

/// Expands `base` to `target` prefixes (see the module text).
fn expand(
    base: &[(Prefix, u32)],
    target: usize,
    seed: u64,
    v6: bool,
    sets: &mut Vec<BaseSet>,
) -> Vec<(Prefix, u32)> {
    let mut seen: HashSet<Prefix> = HashSet::with_capacity(target);
    let mut out = Vec::with_capacity(target);
    for (p, s) in base {
        if out.len() >= target {
            break;
        }
        if seen.insert(*p) {
            out.push((*p, *s));
        }
    }
    let mut order: Vec<usize> = (0..base.len()).collect();
    let mut rng = Rng::new(seed ^ if v6 { 0x66 } else { 0x44 });
    for i in (1..order.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let mut copy_sets: HashMap<(u32, u32), u32> = HashMap::new();
    let mut c = 0u32;
    while out.len() < target && c < 64 {
        c += 1;
        let key: u128 = if v6 {
            u128::from((rng.next_u64() & 0x1fff_ffff) | 1) << 96
        } else {
            u128::from((rng.next_u64() & 0xffff) | 1) << 16
        };
        for &i in &order {
            if out.len() >= target {
                break;
            }
            let (p, s) = base[i];
            let Some(q) = moved(&p, key) else { continue };
            let ok = if v6 { public_v6(&q) } else { public_v4(&q) };
            if !ok || !seen.insert(q) {
                continue;
            }
            let id = *copy_sets.entry((s, c)).or_insert_with(|| {
                let b = &sets[s as usize];
                let origin = b.path.origin_as().unwrap_or(0);
                let set = BaseSet {
                    path: with_origin(&b.path, copy_origin(origin, c)),
                    others: b.others.clone(),
                };
                sets.push(set);
                (sets.len() - 1) as u32
            });
            out.push((q, id));
        }
    }
    out.sort_unstable_by_key(|r| r.0);
    out
}

impl Table {
    /// Builds the table from the shared data folder.
    pub fn build(data: &Path, size: Size, seed: u64) -> Result<Table, DatasetError> {
        let mut sets = Vec::new();
        let mut index = HashMap::new();
        let mut t = Table::default();
        if size.v4 > 0 {
            let (routes, asn) = read_rib(&data.join(IPV4_RIB))?;
            let base = base_routes(routes, asn, &mut sets, &mut index);
            t.real.0 = base.len().min(size.v4);
            t.v4 = expand(&base, size.v4, seed, false, &mut sets);
            t.source_as.push((Family::IPV4_UNICAST, asn));
        }
        if size.v6 > 0 {
            let (routes, asn) = read_rib(&data.join(IPV6_RIB))?;
            let base = base_routes(routes, asn, &mut sets, &mut index);
            t.real.1 = base.len().min(size.v6);
            t.v6 = expand(&base, size.v6, seed, true, &mut sets);
            t.source_as.push((Family::IPV6_UNICAST, asn));
        }
        t.sets = sets;
        Ok(t)
    }

    /// Distinct attribute sets in use by each family.
    pub fn sets_in_use(&self) -> (usize, usize) {
        let n = |v: &[(Prefix, u32)]| v.iter().map(|(_, s)| *s).collect::<HashSet<_>>().len();
        (n(&self.v4), n(&self.v6))
    }

    /// Prefix-length histogram of a family (index = length).
    pub fn lengths(routes: &[(Prefix, u32)]) -> Vec<usize> {
        let mut h = vec![0; 129];
        for (p, _) in routes {
            h[usize::from(p.len())] += 1;
        }
        h
    }
}

/// How a feed sees the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The real paths behind the feed's AS, some sets one AS longer or shorter
    /// (seeded per feed): feeds of this kind compete for best path.
    Varied,
    /// As `Varied`, with one more AS of the feed's own (its AS + 10000)
    /// behind its AS: no path shares anything but its origin part with
    /// another feed's, as between neighbours that reach the world through
    /// different upstreams.
    Unshared,
    /// The real paths behind the feed's AS, unchanged.
    Plain,
    /// The real paths behind the feed's AS prepended twice: never best while
    /// a plain or varied feed has the prefix.
    Backup,
}

/// One neighbour of the daemon that announces routes.
#[derive(Debug, Clone)]
pub struct FeedSpec {
    /// Its AS.
    pub asn: u32,
    /// Its IPv4 NEXT_HOP (198.18.0.0/15, never routed).
    pub next_hop: Ipv4Addr,
    /// Which view it has.
    pub view: View,
    /// Seed of its variations.
    pub seed: u64,
}

/// A transit AS that a varied feed may put in front of a path.
const TRANSITS: [u32; 8] = [174, 1299, 2914, 3257, 3356, 6453, 6762, 6939];

/// The attributes (without NEXT_HOP) of set `s` as `feed` announces it.
pub fn feed_attrs(table: &Table, feed: &FeedSpec, s: u32) -> Vec<Attribute> {
    let base = &table.sets[s as usize];
    let mut tail: Vec<Segment> = base.path.segments.clone();
    let h = mix(feed.seed ^ (u64::from(s) << 20) ^ u64::from(feed.asn));
    let mut lead = vec![feed.asn];
    if feed.view == View::Unshared {
        lead.push(feed.asn + 10000);
    }
    match feed.view {
        View::Plain => {}
        View::Backup => lead.extend([feed.asn, feed.asn]),
        View::Varied | View::Unshared => match h % 10 {
            0 | 1 => lead.push(TRANSITS[(h >> 8) as usize % TRANSITS.len()]),
            2 | 3 => {
                if let Some(first) = tail.first_mut() {
                    if first.kind == SegmentType::Sequence && first.asns.len() > 1 {
                        first.asns.remove(0);
                    }
                }
            }
            _ => {}
        },
    }
    let mut segments = vec![Segment {
        kind: SegmentType::Sequence,
        asns: lead,
    }];
    let mut rest = tail.into_iter();
    if let Some(first) = rest.next() {
        if first.kind == SegmentType::Sequence {
            segments[0].asns.extend(first.asns);
        } else {
            segments.push(first);
        }
    }
    segments.extend(rest);
    let mut out = Vec::with_capacity(base.others.len() + 1);
    let source = table.source_as.first().map_or(0, |x| x.1);
    for a in &base.others {
        if let AttrValue::Communities(cs) = &a.value {
            // The collector peer's own tags become the feed's.
            let cs = cs
                .iter()
                .map(|c| {
                    if c.0 >> 16 == source && feed.asn <= 0xffff {
                        Community(feed.asn << 16 | (c.0 & 0xffff))
                    } else {
                        *c
                    }
                })
                .collect();
            out.push(Attribute::new(AttrValue::Communities(cs)));
        } else {
            out.push(a.clone());
        }
    }
    out.insert(0, Attribute::new(AttrValue::AsPath(AsPath { segments })));
    out.sort_by_key(Attribute::type_code);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_keeps_length_and_masks() {
        let p: Prefix = "203.0.112.0/22".parse().unwrap_or_else(|_| unreachable!());
        let q = moved(&p, 0x0101 << 16).unwrap_or_else(|| unreachable!());
        assert_eq!(q.len(), 22);
        assert_eq!(q.to_string(), "202.1.112.0/22");
    }

    #[test]
    fn public_space() {
        let ok = |s: &str| public_v4(&s.parse().unwrap_or_else(|_| unreachable!()));
        assert!(ok("1.0.0.0/24"));
        assert!(!ok("10.1.0.0/16"));
        assert!(!ok("198.19.0.0/16"));
        assert!(!ok("192.0.2.0/24"));
        assert!(!ok("224.0.0.0/4"));
        assert!(!ok("0.0.0.0/0"));
        assert!(ok("198.20.0.0/16"));
    }
}
