//! Update groups: neighbours whose exports are identical share one
//! Adj-RIB-Out, and each change is computed and encoded once for all of
//! them (FRR's update groups, BIRD's shared export tables).
//!
//! Two neighbours are in one group when everything export looks at is the
//! same (`GroupKey`): eBGP or iBGP, our address and next-hop settings,
//! role, reflection, the encoding negotiated, the families, the export
//! policy. The one thing that differs between members is that a route is
//! never sent back to the neighbour it came from. A prefix whose best route
//! comes from a member — or that some member was held back from — is
//! therefore handled member by member ("individual"); every other prefix
//! goes into UPDATEs built once and sent to every member ("common").
//!
//! A member's view of a prefix is the group's Adj-RIB-Out entry unless the
//! prefix is in its `hidden` set (then it has nothing).

use super::{
    best_of, export_through, Action, Engine, ExportKey, Exported, PeerId, RouteKey, Source,
};
use crate::export::Target;
use crate::hash::FastBuild;
use crate::table::{PrefixMap, PrefixSet};
use peerd_policy::{Context, Direction, PolicyId};
use peerd_wire::attr::{AttrValue, Attribute, NextHop};
use peerd_wire::{Afi, DecodeContext, Family, Nlri, UpdateBuilder};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Everything a neighbour's export depends on.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GroupKey {
    /// The receiving side, with `peer` unset (`usize::MAX`).
    target: Target,
    tx: DecodeContext,
    families: Vec<Family>,
    export: bool,
    export_policy: Option<PolicyId>,
    /// With a policy, the neighbour's AS (a policy may look at it).
    remote_as: Option<u32>,
}

/// One update group.
#[derive(Debug, Clone)]
pub(super) struct Group {
    key: GroupKey,
    members: Vec<PeerId>,
    /// What the members hold (but for their `hidden` prefixes).
    adj_out: PrefixMap<Arc<Exported>>,
    /// Every prefix some member may hold back (a superset is harmless).
    hidden_any: PrefixSet,
    /// An export policy's leak override was reported for this group.
    leak_logged: bool,
}

/// What to send for one prefix: the new set, or `None` to withdraw.
type Diff = Vec<(RouteKey, Option<Arc<Exported>>)>;

impl Group {
    /// Heap bytes of its per-prefix tables.
    pub(super) fn heap_bytes(&self) -> usize {
        self.adj_out.heap_bytes() + self.hidden_any.heap_bytes()
    }

    /// Replaces the key (a reload renumbered what it refers to).
    pub(super) fn set_key(&mut self, key: GroupKey) {
        self.key = key;
    }

    /// The neighbours in it.
    pub(super) fn members(&self) -> &[PeerId] {
        &self.members
    }
}

impl Engine {
    /// Every prefix group `g` may have to send or withdraw: the best
    /// routes of its families and what it holds.
    pub(super) fn group_keys(&self, g: usize) -> Vec<RouteKey> {
        let Some(grp) = self.groups.get(g).and_then(Option::as_ref) else {
            return Vec::new();
        };
        let keys: BTreeSet<RouteKey> = self
            .best
            .keys()
            .filter(|k| grp.key.families.contains(&k.0))
            .chain(grp.adj_out.keys())
            .collect();
        keys.into_iter().collect()
    }

    pub(super) fn group_key(&self, peer: PeerId) -> Option<GroupKey> {
        let p = self.peers.get(peer)?;
        let up = p.up.as_ref()?;
        Some(GroupKey {
            target: Target {
                local_as: self.local_as,
                ebgp: p.cfg.remote_as != self.local_as,
                peer: usize::MAX,
                local_addr: up.local_addr,
                four_octet_as: up.negotiated.tx.four_octet_as,
                ipv4_next_hop: p.cfg.ipv4_next_hop,
                ipv6_next_hop: p.cfg.ipv6_next_hop,
                role: p.cfg.role,
                rr_client: p.cfg.rr_client,
                next_hop_self: p.cfg.next_hop_self,
                cluster_id: self.cluster_id,
            },
            tx: up.negotiated.tx,
            families: up.negotiated.families.clone(),
            export: p.cfg.export,
            export_policy: p.cfg.export_policy,
            remote_as: p.cfg.export_policy.map(|_| p.cfg.remote_as),
        })
    }

    /// What `peer` holds now, prefix by prefix.
    pub(super) fn held_by(&self, peer: PeerId) -> PrefixMap<Arc<Exported>> {
        let mut out = PrefixMap::new();
        let Some(p) = self.peers.get(peer) else {
            return out;
        };
        let Some(g) = p.group.and_then(|g| self.groups.get(g)?.as_ref()) else {
            return out;
        };
        for (k, v) in g.adj_out.iter().filter(|(k, _)| !p.hidden.contains(k)) {
            out.insert(k, Arc::clone(v));
        }
        out
    }

