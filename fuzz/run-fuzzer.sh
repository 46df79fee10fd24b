#!/usr/bin/env bash
# run-fuzzer.sh FUZZER SECONDS WORK_DIR SEED_DIR
# Runs a libFuzzer target for SECONDS on the seed corpus (read-only) plus a scratch corpus,
# and fails if it finds a crash, a leak, a timeout or an out-of-memory input.
set -euo pipefail
fuzzer=$1 seconds=$2 work=$3 seeds=$4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds"
