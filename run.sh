#!/usr/bin/env bash
# The project's entry points (README.md):
#   ./run.sh test    install what is missing, build (preset ci), run the whole suite with ctest
#   ./run.sh demo    install what is missing, build, run the main demo
#   ./run.sh bench   install what is missing, build (preset release), run the microbenchmarks
#   ./run.sh fuzz [seconds]   run every fuzz target for that long (default 60 s each)
set -euo pipefail
cd "$(dirname "$0")"

jobs=$(nproc)
command=${1:-help}
shift || true

build() {
    local preset=$1
    shift
    scripts/install-deps.sh
    scripts/install-npm-deps.sh
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" --parallel "$jobs" "$@"
}

case "$command" in
test)
    build ci
    ctest --preset ci "$@"
    ;;
demo)
    build release --target codec-demo
    build/release/examples/codec-demo/codec-demo "$@"
    ;;
bench)
    build release
    for b in build/release/bench/bench_*; do
        "$b" "$@"
    done
    ;;
fuzz)
    build ci
    ctest --preset ci -L fuzz
    ;;
*)
    sed -n '2,7p' "$0"
    exit 2
    ;;
esac
