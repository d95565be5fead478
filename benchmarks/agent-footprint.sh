#!/usr/bin/env bash
# Agent footprint: runs the reference backend and one agent per variant (separate processes, all
# at once against the same backend so they share the machine's load) on a libvirt test-driver
# node with N domains, samples each agent's RSS, CPU time, threads and open files from /proc,
# and prints steady-state and peak figures. See docs/benchmarks.md, "Agent footprint".
set -euo pipefail
# shellcheck source=benchmarks/lib/harness.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/harness.sh"

usage() {
  cat <<'USAGE'
usage: benchmarks/agent-footprint.sh [--duration SECONDS] [--domains N] [--sample SECONDS]
                                     [--heartbeat SECONDS] [--metrics SECONDS]
                                     [--libvirt-daemon] [--archive] [--variant LABEL=OPTS]...
  --duration   how long the agents run (default 600; the official figure is 600)
  --domains    domains in the test-driver node (default 100)
  --sample     seconds between /proc samples (default 5)
  --heartbeat  AGENT_HEARTBEAT_INTERVAL (default 30); --metrics AGENT_METRICS_INTERVAL (default 60)
  --libvirt-daemon  serve the test-driver node through a private libvirtd (root), as on a
               host, instead of in the agent's process (the default)
  --archive    run each variant as the systemd unit does, with a class-data archive of its own
               (VM_AGENT_CDS_ARCHIVE), recorded by a 60 s training run of all variants first
  --variant    an agent to run; OPTS are JVM flags added to the launcher's (VM_AGENT_JAVA_OPTS),
               or "jvm:FLAGS" for plain `java FLAGS -jar` without the launcher's flags.
               Repeatable; default: launcher= (the launcher as shipped).
Steady state is every sample after the warm-up (a fifth of the run, at most 120 s).
USAGE
}

duration=600
domains=100
sample=5
heartbeat=30
metrics=60
variants=()
daemon=""
archive=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=${2:?}; shift 2 ;;
    --domains) domains=${2:?}; shift 2 ;;
    --sample) sample=${2:?}; shift 2 ;;
    --heartbeat) heartbeat=${2:?}; shift 2 ;;
    --metrics) metrics=${2:?}; shift 2 ;;
    --variant) variants+=("${2:?}"); shift 2 ;;
    --libvirt-daemon) daemon=yes; shift ;;
    --archive) archive=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "agent-footprint: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$duration" "$domains" "$sample" "$heartbeat" "$metrics"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "agent-footprint: '$n' is not a positive number" >&2; exit 2; }
