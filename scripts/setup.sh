#!/usr/bin/env bash
# Sets up a new machine for `npm test`: the Debian packages the suite runs for real, the npm
# dependencies from the lockfile, and the pinned upstream data when the one resolver
# (test/upstream.ts) finds none. Safe to repeat: installs only what is missing.
#   rclone             the DR mirror, refill and blob-drill scripts run against local folders
#   python3-botocore   AWS's own API models: IAM user and KMS alias names are held to them
#   postgresql         the restore drill's SQL checks run on a real PostgreSQL
#   prometheus         promtool evaluates the alert rules
#   openssl            throwaway CAs for the Harbor API client's TLS trust tests
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v rclone >/dev/null || missing+=(rclone)
[ -f /usr/lib/python3/dist-packages/botocore/data/iam/2010-05-08/service-2.json ] || missing+=(python3-botocore)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v promtool >/dev/null || missing+=(prometheus)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
# A clone without the shared upstream folder beside it: fill .upstream-cache (sha256-checked).
if ! npx ts-node --transpile-only -e 'require("./test/upstream").upstreamDir()' >/dev/null 2>&1; then
  node scripts/fetch-upstream.mjs
fi
