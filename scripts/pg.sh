#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests.
#   scripts/pg.sh start DIR   initialises and starts a cluster under DIR; prints its URL
#   scripts/pg.sh stop DIR    stops it and removes DIR
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail
action="${1:?start or stop}"
dir="${2:?a directory for the cluster}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
    echo "pg.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
    exit 1
fi
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
    start)
        mkdir -p "$dir"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; echo "pg.sh: initdb failed" >&2; exit 1; }
        as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null \
            || { cat "$dir/server.log" >&2; echo "pg.sh: PostgreSQL did not start" >&2; exit 1; }
        echo "postgres://postgres@127.0.0.1:$port/postgres"
        ;;
    stop)
        if [ -d "$dir/data" ]; then
            as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$dir"
        ;;
    *)
        echo "pg.sh: unknown action $action" >&2
        exit 2
        ;;
esac
