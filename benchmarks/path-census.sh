#!/usr/bin/env bash
# Classes on one command's path: starts the reference backend and one agent (separate processes,
# libvirt test:///default) with the JaCoCo agent in both JVMs, clears their coverage once the
# agent is idle, runs ONE `pause` through the operator CLI, waits for its result and dumps both
# JVMs' coverage; then counts the project's classes (io.vmagent.*) with at least one executed
# instruction in that window, per JVM. See docs/benchmarks.md, "Classes on one command's path".
set -euo pipefail
# shellcheck source=benchmarks/lib/harness.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/harness.sh"

usage() {
  cat <<'USAGE'
usage: benchmarks/path-census.sh [--tree DIR] [--settle SECONDS] [--after SECONDS] [--idle SECONDS]
                                 [--warmup PAIRS] [--list WINDOW]
  --tree    a checkout whose launchers (bin/vm-backend, bin/vm-agent) and built jars
            (agent/target/vm-agent.jar, backend/target/vm-backend.jar) are measured
            (default: $CENSUS_TREE, else the checkout this script is in); the harness and the
            counting are this script's, so two commits are measured the same way;
            VM_AGENT_JAR and VM_BACKEND_JAR, when set, name the jars instead
  --settle  seconds the agent is left alone after its first heartbeat, before any window, so its
            start-up work (first metrics at 1 s, update check at 2 s) is over (default 5)
  --after   seconds each window stays open after the command's result, for the libvirt
            lifecycle event the pause causes to reach the backend (default 2)
  --idle    seconds of the idle window (default 35: longer than the agent's 30 s long poll and
            its spool drainers' 30 s wait, seven rounds of the backend's 5 s offline sweep)
  --warmup  pause/resume pairs run between the first and the pause window, outside any window,
            so the pause window sees pools that have made their threads (default 4)
  --list    the window whose classes are listed: first, pause or idle (default pause)
Windows, in this order, each with both JVMs' coverage cleared at its start:
  first   the first pause the agent ever runs (lazy initialisation included); then a resume
          and --warmup pause/resume pairs, outside any window
  pause   the main figure: a second pause of the same VM, the steady path
  idle    no command: what runs anyway (the backend's timers, long polls expiring)
Needs: built jars, jq, curl, unzip; the JaCoCo 0.8.15 agent and CLI from the local Maven
repository (fetched once with `mvn dependency:copy` when missing).
USAGE
}

tree=${CENSUS_TREE:-$bench_root}
settle=5
after=2
idle=35
warmup=4
list=pause
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tree) tree=${2:?}; shift 2 ;;
    --settle) settle=${2:?}; shift 2 ;;
    --after) after=${2:?}; shift 2 ;;
    --idle) idle=${2:?}; shift 2 ;;
    --warmup) warmup=${2:?}; shift 2 ;;
    --list) list=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "path-census: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$settle" "$after" "$idle" "$warmup"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "path-census: '$n' is not a number of seconds" >&2; exit 2; }
done
[[ "$list" =~ ^(first|pause|idle)$ ]] || { echo "path-census: --list takes first, pause or idle" >&2; exit 2; }
tree=$(cd "$tree" && pwd)
# The harness starts whatever these name: the launchers of the tree measured, and its jars
# (or the jars VM_AGENT_JAR and VM_BACKEND_JAR name, which the launchers then run as well).
bench_root=$tree
agent_jar=$(readlink -f "${VM_AGENT_JAR:-$tree/agent/target/vm-agent.jar}")
backend_jar=$(readlink -f "${VM_BACKEND_JAR:-$tree/backend/target/vm-backend.jar}")

jacoco_version=0.8.15
m2=${MAVEN_REPO:-$HOME/.m2/repository}/org/jacoco
jacoco_agent="$m2/org.jacoco.agent/$jacoco_version/org.jacoco.agent-$jacoco_version-runtime.jar"
jacoco_cli="$m2/org.jacoco.cli/$jacoco_version/org.jacoco.cli-$jacoco_version-nodeps.jar"

# The tools come from Maven Central through Maven, when the local repository lacks them; the
# product itself downloads nothing. Prints the jar's path: tool_jar ARTIFACT JAR.
tool_jar() {
  local artifact=$1 jar=$2
  if [[ ! -f "$jar" ]]; then
    echo "fetching $artifact with Maven" >&2
    mvn -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy \
      -Dartifact="$artifact" -DoutputDirectory="$bench_work/tools" >&2
    jar="$bench_work/tools/$(basename "$jar")"
    [[ -f "$jar" ]] || { echo "path-census: Maven did not copy $artifact" >&2; exit 69; }
  fi
  echo "$jar"
}

bench_init
jacoco_agent=$(tool_jar "org.jacoco:org.jacoco.agent:$jacoco_version:jar:runtime" "$jacoco_agent")
jacoco_cli=$(tool_jar "org.jacoco:org.jacoco.cli:$jacoco_version:jar:nodeps" "$jacoco_cli")
bench_machine
echo "tree: $tree (commit $(git -C "$tree" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
  [[ -n "$(git -C "$tree" status --porcelain --untracked-files=no 2>/dev/null)" ]] && echo ', uncommitted changes'))"

