//! The engine: state and event handling.

use crate::adj_in::AdjRibIn;
use crate::compact_path::CompactPath;
use crate::decision::{self, Candidate, DecisionOptions};
use crate::export::{export, Overrides, Target};
use crate::intern::{Interner, PathInterner};
use crate::role::{self, Ingress};
use crate::route::{Learned, Path, Route};
pub(crate) use crate::table::family_of;
use crate::table::{PrefixMap, PrefixSet};
use peerd_fsm::Negotiated;
use peerd_policy::{evaluate, Context, Direction, Policies, PolicyId, Rejected, Subject};
use peerd_wire::attr::{AttrValue, Attribute, NextHop};
use peerd_wire::capability::Role;
use peerd_wire::message::update::real_as_path;
use peerd_wire::message::{RouteRefresh, RouteRefreshSubtype};
use peerd_wire::{AttrAction, Family, Message, Nlri, Prefix, Update, UpdateBuilder};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

mod dump;
mod filter;
mod forward;
mod groups;
mod kernel;
mod originate;
mod reconfig;
mod resolve;
mod restart;
mod views;
pub use dump::{DumpPage, DumpPeer, DumpRoute};
pub use filter::{RouteFilter, SCAN_LIMIT};
pub use forward::Forward;
pub use kernel::{KernelImport, KERNEL_DISTANCE};
pub use originate::{Announcement, Static, Via};
pub use reconfig::Reconfig;
pub use views::{Memory, Page, RouteSet, RouteView, Stats};

/// Index of a neighbour, in configuration order.
pub type PeerId = usize;

/// What the engine needs to know about a neighbour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// Name, for views.
    pub name: String,
    /// The neighbour's address.
    pub address: IpAddr,
    /// The neighbour's AS.
    pub remote_as: u32,
    /// Accept routes from it (the first, coarse import policy).
    pub import: bool,
    /// Send routes to it.
    pub export: bool,
    /// Max-prefix limit for IPv4 unicast.
    pub max_prefix_v4: Option<u32>,
    /// Max-prefix limit for IPv6 unicast.
    pub max_prefix_v6: Option<u32>,
    /// Warn once when a family reaches this percentage of its limit (again
    /// after it has fallen below); 0 or 100 and above: no early warning.
    pub max_prefix_warning_percent: u8,
    /// Next hop self for IPv4 routes (default: our session address).
    pub ipv4_next_hop: Option<Ipv4Addr>,
    /// Next hop self for IPv6 routes (default: our session address).
    pub ipv6_next_hop: Option<std::net::Ipv6Addr>,
    /// Our RFC 9234 role towards the neighbour (eBGP only).
    pub role: Option<Role>,
    /// iBGP: a route-reflector client (RFC 4456).
    pub rr_client: bool,
    /// iBGP: routes learned over eBGP go with our address as next hop.
    pub next_hop_self: bool,
    /// Keep its routes as received, before the import policy (soft
    /// reconfiguration inbound): a new import policy is then applied from
    /// them, with no route refresh.
    pub keep_received: bool,
    /// The import policy (with `import`; none: accept everything).
    pub import_policy: Option<PolicyId>,
    /// The export policy (with `export`; none: send everything).
    pub export_policy: Option<PolicyId>,
    /// The interface its session runs over, when configured (a link-local
    /// neighbour): its IPv6 link-local next hops are forwarded to there.
    pub interface: Option<String>,
}

impl PeerConfig {
    /// A neighbour that accepts and sends everything, with no limits,
    /// role or next-hop settings.
    pub fn new(name: &str, address: IpAddr, remote_as: u32) -> Self {
        PeerConfig {
            name: name.to_string(),
            address,
            remote_as,
            import: true,
            export: true,
            max_prefix_v4: None,
            max_prefix_v6: None,
            max_prefix_warning_percent: 0,
            ipv4_next_hop: None,
            ipv6_next_hop: None,
            role: None,
            rr_client: false,
            next_hop_self: false,
            keep_received: false,
            import_policy: None,
            export_policy: None,
            interface: None,
        }
    }
}

