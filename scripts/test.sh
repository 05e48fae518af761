#!/usr/bin/env bash
# Every check CI runs: formatting, lints for the server and the wasm front end, the build,
# unit and property tests, integration tests on SQLite and on a throwaway PostgreSQL
# cluster, the browser tests, and schemathesis against the API's OpenAPI document. Ends with
# one summary line: "total: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Counting must not stop the script when a pattern has no match (set -e, pipefail).
count() { grep -Eo "$1" "$2" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}' || true; }
last() { { grep -Eo "$1" "$2" || true; } | grep -Eo '[0-9]+' | tail -n 1 || true; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
logs=$(mktemp -d /tmp/serialtrace-test.XXXXXX)
pg_dir=$(mktemp -d /tmp/serialtrace-pg.XXXXXX)
front_pid=""
cleanup() {
    if [ -n "$front_pid" ]; then
        pkill -TERM -P "$front_pid" 2>/dev/null || true
        kill "$front_pid" 2>/dev/null || true
    fi
    scripts/pg.sh stop "$pg_dir"
    rm -rf "$logs"
}
trap cleanup EXIT

step "format"
cargo fmt --all --check

# The release front end (what make run ships, and what the browser tests load) builds in a
# target directory of its own beside the lints and tests: its long LTO step uses one core.
step "build: the release front end (in the background; its log follows the tests)"
scripts/build.sh release front > "$logs/front.log" 2>&1 &
front_pid=$!

step "lint: server (ssr) features"
cargo clippy --workspace --all-targets -- -D warnings

step "lint: wasm front end (hydrate)"
cargo clippy -p serialtrace -p serialtrace-app --target wasm32-unknown-unknown \
    --features serialtrace-app/hydrate -- -D warnings

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

# The browser tests and schemathesis run the server `cargo test` just built (target/debug;
# .cargo/config.toml gives every build the same environment) with the release front end.
step "build: the release front end"
front_status=0
wait "$front_pid" || front_status=$?
front_pid=""
cat "$logs/front.log"
if [ "$front_status" -ne 0 ]; then
    echo "test: the release front end did not build; the browser tests cannot run" >&2
    echo
    echo "total: $(count 'test result: [A-Za-z]+\. [0-9]+ passed' "$logs/cargo.log") passed, 1 failed"
    exit 1
fi

step "fuzz targets: a short run of each over its committed corpus (make fuzz fuzzes for long)"
fuzz_status=0
scripts/fuzz.sh smoke 2>&1 | tee "$logs/fuzz.log" || fuzz_status=$?

step "browser tests (Chromium)"
e2e_status=0
scripts/e2e.sh 2>&1 | tee "$logs/e2e.log" || e2e_status=$?

step "the API against its own OpenAPI document (schemathesis)"
st_status=0
scripts/schemathesis.sh 2>&1 | tee "$logs/st.log" || st_status=$?

cargo_passed=$(count 'test result: [A-Za-z]+\. [0-9]+ passed' "$logs/cargo.log")
cargo_failed=$(count '; [0-9]+ failed' "$logs/cargo.log")
e2e_passed=$(last '^ *[0-9]+ passed' "$logs/e2e.log")
e2e_failed=$(last '^ *[0-9]+ failed' "$logs/e2e.log")
# Each schemathesis run (one per key scope) counts as one check.
st_passed=$(grep -Ec '^ *[0-9]+ generated, [0-9]+ passed$' "$logs/st.log" || true)
st_failed=0
[ "$st_status" -eq 0 ] || st_failed=1
# Each fuzz target's smoke run counts as one check.
fuzz_passed=$(grep -Ec '^fuzz: [a-z0-9_]+ +[0-9]+ executions, corpus' "$logs/fuzz.log" || true)
fuzz_failed=0
[ "$fuzz_status" -eq 0 ] || fuzz_failed=1
passed=$((cargo_passed + ${e2e_passed:-0} + ${st_passed:-0} + ${fuzz_passed:-0}))
failed=$((cargo_failed + ${e2e_failed:-0} + st_failed + fuzz_failed))
if [ "$cargo_status" -ne 0 ] || [ "$e2e_status" -ne 0 ]; then
    [ "$failed" -eq 0 ] && failed=1
fi
# CI shows only the tail of this output: name what failed (or passed only on a retry) last.
{ grep -E '^test .* FAILED$' "$logs/cargo.log" || true; } | sed 's/^/failed: /'
[ "$e2e_status" -eq 0 ] || { grep -E '^ *✘' "$logs/e2e.log" || true; } | sed 's/^ */failed (browser attempt): /'
{ grep -A20 -E '^ *[0-9]+ flaky' "$logs/e2e.log" | grep -E '\] ›' || true; } | sed 's/^ */flaky (passed on retry): /'
[ "$st_status" -eq 0 ] || { grep -E '^(FAILED|.*failed)' "$logs/st.log" | head -n 20 || true; } | sed 's/^/schemathesis: /'
[ "$fuzz_status" -eq 0 ] || { tail -n 20 "$logs/fuzz.log" || true; } | sed 's/^/fuzz: /'
echo
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
