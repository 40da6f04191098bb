#!/usr/bin/env bash
# The Billing Summary under load (issue 17's budget: a guarantor with 10 accounts and 5,000
# ledger rows, server p99 ≤ 10 ms on both databases), with wrk from Debian: 2 threads, 16
# connections, Avery signed in. Avery's 3 demo accounts get 7 more of 700 charges each
# (4,900 rows; with the demo's own, 5,000 and some). Every answer waits for its audit row.
# Also "View account" on one of the 700-row accounts, and payments recorded per second
# through the processor's webhook. Figures for the closing notes.
# Usage: scripts/bench-billing.sh [seconds per run] — after `make build` (release).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
SECONDS_OF_LOAD=${1:-10}
PORT=3304
BASE="http://127.0.0.1:$PORT"
WORK=$(mktemp -d)
SERVER=
WEBHOOK_SECRET="whsec_bench_$$"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "bench-billing needs wrk (apt-get install wrk)"; exit 1; }

# 7 accounts of 700 charges for Avery, in one statement per backend.
SQLITE_ROWS="
INSERT INTO billing_accounts (number, guarantor_id, service_area_id, created_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7)
  SELECT 'BENCH-' || i, (SELECT patient_id FROM users WHERE username = 'avery'),
         (SELECT MIN(id) FROM billing_service_areas), 0 FROM n;
INSERT INTO billing_account_patients (account_id, patient_id)
  SELECT id, guarantor_id FROM billing_accounts WHERE number LIKE 'BENCH-%';
INSERT INTO billing_entries (account_id, kind, patient_id, service_date, description, procedure_code, amount_cents, posted_at)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 700)
  SELECT a.id, 'charge', a.guarantor_id, '2026-01-01', 'Office visit', '99213', 100 + i, 0
  FROM billing_accounts a, n WHERE a.number LIKE 'BENCH-%';"
PG_ROWS="
INSERT INTO billing_accounts (number, guarantor_id, service_area_id, created_at)
  SELECT 'BENCH-' || i, (SELECT patient_id FROM users WHERE username = 'avery'),
         (SELECT MIN(id) FROM billing_service_areas), 0 FROM generate_series(1, 7) AS i;
INSERT INTO billing_account_patients (account_id, patient_id)
  SELECT id, guarantor_id FROM billing_accounts WHERE number LIKE 'BENCH-%';
INSERT INTO billing_entries (account_id, kind, patient_id, service_date, description, procedure_code, amount_cents, posted_at)
  SELECT a.id, 'charge', a.guarantor_id, '2026-01-01', 'Office visit', '99213', 100 + i, 0
  FROM billing_accounts a, generate_series(1, 700) AS i WHERE a.number LIKE 'BENCH-%';"

sql() {
  case "$PORTICO_DATABASE_URL" in
    sqlite:*) sqlite3 "${PORTICO_DATABASE_URL#sqlite://}" "$1" ;;
    *) psql -q -tAc "$1" "$PORTICO_DATABASE_URL" ;;
  esac
}

# One connection (the server's own time, no queue) and 16 (throughput under load).
run_wrk() {
  local label=$1 path=$2 body=$3
  for connections in 1 16; do
    printf '%s\n' "-- $label, $connections connection(s)"
    COOKIE="$COOKIE" ORIGIN="$BASE" BODY="$body" wrk -t"$((connections > 1 ? 2 : 1))" -c"$connections" \
      -d"${SECONDS_OF_LOAD}s" --latency -s scripts/wrk/post.lua "$BASE$path" \
      | grep -E 'Requests/sec|statuses|Non-2xx|Socket errors'
  done
}

