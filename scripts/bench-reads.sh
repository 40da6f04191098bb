#!/usr/bin/env bash
# Audited chart reads per second (issue 13's budget: results/list and home/overview at
# ≥ 4,000/s on SQLite with p99 ≤ 10 ms, ≥ 2,500/s on PostgreSQL), with wrk from Debian: 2
# threads, 16 connections, one signed-in patient. Every one of these answers waits for its
# audit row to be committed; the script counts the rows to show it. For comparison,
# auth/me (no audit row) and /healthz. Figures for the closing notes, not pass/fail.
# Usage: scripts/bench-reads.sh [seconds per run] — after `make build` (release).
# PORTICO_BIN runs another build (to compare two side by side); BENCH_DATABASES=sqlite
# skips PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
SECONDS_OF_LOAD=${1:-10}
PORTICO_BIN=${PORTICO_BIN:-./target/release/portico}
BENCH_DATABASES=${BENCH_DATABASES:-sqlite postgres}
PORT=3302
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "bench-reads needs wrk (apt-get install wrk)"; exit 1; }

# The server's CPU time (user + system, in clock ticks) and the machine's context switches
# so far: per request, they vary far less from run to run than requests a second do on a
# shared machine, so two builds can be told apart with them.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
context_switches() { awk '/^ctxt/ {print $2}' /proc/stat; }

run_wrk() {
  local label=$1 path=$2 cookie=$3 out ticks switches answered
  printf '%s\n' "-- $label"
  ticks=$(server_ticks) switches=$(context_switches)
  out=$(COOKIE="$cookie" ORIGIN="$BASE" wrk -t2 -c16 -d"${SECONDS_OF_LOAD}s" --latency -s scripts/wrk/post.lua "$BASE$path")
  ticks=$(( $(server_ticks) - ticks )) switches=$(( $(context_switches) - switches ))
  grep -E 'Requests/sec|statuses|Non-2xx|Socket errors' <<<"$out"
  answered=$(grep -oP 'statuses \{.*?200: \K[0-9]+' <<<"$out" || echo 0)
  if [ "${answered:-0}" -gt 0 ]; then
    echo "  per answer: $(( ticks * 1000000 / $(getconf CLK_TCK) / answered )) µs of server CPU," \
      "$(( switches / answered )) context switches (the whole machine's, wrk's too)"
  fi
}

audit_rows() {
  local sql="SELECT COUNT(*) FROM audit_log"
  case "$PORTICO_DATABASE_URL" in
    sqlite:*) sqlite3 "${PORTICO_DATABASE_URL#sqlite://}" "$sql" ;;
    *) psql -tAc "$sql" "$PORTICO_DATABASE_URL" ;;
  esac
}

bench() {
  local label=$1 url=$2
  echo
  echo "######## $label"
  export PORTICO_DATABASE_URL="$url" PORTICO_MAIL_DIR="$WORK/outbox" PORTICO_AUDIT_KEY_FILE="$WORK/audit.key" RUST_LOG=warn
  "$PORTICO_BIN" migrate >/dev/null
  "$PORTICO_BIN" seed --demo >/dev/null
  "$PORTICO_BIN" serve --addr "127.0.0.1:$PORT" --site-root target/site &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
  local cookie
  cookie=$(curl -s -o /dev/null -D - -H "Origin: $BASE" --data-urlencode username=avery \
    --data-urlencode 'password=Portico-Demo-2026!' "$BASE/api/auth/sign_in" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(portico_session=[^;]*\);.*/\1/p')
  [ -n "$cookie" ] || { echo "could not sign in as avery"; exit 1; }
  for fn in results/list home/overview; do
    local before after
    before=$(audit_rows)
    run_wrk "$fn (audited)" "/api/$fn" "$cookie"
    after=$(audit_rows)
    echo "  audit rows written: $((after - before))"
  done
  run_wrk "auth/me (no audit row)" /api/auth/me "$cookie"
  printf '%s\n' "-- /healthz (GET)"
  wrk -t2 -c16 -d"${SECONDS_OF_LOAD}s" --latency "$BASE/healthz" | grep -E 'Requests/sec|99%'
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

bench "SQLite (WAL, synchronous=FULL)" "sqlite://$WORK/bench.db"
[[ " $BENCH_DATABASES " == *" postgres "* ]] || exit 0

PG_ADMIN=$(scripts/postgres.sh)
DB=portico_reads_$$
psql -q "$PG_ADMIN" -c "CREATE DATABASE $DB"
PG_URL="${PG_ADMIN%/*}/$DB"
echo "PostgreSQL: fsync=$(psql -tAc 'SHOW fsync' "$PG_URL"), synchronous_commit=$(psql -tAc 'SHOW synchronous_commit' "$PG_URL")"
bench "PostgreSQL 15" "$PG_URL"
psql -q "$PG_ADMIN" -c "DROP DATABASE $DB" || echo "(could not drop $DB; drop it by hand)"
