# serialtrace: `make run` to try it, `make test` for every check CI runs.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run test bench build release setup clean

## Install what is missing, build in release, migrate, load the demo data on first start, serve.
run: setup release
	./target/release/serialtrace serve --demo-on-empty --site-root target/site

## Formatting, lints (server and wasm), unit, property, integration (SQLite + PostgreSQL) and browser tests.
test:
	scripts/test.sh

## Release build, 1M-unit demo load, lookup throughput against a trivial handler, wasm size.
bench:
	scripts/bench.sh

setup:
	scripts/setup.sh

build: setup
	cargo leptos build

release: setup
	cargo leptos build --release

clean:
	cargo clean
	rm -rf .tools end2end/node_modules
