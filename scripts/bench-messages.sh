#!/usr/bin/env bash
# Messaging on SQLite (WAL, synchronous=FULL) and PostgreSQL (fsync and synchronous_commit
# on): messages committed per second with 50 patients sending back to back, and the
# listing of an inbox of 1,000 threads. Figures for the closing notes, not pass/fail.
# Usage: scripts/bench-messages.sh [seconds] — builds what it needs (release).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
SECONDS_OF_LOAD=${1:-20}
PORT=3301
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v sqlite3 >/dev/null || { echo "bench-messages needs the sqlite3 command (apt-get install sqlite3)"; exit 1; }
cargo build -q --release -p portico-server --bin portico --example message_load
LOAD=target/release/examples/message_load

# 1,000 answered threads for s1.50 (not one of the senders), in portable SQL.
THOUSAND_THREADS="
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO message_threads (patient_id, pool, subject, created_at, last_message_at)
  SELECT p.id, 'support', 'Question ' || i, 1700000000000 + i * 60000, 1700000000000 + i * 60000
  FROM n, patients p WHERE p.mrn = 'S1-0000050';"

bench() {
  local label=$1 url=$2 sql=$3
  echo
  echo "######## $label"
  # The rate limit is for people; the load test sends far faster on purpose.
  export PORTICO_DATABASE_URL="$url" PORTICO_MAIL_DIR="$WORK/outbox" PORTICO_AUDIT_KEY_FILE="$WORK/audit.key" RUST_LOG=warn PORTICO_MESSAGES_PER_HOUR=100000000
  ./target/release/portico migrate >/dev/null
  ./target/release/portico seed --synthetic 1000 --seed 1 --accounts 51 >/dev/null
  ./target/release/portico serve --addr "127.0.0.1:$PORT" --site-root target/site &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
  "$LOAD" --base "$BASE" --users s1. --accounts 50 --seconds "$SECONDS_OF_LOAD" --send
  $sql <<<"$THOUSAND_THREADS"
  "$LOAD" --base "$BASE" --inbox s1.50
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

bench "SQLite (WAL, synchronous=FULL)" "sqlite://$WORK/bench.db" "sqlite3 $WORK/bench.db"

PG_ADMIN=$(scripts/postgres.sh)
DB=portico_bench_$$
psql -q "$PG_ADMIN" -c "CREATE DATABASE $DB"
PG_URL="${PG_ADMIN%/*}/$DB"
echo "PostgreSQL: fsync=$(psql -tAc 'SHOW fsync' "$PG_URL"), synchronous_commit=$(psql -tAc 'SHOW synchronous_commit' "$PG_URL")"
bench "PostgreSQL 15" "$PG_URL" "psql -q $PG_URL"
psql -q "$PG_ADMIN" -c "DROP DATABASE $DB" || echo "(could not drop $DB; drop it by hand)"
