//! `[mrt]`: peerd writes every message it receives as BGP4MP records and,
//! on request, a TABLE_DUMP_V2 snapshot of its Loc-RIB; the session's state
//! changes are in the stream too; Debian's bgpdump
//! reads the files back with the routes BIRD sent — the same lines
//! `peerctl mrt` prints and the same prefixes peerd's routing table shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;
use std::process::Command;
use std::time::Duration;

#[test]
fn received_messages_are_written_as_mrt_that_bgpdump_reads() {
    if !installed("bird") || !installed("bgpdump") {
        return;
    }
    let bird_dir = tempdir("mrt-bird");
    let statics = "    route 198.51.100.0/24 unreachable;\n    route 198.51.100.128/25 unreachable;\n    route 192.0.2.128/25 unreachable;";
    let Some(_bird) = bird(
        &bird_dir,
        &bird_conf(&bird_dir, "127.0.36.2", 64520, "127.0.36.1", "", statics),
    ) else {
        return;
    };
    let out_dir = tempdir("mrt-files");
    let conf = format!(
        r#"[router]
asn = 64500
router-id = "192.0.2.1"
listen = ["127.0.36.1"]
port = 1179

[mrt]
dir = "{}"
updates = "1m"

[[neighbor]]
name = "bird"
address = "127.0.36.2"
port = 1179
local-address = "127.0.36.1"
remote-as = 64520
hold-time = 9
connect-retry = 1
import = "accept"
export = "deny"
"#,
        out_dir.display()
    );
    let us = peerd("mrt-us", &conf);
    wait(
        Duration::from_secs(30),
        || us.ctl("neighbors json").contains("\"received\":3"),
        || us.log(),
    );
    let rib = us.ctl("rib json");
    // A TABLE_DUMP_V2 snapshot of the Loc-RIB, now.
    let dumped = {
        use std::io::{Read, Write};
        let mut c = std::os::unix::net::UnixStream::connect(us.dir.join("peerd.sock")).unwrap();
        c.write_all(b"POST /v1/mrt/dump HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    };
    assert!(dumped.starts_with("HTTP/1.1 200"), "{dumped}");
    // A clean stop finishes the file (its gzip trailer).
    let mut us = us;
    Command::new("kill")
        .arg(us.child.id().to_string())
        .status()
        .unwrap();
    let t = std::time::Instant::now();
    while us.child.try_wait().unwrap().is_none() && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(us.child.try_wait().unwrap().is_some(), "{}", us.log());
    drop(us);

    let mut files: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no MRT file in {}", out_dir.display());
    let (ribs, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| f.file_name().unwrap().to_string_lossy().starts_with("rib."));
    assert_eq!(ribs.len(), 1, "one snapshot in {}", out_dir.display());
    for f in files.iter().chain(&ribs) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".gz") && !name.starts_with('.'), "{name}");
    }
    // The snapshot: each of BIRD's prefixes once, from BIRD (index 1 of
    // the peer table), with its AS path — and peerctl reads it to the
    // same lines.
    let snap = Command::new("bgpdump")
        .arg("-m")
        .arg(&ribs[0])
        .output()
        .unwrap();
    let snap = String::from_utf8_lossy(&snap.stdout).into_owned();
    assert_eq!(snap.lines().count(), 3, "{snap}");
    for p in ["198.51.100.0/24", "198.51.100.128/25", "192.0.2.128/25"] {
        let line = snap
            .lines()
            .find(|l| l.split('|').nth(5) == Some(p))
            .unwrap_or_else(|| panic!("{p} not in the snapshot:\n{snap}"));
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(
            (f[0], f[2], f[3], f[4], f[6]),
            ("TABLE_DUMP2", "B", "127.0.36.2", "64520", "64520"),
            "{line}"
        );
    }
    let ctl = std::path::Path::new(env!("CARGO_BIN_EXE_peerd")).with_file_name("peerctl");
    if ctl.exists() {
        let ours = Command::new(&ctl)
            .arg("mrt")
            .arg(&ribs[0])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&ours.stdout), snap);
    }
    let dump = |prog: &str, args: &[&str]| {
        let mut all = String::new();
        for f in &files {
            let out = Command::new(prog).args(args).arg(f).output().unwrap();
            all.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        all
    };
    let theirs = dump("bgpdump", &["-m"]);
    let announced: Vec<&str> = theirs.lines().filter(|l| l.contains("|A|")).collect();
    for p in ["198.51.100.0/24", "198.51.100.128/25", "192.0.2.128/25"] {
        let line = announced
            .iter()
            .find(|l| l.split('|').nth(5) == Some(p))
            .unwrap_or_else(|| panic!("{p} not in bgpdump's output:\n{theirs}"));
        // BGP4MP|time|A|peer address|peer AS|prefix|AS path|...
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(
            (f[0], f[3], f[4], f[6]),
            ("BGP4MP", "127.0.36.2", "64520", "64520"),
            "{line}"
        );
        assert!(
            rib.contains(&format!("\"prefix\":\"{p}\"")),
            "{p} not in the RIB: {rib}"
        );
    }
    // The session's states are in the stream too (STATE_CHANGE_AS4), up
    // to Established (6), before BIRD's UPDATEs.
    let states: Vec<(String, String)> = theirs
        .lines()
        .filter(|l| l.contains("|STATE|"))
        .map(|l| {
            // BGP4MP|time|STATE|peer address|peer AS|old|new
            let f: Vec<&str> = l.split('|').collect();
            assert_eq!((f[3], f[4]), ("127.0.36.2", "64520"), "{l}");
            (f[5].to_string(), f[6].to_string())
        })
        .collect();
    assert!(
        states.contains(&("5".to_string(), "6".to_string())),
        "no OpenConfirm → Established in:\n{theirs}"
    );
    let up = theirs
        .lines()
        .position(|l| l.contains("|STATE|") && l.ends_with("|5|6"));
    let first_update = theirs.lines().position(|l| l.contains("|A|"));
    assert!(up.is_some() && up < first_update, "{theirs}");
    // peerctl reads the same files to the same lines.
    if ctl.exists() {
        let ours = dump(ctl.to_str().unwrap(), &["mrt"]);
        assert_eq!(ours, theirs);
    } else {
        eprintln!("SKIP: peerctl is not built: its reading of the files is not compared");
    }
}
