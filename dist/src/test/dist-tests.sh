#!/usr/bin/env bash
# Checks of the packaging, run by bin/test after `mvn verify` (which builds the release tarball
# and the .debs): shellcheck of every shell script, the systemd units (verify, exposure score,
# the sandbox the agent's builds, emulated), install.sh into a scratch root and on this machine,
# each .deb's install/remove/purge cycle and lintian. One PASS/FAIL/SKIP line per check; exits 1
# on any FAIL. DIST_CHECKS=REGEX runs only the checks whose names match.
#
# The checks on this machine (as root) install and purge vm-agent and vm-backend for real: run
# them only on a disposable machine such as CI. They refuse to touch an installation they did not
# make.
set -uo pipefail

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../.." && pwd)
here=$repo/dist/src/test
cd "$repo" || exit 1
# shellcheck source=bin/lib/packages.sh
source bin/lib/packages.sh

readonly MAX_EXPOSURE=2.0
# /proc as the unit has it: whole (no ProtectProc=, no ProcSubset=).
readonly UNIT_PROC=hidepid=off
readonly MARKER=/var/lib/vm-agent/.made-by-dist-tests
readonly BACKEND_MARKER=/var/lib/vm-backend/.made-by-dist-tests
started=$SECONDS
passed=0
failed=0
skipped=0
work=$(mktemp -d /tmp/vm-agent-dist-tests.XXXXXX)
# Readable by vm-agent and nobody, who run parts of the release.
chmod 0755 "$work"
trap 'rm -rf -- "$work"' EXIT

# ---------------------------------------------------------------------------------------------
# Reporting

# check NAME FUNCTION [ARGS]: runs FUNCTION with its output in a log; prints the log on failure.
# FUNCTION returns 0 (pass), 1 (fail) or 77 (skip; its last output line says why).
check() {
  local name=$1 log=$work/$1.log rc t0=$SECONDS
  shift
  [[ $name =~ ${DIST_CHECKS:-.} ]] || return 0
  "$@" >"$log" 2>&1
  rc=$?
  case $rc in
    0)
      passed=$((passed + 1))
      printf 'PASS  %-34s %3ss %s\n' "$name" $((SECONDS - t0)) "$(sed -n 's/^NOTE: //p' "$log" | tail -1)"
      ;;
    77)
      skipped=$((skipped + 1))
      printf 'SKIP  %-34s      %s\n' "$name" "$(tail -1 "$log")"
      ;;
    *)
      failed=$((failed + 1))
      printf 'FAIL  %-34s %3ss\n' "$name" $((SECONDS - t0))
      tail -40 "$log" | sed 's/^/      | /'
      ;;
  esac
}

# expect DESCRIPTION COMMAND...: runs COMMAND, says what was expected when it fails.
expect() {
  local what=$1
  shift
  if "$@"; then return 0; fi
  echo "expected: $what"
  return 1
}

not() { ! "$@"; }

mode_of() { stat -c '%a %U:%G' "$1"; }

# tree_digest DIR...: one line per file with its mode, owner and content hash, for "unchanged".
tree_digest() {
  local d
  for d in "$@"; do
    [[ -e $d ]] || { echo "absent $d"; continue; }
    find "$d" -printf '%p %m %u:%g %y\n' | sort
    find "$d" -type f -exec sha256sum {} + | sort
  done
}

# ---------------------------------------------------------------------------------------------
# Inputs: the release tarball and the .deb that `mvn package` builds.

