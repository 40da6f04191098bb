#!/usr/bin/env bash
# The document center's PDFs (issue 16's budget: a copy of the demo patient's whole record
# in ≤ 300 ms of server time), on SQLite: the copy HIM makes of Avery's record and of a
# synthetic patient's with 10,000 results, their downloads, a two-visit record, and the
# server's peak memory (VmHWM) before and after. Figures for the closing notes, not
# pass/fail. Usage: scripts/bench-documents.sh — builds the release server and the example.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
PORT=3303
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v sqlite3 >/dev/null || { echo "bench-documents needs the sqlite3 command (apt-get install sqlite3)"; exit 1; }
cargo build -q --release -p portico-server --bin portico --example documents_load
LOAD=target/release/examples/documents_load

# 10,000 released lipid-panel-like reports of three values each for the first synthetic
# patient, one a day back from 2026 (portable SQL).
BIG_CHART="
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO diagnostic_reports (patient_id, code, name, collected_at, resulted_at, released_at, reviewed_at)
  SELECT p.id, '24331-1', 'Lipid panel', 1790000000000 - i * 86400000, 1790000000000 - i * 86400000,
         1790000000000 - i * 86400000, 1790000000000 - i * 86400000
  FROM n, patients p WHERE p.mrn = 'S1-0000000';
INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, ref_low, ref_high, flag, effective_at, position)
  SELECT r.id, r.patient_id, c.loinc, c.name, c.value, 'mg/dL', NULL, c.high, NULL, r.collected_at, c.position
  FROM diagnostic_reports r JOIN patients p ON p.id = r.patient_id AND p.mrn = 'S1-0000000',
       (SELECT '2093-3' AS loinc, 'Cholesterol' AS name, 190.0 AS value, 200.0 AS high, 0 AS position
        UNION ALL SELECT '2571-8', 'Triglycerides', 140.0, 150.0, 1
        UNION ALL SELECT '2085-9', 'HDL cholesterol', 45.0, NULL, 2) c
  WHERE r.code = '24331-1';"

export PORTICO_DATABASE_URL="sqlite://$WORK/bench.db" PORTICO_MAIL_DIR="$WORK/outbox" PORTICO_AUDIT_KEY_FILE="$WORK/audit.key" RUST_LOG=warn PORTICO_SERVER_TIMING=true
./target/release/portico migrate >/dev/null
./target/release/portico seed --demo >/dev/null
./target/release/portico seed --synthetic 1 --seed 1 --accounts 1 >/dev/null
sqlite3 "$WORK/bench.db" <<<"$BIG_CHART"
echo "synthetic patient: $(sqlite3 "$WORK/bench.db" "SELECT COUNT(*) FROM diagnostic_reports r JOIN patients p ON p.id = r.patient_id WHERE p.mrn = 'S1-0000000'") results"
./target/release/portico serve --addr "127.0.0.1:$PORT" --site-root target/site &
SERVER=$!
for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
peak() { awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$SERVER/status"; }
echo "server peak memory before: $(peak)"
"$LOAD" --base "$BASE" --big s1.0 --pid "$SERVER"
echo "server peak memory after:  $(peak)"
