#!/usr/bin/env bash
# Installs the npm packages the interop tests' peers use (`ws`, `playwright-core`), exactly as
# pinned by tests/interop/package-lock.json, into tests/interop/node_modules (not committed).
# Idempotent and quiet: a stamp file holds the hash of the lock it was installed from, so a
# second run with the same lock does nothing. Needs node and npm (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../tests/interop"

lock=package-lock.json
stamp=node_modules/.qtws-lock.sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    exit 0
fi

echo "install-npm-deps: installing tests/interop/node_modules from $lock"
# playwright-core never downloads a browser; the tests drive Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" >"$stamp"