shopt -s nullglob
debs=(dist/target/vm-agent_*_all.deb)
backend_debs=(dist/target/vm-backend_*_all.deb)
tarballs=(dist/target/vm-agent-*.tar.gz)
shopt -u nullglob
if [[ ${#debs[@]} -ne 1 || ${#backend_debs[@]} -ne 1 || ${#tarballs[@]} -ne 1 ]]; then
  echo "FAIL  dist artifacts: dist/target lacks vm-agent_*_all.deb, vm-backend_*_all.deb or vm-agent-*.tar.gz; run mvn -B package first"
  exit 1
fi
deb=${debs[0]}
backend_deb=${backend_debs[0]}
tarball=${tarballs[0]}
tar -xzf "$tarball" -C "$work"
release=$(echo "$work"/vm-agent-*/)
release=${release%/}
version=$(cat "$release/VERSION")
unit_src=dist/src/main/systemd/vm-agent.service
backend_unit_src=dist/src/main/systemd/vm-backend.service

if [[ $(id -u) -eq 0 ]]; then
  # One run at a time on a machine: the live checks install and purge the same paths and user.
  mkdir -p /run/lock
  exec 9>/run/lock/vm-agent-dist-tests.lock
  if ! flock -w 600 9; then
    echo "FAIL  dist checks: another run has held /run/lock/vm-agent-dist-tests.lock for 10 minutes"
    exit 1
  fi
  ensure_packages shellcheck lintian logrotate strace python3-seccomp systemd openssl adduser \
    libvirt-clients procps curl prometheus >/dev/null
fi

# ---------------------------------------------------------------------------------------------
# Static checks

# Tracked files when git can tell (not in an export, or a checkout owned by another user).
repo_files() {
  git ls-files 2>/dev/null ||
    find . -path ./.git -prune -o -path '*/target' -prune -o -path ./.quickstart -prune -o -type f -print | sed 's|^\./||'
}

shell_scripts() {
  local f
  repo_files | while read -r f; do
    [[ -f $f ]] || continue
    if [[ $f == *.sh ]] || head -c 64 "$f" | head -1 | grep -qE '^#!.*\b(ba)?sh\b'; then echo "$f"; fi
  done
}

# The two slowest checks run in the background from the start; their check collects them.
start_background_checks() {
  if command -v shellcheck >/dev/null && [[ shellcheck =~ ${DIST_CHECKS:-.} ]]; then
    mapfile -t scripts < <(shell_scripts)
    shellcheck -x -P SCRIPTDIR "${scripts[@]}" >"$work/shellcheck.out" 2>&1 &
    shellcheck_pid=$!
  fi
  if command -v lintian >/dev/null && [[ deb-lintian =~ ${DIST_CHECKS:-.} ]]; then
    lintian --fail-on error --tag-display-limit 0 "$deb" "$backend_deb" >"$work/lintian.out" 2>&1 &
    lintian_pid=$!
  fi
}

check_shellcheck() {
  [[ -n ${shellcheck_pid:-} ]] || { echo "shellcheck not installed"; return 77; }
  wait "$shellcheck_pid"
  local rc=$?
  cat "$work/shellcheck.out"
  expect "shell scripts found" test ${#scripts[@]} -gt 5 || return 1
  echo "NOTE: ${#scripts[@]} scripts"
  return $rc
}

# check_unit_verify [UNIT_FILE INSTALLED_LAUNCHER LAUNCHER]: default the agent's unit.
check_unit_verify() {
  local src=${1:-$unit_src} installed=${2:-/opt/vm-agent/bin/vm-agent} launcher=${3:-$release/bin/vm-agent}
  # verify also checks that ExecStart exists: point it at the release's launcher.
  local unit out
  unit=$work/verify/$(basename "$src")
  mkdir -p "$work/verify"
  sed "s#^ExecStart=$installed#ExecStart=$launcher#" "$src" >"$unit"
  out=$(systemd-analyze verify "$unit" 2>&1)
  local rc=$?
  echo "$out"
  expect "systemd-analyze verify exits 0" test $rc -eq 0 || return 1
  expect "systemd-analyze verify prints nothing" test -z "$out"
}

# check_unit_security [UNIT_FILE]: the unit's exposure (default the agent's) is within the limit.
check_unit_security() {
  local unit=${1:-$unit_src} out score
  out=$(systemd-analyze security --offline=true "$unit" 2>&1)
  echo "$out" | grep -E '✗|Overall'
  score=$(echo "$out" | sed -n "s/.*Overall exposure level for $(basename "$unit"): \([0-9.]*\).*/\1/p")
  expect "an overall exposure figure" test -n "$score" || return 1
  echo "NOTE: exposure $score (limit $MAX_EXPOSURE)"
  expect "exposure $score <= $MAX_EXPOSURE" awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'
}

check_unit_required_settings() {
  # The settings the agent's behaviour relies on, beyond what the exposure score measures.
  local line ok=0
  for line in Type=exec User=vm-agent Group=vm-agent SupplementaryGroups=libvirt \
    EnvironmentFile=/etc/vm-agent/agent.env Restart=on-failure "RestartPreventExitStatus=78 69" \
    "ReadWritePaths=/var/lib/vm-agent /var/log/vm-agent" ProtectSystem=strict UMask=0077 \
    CapabilityBoundingSet= "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"; do
    grep -qxF "$line" "$unit_src" || { echo "missing: $line"; ok=1; }
  done
  # The agent's graceful shutdown takes up to 30 s; systemd must wait longer before SIGKILL.
  local stop
  stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s*$/\1/p' "$unit_src")
  expect "TimeoutStopSec above 30 s, got '${stop}'" test "${stop:-0}" -gt 30 || ok=1
  # Would hide /proc/meminfo, /proc/stat and friends from OSHI (see the sandbox check).
  if grep -q '^ProcSubset=pid' "$unit_src"; then echo "ProcSubset=pid hides OSHI's /proc files"; ok=1; fi
  # Would hide QEMU's processes, whose start times give the VMs' uptime.
  if grep -qE '^ProtectProc=(invisible|ptraceable|noaccess)' "$unit_src"; then echo "ProtectProc= hides QEMU's processes"; ok=1; fi
  # Breaks the JIT compiler.
  if grep -q '^MemoryDenyWriteExecute=yes' "$unit_src"; then echo "MemoryDenyWriteExecute=yes breaks the JVM"; ok=1; fi
  return $ok
}

check_deb_lintian() {
  [[ -n ${lintian_pid:-} ]] || { echo "lintian not installed"; return 77; }
  local out rc
  wait "$lintian_pid"
  rc=$?
  out=$(cat "$work/lintian.out")
  echo "$out"
  expect "no lintian error" test $rc -eq 0 || return 1
  expect "no E: line" not grep -q '^E:' <<<"$out" || return 1
  expect "every command has a man page" not grep -q 'no-manual-page' <<<"$out" || return 1
  echo "NOTE: $(grep -c '^W:' <<<"$out") warning(s), 0 errors"
}

check_deb_metadata() {
  local depends files ok=0
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "Depends: $depends"
  for d in java17-runtime-headless libvirt0 libvirt-clients genisoimage adduser; do
    grep -q "$d" <<<"$depends" || { echo "Depends lacks $d"; ok=1; }
  done
  files=$(dpkg-deb -c "$deb")
  for f in ./opt/vm-agent/lib/vm-agent.jar ./opt/vm-agent/bin/vm-agent \
    ./lib/systemd/system/vm-agent.service ./etc/logrotate.d/vm-agent "./usr/bin/vm-agent -> /opt/vm-agent/bin/vm-agent" \
    ./usr/share/man/man1/vm-agent.1.gz ./usr/share/man/man1/vm-agent-vm-stop.1.gz \
    ./usr/share/bash-completion/completions/vm-agent; do
    grep -qF " $f" <<<"$files" || { echo "package lacks $f"; ok=1; }
  done
  expect "the packaged unit is the repository's" \
    cmp -s <(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/vm-agent.service) "$unit_src" || ok=1
  expect "the packaged launcher is bin/vm-agent" \
    cmp -s <(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./opt/vm-agent/bin/vm-agent) bin/vm-agent || ok=1
  expect "the man page documents the command's options" \
    grep -q 'force.-after.-timeout' <(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/share/man/man1/vm-agent-vm-stop.1.gz | gzip -dc) || ok=1
  return $ok
}

check_env_template() {
  # Every key `vm-agent config check` knows is in the template, commented out, with the agent's
  # default (keys without a default may show an example value); nothing is active.
  local template=$release/env/agent.env report key value bad=0 n=0
  report=$(AGENT_BACKEND_URL=https://backend.invalid "$release/bin/vm-agent" config check \
    --config-file /dev/null --state-dir "$work/template-state" 2>&1) || { echo "$report"; return 1; }
  while read -r key value; do
    # AGENT_ID and AGENT_NAME (the host's name) have defaults of the host, not of the agent.
    case $key in AGENT_CONFIG_FILE) continue ;; AGENT_ID | AGENT_NAME) value=default ;; esac
    n=$((n + 1))
    if [[ $value == default ]]; then
      grep -qE "^#$key=" "$template" || { echo "template lacks $key"; bad=1; }
    elif ! grep -qxF "#$key=$value" "$template"; then
      echo "template lacks #$key=$value (the agent's default)"
      bad=1
    fi
  done < <(awk '/^AGENT_/ { if ($NF == "default" && NF == 3) print $1, $2; else print $1, "default" }' <<<"$report")
  expect "keys read from config check" test $n -gt 15 || return 1
  expect "no active (uncommented) setting in the template" not grep -vE '^(#|$)' "$template" || bad=1
  echo "NOTE: $n keys, defaults as the agent's"
  return $bad
}

# ---------------------------------------------------------------------------------------------
# install.sh into a scratch root

check_scratch_install() {
  local r=$work/scratch ok=0 out
  out=$("$release/install.sh" --root "$r" --dry-run) || return 1
  echo "$out"
  expect "dry run creates nothing" test ! -e "$r" || return 1
  grep -q "would: install /opt/vm-agent/lib/vm-agent.jar" <<<"$out" || { echo "dry run does not say what it would do"; return 1; }

  "$release/install.sh" --root "$r" || return 1
  expect "jar installed" cmp -s "$release/lib/vm-agent.jar" "$r/opt/vm-agent/lib/vm-agent.jar" || ok=1
  expect "launcher installed" test -x "$r/opt/vm-agent/bin/vm-agent" || ok=1
  expect "symlink on the PATH" test "$(readlink "$r/usr/bin/vm-agent")" = /opt/vm-agent/bin/vm-agent || ok=1
  local p m
  for p in /etc/vm-agent:750 /etc/vm-agent/agent.env:640 /var/lib/vm-agent:700 /var/log/vm-agent:750 \
    /etc/systemd/system/vm-agent.service:644 /etc/logrotate.d/vm-agent:644 /opt/vm-agent/VERSION:644 \
    /usr/share/man/man1/vm-agent.1.gz:644 /usr/share/bash-completion/completions/vm-agent:644; do
    m=$(stat -c %a "$r${p%%:*}" 2>/dev/null)
    [[ $m == "${p##*:}" ]] || { echo "${p%%:*}: mode '$m', expected ${p##*:}"; ok=1; }
  done

  out=$("$release/install.sh" --root "$r") || return 1
  echo "$out"
  expect "second run reports no changes" grep -q ': no changes$' <<<"$out" || ok=1

  # --prefix moves the program and rewrites the unit's ExecStart.
  local r2=$work/scratch-prefix
  "$release/install.sh" --root "$r2" --prefix /usr/local/vm-agent >/dev/null || return 1
  expect "--prefix: jar under the prefix" test -f "$r2/usr/local/vm-agent/lib/vm-agent.jar" || ok=1
  expect "--prefix: ExecStart under the prefix" \
    grep -qx 'ExecStart=/usr/local/vm-agent/bin/vm-agent run' "$r2/etc/systemd/system/vm-agent.service" || ok=1

  # uninstall keeps configuration and state; purge removes everything.
  echo "AGENT_BACKEND_URL=https://b.example" >>"$r/etc/vm-agent/agent.env"
  touch "$r/var/lib/vm-agent/credentials.json"
  "$release/install.sh" --root "$r" --uninstall || return 1
  expect "uninstall removes the program" test ! -e "$r/opt/vm-agent" || ok=1
  expect "uninstall removes the unit" test ! -e "$r/etc/systemd/system/vm-agent.service" || ok=1
  expect "uninstall removes the symlink" test ! -L "$r/usr/bin/vm-agent" || ok=1
  expect "uninstall removes the man pages" test ! -e "$r/usr/share/man/man1/vm-agent.1.gz" || ok=1
  expect "uninstall removes the completion" test ! -e "$r/usr/share/bash-completion/completions/vm-agent" || ok=1
  expect "uninstall keeps the configuration" grep -q b.example "$r/etc/vm-agent/agent.env" || ok=1
  expect "uninstall keeps the state" test -f "$r/var/lib/vm-agent/credentials.json" || ok=1
  "$release/install.sh" --root "$r" --purge || return 1
  expect "purge removes configuration, state and logs" \
    test ! -e "$r/etc/vm-agent" -a ! -e "$r/var/lib/vm-agent" -a ! -e "$r/var/log/vm-agent" || ok=1
  return $ok
}

check_bad_input() {
  # Each bad invocation fails with a message and exit code 2 and leaves the target untouched.
  local r=$work/bad ok=0 out rc args
  "$release/install.sh" --root "$r" >/dev/null || return 1
  local before
  before=$(tree_digest "$r")
  for args in "--prefix relative/dir" "--root" "--bogus" "--prefix="; do
    # shellcheck disable=SC2086 # word splitting of the test arguments is intended
    out=$("$release/install.sh" --root "$r" $args 2>&1)
    rc=$?
    echo "install.sh $args -> $rc: $out"
    [[ $rc -eq 2 ]] || { echo "expected exit 2 for '$args', got $rc"; ok=1; }
    grep -qi 'install.sh' <<<"$out" || { echo "no message for '$args'"; ok=1; }
  done
  # Not root and not --root: refused before anything happens.
  if [[ $(id -u) -eq 0 ]]; then
    out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$release/install.sh" 2>&1)
    rc=$?
    echo "as nobody -> $rc: $out"
    if [[ $rc -ne 1 ]] || ! grep -q 'must run as root' <<<"$out"; then echo "non-root run not refused"; ok=1; fi
  fi
  # A release with a missing file is refused.
  local broken=$work/broken-release
  cp -a "$release" "$broken" && rm "$broken/lib/vm-agent.jar"
  out=$("$broken/install.sh" --root "$r" 2>&1)
  rc=$?
  echo "broken release -> $rc: $out"
  if [[ $rc -ne 1 ]] || ! grep -q 'vm-agent.jar is missing' <<<"$out"; then echo "broken release not refused"; ok=1; fi
  expect "the target is unchanged" test "$before" = "$(tree_digest "$r")" || ok=1
  return $ok
}

# ---------------------------------------------------------------------------------------------
# install.sh and the .deb on this machine (root only)

need_live() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "not root: the install on this machine runs in CI (root, disposable)"
    return 77
  fi
  if [[ -n ${live_blocked:-} ]]; then
    echo "$live_blocked"
    return 77
  fi
}

clean_machine() {
  need_live || return
  if dpkg-query -W -f='${Status}' vm-agent 2>/dev/null | grep -q 'ok installed\|config-files'; then
    [[ -e $MARKER ]] || { live_blocked="vm-agent package installed here, not by these checks"; echo "$live_blocked"; return 1; }
    dpkg --purge vm-agent >/dev/null
  fi
  if [[ -e /opt/vm-agent || -e /etc/vm-agent || -e /var/lib/vm-agent ]]; then
    [[ -e $MARKER ]] || { live_blocked="an installation not made by these checks exists (/opt/vm-agent, /etc/vm-agent or /var/lib/vm-agent): remove it or run on a disposable machine"; echo "$live_blocked"; return 1; }
    "$release/install.sh" --purge >/dev/null 2>&1 || true
    rm -rf /opt/vm-agent /etc/vm-agent /var/lib/vm-agent /var/log/vm-agent /etc/systemd/system/vm-agent.service
  fi
  echo "NOTE: no vm-agent installation present"
}

live_digest() {
  tree_digest /opt/vm-agent /etc/vm-agent /var/lib/vm-agent /var/log/vm-agent \
    /etc/systemd/system/vm-agent.service /etc/logrotate.d/vm-agent /usr/bin/vm-agent
  getent passwd vm-agent
  id -nG vm-agent 2>/dev/null
}

check_live_dry_run() {
  need_live || return
  local before out
  before=$(live_digest)
  out=$("$release/install.sh" --dry-run --generate-test-certs) || return 1
  echo "$out"
  grep -q 'would: create system user vm-agent' <<<"$out" || { echo "dry run does not list the user"; return 1; }
  # --with-hypervisor adds libvirtd and QEMU to the packages (shown, not installed, here).
  local pkg missing=()
  for pkg in libvirt-daemon-system qemu-kvm; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    out=$("$release/install.sh" --dry-run --with-hypervisor) || return 1
    grep -q "would: apt-get install.*${missing[*]}" <<<"$out" ||
      { echo "--with-hypervisor does not plan ${missing[*]}: $out"; return 1; }
  fi
  expect "dry run changes nothing" test "$before" = "$(live_digest)"
}

check_live_install() {
  need_live || return
  local out ok=0
  out=$("$release/install.sh" --generate-test-certs) || { echo "$out"; return 1; }
  echo "$out"
  touch "$MARKER"
  expect "user vm-agent with no shell and home /opt/vm-agent" \
    test "$(getent passwd vm-agent | cut -d: -f6,7)" = /opt/vm-agent:/usr/sbin/nologin || ok=1
  expect "vm-agent in group libvirt" bash -c 'id -nG vm-agent | tr " " "\n" | grep -qx libvirt' || ok=1
  local p
  for p in "/etc/vm-agent:750 root:vm-agent" "/etc/vm-agent/agent.env:640 root:vm-agent" \
    "/var/lib/vm-agent:700 vm-agent:vm-agent" "/var/log/vm-agent:750 vm-agent:adm" \
    "/etc/vm-agent/ssl/agent-key.pem:600 vm-agent:vm-agent" "/etc/vm-agent/ssl/ca-key.pem:600 root:root" \
    "/opt/vm-agent/lib/vm-agent.jar:644 root:root"; do
    [[ $(mode_of "${p%%:*}") == "${p#*:}" ]] || { echo "${p%%:*}: $(mode_of "${p%%:*}"), expected ${p#*:}"; ok=1; }
  done
  expect "vm-agent on the PATH" test "$(readlink -f /usr/bin/vm-agent)" = /opt/vm-agent/bin/vm-agent || ok=1
  expect "unit enabled" test -L /etc/systemd/system/multi-user.target.wants/vm-agent.service || ok=1
  expect "client certificate signed by the test CA, for client auth" \
    bash -c 'openssl verify -CAfile /etc/vm-agent/ssl/ca.pem -purpose sslclient /etc/vm-agent/ssl/agent-cert.pem' || ok=1
  expect "client key matches its certificate" test \
    "$(openssl pkey -in /etc/vm-agent/ssl/agent-key.pem -pubout)" = \
    "$(openssl x509 -in /etc/vm-agent/ssl/agent-cert.pem -noout -pubkey)" || ok=1
  local verify
  verify=$(systemd-analyze verify /etc/systemd/system/vm-agent.service 2>&1)
  expect "installed unit verifies clean: $verify" test -z "$verify" || ok=1
  return $ok
}

check_live_idempotent() {
  need_live || return
  local before out
  before=$(live_digest)
  out=$("$release/install.sh" --generate-test-certs) || return 1
  echo "$out"
  expect "second run reports no changes" grep -q ': no changes$' <<<"$out" || return 1
  expect "second run changes nothing" test "$before" = "$(live_digest)"
}

check_live_repairs_drift() {
  need_live || return
  local out ok=0
  chmod 0644 /etc/vm-agent/agent.env
  out=$("$release/install.sh" --dry-run) || return 1
  echo "$out"
  grep -q 'would: chmod 0640 /etc/vm-agent/agent.env' <<<"$out" || { echo "dry run misses the drift"; ok=1; }
  expect "dry run leaves the drift" test "$(stat -c %a /etc/vm-agent/agent.env)" = 644 || ok=1
  out=$("$release/install.sh") || return 1
  echo "$out"
  expect "run repairs the mode" test "$(stat -c %a /etc/vm-agent/agent.env)" = 640 || ok=1
  return $ok
}

# A test configuration: the test driver, the generated client certificate, no backend needed.
write_test_env() {
  cat >/etc/vm-agent/agent.env <<'EOF'
# written by dist-tests.sh
AGENT_BACKEND_URL=https://backend.invalid:8443
AGENT_TOKEN=dist-test-token-not-a-secret
AGENT_LIBVIRT_URI=test:///default
AGENT_SSL_CA_PATH=/etc/vm-agent/ssl/ca.pem
AGENT_SSL_CERT_PATH=/etc/vm-agent/ssl/agent-cert.pem
AGENT_SSL_KEY_PATH=/etc/vm-agent/ssl/agent-key.pem
EOF
}

check_live_config_check() {
  need_live || return
  local out rc ok=0
  # The untouched template lacks the backend URL: invalid, exit 78, the key named.
  cp /opt/vm-agent/share/agent.env.example /etc/vm-agent/agent.env
  out=$(runuser -u vm-agent -- vm-agent config check 2>&1)
  rc=$?
  echo "template -> $rc: $out"
  [[ $rc -eq 78 ]] || { echo "expected exit 78 for the template, got $rc"; ok=1; }
  grep -q AGENT_BACKEND_URL <<<"$out" || { echo "the error does not name AGENT_BACKEND_URL"; ok=1; }
  write_test_env
  out=$(runuser -u vm-agent -- vm-agent config check 2>&1)
  rc=$?
  echo "test env -> $rc: $out"
  [[ $rc -eq 0 ]] || { echo "expected exit 0 for the test env file, got $rc"; ok=1; }
  grep -q 'dist-test-token-not-a-secret' <<<"$out" && { echo "the token is printed"; ok=1; }
  return $ok
}

check_live_upgrade() {
  need_live || return
  local newer=$work/newer ok=0 out
  # A newer release: version bumped, jar content different (an extra entry).
  cp -a "$release" "$newer"
  echo "${version}.1" >"$newer/VERSION"
  /usr/bin/python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "a").writestr("upgrade-marker.txt", "x")' \
    "$newer/lib/vm-agent.jar" || return 1
  [[ -s /etc/vm-agent/agent.env ]] || write_test_env
  echo "AGENT_NAME=kept-by-upgrade" >>/etc/vm-agent/agent.env
  install -o vm-agent -g vm-agent -m 0600 /dev/null /var/lib/vm-agent/credentials.json
  echo '{"refresh":"r"}' >/var/lib/vm-agent/credentials.json
  echo 0b6c2f52-1111-4c1e-9a56-2f2d3c4b5a69 >/var/lib/vm-agent/AGENT_ID
  mkdir -p /var/lib/vm-agent/spool && echo 'result 1' >/var/lib/vm-agent/spool/000001.rec
  chown -R vm-agent:vm-agent /var/lib/vm-agent
  local kept
  kept=$(tree_digest /etc/vm-agent /var/lib/vm-agent)
  out=$("$newer/install.sh") || { echo "$out"; return 1; }
  echo "$out"
  grep -q "upgrading vm-agent $version -> ${version}.1" <<<"$out" || { echo "no upgrade message"; ok=1; }
  expect "configuration, certificates, credentials, AGENT_ID and spool unchanged" \
    test "$kept" = "$(tree_digest /etc/vm-agent /var/lib/vm-agent)" || ok=1
  expect "new jar installed" cmp -s "$newer/lib/vm-agent.jar" /opt/vm-agent/lib/vm-agent.jar || ok=1
  expect "new version recorded" test "$(cat /opt/vm-agent/VERSION)" = "${version}.1" || ok=1
  out=$("$newer/install.sh") || return 1
  expect "upgraded install is idempotent" grep -q ': no changes$' <<<"$out" || ok=1
  # Back to this release for the remaining checks (a downgrade keeps everything too).
  "$release/install.sh" >/dev/null || return 1
  expect "downgrade keeps configuration and state" \
    test "$kept" = "$(tree_digest /etc/vm-agent /var/lib/vm-agent)" || ok=1
  return $ok
}