bench() {
  local label=$1 url=$2 rows=$3
  echo
  echo "######## $label"
  export PORTICO_DATABASE_URL="$url" PORTICO_MAIL_DIR="$WORK/outbox" PORTICO_AUDIT_KEY_FILE="$WORK/audit.key" RUST_LOG=warn
  ./target/release/portico migrate >/dev/null
  ./target/release/portico seed --demo >/dev/null
  sql "$rows"
  # What the database's own maintenance does after a bulk load (autovacuum, ANALYZE).
  case "$url" in
    sqlite:*) sql "ANALYZE" ;;
    *) sql "VACUUM ANALYZE billing_entries" ;;
  esac
  echo "  Avery's accounts: $(sql "SELECT COUNT(*) FROM billing_accounts a JOIN users u ON u.patient_id = a.guarantor_id WHERE u.username = 'avery'"), ledger rows: $(sql "SELECT COUNT(*) FROM billing_entries e JOIN billing_accounts a ON a.id = e.account_id JOIN users u ON u.patient_id = a.guarantor_id WHERE u.username = 'avery'")"
  PORTICO_PAYMENTS=test PORTICO_PAYMENTS_WEBHOOK_SECRET="$WEBHOOK_SECRET" \
    ./target/release/portico serve --addr "127.0.0.1:$PORT" --site-root target/site &
  SERVER=$!
  for _ in $(seq 1 50); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
  COOKIE=$(curl -s -o /dev/null -D - -H "Origin: $BASE" --data-urlencode username=avery \
    --data-urlencode 'password=Portico-Demo-2026!' "$BASE/api/auth/sign_in" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(portico_session=[^;]*\);.*/\1/p')
  [ -n "$COOKIE" ] || { echo "could not sign in as avery"; exit 1; }
  run_wrk "billing/summary (10 accounts)" /api/billing/summary ""
  local big
  big=$(sql "SELECT MIN(id) FROM billing_accounts WHERE number LIKE 'BENCH-%'")
  run_wrk "billing/account (700 charges)" /api/billing/account "account_id=$big"
  webhook_payments
  kill $SERVER; wait $SERVER 2>/dev/null || true; SERVER=
}

# Payments recorded per second through the processor's signed webhook: $EVENTS_MADE open
# payments on Avery's account, each with its own checkout, then one "completed" event per
# checkout (a different charge each), signed as the processor signs, sent by wrk with 16
# connections. Each event is one transaction (the ledger row, the payment marked paid) and
# a receipt e-mail queued. The ledger is then checked: one row per event answered 200.
EVENTS_MADE=60000
webhook_payments() {
  local account avery
  account=$(sql "SELECT id FROM billing_accounts WHERE number = '4000017'")
  avery=$(sql "SELECT id FROM users WHERE username = 'avery'")
  sql "INSERT INTO billing_payments (account_id, amount_cents, idempotency_key, processor, checkout_ref, started_by, started_at)
       $(series_sql "SELECT $account, 100, 'bench-' || i, 'test', 'cs_bench_' || i, $avery, 0")"
  python3 - "$WORK/events.tsv" "$WEBHOOK_SECRET" "$EVENTS_MADE" <<'PY'
import hashlib, hmac, json, sys, time
path, secret, count = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
now = int(time.time())
with open(path, "w") as out:
    for i in range(1, count + 1):
        body = json.dumps({"id": f"evt_bench_{i}", "type": "checkout.session.completed",
            "data": {"object": {"id": f"cs_bench_{i}", "object": "checkout.session", "payment_status": "paid",
                                "amount_total": 100, "payment_intent": f"pi_bench_{i}"}}}, separators=(",", ":"))
        mac = hmac.new(secret, f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
        out.write(f"t={now},v1={mac}\t{body}\n")
PY
  local before after
  before=$(sql "SELECT COUNT(*) FROM billing_entries WHERE processor_charge LIKE 'pi_bench_%'")
  printf '%s\n' "-- payments/webhook (a new charge per event), 16 connections"
  EVENTS="$WORK/events.tsv" THREADS=2 wrk -t2 -c16 -d"${SECONDS_OF_LOAD}s" --latency -s scripts/wrk/webhook.lua \
    "$BASE/api/payments/webhook" | grep -E 'Requests/sec|statuses|Non-2xx|Socket errors'
  after=$(sql "SELECT COUNT(*) FROM billing_entries WHERE processor_charge LIKE 'pi_bench_%'")
  echo "  payments recorded: $((after - before)) in ${SECONDS_OF_LOAD} s ($(((after - before) / SECONDS_OF_LOAD))/s); paid: $(sql "SELECT COUNT(*) FROM billing_payments WHERE idempotency_key LIKE 'bench-%' AND status = 'paid'")"
}

# "SELECT … FROM" the numbers 1..$EVENTS_MADE as i, in the database's own way.
series_sql() {
  case "$PORTICO_DATABASE_URL" in
    sqlite:*) echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EVENTS_MADE) $1 FROM n" ;;
    *) echo "$1 FROM generate_series(1, $EVENTS_MADE) AS i" ;;
  esac
}

bench "SQLite (WAL, synchronous=FULL)" "sqlite://$WORK/bench.db" "$SQLITE_ROWS"
PG_ADMIN=$(scripts/postgres.sh)
DB=portico_billing_$$
psql -q "$PG_ADMIN" -c "CREATE DATABASE $DB"
bench "PostgreSQL 15" "${PG_ADMIN%/*}/$DB" "$PG_ROWS"
psql -q "$PG_ADMIN" -c "DROP DATABASE $DB" || echo "(could not drop $DB; drop it by hand)"
