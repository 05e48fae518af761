#!/usr/bin/env bash
# Every check CI runs: formatting, lints for the server and the wasm front end, the build,
# unit and property tests, integration tests on SQLite and on a throwaway PostgreSQL
# cluster, and the browser tests. Ends with one summary line: "total: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
logs=$(mktemp -d /tmp/serialtrace-test.XXXXXX)
pg_dir=$(mktemp -d /tmp/serialtrace-pg.XXXXXX)
cleanup() {
    scripts/pg.sh stop "$pg_dir"
    rm -rf "$logs"
}
trap cleanup EXIT

step "format"
cargo fmt --all --check

step "lint: server (ssr) features"
cargo clippy --workspace --all-targets -- -D warnings

step "lint: wasm front end (hydrate)"
cargo clippy -p serialtrace -p serialtrace-app --target wasm32-unknown-unknown \
    --features serialtrace-app/hydrate -- -D warnings

step "build: server and wasm front end"
cargo leptos build

step "PostgreSQL: a throwaway cluster"
if ! SERIALTRACE_TEST_POSTGRES=$(scripts/pg.sh start "$pg_dir"); then
    echo "test: PostgreSQL could not start; the PostgreSQL half of the suite cannot run" >&2
    exit 1
fi
export SERIALTRACE_TEST_POSTGRES
echo "PostgreSQL at $SERIALTRACE_TEST_POSTGRES"

step "unit, property and integration tests (SQLite and PostgreSQL)"
cargo_status=0
cargo test --workspace 2>&1 | tee "$logs/cargo.log" || cargo_status=$?

step "browser tests (Chromium)"
e2e_status=0
scripts/e2e.sh 2>&1 | tee "$logs/e2e.log" || e2e_status=$?

cargo_passed=$(grep -Eo 'test result: [A-Z]+\. [0-9]+ passed' "$logs/cargo.log" | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
cargo_failed=$(grep -Eo '; [0-9]+ failed' "$logs/cargo.log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
e2e_passed=$(grep -Eo '^ *[0-9]+ passed' "$logs/e2e.log" | grep -Eo '[0-9]+' | tail -n 1)
e2e_failed=$(grep -Eo '^ *[0-9]+ failed' "$logs/e2e.log" | grep -Eo '[0-9]+' | tail -n 1)
passed=$((cargo_passed + ${e2e_passed:-0}))
failed=$((cargo_failed + ${e2e_failed:-0}))
if [ "$cargo_status" -ne 0 ] || [ "$e2e_status" -ne 0 ]; then
    [ "$failed" -eq 0 ] && failed=1
fi
echo
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