check_live_logrotate() {
  need_live || return
  command -v logrotate >/dev/null || { echo "logrotate not installed"; return 77; }
  local log=/var/log/vm-agent/agent.log ok=0
  runuser -u vm-agent -- sh -c "echo line one >$log"
  logrotate -f -s "$work/logrotate.state" /etc/logrotate.d/vm-agent || return 1
  expect "rotated copy kept" grep -q 'line one' "$log.1" || ok=1
  expect "live file truncated in place" test ! -s "$log" || ok=1
  rm -f /var/log/vm-agent/agent.log*
  return $ok
}

# The unit's sandbox, rebuilt with unshare and seccomp (systemd is not PID 1 here): read-only
# file system except state and logs, private /tmp, minimal /dev (plus /dev/kvm), a new /proc,
# read-only /proc/sys, the vm-agent user with its supplementary groups, no capabilities,
# no_new_privs, umask 077, and the unit's system call filter (EPERM for the rest).
# $1 are the /proc mount options. The rest is the command to run.
#
# Not emulated: RestrictAddressFamilies=, RestrictNamespaces= and the other seccomp-based
# settings besides SystemCallFilter=, PrivateIPC=, ProtectHostname=, ProtectClock=, the cgroup
# limits (MemoryMax=, TasksMax=).
sandbox() {
  local proc_opts=$1 private_tmp
  shift
  private_tmp=$(mktemp -d "$work/private-tmp.XXXXXX")
  chmod 1777 "$private_tmp"
  # The sandbox's /tmp is this directory: the filter's tools go there, visible to vm-agent.
  install -m 0644 "$here/seccomp-exec.py" "$(syscalls_allowed)" "$private_tmp/"
  # CacheDirectory=vm-agent with CacheDirectoryMode=0700, as systemd makes it at start.
  install -d -m 0700 -o vm-agent -g vm-agent /var/cache/vm-agent
  # The unit's Environment= settings (EnvironmentFile= is read by the agent itself here).
  local unit_env
  unit_env=$(sed -n 's/^Environment=//p' "$unit_src" | tr '\n' ' ')
  unshare --mount --propagation private -- \
    bash -s "$proc_opts" "$private_tmp" /tmp/seccomp-exec.py /tmp/syscalls-allowed "$unit_env" "$@" <<'EOF'
set -euo pipefail
kvm=""
if [[ -c /dev/kvm ]]; then kvm=$(stat -c '%t %T %a %u:%g' /dev/kvm); fi
proc_opts=$1
private_tmp=$2
seccomp_exec=$3
allowed=$4
read -r -a unit_env <<<"$5"
shift 5
# PrivateTmp=: like systemd, a fresh directory of the host's /tmp bound over /tmp and /var/tmp.
mount --bind "$private_tmp" /var/tmp
mount --bind "$private_tmp" /tmp
# ProtectSystem=strict with ReadWritePaths=: everything read-only but state and logs.
mount --bind /var/lib/vm-agent /var/lib/vm-agent
mount --bind /var/log/vm-agent /var/log/vm-agent
mount --bind /var/cache/vm-agent /var/cache/vm-agent
while read -r mp opts; do
  case $mp in
    # Mounts under /tmp are hidden by the private /tmp; one may also vanish while we look.
    /proc | /proc/* | /dev | /dev/* | /tmp | /tmp/* | /var/tmp | /var/tmp/*) ;;
    /var/lib/vm-agent | /var/log/vm-agent | /var/cache/vm-agent) ;;
    *) [[ $opts == ro* || ! -e $mp ]] || mount -o remount,bind,ro "$mp" ;;
  esac
done < <(awk '{ print $5, $6 }' /proc/self/mountinfo | sort -u)
mount -t tmpfs -o mode=755,nosuid tmpfs /dev
for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$node"
  mknod -m 666 "/dev/$name" c "$major" "$minor"
done
mkdir /dev/shm && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
# BindReadOnlyPaths=-/dev/kvm: the node is there (its presence is a host fact), still closed.
if [[ -n $kvm ]]; then
  read -r major minor mode owner <<<"$kvm"
  mknod -m "$mode" /dev/kvm c "$((16#$major))" "$((16#$minor))"
  chown "$owner" /dev/kvm
fi
ln -s /proc/self/fd /dev/fd
mount -t proc -o "nosuid,nodev,noexec,$proc_opts" proc /proc
mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys
exec setpriv --reuid=vm-agent --regid=vm-agent --init-groups --no-new-privs \
  --inh-caps=-all --bounding-set=-all -- \
  env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/opt/vm-agent LANG=C.UTF-8 "${unit_env[@]}" \
  /usr/bin/python3 "$seccomp_exec" "$allowed" bash -c 'umask 077; ulimit -n 4096; exec "$@"' _ "$@"
EOF
}

# vm-agent metrics against libvirt's test driver (the test env file), as vm-agent.
metrics_json() {
  "$@" vm-agent metrics --json --interval 1
}

as_agent() { runuser -u vm-agent -- "$@"; }

check_sandbox_metrics() {
  need_live || return
  write_test_env
  metrics_json as_agent >"$work/metrics-outside.json" 2>"$work/metrics-outside.err" ||
    { cat "$work/metrics-outside.err"; return 1; }
  metrics_json sandbox "$UNIT_PROC" >"$work/metrics-inside.json" 2>"$work/metrics-inside.err" ||
    { cat "$work/metrics-inside.err"; return 1; }
  local out rc
  out=$("$here/compare-metrics.py" "$work/metrics-outside.json" "$work/metrics-inside.json" 2>&1)
  rc=$?
  echo "$out"
  echo "NOTE: same host inside the unit's sandbox: $(tail -1 <<<"$out")"
  return $rc
}

check_sandbox_procsubset_breaks() {
  # Why the unit does not set ProcSubset=pid: /proc/meminfo disappears and the memory figures
  # of the metrics drop to zero, silently.
  need_live || return
  write_test_env
  sandbox "$UNIT_PROC,subset=pid" vm-agent metrics --json --interval 0 >"$work/metrics-subset.json" 2>&1
  local total
  total=$(python3 -c 'import json, sys; t = open(sys.argv[1]).read(); print(json.loads(t[t.index("{"):])["system"]["memory"]["total_bytes"])' "$work/metrics-subset.json")
  echo "memory total with ProcSubset=pid: $total"
  expect "ProcSubset=pid hides the memory figures" test "$total" = 0
}

check_mdwe_breaks_jvm() {
  # Why the unit does not set MemoryDenyWriteExecute=yes: the JVM cannot even start.
  need_live || return
  local out rc script_dir
  # The agent user may not be able to read the checkout (a clone under a 0700 folder): give it
  # its own readable copy of the helper.
  script_dir=$(mktemp -d)
  chmod 0755 "$script_dir"
  install -m 0644 "$here/seccomp-exec.py" "$script_dir/"
  out=$(as_agent /usr/bin/python3 "$script_dir/seccomp-exec.py" --deny-write-execute vm-agent version 2>&1)
  rc=$?
  rm -rf "$script_dir"
  echo "exit $rc: $out"
  expect "the JVM fails to start without writable executable memory" test $rc -ne 0 || return 1
  expect "the JVM says why" grep -q 'executable' <<<"$out" || return 1
  expect "the same command works without the restriction" as_agent vm-agent version >/dev/null
}

check_sandbox_files() {
  need_live || return
  local out sock=/run/vm-agent-dist-test.sock ok=0 server
  # A stand-in for libvirt's socket: owned root:libvirt, mode 0770, like /run/libvirt/libvirt-sock.
  python3 -c '
import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o770)
os.chown(sys.argv[1], 0, int(sys.argv[2])); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.sendall(b"hello"); c.close()' "$sock" "$(getent group libvirt | cut -d: -f3)" &
  server=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do [[ -S $sock ]] && break; sleep 0.1; done
  # shellcheck disable=SC2016 # the script runs inside the sandbox, where it expands
  out=$(sandbox "$UNIT_PROC" bash -c '
    set -u
    touch /var/lib/vm-agent/probe && echo "state: writable"
    touch /var/log/vm-agent/probe && echo "logs: writable"
    touch /opt/vm-agent/probe 2>/dev/null && echo "program: WRITABLE" || echo "program: read-only"
    touch /etc/vm-agent/probe 2>/dev/null && echo "config: WRITABLE" || echo "config: read-only"
    touch /tmp/probe && echo "tmp: writable"
    echo "umask: $(umask)"
    tr "\0" " " </proc/1/cmdline | grep -q . && echo "other users processes: visible"
    test -r /proc/meminfo && test -r /proc/stat && test -r /proc/loadavg && echo "proc: readable"
    test -e /dev/sda -o -e /dev/vda -o -e /dev/kmsg && echo "devices: VISIBLE" || echo "devices: hidden"
    python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(\"libvirt socket:\", s.recv(5).decode())" '"$sock"'
    ls -la /var/lib/vm-agent/probe
    rm -f /var/lib/vm-agent/probe /var/log/vm-agent/probe' 2>&1)
  wait "$server" 2>/dev/null
  rm -f "$sock"
  echo "$out"
  local want
  for want in "state: writable" "logs: writable" "program: read-only" "config: read-only" \
    "tmp: writable" "umask: 0077" "proc: readable" "devices: hidden" "libvirt socket: hello" \
    "other users processes: visible"; do
    grep -qxF "$want" <<<"$out" || { echo "expected: $want"; ok=1; }
  done
  grep -q '^-rw------- 1 vm-agent vm-agent' <<<"$out" || { echo "expected files created 0600 by vm-agent"; ok=1; }
  return $ok
}

check_sandbox_config_check() {
  need_live || return
  write_test_env
  local out
  out=$(sandbox "$UNIT_PROC" vm-agent config check 2>&1)
  local rc=$?
  echo "$out"
  expect "config check exits 0 inside the sandbox (got $rc)" test $rc -eq 0
}

# One run of the daemon in the unit's sandbox, until the backend sees it online, then SIGTERM.
# Sets daemon_online, daemon_rc, daemon_took and daemon_maps (its /proc/PID/maps when online).
sandbox_daemon_run() {
  local data=$1 log=$2 sandbox_pid agent_pid t0 deadline=$((SECONDS + 60))
  daemon_online="" daemon_maps=""
  sandbox "$UNIT_PROC" vm-agent run >"$log" 2>&1 &
  sandbox_pid=$!
  while [[ $SECONDS -lt $deadline ]] && kill -0 "$sandbox_pid" 2>/dev/null; do
    # Registered (credentials kept), then seen online by the backend after a heartbeat.
    if [[ -e /var/lib/vm-agent/credentials.json ]] &&
      bin/vm-backend agents list --data-dir "$data" 2>/dev/null | grep -q ' online '; then
      daemon_online=yes
      break
    fi
    sleep 0.5
  done
  bin/vm-backend agents list --data-dir "$data" 2>&1
  agent_pid=$(pgrep -u vm-agent -f 'vm-agent.jar run')
  if [[ -n $agent_pid ]]; then daemon_maps=$(cat "/proc/$agent_pid/maps" 2>/dev/null); fi
  t0=$SECONDS
  if [[ -n $agent_pid ]]; then kill -TERM "$agent_pid"; fi
  wait "$sandbox_pid"
  daemon_rc=$?
  daemon_took=$((SECONDS - t0))
  echo "stopped with status $daemon_rc after $daemon_took s"
  tail -25 "$log"
}

check_sandbox_daemon() {
  # The daemon in the unit's sandbox against the reference backend over TLS: it registers,
  # stays online, and on SIGTERM stops cleanly well within TimeoutStopSec. It runs twice: the
  # first stop records the class-data archive in the cache directory, the second start maps it.
  need_live || return
  [[ -x bin/vm-backend && -f backend/target/vm-backend.jar ]] || { echo "no reference backend built"; return 77; }
  local data=$work/backend backend_pid ok=0 stop_limit token run
  stop_limit=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s*$/\1/p' "$unit_src")
  bin/vm-backend serve --data-dir "$data" --listen 127.0.0.1:0 >"$work/backend.log" 2>&1 &
  backend_pid=$!
  for _ in $(seq 1 150); do [[ -s $data/backend.url ]] && break; sleep 0.2; done
  if [[ ! -s $data/backend.url ]]; then
    cat "$work/backend.log"
    kill "$backend_pid"
    return 1
  fi
  install -m 0644 "$data/tls/ca.pem" /etc/vm-agent/ssl/backend-ca.pem
  rm -f /var/lib/vm-agent/credentials.json /var/lib/vm-agent/agent-id
  rm -rf /var/cache/vm-agent
  token=$(bin/vm-backend token create --single-use --data-dir "$data" 2>/dev/null)
  printf '%s\n' "AGENT_BACKEND_URL=$(cat "$data/backend.url")" "AGENT_TOKEN=$token" \
    AGENT_SSL_CA_PATH=/etc/vm-agent/ssl/backend-ca.pem AGENT_LIBVIRT_URI=test:///default \
    AGENT_HEARTBEAT_INTERVAL=5 >/etc/vm-agent/agent.env
  for run in 1 2; do
    echo "--- run $run"
    sandbox_daemon_run "$data" "$work/daemon-$run.log"
    expect "run $run: the agent registered and came online from inside the sandbox" test -n "$daemon_online" || ok=1
    expect "run $run: a clean exit (0, or 143 which the unit counts as success)" \
      test "$daemon_rc" -eq 0 -o "$daemon_rc" -eq 143 || ok=1
    expect "run $run: the stop well within TimeoutStopSec (${stop_limit}s)" test "$daemon_took" -lt "${stop_limit:-0}" || ok=1
    expect "run $run: nothing refused by the sandbox in the log" \
      not grep -iE 'read-only file system|permission denied|operation not permitted|AccessDenied' "$work/daemon-$run.log" || ok=1
    ls -l /var/cache/vm-agent
    if [[ $run == 1 ]]; then
      expect "run 1 recorded a class-data archive at exit, owned by vm-agent" \
        test -n "$(find /var/cache/vm-agent -name 'vm-agent-*.jsa.new' -user vm-agent -size +1M)" || ok=1
    else
      expect "run 2 checked the archive and put it in place" \
        test -n "$(find /var/cache/vm-agent -name 'vm-agent-*.jsa' -user vm-agent)" || ok=1
      expect "run 2 mapped the archive" grep -q '/var/cache/vm-agent/vm-agent-.*\.jsa$' <<<"$daemon_maps" || ok=1
      expect "run 2 did not record another" not grep -q 'no class-data archive' "$work/daemon-2.log" || ok=1
    fi
  done
  kill "$backend_pid"
  wait "$backend_pid" 2>/dev/null
  expect "credentials kept 0600 in the state directory" \
    test "$(stat -c %a /var/lib/vm-agent/credentials.json 2>/dev/null)" = 600 || ok=1
  echo "NOTE: registered, online and stopped twice (last stop in $daemon_took s, status $daemon_rc); class-data archive recorded, then used"
  return $ok
}

# The unit's SystemCallFilter=@system-service minus @privileged and @resources, expanded to
# system call names (written once, readable by vm-agent).
expand_syscall_group() {
  local entry
  systemd-analyze syscall-filter "$1" | sed 1d | sed 's/^ *//' | grep -v '^#' | while read -r entry; do
    [[ -z $entry ]] && continue
    if [[ $entry == @* ]]; then expand_syscall_group "$entry"; else echo "$entry"; fi
  done
}

