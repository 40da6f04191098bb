#!/usr/bin/env bash
# The health record with 100,000 synthetic patients, on SQLite and PostgreSQL (figures for
# the closing notes, not pass/fail): how long the generator takes; results/list and
# results/trend at a fixed 500 requests/s from 50 signed-in patients (budget p99 ≤ 10 ms);
# the trend of one analyte with 10,000 values (budget ≤ 5 ms on the server).
# Usage: scripts/bench-record.sh [patients] [rate] — needs `make build` (release) first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PATIENTS=${1:-100000}
RATE=${2:-500}
PORT=3300
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v sqlite3 >/dev/null || { echo "bench-record needs the sqlite3 command (apt-get install sqlite3)"; exit 1; }
cargo build -q --release -p portico-server --example record_load
LOAD=target/release/examples/record_load

# 10,000 HbA1c values for the first synthetic patient, hourly (portable SQL).
BIG_SERIES="
INSERT INTO diagnostic_reports (patient_id, code, name, collected_at, resulted_at, released_at, reviewed_at)
  SELECT id, '4548-4', 'Hemoglobin A1c', 1600000000000, 1600000000000, 1600000000000, 1600000000000
  FROM patients WHERE mrn = 'S1-0000000';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, ref_low, ref_high, flag, effective_at, position)
  SELECT r.id, r.patient_id, '4548-4', 'Hemoglobin A1c', 5.0 + (i % 30) / 10.0, '%', 4.0, 5.6,
         CASE WHEN 5.0 + (i % 30) / 10.0 > 5.6 THEN 'H' END, 1600000000000 + CAST(i AS BIGINT) * 3600000, 0
  FROM n, (SELECT id, patient_id FROM diagnostic_reports WHERE code = '4548-4' AND collected_at = 1600000000000) r;"

bench() {
  local label=$1 url=$2 sql=$3
  echo
  echo "######## $label, $PATIENTS synthetic patients"
  export PORTICO_DATABASE_URL="$url" PORTICO_MAIL_DIR="$WORK/outbox" PORTICO_AUDIT_KEY_FILE="$WORK/audit.key" RUST_LOG=warn PORTICO_SERVER_TIMING=true
  ./target/release/portico migrate >/dev/null
  ./target/release/portico seed --synthetic "$PATIENTS" --seed 1 --accounts 50
  ./target/release/portico serve --addr "127.0.0.1:$PORT" --site-root target/site &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
  "$LOAD" --base "$BASE" --users s1. --accounts 50 --rate "$RATE" --seconds 20
  $sql <<<"$BIG_SERIES"
  "$LOAD" --base "$BASE" --big s1.0
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

bench "SQLite (WAL, synchronous=FULL)" "sqlite://$WORK/bench.db" "sqlite3 $WORK/bench.db"

PG_ADMIN=$(scripts/postgres.sh)
DB=portico_bench_$$
psql -q "$PG_ADMIN" -c "CREATE DATABASE $DB"
PG_URL="${PG_ADMIN%/*}/$DB"
bench "PostgreSQL 15" "$PG_URL" "psql -q $PG_URL"
psql -q "$PG_ADMIN" -c "DROP DATABASE $DB" || echo "(could not drop $DB; drop it by hand)"