/// Inputs of the engine.
#[derive(Debug, Clone)]
pub enum Event {
    /// A session came up.
    PeerUp {
        /// Which neighbour.
        peer: PeerId,
        /// What was negotiated.
        negotiated: Box<Negotiated>,
        /// Our address on the session.
        local_addr: IpAddr,
    },
    /// A session went down; with a restart time, the neighbour's routes are
    /// kept as stale (RFC 4724 helper).
    PeerDown {
        /// Which neighbour.
        peer: PeerId,
        /// How long to keep its routes as stale.
        graceful_restart: Option<Duration>,
    },
    /// An UPDATE from an established neighbour.
    Update {
        /// From which neighbour.
        peer: PeerId,
        /// The UPDATE, with its RFC 7606 errors.
        update: Update,
    },
    /// A ROUTE-REFRESH from an established neighbour.
    RouteRefresh {
        /// From which neighbour.
        peer: PeerId,
        /// The message.
        refresh: RouteRefresh,
    },
    /// The graceful-restart time of a neighbour ran out: flush what is still stale.
    StaleTimeout {
        /// Which neighbour.
        peer: PeerId,
    },
    /// The routes next hops resolve through now (the kernel's usable
    /// routes, `engine/resolve.rs`); from the first of these on, a route
    /// whose next hop none of them covers is not a candidate.
    Resolvable {
        /// Their prefixes.
        prefixes: Vec<Prefix>,
        /// Interfaces that are down or without carrier: a link-local next
        /// hop learned over a session on one of them does not resolve.
        links_down: Vec<String>,
    },
    /// Every route other programs have in the kernel's tables now, one per
    /// prefix (`engine/kernel.rs`): the import policy picks from them.
    KernelRoutes {
        /// Their prefixes and ways out.
        routes: Vec<(Prefix, Via)>,
    },
    /// The wait for convergence after our restart is over, whether every
    /// neighbour has sent its table or not (`engine/restart.rs`).
    ConvergenceTimeout,
}

/// Outputs of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send these encoded messages to a neighbour.
    Send {
        /// To which neighbour.
        peer: PeerId,
        /// Whole BGP messages.
        messages: Vec<Vec<u8>>,
    },
    /// A neighbour sent more prefixes than allowed (RFC 4486: Cease 1, data
    /// AFI, SAFI and the limit).
    MaxPrefix {
        /// Which neighbour.
        peer: PeerId,
        /// Which family.
        family: Family,
        /// The limit.
        limit: u32,
    },
    /// A neighbour reached the warning threshold of its max-prefix limit:
    /// log it, the session stays.
    MaxPrefixWarning {
        /// Which neighbour.
        peer: PeerId,
        /// Which family.
        family: Family,
        /// Prefixes it has now.
        count: usize,
        /// The limit.
        limit: u32,
    },
    /// A policy overrode RFC 9234 route-leak prevention (reported once
    /// per session and direction, for the log).
    LeakOverride {
        /// The neighbour it came from (import) or went to (export).
        peer: PeerId,
        /// The first prefix concerned.
        prefix: Prefix,
        /// Export (else import).
        export: bool,
    },
    /// The forwarding table's entries for these prefixes (`None`: no route
    /// of ours forwards it); some may be unchanged. Only with
    /// [`Engine::set_forwarding`].
    Forward(Vec<(Prefix, Option<Forward>)>),
    /// Deliver [`Event::StaleTimeout`] after this long.
    StaleTimer {
        /// For which neighbour.
        peer: PeerId,
        /// When.
        after: Duration,
    },
    /// The wait started by [`Engine::await_convergence`] is over: what
    /// was held has been sent (the actions before this one).
    Converged {
        /// Every neighbour waited for sent its table (else the time ran
        /// out).
        complete: bool,
    },
}

#[derive(Debug, Clone)]
struct Up {
    negotiated: Box<Negotiated>,
    local_addr: IpAddr,
    /// Families the neighbour has sent End-of-RIB for this session.
    eor_received: Vec<Family>,
}

#[derive(Debug, Clone)]
struct Peer {
    cfg: PeerConfig,
    up: Option<Up>,
    adj_in: AdjRibIn,
    /// Its routes before the import policy, when asked for
    /// (`keep_received`).
    pre: Option<PrefixMap<Route>>,
    /// Its update group while established (`groups.rs`): what it was sent
    /// is the group's Adj-RIB-Out but for `hidden`.
    group: Option<usize>,
    /// Prefixes the group holds that this neighbour was not sent (their
    /// best route came from it).
    hidden: PrefixSet,
    received: u64,
    /// Prefixes the import policy rejected, by why.
    filtered: Filtered,
    /// Announcements RFC 9234's ingress rules marked as route leaks (kept,
    /// never chosen).
    leaks: u64,
    /// A leak override on import was reported this session.
    leak_logged: bool,
    /// Families warned about and still above the threshold.
    warned: Vec<Family>,
    /// Families reported over their limit and still over it.
    over: Vec<Family>,
}

impl Peer {
    fn new(cfg: PeerConfig) -> Peer {
        Peer {
            pre: cfg.keep_received.then(PrefixMap::new),
            cfg,
            up: None,
            adj_in: AdjRibIn::default(),
            warned: Vec::new(),
            over: Vec::new(),
            group: None,
            hidden: Default::default(),
            received: 0,
            filtered: Filtered::default(),
            leaks: 0,
            leak_logged: false,
        }
    }
}

/// Attributes (without NEXT_HOP/MP_*) and next hop as sent to a neighbour.
type Exported = (Vec<Attribute>, NextHop);

pub(crate) use crate::table::RouteKey;

/// Where the best route of a prefix comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Local,
    Peer(PeerId),
}

/// Announcements a neighbour's import policy rejected since the neighbour
/// was configured (sessions going down and up do not reset them), by what
/// the rejecting term matched on (`peerd_policy::Rejected`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filtered {
    /// For any other reason.
    pub policy: u64,
    /// As bogons (prefix or ASN).
    pub bogon: u64,
    /// As RPKI-invalid.
    pub rpki_invalid: u64,
}

