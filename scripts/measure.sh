#!/usr/bin/env bash
# `make measure`: figures for the closing notes, not pass/fail.
#  1. Bytes of JS + WASM + CSS the sign-in page loads: raw, and as the server sends them
#     with Accept-Encoding: br (budget: 200 KB brotli).
#  2. Sign-in latency p50/p99 at 20 concurrent clients, and /healthz p99 during that flood.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PORT=3200
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

export PORTICO_DATABASE_URL="sqlite://$WORK/measure.db" PORTICO_MAIL_DIR="$WORK/outbox" RUST_LOG=warn
./target/release/portico migrate >/dev/null
./target/release/portico seed --demo >/dev/null
./target/release/portico serve --addr "127.0.0.1:$PORT" --site-root target/site &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done

echo "== bytes for the sign-in page (JS + WASM + CSS)"
page=$(curl -s "$BASE/signin")
total_raw=0; total_br=0
for asset in /pkg/portico.js /pkg/portico.wasm /pkg/portico.css; do
  grep -q "${asset##*/}" <<<"$page" || echo "  (note: $asset not referenced by the page)"
  raw=$(curl -s -o /dev/null -w '%{size_download}' "$BASE$asset")
  br=$(curl -s -H 'Accept-Encoding: br' -o /dev/null -w '%{size_download}' "$BASE$asset")
  printf '  %-20s raw %8d B   brotli (as served) %8d B\n' "$asset" "$raw" "$br"
  total_raw=$((total_raw + raw)); total_br=$((total_br + br))
done
printf '  %-20s raw %8d B   brotli (as served) %8d B   (budget 204800 B brotli)\n' total "$total_raw" "$total_br"

echo "== sign-in under load"
cargo run -q --release -p portico-server --example signin_load -- --base "$BASE" --clients 20 --requests 10