syscalls_allowed() {
  local allowed=$work/syscalls-allowed
  if [[ ! -s $allowed ]]; then
    expand_syscall_group @system-service | sort -u >"$allowed.all"
    { expand_syscall_group @privileged; expand_syscall_group @resources; } | sort -u >"$work/syscalls-denied"
    comm -23 "$allowed.all" "$work/syscalls-denied" >"$allowed"
    chmod 0644 "$allowed"
  fi
  echo "$allowed"
}

check_syscall_filter() {
  need_live || return
  command -v strace >/dev/null || { echo "strace not installed"; return 77; }
  local ok=0 out
  # The filter is in force in the sandbox: setpriority (@resources) is refused there only.
  local renice=(/usr/bin/python3 -c 'import os; os.setpriority(os.PRIO_PROCESS, 0, 1)')
  expect "setpriority allowed outside the sandbox" as_agent "${renice[@]}" || ok=1
  out=$(sandbox "$UNIT_PROC" "${renice[@]}" 2>&1)
  expect "setpriority refused with EPERM inside the sandbox: $out" grep -q 'Operation not permitted' <<<"$out" || ok=1
  # What the agent asks for that the filter refuses; the sandbox checks prove it copes.
  write_test_env
  install -o vm-agent -m 0600 /dev/null "$work/strace-config.txt"
  install -o vm-agent -m 0600 /dev/null "$work/strace-metrics.txt"
  # Traced as vm-agent, from the launcher's execve on: runuser's own set-up is not the service's.
  as_agent strace -f -qq -o "$work/strace-config.txt" vm-agent config check >/dev/null 2>&1
  as_agent strace -f -qq -o "$work/strace-metrics.txt" vm-agent metrics --json --interval 0 >/dev/null 2>&1
  sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z_0-9]+) resumed>.*/\1/; s/\(.*//' "$work/strace-config.txt" "$work/strace-metrics.txt" |
    grep -E '^[a-z_0-9]+$' | sort -u >"$work/syscalls-used"
  expect "a trace of the agent" test "$(wc -l <"$work/syscalls-used")" -gt 20 || return 1
  local refused
  refused=$(comm -23 "$work/syscalls-used" "$(syscalls_allowed)" | tr '\n' ' ')
  echo "NOTE: $(wc -l <"$work/syscalls-used") distinct system calls; refused with EPERM: ${refused:-none}"
  return $ok
}

