#!/usr/bin/env bash
# The release build `make run` serves: the front end (scripts/build-site.sh, into
# target/site) and the server binary (target/release/portico), side by side: each has long
# stretches that use one core (the wasm's fat-LTO link, the server's last crates).
# PORTICO_SERVER_PROFILE picks the server's cargo profile: release (the default, what
# `make build`, `make measure` and the benchmarks use) or dev (`make run`: see run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PROFILE=${PORTICO_SERVER_PROFILE:-release}
mkdir -p target
scripts/build-site.sh > target/build-site.log 2>&1 &
site=$!
server=0
cargo build --profile "$PROFILE" --package portico-server --bin portico || server=$?
site_status=0
wait "$site" || site_status=$?
tail -n 20 target/build-site.log
if [ "$site_status" != 0 ]; then
  echo "the site build failed (whole log: target/build-site.log)" >&2
  exit "$site_status"
fi
exit "$server"