impl Filtered {
    /// All of them.
    pub fn total(&self) -> u64 {
        self.policy + self.bogon + self.rpki_invalid
    }

    pub(crate) fn count(&mut self, why: Rejected) {
        match why {
            Rejected::Policy => self.policy += 1,
            Rejected::Bogon => self.bogon += 1,
            Rejected::RpkiInvalid => self.rpki_invalid += 1,
        }
    }
}

/// A [`Source`] in four octets, as the best-route index holds it (one
/// entry per prefix of the table): `u32::MAX` is ours, anything else the
/// neighbour's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Best(u32);

impl Best {
    fn new(s: Source) -> Best {
        match s {
            Source::Local => Best(u32::MAX),
            // Neighbours are configured, far fewer than 2^32 - 1.
            Source::Peer(i) => Best(u32::try_from(i).unwrap_or(u32::MAX - 1)),
        }
    }

    fn source(self) -> Source {
        if self.0 == u32::MAX {
            Source::Local
        } else {
            Source::Peer(self.0 as PeerId)
        }
    }
}

/// The routing engine.
#[derive(Debug, Clone)]
pub struct Engine {
    local_as: u32,
    router_id: Ipv4Addr,
    peers: Vec<Peer>,
    local: BTreeMap<(Family, Prefix), Route>,
    best: PrefixMap<Best>,
    /// Received attribute sets, shared by every route that carries one.
    attr_sets: Interner<Vec<Attribute>>,
    /// Received AS paths: the neighbour's AS apart, the rest in one block
    /// shared likewise (`compact_path.rs`).
    paths: crate::compact_path::Rests,
    /// Exported attribute sets and next hops, shared by every Adj-RIB-Out
    /// entry that holds one.
    out_sets: Interner<Exported>,
    /// Received next hops.
    next_hops: Interner<NextHop>,
    /// Where routes came from (one per neighbour and next hop).
    learned: Interner<Learned>,
    /// Router-wide choices in the decision process.
    decision: DecisionOptions,
    /// The engine's clock, in seconds (set by the runtime).
    now: u32,
    /// The policies neighbours' import and export refer to.
    policies: Arc<Policies>,
    /// Our route-reflection cluster ID (RFC 4456).
    cluster_id: Ipv4Addr,
    /// The prefixes we originate, as configured (`local` holds those
    /// announced now).
    announce: Vec<Announcement>,
    /// Static routes.
    statics: BTreeMap<RouteKey, Static>,
    /// Static routes into BGP: not at all, all, or through a policy.
    redistribute_static: Option<Option<PolicyId>>,
    /// How other programs' kernel routes are taken (`kernel.rs`).
    kernel_import: KernelImport,
    /// The kernel's other routes, as last read.
    kernel_seen: Vec<(Prefix, Via)>,
    /// Those the import policy took.
    kernel: BTreeMap<RouteKey, Static>,
    /// Recomputing our own routes (so that doing so does not recurse).
    in_refresh: bool,
    /// Update groups (`groups.rs`); a free slot is `None`.
    groups: Vec<Option<groups::Group>>,
    /// Tell the forwarding table what changes (`forward.rs`).
    forwarding: bool,
    /// Which next hops resolve (`resolve.rs`).
    resolver: resolve::Resolver,
    /// A wait for convergence after our restart (`restart.rs`).
    restart: Option<restart::Restart>,
}

impl Engine {
    /// An engine for our AS and identifier, originating `announce`: each
    /// prefix with the attributes to attach besides ORIGIN (IGP), such as
    /// communities.
    pub fn new(
        local_as: u32,
        router_id: Ipv4Addr,
        peers: Vec<PeerConfig>,
        announce: &[(Prefix, Vec<Attribute>)],
    ) -> Engine {
        let peers = peers.into_iter().map(Peer::new).collect();
        let mut e = Engine {
            local_as,
            router_id,
            peers,
            local: BTreeMap::new(),
            best: PrefixMap::new(),
            attr_sets: Interner::default(),
            paths: Default::default(),
            out_sets: Interner::default(),
            next_hops: Interner::default(),
            learned: Interner::default(),
            decision: DecisionOptions::default(),
            now: 0,
            policies: Arc::new(Policies::default()),
            cluster_id: router_id,
            announce: announce
                .iter()
                .map(|(p, a)| Announcement::always(*p, a.clone()))
                .collect(),
            statics: BTreeMap::new(),
            redistribute_static: None,
            kernel_import: KernelImport::default(),
            kernel_seen: Vec::new(),
            kernel: BTreeMap::new(),
            in_refresh: false,
            groups: Vec::new(),
            forwarding: false,
            resolver: resolve::Resolver::default(),
            restart: None,
        };
        e.local = e.wanted_local();
        for k in e.local.keys() {
            e.best.insert(*k, Best::new(Source::Local));
        }
        e
    }

