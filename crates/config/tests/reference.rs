//! The configuration reference is checked against the configuration's
//! types: every key the parser accepts, section by section, must be
//! documented (docs/config.md, or docs/policy.md for policies). The keys
//! come from the parser itself: a key it does not know makes it list the
//! ones it does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

const HEAD: &str = "[router]\nasn = 64500\nrouter-id = \"192.0.2.1\"\n";

/// The keys the parser accepts where `zzz` stands in `text`.
fn keys(text: &str) -> Vec<String> {
    let e = peerd_config::parse(text, "probe.toml")
        .unwrap_err()
        .to_string();
    let list = e
        .split("expected one of ")
        .nth(1)
        .or_else(|| e.split("expected ").nth(1))
        .unwrap_or_else(|| panic!("no list of keys in {e:?}"));
    list.lines()
        .next()
        .unwrap()
        .split(", ")
        .flat_map(|k| k.split(" or "))
        .map(|k| k.trim_matches('`').trim().to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

#[test]
fn every_configuration_key_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = std::fs::read_to_string(root.join("docs/config.md")).unwrap();
    let policy = std::fs::read_to_string(root.join("docs/policy.md")).unwrap();
    let nb = "[[neighbor]]\nname = \"n\"\naddress = \"192.0.2.2\"\nremote-as = 64501\n";
    let probes: Vec<(&str, String, &str)> = vec![
        ("top level", format!("zzz = 1\n{HEAD}"), &config),
        ("[router]", format!("{HEAD}zzz = 1\n"), &config),
        (
            "[bestpath]",
            format!("{HEAD}[bestpath]\nzzz = 1\n"),
            &config,
        ),
        ("[fib]", format!("{HEAD}[fib]\nzzz = 1\n"), &config),
        ("[api]", format!("{HEAD}[api]\nzzz = 1\n"), &config),
        ("[mrt]", format!("{HEAD}[mrt]\nzzz = 1\n"), &config),
        ("[log]", format!("{HEAD}[log]\nzzz = 1\n"), &config),
        (
            "[redistribute]",
            format!("{HEAD}[redistribute]\nzzz = 1\n"),
            &config,
        ),
        (
            "[[announce]]",
            format!("{HEAD}[[announce]]\nzzz = 1\n"),
            &config,
        ),
        (
            "[[static]]",
            format!("{HEAD}[[static]]\nzzz = 1\n"),
            &config,
        ),
        ("[[neighbor]]", format!("{HEAD}{nb}zzz = 1\n"), &config),
        (
            "max-prefixes",
            format!("{HEAD}{nb}max-prefixes = {{ zzz = 1 }}\n"),
            &config,
        ),
        (
            "policy term",
            format!("{HEAD}[[policy.p]]\nzzz = 1\n"),
            &policy,
        ),
        (
            "match",
            format!("{HEAD}[[policy.p]]\nmatch = {{ zzz = 1 }}\n"),
            &policy,
        ),
        (
            "set",
            format!("{HEAD}[[policy.p]]\nset = {{ zzz = 1 }}\n"),
            &policy,
        ),
    ];
    let mut missing = Vec::new();
    for (section, text, doc) in &probes {
        let found = keys(text);
        assert!(!found.is_empty(), "{section}: no keys");
        for k in found {
            // A key (`k = ...`, `` `k` ``), or a section (`[k]`, `[[k]]`,
            // `[[k.NAME]]`), in either document for the top level.
            let docs: Vec<&str> = if *section == "top level" {
                vec![&config, &policy]
            } else {
                vec![doc]
            };
            let documented = docs.iter().any(|d| {
                d.contains(&format!("{k} ="))
                    || d.contains(&format!("`{k}`"))
                    || d.contains(&format!("[{k}]"))
                    || d.contains(&format!("[{k}."))
            });
            if !documented {
                missing.push(format!("{section}: {k}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented configuration keys:\n{}",
        missing.join("\n")
    );
}
