# Starts a throwaway PostgreSQL server for the tests: initdb in a temporary folder, listening on 127.0.0.1 only
# (no Unix socket outside that folder), on a free port. Source this file, then:
#   postgres_start   → sets PARITY_TEST_POSTGRES_URL (admin URL, database "postgres") and PG_TEST_DIR
#   postgres_stop    → stops the server and removes the folder
# Runs the server as the 'postgres' user when invoked as root (initdb refuses root).

postgres_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

postgres_start() {
    local bin port as_user=()
    bin=$(postgres_bin) || { echo "postgres_start: no initdb found (apt-get install postgresql)" >&2; return 1; }
    PG_TEST_DIR=$(mktemp -d /tmp/parity-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$PG_TEST_DIR"
        as_user=(runuser -u postgres --)
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "${as_user[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U parity --auth=trust -E UTF8 >"$PG_TEST_DIR/initdb.log" 2>&1 ||
        { cat "$PG_TEST_DIR/initdb.log" >&2; return 1; }
    "${as_user[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_DIR -c fsync=off -c max_connections=200" start >/dev/null ||
        { cat "$PG_TEST_DIR/server.log" >&2; return 1; }
    PG_TEST_BIN=$bin
    export PARITY_TEST_POSTGRES_URL="postgres://parity@127.0.0.1:$port/postgres"
}

postgres_stop() {
    [ -n "${PG_TEST_DIR:-}" ] && [ -d "$PG_TEST_DIR/data" ] || return 0
    local as_user=()
    [ "$(id -u)" = 0 ] && as_user=(runuser -u postgres --)
    "${as_user[@]}" "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
    unset PG_TEST_DIR
}
