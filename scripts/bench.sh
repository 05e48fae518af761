#!/usr/bin/env bash
# `make bench`: measured, never asserted. Builds with BENCH_PROFILE (dist, the fully optimised
# profile, by default; release is what `make run` ships), loads 1M demo units into a fresh
# SQLite database, and load-tests GET /api/v1/lookup on a mix of sample serials at 64
# connections beside a trivial axum handler on the same box (the ceiling).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh bench
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
units="${BENCH_UNITS:-1000000}"
duration="${BENCH_SECONDS:-15}"
connections=64

profile="${BENCH_PROFILE:-dist}"
case "$profile" in
    release | dist) ;;
    *) echo "bench: BENCH_PROFILE must be release or dist, not '$profile'" >&2; exit 2 ;;
esac
bin="./target/$profile/serialtrace"
build_start=$(date +%s.%N)
scripts/build.sh "$profile"
cargo build --locked --profile "$profile" -p serialtrace-server --example ceiling
build_seconds=$(echo "$(date +%s.%N) - $build_start" | bc)

work=$(mktemp -d /tmp/serialtrace-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() {
    for _ in $(seq 1 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "bench: $1 did not come up" >&2; return 1
}

export DATABASE_URL="sqlite://$work/bench.db"
export SERIALTRACE_LOG=warn
# The load generator is one client on loopback: per-client limits would measure themselves.
export SERIALTRACE_RATE_LIMITS=off
echo "== demo load: $units units into a fresh SQLite database"
start=$(date +%s.%N)
"$bin" demo --units "$units" | tee "$work/demo.txt"
end=$(date +%s.%N)
load_seconds=$(echo "$end - $start" | bc)
serials=$(awk '$1 == "sample" { print $3 }' "$work/demo.txt" | tr '\n' ' ')

echo "== import: $units CSV rows into a fresh SQLite database (then the same file again)"
python3 - "$work/units.csv" "$units" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("manufacturer,model,serial,lot,manufactured_on,sold_on,warranty_months\n")
    for i in range(n):
        month = 1 + i % 12
        sold = f"2025-{month:02d}-20" if i % 3 else ""
        f.write(f"Benchmark Works,BW-{i % 10},BW{i:09d},LOT-{month:02d},2025-{month:02d}-01,{sold},24\n")
PY
import_db="sqlite://$work/import.db"
start=$(date +%s.%N)
DATABASE_URL="$import_db" "$bin" import units --create-missing "$work/units.csv" | tail -n 1
end=$(date +%s.%N)
import_seconds=$(echo "$end - $start" | bc)
start=$(date +%s.%N)
DATABASE_URL="$import_db" "$bin" import units "$work/units.csv" | tail -n 1
end=$(date +%s.%N)
reimport_seconds=$(echo "$end - $start" | bc)

echo "== recall publish: a draft whose serial range covers all $units imported units"
python3 - "$work/import.db" "$units" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""INSERT INTO recalls (manufacturer_id, number, title, hazard, description, remedy, remedy_available,
                 instructions, severity, status, starts_on, created_at)
              SELECT id, 'BENCH-1', 'Bench recall', 'none', 'bench', 'repair', 1, 'none', 'low', 'draft',
                     '2026-01-01', '2026-01-01T00:00:00Z' FROM manufacturers WHERE slug = 'benchmark-works'""")
db.execute("""INSERT INTO recall_scope_rules (recall_id, kind, range_prefix, range_width, range_from, range_to)
              SELECT id, 'serial_range', 'BW', 9, 0, ? FROM recalls WHERE number = 'BENCH-1'""", (int(sys.argv[2]) - 1,))
db.commit()
PY
start=$(date +%s.%N)
DATABASE_URL="$import_db" "$bin" recall publish BENCH-1
end=$(date +%s.%N)
publish_seconds=$(echo "$end - $start" | bc)

port=$(free_port)
"$bin" serve --addr "127.0.0.1:$port" --site-root target/site >"$work/server.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port/readyz"
ceiling_port=$(free_port)
"./target/$profile/examples/ceiling" "127.0.0.1:$ceiling_port" &
pids+=($!)
wait_up "http://127.0.0.1:$ceiling_port/api/v1/lookup"

run_wrk() { # url label [serials file]
    SERIALS="$serials" SERIALS_FILE="${3:-}" wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/mix.lua "$1" | tee "$work/$2.txt" >&2
    local rps p50 p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$work/$2.txt")
    p50=$(awk '$1 == "50%" { print $2 }' "$work/$2.txt")
    p99=$(awk '$1 == "99%" { print $2 }' "$work/$2.txt")
    echo "$rps $p50 $p99"
}
echo "== warm-up"
SERIALS="$serials" wrk -t2 -c"$connections" -d3s -s bench/mix.lua "http://127.0.0.1:$port" >/dev/null
echo "== lookup: GET /api/v1/lookup, $connections connections, ${duration}s"
read -r l_rps l_p50 l_p99 < <(run_wrk "http://127.0.0.1:$port" lookup)
# Distinct serials in a shuffled order, more than the answer cache holds: nearly every
# request is a first lookup of its serial and goes to the database.
python3 - "$work/bench.db" "$work/cold-serials.txt" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT serial_norm FROM units ORDER BY (id * 7919) % 1000003 LIMIT 400000").fetchall()
open(sys.argv[2], "w").write("\n".join(r[0] for r in rows) + "\n")
PY
echo "== cold lookups: $(wc -l < "$work/cold-serials.txt") distinct serials, nearly all answered from the database"
read -r k_rps k_p50 k_p99 < <(run_wrk "http://127.0.0.1:$port" cold "$work/cold-serials.txt")
echo "== ceiling: trivial axum handler, fixed JSON body"
read -r c_rps c_p50 c_p99 < <(run_wrk "http://127.0.0.1:$ceiling_port" ceiling)

echo "== hostile photos: a 30000 x 30000 PNG bomb to /lookup/scan, alone and 8 at a time beside /healthz"
python3 - "$work/bomb.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
width = height = 30000
rows = b"".join(b"\0" + bytes(width * 4) for _ in range(16))  # 16 rows of RGBA zeros
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
photo_port=$(free_port)
"$bin" serve --addr "127.0.0.1:$photo_port" --site-root target/site >"$work/photo-server.log" 2>&1 &
photo_pid=$!
pids+=("$photo_pid")
wait_up "http://127.0.0.1:$photo_port/readyz"
scan() { # file: "status seconds"
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Origin: http://127.0.0.1:$photo_port" \
        -F "photo=@$1" "http://127.0.0.1:$photo_port/lookup/scan"
}
scan app/tests/fixtures/qr-baseline.jpg >/dev/null # warm
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$photo_pid/status"; }
hwm_before=$(hwm)
read -r bomb_status bomb_seconds < <(scan "$work/bomb.png")
read -r real_status real_seconds < <(scan app/tests/fixtures/qr-baseline.jpg)
wrk -t1 -c8 -d10s --latency "http://127.0.0.1:$photo_port/healthz" > "$work/healthz-quiet.txt"
bombers=()
for _ in 1 2 3 4 5 6 7 8; do
    ( end=$((SECONDS + 10)); while [ "$SECONDS" -lt "$end" ]; do scan "$work/bomb.png" >/dev/null; done ) &
    bombers+=($!)
done
wrk -t1 -c8 -d10s --latency "http://127.0.0.1:$photo_port/healthz" > "$work/healthz-bombed.txt"
wait "${bombers[@]}"
hwm_after=$(hwm)
quiet_p99=$(awk '$1 == "99%" { print $2 }' "$work/healthz-quiet.txt")
bombed_p99=$(awk '$1 == "99%" { print $2 }' "$work/healthz-bombed.txt")

wasm=target/site/pkg/serialtrace.wasm
wasm_gz=$(gzip -9 -c "$wasm" | wc -c)
ratio=$(echo "scale=1; 100 * $l_rps / $c_rps" | bc)

echo
echo "serialtrace bench, $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), profile $profile"
printf '  build (this run; 0 s when nothing changed): %.0f s\n' "$build_seconds"
printf '  demo load (%s units, SQLite):   %.1f s\n' "$units" "$load_seconds"
printf '  CSV import (%s rows, SQLite):   %.1f s   (again, all unchanged: %.1f s)\n' "$units" "$import_seconds" "$reimport_seconds"
printf '  recall publish (%s units, SQLite): %.1f s (the whole command)\n' "$units" "$publish_seconds"
printf '  lookup API:        %10s req/s   p50 %-8s p99 %s\n' "$l_rps" "$l_p50" "$l_p99"
printf '  ceiling (trivial): %10s req/s   p50 %-8s p99 %s\n' "$c_rps" "$c_p50" "$c_p99"
printf '  lookup / ceiling:  %s%%\n' "$ratio"
printf '  cold lookups:      %10s req/s   p50 %-8s p99 %s   (distinct serials, from the database)\n' "$k_rps" "$k_p50" "$k_p99"
printf '  hostile photo (PNG claiming 30000x30000): %s in %.0f ms; a real label photo: %s in %.0f ms\n' \
    "$bomb_status" "$(echo "$bomb_seconds * 1000" | bc)" "$real_status" "$(echo "$real_seconds * 1000" | bc)"
printf '  server peak memory: %s MB before the photos, %s MB after (8 bombs at a time for 10 s)\n' \
    "$((hwm_before / 1024))" "$((hwm_after / 1024))"
printf '  /healthz p99: %s quiet, %s with 8 bomb uploads at a time\n' "$quiet_p99" "$bombed_p99"
printf '  hydrate wasm:      %s bytes gzipped (%s KB)\n' "$wasm_gz" "$((wasm_gz / 1024))"
