//! A new configuration applied to a running engine (hitless reload): new
//! and changed neighbours, removed ones, policies, decision options and
//! originated prefixes — with only the difference sent to each neighbour.

use super::{Announcement, Engine, Peer, PeerConfig, PeerId, RouteKey, Static};
use crate::decision::DecisionOptions;
use crate::engine::Action;
use crate::route::Route;
use peerd_policy::{evaluate, Context, Direction, Policies, PolicyId, Rejected, Subject};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Everything a reload may change in the engine.
#[derive(Debug, Clone)]
pub struct Reconfig {
    /// Our AS.
    pub local_as: u32,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// Our route-reflection cluster ID.
    pub cluster_id: Ipv4Addr,
    /// The policies, as the new configuration numbers them.
    pub policies: Arc<Policies>,
    /// The decision options.
    pub decision: DecisionOptions,
    /// The prefixes we originate.
    pub announce: Vec<Announcement>,
    /// Static routes.
    pub statics: Vec<Static>,
    /// Static routes into BGP (see `Engine::set_origination`).
    pub redistribute_static: Option<Option<PolicyId>>,
    /// Other programs' kernel routes (see `Engine::set_kernel_import`).
    pub kernel: super::KernelImport,
    /// Neighbours whose settings changed (their routes are kept), and new
    /// ones (an index one past the last), in order.
    pub peers: Vec<(PeerId, PeerConfig)>,
    /// Neighbours that are gone: their routes go.
    pub remove: Vec<PeerId>,
    /// Neighbours whose Adj-RIB-Out is recomputed against the best routes
    /// (export policy or next-hop settings changed).
    pub reexport: Vec<PeerId>,
    /// Neighbours whose kept routes go through their (new) import policy
    /// again (soft reconfiguration inbound).
    pub reimport: Vec<PeerId>,
}

impl Engine {
    /// Applies a new configuration; returns the UPDATEs that follow.
    pub fn reconfigure(&mut self, r: Reconfig) -> Vec<Action> {
        let mut actions = Vec::new();
        self.local_as = r.local_as;
        self.router_id = r.router_id;
        self.cluster_id = r.cluster_id;
        self.policies = r.policies;
        for (id, cfg) in r.peers {
            let n = self.peers.len();
            match self.peers.get_mut(id) {
                Some(p) => {
                    if cfg.keep_received && p.pre.is_none() {
                        p.pre = Some(crate::table::PrefixMap::new());
                    } else if !cfg.keep_received {
                        p.pre = None;
                    }
                    p.cfg = cfg;
                }
                None if id == n => self.peers.push(Peer::new(cfg)),
                None => {}
            }
        }
        let mut changed: BTreeSet<RouteKey> = BTreeSet::new();
        for id in r.remove {
            self.leave_group(id);
            if let Some(p) = self.peers.get_mut(id) {
                changed.extend(p.adj_in.keys());
                p.adj_in.clear();
                p.pre = None;
                p.up = None;
                p.cfg.import = false;
                p.cfg.export = false;
            }
        }
        // Before anything is exported: every group's key from its members'
        // new settings (policy numbers may have changed). Members whose
        // settings now differ from the rest of their group move.
        let mut moving = Vec::new();
        for g in 0..self.groups.len() {
            let Some(members) = self.groups[g].as_ref().map(|x| x.members().to_vec()) else {
                continue;
            };
            let keys: Vec<_> = members.iter().map(|m| self.group_key(*m)).collect();
            if let Some(Some(first)) = keys.first() {
                let first = first.clone();
                for (m, k) in members.iter().zip(&keys) {
                    if k.as_ref() != Some(&first) {
                        moving.push(*m);
                    }
                }
                if let Some(grp) = self.groups[g].as_mut() {
                    grp.set_key(first);
                }
            }
        }
        for m in moving {
            let held = self.held_by(m);
            self.leave_group(m);
            self.join_group(m, held, &mut actions);
        }
        // What a changed export policy or next-hop setting sends now: the
        // groups of those neighbours, recomputed against the best routes.
        let mut groups: Vec<usize> = r
            .reexport
            .iter()
            .filter_map(|id| self.peers.get(*id)?.group)
            .collect();
        groups.sort_unstable();
        groups.dedup();
        for g in groups {
            let keys = self.group_keys(g);
            self.export_group(g, &keys, &mut actions);
        }
        if r.decision != self.decision {
            self.decision = r.decision;
            changed.extend(self.local.keys().copied());
            for p in &self.peers {
                changed.extend(p.adj_in.keys());
            }
        }
        for id in r.reimport {
            changed.extend(self.reimport(id));
        }
        let changed: Vec<RouteKey> = changed.into_iter().collect();
        self.reselect_and_export(&changed, &mut actions);
        self.announce = r.announce;
        let statics = r
            .statics
            .into_iter()
            .map(|s| ((super::family_of(&s.prefix), s.prefix), s))
            .collect();
        self.replace_statics(statics, &mut actions);
        self.redistribute_static = r.redistribute_static;
        // The import policy may have changed with the policies.
        self.kernel_import = r.kernel;
        self.import_kernel(&mut actions);
        self.refresh_local(&mut actions);
        self.converge(None, false, &mut actions);
        actions
    }

