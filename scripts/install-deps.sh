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
    # qtws::RedisBroker (hiredis, found through pkg-config) and the redis-server its tests
    # start on ephemeral ports
    libhiredis-dev pkgconf redis-server
    # the QML module (qml/) and its Qt Quick tests, qmllint, the `qml` runtime; the Inspector
    qt6-declarative-dev qt6-declarative-dev-tools qml-qt6 qml6-module-qtqml
    qml6-module-qtqml-models qml6-module-qtqml-workerscript qml6-module-qtquick
    qml6-module-qtquick-window qml6-module-qtquick-controls qml6-module-qtquick-layouts
    qml6-module-qtquick-templates qml6-module-qtquick-shapes qml6-module-qtquick-dialogs
    qml6-module-qttest qml6-module-qtwebsockets
    # the Inspector (examples/inspector): Fusion style and dialogs (in the modules above), the
    # fonts its views and offscreen screenshots use, the offscreen and xcb platform plugins
    fonts-dejavu-core qt6-qpa-plugins
    # benchmarks (bench/compare: Boost.Beast's echo server beside qtws's)
    libbenchmark-dev libboost-dev
    # interop tests: real peers (tests/interop/peers), TLS certificates, proxies
    python3 python3-websockets qt6-websockets-dev chromium curl openssl
    nginx-light tinyproxy microsocks
)
# Node.js and npm (the `ws` and playwright-core peers): the machine image may ship its own Node,
# which Debian's nodejs/npm packages would conflict with, so ask for them only when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

# Daemons whose Debian packages start a system service on install. The tests start their own
# instances on ephemeral ports with their own configuration, so the system ones must not run.
services=(nginx tinyproxy microsocks redis-server)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
$sudo apt-get update -qq

# policy-rc.d exit 101 tells invoke-rc.d (what maintainer scripts call) not to start services.
# Ours is removed again on exit, even a failed one; a policy already in place is left alone.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    trap '$sudo rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Belt and braces: on a machine with a running systemd, also disable the units so that they stay
# off after a reboot, and stop any that a pre-existing policy let start.
for s in "${services[@]}"; do
    if [[ -d /run/systemd/system ]] && systemctl list-unit-files "$s.service" >/dev/null 2>&1; then
        $sudo systemctl disable --now "$s.service" >/dev/null 2>&1 || true
    elif [[ -x /etc/init.d/$s ]]; then
        $sudo /etc/init.d/"$s" stop >/dev/null 2>&1 || true
    fi
done