    /// What `peer` holds, without a copy: its group's Adj-RIB-Out and the
    /// prefixes it is held back from there. `None` outside a group (its
    /// session is down: it holds nothing).
    pub(super) fn held_by_walk(
        &self,
        peer: PeerId,
    ) -> Option<(&PrefixMap<Arc<Exported>>, &PrefixSet)> {
        let p = self.peers.get(peer)?;
        let g = p.group.and_then(|g| self.groups.get(g)?.as_ref())?;
        Some((&g.adj_out, &p.hidden))
    }

    /// How many prefixes `peer` holds.
    pub(super) fn held_count(&self, peer: PeerId) -> usize {
        let Some(p) = self.peers.get(peer) else {
            return 0;
        };
        let Some(g) = p.group.and_then(|g| self.groups.get(g)?.as_ref()) else {
            return 0;
        };
        // A member's hidden prefixes are always in the group's table (a
        // prefix is hidden only while the group holds a route for it), so
        // this is a subtraction, not a walk: it runs after every event.
        g.adj_out.len().saturating_sub(p.hidden.len())
    }

    /// Takes `peer` out of its group (its session went down, or its
    /// settings changed); an empty group goes.
    pub(super) fn leave_group(&mut self, peer: PeerId) {
        let Some(p) = self.peers.get_mut(peer) else {
            return;
        };
        p.hidden.clear();
        let Some(g) = p.group.take() else { return };
        if let Some(Some(grp)) = self.groups.get_mut(g) {
            grp.members.retain(|m| *m != peer);
            if grp.members.is_empty() {
                self.groups[g] = None;
            }
        }
    }

    /// Puts an established `peer`, which holds `held`, into the group its
    /// settings call for — a new one if there is none — and sends it what
    /// brings it in line with the group.
    pub(super) fn join_group(
        &mut self,
        peer: PeerId,
        held: PrefixMap<Arc<Exported>>,
        actions: &mut Vec<Action>,
    ) {
        let Some(key) = self.group_key(peer) else {
            return;
        };
        let found = self
            .groups
            .iter()
            .position(|g| g.as_ref().is_some_and(|g| g.key == key));
        let Some(g) = found else {
            // A group of its own, starting from what it holds: a full
            // export then sends exactly the difference.
            let families = key.families.clone();
            let mut keys: BTreeSet<RouteKey> = self
                .best
                .keys()
                .filter(|k| families.contains(&k.0))
                .collect();
            keys.extend(held.keys());
            let group = Group {
                key,
                members: vec![peer],
                adj_out: held,
                hidden_any: PrefixSet::default(),
                leak_logged: false,
            };
            let g = match self.groups.iter().position(Option::is_none) {
                Some(free) => {
                    self.groups[free] = Some(group);
                    free
                }
                None => {
                    self.groups.push(Some(group));
                    self.groups.len() - 1
                }
            };
            self.peers[peer].group = Some(g);
            let keys: Vec<RouteKey> = keys.into_iter().collect();
            self.export_group(g, &keys, actions);
            return;
        };
        // An existing group: the member gets the group's table, but for
        // what it sent itself.
        let Some(grp) = self.groups[g].as_mut() else {
            return;
        };
        grp.members.push(peer);
        let tx = grp.key.tx;
        let mut hidden = PrefixSet::default();
        let mut diff: Diff = Vec::new();
        for (k, v) in grp.adj_out.iter() {
            let own = matches!(
                self.best.get(&k).map(|b| b.source()),
                Some(Source::Peer(s)) if s == peer
            );
            let want = if own {
                hidden.insert(k);
                None
            } else {
                Some(v)
            };
            match (want, held.get(&k)) {
                (Some(w), Some(h)) if Arc::ptr_eq(w, h) => {}
                (Some(w), _) => diff.push((k, Some(Arc::clone(w)))),
                (None, Some(_)) => diff.push((k, None)),
                (None, None) => {}
            }
        }
        for k in held.keys() {
            if !grp.adj_out.contains_key(&k) {
                diff.push((k, None));
            }
        }
        grp.hidden_any.extend(hidden.iter());
        let p = &mut self.peers[peer];
        p.group = Some(g);
        p.hidden = hidden;
        let (messages, _) = pack(&tx, diff);
        if !messages.is_empty() {
            actions.push(Action::Send { peer, messages });
        }
    }

    /// Everything `peer` holds in `family`, announced again (a route
    /// refresh request, RFC 2918).
    pub(super) fn resend(&self, peer: PeerId, family: Family) -> Vec<Vec<u8>> {
        let Some(g) = self.peers[peer]
            .group
            .and_then(|g| self.groups.get(g)?.as_ref())
        else {
            return Vec::new();
        };
        let diff: Diff = self
            .held_by(peer)
            .iter()
            .filter(|(k, _)| k.0 == family)
            .map(|(k, v)| (k, Some(Arc::clone(v))))
            .collect();
        pack(&g.key.tx, diff).0
    }