# The class files the report reads must be the very bytes the JVMs loaded: the jars' own.
classes="$bench_work/classes"
for side in agent backend; do
  mkdir -p "$classes/$side"
  jar=$agent_jar
  [[ "$side" == backend ]] && jar=$backend_jar
  unzip -q -o "$jar" 'io/vmagent/*' -d "$classes/$side"
done

# JaCoCo's agent serves each JVM's coverage on a loopback port; only the project's classes are
# instrumented, so the rest of the JVM runs as usual.
jacoco_port_backend=$(bench_free_port)
jacoco_port_agent=$(bench_free_port)
while [[ "$jacoco_port_agent" == "$jacoco_port_backend" ]]; do jacoco_port_agent=$(bench_free_port); done
jacoco_opts() {
  echo "-javaagent:$jacoco_agent=output=tcpserver,address=127.0.0.1,port=$1,includes=io.vmagent.*,jmx=false"
}

# The backend and the operator CLI both run through bin/vm-backend: the JaCoCo flags go to the
# server only (VM_BACKEND_JAVA_OPTS is set for that call alone).
VM_BACKEND_JAVA_OPTS=$(jacoco_opts "$jacoco_port_backend") bench_start_backend

# Long periods for everything periodic in the agent, so none of it lands in a window: the first
# heartbeat goes at start, then one an hour; metrics at 1 s, then once a day; the update check
# at 2 s, then once a week.
state="$bench_work/agent"
mkdir -p "$state"
BENCH_AGENT_EXTRA_ENV="AGENT_UPDATE_CHECK_INTERVAL=604800" \
  bench_agent_env "$bench_work/agent.env" "$state" test:///default 3600 86400
bench_start_agent "$bench_work/agent.env" "$bench_work/agent.log" "$(jacoco_opts "$jacoco_port_agent")"
agent_id=$(bench_agent_id "$state")
heartbeat=""
for _ in $(seq 1 300); do
  if bench_api GET "/api/v1/operator/agents/$agent_id" 2>/dev/null | jq -e '.last_heartbeat_at != null' >/dev/null; then
    heartbeat=yes
    break
  fi
  sleep 0.1
done
[[ -n "$heartbeat" ]] || { echo "path-census: no heartbeat from agent $agent_id in 30 s; see $bench_work/agent.log" >&2; exit 69; }
echo "backend: $backend_url (pid $backend_pid); agent $agent_id (pid $agent_pid); libvirt: test:///default"
sleep "$settle"

# Dumps both JVMs' coverage at once into DIR/{agent,backend}.exec and clears it:
# dump_both DIR. Also how a window starts (its dump is thrown away).
dump_both() {
  local dir=$1 pids=() pid
  mkdir -p "$dir"
  java -jar "$jacoco_cli" dump --quiet --reset --address 127.0.0.1 --port "$jacoco_port_agent" \
    --destfile "$dir/agent.exec" &
  pids+=($!)
  java -jar "$jacoco_cli" dump --quiet --reset --address 127.0.0.1 --port "$jacoco_port_backend" \
    --destfile "$dir/backend.exec" &
  pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid"; done
}

# One operation through the operator CLI, waiting for its result: op OPERATION.
op() {
  "$tree/bin/vm-backend" op "$1" test --agent "$agent_id" --wait --timeout 60s --data-dir "$backend_dir" \
    >"$bench_work/op-$1.out" 2>&1 || {
    echo "path-census: 'op $1 test' failed:" >&2
    cat "$bench_work/op-$1.out" >&2
    exit 69
  }
}

# Returns once the backend's 5 s timers have just run (benchmarks/lib/TickWait.java).
# A tree from before the migrations has no Rounds, and only its offline sweep is waited for.
after_backend_timers() {
  local timers=(io/vmagent/backend/service/OfflineWatch)
  if unzip -l "$backend_jar" | grep -q 'io/vmagent/backend/service/Rounds.class'; then
    timers+=(io/vmagent/backend/service/Rounds)
  fi
  java -cp "$jacoco_cli" "$bench_root/benchmarks/lib/TickWait.java" "$jacoco_port_backend" 12000 \
    "${timers[@]}" >/dev/null ||
    echo "path-census: the backend's timers did not both run within 12 s; the window may hold them" >&2
}

exec_dir="$bench_work/exec"
window_ms=()
# A command's window: reset, the command and its result, the settling time, dump.
command_window() {
  local name=$1 operation=$2 start
  dump_both "$exec_dir/before-$name"
  start=$(date +%s%N)
  op "$operation"
  sleep "$after"
  dump_both "$exec_dir/$name"
  window_ms+=("$name=$((($(date +%s%N) - start) / 1000000))")
  echo "window $name: $operation $(jq -r '.state // "?"' "$bench_work/op-$operation.out" 2>/dev/null || echo '?')"
}

command_window first pause
op resume
# Pairs of commands between the windows, so the pause window sees the steady path: the agent's
# pools (four command workers) have made their threads by then.
for ((i = 0; i < warmup; i++)); do
  op pause
  op resume
