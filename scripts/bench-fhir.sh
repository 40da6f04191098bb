#!/usr/bin/env bash
# A connected app's FHIR reads (issue 18's budget: Observation search for a patient with
# 10,000 results, first page of 50, p99 ≤ 10 ms), with wrk from Debian, on SQLite and
# PostgreSQL: one connection (each request alone: the latency a single app sees) and 16
# (under load). The token comes from the real SMART flow (authorize, sign-in, consent,
# code, PKCE exchange), done here with curl; every read is audited as the app's.
# Figures for the closing notes, not pass/fail.
# Usage: scripts/bench-fhir.sh [seconds per run] — after `make build` (release).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
SECONDS_OF_LOAD=${1:-10}
PORT=3303
BASE="http://127.0.0.1:$PORT"
REDIRECT="http://127.0.0.1:8000/callback"
# RFC 7636's example pair.
VERIFIER="dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
WORK=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "bench-fhir needs wrk (apt-get install wrk)"; exit 1; }

# 10,000 glucose results for Avery (MRN 100001), one an hour, each its own report.
BIG_SERIES="
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO diagnostic_reports (patient_id, code, name, collected_at, resulted_at, released_at, reviewed_at)
  SELECT p.id, '2345-7', 'Glucose', 1600000000000 + CAST(i AS BIGINT) * 3600000,
         1600000000000 + CAST(i AS BIGINT) * 3600000, 1600000000000 + CAST(i AS BIGINT) * 3600000,
         1600000000000 + CAST(i AS BIGINT) * 3600000
  FROM n, patients p WHERE p.mrn = '100001';
INSERT INTO observations (report_id, patient_id, loinc, name, value_num, unit, ref_low, ref_high, effective_at, position)
  SELECT r.id, r.patient_id, '2345-7', 'Glucose', 80 + (r.id % 40), 'mg/dL', 70, 99, r.collected_at, 0
  FROM diagnostic_reports r WHERE r.code = '2345-7' AND r.name = 'Glucose' AND r.collected_at >= 1600000000000
  AND r.collected_at <= 1600000000000 + CAST(10000 AS BIGINT) * 3600000;"

# The SMART flow as a browser and an app make it; prints the access token.
token() {
  local jar="$WORK/jar" avery=$1
  rm -f "$jar"
  curl -sf -c "$jar" -b "$jar" -o /dev/null -G "$BASE/oauth/authorize" \
    --data-urlencode response_type=code --data-urlencode client_id=portico-demo-app \
    --data-urlencode redirect_uri="$REDIRECT" --data-urlencode "scope=launch/patient patient/*.rs" \
    --data-urlencode state=bench --data-urlencode aud="$BASE/fhir/r4" \
    --data-urlencode code_challenge="$CHALLENGE" --data-urlencode code_challenge_method=S256
  curl -sf -c "$jar" -b "$jar" -o /dev/null -H "Origin: $BASE" --data-urlencode username=avery \
    --data-urlencode 'password=Portico-Demo-2026!' "$BASE/api/auth/sign_in"
  local request
  request=$(curl -sf -c "$jar" -b "$jar" -H "Origin: $BASE" -X POST "$BASE/api/apps/consent" \
    | sed -n 's/.*"request_id":\([0-9]*\).*/\1/p')
  curl -s -c "$jar" -b "$jar" -o /dev/null -H "Origin: $BASE" -H "Accept: text/html" -H "Referer: $BASE/connect" \
    --data "request=$request&decision=allow&chart=$avery&kinds[]=basics&kinds[]=lab-results" \
    "$BASE/api/apps/consent/answer"
  local code
  code=$(curl -sf -c "$jar" -b "$jar" "$BASE/connect/done" | sed -n 's/.*[?&;]code=\([^&"]*\).*/\1/p' | head -1)
  curl -sf -d grant_type=authorization_code -d client_id=portico-demo-app -d redirect_uri="$REDIRECT" \
    -d code_verifier="$VERIFIER" -d code="$code" "$BASE/oauth/token" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

scalar() {
  case "$PORTICO_DATABASE_URL" in
    sqlite:*) sqlite3 "${PORTICO_DATABASE_URL#sqlite://}" "$1" ;;
    *) psql -tAc "$1" "$PORTICO_DATABASE_URL" ;;
  esac
}

bench() {
  local label=$1 url=$2 sql=$3
  echo
  echo "######## $label"
  export PORTICO_DATABASE_URL="$url" PORTICO_MAIL_DIR="$WORK/outbox" PORTICO_AUDIT_KEY_FILE="$WORK/audit.key" \
    RUST_LOG=warn PORTICO_PUBLIC_URL="$BASE"
  ./target/release/portico migrate >/dev/null
  ./target/release/portico seed --demo >/dev/null
  $sql <<<"$BIG_SERIES"
  ./target/release/portico serve --addr "127.0.0.1:$PORT" --site-root target/site &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
  local avery access
  avery=$(scalar "SELECT id FROM patients WHERE mrn = '100001'")
  access=$(token "$avery")
  [ -n "$access" ] || { echo "no token from the SMART flow"; exit 1; }
  local page="$BASE/fhir/r4/Observation?patient=$avery&_count=50"
  echo "first page: $(curl -s -H "Authorization: Bearer $access" "$page" | grep -o '"resourceType":"Observation"' | wc -l) observations"
  local before after
  before=$(scalar "SELECT COUNT(*) FROM audit_log WHERE action = 'app-read'")
  for connections in 1 16; do
    printf -- '-- Observation search, first page of 50, %s connection(s)\n' "$connections"
    TOKEN="$access" wrk -t"$(( connections > 1 ? 2 : 1 ))" -c"$connections" -d"${SECONDS_OF_LOAD}s" --latency \
      -s scripts/wrk/bearer.lua "$page" | grep -E 'Requests/sec|statuses'
  done
  printf -- '-- Observation search, a later page (cursor), 1 connection\n'
  local later="$page&_cursor=1610000000000.999999"
  TOKEN="$access" wrk -t1 -c1 -d"${SECONDS_OF_LOAD}s" --latency -s scripts/wrk/bearer.lua "$later" \
    | grep -E 'Requests/sec|statuses'
  after=$(scalar "SELECT COUNT(*) FROM audit_log WHERE action = 'app-read'")
  echo "  app reads audited: $((after - before))"
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

bench "SQLite (WAL, synchronous=FULL)" "sqlite://$WORK/bench.db" "sqlite3 $WORK/bench.db"

PG_ADMIN=$(scripts/postgres.sh)
DB=portico_fhir_$$
psql -q "$PG_ADMIN" -c "CREATE DATABASE $DB"
PG_URL="${PG_ADMIN%/*}/$DB"
bench "PostgreSQL 15" "$PG_URL" "psql -q $PG_URL"
psql -q "$PG_ADMIN" -c "DROP DATABASE $DB" || echo "(could not drop $DB; drop it by hand)"
