#!/usr/bin/env bash
# `make run`: installs what is missing, builds in release mode, migrates, loads the demo
# data and serves http://127.0.0.1:3000. Prints the table of steps before serving.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

step "bootstrap" scripts/bootstrap.sh build
source scripts/env.sh
step "release build (site + server, side by side)" scripts/build-release.sh
mkdir -p data
step "migrate" ./target/release/portico migrate
step "demo data" ./target/release/portico seed --demo
# The demo clinic's other numbers (a clinic sets its own: README, Configuration).
export PORTICO_DEPARTMENT_PHONES="${PORTICO_DEPARTMENT_PHONES-Portico Family Medicine=+1 555 0110; Endocrinology=+1 555 0120; Emergency Department=+1 555 0190}"
export PORTICO_BILLING_PHONE="${PORTICO_BILLING_PHONE-+1 555 0130}"
export PORTICO_RECORDS_PHONE="${PORTICO_RECORDS_PHONE-+1 555 0140}"
print_steps
trap - EXIT
exec ./target/release/portico serve --addr 127.0.0.1:3000 --site-root target/site
