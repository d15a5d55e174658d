//! Test helpers shared by peerd's crates (dev-dependency only).
//!
//! - [`shared_data`]: where the real MRT dumps and captures of
//!   `../shared/data` are, or `None` (and a clear message) where they are absent,
//!   so tests skip on a user's fresh clone and run in CI.
//! - [`pcap`]: a minimal pcap/pcapng reader that reassembles the TCP payload of
//!   BGP sessions, enough to feed real captured bytes to the codec.
//! - [`gunzip`]: read a gzip file into memory.
//! - [`Netns`]: a network namespace of the test's own, deleted on drop.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod netns;
pub mod pcap;

pub use netns::Netns;

use std::io::Read;
use std::path::{Path, PathBuf};

/// The shared data folder: `$PEERD_SHARED_DATA`, else `../shared/data` next to
/// the workspace. Prints a skip message and returns `None` where absent.
pub fn shared_data() -> Option<PathBuf> {
    let p = std::env::var_os("PEERD_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: real-data test: {} not found (set PEERD_SHARED_DATA to the shared data folder)",
            p.display()
        );
        None
    }
}

/// Reads a gzip file into memory.
pub fn gunzip(path: &Path) -> Vec<u8> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(f)
        .read_to_end(&mut out)
        .unwrap();
    out
}
