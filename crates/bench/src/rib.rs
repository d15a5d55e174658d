//! The RIB benchmark: what the routing engine's tables cost per route and
//! how fast routes go through import policy and the decision process, with
//! no sockets and no other daemon — `peerd-bench rib`.
//!
//! Full feeds of the dataset (`dataset.rs`, derived from the real dumps in
//! `../shared/data`) are encoded as a neighbour would send them, decoded
//! with `peerd-wire`, and handed to one `peerd_engine::Engine` one UPDATE
//! at a time, feed after feed. Each feed comes from its own AS with its own
//! variations of the paths (`View::Varied`), as different transits and
//! peers do. After each feed the bytes alive in the process are read from
//! the counting allocator (`counting.rs`), with what glibc's malloc adds to
//! each block: the difference is what that feed's routes cost, all
//! structures included (tables, attribute sets, AS paths, indexes).

use crate::counting::Live;
use crate::dataset::{FeedSpec, Table, View};
use crate::feed;
use peerd_engine::{Engine, Event, PeerConfig};
use peerd_wire::{DecodeContext, Message};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Our AS in the benchmark.
const LOCAL_AS: u32 = 64500;

/// The import policy every feed goes through: what a peering edge does
/// with a neighbour's routes (no bogons, no too-specifics, a LOCAL_PREF and
/// a tag).
const POLICY: &str = r#"
[router]
asn = 64500
router-id = "192.0.2.1"

[[policy.import]]
match = { bogon = true }
action = "reject"
[[policy.import]]
match = { bogon-as = true }
action = "reject"
[[policy.import]]
match = { prefix-length = "25-32", family = "ipv4" }
action = "reject"
[[policy.import]]
match = { prefix-length = "49-128", family = "ipv6" }
action = "reject"
[[policy.import]]
set = { local-pref = 120, add-communities = ["64500:1000"] }
action = "accept"
"#;

/// What one feed cost.
#[derive(Debug, Clone)]
pub struct FeedCost {
    /// Routes announced.
    pub routes: usize,
    /// Routes the engine holds from this neighbour afterwards.
    pub accepted: usize,
    /// Routes its import policy rejected.
    pub filtered: u64,
    /// Bytes (with malloc's headers and rounding) that stayed alive.
    pub bytes: isize,
    /// Bytes asked of malloc that stayed alive.
    pub asked: isize,
    /// Heap blocks that stayed alive.
    pub blocks: isize,
    /// What the engine says its structures grew by (`Engine::memory`,
    /// bytes asked of the allocator): checked against `asked`.
    pub accounted: isize,
    /// Time in the engine (import policy, decision, tables).
    pub engine: Duration,
    /// Time decoding the UPDATEs.
    pub decode: Duration,
}

impl FeedCost {
    /// Bytes per route announced.
    pub fn per_route(&self) -> f64 {
        self.bytes as f64 / self.routes.max(1) as f64
    }

    /// Routes per second through the engine.
    pub fn rate(&self) -> f64 {
        self.routes as f64 / self.engine.as_secs_f64().max(1e-9)
    }
}

/// Whose routes the feeds after the first one carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feeds {
    /// Each from its own AS with its own paths (transits, peers).
    Distinct,
    /// The same neighbour AS over another session (a second link to the
    /// same peer): the same paths and attributes, another next hop.
    SameNeighbour,
    /// Each from its own AS, with an AS of its own behind it: no path
    /// shares anything with another feed's before the origin's part.
    Unshared,
}

fn neighbour(i: usize, feeds: Feeds) -> (FeedSpec, PeerConfig) {
    let n = i as u32 + 1;
    let view_of = if feeds == Feeds::SameNeighbour { 1 } else { n };
    let spec = FeedSpec {
        // Public AS numbers: a private one is a bogon to the import policy.
        asn: 20000 + view_of,
        next_hop: Ipv4Addr::new(198, 18, (n >> 8) as u8, n as u8),
        view: if feeds == Feeds::Unshared {
            View::Unshared
        } else {
            View::Varied
        },
        seed: u64::from(view_of),
    };
    let cfg = PeerConfig::new(&format!("feed{n}"), IpAddr::V4(spec.next_hop), spec.asn);
    (spec, cfg)
}

fn negotiated(asn: u32, id: Ipv4Addr) -> Result<Box<peerd_fsm::Negotiated>, String> {
    use peerd_wire::Family;
    let mut ours = peerd_fsm::PeerConfig::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), asn);
    ours.families = vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST];
    let mut theirs = peerd_fsm::PeerConfig::new(asn, id, LOCAL_AS);
    theirs.families = ours.families.clone();
    let o = peerd_fsm::our_open(&ours);
    peerd_fsm::negotiate(&ours, &o, &peerd_fsm::our_open(&theirs))
        .map(Box::new)
        .map_err(|e| format!("negotiation: {e:?}"))
}

