//! What we put into BGP ourselves, and static routes.
//!
//! - **Announcements** (`[[announce]]`): our prefixes, ORIGIN IGP, always
//!   or only while another route covers them (`when = "covered"`: the
//!   same prefix or a shorter one learned from a neighbour or a static
//!   route — such as the default route from a transit).
//! - **Static routes**: they sit in the routing table beside BGP and win
//!   or lose against it by administrative distance (static 1 by default,
//!   eBGP 20, iBGP 200, as FRR counts); they are sent to BGP neighbours
//!   only when redistributed — through `[redistribute] static`, a policy
//!   (or "accept") — as our own routes with ORIGIN INCOMPLETE. An
//!   announcement of the same prefix takes precedence.
//!
//! The routes we originate are recomputed whenever something they depend
//! on changes; only the difference is selected and sent again.

use super::kernel::next_hop_of;
use super::{family_of, Action, Engine, RouteKey, Source};
use crate::route::{Learned, Route};
use peerd_policy::{evaluate, Context, Direction, PolicyId, Subject};
use peerd_wire::attr::{AsPath, AttrValue, Attribute, NextHop, Origin};
use peerd_wire::Prefix;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A prefix we originate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The prefix.
    pub prefix: Prefix,
    /// Attributes besides ORIGIN (communities).
    pub attrs: Vec<Attribute>,
    /// Only while another route covers it.
    pub when_covered: bool,
}

impl Announcement {
    /// Announced always, with these attributes.
    pub fn always(prefix: Prefix, attrs: Vec<Attribute>) -> Self {
        Announcement {
            prefix,
            attrs,
            when_covered: false,
        }
    }
}

/// Where a static route sends traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// To this address (on this interface, for a link-local one).
    Address(IpAddr, Option<String>),
    /// Out of this interface.
    Interface(String),
    /// Dropped.
    Blackhole,
}

/// A static route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Static {
    /// The prefix.
    pub prefix: Prefix,
    /// Where it goes.
    pub via: Via,
    /// Administrative distance (lower wins).
    pub distance: u8,
}

/// Administrative distance of a route learned over eBGP.
pub const EBGP_DISTANCE: u8 = 20;
/// Administrative distance of a route learned over iBGP.
pub const IBGP_DISTANCE: u8 = 200;

impl Static {
    /// How it is shown as a next hop.
    pub fn via_text(&self) -> String {
        match &self.via {
            Via::Address(a, Some(i)) => format!("{a}%{i}"),
            Via::Address(a, None) => a.to_string(),
            Via::Interface(i) => format!("dev {i}"),
            Via::Blackhole => "blackhole".to_string(),
        }
    }
}

impl Engine {
    /// Sets what we originate and the static routes; returns the UPDATEs
    /// that follow. `redistribute`: `None` keeps static routes out of BGP,
    /// `Some(None)` sends them all, `Some(Some(p))` those policy `p` accepts.
    pub fn set_origination(
        &mut self,
        announce: Vec<Announcement>,
        statics: Vec<Static>,
        redistribute: Option<Option<PolicyId>>,
    ) -> Vec<Action> {
        self.announce = announce;
        let statics = statics
            .into_iter()
            .map(|s| ((family_of(&s.prefix), s.prefix), s))
            .collect();
        let mut actions = Vec::new();
        self.replace_statics(statics, &mut actions);
        self.redistribute_static = redistribute;
        self.refresh_local(&mut actions);
        actions
    }

    /// Replaces the prefixes we originate (static routes stay as they
    /// are); returns the UPDATEs that follow.
    pub fn set_announcements(&mut self, announce: Vec<Announcement>) -> Vec<Action> {
        self.announce = announce;
        let mut actions = Vec::new();
        self.refresh_local(&mut actions);
        actions
    }

    /// Whether we originate `prefix` now (an announcement whose condition
    /// holds, or a redistributed route).
    pub fn originates(&self, prefix: Prefix) -> bool {
        self.local.contains_key(&(family_of(&prefix), prefix))
    }

    /// Takes new static routes, and tells the forwarding table about the
    /// prefixes whose static route came, went or changed.
    pub(super) fn replace_statics(
        &mut self,
        statics: BTreeMap<RouteKey, Static>,
        actions: &mut Vec<Action>,
    ) {
        let changed: Vec<RouteKey> = statics
            .iter()
            .filter(|(k, s)| self.statics.get(k) != Some(s))
            .map(|(k, _)| *k)
            .chain(
                self.statics
                    .keys()
                    .filter(|k| !statics.contains_key(k))
                    .copied(),
            )
            .collect();
        self.statics = statics;
        self.emit_forward(&changed, actions);
    }

