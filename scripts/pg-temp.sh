#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite: `start` prints its URL, `stop` removes it,
# `bin` prints the PostgreSQL programs' folder (exit 3 when PostgreSQL is not installed).
# LIAISON_PG_DIR and LIAISON_PG_PORT place it; tests/conftest.py gives each pytest run its own
# pair, so runs side by side never stop each other's server.
set -euo pipefail
dir=${LIAISON_PG_DIR:-/tmp/liaison-pg-test}
port=${LIAISON_PG_PORT:-54329}
find_bin() {
  # Debian's packages keep the server programs out of PATH, one folder per major version.
  local debian
  debian=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$debian" ]; then echo "$debian"; return; fi
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then dirname "$(command -v pg_ctl)"; return; fi
  echo "PostgreSQL is not installed: install Debian's postgresql package (apt-get install postgresql)" >&2
  exit 3
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  bin)
    find_bin
    ;;
  start)
    pg_bin=$(find_bin)
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
    as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres liaison_test
    echo "postgresql://postgres@127.0.0.1:$port/liaison_test"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      pg_bin=$(find_bin)
      as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|bin" >&2; exit 2 ;;
esac
