#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo-fuzz, libFuzzer) of every parser of outside input: the
# targets are fuzz/fuzz_targets/*.rs; each one's corpus is committed as one small archive,
# fuzz/corpus/<target>.tar.gz (the inputs that add coverage, after `cargo fuzz cmin`).
#   scripts/fuzz.sh [SECONDS]   fuzz each target for SECONDS (default 60), shrink its corpus
#                               and pack it again; prints each one's executions and the total.
#                               A crash stops the run, its input saved in fuzz/artifacts/<target>/.
#   scripts/fuzz.sh smoke       each target over its corpus and 2,000 new inputs (make test);
#                               the archives are only read.
# cargo-fuzz passes nightly -Z flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
# Without a sanitizer (-s none): the code is safe Rust, so debug assertions (overflow) and the
# targets' own assertions are the checks, at several times the speed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh fuzz
export PATH="$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1
mode="${1:-60}"
case "$mode" in
    smoke) ;;
    *[!0-9]* | "") echo "fuzz: give the seconds per target (a whole number) or 'smoke', not '$mode'" >&2; exit 2 ;;
esac
targets=$(cd fuzz/fuzz_targets && ls -- *.rs | sed 's/\.rs$//')
work=$(mktemp -d /tmp/serialtrace-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p target/fuzz
cargo_fuzz() { cargo fuzz "$1" --fuzz-dir fuzz --target-dir target/fuzz -s none "${@:2}"; }

cargo_fuzz build
total=0
for t in $targets; do
    corpus="$work/$t"
    mkdir -p "$corpus" "$work/new-$t"
    [ -f "fuzz/corpus/$t.tar.gz" ] && tar -xzf "fuzz/corpus/$t.tar.gz" -C "$corpus"
    log="target/fuzz/$t.log"
    if [ "$mode" = smoke ]; then
        # New inputs go to a scratch folder: the corpus is only read.
        cargo_fuzz run "$t" "$work/new-$t" "$corpus" -- -runs=2000 -max_len=4096 -seed=1 \
            -print_final_stats=1 > "$log" 2>&1 || { cat "$log"; exit 1; }
    else
        cargo_fuzz run "$t" "$corpus" -- -max_total_time="$mode" -max_len=4096 \
            -print_final_stats=1 > "$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
        cargo_fuzz cmin "$t" "$corpus" -- -max_len=4096 > "target/fuzz/cmin-$t.log" 2>&1
        # One archive, the same bytes for the same inputs (sorted, no times or owners).
        tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$corpus" -cf - . \
            | gzip -9n > "fuzz/corpus/$t.tar.gz"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    total=$((total + ${runs:-0}))
    printf 'fuzz: %-14s %12s executions, corpus %s inputs\n' "$t" "${runs:-0}" "$(ls "$corpus" | wc -l)"
done
printf 'fuzz: total %s executions, no crash\n' "$total"
