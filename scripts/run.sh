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
print_steps
trap - EXIT
exec ./target/release/portico serve --addr 127.0.0.1:3000 --site-root target/site