    /// Sets the route-reflection cluster ID (default: the router ID).
    pub fn set_cluster_id(&mut self, id: Ipv4Addr) {
        self.cluster_id = id;
    }

    /// Sets the policies that `PeerConfig::{import,export}_policy` index.
    pub fn set_policies(&mut self, policies: Arc<Policies>) {
        self.policies = policies;
    }

    /// Sets the router-wide decision options (and reselects nothing: call
    /// before routes arrive, or follow with a reselection).
    pub fn set_decision_options(&mut self, opts: DecisionOptions) {
        self.decision = opts;
    }

    /// Asks for [`Action::Forward`] after every change of the routing
    /// table (off by default: a daemon that does not program a forwarding
    /// table does not pay for it). Turning it on sends every entry.
    pub fn set_forwarding(&mut self, on: bool) -> Vec<Action> {
        self.forwarding = on;
        let mut actions = Vec::new();
        let keys: std::collections::BTreeSet<RouteKey> = self
            .best
            .keys()
            .chain(self.statics.keys().copied())
            .chain(self.kernel.keys().copied())
            .collect();
        let keys: Vec<RouteKey> = keys.into_iter().collect();
        self.emit_forward(&keys, &mut actions);
        actions
    }

    /// Sets the engine's clock: seconds since the daemon started. Routes
    /// are stamped with it on arrival (RFC 5004's oldest route).
    pub fn set_clock(&mut self, secs: u32) {
        self.now = secs;
    }

    /// Our BGP identifier.
    pub fn router_id(&self) -> Ipv4Addr {
        self.router_id
    }

    /// Handles one event.
    pub fn handle(&mut self, event: Event) -> Vec<Action> {
        let down = match &event {
            Event::PeerDown { peer, .. } => Some(*peer),
            _ => None,
        };
        let timeout = matches!(event, Event::ConvergenceTimeout);
        let mut actions = self.apply(event);
        self.converge(down, timeout, &mut actions);
        actions
    }

    fn apply(&mut self, event: Event) -> Vec<Action> {
        let mut actions = Vec::new();
        match event {
            Event::PeerUp {
                peer,
                negotiated,
                local_addr,
            } => {
                let Some(p) = self.peers.get_mut(peer) else {
                    return actions;
                };
                let families = negotiated.families.clone();
                p.leak_logged = false;
                p.up = Some(Up {
                    negotiated,
                    local_addr,
                    eor_received: Vec::new(),
                });
                self.leave_group(peer);
                self.join_group(peer, PrefixMap::new(), &mut actions);
                // End-of-RIB after the initial table (RFC 4724 §2).
                if let Some(up) = &self.peers[peer].up {
                    let b = UpdateBuilder::new(&up.negotiated.tx);
                    let msgs: Vec<Vec<u8>> = families.iter().map(|f| b.end_of_rib(*f)).collect();
                    actions.push(Action::Send {
                        peer,
                        messages: msgs,
                    });
                }
            }
            Event::PeerDown {
                peer,
                graceful_restart,
            } => {
                self.leave_group(peer);
                let Some(p) = self.peers.get_mut(peer) else {
                    return actions;
                };
                p.up = None;
                p.warned.clear();
                p.over.clear();
                match graceful_restart {
                    Some(after)
                        if !p.adj_in.is_empty()
                            || p.pre.as_ref().is_some_and(|x| !x.is_empty()) =>
                    {
                        let mut paths = PathInterner::default();
                        for r in p.adj_in.values_mut() {
                            mark_stale(&mut paths, r);
                        }
                        for r in p.pre.iter_mut().flat_map(|x| x.values_mut()) {
                            mark_stale(&mut paths, r);
                        }
                        actions.push(Action::StaleTimer { peer, after });
                    }
                    _ => {
                        let keys: Vec<_> = p.adj_in.keys().collect();
                        p.adj_in.clear();
                        if let Some(pre) = p.pre.as_mut() {
                            pre.clear();
                        }
                        self.reselect_and_export(&keys, &mut actions);
                    }
                }
            }
            Event::StaleTimeout { peer } => self.flush_stale(peer, None, &mut actions),
            Event::Resolvable {
                prefixes,
                links_down,
            } => self.set_resolvable(prefixes, links_down, &mut actions),
            Event::KernelRoutes { routes } => self.set_kernel_routes(routes, &mut actions),
            Event::ConvergenceTimeout => {}
            Event::Update { peer, update } => self.update(peer, update, &mut actions),
            Event::RouteRefresh { peer, refresh } => {
                self.route_refresh(peer, refresh, &mut actions)
            }
        }
        actions
    }

    fn flush_stale(&mut self, peer: PeerId, family: Option<Family>, actions: &mut Vec<Action>) {
        let Some(p) = self.peers.get_mut(peer) else {
            return;
        };
        let keys: Vec<_> = p
            .adj_in
            .iter()
            .filter(|(k, r)| r.stale && family.is_none_or(|f| k.0 == f))
            .map(|(k, _)| k)
            .collect();
        for k in &keys {
            p.adj_in.remove(k);
        }
        if let Some(pre) = p.pre.as_mut() {
            pre.retain(|k, r| !(r.stale && family.is_none_or(|f| k.0 == f)));
        }
        self.reselect_and_export(&keys, actions);
    }