    /// Brings group `g`'s members in line with the best routes for `keys`.
    pub(super) fn export_group(&mut self, g: usize, keys: &[RouteKey], actions: &mut Vec<Action>) {
        let Some(grp) = self.groups.get(g).and_then(Option::as_ref) else {
            return;
        };
        if !grp.key.export && grp.adj_out.is_empty() {
            return; // sends nothing, holds nothing
        }
        let key = grp.key.clone();
        let members = grp.members.clone();
        let target = key.target;
        let ctx = Context {
            local_as: self.local_as,
            neighbor_as: key.remote_as.unwrap_or(self.local_as),
            role: target.role,
            direction: Direction::Export,
        };
        let per_prefix = key
            .export_policy
            .is_some_and(|id| self.policies.depends_on_prefix(id));
        // Routes that share attributes export alike, so each distinct
        // (attributes, path, source) is exported and interned once per
        // call; interned sets compare by pointer.
        let mut memo: HashMap<ExportKey, Option<Arc<Exported>>, FastBuild> = HashMap::default();
        let mut common: Diff = Vec::new();
        let mut overridden: Option<peerd_wire::Prefix> = None;
        let mut individual: Vec<(RouteKey, Option<Arc<Exported>>, Option<PeerId>)> = Vec::new();
        for k in keys {
            if !key.families.contains(&k.0) {
                continue;
            }
            let best = best_of(&self.best, &self.local, &self.peers, k);
            let want = if key.export {
                best.and_then(|r| {
                    let v6 = k.0.afi == Afi::Ipv6;
                    let mk: ExportKey = (
                        Arc::as_ptr(&r.attrs),
                        r.as_path.key(),
                        r.peer(),
                        r.ebgp(),
                        v6,
                        (!target.ebgp || key.export_policy.is_some())
                            .then(|| (**r.next_hop()).clone()),
                        per_prefix.then_some(k.1),
                    );
                    memo.entry(mk)
                        .or_insert_with(|| {
                            let policy = key.export_policy.map(|id| (&*self.policies, id, &ctx));
                            let (out, leak) = export_through(r, k.1, &target, v6, policy);
                            if leak && out.is_some() {
                                overridden.get_or_insert(k.1);
                            }
                            out.map(|w| self.out_sets.intern(w))
                        })
                        .clone()
                })
            } else {
                None
            };
            let source = best.and_then(|r| r.peer()).filter(|s| members.contains(s));
            if source.is_some() || grp.hidden_any.contains(k) {
                individual.push((*k, want, source));
                continue;
            }
            match (want, grp.adj_out.get(k)) {
                (Some(w), Some(h)) if Arc::ptr_eq(&w, h) => {}
                (Some(w), _) => common.push((*k, Some(w))),
                (None, Some(_)) => common.push((*k, None)),
                (None, None) => {}
            }
        }

        // Common prefixes: encoded once, the same bytes to every member.
        if let Some(prefix) = overridden {
            if let Some(grp) = self.groups[g].as_mut().filter(|x| !x.leak_logged) {
                grp.leak_logged = true;
                for m in &members {
                    actions.push(Action::LeakOverride {
                        peer: *m,
                        prefix,
                        export: true,
                    });
                }
            }
        }
        let (messages, failed) = pack(&key.tx, common.clone());
        send_all(actions, &members, messages);
        // Individual prefixes. The members whose view differs from the
        // group's — the route's source, and any held back from it — are
        // handled one by one; every other member gets the same change,
        // encoded once per set of such exceptions (20 members each the
        // source of its own slice: 20 encodings per change, not 400).
        let mut batches: BTreeMap<Vec<PeerId>, Diff> = BTreeMap::new();
        let mut own: HashMap<PeerId, Diff, FastBuild> = HashMap::default();
        let mut excepted: Vec<Vec<PeerId>> = Vec::with_capacity(individual.len());
        if let Some(grp) = self.groups[g].as_ref() {
            for (k, want, source) in &individual {
                let prev = grp.adj_out.get(k);
                let mut except: Vec<PeerId> = source.iter().copied().collect();
                if grp.hidden_any.contains(k) {
                    for m in &members {
                        if Some(*m) != *source && self.peers[*m].hidden.contains(k) {
                            except.push(*m);
                        }
                    }
                }
                except.sort_unstable();
                if let Some(d) = change(want.as_ref(), prev) {
                    batches.entry(except.clone()).or_default().push((*k, d));
                }
                for m in &except {
                    let held = if self.peers[*m].hidden.contains(k) {
                        None
                    } else {
                        prev
                    };
                    let mine = if Some(*m) == *source {
                        None
                    } else {
                        want.as_ref()
                    };
                    if let Some(d) = change(mine, held) {
                        own.entry(*m).or_default().push((*k, d));
                    }
                }
                excepted.push(except);
            }
        }
        for (except, diff) in batches {
            let (msgs, _) = pack(&key.tx, diff);
            let to: Vec<PeerId> = members
                .iter()
                .filter(|m| !except.contains(m))
                .copied()
                .collect();
            send_all(actions, &to, msgs);
        }
        for m in &members {
            if let Some(diff) = own.remove(m) {
                let (msgs, _) = pack(&key.tx, diff);
                send_all(actions, &[*m], msgs);
            }
        }
        // What the excepted members hold now (the others hold the group's).
        for ((k, want, source), except) in individual.iter().zip(&excepted) {
            for m in except {
                let p = &mut self.peers[*m];
                if Some(*m) == *source && want.is_some() {
                    p.hidden.insert(*k);
                } else {
                    p.hidden.remove(k);
                }
            }
        }
        let Some(grp) = self.groups[g].as_mut() else {
            return;
        };
        for (k, out) in common {
            if failed.contains(&k) {
                continue;
            }
            match out {
                Some(o) => grp.adj_out.insert(k, o),
                None => grp.adj_out.remove(&k),
            };
        }
        for (k, want, source) in individual {
            match want {
                Some(w) => {
                    grp.adj_out.insert(k, w);
                }
                None => {
                    grp.adj_out.remove(&k);
                }
            }
            if source.is_some() {
                grp.hidden_any.insert(k);
            } else {
                let still = members.iter().any(|m| self.peers[*m].hidden.contains(&k));
                if !still {
                    grp.hidden_any.remove(&k);
                }
            }
        }
    }
}