done
sleep "$after"
# The backend's two 5 s timers (the offline sweep; the migrations' and drains' round) are not the
# command's work, and a window of about 4 s catches them three times in four. Opened just after
# they ran, the window ends before their next round.
after_backend_timers
command_window pause pause
# Longer than any timer's period in either JVM, so that each fires in it at least once: what is
# left of the pause window after taking these away is the command's alone, run after run.
dump_both "$exec_dir/before-idle"
start=$(date +%s%N)
sleep "$idle"
dump_both "$exec_dir/idle"
window_ms+=("idle=$((($(date +%s%N) - start) / 1000000))")
echo "windows (ms): ${window_ms[*]}"
echo "load after: $(uptime | sed 's/.*load average: //')"

# One line per class that ran in a window: WINDOW JVM CLASS TOP-LEVEL, with CLASS as JaCoCo
# names it in Java terms (Outer.Inner, Outer.new Runnable() {...}) and TOP-LEVEL its source class.
ran="$bench_work/ran.tsv"
: >"$ran"
for window in first pause idle; do
  for side in agent backend; do
    java -jar "$jacoco_cli" report "$exec_dir/$window/$side.exec" --classfiles "$classes/$side" \
      --csv "$exec_dir/$window/$side.csv" --quiet
    # CSV: GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,...
    awk -F, -v w="$window" -v s="$side" 'NR > 1 && $5 > 0 {
        top = $3; sub(/\..*/, "", top)
        print w "\t" s "\t" $2 "." $3 "\t" $2 "." top
      }' "$exec_dir/$window/$side.csv" >>"$ran"
  done
done

# The project's modules as the packages name them (io.vmagent.MODULE.…): agent, backend, protocol.
modules=$(cut -f4 "$ran" | cut -d. -f3 | sort -u | tr '\n' ' ')
count() { # count WINDOW JVM FIELD [MODULE]: distinct classes (FIELD 3) or top-level classes (4)
  awk -F'\t' -v w="$1" -v s="$2" -v f="$3" '$1 == w && $2 == s {print $f}' "$ran" | sort -u \
    | { if [[ -n "${4:-}" ]]; then grep "^io\.vmagent\.$4\." || true; else cat; fi; } | wc -l
}

echo
echo "Classes of io.vmagent.* with at least one executed instruction, per JVM and window."
echo "top-level: source classes (a nested or anonymous class, or a lambda, counts for the class"
echo "it is written in); all: every class file, nested and anonymous ones apart."
printf '%-7s %-8s %10s %6s   %s\n' window JVM top-level all "top-level by module (all)"
for window in first pause idle; do
  for side in agent backend; do
    by_module=""
    for module in $modules; do
      t=$(count "$window" "$side" 4 "$module")
      [[ "$t" -gt 0 ]] && by_module+="$module $t ($(count "$window" "$side" 3 "$module")), "
    done
    printf '%-7s %-8s %10d %6d   %s\n' "$window" "$side" "$(count "$window" "$side" 4)" \
      "$(count "$window" "$side" 3)" "${by_module%, }"
  done
done
echo "pause, both JVMs: $(awk -F'\t' '$1 == "pause" {print $4}' "$ran" | sort -u | wc -l) distinct top-level" \
  "classes ($(awk -F'\t' '$1 == "pause" {print $3}' "$ran" | sort -u | wc -l) with nested ones apart; a protocol class" \
  "that ran in both JVMs counts once)"
for side in agent backend; do
  only=$(comm -23 <(awk -F'\t' -v s="$side" '$1 == "pause" && $2 == s {print $4}' "$ran" | sort -u) \
    <(awk -F'\t' -v s="$side" '$1 == "idle" && $2 == s {print $4}' "$ran" | sort -u) | wc -l)
  echo "pause, $side JVM: $only top-level classes did not also run in the idle window"
done

# The list: each top-level class of the chosen window, its nested classes that ran after it,
# and '*' when the class also ran in the idle window (work that is not the command's own).
echo
echo "Classes in the $list window ('*': also ran in the idle window; nested classes in brackets):"
for side in agent backend; do
  for module in $modules; do
    tops=$(awk -F'\t' -v w="$list" -v s="$side" '$1 == w && $2 == s {print $4}' "$ran" | sort -u \
      | grep "^io\.vmagent\.$module\." || true)
    [[ -n "$tops" ]] || continue
    echo "$side JVM, io.vmagent.$module ($(grep -c . <<<"$tops")):"
    while read -r top; do
      idle=" "
      awk -F'\t' -v s="$side" -v t="$top" '$1 == "idle" && $2 == s && $4 == t {found = 1} END {exit !found}' \
        "$ran" && idle="*"
      nested=$(awk -F'\t' -v w="$list" -v s="$side" -v t="$top" \
        '$1 == w && $2 == s && $4 == t && $3 != t {print substr($3, length(t) + 2)}' "$ran" | sort -u \
        | paste -sd ';' | sed 's/;/; /g')
      echo "  $idle ${top#io.vmagent."$module".}${nested:+ [$nested]}"
    done <<<"$tops"
  done
done
