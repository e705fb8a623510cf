#!/bin/bash
# Dev: a copy of Harbor's chart-internal database before a new chart version migrates it. Runs in
# the harbor-db image of the target release (upgrade.ts). Its pg_dump is the newest PostgreSQL
# there, never older than the server it dumps.
#
# The password comes from the chart's own Secret (<release>-database, POSTGRES_PASSWORD), mounted
# optional: on a first install that Secret does not exist yet, so there is nothing to copy and
# the Job succeeds. Once Harbor is installed, any failure fails the Job and with it the
# `pulumi up`, before the Release changes. Dumps are never deleted here.
#
# Environment: PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD (may be empty), DUMP_DIR, TARGET
# (the chart version about to be deployed).
set -euo pipefail

if [ -z "${PGPASSWORD:-}" ]; then
  echo "no ${PGHOST} Secret: Harbor is not installed yet, nothing to copy"
  exit 0
fi

bin=""
if command -v pg_dump >/dev/null 2>&1; then bin="$(dirname "$(command -v pg_dump)")"; fi
for candidate in /usr/pgsql/*/bin; do
  if [ -x "${candidate}/pg_dump" ]; then bin="${candidate}"; fi
done
if [ -z "${bin}" ]; then
  echo "no pg_dump in this image" >&2
  exit 1
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${DUMP_DIR}/${PGDATABASE}-before-${TARGET}-${stamp}.dump"
"${bin}/pg_dump" --format=custom --no-owner --file="${out}.partial" "${PGDATABASE}"
# A dump that pg_restore cannot list is no copy.
"${bin}/pg_restore" --list "${out}.partial" >/dev/null
mv "${out}.partial" "${out}"
echo "copied ${PGDATABASE} to ${out} ($(wc -c <"${out}") bytes)"
ls -l "${DUMP_DIR}"
