//! The validated configuration: everything the daemon needs, checked.

use peerd_wire::attr::{Community, ExtCommunity, LargeCommunity};
use peerd_wire::capability::Role;
use peerd_wire::{Family, Prefix};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Router-wide settings.
    pub router: Router,
    /// Prefixes we originate.
    pub announce: Vec<Announce>,
    /// BGP neighbors.
    pub neighbors: Vec<Neighbor>,
    /// Choices in the decision process.
    pub bestpath: Bestpath,
    /// Named policies, referred to by neighbors' import and export.
    pub policies: peerd_policy::Policies,
    /// Static routes.
    pub statics: Vec<StaticRoute>,
    /// The policy through which static routes enter BGP, if any.
    pub redistribute_static: Option<PolicySwitch>,
    /// The policy through which imported kernel routes (`[fib] import`)
    /// enter BGP, if any.
    pub redistribute_kernel: Option<PolicySwitch>,
    /// The kernel forwarding table peerd programs (`[fib]`), if any.
    pub fib: Option<Fib>,
    /// Who may use the management API, and where (`[api]`).
    pub api: Api,
    /// MRT files of what peerd receives (`[mrt]`), if any.
    pub mrt: Option<Mrt>,
    /// How peerd logs (`[log]`).
    pub log: Log,
    /// Things that are allowed but probably not meant (printed by `peerd check`).
    pub warnings: Vec<String>,
}

/// Router-wide settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Router {
    /// Our AS.
    pub asn: u32,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// Addresses to listen on for BGP.
    pub listen: Vec<IpAddr>,
    /// TCP port to listen on (179).
    pub port: u16,
    /// Host name announced in the FQDN capability, if any.
    pub hostname: Option<String>,
    /// Route-reflection cluster ID (RFC 4456; default: the router ID).
    pub cluster_id: Ipv4Addr,
}

/// Where in the kernel peerd installs the routing table's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fib {
    /// Kernel table id (254: `main`).
    pub table: u32,
    /// The protocol number its routes carry (`proto` in `ip route`), which
    /// tells them apart from everyone else's.
    pub protocol: u8,
    /// The metric (`RTA_PRIORITY`) of its routes.
    pub metric: u32,
    /// Kernel-level graceful restart: a clean stop leaves the routes in the
    /// table, and the next start keeps what it finds for at most this long
    /// while the routes are learned again, then removes what was not
    /// confirmed. Zero: a clean stop removes them and a start removes
    /// leftovers at once.
    pub retain: Duration,
    /// Which of the other programs' routes in the kernel (a DHCP client's
    /// default route, `ip route add …`) the routing table imports.
    pub import: PolicySwitch,
    /// The administrative distance of the imported routes (default 250:
    /// BGP and static routes win).
    pub import_distance: u8,
}

impl Fib {
    /// Whether `other` programs the same kernel table the same way (what
    /// a reload cannot change; the import may change).
    pub fn same_table(&self, other: &Fib) -> bool {
        (self.table, self.protocol, self.metric, self.retain)
            == (other.table, other.protocol, other.metric, other.retain)
    }
}

/// MRT output (RFC 6396): every BGP message received, as BGP4MP records,
/// in files of `updates` length each, and TABLE_DUMP_V2 snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrt {
    /// The directory of the files (`updates.YYYYMMDD.HHMM[.gz]`, UTC).
    pub dir: std::path::PathBuf,
    /// How long each file covers (from a multiple of it since midnight).
    pub updates: Duration,
    /// gzip the files.
    pub gzip: bool,
    /// A TABLE_DUMP_V2 snapshot every this long, if at all.
    pub table_dump: Option<Duration>,
    /// Snapshots of every neighbour's routes (the Adj-RIB-Ins) rather
    /// than of the best ones (the Loc-RIB).
    pub table_dump_adj_rib_in: bool,
}

/// How peerd logs (`[log]`): one line per event on standard error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Log {
    /// Text for people or JSON for log pipelines.
    pub format: LogFormat,
    /// The least severe level written.
    pub level: LogLevel,
}

/// How a log line is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// `TIME LEVEL message key=value ...`.
    #[default]
    Text,
    /// One JSON object per line, the fields at its top level.
    Json,
}

/// Log levels, most severe first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something is probably wrong.
    Warn,
    /// Session events, reloads, what the FIB did.
    #[default]
    Info,
    /// Detail for finding a fault.
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    /// Every level with its name in the file.
    pub const NAMES: [(&'static str, LogLevel); 5] = [
        ("error", LogLevel::Error),
        ("warn", LogLevel::Warn),
        ("info", LogLevel::Info),
        ("debug", LogLevel::Debug),
        ("trace", LogLevel::Trace),
    ];

    /// The level's name in the file.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, l)| *l == self)
            .map_or("info", |(n, _)| n)
    }
}

/// The management API's access (`[api]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Api {
    /// The group whose members may use the control socket besides root
    /// (the socket is then mode 0660, else 0600): a name or a number.
    pub group: Option<String>,
    /// A TCP address to serve the API on as well.
    pub listen: Option<std::net::SocketAddr>,
    /// The file holding the bearer token TCP clients must send (required
    /// with `listen`).
    pub token_file: Option<std::path::PathBuf>,
}

