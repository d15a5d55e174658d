//! The OpenAPI 3.1 description, generated: the paths from the endpoint
//! table ([`ENDPOINTS`]), the schemas from the types' own definitions
//! ([`crate::schema`]).

use crate::endpoint::ENDPOINTS;
use crate::schema::Schema;
use crate::types::{
    AnnounceRequest, Announcement, ApiError, Candidates, DisableRequest, Done, ErrorCode,
    FibLookup, FibNextHop, FibState, MessageCounts, Neighbor, ReloadResult, Route, RoutePage,
    Summary,
};
use serde_json::{json, Map, Value};

/// Every schema the description refers to, by name.
pub fn components() -> Map<String, Value> {
    let mut m = Map::new();
    let mut add = |name: Option<&str>, s: Value| {
        if let Some(n) = name {
            m.insert(n.to_string(), s);
        }
    };
    add(Summary::name(), Summary::schema());
    add(Neighbor::name(), Neighbor::schema());
    add(MessageCounts::name(), MessageCounts::schema());
    add(Some("NeighborList"), Vec::<Neighbor>::schema());
    add(Route::name(), Route::schema());
    add(RoutePage::name(), RoutePage::schema());
    add(Candidates::name(), Candidates::schema());
    add(ReloadResult::name(), ReloadResult::schema());
    add(Done::name(), Done::schema());
    add(DisableRequest::name(), DisableRequest::schema());
    add(AnnounceRequest::name(), AnnounceRequest::schema());
    add(FibState::name(), FibState::schema());
    add(FibNextHop::name(), FibNextHop::schema());
    add(FibLookup::name(), FibLookup::schema());
    add(Announcement::name(), Announcement::schema());
    add(Some("AnnouncementList"), Vec::<Announcement>::schema());
    add(ErrorCode::name(), ErrorCode::schema());
    add(ApiError::name(), ApiError::schema());
    m
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The whole description.
pub fn document() -> Value {
    let mut paths = Map::new();
    let error = json!({
        "description": "An error: a stable code and a message.",
        "content": { "application/json": { "schema": reference("Error") } }
    });
    for s in ENDPOINTS {
        let params: Vec<Value> = s
            .params
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "in": p.place,
                    "required": p.place == "path",
                    "description": p.doc,
                    "schema": { "type": "string" },
                })
            })
            .collect();
        let ok = match s.answer {
            Some("text/plain") => json!({
                "description": s.doc,
                "content": { "text/plain": { "schema": { "type": "string" } } }
            }),
            Some(a) => json!({
                "description": s.doc,
                "content": { "application/json": { "schema": reference(a) } }
            }),
            None => json!({
                "description": s.doc,
                "content": { "application/json": { "schema": { "type": "object" } } }
            }),
        };
        let mut op = json!({
            "summary": s.doc,
            "operationId": format!("{} {}", s.method, s.path),
            "parameters": params,
            "responses": { "200": ok, "default": error.clone() },
        });
        if let Some(b) = s.body {
            op["requestBody"] = json!({
                // A shutdown's message is optional; an announcement is not.
                "required": b == "AnnounceRequest",
                "content": { "application/json": { "schema": reference(b) } }
            });
        }
        let item = paths
            .entry(s.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        item[s.method.to_ascii_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "peerd management API",
            "version": "1",
            "description": "Read the state of peerd — neighbors, routes, the routing table — and act on it: reload, shut a neighbor down, ask for its routes again. JSON over HTTP/1.1 on peerd's Unix socket, or on TCP with a bearer token.",
        },
        "paths": paths,
        "components": {
            "schemas": components(),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every `$ref` in `v`.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_resolves_and_every_path_is_described() {
        let d = document();
        let mut all = Vec::new();
        refs(&d, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            assert!(d["components"]["schemas"].get(name).is_some(), "{r}");
        }
        for s in ENDPOINTS {
            let op = &d["paths"][s.path][s.method.to_ascii_lowercase()];
            assert!(op.is_object(), "{} {}", s.method, s.path);
        }
    }

    #[test]
    fn schemas_follow_the_types() {
        // A field added to a type shows in its schema, required, with
        // its doc comment.
        let s = Neighbor::schema();
        let fields: Vec<&str> = s["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let sample = Neighbor {
            name: "t".into(),
            address: "192.0.2.1".into(),
            remote_as: 64501,
            state: "Established".into(),
            state_seconds: 3,
            received: 1,
            sent: 2,
            filtered: 0,
            last_error: None,
            hostname: None,
            families: vec!["ipv4-unicast".into()],
            hold_time: Some(90),
            keepalive: Some(30),
            capabilities: vec!["route-refresh".into()],
            messages_received: MessageCounts {
                open: 1,
                update: 2,
                notification: 0,
                keepalive: 3,
                route_refresh: 0,
            },
            messages_sent: MessageCounts {
                open: 1,
                update: 1,
                notification: 0,
                keepalive: 3,
                route_refresh: 0,
            },
            flaps: 0,
            last_notification_sent: None,
            last_notification_received: None,
        };
        let v = serde_json::to_value(&sample).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut a = fields.clone();
        let mut b = keys.clone();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        assert_eq!(s["properties"]["remote_as"]["description"], "Its AS.");
        assert_eq!(s["properties"]["last_error"]["anyOf"][1]["type"], "null");
    }
}
