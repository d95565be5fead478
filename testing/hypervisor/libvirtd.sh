#!/usr/bin/env bash
# A private libvirt daemon with QEMU for the system tests, isolated from the host's own libvirt:
# it runs in its own mount and network namespaces with private copies of /etc/libvirt,
# /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt under DIR.
#
#   libvirtd.sh start DIR          start the daemon; prints the URI clients use
#   libvirtd.sh stop DIR           stop the daemon and every QEMU it started, by their PIDs
#   libvirtd.sh daemon-stop DIR    stop only the daemon (QEMU keeps running, as in an upgrade)
#   libvirtd.sh daemon-start DIR   start the daemon again on the same state
#   libvirtd.sh uri DIR            print the URI
#
# Needs root (namespaces, QEMU as root). See docs/operations.md, "System tests".
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|daemon-stop|daemon-start|uri DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$(readlink -m "$2")
pidfile=$dir/libvirtd.pid
socket=$dir/run/libvirt/libvirt-sock

uri() {
  echo "qemu:///system?socket=$socket"
}

daemon_pid() {
  [[ -s $pidfile ]] && cat "$pidfile"
}

daemon_running() {
  local pid
  pid=$(daemon_pid) || return 1
  kill -0 "$pid" 2>/dev/null
}

prepare() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "libvirtd.sh: must run as root (namespaces, QEMU as root)" >&2
    exit 77
  fi
  for tool in libvirtd unshare qemu-system-x86_64 qemu-img; do
    command -v "$tool" >/dev/null || { echo "libvirtd.sh: $tool is not installed" >&2; exit 69; }
  done
  mkdir -p "$dir"/{etc,run,lib,log,cache}/libvirt "$dir/pool"
  # QEMU runs as root: /dev/kvm is root-only and the libvirt-qemu user may not exist. Console and
  # serial output go to files, so no virtlogd is needed.
  cat >"$dir/etc/libvirt/qemu.conf" <<'CONF'
user = "root"
group = "root"
stdio_handler = "file"
CONF
  : >"$dir/etc/libvirt/libvirtd.conf"
  # The QEMU driver resolves its compiled-in user libvirt-qemu and group kvm before it reads
  # qemu.conf; private copies of passwd and group provide them without touching the host's.
  cp /etc/passwd "$dir/passwd"
  cp /etc/group "$dir/group"
  getent group kvm >/dev/null || echo "kvm:x:64999:" >>"$dir/group"
  getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:64998:" >>"$dir/group"
  getent passwd libvirt-qemu >/dev/null ||
    echo "libvirt-qemu:x:64998:64998:libvirt QEMU:/var/lib/libvirt:/usr/sbin/nologin" >>"$dir/passwd"
  # Mount points for the private bind mounts (absent on hosts without a libvirt of their own).
  mkdir -p /etc/libvirt /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
}

daemon_start() {
  if daemon_running; then
    uri
    return
  fi
  rm -f "$pidfile" "$socket"
  # shellcheck disable=SC2016 # the inner script expands its own $1 and $d.
  setsid unshare --mount --net --propagation private bash -c '
    set -e
    d=$1
    mount --bind "$d/passwd" /etc/passwd
    mount --bind "$d/group" /etc/group
    mount --bind "$d/etc/libvirt" /etc/libvirt
    mount --bind "$d/run/libvirt" /run/libvirt
    mount --bind "$d/lib/libvirt" /var/lib/libvirt
    mount --bind "$d/log/libvirt" /var/log/libvirt
    mount --bind "$d/cache/libvirt" /var/cache/libvirt
    ip link set lo up 2>/dev/null || true
    exec libvirtd -p "$d/libvirtd.pid"
  ' libvirtd-private "$dir" </dev/null >>"$dir/libvirtd.log" 2>&1 &
  local launcher=$! waited=0
  until [[ -S $socket ]] && daemon_running; do
    sleep 0.05
    waited=$((waited + 1))
    if [[ $waited -gt 400 ]] || ! kill -0 "$launcher" 2>/dev/null; then
      echo "libvirtd.sh: the daemon did not come up; see $dir/libvirtd.log" >&2
      tail -20 "$dir/libvirtd.log" >&2 || true
      exit 1
    fi
  done
  uri
}

daemon_stop() {
  local pid
  pid=$(daemon_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

qemu_stop() {
  local file pid
  shopt -s nullglob
  for file in "$dir"/run/libvirt/qemu/*.pid; do
    pid=$(cat "$file" 2>/dev/null) || continue
    [[ $pid =~ ^[0-9]+$ ]] || continue
    if grep -qa qemu "/proc/$pid/cmdline" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

case $command in
  start)
    prepare
    daemon_start
    ;;
  daemon-start)
    daemon_start
    ;;
  daemon-stop)
    daemon_stop
    ;;
  stop)
    daemon_stop
    qemu_stop
    ;;
  uri)
    uri
    ;;
  *)
    usage
    ;;
esac
