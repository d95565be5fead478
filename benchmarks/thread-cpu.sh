#!/usr/bin/env bash
# CPU time of one process over a window, by thread name: where a JVM's CPU goes (request threads,
# JIT compiler, garbage collector, timers), from the kernel's per-thread counters, without a
# profiler attached.
#
# Usage: benchmarks/thread-cpu.sh PID SECONDS
#   Reads /proc/PID/task/*/stat at the start and the end of the window and prints, per thread name
#   (trailing digits, '#' and '-' removed, so a pool's threads add up), the CPU seconds and their
#   share, largest first. Threads born during the window count from zero.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  usage
  exit 0
fi
if [[ $# -ne 2 || ! $1 =~ ^[0-9]+$ || ! $2 =~ ^[0-9]+$ ]]; then
  usage >&2
  exit 2
fi
pid=$1
seconds=$2
[[ -d /proc/$pid ]] || { echo "thread-cpu: no process $pid" >&2; exit 1; }

# One line per thread: "TID<TAB>NAME<TAB>TICKS" (utime + stime, fields 14 and 15 of stat).
snapshot() {
  local stat line name rest
  for stat in /proc/"$pid"/task/*/stat; do
    line=$(cat "$stat" 2>/dev/null) || continue
    name=${line#*(}
    name=${name%)*}
    rest=${line##*) }
    # shellcheck disable=SC2086 # split the fields after the name on purpose
    set -- $rest
    printf '%s\t%s\t%s\n' "$(basename "$(dirname "$stat")")" "$name" "$((${12} + ${13}))"
  done
}

before=$(mktemp)
after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
snapshot >"$before"
started=$(date +%s.%N)
sleep "$seconds"
[[ -d /proc/$pid ]] || { echo "thread-cpu: process $pid ended during the window" >&2; exit 1; }
snapshot >"$after"
ended=$(date +%s.%N)

awk -F'\t' -v hz="$(getconf CLK_TCK)" -v started="$started" -v ended="$ended" '
  NR == FNR { start[$1] = $3; next }
  {
    name = $2
    sub(/[0-9#-]+$/, "", name)
    used = ($3 - ($1 in start ? start[$1] : 0)) / hz
    cpu[name] += used
    total += used
  }
  END {
    window = ended - started
    printf "window %.1f s: %.2f CPU s, %.1f %% of one core\n", window, total, 100 * total / window
    for (n in cpu) if (cpu[n] > 0) printf "%9.2f s %6.1f %%  %s\n", cpu[n], 100 * cpu[n] / total, n
  }' "$before" "$after" | { read -r header; echo "$header"; sort -k1,1 -g -r; }
