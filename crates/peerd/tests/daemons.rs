//! Real `peerd` processes on loopback addresses against each other. Each
//! test uses its own 127.0.N.x addresses and temp dir, and every process it
//! starts is killed by PID when the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn two_daemons_come_up_and_exchange_ipv4_and_ipv6_routes() {
    let ann_a =
        "[[announce]]\nprefix = \"203.0.113.0/24\"\n[[announce]]\nprefix = \"2001:db8:100::/40\"";
    let ann_b = "[[announce]]\nprefix = \"198.51.100.0/24\"";
    let fam = "families = [\"ipv4-unicast\", \"ipv6-unicast\"]\nipv6-next-hop = \"2001:db8::11\"";
    let a = peerd(
        "two-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.1.1",
            "127.0.1.2",
            64501,
            ann_a,
            fam,
        ),
    );
    let b = peerd(
        "two-b",
        &config(
            64501,
            "192.0.2.2",
            "127.0.1.2",
            "127.0.1.1",
            64500,
            ann_b,
            &format!("{fam}\nmax-prefixes = {{ ipv6 = 2, warning = 50 }}"),
        ),
    );
    wait(
        Duration::from_secs(15),
        || established(&a, "other") && established(&b, "other"),
        || format!("{}\n{}", a.log(), b.log()),
    );
    wait(
        Duration::from_secs(5),
        || b.ctl("routes other").contains("2001:db8:100::/40"),
        || b.ctl("routes other"),
    );
    let from_a = b.ctl("routes other json");
    assert!(
        from_a.contains("\"prefix\":\"203.0.113.0/24\"")
            && from_a.contains("\"as_path\":\"64500\""),
        "{from_a}"
    );
    assert!(
        from_a.contains("\"next_hop\":\"2001:db8::11\""),
        "configured IPv6 next hop: {from_a}"
    );
    // One IPv6 prefix of a limit of two is the 50% warning; the session stays.
    wait(
        Duration::from_secs(5),
        || {
            b.log()
                .contains("max-prefix warning: 1 ipv6-unicast prefixes, limit 2")
        },
        || b.log(),
    );
    assert!(established(&b, "other"));
    let from_b = a.ctl("routes other json");
    assert!(
        from_b.contains("\"prefix\":\"198.51.100.0/24\"")
            && from_b.contains("\"next_hop\":\"127.0.1.2\""),
        "{from_b}"
    );
    // Route refresh both ways: each asks, the other logs the request and answers.
    assert_eq!(a.ctl("refresh other"), "ok\n");
    assert_eq!(b.ctl("refresh other"), "ok\n");
    wait(
        Duration::from_secs(5),
        || {
            b.log()
                .contains("route refresh received: ipv6-unicast Request")
        },
        || b.log(),
    );
    wait(
        Duration::from_secs(5),
        || {
            a.log()
                .contains("route refresh received: ipv4-unicast Request")
        },
        || a.log(),
    );
    // Enhanced route refresh: the answer comes between BoRR and EoRR, and the routes stay.
    wait(
        Duration::from_secs(5),
        || {
            a.log()
                .contains("route refresh received: ipv4-unicast EndOfRib")
        },
        || a.log(),
    );
    assert!(
        a.ctl("routes other").contains("198.18.100.0/24")
            || a.ctl("routes other").contains("198.51.100.0/24")
    );
    // Three hold times (9 s) later both are still up.
    std::thread::sleep(Duration::from_secs(28));
    assert!(
        established(&a, "other") && established(&b, "other"),
        "{}",
        a.ctl("neighbors")
    );
}

#[test]
fn an_administrative_shutdown_shows_its_message_on_the_other_side() {
    let a = peerd(
        "stop-a",
        &config(64500, "192.0.2.1", "127.0.2.1", "127.0.2.2", 64501, "", ""),
    );
    let b = peerd(
        "stop-b",
        &config(64501, "192.0.2.2", "127.0.2.2", "127.0.2.1", 64500, "", ""),
    );
    wait(
        Duration::from_secs(15),
        || established(&a, "other") && established(&b, "other"),
        || a.log(),
    );
    assert_eq!(
        a.ctl("stop other maintenance until 14:00 UTC, ticket 4711"),
        "ok\n"
    );
    wait(
        Duration::from_secs(5),
        || {
            b.ctl("neighbors json")
                .contains("maintenance until 14:00 UTC, ticket 4711")
        },
        || b.ctl("neighbors"),
    );
    // Both do graceful restart with the N bit: the shutdown goes as a
    // Hard Reset around it, so that B does not keep A's routes (RFC 8538).
    assert!(
        b.ctl("neighbors").contains(
            "received NOTIFICATION 6/9 Cease / Hard Reset (6/2 Cease / Administrative Shutdown"
        ),
        "{}",
        b.ctl("neighbors")
    );
    assert_eq!(a.ctl("start other"), "ok\n");
    wait(
        Duration::from_secs(20),
        || established(&a, "other") && established(&b, "other"),
        || b.log(),
    );
}

