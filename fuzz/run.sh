#!/usr/bin/env bash
# Runs every fuzz target for $1 seconds (default 600) on the stable toolchain
# (RUSTC_BOOTSTRAP lets cargo-fuzz pass its flags; no sanitizer is needed for
# code without `unsafe`). Usage: fuzz/run.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(message update mrt_record api_request)
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 -print_final_stats=1
done
