//! What the API answers. Every type is declared with
//! [`api_struct!`](crate::api_struct), which also writes its JSON Schema.

use crate::api_struct;
use crate::schema::Schema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

api_struct! {
    /// The router at a glance.
    pub struct Summary {
        /// Our AS.
        pub asn: u32,
        /// Our BGP identifier.
        pub router_id: String,
        /// Seconds since peerd started.
        pub uptime_seconds: u64,
        /// Configured neighbors.
        pub neighbors: u32,
        /// Neighbors whose session is established.
        pub established: u32,
        /// Prefixes in the routing table, IPv4.
        pub prefixes_ipv4: u64,
        /// Prefixes in the routing table, IPv6.
        pub prefixes_ipv6: u64,
        /// The kernel table peerd programs (`[fib]`), if any.
        pub fib_table: Option<u32>,
        /// Bytes the routing engine's structures take (the sum of `peerd_engine_memory_bytes`).
        pub memory_bytes: u64,
    }
}

api_struct! {
    /// A BGP neighbor and its session.
    pub struct Neighbor {
        /// Its name in the configuration.
        pub name: String,
        /// Its address.
        pub address: String,
        /// Its AS.
        pub remote_as: u32,
        /// Session state (RFC 4271 §8): Idle, Connect, Active, OpenSent, OpenConfirm or Established.
        pub state: String,
        /// Seconds in this state.
        pub state_seconds: u64,
        /// Prefixes accepted from it (after its import policy).
        pub received: u64,
        /// Prefixes sent to it.
        pub sent: u64,
        /// Announcements its import policy rejected since peerd started (or the neighbor was added).
        pub filtered: u64,
        /// Why the session last went down, if it did.
        pub last_error: Option<String>,
        /// The host name it announced (FQDN capability).
        pub hostname: Option<String>,
        /// Families negotiated on the established session.
        pub families: Vec<String>,
        /// The hold time negotiated, in seconds (null while not established; 0: no keepalives).
        pub hold_time: Option<u32>,
        /// Seconds between our keepalives (null while not established or with hold time 0).
        pub keepalive: Option<u32>,
        /// Capabilities in force on the established session, in words (4-octet-as, route-refresh, graceful-restart with the neighbor's restart time, role, ...).
        pub capabilities: Vec<String>,
        /// Messages received from it, by type.
        pub messages_received: MessageCounts,
        /// Messages sent to it, by type.
        pub messages_sent: MessageCounts,
        /// Times an established session with it went down.
        pub flaps: u64,
        /// The last NOTIFICATION we sent it, in words, if any.
        pub last_notification_sent: Option<String>,
        /// The last NOTIFICATION it sent us, in words, if any.
        pub last_notification_received: Option<String>,
    }
}

api_struct! {
    /// Messages of a session, by type, since peerd started.
    pub struct MessageCounts {
        /// OPEN.
        pub open: u64,
        /// UPDATE.
        pub update: u64,
        /// NOTIFICATION.
        pub notification: u64,
        /// KEEPALIVE.
        pub keepalive: u64,
        /// ROUTE-REFRESH.
        pub route_refresh: u64,
    }
}

api_struct! {
    /// A route: a candidate for its prefix, or the best one.
    pub struct Route {
        /// The prefix.
        pub prefix: String,
        /// Its family (ipv4-unicast, ipv6-unicast).
        pub family: String,
        /// The next hop (`self` for our own routes).
        pub next_hop: String,
        /// The AS path.
        pub as_path: String,
        /// ORIGIN: igp, egp or incomplete.
        pub origin: String,
        /// LOCAL_PREF.
        pub local_pref: u32,
        /// MED, if present.
        pub med: Option<u32>,
        /// Standard communities (RFC 1997).
        pub communities: Vec<String>,
        /// Large communities (RFC 8092).
        pub large_communities: Vec<String>,
        /// Extended communities (RFC 4360).
        pub extended_communities: Vec<String>,
        /// The neighbor it came from (null: ours).
        pub from: Option<String>,
        /// The best route of its prefix.
        pub best: bool,
        /// Used beside the best one (ECMP).
        pub multipath: bool,
        /// The decision step it lost at, if it is not the best.
        pub lost: Option<String>,
        /// Kept for a restarting neighbor (graceful restart).
        pub stale: bool,
        /// Ineligible as a route leak (RFC 9234).
        pub leak: bool,
        /// Traffic to the prefix is dropped here.
        pub discard: bool,
        /// The Only to Customer attribute (RFC 9234), if present.
        pub otc: Option<u32>,
        /// Where it comes from: bgp (a neighbor), local (our announcement from the file, or a redistributed route), runtime (our announcement made through the API, until peerd restarts), static or kernel.
        pub protocol: String,
    }
}