    fn update(&mut self, peer: PeerId, u: Update, actions: &mut Vec<Action>) {
        let local_as = self.local_as;
        let Some(p) = self.peers.get_mut(peer) else {
            return;
        };
        let Some(up) = &p.up else { return };
        let ebgp = p.cfg.remote_as != local_as;
        let role = if ebgp { p.cfg.role } else { None };
        let four = up.negotiated.rx.four_octet_as;
        let peer_id = up.negotiated.peer_id;
        let now = self.now;
        let mut changed = Vec::new();

        if let Some(f) = u.end_of_rib() {
            if let Some(up) = self.peers[peer].up.as_mut() {
                if !up.eor_received.contains(&f) {
                    up.eor_received.push(f);
                }
            }
            // The restarting neighbour has re-sent everything (RFC 4724 §4.2).
            self.flush_stale(peer, Some(f), actions);
            return;
        }
        // Only unicast is held (the families we offer); a prefix of any
        // other family is not ours to take.
        for (f, n) in u
            .withdrawn_routes()
            .filter(|(f, n)| *f == family_of(&n.prefix))
        {
            if let Some(pre) = p.pre.as_mut() {
                pre.remove(&(f, n.prefix));
            }
            if p.adj_in.remove(&(f, n.prefix)).is_some() {
                changed.push((f, n.prefix));
            }
        }
        let full_path = real_as_path(&u.attributes, four).unwrap_or_default();
        let as_path = self.paths.compact(&full_path);
        let withdraw = u.action() == Some(AttrAction::TreatAsWithdraw)
            || full_path.contains(local_as)
            || (!ebgp && reflection_loop(&u.attributes, self.router_id, self.cluster_id))
            || !p.cfg.import;
        let otc = u.attributes.iter().find_map(|a| match a.value {
            AttrValue::Otc(v) => Some(v),
            _ => None,
        });
        let ingress = role::ingress(role, p.cfg.remote_as, otc);
        let mut kept: Vec<Attribute> = u
            .attributes
            .iter()
            .filter(|a| {
                let rebuilt = matches!(
                    a.value,
                    AttrValue::NextHop(_)
                        | AttrValue::MpReach(_)
                        | AttrValue::MpUnreach(_)
                        | AttrValue::AsPath(_)
                        | AttrValue::As4Path(_)
                );
                // LOCAL_PREF from eBGP is ignored (RFC 4271 §5.1.5).
                let ignored = ebgp && matches!(a.value, AttrValue::LocalPref(_));
                !rebuilt && !ignored
            })
            .cloned()
            .collect();
        if let Ingress::AddOtc(v) = ingress {
            kept.push(Attribute::new(AttrValue::Otc(v)));
        }
        let leak = ingress == Ingress::Leak;
        // The set as received is interned only where a route keeps it
        // (no import policy, a policy that changes nothing, or kept
        // received routes): an interned set nobody holds would stay until
        // the interner's next sweep.
        let mut received: Option<Arc<Vec<Attribute>>> = None;
        let classic_nh = u
            .next_hop()
            .map(|a| self.next_hops.intern(NextHop::Ipv4(a)));
        let mp_nh = u
            .mp_reach()
            .map(|m| self.next_hops.intern(m.next_hop.clone()));
        // Where the routes came from, with each next hop they have.
        let from = Learned {
            peer: Some(peer),
            peer_id,
            peer_addr: p.cfg.address,
            ebgp,
            rr_client: !ebgp && p.cfg.rr_client,
            next_hop: Arc::new(NextHop::Ipv4(Ipv4Addr::UNSPECIFIED)),
        };
        let mut vias: Vec<(*const NextHop, Arc<Learned>)> = Vec::new();
        // The routes of this UPDATE with the same parts share one record.
        let mut records = PathInterner::default();
        let import_policy = p.cfg.import_policy;
        let ctx = Context {
            local_as,
            neighbor_as: p.cfg.remote_as,
            role,
            direction: Direction::Import,
        };
        // A policy that looks at attributes only gives one answer per next hop.
        let per_prefix = import_policy.is_some_and(|id| self.policies.depends_on_prefix(id));
        let mut memo: Vec<(*const NextHop, Result<Parts, Rejected>)> = Vec::new();
        // The classic NLRI field comes first (`Update::announced`).
        let classic = u.nlri.len();
        let announced: Vec<(Family, Nlri)> = u.announced().map(|(f, n)| (f, *n)).collect();
        for (i, (f, n)) in announced.into_iter().enumerate() {
            if f != family_of(&n.prefix) {
                continue;
            }
            let key = (f, n.prefix);
            if withdraw {
                if let Some(pre) = p.pre.as_mut() {
                    pre.remove(&key);
                }
                if p.adj_in.remove(&key).is_some() {
                    changed.push(key);
                }
                continue;
            }
            let next_hop = if i < classic {
                classic_nh.clone()
            } else {
                mp_nh.clone()
            };
            let Some(next_hop) = next_hop else { continue };
            p.received += 1;
            if let Some(pre) = p.pre.as_mut() {
                let path = records.intern(Path {
                    leak,
                    ..Path::new(
                        intern_once(&mut received, &mut self.attr_sets, &kept),
                        via(&mut vias, &mut self.learned, &from, &next_hop),
                        as_path.clone(),
                        now,
                    )
                });
                pre.insert(key, Route::new(path));
            }
            let parts = match import_policy {
                None => Ok((
                    intern_once(&mut received, &mut self.attr_sets, &kept),
                    as_path.clone(),
                    next_hop,
                    false,
                    false,
                )),
                Some(id) => {
                    let nh_ptr = Arc::as_ptr(&next_hop);
                    let cached = if per_prefix {
                        None
                    } else {
                        memo.iter()
                            .find(|(k, _)| *k == nh_ptr)
                            .map(|(_, v)| v.clone())
                    };
                    match cached {
                        Some(v) => v,
                        None => {
                            let mut s = Subject::new(n.prefix, &kept, &full_path, &next_hop);
                            let v = if !evaluate(&self.policies, id, &ctx, &mut s) {
                                Err(s.rejected)
                            } else if s.changed() {
                                let (allow, discard) = (s.allow_leak, s.discard);
                                // Only the parts the policy changed are
                                // interned again (this runs per prefix).
                                let attrs = match s.attrs {
                                    Cow::Borrowed(_) => {
                                        intern_once(&mut received, &mut self.attr_sets, &kept)
                                    }
                                    Cow::Owned(a) => self.attr_sets.intern(a),
                                };
                                let path = match &s.as_path {
                                    Cow::Borrowed(_) => as_path.clone(),
                                    Cow::Owned(p) => self.paths.compact(p),
                                };
                                let nh = match s.next_hop {
                                    Cow::Borrowed(_) => next_hop.clone(),
                                    Cow::Owned(n) => self.next_hops.intern(n),
                                };
                                Ok((attrs, path, nh, allow, discard))
                            } else {
                                let (allow, discard) = (s.allow_leak, s.discard);
                                Ok((
                                    intern_once(&mut received, &mut self.attr_sets, &kept),
                                    as_path.clone(),
                                    next_hop.clone(),
                                    allow,
                                    discard,
                                ))
                            };
                            if !per_prefix {
                                memo.push((nh_ptr, v.clone()));
                            }
                            v
                        }
                    }
                }
            };
            let (attrs, as_path, next_hop, allow_leak, discard) = match parts {
                Ok(parts) => parts,
                Err(why) => {
                    // Rejected by the import policy: as if withdrawn.
                    p.filtered.count(why);
                    if p.adj_in.remove(&key).is_some() {
                        changed.push(key);
                    }
                    continue;
                }
            };
            let path = records.intern(Path {
                leak: leak && !allow_leak,
                discard,
                ..Path::new(
                    attrs,
                    via(&mut vias, &mut self.learned, &from, &next_hop),
                    as_path,
                    now,
                )
            });
            if leak && !allow_leak {
                p.leaks += 1;
            }
            p.adj_in.insert(key, Route::new(path));
            if leak && allow_leak && !p.leak_logged {
                // RFC 9234's rules overridden by policy: said once per session.
                p.leak_logged = true;
                actions.push(Action::LeakOverride {
                    peer,
                    prefix: n.prefix,
                    export: false,
                });
            }
            changed.push(key);
        }
        // Max-prefix (RFC 4486).
        for (f, limit) in [
            (Family::IPV4_UNICAST, p.cfg.max_prefix_v4),
            (Family::IPV6_UNICAST, p.cfg.max_prefix_v6),
        ] {
            if let Some(limit) = limit {
                let n = p.adj_in.count(f);
                let over = n > limit as usize;
                // Once per crossing: with action "warn" the session stays
                // and later UPDATEs would repeat it.
                if crossed(&mut p.over, f, over) {
                    actions.push(Action::MaxPrefix {
                        peer,
                        family: f,
                        limit,
                    });
                }
                if over {
                    continue;
                }
                let pct = u64::from(p.cfg.max_prefix_warning_percent);
                let threshold = (u64::from(limit) * pct).div_ceil(100);
                let above = (1..100).contains(&pct) && n as u64 >= threshold;
                if crossed(&mut p.warned, f, above) {
                    actions.push(Action::MaxPrefixWarning {
                        peer,
                        family: f,
                        count: n,
                        limit,
                    });
                }
            }
        }
        self.reselect_and_export(&changed, actions);
    }

