#!/usr/bin/env bash
# Builds what `serialtrace serve` needs, with cargo and the wasm-bindgen CLI alone:
#   target/<profile>/serialtrace         the server (crate serialtrace-server)
#   target/site/pkg/serialtrace.{js,wasm,css} and public/'s files in target/site
#   (Cargo.toml's profiles: release + wasm-release, dist + wasm-dist, dev)
#
#   scripts/build.sh [PROFILE] [PART]
#     PROFILE  release (default; what `make run` ships: quick to build, runs fast)
#              dist    (fat LTO, one codegen unit: slow to build; `make bench`, `make dist`)
#              debug   (the dev profile; the server `cargo test` builds)
#     PART     all (default), server or front
#
# The front end is built in a target directory of its own (target/front), so its build and
# the server's run side by side: each ends in one long crate that keeps only one core busy.
# `cargo leptos watch` still works for development, but nothing here needs cargo-leptos.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
profile="${1:-release}"
part="${2:-all}"
site=target/site

case "$profile" in
    release) front_profile=wasm-release ;;
    dist) front_profile=wasm-dist ;;
    debug) front_profile=dev ;;
    *) echo "build: unknown profile '$profile' (release, dist or debug)" >&2; exit 2 ;;
esac
case "$part" in
    all | server | front) ;;
    *) echo "build: unknown part '$part' (all, server or front)" >&2; exit 2 ;;
esac
cargo_profile="$profile"
[ "$profile" = debug ] && cargo_profile=dev

say() { printf '\033[1mbuild:\033[0m %s\n' "$*"; }

server() {
    say "server ($cargo_profile profile) -> target/$profile/serialtrace"
    cargo build --locked ${BUILD_TIMINGS:+--timings} -p serialtrace-server --bin serialtrace --profile "$cargo_profile"
}

front() {
    local out="target/front/wasm32-unknown-unknown/$([ "$front_profile" = dev ] && echo debug || echo "$front_profile")"
    say "front end ($front_profile profile, wasm32) -> $site/pkg"
    # On a fresh machine the wasm-bindgen CLI compiles while the wasm does.
    scripts/setup.sh wasm-bindgen &
    local setup_pid=$!
    cargo build --locked ${BUILD_TIMINGS:+--timings} -p serialtrace-app --lib --target wasm32-unknown-unknown \
        --no-default-features --features hydrate --profile "$front_profile" --target-dir target/front
    wait "$setup_pid" || { echo "build: the wasm-bindgen CLI could not be installed" >&2; return 1; }
    local staging
    staging=$(mktemp -d target/front/pkg.XXXXXX)
    wasm-bindgen --target web --no-typescript --out-dir "$staging" --out-name serialtrace \
        "$out/serialtrace_app.wasm"
    if [ "$front_profile" = dev ]; then
        mv "$staging/serialtrace_bg.wasm" "$staging/serialtrace.wasm"
    else
        wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$staging/serialtrace_bg.wasm" -o "$staging/serialtrace.wasm"
        rm "$staging/serialtrace_bg.wasm"
    fi
    # wasm-bindgen names the module it imports after its own output: follow the rename.
    sed -i 's/serialtrace_bg\.wasm/serialtrace.wasm/g' "$staging/serialtrace.js"
    cp style/main.css "$staging/serialtrace.css"
    mkdir -p "$site"
    cp -R public/. "$site/"
    # Swap the whole folder at once: a server reading it never sees half a build.
    rm -rf "$site/pkg.old"
    [ -d "$site/pkg" ] && mv "$site/pkg" "$site/pkg.old"
    mv "$staging" "$site/pkg"
    rm -rf "$site/pkg.old"
    say "front end: $(wc -c < "$site/pkg/serialtrace.wasm") bytes of wasm"
}

case "$part" in
    server) server ;;
    front) front ;;
    all)
        front &
        front_pid=$!
        server_status=0
        server || server_status=$?
        front_status=0
        wait "$front_pid" || front_status=$?
        [ "$server_status" -eq 0 ] || { echo "build: the server did not build" >&2; exit 1; }
        [ "$front_status" -eq 0 ] || { echo "build: the front end did not build" >&2; exit 1; }
        ;;
esac
