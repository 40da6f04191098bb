#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test layer. Fails on the first red,
# and prints the table of steps and their wall times either way.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

step "bootstrap" scripts/bootstrap.sh test
source scripts/env.sh
# No incremental caches in a one-shot run: they only cost disk (gigabytes here).
export CARGO_INCREMENTAL=0

# The whole run needs about 4 GB under target/ (debug tests, release wasm); say what the
# disk has, so a run that dies in the linker for want of space is plain in the log.
df -h . | tail -1

PORTICO_TEST_PG="$(scripts/postgres.sh)"
export PORTICO_TEST_PG PORTICO_REQUIRE_PG=1
# One cargo call, so that the app's test build and its library build (the server's
# dependency) compile side by side on two cores rather than one after the other. It also
# builds the `portico` binary the integration and browser tests start.
CRATES=(-p app -p portico-server --features app/ssr)
# --timings: target/cargo-timings/ shows which crates the time goes to.
step "build for tests (debug)" cargo test "${CRATES[@]}" --lib --tests --no-run --timings
step "unit tests" cargo test "${CRATES[@]}" --lib
step "sign-in steps" cargo test "${CRATES[@]}" --test signin_steps
# One binary holds every integration test; most run on both databases, as `<name>::sqlite`
# and `<name>::postgres` (common::on_both_databases!). SQLite first, with the tests that
# need no database server, then PostgreSQL.
# One test at a time: each test starts its own server in this one process, and with four
# side by side a page request now and then never got its answer (30 s timeout: 2 runs of
# 15 of http_surface on the islands commit e7a1199, 1 of 20 on 53a1ae7 before it; 0 of 25
# one at a time). The servers share some process-wide state of Leptos'; a real server is
# one per process (a fresh release server: 0 hangs in 900 page loads and 50 starts).
# Costs about 30 s.
INTEGRATION=(cargo test "${CRATES[@]}" --test integration -- --test-threads 1)
step "integration: SQLite" "${INTEGRATION[@]}" --skip ::postgres
step "integration: PostgreSQL" "${INTEGRATION[@]}" ::postgres

# The browser tests need the release wasm (wasm-opt included: a broken optimiser must turn
# CI red); the server they talk to is the one the test build made, not a second build of it.
step "wasm release build (site)" scripts/build-site.sh
step "browser tests" env PORTICO_E2E_BINARY=target/debug/portico bash -c 'cd end2end && npx playwright test'