    fn route_refresh(&mut self, peer: PeerId, r: RouteRefresh, actions: &mut Vec<Action>) {
        let Some(p) = self.peers.get_mut(peer) else {
            return;
        };
        match r.subtype {
            RouteRefreshSubtype::Request => {
                let Some(up) = &p.up else { return };
                if !up.negotiated.families.contains(&r.family) {
                    return;
                }
                let enhanced = up.negotiated.enhanced_route_refresh;
                let tx = up.negotiated.tx;
                let inner = self.resend(peer, r.family);
                let mut msgs = Vec::new();
                let rr = |st| {
                    Message::RouteRefresh(RouteRefresh {
                        family: r.family,
                        subtype: st,
                        orf: vec![],
                    })
                    .encode(&tx)
                };
                if enhanced {
                    msgs.push(rr(RouteRefreshSubtype::BeginOfRib));
                }
                msgs.extend(inner);
                if enhanced {
                    msgs.push(rr(RouteRefreshSubtype::EndOfRib));
                }
                actions.push(Action::Send {
                    peer,
                    messages: msgs,
                });
            }
            // The neighbour is re-sending its routes (RFC 7313 §4).
            RouteRefreshSubtype::BeginOfRib => {
                let mut paths = PathInterner::default();
                for (k, route) in p.adj_in.iter_mut() {
                    if k.0 == r.family {
                        mark_stale(&mut paths, route);
                    }
                }
                for (k, route) in p.pre.iter_mut().flat_map(|x| x.iter_mut()) {
                    if k.0 == r.family {
                        mark_stale(&mut paths, route);
                    }
                }
            }
            RouteRefreshSubtype::EndOfRib => self.flush_stale(peer, Some(r.family), actions),
            RouteRefreshSubtype::Reserved(_) => {}
        }
    }

