//! The file as written: what serde reads, with source spans kept for the
//! validator's messages. Unknown keys are errors (a typo must not be ignored).

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawConfig {
    pub router: Spanned<RawRouter>,
    #[serde(default)]
    pub announce: Vec<RawAnnounce>,
    #[serde(default)]
    pub neighbor: Vec<Spanned<RawNeighbor>>,
    pub bestpath: Option<RawBestpath>,
    #[serde(default)]
    pub prefix_lists: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    pub as_lists: BTreeMap<String, Vec<Spanned<i64>>>,
    #[serde(default)]
    pub policy: BTreeMap<String, Vec<Spanned<RawTerm>>>,
    #[serde(default, rename = "static")]
    pub statics: Vec<Spanned<RawStatic>>,
    pub redistribute: Option<RawRedistribute>,
    pub fib: Option<RawFib>,
    pub api: Option<RawApi>,
    pub mrt: Option<Spanned<RawMrt>>,
    pub log: Option<RawLog>,
}

/// `[log]`: how peerd logs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawLog {
    pub format: Option<Spanned<String>>,
    pub level: Option<Spanned<String>>,
}

/// `[mrt]`: MRT files of what peerd receives.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMrt {
    pub dir: Option<Spanned<String>>,
    pub updates: Option<Spanned<RawDuration>>,
    pub compress: Option<Spanned<String>>,
    pub table_dump: Option<Spanned<RawDuration>>,
    pub table_dump_source: Option<Spanned<String>>,
}

/// `[api]`: who may use the management API, and where.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawApi {
    pub group: Option<Spanned<String>>,
    pub listen: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
}

/// `[fib]`: the kernel forwarding table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawFib {
    pub table: Option<Spanned<i64>>,
    pub protocol: Option<Spanned<i64>>,
    pub metric: Option<Spanned<i64>>,
    pub retain: Option<Spanned<RawDuration>>,
    pub import: Option<Spanned<String>>,
    pub import_distance: Option<Spanned<i64>>,
}

/// `[[static]]`: a static route.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawStatic {
    pub prefix: Spanned<String>,
    pub next_hop: Option<Spanned<String>>,
    pub interface: Option<String>,
    pub blackhole: Option<bool>,
    pub distance: Option<Spanned<i64>>,
}

/// `[redistribute]`: which other routes enter BGP, through which policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRedistribute {
    #[serde(rename = "static")]
    pub statics: Option<Spanned<String>>,
    pub kernel: Option<Spanned<String>>,
}

/// One term of a policy: `[[policy.NAME]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawTerm {
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub matches: Option<RawMatch>,
    pub set: Option<RawSet>,
    pub call: Option<Spanned<String>>,
    pub action: Option<Spanned<String>>,
}

/// A number, or text such as a range "8-24".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum NumOrText {
    Num(i64),
    Text(String),
}

/// AS numbers: one, a list, or the name of an as-list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawAsns {
    One(i64),
    List(Vec<i64>),
    Name(String),
}

/// One text or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMatch {
    pub prefix_list: Option<Spanned<String>>,
    pub prefix: Option<Vec<Spanned<String>>>,
    pub prefix_length: Option<Spanned<NumOrText>>,
    pub family: Option<Spanned<String>>,
    pub as_path: Option<Spanned<String>>,
    pub as_path_length: Option<Spanned<NumOrText>>,
    pub first_as: Option<Spanned<RawAsns>>,
    pub origin_as: Option<Spanned<RawAsns>>,
    pub contains_as: Option<Spanned<RawAsns>>,
    pub neighbor_as: Option<Spanned<RawAsns>>,
    pub community: Option<Vec<Spanned<String>>>,
    pub origin: Option<Spanned<OneOrMany>>,
    pub next_hop: Option<Vec<Spanned<String>>>,
    pub neighbor_role: Option<Spanned<OneOrMany>>,
    pub bogon: Option<bool>,
    pub bogon_as: Option<bool>,
    pub rpki: Option<Spanned<OneOrMany>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawSet {
    pub local_pref: Option<Spanned<i64>>,
    pub med: Option<Spanned<NumOrText>>,
    pub prepend: Option<Spanned<i64>>,
    pub add_communities: Option<Vec<Spanned<String>>>,
    pub remove_communities: Option<Vec<Spanned<String>>>,
    pub set_communities: Option<Vec<Spanned<String>>>,
    pub next_hop: Option<Spanned<String>>,
    pub allow_leak: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawBestpath {
    pub always_compare_med: Option<bool>,
    pub prefer_oldest: Option<bool>,
    pub multipath: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRouter {
    pub asn: Spanned<i64>,
    pub router_id: Spanned<String>,
    pub listen: Option<Vec<Spanned<String>>>,
    pub port: Option<Spanned<i64>>,
    pub hostname: Option<String>,
    pub cluster_id: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawAnnounce {
    pub prefix: Spanned<String>,
    pub when: Option<Spanned<String>>,
    #[serde(default)]
    pub communities: Vec<Spanned<String>>,
    #[serde(default)]
    pub large_communities: Vec<Spanned<String>>,
    #[serde(default)]
    pub extended_communities: Vec<Spanned<String>>,
}

/// A duration: seconds as a number, or text such as "15m".
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawDuration {
    Seconds(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMaxPrefix {
    pub ipv4: Option<Spanned<i64>>,
    pub ipv6: Option<Spanned<i64>>,
    pub warning: Option<Spanned<i64>>,
    pub action: Option<Spanned<String>>,
    pub restart_after: Option<Spanned<RawDuration>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawNeighbor {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    pub address: Spanned<String>,
    pub interface: Option<String>,
    pub remote_as: Spanned<i64>,
    pub local_address: Option<Spanned<String>>,
    pub ipv4_next_hop: Option<Spanned<String>>,
    pub ipv6_next_hop: Option<Spanned<String>>,
    pub port: Option<Spanned<i64>>,
    pub passive: Option<bool>,
    pub shutdown: Option<bool>,
    pub hold_time: Option<Spanned<i64>>,
    pub keepalive: Option<Spanned<i64>>,
    pub connect_retry: Option<Spanned<RawDuration>>,
    pub delay_open: Option<Spanned<RawDuration>>,
    pub password: Option<Spanned<String>>,
    pub password_file: Option<Spanned<String>>,
    pub ttl_security: Option<Spanned<bool>>,
    pub multihop: Option<Spanned<i64>>,
    pub families: Option<Vec<Spanned<String>>>,
    pub role: Option<Spanned<String>>,
    pub role_strict: Option<Spanned<bool>>,
    pub graceful_restart: Option<bool>,
    pub route_reflector_client: Option<Spanned<bool>>,
    pub next_hop_self: Option<bool>,
    pub keep_received: Option<bool>,
    pub max_prefixes: Option<Spanned<RawMaxPrefix>>,
    pub import: Option<Spanned<String>>,
    pub export: Option<Spanned<String>>,
}