api_struct! {
    /// One page of routes, in prefix order.
    pub struct RoutePage {
        /// The routes.
        pub routes: Vec<Route>,
        /// Ask again with `after` set to this for the next page; null on the last one.
        pub next: Option<String>,
    }
}

api_struct! {
    /// Every candidate for one prefix: the best first, then the others with the step each lost at.
    pub struct Candidates {
        /// The prefix (for a lookup: the longest match of the address).
        pub prefix: String,
        /// The candidates.
        pub routes: Vec<Route>,
    }
}

api_struct! {
    /// What a reload did, or would do.
    pub struct ReloadResult {
        /// Nothing was changed (`dry-run`).
        pub dry_run: bool,
        /// The plan, one line per neighbor or part of the configuration: start, stop, reset, keep, untouched.
        pub plan: Vec<String>,
    }
}

api_struct! {
    /// An action was taken.
    pub struct Done {
        /// What was done.
        pub message: String,
    }
}

/// Why a request failed: stable codes for programs, a sentence for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed, or a parameter is (400).
    BadRequest,
    /// No or a wrong bearer token (401).
    Unauthorized,
    /// No such endpoint, neighbor or route (404).
    NotFound,
    /// The endpoint exists with another method (405).
    MethodNotAllowed,
    /// The request is larger than allowed (413).
    TooLarge,
    /// What was asked for is not kept (a neighbor without
    /// `keep-received`) (409).
    NotKept,
    /// What was asked for needs a section the configuration does not
    /// have (an MRT dump without `[mrt]`) (409).
    NotConfigured,
    /// The neighbor's session is not established, or it cannot do what
    /// was asked (a soft reset in without route refresh or kept routes)
    /// (409).
    NotEstablished,
    /// What was asked contradicts the configuration file (announcing or
    /// withdrawing at run time a prefix the file announces) (409).
    Conflict,
    /// A reload was refused: the file is invalid, or asks for what only a
    /// restart can do (422).
    ReloadRefused,
    /// Something went wrong inside peerd (500).
    Internal,
}

impl ErrorCode {
    /// Every code, for the description.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::TooLarge,
        ErrorCode::NotKept,
        ErrorCode::NotConfigured,
        ErrorCode::NotEstablished,
        ErrorCode::Conflict,
        ErrorCode::ReloadRefused,
        ErrorCode::Internal,
    ];

    /// The HTTP status that goes with it.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::TooLarge => 413,
            ErrorCode::NotKept
            | ErrorCode::NotConfigured
            | ErrorCode::NotEstablished
            | ErrorCode::Conflict => 409,
            ErrorCode::ReloadRefused => 422,
            ErrorCode::Internal => 500,
        }
    }

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::NotKept => "not_kept",
            ErrorCode::NotConfigured => "not_configured",
            ErrorCode::NotEstablished => "not_established",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ReloadRefused => "reload_refused",
            ErrorCode::Internal => "internal",
        }
    }
}

impl Schema for ErrorCode {
    fn name() -> Option<&'static str> {
        Some("ErrorCode")
    }
    fn schema() -> Value {
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        json!({ "type": "string", "enum": names, "description": "A stable error code." })
    }
}

/// An error as the API answers it: `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The code.
    pub code: ErrorCode,
    /// What went wrong, in words.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({ "error": self })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

impl std::error::Error for ApiError {}

