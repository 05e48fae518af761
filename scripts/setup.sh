#!/usr/bin/env bash
# Installs what building and testing serialtrace needs, skipping whatever is already there.
# Everything comes from crates.io, npm and Debian's packages; nothing is downloaded elsewhere.
#   scripts/setup.sh               build tools (wasm target, wasm-opt; Node.js and npm if missing)
#   scripts/setup.sh wasm-bindgen  the wasm-bindgen CLI (scripts/build.sh installs it beside
#                                  the first wasm build, where it costs no extra time)
#   scripts/setup.sh test          + PostgreSQL, Chromium, the browser-test packages and
#                                  schemathesis
#   scripts/setup.sh bench         + wrk
#   scripts/setup.sh fuzz          + cargo-fuzz (make test smoke-runs the fuzz targets)
# No cargo-leptos: scripts/build.sh builds with cargo and the wasm-bindgen CLI alone.
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-build}"
tools="$PWD/.tools"
export PATH="$tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

apt_updated=""
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if [ -z "$apt_updated" ]; then
        say "apt-get update"
        $sudo apt-get update -qq
        apt_updated=1
    fi
    say "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

wasm_bindgen() {
    local version
    version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
    if ! wasm-bindgen --version 2>/dev/null | grep -q "$version"; then
        say "installing wasm-bindgen-cli $version (the version in Cargo.lock; about 2 minutes, once)"
        # Without --locked: its own lockfile names a crate version the registry no longer has.
        # It runs for a second per build: optimising it less halves its compile time.
        CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
            CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
            cargo install wasm-bindgen-cli --version "$version" --force --quiet
    fi
}

if [ "$purpose" = wasm-bindgen ]; then
    wasm_bindgen
    exit 0
fi

# The Rust side. SMTP over TLS uses the system's OpenSSL and its certificate store.
command -v pkg-config >/dev/null || apt_install pkg-config
dpkg -s libssl-dev >/dev/null 2>&1 || apt_install libssl-dev
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi
# wasm-opt from npm's binaryen: Debian's (version 108) emits wasm that breaks at run time.
if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q 'version 132'; then
    command -v npm >/dev/null || apt_install nodejs npm
    say "installing binaryen 132 (wasm-opt) under .tools/"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent binaryen@132.0.0
fi

cargo_fuzz() {
    if ! cargo fuzz --version 2>/dev/null | grep -q '0.13.1'; then
        say "installing cargo-fuzz 0.13.1 (about 2 minutes, once)"
        cargo install cargo-fuzz --version 0.13.1 --locked --quiet
    fi
}

case "$purpose" in
    fuzz)
        cargo_fuzz
        ;;
    test)
        cargo_fuzz
        ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
        command -v chromium >/dev/null || apt_install chromium
        command -v python3 >/dev/null || apt_install python3
        command -v curl >/dev/null || apt_install curl
        if ! "$tools/venv/bin/schemathesis" --version 2>/dev/null | grep -q '4.32.5'; then
            say "installing schemathesis 4.32.5 from PyPI under .tools/venv"
            python3 -m venv "$tools/venv" || { apt_install python3-venv && python3 -m venv "$tools/venv"; }
            "$tools/venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
        fi
        if [ ! -d end2end/node_modules/@playwright/test ]; then
            say "installing the browser-test packages (npm ci in end2end/)"
            (cd end2end && npm ci --no-audit --no-fund --silent)
        fi
        ;;
    bench)
        command -v wrk >/dev/null || apt_install wrk
        command -v bc >/dev/null || apt_install bc
        command -v python3 >/dev/null || apt_install python3
        command -v curl >/dev/null || apt_install curl
        ;;
esac
