//! Decodes an uncompressed MRT file N times (for profiling the decoder alone).
#![allow(clippy::unwrap_used)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let n: usize = args.get(2).map_or(10, |x| x.parse().unwrap());
    let mut total = 0u64;
    for _ in 0..n {
        for r in peerd_mrt::MrtReader::new(&bytes[..]) {
            if r.is_ok() {
                total += 1;
            }
        }
    }
    println!("{total}");
}