#[test]
fn tcp_md5_with_matching_keys_comes_up_and_with_wrong_keys_does_not() {
    let a = peerd(
        "md5-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.3.1",
            "127.0.3.2",
            64501,
            "",
            "password = \"s3cret-key\"",
        ),
    );
    let b = peerd(
        "md5-b",
        &config(
            64501,
            "192.0.2.2",
            "127.0.3.2",
            "127.0.3.1",
            64500,
            "",
            "password = \"s3cret-key\"",
        ),
    );
    wait(
        Duration::from_secs(15),
        || established(&a, "other") && established(&b, "other"),
        || format!("{}\n{}", a.log(), b.log()),
    );
    let c = peerd(
        "md5-c",
        &config(
            64500,
            "192.0.2.1",
            "127.0.4.1",
            "127.0.4.2",
            64501,
            "",
            "password = \"right\"",
        ),
    );
    let d = peerd(
        "md5-d",
        &config(
            64501,
            "192.0.2.2",
            "127.0.4.2",
            "127.0.4.1",
            64500,
            "",
            "password = \"wrong\"",
        ),
    );
    std::thread::sleep(Duration::from_secs(6));
    assert!(
        !established(&c, "other") && !established(&d, "other"),
        "{}",
        c.ctl("neighbors")
    );
}

#[test]
fn max_prefix_trips_with_cease_1() {
    let ann = "[[announce]]\nprefix = \"198.51.100.0/26\"\n[[announce]]\nprefix = \"198.51.100.64/26\"\n[[announce]]\nprefix = \"198.51.100.128/26\"";
    let a = peerd(
        "maxp-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.5.1",
            "127.0.5.2",
            64501,
            "",
            "max-prefixes = { ipv4 = 2, action = \"shutdown\" }",
        ),
    );
    let b = peerd(
        "maxp-b",
        &config(64501, "192.0.2.2", "127.0.5.2", "127.0.5.1", 64500, ann, ""),
    );
    wait(
        Duration::from_secs(15),
        || {
            // A Hard Reset around it: both set the N bit (RFC 8538 §5).
            b.ctl("neighbors").contains(
                "received NOTIFICATION 6/9 Cease / Hard Reset (6/1 Cease / Maximum Number of Prefixes Reached",
            )
        },
        || {
            format!(
                "{}\n{}\n{}",
                a.ctl("neighbors"),
                b.ctl("neighbors"),
                a.log()
            )
        },
    );
    assert!(
        a.ctl("neighbors")
            .contains("sent NOTIFICATION 6/9 Cease / Hard Reset (6/1"),
        "{}",
        a.ctl("neighbors")
    );
    std::thread::sleep(Duration::from_secs(3));
    assert!(!established(&a, "other"), "action shutdown keeps it down");
}

#[test]
fn max_prefix_with_restart_comes_back_after_the_delay() {
    let ann =
        "[[announce]]\nprefix = \"198.51.100.0/26\"\n[[announce]]\nprefix = \"198.51.100.64/26\"";
    let a = peerd(
        "maxp-restart-a",
        &config(
            64500,
            "192.0.2.1",
            "127.0.19.1",
            "127.0.19.2",
            64501,
            "",
            "max-prefixes = { ipv4 = 1, action = \"restart\", restart-after = \"2s\" }",
        ),
    );
    let b = peerd(
        "maxp-restart-b",
        &config(
            64501,
            "192.0.2.2",
            "127.0.19.2",
            "127.0.19.1",
            64500,
            ann,
            "",
        ),
    );
    // Trips, waits two seconds, comes back, trips again: at least twice.
    wait(
        Duration::from_secs(20),
        || {
            a.log()
                .matches("more than 1 ipv4-unicast prefixes: Restart")
                .count()
                >= 2
        },
        || format!("{}\n{}", a.log(), b.ctl("neighbors")),
    );
}

#[test]
fn peerd_check_reports_errors_with_file_line_and_column() {
    let dir = tempdir("check");
    let f = dir.join("bad.toml");
    std::fs::write(&f, "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n\n[[neighbor]]\naddress = \"192.0.2.300\"\nremote-as = 1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("check")
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("{}:6:11: neighbor.address", f.display())),
        "{err}"
    );
    std::fs::write(&f, "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerd"))
        .arg("check")
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("configuration OK"));
}