    /// Recomputes the best route of each key and sends what changed.
    fn reselect_and_export(&mut self, keys: &[(Family, Prefix)], actions: &mut Vec<Action>) {
        let mut changed = Vec::new();
        let mut sources = Vec::new();
        let mut cands = Vec::new();
        let mut lost = Vec::new();
        for key in keys {
            sources.clear();
            cands.clear();
            // Field by field: `self.best` changes below.
            let t = Tables {
                local: &self.local,
                peers: &self.peers,
                resolver: &self.resolver,
            };
            gather(t, key, &mut sources, &mut cands);
            let best = decision::select(&cands, &self.decision, &mut lost).map(|i| sources[i]);
            match best {
                Some(s) => self.best.insert(*key, Best::new(s)),
                None => self.best.remove(key),
            };
            // Even with the same source the attributes may have changed, so
            // every key is compared against each Adj-RIB-Out.
            changed.push(*key);
        }
        changed.sort();
        changed.dedup();
        for g in 0..self.groups.len() {
            if self.groups[g].is_some() {
                self.export_group(g, &changed, actions);
            }
        }
        self.emit_forward(&changed, actions);
        if !self.in_refresh && self.affects_conditions(&changed) {
            self.in_refresh = true;
            self.refresh_local(actions);
            self.in_refresh = false;
        }
    }

    /// Where the best route of `key` comes from.
    fn source_of(&self, key: &RouteKey) -> Option<Source> {
        self.best.get(key).map(|b| b.source())
    }

    /// The tables candidates come from.
    fn tables(&self) -> Tables<'_> {
        Tables {
            local: &self.local,
            peers: &self.peers,
            resolver: &self.resolver,
        }
    }

    fn best_route(&self, key: &(Family, Prefix)) -> Option<&Route> {
        best_of(&self.best, &self.local, &self.peers, key)
    }
}

/// The best route of `key`, from the engine's tables (a free function so
/// that the other fields stay borrowable).
fn best_of<'a>(
    best: &PrefixMap<Best>,
    local: &'a BTreeMap<(Family, Prefix), Route>,
    peers: &'a [Peer],
    key: &(Family, Prefix),
) -> Option<&'a Route> {
    match best.get(key)?.source() {
        Source::Local => local.get(key),
        Source::Peer(i) => peers.get(i)?.adj_in.get(key),
    }
}

/// What candidates come from: our own routes, the neighbours' and how
/// their next hops resolve (fields, so that the engine's other fields stay
/// borrowable while candidates are held).
#[derive(Clone, Copy)]
struct Tables<'a> {
    local: &'a BTreeMap<RouteKey, Route>,
    peers: &'a [Peer],
    resolver: &'a resolve::Resolver,
}

/// The candidates for `key` — our own route, then each neighbour's — with
/// where each came from, into the caller's buffers.
fn gather<'a>(
    t: Tables<'a>,
    key: &RouteKey,
    sources: &mut Vec<Source>,
    cands: &mut Vec<Candidate<'a>>,
) {
    let Tables {
        local,
        peers,
        resolver,
    } = t;
    if let Some(r) = local.get(key) {
        sources.push(Source::Local);
        cands.push(Candidate::new(r));
    }
    for (i, p) in peers.iter().enumerate() {
        if let Some(r) = p.adj_in.get(key) {
            sources.push(Source::Peer(i));
            // The IGP cost is not known (issue 6).
            let mut c = Candidate::new(r);
            c.reachable = resolver.resolves(r.next_hop(), p.cfg.interface.as_deref());
            cands.push(c);
        }
    }
}