check_live_uninstall() {
  need_live || return
  local out ok=0
  out=$("$release/install.sh" --uninstall) || { echo "$out"; return 1; }
  echo "$out"
  expect "program removed" test ! -e /opt/vm-agent || ok=1
  expect "unit removed" test ! -e /etc/systemd/system/vm-agent.service || ok=1
  expect "unit disabled" test ! -L /etc/systemd/system/multi-user.target.wants/vm-agent.service || ok=1
  expect "symlink removed" test ! -L /usr/bin/vm-agent || ok=1
  expect "class-data archive removed with the jar it was made from" test ! -e /var/cache/vm-agent || ok=1
  expect "configuration kept" test -s /etc/vm-agent/agent.env || ok=1
  expect "state kept" test -d /var/lib/vm-agent || ok=1
  expect "user kept" getent passwd vm-agent || ok=1
  out=$("$release/install.sh" --uninstall) || return 1
  expect "second uninstall reports no changes" grep -q ': no changes$' <<<"$out" || ok=1
  return $ok
}

check_live_purge() {
  need_live || return
  local out ok=0 dry before
  before=$(live_digest)
  dry=$("$release/install.sh" --purge --dry-run) || return 1
  echo "$dry"
  expect "purge --dry-run changes nothing" test "$before" = "$(live_digest)" || ok=1
  out=$("$release/install.sh" --purge) || { echo "$out"; return 1; }
  echo "$out"
  expect "configuration, state and logs removed" \
    test ! -e /etc/vm-agent -a ! -e /var/lib/vm-agent -a ! -e /var/log/vm-agent || ok=1
  expect "user removed" not getent passwd vm-agent || ok=1
  return $ok
}

