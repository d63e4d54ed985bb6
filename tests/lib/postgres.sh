# Sourced by CLI cases that need a PostgreSQL server: start_postgres DIR starts Debian's postgres
# on 127.0.0.1 (a free port) with its data in DIR, as the unprivileged user `nobody` when run as
# root (initdb refuses root); sets PG_URL and PG_PID; stop_postgres stops it. restart_postgres
# stops and starts it on the same port (the service must reconnect).
PG_BIN="${ZOOCI_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
as_pg_user() {
  if [[ "$(id -u)" == 0 ]]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; else "$@"; fi
}
start_postgres() {
  PG_DIR="$1"
  [[ -x "$PG_BIN/initdb" ]] || skip "PostgreSQL server binaries not found"
  mkdir -p "$PG_DIR"; chmod 0777 "$(dirname "$PG_DIR")" 2>/dev/null || true
  chmod o+x "$SCRATCH" 2>/dev/null || true  # mktemp -d is 0700: let nobody through
  [[ "$(id -u)" == 0 ]] && chown nobody:nogroup "$PG_DIR"
  as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U zooci --auth=trust -E UTF8 --no-locale \
    --no-sync >"$PG_DIR/../initdb.log" 2>&1 || { cat "$PG_DIR/../initdb.log"; fail "initdb failed"; }
  PG_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  launch_postgres
  as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U zooci -d postgres -qc "CREATE DATABASE zooci" \
    >/dev/null || fail "CREATE DATABASE failed"
  PG_URL="postgresql://zooci@127.0.0.1:$PG_PORT/zooci"
}
launch_postgres() {
  # Not through the as_pg_user function: a backgrounded function is a subshell, and its pid is
  # not the server's. setpriv execs postgres, so $! is the postmaster.
  local run=()
  [[ "$(id -u)" == 0 ]] && run=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  "${run[@]}" "$PG_BIN/postgres" -D "$PG_DIR/data" -k "$PG_DIR" -h 127.0.0.1 -p "$PG_PORT" \
    -c fsync=off >>"$PG_DIR/../postgres.log" 2>&1 &
  PG_PID=$!
  for i in $(seq 100); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U zooci && return 0
    sleep 0.1
  done
  cat "$PG_DIR/../postgres.log"; fail "postgres did not start"
}
stop_postgres() {
  [[ -n "${PG_PID:-}" ]] || return 0
  local pid="$PG_PID"
  [[ -s "$PG_DIR/data/postmaster.pid" ]] && pid="$(head -1 "$PG_DIR/data/postmaster.pid")"
  kill -INT "$pid" 2>/dev/null || true  # fast shutdown: sessions are cut, as in a real restart
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$PG_PID" 2>/dev/null || true
  PG_PID=""
}
restart_postgres() { stop_postgres; launch_postgres; }
