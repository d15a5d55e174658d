//! MRT decode benchmark: peerd-mrt against bgpkit-parser and Debian's
//! bgpdump on the same file, in one run, medians of several runs.
//!
//! Usage: `decode_bench FILE [RUNS] [PEERCTL]` (see `bench/mrt_decode.sh`).
//! Prints a markdown table. Decompression is timed on its own; every decoder
//! then reads the same decompressed bytes (ours and bgpkit from memory,
//! bgpdump and peerctl from a decompressed file in the page cache).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        times.push(t.elapsed());
        last = Some(r);
    }
    (median(times), last.unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: decode_bench FILE [RUNS] [PEERCTL]");
    let runs: usize = args.get(2).map_or(5, |r| r.parse().unwrap());
    let peerctl = args.get(3);

    let raw = std::fs::read(path).unwrap();
    let (t_decomp, bytes) = time(runs, || {
        let (mut r, _) = peerd_mrt::open::decompress(std::io::Cursor::new(raw.clone())).unwrap();
        let mut v = Vec::new();
        r.read_to_end(&mut v).unwrap();
        v
    });
    let mb = bytes.len() as f64 / 1e6;
    let tmp = std::env::temp_dir().join(format!("peerd-bench-{}.mrt", std::process::id()));
    std::fs::write(&tmp, &bytes).unwrap();

    let (t_ours, (records, entries)) = time(runs, || {
        let mut n = 0u64;
        let mut e = 0u64;
        for r in peerd_mrt::MrtReader::new(&bytes[..]) {
            n += 1;
            if let Ok(peerd_mrt::Record {
                body: peerd_mrt::Body::Rib(rib),
                ..
            }) = r
            {
                e += rib.entries.len() as u64;
            }
        }
        (n, e)
    });
    let (t_bgpkit_rec, n_bgpkit) = time(runs, || {
        bgpkit_parser::BgpkitParser::from_reader(&bytes[..])
            .into_record_iter()
            .count() as u64
    });
    let (t_bgpkit_elem, n_elem) = time(runs, || {
        bgpkit_parser::BgpkitParser::from_reader(&bytes[..])
            .into_elem_iter()
            .count() as u64
    });
    let run = |cmd: &mut Command| {
        let st = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success() || st.code() == Some(1));
    };
    let (t_bgpdump, _) = time(runs, || run(Command::new("bgpdump").arg("-m").arg(&tmp)));
    let t_peerctl = peerctl.map(|p| time(runs, || run(Command::new(p).arg("mrt").arg(&tmp))).0);
    std::fs::remove_file(&tmp).ok();

    assert_eq!(records, n_bgpkit, "both decoders see the same records");
    let row = |name: &str, what: &str, t: Duration| {
        let s = t.as_secs_f64();
        println!(
            "| {name} | {what} | {:.3} | {:.0} | {:.1} | {:.1}x |",
            s,
            records as f64 / s,
            mb / s,
            s / t_ours.as_secs_f64()
        );
    };
    println!("File: `{}` — {records} records, {entries} RIB entries, {n_elem} bgpkit elements, {mb:.1} MB decompressed; median of {runs} runs.\n", path);
    println!("| decoder | work | seconds | records/s | MB/s | time vs peerd-mrt |");
    println!("|---|---|---:|---:|---:|---:|");
    row("peerd-mrt", "decode every record and attribute", t_ours);
    row(
        "bgpkit-parser 0.20",
        "decode every record (`into_record_iter`)",
        t_bgpkit_rec,
    );
    row(
        "bgpkit-parser 0.20",
        "records to route elements (`into_elem_iter`)",
        t_bgpkit_elem,
    );
    row(
        "bgpdump 1.6.2 (Debian)",
        "`bgpdump -m` to /dev/null",
        t_bgpdump,
    );
    if let Some(t) = t_peerctl {
        row("peerctl mrt", "`peerctl mrt` (same text) to /dev/null", t);
    }
    println!(
        "\nDecompression alone (bzip2/gzip, not included above): {:.3} s ({:.1} MB/s of output).",
        t_decomp.as_secs_f64(),
        mb / t_decomp.as_secs_f64()
    );
}