check_deb_refuses_install_sh_copy() {
  need_live || return
  "$release/install.sh" >/dev/null || return 1
  touch "$MARKER"
  local out rc
  out=$(dpkg -i "$deb" 2>&1)
  rc=$?
  echo "$out"
  "$release/install.sh" --purge >/dev/null || return 1
  expect "dpkg -i fails over an install.sh copy" test $rc -ne 0 || return 1
  grep -q "install.sh --uninstall" <<<"$out" || { echo "no advice in the message"; return 1; }
}

check_deb_cycle() {
  need_live || return
  local out ok=0
  out=$(dpkg -i "$deb" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  touch "$MARKER"
  expect "user vm-agent in group libvirt" bash -c 'id -nG vm-agent | tr " " "\n" | grep -qx libvirt' || ok=1
  local p
  for p in "/etc/vm-agent:750 root:vm-agent" "/etc/vm-agent/agent.env:640 root:vm-agent" \
    "/var/lib/vm-agent:700 vm-agent:vm-agent" "/var/log/vm-agent:750 vm-agent:adm"; do
    [[ $(mode_of "${p%%:*}") == "${p#*:}" ]] || { echo "${p%%:*}: $(mode_of "${p%%:*}"), expected ${p#*:}"; ok=1; }
  done
  expect "unit enabled" test -L /etc/systemd/system/multi-user.target.wants/vm-agent.service || ok=1
  expect "vm-agent runs from the PATH" runuser -u vm-agent -- vm-agent version || ok=1
  local verify
  verify=$(systemd-analyze verify /lib/systemd/system/vm-agent.service 2>&1)
  expect "packaged unit verifies clean: $verify" test -z "$verify" || ok=1

  write_test_env
  echo "AGENT_NAME=kept-by-reinstall" >>/etc/vm-agent/agent.env
  echo spool >/var/lib/vm-agent/keep.rec
  out=$(dpkg -i "$deb" 2>&1) || { echo "$out"; return 1; }
  expect "reinstall keeps the configuration" grep -q kept-by-reinstall /etc/vm-agent/agent.env || ok=1

  # Upgrade to a newer package (this one, version bumped): configuration and state untouched.
  local unpacked=$work/deb-newer kept
  dpkg-deb -R "$deb" "$unpacked" &&
    sed -i "s/^Version: .*/Version: ${version}.1/" "$unpacked/DEBIAN/control" &&
    dpkg-deb -Zgzip -z1 -b "$unpacked" "$work/vm-agent_newer.deb" >/dev/null || return 1
  kept=$(tree_digest /etc/vm-agent /var/lib/vm-agent)
  out=$(dpkg -i "$work/vm-agent_newer.deb" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  expect "upgraded to ${version}.1" test "$(dpkg-query -W -f='${Version}' vm-agent)" = "${version}.1" || ok=1
  expect "package upgrade keeps configuration and state" \
    test "$kept" = "$(tree_digest /etc/vm-agent /var/lib/vm-agent)" || ok=1

  install -d -m 0700 /var/cache/vm-agent && echo archive >/var/cache/vm-agent/vm-agent-0.jsa
  out=$(dpkg -r vm-agent 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  expect "remove: program gone" test ! -e /opt/vm-agent/lib/vm-agent.jar -a ! -e /usr/bin/vm-agent || ok=1
  expect "remove: class-data archive gone with the jar" test ! -e /var/cache/vm-agent || ok=1
  expect "remove: configuration kept" grep -q kept-by-reinstall /etc/vm-agent/agent.env || ok=1
  expect "remove: state kept" test -f /var/lib/vm-agent/keep.rec || ok=1
  expect "remove: logrotate conffile kept" test -f /etc/logrotate.d/vm-agent || ok=1

  out=$(dpkg --purge vm-agent 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  expect "purge: configuration, state and logs gone" \
    test ! -e /etc/vm-agent -a ! -e /var/lib/vm-agent -a ! -e /var/log/vm-agent || ok=1
  expect "purge: logrotate rule gone" test ! -e /etc/logrotate.d/vm-agent || ok=1
  expect "purge: unit no longer enabled" test ! -e /etc/systemd/system/multi-user.target.wants/vm-agent.service || ok=1
  expect "purge: package unknown to dpkg" \
    not dpkg-query -W vm-agent || ok=1
  # Debian keeps system users on purge; these checks leave the machine as they found it.
  userdel vm-agent 2>/dev/null || true
  return $ok
}

# ---------------------------------------------------------------------------------------------
# vm-backend: its unit and its package

check_backend_unit_verify() {
  check_unit_verify "$backend_unit_src" /opt/vm-backend/bin/vm-backend "$repo/bin/vm-backend"
}

check_backend_unit_settings() {
  local line ok=0
  # shellcheck disable=SC2016 # $VM_BACKEND_OPTS is the unit's text, expanded by systemd.
  for line in Type=exec User=vm-backend Group=vm-backend EnvironmentFile=/etc/vm-backend/backend.env \
    Environment=VM_BACKEND_DATA_DIR=/var/lib/vm-backend \
    'ExecStart=/opt/vm-backend/bin/vm-backend serve $VM_BACKEND_OPTS' Restart=on-failure \
    RestartPreventExitStatus=2 ReadWritePaths=/var/lib/vm-backend ProtectSystem=strict UMask=0077 \
    CapabilityBoundingSet= "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"; do
    grep -qxF "$line" "$backend_unit_src" || { echo "missing: $line"; ok=1; }
  done
  # Every connection up to the default cap of 8,000 is a file descriptor.
  local files
  files=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' "$backend_unit_src")
  expect "LimitNOFILE above 8000, got '${files}'" test "${files:-0}" -gt 8000 || ok=1
  if grep -q '^MemoryDenyWriteExecute=yes' "$backend_unit_src"; then echo "MemoryDenyWriteExecute=yes breaks the JVM"; ok=1; fi
  return $ok
}

check_backend_deb_metadata() {
  local depends files ok=0 f
  depends=$(dpkg-deb -f "$backend_deb" Depends)
  echo "Depends: $depends"
  for f in java17-runtime-headless adduser; do
    grep -q "$f" <<<"$depends" || { echo "Depends lacks $f"; ok=1; }
  done
  files=$(dpkg-deb -c "$backend_deb")
  for f in ./opt/vm-backend/lib/vm-backend.jar ./opt/vm-backend/bin/vm-backend \
    ./opt/vm-backend/share/backend.env.example ./lib/systemd/system/vm-backend.service \
    "./usr/bin/vm-backend -> /opt/vm-backend/bin/vm-backend" ./usr/share/man/man1/vm-backend.1.gz \
    ./usr/share/man/man1/vm-backend-serve.1.gz ./usr/share/doc/vm-backend/copyright; do
    grep -qF " $f" <<<"$files" || { echo "package lacks $f"; ok=1; }
  done
  expect "no agent man page in the backend's package" not grep -q 'man1/vm-agent' <<<"$files" || ok=1
  expect "no backend man page in the agent's package" not grep -q 'man1/vm-backend' <(dpkg-deb -c "$deb") || ok=1
  expect "the packaged unit is the repository's" \
    cmp -s <(dpkg-deb --fsys-tarfile "$backend_deb" | tar -xOf - ./lib/systemd/system/vm-backend.service) "$backend_unit_src" || ok=1
  expect "the packaged launcher is bin/vm-backend" \
    cmp -s <(dpkg-deb --fsys-tarfile "$backend_deb" | tar -xOf - ./opt/vm-backend/bin/vm-backend) bin/vm-backend || ok=1
  expect "the man page documents serve's options" \
    grep -q 'jdbc.-url' <(dpkg-deb --fsys-tarfile "$backend_deb" | tar -xOf - ./usr/share/man/man1/vm-backend-serve.1.gz | gzip -dc) || ok=1
  return $ok
}

check_backend_unit_security() {
  check_unit_security "$backend_unit_src"
}

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# backend_serves PORT: the installed backend, started as the unit starts it (its user, its env
# file, its data directory), answers /metrics to this host (promtool lints it) and service
# discovery to the operator.
backend_serves() {
  local port=$1 pid ok=0 metrics targets
  (
    set -a
    # shellcheck source=/dev/null
    source /etc/vm-backend/backend.env
    set +a
    # shellcheck disable=SC2086 # split into words as systemd splits $VM_BACKEND_OPTS.
    exec setpriv --reuid vm-backend --regid vm-backend --init-groups \
      env VM_BACKEND_DATA_DIR=/var/lib/vm-backend /usr/bin/vm-backend serve $VM_BACKEND_OPTS
  ) >"$work/backend-serve.log" 2>&1 &
  pid=$!
  local _
  for _ in $(seq 1 120); do
    [[ -s /var/lib/vm-backend/backend.url ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  expect "the backend started (log: $(tail -3 "$work/backend-serve.log"))" test -s /var/lib/vm-backend/backend.url || ok=1
  if [[ $ok -eq 0 ]]; then
    metrics=$(curl -sS --cacert /var/lib/vm-backend/tls/ca.pem "https://127.0.0.1:$port/metrics")
    expect "/metrics answers: $(head -c 300 <<<"$metrics")" grep -q '^vm_backend_long_polls_waiting ' <<<"$metrics" || ok=1
    expect "promtool check metrics passes: $(promtool check metrics <<<"$metrics" 2>&1)" \
      bash -c 'promtool check metrics >/dev/null 2>&1' <<<"$metrics" || ok=1
    targets=$(curl -sS --cacert /var/lib/vm-backend/tls/ca.pem \
      -H "Authorization: Bearer $(cat /var/lib/vm-backend/operator.token)" \
      "https://127.0.0.1:$port/api/v1/operator/prometheus/targets")
    expect "service discovery answers the operator an empty list, got '$targets'" test "$targets" = "[]" || ok=1
    expect "files the backend made are its own and private" \
      test "$(mode_of /var/lib/vm-backend/operator.token)" = "600 vm-backend:vm-backend" || ok=1
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return $ok
}

check_backend_deb_cycle() {
  need_live || return
  if dpkg-query -W -f='${Status}' vm-backend 2>/dev/null | grep -q 'ok installed\|config-files' ||
    [[ -e /etc/vm-backend || -e /var/lib/vm-backend ]]; then
    [[ -e $BACKEND_MARKER ]] || { echo "a vm-backend installation not made by these checks exists"; return 77; }
    dpkg --purge vm-backend >/dev/null 2>&1 || true
    rm -rf /etc/vm-backend /var/lib/vm-backend
  fi
  local out ok=0 p port
  out=$(dpkg -i "$backend_deb" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  touch "$BACKEND_MARKER"
  expect "user vm-backend with no shell" \
    test "$(getent passwd vm-backend | cut -d: -f7)" = /usr/sbin/nologin || ok=1
  for p in "/etc/vm-backend:750 root:vm-backend" "/etc/vm-backend/backend.env:640 root:vm-backend" \
    "/var/lib/vm-backend:700 vm-backend:vm-backend" "/opt/vm-backend/lib/vm-backend.jar:644 root:root"; do
    [[ $(mode_of "${p%%:*}") == "${p#*:}" ]] || { echo "${p%%:*}: $(mode_of "${p%%:*}"), expected ${p#*:}"; ok=1; }
  done
  expect "unit enabled" test -L /etc/systemd/system/multi-user.target.wants/vm-backend.service || ok=1
  expect "man page installed" man -w vm-backend-serve || ok=1
  local verify
  verify=$(systemd-analyze verify /lib/systemd/system/vm-backend.service 2>&1)
  expect "packaged unit verifies clean: $verify" test -z "$verify" || ok=1

  port=$(free_port)
  sed -i "s/^VM_BACKEND_OPTS=.*/VM_BACKEND_OPTS=\"--listen 127.0.0.1:$port\"/" /etc/vm-backend/backend.env
  echo "# kept-by-reinstall" >>/etc/vm-backend/backend.env
  backend_serves "$port" || ok=1
  out=$(dpkg -i "$backend_deb" 2>&1) || { echo "$out"; return 1; }
  expect "reinstall keeps the configuration" grep -q kept-by-reinstall /etc/vm-backend/backend.env || ok=1

  out=$(dpkg -r vm-backend 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  expect "remove: program gone" test ! -e /opt/vm-backend/lib/vm-backend.jar -a ! -e /usr/bin/vm-backend || ok=1
  expect "remove: configuration kept" grep -q kept-by-reinstall /etc/vm-backend/backend.env || ok=1
  expect "remove: data kept" test -f /var/lib/vm-backend/operator.token || ok=1
  out=$(dpkg --purge vm-backend 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  expect "purge: configuration and data gone" test ! -e /etc/vm-backend -a ! -e /var/lib/vm-backend || ok=1
  expect "purge: unit no longer enabled" \
    test ! -e /etc/systemd/system/multi-user.target.wants/vm-backend.service || ok=1
  userdel vm-backend 2>/dev/null || true
  return $ok
}

# ---------------------------------------------------------------------------------------------

echo "dist checks of vm-agent $version ($(basename "$deb"), $(basename "$backend_deb"), $(basename "$tarball"))"
start_background_checks
check unit-verify check_unit_verify
check unit-security check_unit_security
check unit-settings check_unit_required_settings
check env-template check_env_template
check deb-metadata check_deb_metadata
check install-scratch-root check_scratch_install
check install-bad-input check_bad_input
check live-clean-machine clean_machine
check install-dry-run check_live_dry_run
check install-live check_live_install
check install-idempotent check_live_idempotent
check install-repairs-drift check_live_repairs_drift
check config-check-as-vm-agent check_live_config_check
check install-upgrade-keeps-state check_live_upgrade
check logrotate-rule check_live_logrotate
check sandbox-files-and-socket check_sandbox_files
check sandbox-metrics check_sandbox_metrics
check sandbox-procsubset-would-break check_sandbox_procsubset_breaks
check sandbox-config-check check_sandbox_config_check
check memory-deny-write-execute-breaks-jvm check_mdwe_breaks_jvm
check sandbox-daemon-with-backend check_sandbox_daemon
check syscall-filter check_syscall_filter
check install-uninstall check_live_uninstall
check install-purge check_live_purge
check deb-refuses-install-sh-copy check_deb_refuses_install_sh_copy
check deb-install-remove-purge check_deb_cycle
check backend-unit-verify check_backend_unit_verify
check backend-unit-security check_backend_unit_security
check backend-unit-settings check_backend_unit_settings
check backend-deb-metadata check_backend_deb_metadata
check backend-deb-install-serve-purge check_backend_deb_cycle
check shellcheck check_shellcheck
check deb-lintian check_deb_lintian

echo "dist checks: $passed passed, $failed failed, $skipped skipped in $((SECONDS - started)) s"
[[ $failed -eq 0 ]]