/// Choices in the decision process (RFC 4271 §9.1), router-wide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bestpath {
    /// Compare MED between routes from different neighbouring ASes.
    pub always_compare_med: bool,
    /// Prefer the oldest eBGP route before the BGP identifier (RFC 5004).
    pub prefer_oldest: bool,
    /// Use every route equal up to the IGP cost (ECMP).
    pub multipath: bool,
}

/// A prefix we originate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announce {
    /// The prefix.
    pub prefix: Prefix,
    /// RFC 1997 communities attached to it.
    pub communities: Vec<Community>,
    /// RFC 8092 large communities attached to it.
    pub large_communities: Vec<LargeCommunity>,
    /// RFC 4360 extended communities attached to it.
    pub extended_communities: Vec<ExtCommunity>,
    /// When it is announced.
    pub when: AnnounceWhen,
}

/// When an originated prefix is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnnounceWhen {
    /// Always.
    #[default]
    Always,
    /// While the routing table holds another route that covers it (the
    /// same prefix or a shorter one, such as a default route from transit).
    Covered,
}

/// Where a static route sends its traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticNextHop {
    /// To this address (on this interface, for a link-local one).
    Address(IpAddr, Option<String>),
    /// Out of this interface (a point-to-point link).
    Interface(String),
    /// Nowhere: dropped (a blackhole route).
    Blackhole,
}

/// A static route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticRoute {
    /// The prefix.
    pub prefix: Prefix,
    /// Where it goes.
    pub next_hop: StaticNextHop,
    /// Administrative distance against other sources (lower wins; BGP:
    /// 20 for eBGP, 200 for iBGP).
    pub distance: u8,
}

/// What a neighbor's import or export runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicySwitch {
    /// Accept (import) or send (export) every route.
    Accept,
    /// Accept or send nothing.
    Deny,
    /// Run this policy of [`Config::policies`].
    Policy(peerd_policy::PolicyId),
}

/// What to do when a neighbor sends more prefixes than allowed (RFC 4486).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxPrefixAction {
    /// Log only.
    Warn,
    /// Tear the session down and leave it down.
    Shutdown,
    /// Tear the session down and bring it back after this long.
    Restart(Duration),
}

/// Max-prefix limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPrefix {
    /// Limit for IPv4 unicast.
    pub ipv4: Option<u32>,
    /// Limit for IPv6 unicast.
    pub ipv6: Option<u32>,
    /// Warn at this percentage of the limit.
    pub warning_percent: u8,
    /// What happens at the limit.
    pub action: MaxPrefixAction,
}

/// One BGP neighbor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbor {
    /// A unique name (the address when none is given).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The neighbor's address.
    pub address: IpAddr,
    /// The interface, for an IPv6 link-local address.
    pub interface: Option<String>,
    /// The neighbor's AS.
    pub remote_as: u32,
    /// Our address on the session, if bound.
    pub local_address: Option<IpAddr>,
    /// Next hop self for IPv4 routes (default: our session address).
    pub ipv4_next_hop: Option<Ipv4Addr>,
    /// Next hop self for IPv6 routes (default: our session address; over an
    /// IPv4 session the IPv4-mapped address, which BIRD refuses).
    pub ipv6_next_hop: Option<std::net::Ipv6Addr>,
    /// The neighbor's TCP port.
    pub port: u16,
    /// Never connect out.
    pub passive: bool,
    /// Configured but administratively down.
    pub shutdown: bool,
    /// Proposed hold time in seconds.
    pub hold_time: u16,
    /// Keepalive interval in seconds, if not a third of the hold time.
    pub keepalive: Option<u16>,
    /// ConnectRetry time.
    pub connect_retry: Duration,
    /// DelayOpen time.
    pub delay_open: Option<Duration>,
    /// TCP-MD5 key (RFC 2385).
    pub password: Option<String>,
    /// GTSM (RFC 5082): send with TTL 255 and accept only TTL 255.
    pub ttl_security: bool,
    /// eBGP multihop TTL.
    pub multihop: Option<u8>,
    /// Families to negotiate.
    pub families: Vec<Family>,
    /// Our RFC 9234 role towards this neighbor.
    pub role: Option<Role>,
    /// Require the neighbor to announce a role.
    pub role_strict: bool,
    /// Act as graceful-restart helper.
    pub graceful_restart: bool,
    /// iBGP: the neighbor is a route-reflector client (RFC 4456).
    pub route_reflector_client: bool,
    /// Send routes learned over eBGP to this iBGP neighbor with our
    /// address as next hop.
    pub next_hop_self: bool,
    /// Keep its routes as received, before the import policy (soft
    /// reconfiguration inbound): `peerctl routes NAME --received` shows
    /// them and a new import policy applies without a route refresh.
    pub keep_received: bool,
    /// Max-prefix limits.
    pub max_prefix: Option<MaxPrefix>,
    /// Import switch.
    pub import: PolicySwitch,
    /// Export switch.
    pub export: PolicySwitch,
}

impl Neighbor {
    /// Whether the neighbor is in another AS.
    pub fn is_ebgp(&self, local_asn: u32) -> bool {
        self.remote_as != local_asn
    }
}
