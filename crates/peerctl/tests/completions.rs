//! `peerctl completions bash`: the script completes commands, options and
//! — from the running daemon's neighbor list — neighbor names, as bash
//! runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// What the script offers for the words typed so far (the last one being
/// completed), with `fake` standing in for `peerctl neighbors`.
fn complete(script: &std::path::Path, bin: &std::path::Path, words: &[&str]) -> Vec<String> {
    let words_arr = words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let prog = format!(
        "PATH={}:$PATH; source {}; COMP_WORDS=({words_arr}); COMP_CWORD={}; _peerctl; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        bin.display(),
        script.display(),
        words.len() - 1
    );
    let out = Command::new("bash").arg("-c").arg(prog).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn bash_completes_commands_options_and_neighbor_names() {
    let dir = std::env::temp_dir().join(format!("peerctl-compl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerctl"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = dir.join("peerctl.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(syntax.success());
    // A stand-in for the daemon's answer to `peerctl neighbors`.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = bin.join("peerctl");
    std::fs::write(
        &fake,
        "#!/bin/sh\nprintf 'name address AS state\\ngoogle 198.51.100.1 15169 Established\\ntransit 192.0.2.254 64501 Idle\\n'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

    assert_eq!(
        complete(&script, &bin, &["peerctl", "ne"]),
        ["neighbor", "neighbors"]
    );
    assert_eq!(
        complete(&script, &bin, &["peerctl", "neighbor", ""]),
        ["google", "transit"]
    );
    assert_eq!(
        complete(&script, &bin, &["peerctl", "neighbor", "google", ""]),
        [
            "--json",
            "disable",
            "enable",
            "refresh",
            "reset",
            "soft-reset"
        ]
    );
    assert_eq!(
        complete(&script, &bin, &["peerctl", "routes", "--neighbor", "t"]),
        ["transit"]
    );
    assert_eq!(
        complete(&script, &bin, &["peerctl", "reload", "--d"]),
        ["--dry-run"]
    );
    assert_eq!(complete(&script, &bin, &["peerctl", "route", ""]), ["get"]);
    // zsh gets the same script behind bashcompinit; an unknown shell is a
    // usage error.
    let z = Command::new(env!("CARGO_BIN_EXE_peerctl"))
        .args(["completions", "zsh"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&z.stdout).starts_with("autoload -U +X bashcompinit"));
    let bad = Command::new(env!("CARGO_BIN_EXE_peerctl"))
        .args(["completions", "tcsh"])
        .status()
        .unwrap();
    assert_eq!(bad.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
