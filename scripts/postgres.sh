#!/usr/bin/env bash
# Starts the local PostgreSQL cluster and makes sure the two test roles exist. Idempotent.
#   portico      creates the test databases, owns and migrates them (the owner's role)
#   portico_app  the server's runtime role: `portico migrate` grants it DML on every table
#                but only INSERT and SELECT on the audit log (the tests check it is refused more)
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
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='portico_app'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE portico_app LOGIN PASSWORD 'portico_app'\""
} >&2
echo "postgres://portico:portico@127.0.0.1:5432/postgres"