/// What the export of a route to one neighbour depends on: its shared
/// attributes and path, where it came from, and — towards iBGP, where the
/// next hop is kept, or through a policy, which may look at it — its next
/// hop; through a policy that looks at prefixes, the prefix.
type ExportKey = (
    *const Vec<Attribute>,
    (usize, u32),
    Option<PeerId>,
    bool,
    bool,
    Option<NextHop>,
    Option<Prefix>,
);

/// A route's interned parts after an import policy, whether the policy
/// overrode RFC 9234's leak rules for it, and whether it set the next hop
/// to discard.
type Parts = (Arc<Vec<Attribute>>, CompactPath, Arc<NextHop>, bool, bool);

/// Exports `r` (for `prefix`) to `target`, through an export policy when
/// there is one: the policy sees the route as chosen, its changes go in
/// before the eBGP rules (so a prepend comes on top of ours), and a MED or
/// next hop it sets is kept. The flag says the policy overrode RFC 9234's
/// egress rule to send it.
fn export_through(
    r: &Route,
    prefix: Prefix,
    target: &Target,
    v6: bool,
    policy: Option<(&Policies, PolicyId, &Context)>,
) -> (Option<Exported>, bool) {
    let Some((policies, id, ctx)) = policy else {
        return (export(r, target, v6, &Overrides::default()), false);
    };
    let full_path = r.as_path.to_as_path();
    let mut s = Subject::new(prefix, &r.attrs, &full_path, r.next_hop());
    if !evaluate(policies, id, ctx, &mut s) {
        return (None, false);
    }
    // Would the egress rule have stopped it?
    let overridden = s.allow_leak
        && target.ebgp
        && crate::role::egress(target.role, target.local_as, r.otc()) == crate::role::Egress::Block;
    let ov = Overrides {
        allow_leak: s.allow_leak,
        keep_med: s.med_set,
        next_hop: s.next_hop_set.then(|| s.next_hop.clone().into_owned()),
        next_hop_self: s.next_hop_self,
    };
    if !s.changed() && !s.med_set {
        return (export(r, target, v6, &ov), overridden);
    }
    let changed = Route::new(Arc::new(Path {
        attrs: Arc::new(s.attrs.into_owned()),
        learned: Arc::new(Learned {
            next_hop: Arc::new(s.next_hop.into_owned()),
            ..(*r.learned).clone()
        }),
        as_path: CompactPath::new(&s.as_path),
        ..(*r.path).clone()
    }));
    (export(&changed, target, v6, &ov), overridden)
}

/// Where a route came from (`from`) with the next hop `nh`, interned once
/// per next hop of an UPDATE (`cache`).
fn via(
    cache: &mut Vec<(*const NextHop, Arc<Learned>)>,
    interner: &mut Interner<Learned>,
    from: &Learned,
    nh: &Arc<NextHop>,
) -> Arc<Learned> {
    let key = Arc::as_ptr(nh);
    if let Some((_, l)) = cache.iter().find(|(k, _)| *k == key) {
        return Arc::clone(l);
    }
    let l = interner.intern(Learned {
        next_hop: Arc::clone(nh),
        ..from.clone()
    });
    cache.push((key, Arc::clone(&l)));
    l
}

/// Marks `r` as kept for a restarting or re-sending neighbour: its record
/// with the stale flag (RFC 4724, RFC 7313).
fn mark_stale(paths: &mut PathInterner, r: &mut Route) {
    if !r.stale {
        r.path = paths.with(&r.path, |p| p.stale = true);
    }
}

/// The shared copy of an UPDATE's attribute set, interned the first time
/// a route needs it.
fn intern_once(
    shared: &mut Option<Arc<Vec<Attribute>>>,
    interner: &mut Interner<Vec<Attribute>>,
    set: &[Attribute],
) -> Arc<Vec<Attribute>> {
    shared
        .get_or_insert_with(|| interner.intern(set.to_vec()))
        .clone()
}

/// RFC 4456 §8: a route whose ORIGINATOR_ID is our router ID, or whose
/// CLUSTER_LIST holds our cluster ID, has looped through reflection.
fn reflection_loop(attrs: &[Attribute], router_id: Ipv4Addr, cluster_id: Ipv4Addr) -> bool {
    attrs.iter().any(|a| match &a.value {
        AttrValue::OriginatorId(o) => *o == router_id,
        AttrValue::ClusterList(c) => c.contains(&cluster_id),
        _ => false,
    })
}

/// Records whether `family` is now past a threshold (`now`), in `past`;
/// true only when it has just crossed it, so each crossing is reported once.
fn crossed(past: &mut Vec<Family>, family: Family, now: bool) -> bool {
    let was = past.contains(&family);
    if now && !was {
        past.push(family);
    } else if !now && was {
        past.retain(|x| *x != family);
    }
    now && !was
}
