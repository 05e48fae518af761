# serialtrace: `make run` to try it, `make test` for every check CI runs.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run test bench fuzz build release dist setup clean

## Install what is missing, build (release profile), migrate, load the demo data on first start, serve.
run: setup release
	./target/release/serialtrace serve --demo-on-empty --site-root target/site

## Formatting, lints (server and wasm), unit, property, integration (SQLite + PostgreSQL) and browser tests.
test:
	scripts/test.sh

## Fully optimised build (dist profile), 1M-unit demo load, import, recall publish, lookup
## throughput against a trivial handler, wasm size. `make bench PROFILE=release` measures the
## profile `make run` ships instead.
bench:
	BENCH_PROFILE=$(or $(PROFILE),dist) scripts/bench.sh

## Coverage-guided fuzzing (cargo-fuzz) of every parser of outside input, FUZZ_SECONDS per
## target (default 60); a crash stops it with the input under fuzz/artifacts/.
fuzz:
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

setup:
	scripts/setup.sh

## Debug build of the server and the front end (quick to compile, slow to run).
build: setup
	scripts/build.sh debug

release: setup
	scripts/build.sh release

## The fully optimised server (fat LTO) in target/dist/serialtrace, and the front end.
dist: setup
	scripts/build.sh dist

clean:
	cargo clean
	rm -rf .tools end2end/node_modules
