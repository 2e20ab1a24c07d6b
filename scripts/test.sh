#!/usr/bin/env bash
# Lint, then the whole test suite in one pytest run: every test that touches the store runs on
# SQLite and on PostgreSQL (test_x[sqlite], test_x[postgresql]); tests/conftest.py starts a
# throwaway PostgreSQL server with scripts/pg-temp.sh and removes it afterwards.
# PostgreSQL is Debian's package; as root this script installs it when missing. Without it the
# [postgresql] tests are skipped, saying how to install it, except under CI=true, where they fail.
# Chromium (Debian's package, for the web UI's browser tests) is treated the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

echo "== lint (ruff, import-linter)"
$BIN/ruff check src tests bench
$BIN/lint-imports

if ! scripts/pg-temp.sh bin >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "== installing PostgreSQL (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
if ! test -x /usr/bin/chromium && [ "$(id -u)" = 0 ]; then
  echo "== installing Chromium (Debian package, for tests/test_web_browser.py)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
fi
if pg_bin=$(scripts/pg-temp.sh bin 2>/dev/null); then
  echo "== test suite on SQLite and PostgreSQL ($pg_bin)"
else
  echo "== test suite on SQLite (PostgreSQL is not installed and this is not root: install Debian's postgresql" \
       "to run the [postgresql] tests)" >&2
fi
$BIN/python -m pytest "$@"
