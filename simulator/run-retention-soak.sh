#!/usr/bin/env bash
# Retention soak: a simulated fleet against one backend on a private PostgreSQL with retention
# shortened to minutes, the database's size and row counts sampled every minute. The database
# should grow for the first retention period and then stay flat: what arrives is pruned as fast.
#
# Usage (from the repository root, after `mvn -B -DskipTests package`):
#   simulator/run-retention-soak.sh                  # 1,000 agents, 30 minutes, 5-minute retention
#   AGENTS=2500 MINUTES=30 RETENTION=5m simulator/run-retention-soak.sh
#
# Writes OUT/soak.csv (minute, database bytes, metrics rows, events rows, commands rows, refresh
# tokens rows) and OUT/simulator.txt; OUT defaults to simulator/target/retention-soak.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"
# shellcheck source=bin/lib/packages.sh
source bin/lib/packages.sh
# shellcheck source=bin/lib/postgres.sh
source bin/lib/postgres.sh

AGENTS=${AGENTS:-1000}
MINUTES=${MINUTES:-30}
RETENTION=${RETENTION:-5m}
METRICS=${METRICS:-30}
OUT=${OUT:-$ROOT/simulator/target/retention-soak}
BACKEND_JAR=$ROOT/backend/target/vm-backend.jar
SIM_JAR=$ROOT/simulator/target/vm-fleet-sim.jar
for jar in "$BACKEND_JAR" "$SIM_JAR"; do
  [[ -f $jar ]] || { echo "missing $jar: run 'mvn -B -DskipTests package' first" >&2; exit 2; }
done
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/vm-retention-soak.XXXXXX)
backend_pid=""
cleanup() {
  [[ -n "$backend_pid" ]] && kill "$backend_pid" 2>/dev/null && wait "$backend_pid" 2>/dev/null
  stop_test_postgres
  rm -rf "$work"
}
trap cleanup EXIT

start_test_postgres >/dev/null
printf '%s\n' "$VMAGENT_TEST_PG_PASSWORD" >"$work/db-password"
chmod 0600 "$work/db-password"
java -Xmx256m -jar "$BACKEND_JAR" serve --data-dir "$work/data" --listen 127.0.0.1:0 \
  --jdbc-url "$VMAGENT_TEST_PG_URL" --db-user "$VMAGENT_TEST_PG_USER" \
  --db-password-file "$work/db-password" \
  --metrics-retention "$RETENTION" --events-retention "$RETENTION" \
  --commands-retention "$RETENTION" --tokens-retention "$RETENTION" \
  >"$OUT/backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 1 300); do
  [[ -s "$work/data/backend.url" ]] && break
  sleep 0.2
done
[[ -s "$work/data/backend.url" ]] || { echo "the backend did not start; see $OUT/backend.log" >&2; exit 1; }

sample() {
  PGPASSWORD=$VMAGENT_TEST_PG_PASSWORD psql -h 127.0.0.1 -p "${VMAGENT_TEST_PG_URL##*:}" \
    -U "$VMAGENT_TEST_PG_USER" -d postgres -At -F, -c \
    "SELECT pg_database_size('postgres'), (SELECT COUNT(*) FROM metrics_samples),
       (SELECT COUNT(*) FROM vm_events), (SELECT COUNT(*) FROM commands),
       (SELECT COUNT(*) FROM refresh_tokens)" 2>/dev/null || echo "?,?,?,?,?"
}
VMAGENT_TEST_PG_URL=${VMAGENT_TEST_PG_URL%/postgres}
echo "minute,database_bytes,metrics_samples,vm_events,commands,refresh_tokens" >"$OUT/soak.csv"
(
  for minute in $(seq 0 "$MINUTES"); do
    echo "$minute,$(sample)" >>"$OUT/soak.csv"
    sleep 60
  done
) &
sampler=$!

java -Xmx2g -jar "$SIM_JAR" run --backend "$(cat "$work/data/backend.url")" \
  --ca "$work/data/tls/ca.pem" --operator-token-file "$work/data/operator.token" \
  -n "$AGENTS" --heartbeat 30 --metrics "$METRICS" --poll-wait 25 --warmup 0 \
  --duration $((MINUTES * 60)) --commands-per-second 2 --label "retention soak" \
  --backend-pid "$backend_pid" >"$OUT/simulator.txt" 2>"$OUT/simulator.log" || true
wait "$sampler" 2>/dev/null || true
echo "soak done: $OUT/soak.csv"
cat "$OUT/soak.csv"
