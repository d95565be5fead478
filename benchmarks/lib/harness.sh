# shellcheck shell=bash
# Shared by the agent benchmarks (agent-footprint.sh, agent-startup.sh, command-latency.sh):
# starts the reference backend and the agent as separate processes on 127.0.0.1, with a private
# work directory, and stops every process it started when the calling script exits.
# Sourced, not run. Callers set `set -euo pipefail` first.

bench_root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
agent_jar="$bench_root/agent/target/vm-agent.jar"
backend_jar="$bench_root/backend/target/vm-backend.jar"
bench_src="$bench_root/benchmarks/src/main/java/io/vmagent/benchmarks"

bench_pids=()
bench_work=""
bench_libvirtd_dir=""
bench_node_uri=""

bench_cleanup() {
  local i
  # Newest first: the agents stop (and say goodbye) while the backend still answers.
  for ((i = ${#bench_pids[@]} - 1; i >= 0; i--)); do
    bench_stop "${bench_pids[$i]}"
  done
  bench_pids=()
  if [[ -n "$bench_libvirtd_dir" ]]; then
    "$bench_root/testing/hypervisor/libvirtd.sh" stop "$bench_libvirtd_dir" >/dev/null 2>&1 || true
    bench_libvirtd_dir=""
  fi
  if [[ -n "$bench_work" && -z "${BENCH_KEEP:-}" ]]; then
    rm -rf "$bench_work"
  fi
}

# Creates the work directory and installs the cleanup trap; BENCH_KEEP=1 keeps the directory.
bench_init() {
  [[ -f "$agent_jar" && -f "$backend_jar" ]] || {
    echo "build the jars first: mvn -B -q -DskipTests -pl agent,backend -am package" >&2
    exit 69
  }
  bench_work=$(mktemp -d "${TMPDIR:-/tmp}/vm-agent-bench.XXXXXX")
  chmod 700 "$bench_work"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Stops one process started by bench_start_* and forgets it: bench_stop PID [GRACE_SECONDS].
bench_stop() {
  local pid=$1 grace=${2:-10} kept=() p
  # Bounded: the agent drains for at most a few seconds; anything slower is killed.
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${bench_pids[@]}"; do
    [[ "$p" == "$pid" ]] || kept+=("$p")
  done
  bench_pids=("${kept[@]+"${kept[@]}"}")
}

# A port below the ephemeral range that no socket uses now.
bench_free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))
    ss -tanH "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

# Writes a libvirt test-driver node with N domains (the generator the metrics benchmark uses)
# and prints its test:// URI.
bench_node_xml() {
  local domains=$1 file="$bench_work/node-$1.xml"
  local support=$bench_root/testing/support/target/vm-agent-test-support-0.1.0.jar
  [[ -f $support ]] || { echo "bench: $support is missing: build testing/support first" >&2; return 1; }
  java -cp "$agent_jar:$support" "$bench_src/NodeFixture.java" "$domains" "$file"
}

# Serves a test-driver node through a private libvirt daemon (testing/hypervisor/libvirtd.sh,
# needs root), as libvirtd serves QEMU on a host: the domains live in the daemon, not in the
# agent. bench_start_libvirtd NODE_XML sets bench_node_uri to the remote URI of that node. Not
# to be called in a subshell: the cleanup needs bench_libvirtd_dir to stop the daemon.
bench_start_libvirtd() {
  local node=$1 uri
  bench_libvirtd_dir="$bench_work/libvirtd"
  uri=$("$bench_root/testing/hypervisor/libvirtd.sh" start "$bench_libvirtd_dir" | tail -1)
  # qemu:///system?socket=S -> test+unix:///NODE?socket=S
  # shellcheck disable=SC2034 # read by the scripts that source this file
  bench_node_uri="test+unix://$node?${uri#*\?}"
}

# Starts the reference backend (embedded H2) in $bench_work/backend; sets backend_dir,
# backend_pid, backend_url, operator_token.
bench_start_backend() {
  backend_dir="$bench_work/backend"
  mkdir -p "$backend_dir"
  local port attempt
  # Another process may take the port between the check and the bind: try a few.
  for attempt in 1 2 3; do
    port=$(bench_free_port)
    "$bench_root/bin/vm-backend" serve --data-dir "$backend_dir" --listen "127.0.0.1:$port" \
      >"$bench_work/backend.log" 2>&1 &
    backend_pid=$!
    bench_pids+=("$backend_pid")
    for _ in $(seq 1 600); do
      [[ -s "$backend_dir/backend.url" ]] && break
      kill -0 "$backend_pid" 2>/dev/null || break
      sleep 0.1
    done
    [[ -s "$backend_dir/backend.url" ]] && break
    bench_stop "$backend_pid"
    echo "the backend did not start (attempt $attempt); its log:" >&2
    cat "$bench_work/backend.log" >&2
  done
  [[ -s "$backend_dir/backend.url" ]] || { echo "the backend did not start" >&2; exit 69; }
  backend_url=$(cat "$backend_dir/backend.url")
  operator_token=$(cat "$backend_dir/operator.token")
}

# The operator API with curl: bench_api METHOD PATH [JSON]. The token goes in a header file,
# not on the command line.
bench_api() {
  local method=$1 path=$2 body=${3:-}
  local headers="$bench_work/operator.headers"
  [[ -f "$headers" ]] || (umask 077; printf 'Authorization: Bearer %s\n' "$operator_token" >"$headers")
  if [[ -n "$body" ]]; then
    curl -sS --fail --cacert "$backend_dir/tls/ca.pem" -H @"$headers" -X "$method" \
      -H 'Content-Type: application/json' --data "$body" "$backend_url$path"
  else
    curl -sS --fail --cacert "$backend_dir/tls/ca.pem" -H @"$headers" -X "$method" "$backend_url$path"
  fi
}

# A single-use bootstrap token, printed.
bench_bootstrap_token() {
  bench_api POST /api/v1/operator/tokens '{"single_use":true,"expires_in_seconds":3600,"description":"benchmark"}' \
    | jq -r .token
}

# Writes an agent env file: bench_agent_env FILE STATE_DIR LIBVIRT_URI HEARTBEAT METRICS
bench_agent_env() {
  local file=$1 state=$2 uri=$3 heartbeat=$4 metrics=$5 token
  token=$(bench_bootstrap_token)
  (
    umask 077
    cat >"$file" <<ENV
AGENT_BACKEND_URL=$backend_url
AGENT_SSL_CA_PATH=$backend_dir/tls/ca.pem
AGENT_TOKEN=$token
AGENT_LIBVIRT_URI=$uri
AGENT_NAME=benchmark
AGENT_STATE_DIR=$state
AGENT_HEARTBEAT_INTERVAL=$heartbeat
AGENT_METRICS_INTERVAL=$metrics
${BENCH_AGENT_EXTRA_ENV:-}
ENV
  )
}

# The value of NAME among NAME=VALUE words, or DEFAULT: bench_word_value NAME DEFAULT WORD...
bench_word_value() {
  local name=$1 value=$2 word
  shift 2
  for word in "$@"; do
    [[ "$word" == "$name="* ]] && value=${word#"$name="}
  done
  printf '%s' "$value"
}

# Execs a command with the variables of an env file exported, as systemd's EnvironmentFile= does:
# bench_exec_with_env FILE COMMAND... (in a subshell: it replaces the shell).
bench_exec_with_env() {
  local file=$1
  shift
  set -a
  # shellcheck source=/dev/null
  source "$file"
  set +a
  exec "$@"
}

# Starts the agent: bench_start_agent ENV_FILE LOG [OPTS]. OPTS are JVM flags the launcher
# (bin/vm-agent) adds after its own (VM_AGENT_JAVA_OPTS); "jvm:FLAGS" runs `java FLAGS -jar`
# instead, without the launcher's flags ("jvm:" alone: the JVM's defaults). Words of the form
# NAME=VALUE with an upper-case NAME (MALLOC_ARENA_MAX=2, VM_AGENT_CDS_ARCHIVE=..., say) are set
# in the environment; VM_AGENT_JAR=... runs another build of the agent in either mode, and
# VM_AGENT_LAUNCHER=... another launcher (an earlier bin/vm-agent, for a "before" figure).
# Sets agent_pid (the JVM's pid: the launcher execs java) and agent_started_ns.
bench_start_agent() {
  local env=$1 log=$2 opts=${3:-} word launcher=yes
  local flags=() vars=()
  if [[ "$opts" == jvm:* ]]; then
    launcher=""
    opts=${opts#jvm:}
  fi
  for word in $opts; do
    if [[ "$word" =~ ^[A-Z_][A-Z0-9_]*= ]]; then
      vars+=("$word")
    else
      flags+=("$word")
    fi
  done
  # shellcheck disable=SC2034 # read by the scripts that source this file
  agent_started_ns=$(date +%s%N)
  # The settings reach the agent as the systemd unit gives them (EnvironmentFile=, then a plain
  # `run`), so the daemon measured is the one a host runs; the token stays out of any argv.
  if [[ -z "$launcher" ]]; then
    # VM_AGENT_JAR=... names another build of the agent (a "before" figure), as for the launcher.
    (bench_exec_with_env "$env" env "${vars[@]+"${vars[@]}"}" java "${flags[@]+"${flags[@]}"}" \
      -jar "$(bench_word_value VM_AGENT_JAR "$agent_jar" "${vars[@]+"${vars[@]}"}")" run) >"$log" 2>&1 &
  else
    (bench_exec_with_env "$env" env "${vars[@]+"${vars[@]}"}" \
      VM_AGENT_JAVA_OPTS="${flags[*]+"${flags[*]}"}" \
      "$(bench_word_value VM_AGENT_LAUNCHER "$bench_root/bin/vm-agent" "${vars[@]+"${vars[@]}"}")" run) >"$log" 2>&1 &
  fi
  agent_pid=$!
  bench_pids+=("$agent_pid")
}

# Waits until the agent id file exists and prints it.
bench_agent_id() {
  local state=$1
  for _ in $(seq 1 600); do
    [[ -s "$state/agent-id" ]] && { cat "$state/agent-id"; return; }
    kill -0 "$agent_pid" 2>/dev/null || { echo "the agent exited" >&2; return 1; }
    sleep 0.05
  done
  echo "no agent id after 30 s" >&2
  return 1
}

# The machine, for the record.
bench_machine() {
  echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)," \
    "$(free -g | awk '/^Mem:/ {print $2 " GiB"}') memory"
  echo "java: $(java -version 2>&1 | sed -n 2p)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load: $(uptime | sed 's/.*load average: //')"
}
