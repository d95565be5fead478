# shellcheck shell=bash
# Starts a private, throw-away PostgreSQL cluster on loopback for the backend's tests and exports
# VMAGENT_TEST_PG_URL, VMAGENT_TEST_PG_USER and VMAGENT_TEST_PG_PASSWORD. Call
# stop_test_postgres when done (bin/test does it in an EXIT trap).

VMAGENT_PG_DIR=""
VMAGENT_PG_BIN=""

_pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_pg_port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_test_postgres() {
  ensure_packages postgresql || return 1
  VMAGENT_PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$VMAGENT_PG_BIN" || ! -x "$VMAGENT_PG_BIN/initdb" ]]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
    return 1
  fi
  VMAGENT_PG_DIR=$(mktemp -d /tmp/vmagent-pg.XXXXXX)
  chmod 0700 "$VMAGENT_PG_DIR"
  local password
  password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  printf '%s\n' "$password" >"$VMAGENT_PG_DIR/pwfile"
  chmod 0600 "$VMAGENT_PG_DIR/pwfile"
  if [[ $(id -u) -eq 0 ]]; then
    chown -R postgres: "$VMAGENT_PG_DIR"
  fi
  _pg_as_owner "$VMAGENT_PG_BIN/initdb" -D "$VMAGENT_PG_DIR/data" -U vmagent -A scram-sha-256 \
    --pwfile="$VMAGENT_PG_DIR/pwfile" -E UTF8 --no-locale >"$VMAGENT_PG_DIR/initdb.log" 2>&1 ||
    { cat "$VMAGENT_PG_DIR/initdb.log" >&2; return 1; }
  rm -f "$VMAGENT_PG_DIR/pwfile"
  # A port that looked free can be taken before the server binds it (another test run on the
  # same machine): then the next one is tried.
  local port=55432 started=""
  while ((port <= 55500)); do
    if _pg_port_free "$port" &&
      _pg_as_owner "$VMAGENT_PG_BIN/pg_ctl" -D "$VMAGENT_PG_DIR/data" -l "$VMAGENT_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $VMAGENT_PG_DIR -c fsync=off -c max_connections=200" \
        start >/dev/null 2>&1; then
      started=yes
      break
    fi
    port=$((port + 1))
  done
  if [[ -z "$started" ]]; then
    echo "the test PostgreSQL did not start on any port between 55432 and 55500; its last log:" >&2
    cat "$VMAGENT_PG_DIR/server.log" >&2
    return 1
  fi
  export VMAGENT_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/postgres"
  export VMAGENT_TEST_PG_USER=vmagent
  export VMAGENT_TEST_PG_PASSWORD="$password"
  echo "Test PostgreSQL running on 127.0.0.1:$port (data in $VMAGENT_PG_DIR)"
}

stop_test_postgres() {
  if [[ -n "$VMAGENT_PG_DIR" && -d "$VMAGENT_PG_DIR/data" ]]; then
    _pg_as_owner "$VMAGENT_PG_BIN/pg_ctl" -D "$VMAGENT_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [[ -n "$VMAGENT_PG_DIR" ]]; then
    rm -rf "$VMAGENT_PG_DIR"
  fi
  VMAGENT_PG_DIR=""
}
