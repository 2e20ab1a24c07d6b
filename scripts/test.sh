#!/usr/bin/env bash
# Run the whole test suite twice: on SQLite, then on PostgreSQL.
# PostgreSQL is Debian's package; as root this script installs it when missing,
# then starts a throwaway server on a private port and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint (ruff, import-linter)"
$BIN/ruff check src tests bench
$BIN/lint-imports

echo "== test suite on SQLite"
$BIN/python -m pytest "$@"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] && [ "$(id -u)" = 0 ]; then
  echo "== installing PostgreSQL (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL is not installed and this is not root: install Debian's postgresql to run the PostgreSQL pass." >&2
  exit 1
fi

echo "== test suite on PostgreSQL ($pg_bin)"
url=$(scripts/pg-temp.sh start)
trap 'scripts/pg-temp.sh stop' EXIT
LIAISON_TEST_DATABASE_URL="$url" $BIN/python -m pytest "$@"
