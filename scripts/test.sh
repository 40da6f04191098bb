#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test layer. Fails on the first red.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
source scripts/env.sh
# No incremental caches in a one-shot run: they only cost disk (gigabytes here).
export CARGO_INCREMENTAL=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# The whole run needs about 7 GB under target/ (debug tests, release server, wasm); say what
# the disk has, so a run that dies in the linker for want of space is plain in the log.
step "free disk"
df -h . | tail -1

step "unit tests (app, server rules) and integration tests on SQLite and PostgreSQL"
PORTICO_TEST_PG="$(scripts/postgres.sh)"
export PORTICO_TEST_PG PORTICO_REQUIRE_PG=1
# One cargo call, so that the app's test build and its library build (the server's
# dependency) compile side by side on two cores rather than one after the other.
cargo test -p app -p portico-server --features app/ssr --lib --tests -- --test-threads 4

step "release build (wasm-opt included)"
cargo leptos build --release --split --precompress

step "browser tests against the release build"
(cd end2end && npx playwright test)
