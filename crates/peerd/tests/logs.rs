//! The log with `[log] format = "json"`, against BIRD (AS 64520,
//! 127.0.37.2) and peerd (AS 64500, 127.0.37.1): every line is one JSON
//! object; session events carry the neighbor's name and address and an
//! `event`; NOTIFICATIONs both ways are written in words with the
//! shutdown communication; a reload that lowers the level to `warn` stops
//! the session events at once, without a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use serde_json::Value;
use std::time::Duration;

fn conf(level: &str) -> String {
    config(
        64500,
        "192.0.2.1",
        "127.0.37.1",
        "127.0.37.2",
        64520,
        &format!("\n[log]\nformat = \"json\"\nlevel = \"{level}\""),
        "multihop = 2",
    )
}

/// Every line of the log, parsed; a line that is not a JSON object fails.
fn lines(p: &Proc) -> Vec<Value> {
    p.log()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}"));
            assert!(v.is_object(), "{l}");
            for k in ["timestamp", "level", "message"] {
                assert!(v[k].is_string(), "no {k} in {l}");
            }
            v
        })
        .collect()
}

/// The session events of kind `event` about BIRD's session.
fn events(p: &Proc, event: &str) -> Vec<Value> {
    lines(p)
        .into_iter()
        .filter(|v| v["event"] == event)
        .inspect(|v| {
            assert_eq!(v["neighbor"], "other", "{v}");
            assert_eq!(v["address"], "127.0.37.2", "{v}");
        })
        .collect()
}

fn up(sock: &std::path::Path) -> bool {
    http(sock, "GET", "/v1/neighbors/other", "").1["state"] == "Established"
}

#[test]
fn json_log_lines_name_the_neighbor_and_decode_notifications() {
    if !installed("bird") {
        return;
    }
    let bird_dir = tempdir("logs-bird");
    let _bird = bird(
        &bird_dir,
        &bird_conf(&bird_dir, "127.0.37.2", 64520, "127.0.37.1", "", ""),
    )
    .unwrap();
    let us = peerd("logs", &conf("info"));
    let sock = us.dir.join("peerd.sock");
    wait(Duration::from_secs(30), || up(&sock), || us.log());
    wait(
        Duration::from_secs(5),
        || !events(&us, "established").is_empty(),
        || us.log(),
    );
    let e = &events(&us, "established")[0];
    assert_eq!(e["level"], "INFO");
    assert!(e["message"].as_str().unwrap().contains("AS64520"), "{e}");

    // BIRD shuts the session down with a message: received, in words.
    wait(
        Duration::from_secs(10),
        || birdc(&bird_dir, "show protocols peerd").contains("Established"),
        || birdc(&bird_dir, "show protocols all peerd"),
    );
    let said = birdc(&bird_dir, "disable peerd \"fibre-cut\"");
    wait(
        Duration::from_secs(10),
        || {
            events(&us, "down").iter().any(|v| {
                let m = v["message"].as_str().unwrap();
                m.contains("received NOTIFICATION 6/2 Cease / Administrative Shutdown")
                    && m.contains("fibre-cut")
            })
        },
        || format!("{said}\n{}", us.log()),
    );
    birdc(&bird_dir, "enable peerd");
    wait(Duration::from_secs(30), || up(&sock), || us.log());

    // We shut it down with a message: sent, in words.
    let (status, _) = http(
        &sock,
        "POST",
        "/v1/neighbors/other/disable",
        "{\"message\": \"planned work\"}",
    );
    assert_eq!(status, 200);
    wait(
        Duration::from_secs(10),
        || {
            events(&us, "notification-sent").iter().any(|v| {
                let m = v["message"].as_str().unwrap();
                m.contains("sent NOTIFICATION 6/2 Cease / Administrative Shutdown")
                    && m.contains("planned work")
            })
        },
        || us.log(),
    );
    assert!(
        events(&us, "down")
            .iter()
            .any(|v| v["message"] == "down: administratively stopped"),
        "{}",
        us.log()
    );
    assert_eq!(events(&us, "established").len(), 2, "{}", us.log());

    // A reload to `warn`: the reload is logged at the old level, then the
    // session's coming up again is not; nothing was restarted for it.
    std::fs::write(us.dir.join("peerd.toml"), conf("warn")).unwrap();
    let (status, r) = http(&sock, "POST", "/v1/reload", "");
    assert_eq!(status, 200, "{r}");
    assert!(r.to_string().contains("level set to warn"), "{r}");
    let (status, _) = http(&sock, "POST", "/v1/neighbors/other/enable", "");
    assert_eq!(status, 200);
    wait(Duration::from_secs(30), || up(&sock), || us.log());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(events(&us, "established").len(), 2, "{}", us.log());
    // Warnings still come: a refused connection is info, so check a
    // warning we can cause — a reload with an unknown key is refused.
    std::fs::write(
        us.dir.join("peerd.toml"),
        format!("{}\nbogus = 1\n", conf("warn")),
    )
    .unwrap();
    let (status, _) = http(&sock, "POST", "/v1/reload", "");
    assert_ne!(status, 200);
    wait(
        Duration::from_secs(5),
        || {
            lines(&us)
                .iter()
                .any(|v| v["level"] == "WARN" && v["event"] == "reload")
        },
        || us.log(),
    );
}
