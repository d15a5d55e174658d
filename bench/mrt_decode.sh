#!/usr/bin/env bash
# MRT decode benchmark: peerd-mrt vs bgpkit-parser vs Debian bgpdump, one run,
# same file, medians. Usage: bench/mrt_decode.sh [FILE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${PEERD_SHARED_DATA:-../shared/data}"
file="${1:-$data/caida-libbgpstream/test-dumps/routeviews.route-views.jinx.ribs.1401487200.bz2}"
runs="${2:-5}"
command -v bgpdump >/dev/null || { echo "needs Debian's bgpdump (apt-get install bgpdump)" >&2; exit 1; }
cargo build --release -q -p peerctl -p peerd-mrt --example decode_bench
target/release/examples/decode_bench "$file" "$runs" target/release/peerctl
