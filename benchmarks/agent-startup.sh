#!/usr/bin/env bash
# Agent start-up: starts the reference backend once, then the agent RUNS times, each with a fresh
# state directory and a new bootstrap token so it registers, and measures from process start to
# the backend recording the agent's registration and its first heartbeat. Prints each run and the
# median. See docs/benchmarks.md, "Start-up".
set -euo pipefail
# shellcheck source=benchmarks/lib/harness.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/harness.sh"

usage() {
  cat <<'USAGE'
usage: benchmarks/agent-startup.sh [--runs N] [--domains N] [--variant LABEL=OPTS]...
  --runs       measured runs per variant (default 7); one more run first warms the backend and
               is not counted
  --domains    domains in the test-driver node (default 100)
  --variant    JVM flags for the agent, as agent-footprint.sh's --variant; repeatable, the
               variants' runs are interleaved so they see the same load (default: launcher=)
USAGE
}

runs=7
domains=100
variants=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs=${2:?}; shift 2 ;;
    --domains) domains=${2:?}; shift 2 ;;
    --variant) variants+=("${2:?}"); shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "agent-startup: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$domains"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "agent-startup: '$n' is not a positive number" >&2; exit 2; }
done
[[ ${#variants[@]} -gt 0 ]] || variants=("launcher=")
for v in "${variants[@]}"; do
  [[ "$v" == *=* && -n "${v%%=*}" ]] || { echo "agent-startup: --variant needs LABEL=OPTS, got '$v'" >&2; exit 2; }
done

bench_init
bench_machine
uri=$(bench_node_xml "$domains")
bench_start_backend
echo "backend: $backend_url; libvirt: $uri"

ms_between() { echo $((($2 - $1) / 1000000)); }
iso_ns() { date -d "$1" +%s%N; }

# Milliseconds from the agent's start to the first log line matching $2 in log $1 ("-" if none).
log_ms() {
  local line
  line=$(grep -m1 -- "$2" "$1" | cut -d' ' -f1 || true)
  if [[ -n "$line" ]]; then ms_between "$agent_started_ns" "$(iso_ns "$line")"; else echo -; fi
}

# One start: prints "registered_ms heartbeat_ms load cpu_s jvm_ms libvirt_ms registered_ms".
start_once() {
  local name=$1 opts=$2 state="$bench_work/agent-$1" status="" load
  mkdir -p "$state"
  bench_agent_env "$bench_work/$name.env" "$state" "$uri" 30 60
  load=$(cut -d' ' -f1 /proc/loadavg)
  bench_start_agent "$bench_work/$name.env" "$bench_work/$name.log" "$opts"
  bench_agent_id "$state" >"$bench_work/$name.id"
  for _ in $(seq 1 600); do
    status=$(bench_api GET "/api/v1/operator/agents/$(cat "$bench_work/$name.id")" 2>/dev/null || true)
    [[ -n "$status" && $(jq -r .last_heartbeat_at <<<"$status") != null ]] && break
    status=""
    kill -0 "$agent_pid" 2>/dev/null || { echo "the agent exited; its log:" >&2; cat "$bench_work/$name.log" >&2; exit 1; }
    sleep 0.05
  done
  [[ -n "$status" ]] || { echo "no heartbeat within 30 s; see $bench_work/$name.log" >&2; exit 1; }
  local cpu
  cpu=$(awk -v tick="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / tick}' "/proc/$agent_pid/stat")
  echo "$(ms_between "$agent_started_ns" "$(iso_ns "$(jq -r .registered_at <<<"$status")")")" \
    "$(ms_between "$agent_started_ns" "$(iso_ns "$(jq -r .last_heartbeat_at <<<"$status")")")" "$load" \
    "$cpu" "$(log_ms "$bench_work/$name.log" ' starting: agent id')" \
    "$(log_ms "$bench_work/$name.log" 'connected to libvirt')" \
    "$(log_ms "$bench_work/$name.log" 'registered as agent')"
  bench_stop "$agent_pid"
}

echo
echo "Times from process start (ms). Backend: registration and first heartbeat as the backend"
echo "recorded them. Agent log: its first line (JVM and configuration up), libvirt connected,"
echo "registered. CPU: the agent's CPU seconds (user+system) when the heartbeat was seen."
printf '\n| Variant | Run | Registered (backend) | First heartbeat (backend) | First log line | libvirt connected | Registered (agent log) | CPU s | Load (1 min) |\n|---|---|---|---|---|---|---|---|---|\n'
read -r reg hb load cpu l1 l2 l3 <<<"$(start_once warmup "${variants[0]#*=}")"
echo "| ${variants[0]%%=*} | warm-up (not counted) | $reg | $hb | $l1 | $l2 | $l3 | $cpu | $load |"
declare -A totals cpus
for run in $(seq 1 "$runs"); do
  for v in "${variants[@]}"; do
    label=${v%%=*}
    read -r reg hb load cpu l1 l2 l3 <<<"$(start_once "$label-$run" "${v#*=}")"
    echo "| $label | $run | $reg | $hb | $l1 | $l2 | $l3 | $cpu | $load |"
    cpus[$label]+="$cpu "
    totals[$label]+="$hb "
  done
done
echo
for v in "${variants[@]}"; do
  label=${v%%=*}
  # shellcheck disable=SC2086 # a space-separated list of numbers
  median=$(printf '%s\n' ${totals[$label]} | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  # shellcheck disable=SC2086 # a space-separated list of numbers
  cpu=$(printf '%s\n' ${cpus[$label]} | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  echo "median process start -> first heartbeat, $label (${v#*=}): $median ms over $runs runs; median CPU $cpu s"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