/// The change that brings a neighbour holding `held` to `mine`, if any.
fn change(
    mine: Option<&Arc<Exported>>,
    held: Option<&Arc<Exported>>,
) -> Option<Option<Arc<Exported>>> {
    match (mine, held) {
        (Some(w), Some(h)) if Arc::ptr_eq(w, h) => None,
        (Some(w), _) => Some(Some(Arc::clone(w))),
        (None, Some(_)) => Some(None),
        (None, None) => None,
    }
}

/// Sends the same messages to every neighbour in `to` (the last one gets
/// them moved, not copied).
fn send_all(actions: &mut Vec<Action>, to: &[PeerId], messages: Vec<Vec<u8>>) {
    if messages.is_empty() {
        return;
    }
    if let Some((last, rest)) = to.split_last() {
        for m in rest {
            actions.push(Action::Send {
                peer: *m,
                messages: messages.clone(),
            });
        }
        actions.push(Action::Send {
            peer: *last,
            messages,
        });
    }
}

/// Packs a difference into UPDATEs: withdrawals first, then one UPDATE
/// (or more, if full) per family and interned attribute set. Returns the
/// messages and the prefixes that could not be encoded (left as they were).
fn pack(tx: &DecodeContext, diff: Diff) -> (Vec<Vec<u8>>, std::collections::HashSet<RouteKey>) {
    let mut groups: Vec<(Family, Arc<Exported>, Vec<Nlri>)> = Vec::new();
    let mut index: HashMap<(Family, *const Exported), usize, FastBuild> = HashMap::default();
    let mut withdraw: BTreeMap<Family, Vec<Nlri>> = BTreeMap::new();
    for (key, w) in diff {
        match w {
            Some(shared) => {
                let i = *index
                    .entry((key.0, Arc::as_ptr(&shared)))
                    .or_insert_with(|| {
                        groups.push((key.0, Arc::clone(&shared), Vec::new()));
                        groups.len() - 1
                    });
                groups[i].2.push(Nlri::new(key.1));
            }
            None => withdraw.entry(key.0).or_default().push(Nlri::new(key.1)),
        }
    }
    let b = UpdateBuilder::new(tx);
    let mut messages = Vec::new();
    for (f, nlri) in &withdraw {
        if let Ok(m) = b.withdraw(*f, nlri) {
            messages.extend(m);
        }
    }
    let mut failed = std::collections::HashSet::new();
    for (f, set, nlri) in groups {
        let (attrs, nh) = &*set;
        let built = match (nh, f) {
            (NextHop::Ipv4(a), Family::IPV4_UNICAST) => {
                let mut attrs = attrs.clone();
                attrs.push(Attribute::new(AttrValue::NextHop(*a)));
                attrs.sort_by_key(|a| a.type_code());
                b.announce(f, &attrs, None, &nlri)
            }
            _ => b.announce(f, attrs, Some(nh), &nlri),
        };
        match built {
            Ok(m) => messages.extend(m),
            Err(_) => failed.extend(nlri.iter().map(|n| (f, n.prefix))),
        }
    }
    (messages, failed)
}
