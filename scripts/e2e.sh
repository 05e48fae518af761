#!/usr/bin/env bash
# Browser tests: a fresh SQLite database with the demo data set, the built server on a free
# port, and Playwright driving Debian's Chromium against it.
#   scripts/e2e.sh [PROFILE]    PROFILE is debug (default) or release
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-debug}"
bin="target/$profile/serialtrace"
[ -x "$bin" ] || { echo "e2e: $bin is missing; build with scripts/build.sh debug server (or cargo test) first" >&2; exit 1; }
[ -f target/site/pkg/serialtrace.wasm ] || { echo "e2e: target/site/pkg is missing; build with scripts/build.sh release front first" >&2; exit 1; }

work=$(mktemp -d /tmp/serialtrace-e2e.XXXXXX)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$work/e2e.db"
export SERIALTRACE_LOG="${SERIALTRACE_LOG:-warn}"
# Every browser test signs in from 127.0.0.1: the per-address limit would stop them.
export SERIALTRACE_AUTH_PER_MINUTE_IP=1000
export SERIALTRACE_OUTBOX_DIR="$work/outbox"
"$bin" demo --units 5000 > "$work/samples.txt"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" --site-root target/site > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/server.log" >&2; echo "e2e: the server did not start" >&2; exit 1; }

export SERIALTRACE_BASE_URL="http://127.0.0.1:$port"
export SERIALTRACE_SAMPLES="$(cat "$work/samples.txt")"
cd end2end
status=0
npx playwright test || status=$?
[ "$status" -eq 0 ] || { echo "--- server log ---" >&2; tail -n 50 "$work/server.log" >&2; }
exit "$status"
