//! `peerd check`'s normalised configuration: golden files, and the round
//! trip — what it prints parses back to the same configuration. Inputs are
//! the files in `examples/` and `tests/golden/everything.toml`; the
//! expected outputs are `tests/golden/NAME.out.toml`. `UPDATE_GOLDEN=1
//! cargo test -p peerd-config --test golden` writes them afresh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use peerd_config::{load, parse, to_toml};
use std::path::{Path, PathBuf};

fn inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<PathBuf> = std::fs::read_dir(root.join("../../examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v.push(root.join("tests/golden/everything.toml"));
    v
}

#[test]
fn every_example_parses_and_matches_its_golden_file() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let inputs = inputs();
    assert!(inputs.len() >= 5, "the four examples and everything.toml");
    for input in inputs {
        let c = load(&input).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        let out = to_toml(&c);
        let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(format!("{stem}.out.toml"));
        if update {
            std::fs::write(&golden, &out).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", golden.display()));
        assert_eq!(out, want, "{} (UPDATE_GOLDEN=1 refreshes)", input.display());

        // The normalised form reads back to the same configuration (but
        // for the keys, which it does not print).
        let mut again = parse(&out, "normalised").unwrap_or_else(|e| panic!("{stem}: {e}\n{out}"));
        let mut orig = c.clone();
        for n in orig.neighbors.iter_mut() {
            n.password = None;
        }
        again.warnings.clear();
        orig.warnings.clear();
        assert_eq!(again, orig, "{stem}: round trip");
    }
}