/// What exporting the table to one more neighbour cost.
#[derive(Debug, Clone)]
pub struct SinkCost {
    /// Prefixes it was sent.
    pub routes: usize,
    /// Bytes (with malloc's headers and rounding) that stayed alive: its
    /// update group's Adj-RIB-Out and the exported attribute sets.
    pub bytes: isize,
    /// Time to compute and encode the full table for it.
    pub time: Duration,
}

/// Feeds `feeds` full tables into one engine (the cost of each), then
/// brings up a neighbour that is sent the resulting table (its cost).
pub fn run(table: &Table, feeds: usize, kind: Feeds) -> Result<(Vec<FeedCost>, SinkCost), String> {
    let cfg = peerd_config::parse(POLICY, "rib-bench.toml").map_err(|e| e.to_string())?;
    let id = cfg.policies.find("import").ok_or("no import policy")?;
    let mut specs = Vec::new();
    let mut peers = Vec::new();
    for i in 0..feeds {
        let (s, mut c) = neighbour(i, kind);
        c.import_policy = Some(id);
        // Feeds send; what they are sent is the sink's part.
        c.export = false;
        specs.push(s);
        peers.push(c);
    }
    let sink = Ipv4Addr::new(198, 18, 255, 1);
    let mut sink_cfg = PeerConfig::new("sink", IpAddr::V4(sink), 20000);
    sink_cfg.import = false;
    peers.push(sink_cfg);
    let mut engine = Engine::new(LOCAL_AS, Ipv4Addr::new(192, 0, 2, 1), peers, &[]);
    engine.set_policies(Arc::new(cfg.policies.clone()));
    for (i, s) in specs.iter().enumerate() {
        engine.handle(Event::PeerUp {
            peer: i,
            negotiated: negotiated(s.asn, s.next_hop)?,
            local_addr: IpAddr::V4(Ipv4Addr::new(198, 18, 255, 254)),
        });
    }
    let v6 = !table.v6.is_empty();
    let mut out = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let blocks = feed::announce(table, s, &|_| true, v6);
        let before = Live::now();
        let accounted = engine.memory().total();
        let mut cost = FeedCost {
            routes: table.v4.len() + table.v6.len(),
            accepted: 0,
            filtered: 0,
            bytes: 0,
            asked: 0,
            blocks: 0,
            accounted: 0,
            engine: Duration::ZERO,
            decode: Duration::ZERO,
        };
        for b in &blocks.blocks {
            let mut rest = &b[..];
            while rest.len() >= 19 {
                let len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
                if len < 19 || len > rest.len() {
                    return Err(format!("bad message length {len} in feed {i}"));
                }
                let (msg, tail) = rest.split_at(len);
                rest = tail;
                let t0 = Instant::now();
                let m = Message::decode(msg, &DecodeContext::MODERN)
                    .map_err(|e| format!("feed {i}: {e:?}"))?;
                let t1 = Instant::now();
                cost.decode += t1 - t0;
                if let Message::Update(update) = m {
                    drop(engine.handle(Event::Update { peer: i, update }));
                    cost.engine += t1.elapsed();
                }
            }
        }
        let after = Live::now();
        cost.bytes = after.charged - before.charged;
        cost.asked = after.bytes - before.bytes;
        cost.blocks = after.blocks - before.blocks;
        cost.accounted = engine.memory().total() as isize - accounted as isize;
        cost.accepted = engine.routes_in(i);
        cost.filtered = engine.routes_filtered(i);
        out.push(cost);
    }
    let before = Live::now();
    let t0 = Instant::now();
    let actions = engine.handle(Event::PeerUp {
        peer: feeds,
        negotiated: negotiated(20000, sink)?,
        local_addr: IpAddr::V4(Ipv4Addr::new(198, 18, 255, 254)),
    });
    let time = t0.elapsed();
    drop(actions);
    let sink = SinkCost {
        routes: engine.routes_to(feeds),
        bytes: Live::now().charged - before.charged,
        time,
    };
    Ok((out, sink))
}

/// The report, as a markdown table.
pub fn report(costs: &[FeedCost], sink: &SinkCost) -> String {
    let mut s = String::from(
        "| feed | routes | accepted | filtered | bytes/route | asked/route | engine's own count/route | blocks/route | routes/s (engine) | decode |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for (i, c) in costs.iter().enumerate() {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.2} | {:.0} | {:.2} s |\n",
            i + 1,
            c.routes,
            c.accepted,
            c.filtered,
            c.per_route(),
            c.asked as f64 / c.routes.max(1) as f64,
            c.accounted as f64 / c.routes.max(1) as f64,
            c.blocks as f64 / c.routes.max(1) as f64,
            c.rate(),
            c.decode.as_secs_f64(),
        ));
    }
    s.push_str(&format!(
        "\nexport to one neighbour: {} prefixes, {:.1} bytes/prefix (Adj-RIB-Out and exported sets), {:.2} s (computed and encoded)\n",
        sink.routes,
        sink.bytes as f64 / sink.routes.max(1) as f64,
        sink.time.as_secs_f64()
    ));
    s
}
