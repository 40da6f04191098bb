#!/usr/bin/env bash
# Starts the local PostgreSQL cluster and makes sure the test role exists. Idempotent.
# Prints the admin URL the tests create their databases with, and nothing else on stdout.
set -euo pipefail
{
  version=$(ls /etc/postgresql | sort -n | tail -1)
  pg_ctlcluster "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 && break
    sleep 1
  done
  pg_isready -h 127.0.0.1
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='portico'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE portico LOGIN PASSWORD 'portico' CREATEDB\""
} >&2
echo "postgres://portico:portico@127.0.0.1:5432/postgres"