    /// Recomputes our own routes and selects and sends again the prefixes
    /// whose route changed.
    pub(super) fn refresh_local(&mut self, actions: &mut Vec<Action>) {
        let want = self.wanted_local();
        let mut changed: Vec<RouteKey> = want
            .iter()
            .filter(|(k, r)| self.local.get(k) != Some(r))
            .map(|(k, _)| *k)
            .collect();
        changed.extend(self.local.keys().filter(|k| !want.contains_key(k)).copied());
        if changed.is_empty() {
            return;
        }
        self.local = want;
        self.reselect_and_export(&changed, actions);
    }

    /// Whether a change to `keys` may change a conditional announcement.
    pub(super) fn affects_conditions(&self, keys: &[RouteKey]) -> bool {
        self.announce.iter().any(|a| {
            a.when_covered
                && keys.iter().any(|(_, k)| {
                    k.len() <= a.prefix.len() && Prefix::new(a.prefix.addr(), k.len()) == Some(*k)
                })
        })
    }

    /// Whether a static route is usable: its gateway, if it has one,
    /// resolves through the kernel's routes (`resolve.rs`).
    pub(super) fn static_active(&self, s: &Static) -> bool {
        match &s.via {
            Via::Address(a, i) => self.resolver.resolves_addr(*a, i.as_deref()),
            Via::Interface(_) | Via::Blackhole => true,
        }
    }

    /// Whether a route other than our own covers `p`: a neighbour's, an
    /// active static route, an imported kernel route.
    fn covered(&self, p: &Prefix) -> bool {
        let f = family_of(p);
        let by_table = (0..=p.len())
            .filter_map(|l| Prefix::new(p.addr(), l))
            .any(|q| self.table_route(&(f, q)).is_some());
        by_table
            || self.peers.iter().any(|peer| {
                peer.adj_in
                    .covering(p.addr(), p.len())
                    .any(|(_, r)| !r.leak)
            })
    }

    pub(super) fn wanted_local(&self) -> BTreeMap<RouteKey, Route> {
        let ours = Arc::new(Learned {
            peer: None,
            peer_id: self.router_id,
            peer_addr: IpAddr::V4(self.router_id),
            ebgp: false,
            rr_client: false,
            next_hop: Arc::new(NextHop::Ipv4(Ipv4Addr::UNSPECIFIED)),
        });
        let route = |attrs: Vec<Attribute>, path: AsPath| {
            let path = crate::route::Path::new(
                Arc::new(attrs),
                Arc::clone(&ours),
                crate::CompactPath::new(&path),
                0,
            );
            Route::new(Arc::new(path))
        };
        let mut out = BTreeMap::new();
        // Kernel routes first: a static route of the same prefix replaces
        // one, an announcement either.
        let kernel = self
            .kernel
            .iter()
            .map(|(k, s)| (k, s, self.kernel_import.redistribute));
        let statics = self
            .statics
            .iter()
            .filter(|(_, s)| self.static_active(s))
            .map(|(k, s)| (k, s, self.redistribute_static));
        let ctx = Context {
            local_as: self.local_as,
            neighbor_as: self.local_as,
            role: None,
            direction: Direction::Export,
        };
        for (k, s, policy) in kernel.chain(statics) {
            let Some(policy) = policy else { continue };
            let attrs = vec![Attribute::new(AttrValue::Origin(Origin::Incomplete))];
            let path = AsPath::default();
            match policy {
                None => {
                    out.insert(*k, route(attrs, path));
                }
                Some(id) => {
                    let nh = next_hop_of(&s.prefix, &s.via);
                    let mut sub = Subject::new(s.prefix, &attrs, &path, &nh);
                    if evaluate(&self.policies, id, &ctx, &mut sub) {
                        let r = route(sub.attrs.into_owned(), sub.as_path.into_owned());
                        out.insert(*k, r);
                    }
                }
            }
        }
        for a in &self.announce {
            if a.when_covered && !self.covered(&a.prefix) {
                continue;
            }
            let mut attrs = vec![Attribute::new(AttrValue::Origin(Origin::Igp))];
            attrs.extend(a.attrs.iter().cloned());
            out.insert(
                (family_of(&a.prefix), a.prefix),
                route(attrs, AsPath::default()),
            );
        }
        out
    }

    /// The routing table's choice for `key` between its static or kernel
    /// route (`kernel.rs`) and its best BGP route, by administrative
    /// distance: the static or kernel route when it wins (`true`: the
    /// kernel's). Our own announcements do not forward.
    pub(super) fn table_wins(&self, key: &RouteKey) -> Option<(&Static, bool)> {
        let (s, kernel) = self.table_route(key)?;
        let wins = match self.source_of(key) {
            Some(Source::Peer(i)) => {
                let d = if self.peers[i].cfg.remote_as != self.local_as {
                    EBGP_DISTANCE
                } else {
                    IBGP_DISTANCE
                };
                s.distance <= d
            }
            _ => true,
        };
        wins.then_some((s, kernel))
    }
}
