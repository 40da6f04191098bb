#!/usr/bin/env bash
# `make run`: installs what is missing, builds (site: release; server: test profile), migrates, loads the demo
# data and serves http://127.0.0.1:3000. Prints the table of steps before serving.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

step "bootstrap" scripts/bootstrap.sh build
source scripts/env.sh
# The site in release form (what a phone loads), the server in the test profile (dev, no
# debug info, argon2 optimised): a fresh machine's first release build of the server took
# 21 min beside the site's, over the 15-minute budget for a first `make run`; the test
# profile compiles in a fraction of that and serves a demo at clicking speed (the browser
# tests run against the same binary). `make build` makes the release server.
export PORTICO_SERVER_PROFILE=dev
step "build (site: release; server: test profile)" scripts/build-release.sh
mkdir -p data
step "migrate" ./target/debug/portico migrate
step "demo data" ./target/debug/portico seed --demo
# The demo clinic's other numbers (a clinic sets its own: README, Configuration).
export PORTICO_DEPARTMENT_PHONES="${PORTICO_DEPARTMENT_PHONES-Portico Family Medicine=+1 555 0110; Endocrinology=+1 555 0120; Emergency Department=+1 555 0190}"
export PORTICO_BILLING_PHONE="${PORTICO_BILLING_PHONE-+1 555 0130}"
export PORTICO_RECORDS_PHONE="${PORTICO_RECORDS_PHONE-+1 555 0140}"
# The demo clinic's HIPAA Notice of Privacy Practices (a clinic sets its own PDF).
export PORTICO_PRIVACY_NOTICE="${PORTICO_PRIVACY_NOTICE-demo/notice-of-privacy-practices.pdf}"
# The built-in test processor (test cards only): Pay Now works in the demo.
export PORTICO_PAYMENTS="${PORTICO_PAYMENTS-test}"
# The demo's balances are small: a payment plan is offered over $50.00 (Avery's 4000017).
export PORTICO_BILLING_PLAN_MINIMUM="${PORTICO_BILLING_PLAN_MINIMUM-50.00}"
print_steps
trap - EXIT
exec ./target/debug/portico serve --addr 127.0.0.1:3000 --site-root target/site
