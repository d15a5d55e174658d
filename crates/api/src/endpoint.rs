//! The endpoints: a request's method and path made into an [`Endpoint`]
//! with its parameters checked, and the table the OpenAPI description is
//! generated from ([`ENDPOINTS`]).

use crate::http::Request;
use crate::types::{AnnounceRequest, ApiError, DisableRequest, ErrorCode};
use peerd_wire::Prefix;
use std::net::IpAddr;

/// The most routes one page holds, and the default.
pub const MAX_PAGE: usize = 10_000;
/// Routes per page unless asked otherwise.
pub const DEFAULT_PAGE: usize = 1_000;

/// Which page of routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many routes.
    pub limit: usize,
    /// Those after this prefix (in the table's order).
    pub after: Option<Prefix>,
}

/// Which of a neighbor's routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteSet {
    /// Accepted by its import policy (Adj-RIB-In, post-policy).
    Accepted,
    /// As received, before the import policy (Adj-RIB-In, pre-policy;
    /// with `keep-received`).
    Received,
    /// What we send it (Adj-RIB-Out), attributes as sent.
    Advertised,
}

/// What a listing of routes is narrowed to; every part given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// This prefix and its more-specifics.
    pub more_specifics: Option<Prefix>,
    /// A community of any kind matching this pattern (`64500:*`,
    /// `64500:0:1-9`, `rt 64500:7`).
    pub community: Option<peerd_policy::CommunityPattern>,
    /// An AS-path expression (`_174_`, `^15169$`).
    pub as_path: Option<peerd_policy::AsPathRegex>,
    /// The AS that originated the route.
    pub origin_as: Option<u32>,
    /// The routing table only: best routes learned from this neighbor.
    pub neighbor: Option<String>,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET /openapi.json`.
    OpenApi,
    /// `GET /metrics` (Prometheus text format).
    Metrics,
    /// `GET /v1/summary`.
    Summary,
    /// `GET /v1/neighbors`.
    Neighbors,
    /// `GET /v1/neighbors/{name}`.
    Neighbor(String),
    /// `GET /v1/neighbors/{name}/routes`.
    NeighborRoutes(String, RouteSet, PageRequest, Filter),
    /// `GET /v1/rib`.
    Rib(PageRequest, Filter),
    /// `GET /v1/rib/{prefix}`.
    Candidates(Prefix),
    /// `GET /v1/lookup/{address}`.
    Lookup(IpAddr),
    /// `POST /v1/reload`.
    Reload {
        /// Only say what would happen.
        dry_run: bool,
    },
    /// `POST /v1/neighbors/{name}/disable`.
    Disable(String, Option<String>),
    /// `POST /v1/neighbors/{name}/enable`.
    Enable(String),
    /// `POST /v1/neighbors/{name}/refresh`.
    Refresh(String),
    /// `POST /v1/neighbors/{name}/reset`: the session ends and starts again.
    Reset(String, Option<String>),
    /// `POST /v1/neighbors/{name}/soft-reset`: routes again without
    /// ending the session — `in`: theirs through the import policy, `out`:
    /// ours sent again.
    SoftReset {
        /// The neighbor.
        name: String,
        /// Inbound.
        inbound: bool,
        /// Outbound.
        outbound: bool,
    },
    /// `POST /v1/mrt/dump`.
    MrtDump,
    /// `GET /v1/config`.
    Config,
    /// `GET /v1/fib`.
    Fib,
    /// `GET /v1/fib/{address}`.
    FibLookup(IpAddr),
    /// `GET /v1/announcements`.
    Announcements,
    /// `POST /v1/announcements`: announce a prefix until peerd restarts.
    Announce(RuntimeAnnouncement),
    /// `DELETE /v1/announcements/{prefix}`: withdraw one announced at run
    /// time.
    Withdraw(Prefix),
}

/// A prefix to announce at run time, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeAnnouncement {
    /// The prefix.
    pub prefix: Prefix,
    /// RFC 1997 communities.
    pub communities: Vec<peerd_wire::attr::Community>,
    /// RFC 8092 large communities.
    pub large_communities: Vec<peerd_wire::attr::LargeCommunity>,
    /// RFC 4360 extended communities.
    pub extended_communities: Vec<peerd_wire::attr::ExtCommunity>,
}

/// A parameter of an endpoint, for the description.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// `path` or `query`.
    pub place: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// An endpoint, for the description.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// What it does.
    pub doc: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// The schema of its answer (a component name; `"text/plain"`: text;
    /// `None`: the OpenAPI description itself).
    pub answer: Option<&'static str>,
    /// A JSON body it takes (a component name), if any.
    pub body: Option<&'static str>,
}

const NAME: Param = Param {
    name: "name",
    place: "path",
    doc: "The neighbor's name (or address).",
};
const LIMIT: Param = Param {
    name: "limit",
    place: "query",
    doc: "At most this many routes (default 1000, at most 10000).",
};
const AFTER: Param = Param {
    name: "after",
    place: "query",
    doc: "The routes after this prefix: the `next` of the page before.",
};

const MORE_SPECIFICS: Param = Param {
    name: "more-specifics",
    place: "query",
    doc: "Only this prefix and the prefixes inside it, such as 198.51.100.0/22.",
};
const COMMUNITY: Param = Param {
    name: "community",
    place: "query",
    doc: "Only routes with a community matching this pattern: AS:VALUE, GLOBAL:LOCAL1:LOCAL2 or `rt|soo GLOBAL:LOCAL`, each part a number, a range N-M or *.",
};
const AS_PATH: Param = Param {
    name: "as-path",
    place: "query",
    doc: "Only routes whose AS path matches this regular expression over ASNs (`_` a boundary: `_174_`, `^15169$`).",
};
const ORIGIN_AS: Param = Param {
    name: "origin-as",
    place: "query",
    doc: "Only routes originated by this AS (the last of the path; ours for our own routes).",
};

/// Every endpoint.
pub const ENDPOINTS: &[Spec] = &[
    Spec {
        method: "GET",
        path: "/openapi.json",
        doc: "This description.",
        params: &[],
        answer: None,
        body: None,
    },
    Spec {
        method: "GET",
        path: "/metrics",
        doc: "Metrics in the Prometheus text format (version 0.0.4).",
        params: &[],
        answer: Some("text/plain"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/summary",
        doc: "The router at a glance.",
        params: &[],
        answer: Some("Summary"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/neighbors",
        doc: "Every neighbor and its session.",
        params: &[],
        answer: Some("NeighborList"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/neighbors/{name}",
        doc: "One neighbor and its session.",
        params: &[NAME],
        answer: Some("Neighbor"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/neighbors/{name}/routes",
        doc: "The routes a neighbor sent (accepted by the import policy), or as received, or what we send it; one page at a time. With a filter a page may hold fewer routes than `limit` (a page looks at 100000 prefixes at most): go on while `next` is set.",
        params: &[
            NAME,
            LIMIT,
            AFTER,
            Param {
                name: "received",
                place: "query",
                doc: "`true`: as received, before the import policy (needs keep-received).",
            },
            Param {
                name: "advertised",
                place: "query",
                doc: "`true`: what we send the neighbor (Adj-RIB-Out), attributes as sent.",
            },
            MORE_SPECIFICS,
            COMMUNITY,
            AS_PATH,
            ORIGIN_AS,
        ],
        answer: Some("RoutePage"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/rib",
        doc: "The best route of every prefix, one page at a time. With a filter a page may hold fewer routes than `limit` (a page looks at 100000 prefixes at most): go on while `next` is set.",
        params: &[
            LIMIT,
            AFTER,
            MORE_SPECIFICS,
            COMMUNITY,
            AS_PATH,
            ORIGIN_AS,
            Param {
                name: "neighbor",
                place: "query",
                doc: "Only the best routes learned from this neighbor (its name or address).",
            },
        ],
        answer: Some("RoutePage"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/rib/{prefix}",
        doc: "Every candidate for a prefix: the best first, the others with the step each lost at.",
        params: &[Param {
            name: "prefix",
            place: "path",
            doc: "The prefix, such as 203.0.113.0/24 (the slash as is).",
        }],
        answer: Some("Candidates"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/lookup/{address}",
        doc:
            "The route traffic to an address takes: the longest matching prefix and its candidates.",
        params: &[Param {
            name: "address",
            place: "path",
            doc: "An IPv4 or IPv6 address.",
        }],
        answer: Some("Candidates"),
        body: None,
    },
    Spec {
        method: "POST",
        path: "/v1/reload",
        doc: "Read the configuration file again and apply only the difference.",
        params: &[Param {
            name: "dry-run",
            place: "query",
            doc: "`true`: say what would happen, change nothing.",
        }],
        answer: Some("ReloadResult"),
        body: None,
    },
    Spec {
        method: "POST",
        path: "/v1/neighbors/{name}/disable",
        doc: "Administrative shutdown, with a message for the neighbor (RFC 9003).",
        params: &[NAME],
        answer: Some("Done"),
        body: Some("DisableRequest"),
    },
    Spec {
        method: "POST",
        path: "/v1/neighbors/{name}/enable",
        doc: "Start a neighbor's session again after a shutdown.",
        params: &[NAME],
        answer: Some("Done"),
        body: None,
    },
    Spec {
        method: "POST",
        path: "/v1/neighbors/{name}/refresh",
        doc: "Ask the neighbor to send its routes again (route refresh, RFC 2918).",
        params: &[NAME],
        answer: Some("Done"),
        body: None,
    },
    Spec {
        method: "POST",
        path: "/v1/neighbors/{name}/reset",
        doc: "End the session (Cease / Administrative Reset, with a message for the neighbor, RFC 9003; as a Hard Reset when both sides set the N bit, RFC 8538, so that neither keeps the other's routes) and start it again at once.",
        params: &[NAME],
        answer: Some("Done"),
        body: Some("DisableRequest"),
    },
    Spec {
        method: "POST",
        path: "/v1/neighbors/{name}/soft-reset",
        doc: "Routes again without ending the session: in, the neighbor's routes through the import policy again (from the routes kept as received with keep-received, else by route refresh, RFC 2918); out, every route we send it sent again.",
        params: &[
            NAME,
            Param {
                name: "direction",
                place: "query",
                doc: "`in`, `out` or `both` (the default).",
            },
        ],
        answer: Some("Done"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/config",
        doc: "The configuration in force, normalised as peerd check prints it (every setting with its effective value, keys not shown), as TOML.",
        params: &[],
        answer: Some("text/plain"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/fib",
        doc: "The kernel forwarding table peerd programs: its settings, routes installed, refused, queued, and how long the batches take.",
        params: &[],
        answer: Some("FibState"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/fib/{address}",
        doc: "How the kernel forwards a packet to an address now (ip route get ADDRESS fibmatch): the route used, who installed it, the gateway and the interface.",
        params: &[Param {
            name: "address",
            place: "path",
            doc: "An IPv4 or IPv6 address.",
        }],
        answer: Some("FibLookup"),
        body: None,
    },
    Spec {
        method: "GET",
        path: "/v1/announcements",
        doc: "The prefixes we originate: from the file, and those announced at run time.",
        params: &[],
        answer: Some("AnnouncementList"),
        body: None,
    },
    Spec {
        method: "POST",
        path: "/v1/announcements",
        doc: "Announce a prefix now, until peerd restarts (it is not written to the file, and is marked runtime). A prefix announced at run time again is replaced; one in the file is refused (change the file).",
        params: &[],
        answer: Some("Done"),
        body: Some("AnnounceRequest"),
    },
    Spec {
        method: "DELETE",
        path: "/v1/announcements/{prefix}",
        doc: "Withdraw a prefix announced at run time.",
        params: &[Param {
            name: "prefix",
            place: "path",
            doc: "The prefix, such as 203.0.113.0/24 (the slash as is).",
        }],
        answer: Some("Done"),
        body: None,
    },
    Spec {
        method: "POST",
        path: "/v1/mrt/dump",
        doc: "Write a TABLE_DUMP_V2 snapshot now (with [mrt]), as the table-dump period would.",
        params: &[],
        answer: Some("Done"),
        body: None,
    },
];

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::BadRequest, msg)
}

fn flag(req: &Request, name: &str) -> Result<bool, ApiError> {
    match req.param(name) {
        None | Some("false") => Ok(false),
        Some("" | "true") => Ok(true),
        Some(v) => Err(bad(format!("{name}: expected true or false, found {v:?}"))),
    }
}

fn page(req: &Request) -> Result<PageRequest, ApiError> {
    let limit = match req.param("limit") {
        None => DEFAULT_PAGE,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(bad(format!(
                    "limit: expected a number from 1 to {MAX_PAGE}, found {v:?}"
                )))
            }
        },
    };
    let after = match req.param("after") {
        None | Some("") => None,
        Some(v) => Some(v.parse::<Prefix>().map_err(|_| {
            bad(format!(
                "after: expected a prefix such as 203.0.113.0/24, found {v:?}"
            ))
        })?),
    };
    Ok(PageRequest { limit, after })
}

/// The filter of a listing; `neighbor` only where `with_neighbor`.
fn filter(req: &Request, with_neighbor: bool) -> Result<Filter, ApiError> {
    let given = |name: &str| req.param(name).filter(|v| !v.is_empty());
    let more_specifics = match given("more-specifics") {
        None => None,
        Some(v) => Some(v.parse::<Prefix>().map_err(|_| {
            bad(format!(
                "more-specifics: expected a prefix such as 198.51.100.0/22 with its host bits zero, found {v:?}"
            ))
        })?),
    };
    let community = match given("community") {
        None => None,
        Some(v) => Some(
            v.parse::<peerd_policy::CommunityPattern>()
                .map_err(|e| bad(format!("community: {e}, found {v:?}")))?,
        ),
    };
    let as_path = match given("as-path") {
        None => None,
        Some(v) => Some(
            peerd_policy::AsPathRegex::new(v).map_err(|e| bad(format!("as-path: {e} in {v:?}")))?,
        ),
    };
    let origin_as = match given("origin-as") {
        None => None,
        Some(v) => Some(
            v.trim_start_matches("AS")
                .parse::<u32>()
                .map_err(|_| bad(format!("origin-as: expected an AS number, found {v:?}")))?,
        ),
    };
    let neighbor = match given("neighbor") {
        Some(_) if !with_neighbor => {
            return Err(bad(
                "neighbor: not a filter here; ask /v1/neighbors/{name}/routes",
            ))
        }
        v => v.map(str::to_string),
    };
    Ok(Filter {
        more_specifics,
        community,
        as_path,
        origin_as,
        neighbor,
    })
}

/// The body of a shutdown: `{"message": ...}` and nothing else.
fn disable_body(body: &[u8]) -> Result<DisableRequest, ApiError> {
    let why = |e: &dyn std::fmt::Display| {
        bad(format!(
            "expected a body such as {{\"message\": \"maintenance\"}}: {e}"
        ))
    };
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| why(&e))?;
    match v.as_object() {
        Some(o) if o.keys().all(|k| k == "message") => {}
        _ => return Err(why(&"an object with `message` only")),
    }
    serde_json::from_value(v).map_err(|e| why(&e))
}

/// The body of a run-time announcement, checked: known keys, a prefix
/// with its host bits zero, communities of each kind.
fn announce_body(body: &[u8]) -> Result<RuntimeAnnouncement, ApiError> {
    let why = |e: &dyn std::fmt::Display| {
        bad(format!(
            "expected a body such as {{\"prefix\": \"203.0.113.0/24\", \"communities\": [\"64500:1\"]}}: {e}"
        ))
    };
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| why(&e))?;
    const KEYS: [&str; 4] = [
        "prefix",
        "communities",
        "large_communities",
        "extended_communities",
    ];
    match v.as_object() {
        Some(o) if o.keys().all(|k| KEYS.contains(&k.as_str())) => {}
        _ => return Err(why(&format!("an object with {} only", KEYS.join(", ")))),
    }
    let r: AnnounceRequest = serde_json::from_value(v).map_err(|e| why(&e))?;
    let prefix = r.prefix.parse::<Prefix>().map_err(|_| {
        bad(format!(
            "prefix: expected a prefix such as 203.0.113.0/24 with its host bits zero, found {:?}",
            r.prefix
        ))
    })?;
    fn list<T: std::str::FromStr>(v: Option<Vec<String>>, what: &str) -> Result<Vec<T>, ApiError>
    where
        T::Err: std::fmt::Display,
    {
        v.unwrap_or_default()
            .iter()
            .map(|s| {
                s.parse::<T>()
                    .map_err(|e| bad(format!("{what}: {e}, found {s:?}")))
            })
            .collect()
    }
    Ok(RuntimeAnnouncement {
        prefix,
        communities: list(r.communities, "communities")?,
        large_communities: list(r.large_communities, "large_communities")?,
        extended_communities: list(r.extended_communities, "extended_communities")?,
    })
}

/// What `req` asks for, or why it is not a request of the API.
pub fn endpoint(req: &Request) -> Result<Endpoint, ApiError> {
    if let Some(found) = matched(req) {
        return found;
    }
    // The path exists with another method?
    let other = ["GET", "POST", "DELETE"].into_iter().find(|m| {
        *m != req.method
            && matched(&Request {
                method: (*m).to_string(),
                ..req.clone()
            })
            .is_some()
    });
    Err(match other {
        Some(other) => ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("{} {} is not an endpoint; {other} is", req.method, req.path),
        ),
        None => ApiError::new(
            ErrorCode::NotFound,
            format!(
                "no endpoint {} {} (see /openapi.json)",
                req.method, req.path
            ),
        ),
    })
}

/// The endpoint a method and path name, with its parameters checked;
/// `None` when they name none.
fn matched(req: &Request) -> Option<Result<Endpoint, ApiError>> {
    let path = req.path.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let get = req.method == "GET";
    let post = req.method == "POST";
    let delete = req.method == "DELETE";
    let found = (|| {
        Ok(match segs.as_slice() {
            ["openapi.json"] if get => Endpoint::OpenApi,
            ["metrics"] if get => Endpoint::Metrics,
            ["v1", "summary"] if get => Endpoint::Summary,
            ["v1", "neighbors"] if get => Endpoint::Neighbors,
            ["v1", "neighbors", name] if get => Endpoint::Neighbor((*name).to_string()),
            ["v1", "neighbors", name, "routes"] if get => {
                let set = match (flag(req, "received")?, flag(req, "advertised")?) {
                    (true, true) => {
                        return Err(Some(bad("received and advertised: ask for one of them")))
                    }
                    (true, false) => RouteSet::Received,
                    (false, true) => RouteSet::Advertised,
                    (false, false) => RouteSet::Accepted,
                };
                Endpoint::NeighborRoutes((*name).to_string(), set, page(req)?, filter(req, false)?)
            }
            ["v1", "rib"] if get => Endpoint::Rib(page(req)?, filter(req, true)?),
            ["v1", "rib", addr, len] if get => {
                let text = format!("{addr}/{len}");
                Endpoint::Candidates(text.parse().map_err(|_| {
                    bad(format!("expected a prefix such as 203.0.113.0/24 with its host bits zero, found {text:?}"))
                })?)
            }
            ["v1", "lookup", addr] if get => Endpoint::Lookup(addr.parse().map_err(|_| {
                bad(format!(
                    "expected an address such as 203.0.113.7 or 2001:db8::7, found {addr:?}"
                ))
            })?),
            ["v1", "reload"] if post => Endpoint::Reload {
                dry_run: flag(req, "dry-run")?,
            },
            ["v1", "neighbors", name, "disable"] if post => {
                let body = if req.body.iter().all(u8::is_ascii_whitespace) {
                    DisableRequest { message: None }
                } else {
                    disable_body(&req.body)?
                };
                Endpoint::Disable((*name).to_string(), body.message)
            }
            ["v1", "neighbors", name, "enable"] if post => Endpoint::Enable((*name).to_string()),
            ["v1", "neighbors", name, "reset"] if post => {
                let body = if req.body.iter().all(u8::is_ascii_whitespace) {
                    DisableRequest { message: None }
                } else {
                    disable_body(&req.body)?
                };
                Endpoint::Reset((*name).to_string(), body.message)
            }
            ["v1", "neighbors", name, "soft-reset"] if post => {
                let (inbound, outbound) = match req.param("direction") {
                    None | Some("" | "both") => (true, true),
                    Some("in") => (true, false),
                    Some("out") => (false, true),
                    Some(v) => {
                        return Err(Some(bad(format!(
                            "direction: expected in, out or both, found {v:?}"
                        ))))
                    }
                };
                Endpoint::SoftReset {
                    name: (*name).to_string(),
                    inbound,
                    outbound,
                }
            }
            ["v1", "neighbors", name, "refresh"] if post => Endpoint::Refresh((*name).to_string()),
            ["v1", "mrt", "dump"] if post => Endpoint::MrtDump,
            ["v1", "announcements"] if get => Endpoint::Announcements,
            ["v1", "fib"] if get => Endpoint::Fib,
            ["v1", "config"] if get => Endpoint::Config,
            ["v1", "fib", addr] if get => Endpoint::FibLookup(addr.parse().map_err(|_| {
                bad(format!(
                    "expected an address such as 203.0.113.7 or 2001:db8::7, found {addr:?}"
                ))
            })?),
            ["v1", "announcements"] if post => Endpoint::Announce(announce_body(&req.body)?),
            ["v1", "announcements", addr, len] if delete => {
                let text = format!("{addr}/{len}");
                Endpoint::Withdraw(text.parse().map_err(|_| {
                    bad(format!("expected a prefix such as 203.0.113.0/24 with its host bits zero, found {text:?}"))
                })?)
            }
            _ => return Err(None),
        })
    })();
    match found {
        Ok(e) => Some(Ok(e)),
        Err(Some(e)) => Some(Err(e)),
        Err(None) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ask(method: &str, target: &str, body: &str) -> Result<Endpoint, ApiError> {
        let raw = format!(
            "{method} {target} HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        match crate::http::parse(raw.as_bytes()).unwrap() {
            crate::http::Parsed::Request(r) => endpoint(&r),
            crate::http::Parsed::Incomplete => panic!("incomplete"),
        }
    }

    #[test]
    fn every_endpoint_is_recognised() {
        let p: Prefix = "203.0.113.0/24".parse().unwrap();
        assert_eq!(ask("GET", "/v1/summary", ""), Ok(Endpoint::Summary));
        assert_eq!(ask("GET", "/v1/neighbors/", ""), Ok(Endpoint::Neighbors));
        assert_eq!(
            ask("GET", "/v1/neighbors/transit", ""),
            Ok(Endpoint::Neighbor("transit".into()))
        );
        assert_eq!(
            ask(
                "GET",
                "/v1/neighbors/t/routes?received=true&limit=5&after=203.0.113.0/24",
                ""
            ),
            Ok(Endpoint::NeighborRoutes(
                "t".into(),
                RouteSet::Received,
                PageRequest {
                    limit: 5,
                    after: Some(p)
                },
                Filter::default()
            ))
        );
        let all = PageRequest {
            limit: DEFAULT_PAGE,
            after: None,
        };
        assert_eq!(
            ask("GET", "/v1/rib", ""),
            Ok(Endpoint::Rib(all, Filter::default()))
        );
        // Filters, percent-decoded.
        let Ok(Endpoint::Rib(_, f)) = ask(
            "GET",
            "/v1/rib?more-specifics=198.51.100.0%2F22&community=64500:*&as-path=_174_&origin-as=AS15169&neighbor=transit",
            "",
        ) else {
            panic!("not a filtered rib")
        };
        assert_eq!(f.more_specifics, Some("198.51.100.0/22".parse().unwrap()));
        assert_eq!(f.community, Some("64500:*".parse().unwrap()));
        assert_eq!(f.as_path.as_ref().map(|r| r.as_str()), Some("_174_"));
        assert_eq!(f.origin_as, Some(15169));
        assert_eq!(f.neighbor.as_deref(), Some("transit"));
        assert_eq!(
            ask("GET", "/v1/neighbors/t/routes?advertised=true", ""),
            Ok(Endpoint::NeighborRoutes(
                "t".into(),
                RouteSet::Advertised,
                all,
                Filter::default()
            ))
        );
        assert_eq!(
            ask("GET", "/v1/rib/203.0.113.0/24", ""),
            Ok(Endpoint::Candidates(p))
        );
        assert_eq!(
            ask("GET", "/v1/rib/203.0.113.0%2F24", ""),
            Ok(Endpoint::Candidates(p))
        );
        assert_eq!(
            ask("GET", "/v1/lookup/2001:db8::7", ""),
            Ok(Endpoint::Lookup("2001:db8::7".parse().unwrap()))
        );
        assert_eq!(
            ask("POST", "/v1/reload?dry-run=true", ""),
            Ok(Endpoint::Reload { dry_run: true })
        );
        assert_eq!(
            ask(
                "POST",
                "/v1/neighbors/t/disable",
                "{\"message\":\"maintenance\"}"
            ),
            Ok(Endpoint::Disable("t".into(), Some("maintenance".into())))
        );
        assert_eq!(
            ask("POST", "/v1/neighbors/t/reset", "{\"message\":\"new key\"}"),
            Ok(Endpoint::Reset("t".into(), Some("new key".into())))
        );
        assert_eq!(
            ask("POST", "/v1/neighbors/t/soft-reset?direction=in", ""),
            Ok(Endpoint::SoftReset {
                name: "t".into(),
                inbound: true,
                outbound: false
            })
        );
        assert_eq!(
            ask("POST", "/v1/neighbors/t/soft-reset?direction=up", "")
                .unwrap_err()
                .code,
            ErrorCode::BadRequest
        );
        assert_eq!(
            ask("POST", "/v1/neighbors/t/disable", ""),
            Ok(Endpoint::Disable("t".into(), None))
        );
        assert_eq!(
            ask("POST", "/v1/neighbors/t/enable", ""),
            Ok(Endpoint::Enable("t".into()))
        );
        assert_eq!(
            ask("POST", "/v1/neighbors/t/refresh", ""),
            Ok(Endpoint::Refresh("t".into()))
        );
        assert_eq!(ask("GET", "/openapi.json", ""), Ok(Endpoint::OpenApi));
        assert_eq!(ask("GET", "/metrics", ""), Ok(Endpoint::Metrics));
        assert_eq!(ask("POST", "/v1/mrt/dump", ""), Ok(Endpoint::MrtDump));
    }

    #[test]
    fn announcements_are_checked() {
        let got = ask(
            "POST",
            "/v1/announcements",
            "{\"prefix\": \"203.0.113.0/24\", \"communities\": [\"64500:1\", \"no-export\"], \"large_communities\": [\"64500:0:7\"]}",
        );
        let Ok(Endpoint::Announce(a)) = got else {
            panic!("{got:?}")
        };
        assert_eq!(a.prefix.to_string(), "203.0.113.0/24");
        assert_eq!(a.communities.len(), 2);
        assert_eq!(a.large_communities.len(), 1);
        assert_eq!(
            ask("DELETE", "/v1/announcements/203.0.113.0/24", ""),
            Ok(Endpoint::Withdraw("203.0.113.0/24".parse().unwrap()))
        );
        for body in [
            "",
            "{\"prefix\": \"203.0.113.1/24\"}",
            "{\"prefix\": \"203.0.113.0/24\", \"communities\": [\"64500\"]}",
            "{\"prefix\": \"203.0.113.0/24\", \"med\": 5}",
        ] {
            assert_eq!(
                ask("POST", "/v1/announcements", body).unwrap_err().code,
                ErrorCode::BadRequest,
                "{body}"
            );
        }
        assert_eq!(
            ask("PUT", "/v1/announcements", "").unwrap_err().code,
            ErrorCode::MethodNotAllowed
        );
        assert_eq!(
            ask("GET", "/v1/announcements/203.0.113.0/24", "")
                .unwrap_err()
                .code,
            ErrorCode::MethodNotAllowed
        );
    }

    #[test]
    fn wrong_requests_get_precise_errors() {
        let code = |m, t, b| ask(m, t, b).unwrap_err().code;
        assert_eq!(code("GET", "/v2/summary", ""), ErrorCode::NotFound);
        assert_eq!(code("POST", "/v1/summary", ""), ErrorCode::MethodNotAllowed);
        assert_eq!(code("GET", "/v1/reload", ""), ErrorCode::MethodNotAllowed);
        assert_eq!(code("GET", "/v1/rib?limit=0", ""), ErrorCode::BadRequest);
        for bad in [
            "/v1/rib?more-specifics=198.51.100.1/22",
            "/v1/rib?community=64500",
            "/v1/rib?as-path=(",
            "/v1/rib?origin-as=x",
            "/v1/neighbors/t/routes?neighbor=x",
            "/v1/neighbors/t/routes?received=true&advertised=true",
        ] {
            assert_eq!(code("GET", bad, ""), ErrorCode::BadRequest, "{bad}");
        }
        assert_eq!(
            code("GET", "/v1/rib?limit=10001", ""),
            ErrorCode::BadRequest
        );
        assert_eq!(
            code("GET", "/v1/rib?after=banana", ""),
            ErrorCode::BadRequest
        );
        assert_eq!(
            code("GET", "/v1/rib/203.0.113.1/24", ""),
            ErrorCode::BadRequest
        );
        assert_eq!(
            code("GET", "/v1/lookup/not-an-address", ""),
            ErrorCode::BadRequest
        );
        assert_eq!(
            code("POST", "/v1/reload?dry-run=maybe", ""),
            ErrorCode::BadRequest
        );
        assert_eq!(
            code("POST", "/v1/neighbors/t/disable", "{\"msg\":1}"),
            ErrorCode::BadRequest
        );
        let e = ask("GET", "/v1/rib/203.0.113.1/24", "").unwrap_err();
        assert!(e.message.contains("host bits zero"), "{e}");
    }

    #[test]
    fn the_table_lists_every_endpoint_once() {
        // Each entry of the table is recognised with its method ...
        for s in ENDPOINTS {
            let target = s
                .path
                .replace("{name}", "n")
                .replace("{prefix}", "203.0.113.0/24")
                .replace("{address}", "203.0.113.7");
            let body = if s.body == Some("AnnounceRequest") {
                "{\"prefix\": \"203.0.113.0/24\"}"
            } else {
                ""
            };
            assert!(
                ask(s.method, &target, body).is_ok(),
                "{} {}",
                s.method,
                s.path
            );
        }
        // ... and no two entries share a method and path.
        for (i, a) in ENDPOINTS.iter().enumerate() {
            for b in &ENDPOINTS[i + 1..] {
                assert!(a.method != b.method || a.path != b.path, "{}", a.path);
            }
        }
    }
}
