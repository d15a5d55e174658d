//! The management API against a running daemon with a real neighbor: BIRD
//! (AS 64520, 127.0.32.2) sends three prefixes to peerd (AS 64500,
//! 127.0.32.1); a second neighbor is configured shut down. Every endpoint
//! is asked over the Unix socket as a client would (HTTP/1.1, one request
//! per connection), and every error answers with its stable code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

fn conf() -> String {
    r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.32.1"]
port = 1179

[[announce]]
prefix = "203.0.113.0/24"

[[neighbor]]
name = "bird"
address = "127.0.32.2"
port = 1179
local-address = "127.0.32.1"
remote-as = 64520
hold-time = 9
connect-retry = 1
import = "accept"
export = "accept"

[[neighbor]]
name = "ghost"
address = "127.0.32.3"
port = 1179
local-address = "127.0.32.1"
remote-as = 64530
shutdown = true
import = "accept"
export = "accept"
"#
    .to_string()
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// The properties a schema of the served description requires, sorted.
fn required(doc: &Value, name: &str) -> Vec<String> {
    let mut k: Vec<String> = doc["components"]["schemas"][name]["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

#[test]
fn every_endpoint_answers_against_a_live_daemon() {
    if !installed("bird") {
        return;
    }
    let bird_dir = tempdir("api-bird");
    let statics = "    route 198.51.100.0/24 unreachable { bgp_community.add((64520, 7)); };\n    route 198.51.100.128/25 unreachable;\n    route 192.0.2.128/25 unreachable;";
    let Some(_bird) = bird(
        &bird_dir,
        &bird_conf(&bird_dir, "127.0.32.2", 64520, "127.0.32.1", "", statics),
    ) else {
        return;
    };
    let us = peerd("api-us", &conf());
    let sock = us.dir.join("peerd.sock");
    wait(
        Duration::from_secs(30),
        || {
            let (_, v) = http(&sock, "GET", "/v1/neighbors/bird", "");
            v["state"] == "Established" && v["received"] == 3
        },
        || us.log(),
    );

    // Answers kept for the off-the-shelf validators (`tests/api/validate.py`).
    let samples = tempdir("api-samples");
    let mut kept = 0;
    let mut keep = |schema: &str, v: &Value| {
        kept += 1;
        std::fs::write(samples.join(format!("{schema}.{kept}.json")), v.to_string()).unwrap();
    };

    // The description: served, and the shapes it promises are the ones sent.
    let (status, doc) = http(&sock, "GET", "/openapi.json", "");
    std::fs::write(samples.join("openapi.json"), doc.to_string()).unwrap();
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/rib/{prefix}"]["get"].is_object());

    let (status, s) = http(&sock, "GET", "/v1/summary", "");
    assert_eq!(status, 200);
    keep("Summary", &s);
    assert_eq!(keys(&s), required(&doc, "Summary"));
    assert_eq!(
        (s["asn"].as_u64(), s["neighbors"].as_u64()),
        (Some(64500), Some(2))
    );
    assert_eq!(s["established"], 1);
    // BIRD's three and our own announcement.
    assert_eq!(s["prefixes_ipv4"], 4);
    // Their tables, records and attribute sets: some kilobytes, not none
    // and not gigabytes.
    let mem = s["memory_bytes"].as_u64().unwrap_or(0);
    assert!((1_000..100_000_000).contains(&mem), "{mem}");

    let (status, list) = http(&sock, "GET", "/v1/neighbors", "");
    assert_eq!(status, 200);
    keep("NeighborList", &list);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for n in list {
        assert_eq!(keys(n), required(&doc, "Neighbor"));
    }
    assert_eq!(list[1]["name"], "ghost");
    assert_eq!(list[1]["state"], "Idle");
    let (_, b) = http(&sock, "GET", "/v1/neighbors/127.0.32.2", "");
    keep("Neighbor", &b);
    assert_eq!(
        (b["name"].as_str(), b["remote_as"].as_u64()),
        (Some("bird"), Some(64520))
    );

    // The routing table, page by page, equals the whole.
    let mut walked = Vec::new();
    let mut target = "/v1/rib?limit=1".to_string();
    loop {
        let (status, page) = http(&sock, "GET", &target, "");
        assert_eq!(status, 200, "{page}");
        assert_eq!(keys(&page), required(&doc, "RoutePage"));
        keep("RoutePage", &page);
        for r in page["routes"].as_array().unwrap() {
            assert_eq!(keys(r), required(&doc, "Route"));
            walked.push(r["prefix"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(n) => target = format!("/v1/rib?limit=1&after={n}"),
            None => break,
        }
    }
    assert_eq!(
        walked,
        [
            "192.0.2.128/25",
            "198.51.100.0/24",
            "198.51.100.128/25",
            "203.0.113.0/24"
        ]
    );
    let (_, page) = http(&sock, "GET", "/v1/neighbors/bird/routes?limit=2", "");
    assert_eq!(page["routes"].as_array().unwrap().len(), 2);
    assert_eq!(page["next"], "198.51.100.0/24");

    // Filtered listings, walked page by page as a client does.
    let listed = |target: &str| -> Vec<String> {
        let mut got = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let t = match &after {
                Some(a) => format!("{target}&limit=1&after={a}"),
                None => format!("{target}&limit=1"),
            };
            let (status, page) = http(&sock, "GET", &t, "");
            assert_eq!(status, 200, "{t}: {page}");
            for r in page["routes"].as_array().unwrap() {
                got.push(r["prefix"].as_str().unwrap().to_string());
            }
            match page["next"].as_str() {
                Some(n) => after = Some(n.to_string()),
                None => return got,
            }
        }
    };
    assert_eq!(
        listed("/v1/rib?more-specifics=198.51.100.0/23"),
        ["198.51.100.0/24", "198.51.100.128/25"]
    );
    assert_eq!(listed("/v1/rib?community=64520:7"), ["198.51.100.0/24"]);
    assert_eq!(listed("/v1/rib?community=64520:*").len(), 1);
    assert_eq!(listed("/v1/rib?as-path=%5E64520%24").len(), 3);
    assert_eq!(listed("/v1/rib?origin-as=64500"), ["203.0.113.0/24"]);
    assert_eq!(listed("/v1/rib?neighbor=bird").len(), 3);
    assert_eq!(
        listed("/v1/neighbors/bird/routes?more-specifics=192.0.2.0/24"),
        ["192.0.2.128/25"]
    );
    // What BIRD is sent: ours, with our AS and address; not its own.
    assert_eq!(
        listed("/v1/neighbors/bird/routes?advertised=true"),
        ["203.0.113.0/24"]
    );
    let (_, sent) = http(
        &sock,
        "GET",
        "/v1/neighbors/bird/routes?advertised=true",
        "",
    );
    assert_eq!(sent["routes"][0]["as_path"], "64500");
    assert_eq!(sent["routes"][0]["next_hop"], "127.0.32.1");
    keep("RoutePage", &sent);

    // A prefix announced at run time: BIRD gets it with its community,
    // it shows as runtime; the file's prefixes are the file's.
    let (status, d) = http(
        &sock,
        "POST",
        "/v1/announcements",
        "{\"prefix\": \"203.0.113.128/25\", \"communities\": [\"64500:99\"]}",
    );
    assert_eq!(status, 200, "{d}");
    keep("Done", &d);
    wait(
        Duration::from_secs(10),
        || birdc(&bird_dir, "show route 203.0.113.128/25 all").contains("(64500,99)"),
        || birdc(&bird_dir, "show route all"),
    );
    let (status, list) = http(&sock, "GET", "/v1/announcements", "");
    assert_eq!(status, 200);
    keep("AnnouncementList", &list);
    let sources: Vec<(String, String, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["prefix"].as_str().unwrap().to_string(),
                a["source"].as_str().unwrap().to_string(),
                a["announced"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("203.0.113.0/24".to_string(), "config".to_string(), true),
            ("203.0.113.128/25".to_string(), "runtime".to_string(), true)
        ]
    );
    let (_, c) = http(&sock, "GET", "/v1/rib/203.0.113.128/25", "");
    assert_eq!(c["routes"][0]["protocol"], "runtime", "{c}");
    let (status, e) = http(
        &sock,
        "POST",
        "/v1/announcements",
        "{\"prefix\": \"203.0.113.0/24\"}",
    );
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    keep("Error", &e);
    let (status, e) = http(&sock, "DELETE", "/v1/announcements/203.0.113.0/24", "");
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    let (status, d) = http(&sock, "DELETE", "/v1/announcements/203.0.113.128/25", "");
    assert_eq!(status, 200, "{d}");
    wait(
        Duration::from_secs(10),
        || !birdc(&bird_dir, "show route 203.0.113.128/25").contains("203.0.113.128/25"),
        || birdc(&bird_dir, "show route all"),
    );
    let (status, e) = http(&sock, "DELETE", "/v1/announcements/203.0.113.128/25", "");
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    // The configuration in force, normalised, as text.
    let (status, text) = send(&sock, b"GET /v1/config HTTP/1.1\r\n\r\n");
    assert_eq!(status, 200);
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("name = \"ghost\"") && text.contains("shutdown = true"),
        "{text}"
    );
    let again = peerd_config::parse(&text, "served.toml").unwrap();
    assert_eq!(again.neighbors.len(), 2);

    // One prefix's candidates; the route traffic to an address takes.
    let (status, c) = http(&sock, "GET", "/v1/rib/198.51.100.0/24", "");
    assert_eq!(status, 200);
    keep("Candidates", &c);
    assert_eq!(c["routes"][0]["from"], "bird");
    assert_eq!(c["routes"][0]["as_path"], "64520");
    assert_eq!(c["routes"][0]["best"], true);
    let (_, l) = http(&sock, "GET", "/v1/lookup/198.51.100.200", "");
    assert_eq!(l["prefix"], "198.51.100.128/25");

    // Errors: stable codes and statuses.
    let mut err = |m: &str, t: &str, b: &str| {
        let (status, v) = http(&sock, m, t, b);
        keep("Error", &v);
        (
            status,
            v["error"]["code"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(
        err("GET", "/v1/neighbors/nobody", ""),
        (404, "not_found".into())
    );
    assert_eq!(
        err("GET", "/v1/rib/10.0.0.0/8", ""),
        (404, "not_found".into())
    );
    assert_eq!(
        err("GET", "/v1/lookup/2001:db8::1", ""),
        (404, "not_found".into())
    );
    assert_eq!(err("GET", "/v1/nothing", ""), (404, "not_found".into()));
    assert_eq!(
        err("GET", "/v1/reload", ""),
        (405, "method_not_allowed".into())
    );
    assert_eq!(
        err("GET", "/v1/rib?limit=0", ""),
        (400, "bad_request".into())
    );
    assert_eq!(
        err("GET", "/v1/rib/198.51.100.1/24", ""),
        (400, "bad_request".into())
    );
    assert_eq!(
        err("GET", "/v1/neighbors/bird/routes?received=true", ""),
        (409, "not_kept".into())
    );
    assert_eq!(
        err("GET", "/v1/rib?community=64520", ""),
        (400, "bad_request".into())
    );
    assert_eq!(
        err("GET", "/v1/rib?as-path=(", ""),
        (400, "bad_request".into())
    );
    assert_eq!(
        err("GET", "/v1/rib?neighbor=nobody", ""),
        (404, "not_found".into())
    );
    assert_eq!(
        err("POST", "/v1/neighbors/bird/disable", "{\"msg\": 1}"),
        (400, "bad_request".into())
    );
    let (status, _) = send(
        &sock,
        b"GET /v1/summary HTTP/1.1\r\nContent-Length: many\r\n\r\n",
    );
    assert_eq!(status, 400);
    // A line of text (the first versions' one-line commands) is refused
    // at once, not left waiting for the time limit.
    let t = std::time::Instant::now();
    let (status, body) = send(&sock, b"neighbors json\n");
    assert_eq!(status, 400);
    assert!(
        String::from_utf8_lossy(&body).contains("this socket speaks HTTP"),
        "{body:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(5));
    let mut huge = b"GET /".to_vec();
    huge.extend(vec![b'a'; 20_000]);
    let (status, _) = send(&sock, &huge);
    assert_eq!(status, 413);

    // A reload, dry: the plan, nothing changed.
    let (status, r) = http(&sock, "POST", "/v1/reload?dry-run=true", "");
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["dry_run"], true);
    keep("ReloadResult", &r);
    assert!(
        r["plan"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("bird")),
        "{r}"
    );

    // Shut BIRD's session down with a message, then start it again.
    let (status, d) = http(
        &sock,
        "POST",
        "/v1/neighbors/bird/disable",
        "{\"message\": \"maintenance window\"}",
    );
    assert_eq!(status, 200, "{d}");
    keep("Done", &d);
    wait(
        Duration::from_secs(10),
        || birdc(&bird_dir, "show protocols all peerd").contains("maintenance window"),
        || birdc(&bird_dir, "show protocols all peerd"),
    );
    let (status, _) = http(&sock, "POST", "/v1/neighbors/bird/enable", "");
    assert_eq!(status, 200);
    // Up again, and BIRD's routes back in the routing table.
    wait(
        Duration::from_secs(30),
        || {
            let (_, n) = http(&sock, "GET", "/v1/neighbors/bird", "");
            let (_, s) = http(&sock, "GET", "/v1/summary", "");
            n["state"] == "Established" && n["received"] == 3 && s["prefixes_ipv4"] == 4
        },
        || us.log(),
    );

    // Metrics, after known traffic: BIRD's three prefixes, two sessions
    // (one shut down by us with a NOTIFICATION), the ghost never up.
    let (status, text) = send(&sock, b"GET /metrics HTTP/1.1\r\n\r\n");
    assert_eq!(status, 200);
    let text = String::from_utf8(text).unwrap();
    std::fs::write(samples.join("metrics.txt"), &text).unwrap();
    for line in [
        "peerd_neighbor_up{neighbor=\"bird\",address=\"127.0.32.2\",remote_as=\"64520\"} 1",
        "peerd_neighbor_up{neighbor=\"ghost\",address=\"127.0.32.3\",remote_as=\"64530\"} 0",
        "peerd_neighbor_prefixes_received{neighbor=\"bird\",family=\"ipv4-unicast\"} 3",
        "peerd_neighbor_prefixes_received{neighbor=\"bird\",family=\"ipv6-unicast\"} 0",
        "peerd_neighbor_prefixes_filtered_total{neighbor=\"bird\",reason=\"leak\"} 0",
        "peerd_neighbor_prefixes_filtered_total{neighbor=\"bird\",reason=\"bogon\"} 0",
        "peerd_neighbor_prefixes_filtered_total{neighbor=\"bird\",reason=\"rpki-invalid\"} 0",
        "peerd_neighbor_max_prefix_total{neighbor=\"bird\"} 0",
        "peerd_rib_prefixes{family=\"ipv4-unicast\"} 4",
        "peerd_neighbor_flaps_total{neighbor=\"bird\"} 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    // At least one OPEN per session (a connection collision adds some),
    // and our shutdown's NOTIFICATION.
    let at_least = |sample: &str, n: f64| {
        let v = text
            .lines()
            .find_map(|l| l.strip_prefix(sample))
            .and_then(|v| v.trim().parse::<f64>().ok());
        assert!(v.is_some_and(|v| v >= n), "{sample} >= {n} in\n{text}");
    };
    at_least(
        "peerd_neighbor_messages_received_total{neighbor=\"bird\",type=\"open\"}",
        2.0,
    );
    at_least(
        "peerd_neighbor_messages_sent_total{neighbor=\"bird\",type=\"notification\"}",
        1.0,
    );
    at_least(
        "peerd_neighbor_messages_sent_total{neighbor=\"bird\",type=\"keepalive\"}",
        2.0,
    );
    let (status, _) = http(&sock, "POST", "/v1/neighbors/bird/refresh", "");
    assert_eq!(status, 200);

    // The neighbor in full: timers, capabilities, messages, flaps, the
    // last NOTIFICATION we sent.
    let (_, n) = http(&sock, "GET", "/v1/neighbors/bird", "");
    keep("Neighbor", &n);
    assert_eq!(n["hold_time"], 9, "{n}");
    assert_eq!(n["keepalive"], 3, "{n}");
    let caps = n["capabilities"].to_string();
    assert!(
        caps.contains("4-octet-as") && caps.contains("route-refresh"),
        "{n}"
    );
    assert_eq!(n["flaps"], 1);
    assert!(
        n["messages_received"]["update"].as_u64().unwrap() >= 1,
        "{n}"
    );
    assert!(
        n["last_notification_sent"]
            .as_str()
            .unwrap()
            .contains("Administrative Shutdown: \"maintenance window\""),
        "{n}"
    );
    let counter = |way: &str, ty: &str| {
        http(&sock, "GET", "/v1/neighbors/bird", "").1[way][ty]
            .as_u64()
            .unwrap()
    };

    // Soft reset out: our route sent again, no reset.
    let before = counter("messages_sent", "update");
    let (status, d) = http(
        &sock,
        "POST",
        "/v1/neighbors/bird/soft-reset?direction=out",
        "",
    );
    assert_eq!(status, 200, "{d}");
    wait(
        Duration::from_secs(5),
        || counter("messages_sent", "update") > before,
        || us.log(),
    );
    // Soft reset in: BIRD cannot be asked from kept routes (none here), so
    // by route refresh; its routes come again.
    let (asked, got) = (
        counter("messages_sent", "route_refresh"),
        counter("messages_received", "update"),
    );
    let (status, d) = http(
        &sock,
        "POST",
        "/v1/neighbors/bird/soft-reset?direction=in",
        "",
    );
    assert_eq!(status, 200, "{d}");
    assert!(
        d["message"].as_str().unwrap().contains("route refresh"),
        "{d}"
    );
    wait(
        Duration::from_secs(5),
        || {
            counter("messages_sent", "route_refresh") > asked
                && counter("messages_received", "update") > got
        },
        || us.log(),
    );
    assert_eq!(
        http(&sock, "GET", "/v1/neighbors/bird", "").1["flaps"],
        1,
        "soft resets do not reset"
    );
    // A reset: BIRD is told (Administrative Reset, our message), the
    // session comes back by itself.
    let (status, d) = http(
        &sock,
        "POST",
        "/v1/neighbors/bird/reset",
        "{\"message\": \"new filters\"}",
    );
    assert_eq!(status, 200, "{d}");
    wait(
        Duration::from_secs(10),
        || birdc(&bird_dir, "show protocols all peerd").contains("new filters"),
        || birdc(&bird_dir, "show protocols all peerd"),
    );
    wait(
        Duration::from_secs(30),
        || {
            let (_, n) = http(&sock, "GET", "/v1/neighbors/bird", "");
            n["state"] == "Established" && n["received"] == 3 && n["flaps"] == 2
        },
        || us.log(),
    );
    // Not established: the ghost cannot be reset, softly or not.
    for what in ["soft-reset", "reset"] {
        let (status, e) = http(&sock, "POST", &format!("/v1/neighbors/ghost/{what}"), "");
        keep("Error", &e);
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (409, Some("not_established"))
        );
    }

    // The older line protocol still answers on the same socket.
    assert!(us.ctl("neighbors").contains("bird"));

    // The description and every answer kept, through off-the-shelf
    // validators (.ci/run installs them and sets PEERD_API_VALIDATOR).
    let Ok(python) = std::env::var("PEERD_API_VALIDATOR") else {
        eprintln!("SKIP: PEERD_API_VALIDATOR is not set (.ci/run sets it): the description is not validated");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/api/validate.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&samples)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("valid OpenAPI 3.1 description"), "{text}");

    // /metrics through the Prometheus client library's parser.
    let out = std::process::Command::new(std::env::var("PEERD_API_VALIDATOR").unwrap())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/api/validate.py"))
        .arg("--metrics")
        .arg(samples.join("metrics.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let value = |name: &str, labels: &[(&str, &str)]| {
        parsed
            .iter()
            .find(|s| s["name"] == name && labels.iter().all(|(k, v)| s["labels"][k] == *v))
            .and_then(|s| s["value"].as_f64())
    };
    assert_eq!(
        value(
            "peerd_neighbor_prefixes_received",
            &[("neighbor", "bird"), ("family", "ipv4-unicast")]
        ),
        Some(3.0)
    );
    assert_eq!(
        value("peerd_rib_prefixes", &[("family", "ipv6-unicast")]),
        Some(0.0)
    );
    assert_eq!(
        value("peerd_neighbor_up", &[("neighbor", "ghost")]),
        Some(0.0)
    );
    let updates = value(
        "peerd_neighbor_messages_received_total",
        &[("neighbor", "bird"), ("type", "update")],
    );
    assert!(updates.is_some_and(|n| n >= 2.0), "{updates:?}");
    assert!(value("peerd_engine_objects", &[("kind", "attribute_sets")]).is_some_and(|n| n >= 1.0));
    // Memory by structure, in bytes: BIRD's three prefixes in the tables
    // (Adj-RIB-In and best-route index, 16 octets each at least), at
    // least one route record (56 octets) and attribute set.
    let mem = |s: &str| value("peerd_engine_memory_bytes", &[("structure", s)]);
    let tables = mem("prefix_tables");
    assert!(tables.is_some_and(|n| n >= 2.0 * 3.0 * 16.0), "{tables:?}");
    let records = mem("route_records");
    assert!(records.is_some_and(|n| n >= 56.0), "{records:?}");
    let sets = mem("attribute_sets");
    assert!(sets.is_some_and(|n| n >= 40.0), "{sets:?}");
    for s in ["as_paths", "export_sets", "next_hops"] {
        assert!(mem(s).is_some_and(|n| n > 0.0), "{s}");
    }
}

/// One request over TCP, with a token or not: the status and the body.
fn over_tcp(addr: &str, target: &str, token: Option<&str>) -> (u16, Value) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(s, "GET {target} HTTP/1.1\r\nHost: peerd\r\n{auth}\r\n").unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let (status, body) = peerd_api::http::parse_response(&out).unwrap();
    (status, serde_json::from_slice(body).unwrap_or(Value::Null))
}

/// `[api]`: the control socket is root's alone (0600), or its group's too
/// (0660); a TCP listener answers only with the token (a wrong or missing
/// one gets 401 and is logged), and without a token file peerd does not
/// start.
#[test]
fn access_is_restricted_to_root_a_group_and_token_holders() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let base = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"127.0.33.1\"]\nport = 1179\n";
    let us = peerd("api-perm", base);
    let meta = std::fs::metadata(us.dir.join("peerd.sock")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    drop(us);

    let secret = tempdir("api-token");
    let token = "3f9c0d5e7a1b4c2d8e6f0a9b";
    std::fs::write(secret.join("token"), format!("{token}\n")).unwrap();
    let conf = format!(
        "{base}\n[api]\ngroup = \"daemon\"\nlisten = \"127.0.33.1:18179\"\ntoken-file = \"{}\"\n",
        secret.join("token").display()
    );
    let us = peerd("api-tcp", &conf);
    let meta = std::fs::metadata(us.dir.join("peerd.sock")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    assert_eq!(meta.gid(), 1, "the group daemon");
    wait(
        Duration::from_secs(10),
        || us.log().contains("api: listening on 127.0.33.1:18179"),
        || us.log(),
    );
    let (status, s) = over_tcp("127.0.33.1:18179", "/v1/summary", Some(token));
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["asn"], 64500);
    let (status, e) = over_tcp("127.0.33.1:18179", "/v1/summary", None);
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = over_tcp(
        "127.0.33.1:18179",
        "/v1/neighbors",
        Some("3f9c0d5e7a1b4c2d8e6f0a9c"),
    );
    assert_eq!(status, 401);
    wait(
        Duration::from_secs(5),
        || {
            let l = us.log();
            l.contains("refused GET /v1/summary from 127.0.0.1")
                && l.contains("no token")
                && l.contains("refused GET /v1/neighbors from 127.0.0.1")
                && l.contains("a wrong token")
        },
        || us.log(),
    );
    drop(us);

    // No token file: peerd refuses to start, and says why.
    let dir = tempdir("api-notoken");
    let conf = format!(
        "{base}\n[api]\nlisten = \"127.0.33.1:18180\"\ntoken-file = \"{}\"\n",
        dir.join("missing").display()
    );
    std::fs::write(dir.join("peerd.toml"), conf).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("--config")
        .arg(dir.join("peerd.toml"))
        .arg("--socket")
        .arg(dir.join("peerd.sock"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the TCP API is refused without a token"),
        "{err}"
    );
}

/// peerctl over the API: tables, JSON, the explanation of where traffic
/// goes, actions, and its exit statuses.
#[test]
fn peerctl_speaks_the_api() {
    if !installed("bird") {
        return;
    }
    let bird_dir = tempdir("ctl-bird");
    let statics = "    route 198.51.100.0/24 unreachable;\n    route 198.51.100.128/25 unreachable { bgp_community.add((64520, 9)); };";
    let Some(_bird) = bird(
        &bird_dir,
        &bird_conf(&bird_dir, "127.0.34.2", 64520, "127.0.34.1", "", statics),
    ) else {
        return;
    };
    let conf = conf().replace("127.0.32.", "127.0.34.").replace(
        "name = \"ghost\"",
        "name = \"ghost\"\ndescription = \"not yet\"",
    );
    let us = peerd("ctl-us", &conf);
    let sock = us.dir.join("peerd.sock");
    let Some(_) = peerctl(&sock, &["summary"]) else {
        return;
    };
    wait(
        Duration::from_secs(30),
        || {
            peerctl(&sock, &["neighbor", "bird", "--json"]).is_some_and(|(o, _, _)| {
                o.contains("\"state\":\"Established\"") && o.contains("\"received\":2")
            })
        },
        || us.log(),
    );
    let (out, _, code) = peerctl(&sock, &["neighbors"]).unwrap();
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("name") && lines[0].contains("filtered"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("bird ") && lines[1].contains("Established"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("ghost") && lines[2].contains("Idle"),
        "{out}"
    );

    let (out, _, _) = peerctl(&sock, &["routes"]).unwrap();
    assert_eq!(out.lines().count(), 1 + 3, "{out}");
    assert!(
        out.contains("* 198.51.100.128/25") && out.contains("bird"),
        "{out}"
    );
    // JSON lines, the same routes, walked a page of one at a time.
    let (out, _, _) = peerctl(&sock, &["routes", "--json", "--page", "1"]).unwrap();
    let prefixes: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["prefix"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        prefixes,
        ["198.51.100.0/24", "198.51.100.128/25", "203.0.113.0/24"]
    );
    let (out, _, _) = peerctl(&sock, &["routes", "--neighbor", "bird"]).unwrap();
    assert_eq!(out.lines().count(), 1 + 2, "{out}");
    // The older spelling: `routes NAME`.
    let (old, _, _) = peerctl(&sock, &["routes", "bird"]).unwrap();
    assert_eq!(old, out);
    // A prefix announced at run time, listed, withdrawn.
    let (out, err, code) = peerctl(
        &sock,
        &[
            "announce",
            "203.0.113.128/25",
            "--community",
            "64500:5,64500:6",
        ],
    )
    .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("announced"), "{out}");
    let (out, _, _) = peerctl(&sock, &["announcements"]).unwrap();
    assert!(
        out.lines().any(|l| l.starts_with("203.0.113.128/25")
            && l.contains("runtime")
            && l.contains("64500:5 64500:6")),
        "{out}"
    );
    let (out, _, code) = peerctl(&sock, &["route", "get", "203.0.113.200"]).unwrap();
    assert_eq!(code, 0);
    assert!(out.contains("announced through the API"), "{out}");
    let (_, _, code) = peerctl(&sock, &["withdraw", "203.0.113.128/25"]).unwrap();
    assert_eq!(code, 0);
    let (_, err, code) = peerctl(&sock, &["withdraw", "203.0.113.0/24"]).unwrap();
    assert_eq!(code, 1, "the file's prefix: {err}");

    // Filters: a community, an AS path, more-specifics; what BIRD is sent.
    let rows = |args: &[&str]| -> Vec<String> {
        let (out, err, code) = peerctl(&sock, args).unwrap();
        assert_eq!(code, 0, "{args:?}: {err}");
        out.lines()
            .skip(1)
            .map(|l| {
                l.split_whitespace()
                    .find(|w| w.contains('/'))
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        rows(&["routes", "--community", "64520:9"]),
        ["198.51.100.128/25"]
    );
    assert_eq!(
        rows(&["routes", "--as-path", "^64520$", "--page", "1"]).len(),
        2
    );
    assert_eq!(
        rows(&["routes", "198.51.100.0/24", "--more-specifics"]).len(),
        2
    );
    assert_eq!(
        rows(&["routes", "198.51.100.128/25", "--neighbor", "bird"]),
        ["198.51.100.128/25"]
    );
    assert_eq!(
        rows(&["routes", "--neighbor", "bird", "--advertised"]),
        ["203.0.113.0/24"]
    );
    assert_eq!(
        rows(&["routes", "--origin-as", "64500"]),
        ["203.0.113.0/24"]
    );
    let (_, _, code) = peerctl(&sock, &["routes", "--advertised"]).unwrap();
    assert_eq!(code, 2, "--advertised needs a neighbor");

    let (out, _, code) = peerctl(&sock, &["route", "get", "198.51.100.200"]).unwrap();
    assert_eq!(code, 0);
    assert!(
        out.contains("198.51.100.200 is in 198.51.100.128/25"),
        "{out}"
    );
    assert!(out.contains("from neighbor bird, AS path 64520"), "{out}");
    let (out, _, _) = peerctl(&sock, &["route", "get", "203.0.113.9"]).unwrap();
    assert!(out.contains("our own prefix"), "{out}");

    let (out, _, code) = peerctl(&sock, &["reload", "--dry-run"]).unwrap();
    assert_eq!(code, 0);
    assert!(out.starts_with("dry run, nothing changed:"), "{out}");

    // Errors: peerd's message and status 1; usage 2; no daemon 3.
    let (_, err, code) = peerctl(&sock, &["neighbor", "nobody"]).unwrap();
    assert_eq!(code, 1);
    assert!(err.contains("no neighbor \"nobody\""), "{err}");
    let (_, err, code) = peerctl(&sock, &["routes", "198.51.100.1/24"]).unwrap();
    assert_eq!(code, 1, "{err}");
    let (_, _, code) = peerctl(&sock, &["neighbors", "--bogus"]).unwrap();
    assert_eq!(code, 2);
    let (_, err, code) = peerctl(&us.dir.join("nothing.sock"), &["neighbors"]).unwrap();
    assert_eq!(code, 3);
    assert!(err.contains("cannot reach peerd"), "{err}");

    // An action: BIRD gets the message.
    let (_, _, code) = peerctl(
        &sock,
        &["neighbor", "bird", "disable", "--message", "fiber cut"],
    )
    .unwrap();
    assert_eq!(code, 0);
    wait(
        Duration::from_secs(10),
        || birdc(&bird_dir, "show protocols all peerd").contains("fiber cut"),
        || birdc(&bird_dir, "show protocols all peerd"),
    );
    let (out, _, _) = peerctl(&sock, &["neighbor", "bird"]).unwrap();
    assert!(out.contains("state        Idle"), "{out}");
    let (_, _, code) = peerctl(&sock, &["neighbor", "bird", "enable"]).unwrap();
    assert_eq!(code, 0);
}

/// Under a service manager (systemd `Type=notify`, `dist/peerd.service`):
/// READY=1 once peerd serves, RELOADING=1 and READY=1 around a SIGHUP
/// reload, STOPPING=1 on SIGTERM.
#[test]
fn the_service_manager_is_told_ready_reloading_and_stopping() {
    let dir = tempdir("notify");
    let notify = std::os::unix::net::UnixDatagram::bind(dir.join("notify.sock")).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let conf = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\nlisten = [\"127.0.35.1\"]\nport = 1179\n";
    std::fs::write(dir.join("peerd.toml"), conf).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("--config")
        .arg(dir.join("peerd.toml"))
        .arg("--socket")
        .arg(dir.join("peerd.sock"))
        .env("NOTIFY_SOCKET", dir.join("notify.sock"))
        .stderr(std::fs::File::create(dir.join("peerd.log")).unwrap())
        .spawn()
        .unwrap();
    let us = Proc { child, dir };
    let next = || {
        let mut buf = [0u8; 256];
        let n = notify.recv(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let ready = next();
    assert!(
        ready.lines().any(|l| l == "READY=1"),
        "{ready:?}\n{}",
        us.log()
    );
    // Ready means serving: the socket answers.
    let (status, _) = http(&us.dir.join("peerd.sock"), "GET", "/v1/summary", "");
    assert_eq!(status, 200);
    let pid = us.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    assert_eq!(next(), "RELOADING=1");
    assert_eq!(next(), "READY=1");
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert_eq!(next(), "STOPPING=1");
}
