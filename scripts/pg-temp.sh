#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite: `start` prints its URL, `stop` removes it.
set -euo pipefail
dir=${LIAISON_PG_DIR:-/tmp/liaison-pg-test}
port=${LIAISON_PG_PORT:-54329}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-}" in
  start)
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
    if [ -d "$dir/data" ]; then as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
