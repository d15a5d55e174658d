//! Pre-encoding what a feed sends, before it connects, so that the harness
//! only copies bytes into sockets during a measurement.

use crate::dataset::{feed_attrs, FeedSpec, Table};
use peerd_wire::attr::NextHop;
use peerd_wire::{AttrValue, Attribute, DecodeContext, Family, Nlri, Prefix, UpdateBuilder};
use std::collections::HashMap;
use std::net::Ipv6Addr;

/// Largest block written under one lock.
const BLOCK: usize = 256 * 1024;

/// Messages packed into blocks that end on message boundaries.
#[derive(Debug, Default, Clone)]
pub struct Blocks {
    /// The blocks.
    pub blocks: Vec<Vec<u8>>,
    /// How many messages.
    pub messages: usize,
}

impl Blocks {
    fn push(&mut self, msg: &[u8]) {
        match self.blocks.last_mut() {
            Some(b) if b.len() + msg.len() <= BLOCK => b.extend_from_slice(msg),
            _ => {
                let mut b = Vec::with_capacity(BLOCK);
                b.extend_from_slice(msg);
                self.blocks.push(b);
            }
        }
        self.messages += 1;
    }

    /// Octets in all.
    pub fn bytes(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }
}

/// The IPv6 next hop of a feed (documentation space, never routed).
pub fn next_hop6(feed: &FeedSpec) -> Ipv6Addr {
    let o = feed.next_hop.octets();
    Ipv6Addr::new(
        0x2001,
        0x0db8,
        0xffff,
        0,
        0,
        0,
        u16::from(o[2]),
        u16::from(o[3]),
    )
}

/// Groups `(prefix, set)` by set in order of first appearance.
fn groups<'a>(routes: impl Iterator<Item = &'a (Prefix, u32)>) -> Vec<(u32, Vec<Nlri>)> {
    let mut index: HashMap<u32, usize> = HashMap::new();
    let mut out: Vec<(u32, Vec<Nlri>)> = Vec::new();
    for (p, s) in routes {
        let i = *index.entry(*s).or_insert_with(|| {
            out.push((*s, Vec::new()));
            out.len() - 1
        });
        out[i].1.push(Nlri::new(*p));
    }
    out
}

/// The announcements of the routes of `table` whose index `keep` accepts (in
/// each family's order), then End-of-RIB for each family sent.
pub fn announce(table: &Table, feed: &FeedSpec, keep: &dyn Fn(usize) -> bool, v6: bool) -> Blocks {
    let b = UpdateBuilder::new(&DecodeContext::MODERN);
    let mut out = Blocks::default();
    let v4 = table
        .v4
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, r)| r);
    for (s, nlri) in groups(v4) {
        let mut attrs = feed_attrs(table, feed, s);
        attrs.push(Attribute::new(AttrValue::NextHop(feed.next_hop)));
        attrs.sort_by_key(Attribute::type_code);
        for m in b
            .announce(Family::IPV4_UNICAST, &attrs, None, &nlri)
            .unwrap_or_default()
        {
            out.push(&m);
        }
    }
    out.push(&b.end_of_rib(Family::IPV4_UNICAST));
    if v6 {
        let nh = NextHop::Ipv6 {
            global: next_hop6(feed),
            link_local: None,
        };
        let routes = table
            .v6
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, r)| r);
        for (s, nlri) in groups(routes) {
            let attrs = feed_attrs(table, feed, s);
            for m in b
                .announce(Family::IPV6_UNICAST, &attrs, Some(&nh), &nlri)
                .unwrap_or_default()
            {
                out.push(&m);
            }
        }
        out.push(&b.end_of_rib(Family::IPV6_UNICAST));
    }
    out
}

/// Withdrawals of the routes `keep` accepts.
pub fn withdraw(table: &Table, keep: &dyn Fn(usize) -> bool, v6: bool) -> Blocks {
    let b = UpdateBuilder::new(&DecodeContext::MODERN);
    let mut out = Blocks::default();
    let v4: Vec<Nlri> = table
        .v4
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, (p, _))| Nlri::new(*p))
        .collect();
    for m in b.withdraw(Family::IPV4_UNICAST, &v4).unwrap_or_default() {
        out.push(&m);
    }
    if v6 {
        let n: Vec<Nlri> = table
            .v6
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, (p, _))| Nlri::new(*p))
            .collect();
        for m in b.withdraw(Family::IPV6_UNICAST, &n).unwrap_or_default() {
            out.push(&m);
        }
    }
    out
}