done
[[ ${#variants[@]} -gt 0 ]] || variants=("launcher=")
for v in "${variants[@]}"; do
  [[ "$v" == *=* && -n "${v%%=*}" ]] || { echo "agent-footprint: --variant needs LABEL=OPTS, got '$v'" >&2; exit 2; }
done

bench_init
bench_machine
uri=$(bench_node_xml "$domains")
if [[ -n "$daemon" ]]; then
  chmod 755 "$bench_work"
  bench_start_libvirtd "${uri#test://}"
  uri=$bench_node_uri
fi
bench_start_backend
echo "backend: $backend_url (pid $backend_pid); libvirt: $uri"

tick=$(getconf CLK_TCK)
for v in "${variants[@]}"; do
  label=${v%%=*}
  mkdir -p "$bench_work/agent-$label"
  bench_agent_env "$bench_work/$label.env" "$bench_work/agent-$label" "$uri" "$heartbeat" "$metrics"
done

# Each variant's options, with its own archive when asked for (the launcher deletes archives of
# other jars and flags in the same directory, so one directory each).
variant_opts() {
  local v=$1 opts=${1#*=}
  # "jvm:" variants run without the launcher, which is what makes and maps the archive.
  [[ -n "$archive" && "$opts" != jvm:* ]] && opts="$opts VM_AGENT_CDS_ARCHIVE=$bench_work/cds-${v%%=*}/vm-agent.jsa"
  printf '%s' "$opts"
}

if [[ -n "$archive" ]]; then
  echo "training run (60 s): each variant records its class-data archive when it stops"
  trained=()
  for v in "${variants[@]}"; do
    label=${v%%=*}
    mkdir -p "$bench_work/cds-$label"
    bench_start_agent "$bench_work/$label.env" "$bench_work/$label-training.log" "$(variant_opts "$v")"
    trained+=("$agent_pid")
  done
  sleep 60
  for pid in "${trained[@]}"; do
    bench_stop "$pid" 60
  done
  for v in "${variants[@]}"; do
    label=${v%%=*}
    [[ "$(variant_opts "$v")" == *VM_AGENT_CDS_ARCHIVE=* ]] || continue
    compgen -G "$bench_work/cds-$label/*.jsa.new" >/dev/null || {
      echo "agent '$label' recorded no archive; its log:" >&2
      tail -n 30 "$bench_work/$label-training.log" >&2
      exit 1
    }
  done
fi

labels=()
pids=()
for v in "${variants[@]}"; do
  label=${v%%=*}
  opts=$(variant_opts "$v")
  bench_start_agent "$bench_work/$label.env" "$bench_work/$label.log" "$opts"
  labels+=("$label")
  pids+=("$agent_pid")
  echo "agent '$label': pid $agent_pid, flags: ${opts:-as the launcher sets them}"
  echo "t_s,rss_kib,hwm_kib,cpu_ticks,threads,fds,pss_kib" >"$bench_work/$label.csv"
done

# One sample of a process: RSS, high-water mark, utime+stime (ticks), threads, open fds, and
# PSS (RSS with each shared page divided among the processes mapping it).
sample_once() {
  local pid=$1 t=$2 status stat fds pss
  status=$(cat "/proc/$pid/status" 2>/dev/null) || return 1
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  stat=${stat##*")"}
  # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th (14th and 15th of the whole line).
  awk -v t="$t" -v fds="$fds" -v stat="$stat" -v pss="$pss" '
    /^VmRSS:/ {rss=$2} /^VmHWM:/ {hwm=$2} /^Threads:/ {thr=$2}
    END {split(stat, f, " "); printf "%d,%d,%d,%d,%d,%d,%d\n", t, rss, hwm, f[12] + f[13], thr, fds, pss}
  ' <<<"$status"
}

start=$(date +%s)
end=$((start + duration))
echo "sampling every ${sample}s for ${duration}s (until $(date -u -d "@$end" '+%H:%M:%S UTC'))"
loads=()
while true; do
  now=$(date +%s)
  for i in "${!pids[@]}"; do
    sample_once "${pids[$i]}" "$((now - start))" >>"$bench_work/${labels[$i]}.csv" || {
      echo "agent '${labels[$i]}' exited early; its log:" >&2
      tail -n 30 "$bench_work/${labels[$i]}.log" >&2
      exit 1
    }
  done
  if (((now - start) % 60 < sample)); then
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  fi
  [[ $now -ge $end ]] && break
  sleep "$sample"
done

warmup=$((duration / 5 < 120 ? duration / 5 : 120))
echo
echo "load average (1 min) during the run, sampled each minute: ${loads[*]}"
echo "uptime at the end: $(uptime | sed 's/.*load average: //')"
echo
echo "| Variant | JVM flags | RSS steady (MiB) | RSS peak (MiB) | PSS steady (MiB) | CPU s/hour (steady) | % of one core (steady) | CPU s total (incl. start) | Threads | Open fds |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for i in "${!labels[@]}"; do
  v=${variants[$i]}
  opts=${v#*=}
  awk -F, -v warm="$warmup" -v tick="$tick" -v label="${labels[$i]}" -v opts="${opts:-launcher as shipped}" '
    NR == 1 {next}
    {
      last_t = $1; last_cpu = $4; if ($3 > hwm) hwm = $3; if ($2 > peak) peak = $2
      if ($5 > thr) thr = $5; if ($6 > fds) fds = $6
      if ($1 >= warm) {
        if (!started) {t0 = $1; cpu0 = $4; started = 1}
        n++; rss += $2; pss += $7
      }
    }
    END {
      rate = (last_t > t0) ? (last_cpu - cpu0) / tick / (last_t - t0) : 0
      if (hwm > peak) peak = hwm
      printf "| %s | `%s` | %.1f | %.1f | %.1f | %.1f | %.3f | %.1f | %d | %d |\n", label, opts,
        rss / n / 1024, peak / 1024, pss / n / 1024, rate * 3600, rate * 100, last_cpu / tick, thr, fds
    }
  ' "$bench_work/${labels[$i]}.csv"
done
if [[ -n "${BENCH_KEEP:-}" ]]; then
  echo
  echo "samples and logs kept in $bench_work"
fi
