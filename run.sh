#!/usr/bin/env bash
# The project's entry points (README.md):
#   ./run.sh test    install what is missing, build (preset ci), run the whole suite with ctest
#   ./run.sh demo    install what is missing, build, run the main demo
#   ./run.sh bench   install what is missing, build (preset release), run the microbenchmarks
#   ./run.sh fuzz    run only the fuzz targets (60 s each; fuzz/README.md runs one longer)
#   ./run.sh inspector [URL|SESSION]  build and start the Inspector GUI (docs/inspector.md)
#   ./run.sh bench-compare  build (release), run qtws beside QtWebSockets, Beast, raw TCP (~10 min)
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
    # The chat example (examples/chat) in the background, its URL for a browser, and a scripted
    # exchange between two `qtws connect` clients in the terminal. With a terminal on stdin the
    # chat then stays up until Ctrl-C; without one (CI, `</dev/null`) the demo ends there, 0.
    # Extra arguments go to chat (e.g. --port 8080, --host 0.0.0.0).
    build release --target chat qtws
    chat=build/release/examples/chat/chat
    qtws=build/release/tools/qtws/qtws
    demo_dir=$(mktemp -d)
    chat_pid=
    bob_pid=
    demo_cleanup() {
        [[ -n $bob_pid ]] && kill "$bob_pid" 2>/dev/null || true
        if [[ -n $chat_pid ]] && kill -TERM "$chat_pid" 2>/dev/null; then
            wait "$chat_pid" 2>/dev/null || true # chat closes its clients with 1001, then exits
        fi
        rm -rf "$demo_dir"
    }
    trap demo_cleanup EXIT
    trap 'exit 130' INT TERM

    # Lines come through FIFOs read with `read -t`: waits are bounded, and there is no polling.
    mkfifo "$demo_dir/chat" "$demo_dir/bob"
    "$chat" --port 0 "$@" >"$demo_dir/chat" &
    chat_pid=$!
    exec 3<"$demo_dir/chat"
    if ! read -r -t 20 listening <&3 || [[ $listening != "listening on "* ]] || ! read -r -t 5 url <&3; then
        echo "demo: the chat example did not start" >&2
        exit 1
    fi
    port=${listening#listening on }
    echo
    echo "qtws chat is running. Open this URL in a browser (a few tabs, to chat with yourself):"
    echo
    echo "    $url"
    echo
    echo "A scripted exchange first: bob and alice join with 'qtws connect ws://127.0.0.1:$port/ws', alice sends a line."

    # bob listens: his welcome, the user count as he joins, as alice joins, then her line.
    "$qtws" connect "ws://127.0.0.1:$port/ws?name=bob" --no-input --exit-after 4 >"$demo_dir/bob" &
    bob_pid=$!
    exec 4<"$demo_dir/bob"
    demo_bob() { # prints bob's next line; fails if none comes within 10 s
        local line
        read -r -t 10 line <&4 || { echo "demo: bob received nothing" >&2; return 1; }
        echo "  bob   ← $line"
        bob_last=$line
    }
    demo_bob # welcome
    demo_bob # users 1: bob is in before alice sends
    echo "  alice → hello from the terminal"
    # alice sends one line and reads her welcome, the count (2) and her line as broadcast.
    printf 'hello from the terminal\n' \
        | timeout 20 "$qtws" connect "ws://127.0.0.1:$port/ws?name=alice" --exit-after 3 \
        | sed -u 's/^/  alice ← /'
    demo_bob # users 2
    demo_bob # alice's line
    wait "$bob_pid"
    bob_pid=
    if [[ $bob_last != *'"from":"alice"'*'"text":"hello from the terminal"'* ]]; then
        echo "demo: bob did not receive alice's line" >&2
        exit 1
    fi
    echo "It works: bob received alice's line through the chat server."
    echo

    if [[ -t 0 ]]; then
        echo "The chat stays up at $url — Ctrl-C to stop it."
        wait "$chat_pid" || true
        chat_pid=
    else
        echo "No terminal on stdin: stopping the chat (run ./run.sh demo in a terminal to keep it up)."
    fi
    ;;
bench)
    build release
    for b in build/release/bench/bench_*; do
        "$b" "$@"
    done
    ;;
inspector)
    # The GUI needs a display; say so plainly before building anything (the binary checks too).
    if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
        echo "inspector: no display (neither DISPLAY nor WAYLAND_DISPLAY is set)." >&2
        echo "Run it in a graphical session, over ssh -X, under xvfb-run, or offscreen with" >&2
        echo "QT_QPA_PLATFORM=offscreen ./run.sh inspector" >&2
        exit 2
    fi
    build release --target inspector
    exec build/release/examples/inspector/inspector "$@"
    ;;
bench-compare)
    # bench/compare/README.md: every server fresh per run, pinned to one core, the generator to
    # the other; the table goes to stdout and build/release/bench-compare/results.{md,json}.
    build release --target bench_compare_tools
    python3 bench/compare/compare.py --bin-dir build/release/bench/compare \
        --echo-server build/release/examples/echo-server/echo-server \
        --out-dir build/release/bench-compare "$@"
    ;;
fuzz)
    build ci
    ctest --preset ci -L fuzz
    ;;
*)
    sed -n '2,8p' "$0"
    exit 2
    ;;
esac
