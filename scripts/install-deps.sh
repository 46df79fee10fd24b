#!/usr/bin/env bash
# Installs, with apt-get, every Debian package the build, the tests, the fuzzers and the
# benchmarks need. Idempotent and quiet: it asks apt only for what is missing, and runs
# `apt-get update` once, only when something is missing. Needs root (or sudo) on Debian 12.
set -euo pipefail

packages=(
    # toolchain
    cmake ninja-build ccache clang g++ libclang-rt-14-dev
    # libraries qtws links
    qt6-base-dev qt6-base-dev-tools libssl-dev zlib1g-dev
    # benchmarks
    libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
