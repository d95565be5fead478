#!/usr/bin/env bash
# Fleet-scale benchmark of the reference backend.
#
# Starts vm-backend as separate processes (embedded H2, then a private PostgreSQL 15 cluster on a
# free loopback port), runs the fleet simulator against them and writes one JSON report per run
# and a Markdown table. Every run is bounded (registration timeout, warm-up, duration), and every
# process it starts is stopped on exit, including on Ctrl-C.
#
# Usage (from the repository root, after `mvn -B -DskipTests package`):
#   simulator/run-fleet-bench.sh                 # everything: h2 pg search two
#   PHASES="h2" SIZES="100 1000" simulator/run-fleet-bench.sh
#
# Settings (environment):
#   PHASES              which parts to run, in order: h2 pg search two   (default: all four)
#   SIZES               fleet sizes of the h2 and pg parts              (default: 100 1000 5000)
#   DURATION, WARMUP    measured and warm-up seconds of each run        (default: 120, 15)
#   HEARTBEAT, METRICS, POLL_WAIT  agent intervals in seconds   (default: 30, 60, 25 as the agent)
#   COMMANDS_PER_SECOND operator commands queued per second             (default: 2)
#   SEARCH_DB           database of the search: h2 or pg                (default: h2)
#   SEARCH_MAX, SEARCH_STEPS  largest N tried and most search runs      (default: 16000, 5)
#   SEARCH_START        "LO HI": N known to hold and N known not to (0 = unknown); default:
#                       taken from the verdicts of the SIZES runs on SEARCH_DB
#   TWO_SIZES           fleet sizes of the two-instance part  (default: auto = 1000 and twice
#                       the largest N the search found one instance to hold)
#   BACKEND_JAVA_OPTS   JVM options of each backend                     (default: none)
#   SIM_JAVA_OPTS       JVM options of the simulator                    (default: -Xmx3g)
#   NICE                niceness of the backends and the simulator: a negative value (as root)
#                       shields them from other work on a shared machine  (default: 0)
#   OUT                 where reports go                 (default: simulator/target/fleet-bench)
#   BACKEND_JAR         the backend jar                  (default: backend/target/vm-backend.jar)
#   SIM_JAR             the simulator jar                (default: simulator/target/vm-fleet-sim.jar)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKEND_JAR=${BACKEND_JAR:-$ROOT/backend/target/vm-backend.jar}
SIM_JAR=${SIM_JAR:-$ROOT/simulator/target/vm-fleet-sim.jar}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

PHASES=${PHASES:-"h2 pg search two"}
SIZES=${SIZES:-"100 1000 5000"}
DURATION=${DURATION:-120}
WARMUP=${WARMUP:-15}
HEARTBEAT=${HEARTBEAT:-30}
METRICS=${METRICS:-60}
POLL_WAIT=${POLL_WAIT:-25}
COMMANDS_PER_SECOND=${COMMANDS_PER_SECOND:-2}
SEARCH_DB=${SEARCH_DB:-h2}
SEARCH_MAX=${SEARCH_MAX:-16000}
SEARCH_STEPS=${SEARCH_STEPS:-5}
SEARCH_START=${SEARCH_START:-}
TWO_SIZES=${TWO_SIZES:-auto}
BACKEND_JAVA_OPTS=${BACKEND_JAVA_OPTS:-}
SIM_JAVA_OPTS=${SIM_JAVA_OPTS:--Xmx3g}
OUT=${OUT:-$ROOT/simulator/target/fleet-bench}
NICE=${NICE:-0}

for jar in "$BACKEND_JAR" "$SIM_JAR"; do
  if [[ ! -f $jar ]]; then
    echo "missing $jar: run 'mvn -B -DskipTests package' first" >&2
    exit 2
  fi
done

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/fleet-bench.XXXXXX)
chmod 755 "$WORK"
RUN_LOG=$OUT/runs.log
declare -a BACKEND_PIDS=()
declare -a REPORTS=()
PG_DATA=""
PG_PORT=""

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$RUN_LOG" >&2; }

stop_backends() {
  local pid
  for pid in "${BACKEND_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BACKEND_PIDS[@]}"; do
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "backend $pid did not stop in 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  BACKEND_PIDS=()
}

pg_stop() {
  if [[ -n $PG_DATA ]]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null || true
    PG_DATA=""
  fi
}

