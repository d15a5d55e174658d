//! The results: every run as JSON, and a markdown table per scenario with
//! medians (min–max) and each daemon's ratio to peerd.

use crate::scenario::{RunResult, Scenario};
use std::fmt::Write as _;

fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn json_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.4}"),
        _ => "null".into(),
    }
}

/// Every run as one JSON document, with what was measured on.
pub fn json(meta: &[(&str, String)], runs: &[RunResult]) -> String {
    let mut s = String::from("{\n  \"meta\": {");
    let m: Vec<String> = meta
        .iter()
        .map(|(k, v)| format!("{}: {}", json_str(k), json_str(v)))
        .collect();
    s.push_str(&m.join(", "));
    s.push_str("},\n  \"runs\": [\n");
    let rows: Vec<String> = runs
        .iter()
        .map(|r| {
            let phases: Vec<String> = r
                .phases
                .iter()
                .map(|p| {
                    format!(
                        "{{\"name\": {}, \"seconds\": {}, \"problem\": {}, \"changes\": {}, \"other_winner\": {}, \"send_seconds\": {}, \"harness_load\": {}}}",
                        json_str(&p.name),
                        json_num(p.seconds),
                        p.problem.as_deref().map_or("null".into(), json_str),
                        p.changes,
                        p.other_winner,
                        json_num(Some(p.send_seconds)),
                        json_num(Some(p.harness_load)),
                    )
                })
                .collect();
            let canary = r.canary.map_or("null".into(), |(p50, p99, got, sent)| {
                format!("{{\"p50_ms\": {}, \"p99_ms\": {}, \"arrived\": {got}, \"sent\": {sent}}}", json_num(Some(p50)), json_num(Some(p99)))
            });
            format!(
                "    {{\"daemon\": {}, \"scenario\": {}, \"run\": {}, \"phases\": [{}], \"cpu_seconds\": {}, \"peak_rss_mib\": {}, \"settled_rss_mib\": {}, \"canary\": {}, \"harness_bound\": {}, \"error\": {}}}",
                json_str(&r.daemon),
                json_str(&r.scenario),
                r.run,
                phases.join(", "),
                json_num(Some(r.cpu_seconds)),
                json_num(Some(r.peak_rss_mib)),
                json_num(Some(r.settled_rss_mib)),
                canary,
                r.harness_bound,
                r.error.as_deref().map_or("null".into(), json_str),
            )
        })
        .collect();
    s.push_str(&rows.join(",\n"));
    s.push_str("\n  ]\n}\n");
    s
}

/// Median, min and max.
fn stats(mut v: Vec<f64>) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let med = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((med, v[0], v[n - 1]))
}

/// The timed figure of a run: the sum of its phases' times (for S6 the
/// withdrawal alone, for S5 the drop and the return), if all converged.
pub fn timed(r: &RunResult) -> Option<f64> {
    if r.error.is_some() || r.harness_bound {
        return None;
    }
    let pick: Vec<&crate::scenario::Phase> = match r.scenario.as_str() {
        "S6" => r.phases.iter().filter(|p| p.name == "withdraw").collect(),
        "S5" => r
            .phases
            .iter()
            .filter(|p| p.name.starts_with("best feed"))
            .collect(),
        _ => r.phases.iter().filter(|p| p.name == "load").collect(),
    };
    let want = match r.scenario.as_str() {
        "S5" => 2,
        _ => 1,
    };
    if pick.len() != want {
        return None;
    }
    pick.iter().map(|p| p.seconds).sum()
}

fn ratio(x: Option<f64>, peerd: Option<f64>) -> String {
    match (x, peerd) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "–".into(),
    }
}