impl Schema for ApiError {
    fn name() -> Option<&'static str> {
        Some("Error")
    }
    fn schema() -> Value {
        json!({
            "type": "object",
            "description": "Why a request failed.",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "code": ErrorCode::reference(),
                        "message": { "type": "string" },
                    },
                    "required": ["code", "message"],
                    "additionalProperties": false,
                }
            },
            "required": ["error"],
            "additionalProperties": false,
        })
    }
}

api_struct! {
    /// The body of a shutdown.
    pub struct DisableRequest {
        /// Shown to the neighbor in the Cease NOTIFICATION (RFC 9003); null for none.
        pub message: Option<String>,
    }
}

api_struct! {
    /// A prefix to announce at run time: kept until peerd restarts (not
    /// written to the configuration file), marked `runtime` wherever it
    /// shows.
    pub struct AnnounceRequest {
        /// The prefix, host bits zero.
        pub prefix: String,
        /// RFC 1997 communities (AS:VALUE or a well-known name); null for none.
        pub communities: Option<Vec<String>>,
        /// RFC 8092 large communities (GLOBAL:LOCAL1:LOCAL2); null for none.
        pub large_communities: Option<Vec<String>>,
        /// RFC 4360 extended communities (rt/soo AS:N, or 0x and 16 hex digits); null for none.
        pub extended_communities: Option<Vec<String>>,
    }
}

api_struct! {
    /// A prefix we originate.
    pub struct Announcement {
        /// The prefix.
        pub prefix: String,
        /// Its communities.
        pub communities: Vec<String>,
        /// Its large communities.
        pub large_communities: Vec<String>,
        /// Its extended communities.
        pub extended_communities: Vec<String>,
        /// When it is announced: always, or covered (while another route covers it).
        pub when: String,
        /// Where it comes from: config (the file) or runtime (the API, until peerd restarts).
        pub source: String,
        /// Whether it is announced now (a covered one waits for a covering route).
        pub announced: bool,
    }
}

api_struct! {
    /// The kernel forwarding table peerd programs (`[fib]`).
    pub struct FibState {
        /// Whether peerd programs the kernel at all ([fib] is set).
        pub configured: bool,
        /// The kernel table id (254: main).
        pub table: Option<u32>,
        /// The rtm_protocol of peerd's routes.
        pub protocol: Option<u32>,
        /// Their metric.
        pub metric: Option<u32>,
        /// Seconds a restart keeps them ([fib] retain; 0: a clean stop removes them).
        pub retain_seconds: Option<u64>,
        /// Routes of ours in the table now.
        pub installed: u64,
        /// Routes the kernel refused since start (each logged).
        pub refused: u64,
        /// Routing-table changes waiting for the FIB task.
        pub queued: u64,
        /// Batches of changes applied since start.
        pub batches: u64,
        /// Microseconds spent applying them.
        pub busy_micros: u64,
        /// Changes in the last batch.
        pub last_batch_changes: u64,
        /// Microseconds the last batch took.
        pub last_batch_micros: u64,
    }
}

api_struct! {
    /// One way out of a kernel route.
    pub struct FibNextHop {
        /// The gateway, if any (none: the destination is on the link).
        pub gateway: Option<String>,
        /// The interface the packets leave by, if the kernel says.
        pub interface: Option<String>,
    }
}

api_struct! {
    /// How the kernel forwards a packet to an address now (ip route get ADDRESS fibmatch): policy rules and every table apply.
    pub struct FibLookup {
        /// The address asked about.
        pub address: String,
        /// unicast, device (on a link, no gateway), blackhole (dropped: a blackhole or prohibit route; the kernel does not say which), local-or-other (our own address, or another kind of route), or none (no route, or an unreachable route).
        pub kind: String,
        /// The prefix of the kernel route used.
        pub prefix: Option<String>,
        /// Its table.
        pub table: Option<u32>,
        /// Its rtm_protocol.
        pub protocol: Option<u32>,
        /// Whether peerd installed it (its table and protocol are [fib]'s).
        pub ours: bool,
        /// Where packets go (several: ECMP).
        pub next_hops: Vec<FibNextHop>,
    }
}