cleanup() {
  stop_backends
  pg_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The simulator holds one connection per waiting long-poll, and so does each backend.
ulimit -n "$(ulimit -Hn)"

port_free() { ! ss -Htln "sport = :$1" | grep -q .; }

free_port() {
  local p
  for p in $(seq "$1" $(($1 + 200))); do
    if port_free "$p"; then
      echo "$p"
      return
    fi
  done
  echo "no free port from $1" >&2
  return 1
}

# start_backend DATA_DIR PORT [serve options...]: starts one backend, waits until it is healthy.
start_backend() {
  local dir=$1 port=$2
  shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # BACKEND_JAVA_OPTS is a list of options
  nice -n "$NICE" java $BACKEND_JAVA_OPTS -jar "$BACKEND_JAR" serve --data-dir "$dir" \
    --listen "127.0.0.1:$port" "$@" >"$dir/backend.log" 2>&1 &
  local pid=$!
  BACKEND_PIDS+=("$pid")
  for _ in $(seq 1 180); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "backend on port $port exited; its log:"
      tail -20 "$dir/backend.log" >&2
      return 1
    fi
    if [[ -f $dir/tls/ca.pem ]] && curl -fsS --max-time 2 --cacert "$dir/tls/ca.pem" \
      "https://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  log "backend on port $port not healthy after 90 s"
  return 1
}

pg_start() {
  PG_PORT=$(free_port 55432)
  local pg=$WORK/pg
  mkdir -p "$pg/sock"
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$pg/password"
  chmod 600 "$pg/password"
  chown -R postgres "$pg"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$pg/data" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 --pwfile="$pg/password" >"$pg/initdb.log"
  PG_DATA=$pg/data
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$pg/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $pg/sock -c listen_addresses=127.0.0.1 -c max_connections=200" start \
    >/dev/null
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

# pg_fresh_db NAME: a new empty database, so runs do not see each other's rows.
pg_fresh_db() {
  runuser -u postgres -- "$PG_BIN/dropdb" -h "$WORK/pg/sock" -p "$PG_PORT" --if-exists "$1"
  runuser -u postgres -- "$PG_BIN/createdb" -h "$WORK/pg/sock" -p "$PG_PORT" "$1"
}

pg_args() {
  echo "--jdbc-url jdbc:postgresql://127.0.0.1:$PG_PORT/$1 --db-user postgres" \
    "--db-password-file $WORK/pg/password"
}

# simulate LABEL N REPORT_NAME DIR...: runs the simulator against the running backends (whose data
# directories are DIR...); exit status 0 when the run held (see the report's "holds").
simulate() {
  local label=$1 n=$2 name=$3
  shift 3
  if [[ $NICE != 0 ]]; then label="$label, nice $NICE"; fi
  local args=() dir i=0
  for dir in "$@"; do
    args+=(--backend "$(cat "$dir/backend.url")" --ca "$dir/tls/ca.pem")
    args+=(--backend-pid "${BACKEND_PIDS[$i]}")
    i=$((i + 1))
  done
  local report=$OUT/$name.json
  log "run $name: $n agents, $label, $# backend(s); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  local status=0
  # shellcheck disable=SC2086 # SIM_JAVA_OPTS is a list of options
  nice -n "$NICE" java $SIM_JAVA_OPTS -jar "$SIM_JAR" run "${args[@]}" \
    --operator-token-file "$1/operator.token" \
    -n "$n" --heartbeat "$HEARTBEAT" --metrics "$METRICS" --poll-wait "$POLL_WAIT" \
    --warmup "$WARMUP" --duration "$DURATION" --commands-per-second "$COMMANDS_PER_SECOND" \
    --label "$label" --report "$report" >"$OUT/$name.txt" 2>"$OUT/$name.log" || status=$?
  tee -a "$RUN_LOG" <"$OUT/$name.txt" >&2
  if [[ -f $report ]]; then
    REPORTS+=("$report")
  fi
  if [[ $status -gt 1 ]]; then
    log "simulator failed (exit $status); see $OUT/$name.log"
  fi
  return "$status"
}

# one_run DB N NAME: one backend on a fresh database, one simulator run; returns its verdict.
one_run() {
  local db=$1 n=$2 name=$3 status=0
  local dir=$WORK/$name
  local port
  port=$(free_port 18600)
  if [[ $db == pg ]]; then
    pg_fresh_db "fleet_$n"
    # shellcheck disable=SC2046 # pg_args is a list of options
    start_backend "$dir" "$port" $(pg_args "fleet_$n")
    simulate "PostgreSQL" "$n" "$name" "$dir" || status=$?
  else
    start_backend "$dir" "$port"
    simulate "H2" "$n" "$name" "$dir" || status=$?
  fi
  stop_backends
  rm -rf "$dir/db"
  return "$status"
}

round50() { echo $((($1 + 25) / 50 * 50)); }

# search: the largest N with p99 under 100 ms, from the fixed sizes' verdicts, then doubling and
# bisection, at most SEARCH_STEPS runs.
search() {
  local lo=0 hi=0 n verdict steps=0
  if [[ -n $SEARCH_START ]]; then
    read -r lo hi <<<"$SEARCH_START"
  fi
  for n in $([[ -n $SEARCH_START ]] || echo "$SIZES"); do
    verdict=$(verdict_of "$OUT/$SEARCH_DB-$n.json")
    if [[ $verdict == true ]]; then
      ((n > lo)) && lo=$n
    elif [[ $verdict == false ]]; then
      ((hi == 0 || n < hi)) && hi=$n
    fi
  done
  log "search on $SEARCH_DB: holds at $lo, not at ${hi/#0/untried}"
  while ((steps < SEARCH_STEPS)); do
    if ((hi == 0)); then
      n=$((lo == 0 ? 100 : lo * 2))
      ((n > SEARCH_MAX)) && break
    else
      n=$(round50 $(((lo + hi) / 2)))
      if ((n <= lo || n >= hi || hi - lo <= (lo / 5 > 50 ? lo / 5 : 50))); then
        break
      fi
    fi
    steps=$((steps + 1))
    if one_run "$SEARCH_DB" "$n" "search-$SEARCH_DB-$n"; then
      lo=$n
    else
      hi=$n
    fi
    log "search: holds at $lo, not at ${hi/#0/untried}"
  done
  log "largest N held by one instance on $SEARCH_DB with p99 < 100 ms: $lo (first failing: ${hi/#0/none up to $SEARCH_MAX})"
  echo "$lo ${hi}" >"$OUT/search-$SEARCH_DB.result"
}

verdict_of() {
  if [[ -f $1 ]]; then
    grep -o '"holds" : [a-z]*' "$1" | awk '{print $3}'
  else
    echo missing
  fi
}

two_instances() {
  local n sizes=$TWO_SIZES
  if [[ $sizes == auto ]]; then
    sizes=1000
    if [[ -f $OUT/search-$SEARCH_DB.result ]]; then
      n=$(($(cut -d' ' -f1 "$OUT/search-$SEARCH_DB.result") * 2))
      if ((n > 0 && n != 1000)); then sizes="$sizes $n"; fi
    fi
  fi
  for n in $sizes; do
    local a=$WORK/two-$n-a b=$WORK/two-$n-b pa pb
    pg_fresh_db "fleet_two_$n"
    pa=$(free_port 18600)
    # shellcheck disable=SC2046
    start_backend "$a" "$pa" $(pg_args "fleet_two_$n")
    pb=$(free_port $((pa + 1)))
    # shellcheck disable=SC2046
    start_backend "$b" "$pb" $(pg_args "fleet_two_$n")
    simulate "PostgreSQL" "$n" "two-pg-$n" "$a" "$b" || true
    stop_backends
  done
}

machine() {
  {
    echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/{print $2}') GiB"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "postgresql: $("$PG_BIN/postgres" --version)"
    echo "kernel: $(uname -r)"
  } | tee -a "$RUN_LOG" >&2
}

log "fleet benchmark: phases '$PHASES', sizes '$SIZES', ${DURATION}s measured + ${WARMUP}s warm-up each"
machine
for phase in $PHASES; do
  case $phase in
    h2)
      for n in $SIZES; do one_run h2 "$n" "h2-$n" || true; done
      ;;
    pg)
      [[ -n $PG_DATA ]] || pg_start
      for n in $SIZES; do one_run pg "$n" "pg-$n" || true; done
      ;;
    search)
      if [[ $SEARCH_DB == pg && -z $PG_DATA ]]; then pg_start; fi
      search
      ;;
    two)
      [[ -n $PG_DATA ]] || pg_start
      two_instances
      ;;
    *)
      echo "unknown phase '$phase' (h2, pg, search, two)" >&2
      exit 2
      ;;
  esac
done

if ((${#REPORTS[@]} > 0)); then
  java -jar "$SIM_JAR" table "${REPORTS[@]}" | tee "$OUT/table.md"
fi
log "reports in $OUT"