/// The markdown tables.
pub fn markdown(
    meta: &[(&str, String)],
    runs: &[RunResult],
    daemons: &[String],
    scenarios: &[Scenario],
) -> String {
    let mut s = String::new();
    for (k, v) in meta {
        let _ = writeln!(s, "- {k}: {v}");
    }
    s.push('\n');
    for sc in scenarios {
        let _ = writeln!(s, "### {} — {}\n", sc.name(), sc.title());
        let what = match sc {
            Scenario::S5 => "drop + return s",
            Scenario::S6 => "withdraw s",
            _ => "time s",
        };
        let _ = writeln!(
            s,
            "| daemon | {what} median (min–max) | vs peerd | peak RSS MiB | vs peerd | settled RSS MiB | CPU s | canary p50/p99 ms | good runs |\n|---|---|---|---|---|---|---|---|---|"
        );
        fn of<'a>(
            runs: &'a [RunResult],
            sc: Scenario,
            d: &'a str,
        ) -> impl Iterator<Item = &'a RunResult> {
            runs.iter()
                .filter(move |r| r.scenario == sc.name() && r.daemon == d)
        }
        let pt = stats(of(runs, *sc, "peerd").filter_map(timed).collect()).map(|x| x.0);
        let pr = stats(
            of(runs, *sc, "peerd")
                .filter(|r| timed(r).is_some())
                .map(|r| r.peak_rss_mib)
                .collect(),
        )
        .map(|x| x.0);
        for d in daemons {
            let all: Vec<&RunResult> = runs
                .iter()
                .filter(|r| r.scenario == sc.name() && r.daemon == *d)
                .collect();
            if all.is_empty() {
                continue;
            }
            let good: Vec<&RunResult> =
                all.iter().copied().filter(|r| timed(r).is_some()).collect();
            let t = stats(good.iter().filter_map(|r| timed(r)).collect());
            let rss = stats(good.iter().map(|r| r.peak_rss_mib).collect());
            let settled = stats(good.iter().map(|r| r.settled_rss_mib).collect());
            let cpu = stats(good.iter().map(|r| r.cpu_seconds).collect());
            let p50 = stats(
                good.iter()
                    .filter_map(|r| r.canary.map(|c| c.0))
                    .filter(|x| x.is_finite())
                    .collect(),
            );
            let p99 = stats(
                good.iter()
                    .filter_map(|r| r.canary.map(|c| c.1))
                    .filter(|x| x.is_finite())
                    .collect(),
            );
            let bound = all.iter().filter(|r| r.harness_bound).count();
            let failed: Vec<String> = all
                .iter()
                .filter(|r| timed(r).is_none() && !r.harness_bound)
                .map(|r| {
                    r.error.clone().unwrap_or_else(|| {
                        r.phases
                            .iter()
                            .find_map(|p| p.problem.clone())
                            .unwrap_or_else(|| "incomplete".into())
                    })
                })
                .collect();
            let direct = d == "direct";
            let _ = writeln!(
                s,
                "| {d} | {} | {} | {} | {} | {} | {} | {} | {}/{}{}{} |",
                t.map_or("–".into(), |(m, lo, hi)| format!(
                    "{m:.3} ({lo:.3}–{hi:.3})"
                )),
                if direct {
                    "–".into()
                } else {
                    ratio(t.map(|x| x.0), pt)
                },
                if direct {
                    "–".into()
                } else {
                    rss.map_or("–".into(), |x| format!("{:.0}", x.0))
                },
                if direct {
                    "–".into()
                } else {
                    ratio(rss.map(|x| x.0), pr)
                },
                if direct {
                    "–".into()
                } else {
                    settled.map_or("–".into(), |x| format!("{:.0}", x.0))
                },
                if direct {
                    "–".into()
                } else {
                    cpu.map_or("–".into(), |x| format!("{:.2}", x.0))
                },
                match (p50, p99) {
                    (Some(a), Some(b)) => format!("{:.0} / {:.0}", a.0, b.0),
                    _ => "–".into(),
                },
                good.len(),
                all.len(),
                if bound > 0 {
                    format!(", {bound} harness-bound")
                } else {
                    String::new()
                },
                if failed.is_empty() {
                    String::new()
                } else {
                    format!(", failed: {}", failed.join("; "))
                },
            );
        }
        s.push('\n');
    }
    s
}