    /// A soft reset in from the kept routes: `peer`'s routes as received
    /// run through its import policy again, the changes chosen and sent.
    /// Nothing happens for a neighbour that does not keep its routes.
    pub fn reimport_kept(&mut self, peer: PeerId) -> Vec<Action> {
        let mut actions = Vec::new();
        let changed = self.reimport(peer);
        self.reselect_and_export(&changed, &mut actions);
        actions
    }

    /// Runs a neighbour's kept routes through its import policy again and
    /// updates its Adj-RIB-In; returns the prefixes whose route changed.
    fn reimport(&mut self, peer: PeerId) -> Vec<RouteKey> {
        let Some(p) = self.peers.get(peer) else {
            return Vec::new();
        };
        let Some(pre) = &p.pre else {
            return Vec::new();
        };
        let ebgp = p.cfg.remote_as != self.local_as;
        let ctx = Context {
            local_as: self.local_as,
            neighbor_as: p.cfg.remote_as,
            role: if ebgp { p.cfg.role } else { None },
            direction: Direction::Import,
        };
        // The routes of equal parts share one record, as on arrival.
        let mut records = crate::intern::PathInterner::default();
        let mut results: Vec<(RouteKey, Result<Route, Rejected>)> = Vec::with_capacity(pre.len());
        for (k, r) in pre.iter() {
            if !p.cfg.import {
                results.push((k, Err(Rejected::Policy)));
                continue;
            }
            let Some(id) = p.cfg.import_policy else {
                results.push((k, Ok(r.clone())));
                continue;
            };
            let full_path = r.as_path.to_as_path();
            let mut s = Subject::new(k.1, &r.attrs, &full_path, r.next_hop());
            let out = if !evaluate(&self.policies, id, &ctx, &mut s) {
                Err(s.rejected)
            } else {
                // As on arrival: the policy may override the leak rule or
                // set the next hop to discard.
                let (leak, discard) = (r.leak && !s.allow_leak, s.discard);
                let path = if s.changed() {
                    let learned = match s.next_hop {
                        Cow::Borrowed(_) => Arc::clone(&r.learned),
                        Cow::Owned(n) => self.learned.intern(crate::route::Learned {
                            next_hop: self.next_hops.intern(n),
                            ..(*r.learned).clone()
                        }),
                    };
                    crate::route::Path {
                        attrs: self.attr_sets.intern(s.attrs.into_owned()),
                        as_path: self.paths.compact(&s.as_path),
                        learned,
                        ..(*r.path).clone()
                    }
                } else {
                    (*r.path).clone()
                };
                Ok(Route::new(records.intern(crate::route::Path {
                    leak,
                    discard,
                    ..path
                })))
            };
            results.push((k, out));
        }
        let p = &mut self.peers[peer];
        let mut changed = Vec::new();
        for (k, r) in results {
            match r {
                Ok(r) if p.adj_in.get(&k) == Some(&r) => {}
                Ok(r) => {
                    p.adj_in.insert(k, r);
                    changed.push(k);
                }
                Err(why) => {
                    if p.adj_in.remove(&k).is_some() {
                        p.filtered.count(why);
                        changed.push(k);
                    }
                }
            }
        }
        changed
    }
}
