# The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
ENV := source scripts/env.sh

.PHONY: run test build bootstrap measure bench-record bench-messages bench-reads bench-billing bench-fhir bench-documents unit integration e2e fmt

## Build in release mode, migrate, load demo data, serve on http://127.0.0.1:3000
run:
	scripts/run.sh

## The release site and server (what run serves; measure and the benchmarks use it)
build:
	scripts/bootstrap.sh build
	scripts/build-release.sh

## Every test: unit, integration (SQLite and PostgreSQL), browser (release build)
test:
	scripts/test.sh

unit:
	$(ENV) && cargo test -p app --features ssr --lib

integration:
	$(ENV) && PORTICO_TEST_PG="$$(scripts/postgres.sh)" PORTICO_REQUIRE_PG=1 cargo test -p portico-server --tests -- --test-threads 1

e2e: build
	$(ENV) && cd end2end && npx playwright test

## Sizes and latencies (not pass/fail): see scripts/measure.sh
measure: build
	scripts/measure.sh

## The health record with 100,000 synthetic patients, SQLite and PostgreSQL (not pass/fail)
bench-record: build
	scripts/bench-record.sh

## Messages committed per second and an inbox of 1,000 threads, SQLite and PostgreSQL (not pass/fail)
bench-messages: build
	scripts/bench-messages.sh

## Audited chart reads per second with wrk, SQLite and PostgreSQL (not pass/fail)
bench-reads: build
	scripts/bench-reads.sh

bench-billing: build
	scripts/bench-billing.sh

## A connected app's FHIR Observation search over 10,000 results, SQLite and PostgreSQL (not pass/fail)
bench-fhir: build
	scripts/bench-fhir.sh

## The document center's PDFs: a whole record's copy (demo, 10,000 results), peak memory (not pass/fail)
bench-documents: build
	scripts/bench-documents.sh

fmt:
	cargo fmt --all
