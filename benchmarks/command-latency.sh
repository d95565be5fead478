#!/usr/bin/env bash
# Command latency: the reference backend and one agent (separate processes) on a libvirt
# test-driver node; queues commands one after another through the operator API and waits for each
# result (long polls on both sides), then prints p50/p99 from the command's created_at at the
# backend to its stored result being seen. See docs/benchmarks.md, "Command latency".
set -euo pipefail
# shellcheck source=benchmarks/lib/harness.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/harness.sh"

usage() {
  cat <<'USAGE'
usage: benchmarks/command-latency.sh [--count N] [--warmup N] [--domains N] [--java-opts OPTS]
  --count      commands per series (default 1000); series: info, then pause/resume alternating
  --warmup     commands run first and not counted (default 50)
  --domains    domains in the test-driver node (default 100)
  --java-opts  JVM flags for the agent, as agent-footprint.sh's --variant OPTS
USAGE
}

count=1000
warmup=50
domains=100
opts=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) count=${2:?}; shift 2 ;;
    --warmup) warmup=${2:?}; shift 2 ;;
    --domains) domains=${2:?}; shift 2 ;;
    --java-opts) opts=${2?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "command-latency: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$count" "$domains"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "command-latency: '$n' is not a positive number" >&2; exit 2; }
done
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "command-latency: --warmup '$warmup' is not a number" >&2; exit 2; }

bench_init
bench_machine
uri=$(bench_node_xml "$domains")
bench_start_backend
state="$bench_work/agent"
mkdir -p "$state"
bench_agent_env "$bench_work/agent.env" "$state" "$uri" 30 60
bench_start_agent "$bench_work/agent.env" "$bench_work/agent.log" "$opts"
agent_id=$(bench_agent_id "$state")
for _ in $(seq 1 300); do
  bench_api GET "/api/v1/operator/agents/$agent_id" 2>/dev/null | jq -e '.last_heartbeat_at != null' >/dev/null && break
  sleep 0.1
done
echo "backend: $backend_url; agent $agent_id (pid $agent_pid); libvirt: $uri"

# vm-0000 is running in the generated node (every tenth domain is shut off).
latency() {
  java -cp "$backend_jar" "$bench_src/CommandLatency.java" "$backend_url" "$backend_dir/tls/ca.pem" \
    "$backend_dir/operator.token" "$agent_id" vm-0000 "$count" "$warmup" "$@"
}
echo
latency info
latency pause resume | tail -n +3
echo
echo "load after: $(uptime | sed 's/.*load average: //')"
