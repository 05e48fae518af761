#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis (from PyPI, in .tools/venv) sends
# generated requests to every operation of /api/v1/openapi.json on a fresh server, once with
# a stolen-check key and once with a staff key, and fails on any 5xx or any response that
# breaks the document's schema.
#   scripts/schemathesis.sh [PROFILE]    PROFILE is debug (default) or release
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-debug}"
bin="target/$profile/serialtrace"
st=".tools/venv/bin/schemathesis"
[ -x "$bin" ] || { echo "schemathesis: $bin is missing; build first" >&2; exit 1; }
[ -x "$st" ] || { echo "schemathesis: $st is missing; run scripts/setup.sh test" >&2; exit 1; }

work=$(mktemp -d /tmp/serialtrace-st.XXXXXX)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$work/st.db"
export SERIALTRACE_LOG="${SERIALTRACE_LOG:-warn}"
export SERIALTRACE_OUTBOX_DIR="$work/outbox"
export SERIALTRACE_RATE_LIMITS=off
"$bin" demo --units 2000 > /dev/null
pawn=$("$bin" api-key create --name "schemathesis pawn" --scope stolen-check --per-minute 100000 --per-day 10000000 | grep -Eo 'st_[0-9a-f]{40}')
staff=$("$bin" api-key create --name "schemathesis staff" --scope staff --manufacturer hallmark --per-minute 100000 --per-day 10000000 | grep -Eo 'st_[0-9a-f]{40}')
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" --site-root target/site > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
base="http://127.0.0.1:$port"
status=0
for key in "$pawn" "$staff"; do
    "$st" run "$base/api/v1/openapi.json" \
        --url "$base" \
        --header "Authorization: Bearer $key" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" \
        ${SCHEMATHESIS_SEED:+--seed "$SCHEMATHESIS_SEED"} \
        --suppress-health-check all \
        --no-color || status=$?
done
[ "$status" -eq 0 ] || { echo "--- server log ---" >&2; tail -n 50 "$work/server.log" >&2; }
exit "$status"
