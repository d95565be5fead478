#!/usr/bin/env bash
# Installs, upgrades or removes vm-agent from an unpacked release (the directory holding this
# script, lib/vm-agent.jar, bin/vm-agent, systemd/, logrotate/, env/, man/, completion/, docs/
# and VERSION).
# Idempotent: every step compares what is there with what should be there and acts only on a
# difference, so a second run reports "no changes". See docs/install.md.
set -Eeuo pipefail

readonly AGENT_USER=vm-agent
readonly UNIT=vm-agent.service

usage() {
  cat <<'EOF'
Usage: sudo ./install.sh [OPTIONS]

Installs vm-agent from this release: system packages, the vm-agent user, directories, the jar
and launcher, a configuration template, the systemd unit, a logrotate rule, the man pages and
the bash completion. Running it again
changes nothing; running a newer release upgrades and keeps configuration, credentials and spool.

Options:
  --with-hypervisor      also install libvirt-daemon-system and qemu-kvm
  --generate-test-certs  create a test CA and client certificate under /etc/vm-agent/ssl
  --skip-packages        do not install system packages (check for Java only)
  --prefix DIR           program directory (default /opt/vm-agent)
  --root DIR             install into DIR instead of / (for tests and images: no packages,
                         users, ownership or systemctl)
  --dry-run              print what would be done and change nothing
  --uninstall            remove the program, unit and logrotate rule; keep configuration,
                         state and logs
  --purge                uninstall and also remove configuration, state, logs and the user
  -h, --help             show this help

Exit codes: 0 done, 1 failed, 2 bad usage.
EOF
}

die() {
  echo "install.sh: error: $*" >&2
  exit 1
}

usage_error() {
  echo "install.sh: $*" >&2
  echo "Try 'install.sh --help'." >&2
  exit 2
}

on_error() {
  echo "install.sh: error: command failed (exit $1) at line $2: $3" >&2
  echo "install.sh: the installation is incomplete; fix the cause and run install.sh again." >&2
}
trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR

# ---------------------------------------------------------------------------------------------
# Options

root=/
prefix=/opt/vm-agent
mode=install
dry_run=false
with_hypervisor=false
test_certs=false
skip_packages=false

while [[ $# -gt 0 ]]; do
  case $1 in
    --with-hypervisor) with_hypervisor=true ;;
    --generate-test-certs) test_certs=true ;;
    --skip-packages) skip_packages=true ;;
    --dry-run) dry_run=true ;;
    --uninstall) [[ $mode == purge ]] || mode=uninstall ;;
    --purge) mode=purge ;;
    --root | --prefix)
      [[ $# -ge 2 && -n $2 ]] || usage_error "$1 needs a directory"
      [[ $2 == /* ]] || usage_error "$1 needs an absolute path, got '$2'"
      if [[ $1 == --root ]]; then root=$2; else prefix=$2; fi
      shift
      ;;
    --root=* | --prefix=*)
      value=${1#*=}
      [[ $value == /* ]] || usage_error "${1%%=*} needs an absolute path, got '$value'"
      if [[ $1 == --root=* ]]; then root=$value; else prefix=$value; fi
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift
done

root=${root%/}
prefix=${prefix%/}
# On the live system (root /) the script also manages packages, the user, ownership and systemd.
live=true
[[ -z $root ]] || live=false

src=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

# ---------------------------------------------------------------------------------------------
# Reporting: every change goes through act(), which counts it and honours --dry-run.

changes=0

act() {
  local what=$1
  shift
  changes=$((changes + 1))
  if $dry_run; then
    echo "  would: $what"
  else
    echo "  $what"
    "$@"
  fi
}

info() {
  echo "install.sh: $*"
}

# ---------------------------------------------------------------------------------------------
# Idempotent building blocks. Paths are on the target system; $root is added here.

# owner_spec SPEC -> "user:group" for chown, or empty when ownership is not managed (--root).
owner_spec() {
  if $live; then echo "$1"; fi
}

ensure_attrs() {
  local path=$1 wanted_mode=$2 owner
  owner=$(owner_spec "$3")
  local current_mode
  current_mode=$(stat -c '%a' "$root$path")
  if [[ $current_mode != "${wanted_mode#0}" ]]; then
    act "chmod $wanted_mode $path" chmod "$wanted_mode" "$root$path"
  fi
  if [[ -n $owner ]]; then
    local current_owner
    current_owner=$(stat -c '%U:%G' "$root$path")
    if [[ $current_owner != "$owner" ]]; then
      act "chown $owner $path" chown "$owner" "$root$path"
    fi
  fi
}

ensure_dir() {
  local path=$1 wanted_mode=$2 owner=$3
  if [[ ! -d $root$path ]]; then
    act "create directory $path ($wanted_mode$(owner_spec " $owner"))" mkdir -p -m "$wanted_mode" "$root$path"
    if $dry_run; then return; fi
  fi
  ensure_attrs "$path" "$wanted_mode" "$owner"
}

# Replaces the file only when its content differs, through a temporary file and a rename so
# that a running agent never sees a half-written jar.
ensure_file() {
  local from=$1 path=$2 wanted_mode=$3 owner=$4
  if [[ -f $root$path ]] && cmp -s "$from" "$root$path"; then
    ensure_attrs "$path" "$wanted_mode" "$owner"
    return
  fi
  local verb=install
  [[ ! -e $root$path ]] || verb=update
  act "$verb $path" replace_file "$from" "$root$path" "$wanted_mode" "$(owner_spec "$owner")"
  installed_files_changed=true
}

replace_file() {
  local from=$1 to=$2 wanted_mode=$3 owner=$4 tmp
  tmp=$(mktemp "$to.XXXXXX")
  cp "$from" "$tmp"
  chmod "$wanted_mode" "$tmp"
  if [[ -n $owner ]]; then chown "$owner" "$tmp"; fi
  mv -f "$tmp" "$to"
}

# Installs a file only when none is there: the operator's configuration is never overwritten.
ensure_file_once() {
  local from=$1 path=$2 wanted_mode=$3 owner=$4
  if [[ -e $root$path ]]; then
    ensure_attrs "$path" "$wanted_mode" "$owner"
    return
  fi
  act "install $path (template)" replace_file "$from" "$root$path" "$wanted_mode" \
    "$(owner_spec "$owner")"
}

ensure_symlink() {
  local target=$1 path=$2
  if [[ -L $root$path && $(readlink "$root$path") == "$target" ]]; then return; fi
  [[ ! -e $root$path || -L $root$path ]] || die "$path exists and is not a symbolic link; move it away"
  act "link $path -> $target" ln -sfn "$target" "$root$path"
}

remove_path() {
  local path=$1
  if [[ -e $root$path || -L $root$path ]]; then
    act "remove $path" rm -rf -- "$root$path"
  fi
}

# ---------------------------------------------------------------------------------------------
# System parts (live system only)

systemd_running() {
  [[ -d /run/systemd/system ]]
}

java_major() {
  local java=$1
  "$java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

have_java17() {
  local java
  for java in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)"; do
    if [[ -n $java && -x $java ]] && [[ $(java_major "$java") -ge 17 ]]; then return 0; fi
  done
  return 1
}

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

ensure_packages() {
  local wanted=(libvirt0 libvirt-clients)
  # The create operation's cloud-init seeds: either ISO tool will do.
  if ! package_installed genisoimage && ! package_installed xorriso; then wanted+=(genisoimage); fi
  if $test_certs; then wanted+=(openssl); fi
  if $with_hypervisor; then wanted+=(libvirt-daemon-system qemu-kvm); fi
  local missing=() pkg
  if ! have_java17; then missing+=(openjdk-17-jre-headless); fi
  if $skip_packages; then
    [[ ${#missing[@]} -eq 0 ]] || die "no Java 17 or newer found; install openjdk-17-jre-headless or drop --skip-packages"
    return
  fi
  command -v dpkg-query >/dev/null || die "dpkg-query not found: install.sh supports Debian and Ubuntu; use --skip-packages and install Java 17 and libvirt yourself"
  for pkg in "${wanted[@]}"; do
    package_installed "$pkg" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  act "apt-get install ${missing[*]}" apt_install "${missing[@]}"
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" ||
    { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } ||
    die "could not install $*; install them by hand and run install.sh again"
}

ensure_user() {
  if ! getent group libvirt >/dev/null; then
    # libvirt-daemon-system creates this group; the unit needs it to exist to start.
    act "create system group libvirt" groupadd --system libvirt
  fi
  if ! getent passwd "$AGENT_USER" >/dev/null; then
    act "create system user $AGENT_USER (home $prefix, no shell, groups libvirt)" \
      useradd --system --user-group --home-dir "$prefix" --no-create-home \
      --shell /usr/sbin/nologin --comment "vm-agent host agent" --groups libvirt "$AGENT_USER"
    return
  fi
  if ! id -nG "$AGENT_USER" | tr ' ' '\n' | grep -qx libvirt; then
    act "add $AGENT_USER to group libvirt" usermod -a -G libvirt "$AGENT_USER"
  fi
}

systemd_enable() {
  if ! systemctl is-enabled --quiet "$UNIT" 2>/dev/null; then
    act "enable $UNIT" systemctl enable --quiet "$UNIT"
  fi
}

# ---------------------------------------------------------------------------------------------
# Install / upgrade

read_release() {
  local f
  for f in VERSION lib/vm-agent.jar bin/vm-agent systemd/$UNIT logrotate/vm-agent env/agent.env \
    docs/install.md man/vm-agent.1.gz completion/vm-agent; do
    [[ -f $src/$f ]] || die "$src/$f is missing: run install.sh from an unpacked release (mvn -B package builds dist/target/vm-agent-VERSION/)"
  done
  version=$(tr -d '[:space:]' <"$src/VERSION")
  [[ -n $version ]] || die "$src/VERSION is empty"
}

render_unit() {
  # The unit names /opt/vm-agent; another --prefix is written into ExecStart.
  sed "s#/opt/vm-agent/#$prefix/#g" "$src/systemd/$UNIT" >"$1"
}

refuse_if_packaged() {
  if $live && package_installed vm-agent; then
    die "vm-agent is installed from the Debian package here; upgrade it with apt or dpkg, or remove it (dpkg -r vm-agent) before using install.sh"
  fi
}

generate_test_certs() {
  local ssl=/etc/vm-agent/ssl
  if [[ -e $root$ssl/agent-key.pem && -e $root$ssl/agent-cert.pem ]]; then
    ensure_attrs "$ssl/agent-key.pem" 0600 "$AGENT_USER:$AGENT_USER"
    if [[ -e $root$ssl/ca-key.pem ]]; then ensure_attrs "$ssl/ca-key.pem" 0600 root:root; fi
    return
  fi
  command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
  act "create test CA and client certificate in $ssl (ca.pem, agent-cert.pem, agent-key.pem)" \
    make_test_certs "$root$ssl"
}

make_test_certs() {
  local dir=$1 work name
  name=$(hostname -f 2>/dev/null || hostname)
  work=$(mktemp -d)
  (
    umask 077
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca-key.pem" 2>/dev/null
    openssl req -x509 -new -key "$work/ca-key.pem" -sha256 -days 825 \
      -subj "/O=vm-agent test/CN=vm-agent test CA $name" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$work/ca.pem"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/agent-key.pem" 2>/dev/null
    openssl req -new -key "$work/agent-key.pem" -subj "/O=vm-agent test/CN=$name" -out "$work/agent.csr"
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=clientAuth" "subjectAltName=DNS:$name" >"$work/ext.cnf"
    openssl x509 -req -in "$work/agent.csr" -CA "$work/ca.pem" -CAkey "$work/ca-key.pem" \
      -CAcreateserial -sha256 -days 825 -extfile "$work/ext.cnf" -out "$work/agent-cert.pem" 2>/dev/null
  )
  local f owner
  owner=$(owner_spec "$AGENT_USER:$AGENT_USER")
  for f in ca.pem agent-cert.pem; do
    install -m 0644 "$work/$f" "$dir/$f"
  done
  # The CA's key stays root's: the agent only needs its own key.
  install -m 0600 "$work/ca-key.pem" "$dir/ca-key.pem"
  install -m 0600 "$work/agent-key.pem" "$dir/agent-key.pem"
  if [[ -n $owner ]]; then chown "$owner" "$dir/agent-key.pem"; fi
  rm -rf -- "$work"
}

do_install() {
  read_release
  refuse_if_packaged
  local previous=""
  if [[ -f $root$prefix/VERSION ]]; then previous=$(tr -d '[:space:]' <"$root$prefix/VERSION"); fi
  if [[ -z $previous ]]; then
    info "installing vm-agent $version into ${root:-/}"
  elif [[ $previous == "$version" ]]; then
    info "vm-agent $version is installed; checking that everything is in place"
  elif command -v dpkg >/dev/null && dpkg --compare-versions "$version" lt "$previous"; then
    info "downgrading vm-agent $previous -> $version (configuration, credentials and spool are kept)"
  else
    info "upgrading vm-agent $previous -> $version (configuration, credentials and spool are kept)"
  fi

  if $live; then
    ensure_packages
    ensure_user
  fi
  local agent=$AGENT_USER:$AGENT_USER

  installed_files_changed=false
  ensure_dir "$prefix" 0755 root:root
  ensure_dir "$prefix/lib" 0755 root:root
  ensure_dir "$prefix/bin" 0755 root:root
  ensure_dir "$prefix/share" 0755 root:root
  ensure_file "$src/lib/vm-agent.jar" "$prefix/lib/vm-agent.jar" 0644 root:root
  ensure_file "$src/bin/vm-agent" "$prefix/bin/vm-agent" 0755 root:root
  ensure_file "$src/env/agent.env" "$prefix/share/agent.env.example" 0644 root:root
  ensure_file "$src/docs/install.md" "$prefix/share/install.md" 0644 root:root
  ensure_dir /usr/bin 0755 root:root
  ensure_symlink "$prefix/bin/vm-agent" /usr/bin/vm-agent

  ensure_dir /etc/vm-agent 0750 "root:${agent#*:}"
  ensure_file_once "$src/env/agent.env" /etc/vm-agent/agent.env 0640 "root:${agent#*:}"
  ensure_dir /etc/vm-agent/ssl 0750 "root:${agent#*:}"
  ensure_dir /var/lib/vm-agent 0700 "$agent"
  ensure_dir /var/log/vm-agent 0750 "${agent%:*}:adm"

  local unit_file
  unit_file=$(mktemp)
  render_unit "$unit_file"
  ensure_dir /etc/systemd/system 0755 root:root
  ensure_file "$unit_file" "/etc/systemd/system/$UNIT" 0644 root:root
  rm -f -- "$unit_file"
  ensure_dir /etc/logrotate.d 0755 root:root
  ensure_file "$src/logrotate/vm-agent" /etc/logrotate.d/vm-agent 0644 root:root
  ensure_dir /usr/share/bash-completion/completions 0755 root:root
  ensure_file "$src/completion/vm-agent" /usr/share/bash-completion/completions/vm-agent 0644 root:root
  ensure_dir /usr/share/man/man1 0755 root:root
  local page
  for page in "$src"/man/vm-agent*.1.gz; do
    ensure_file "$page" "/usr/share/man/man1/${page##*/}" 0644 root:root
  done

  if $test_certs; then generate_test_certs; fi

  # Written last: its presence means a complete installation of this version.
  local version_file
  version_file=$(mktemp)
  echo "$version" >"$version_file"
  ensure_file "$version_file" "$prefix/VERSION" 0644 root:root
  rm -f -- "$version_file"

  if $live && command -v systemctl >/dev/null; then
    if systemd_running && $installed_files_changed; then
      act "reload systemd" systemctl daemon-reload
    fi
    systemd_enable
    if systemd_running && $installed_files_changed && systemctl is-active --quiet "$UNIT"; then
      act "restart $UNIT (new files)" systemctl restart "$UNIT"
    fi
  fi

  finish "vm-agent $version"
  if $live && [[ -z $previous && $changes -gt 0 ]] && ! $dry_run; then
    cat <<EOF

Next steps:
  1. Edit /etc/vm-agent/agent.env: set AGENT_BACKEND_URL and AGENT_TOKEN at least.
  2. Check it:   sudo -u $AGENT_USER vm-agent config check
  3. Start it:   sudo systemctl start $UNIT   (enabled at boot already)
EOF
  fi
}

# ---------------------------------------------------------------------------------------------
# Uninstall / purge

do_uninstall() {
  refuse_if_packaged
  info "removing vm-agent from ${root:-/}$([[ $mode == purge ]] && echo ' with its configuration, state and logs')"
  if $live && command -v systemctl >/dev/null; then
    if systemd_running && systemctl is-active --quiet "$UNIT"; then
      act "stop $UNIT" systemctl stop "$UNIT"
    fi
    if systemctl is-enabled --quiet "$UNIT" 2>/dev/null; then
      act "disable $UNIT" systemctl disable --quiet "$UNIT"
    fi
  fi
  remove_path "/etc/systemd/system/$UNIT"
  remove_path /etc/logrotate.d/vm-agent
  remove_path /usr/share/bash-completion/completions/vm-agent
  local page
  for page in "$root"/usr/share/man/man1/vm-agent*.1.gz; do
    if [[ -e $page ]]; then remove_path "/usr/share/man/man1/${page##*/}"; fi
  done
  if [[ -L $root/usr/bin/vm-agent ]]; then remove_path /usr/bin/vm-agent; fi
  # Only the files install.sh put there: --prefix may name a directory shared with other things.
  local f
  for f in lib/vm-agent.jar bin/vm-agent share/agent.env.example share/install.md VERSION; do
    remove_path "$prefix/$f"
  done
  # The launcher's class-data archive: made from the jar just removed, of no use to anything else.
  remove_path /var/cache/vm-agent
  for f in lib bin share ""; do
    if [[ -d $root$prefix/$f ]] && [[ -z $(ls -A "$root$prefix/$f") || $dry_run == true ]]; then
      act "remove directory $prefix${f:+/$f}" rmdir --ignore-fail-on-non-empty -- "$root$prefix/$f"
    fi
  done
  if $live && systemd_running && [[ $changes -gt 0 ]]; then
    act "reload systemd" systemctl daemon-reload
  fi
  if [[ $mode == purge ]]; then
    remove_path /etc/vm-agent
    remove_path /var/lib/vm-agent
    remove_path /var/log/vm-agent
    if $live && getent passwd "$AGENT_USER" >/dev/null; then
      act "delete user $AGENT_USER" userdel "$AGENT_USER"
    fi
    if $live && getent group "$AGENT_USER" >/dev/null; then
      act "delete group $AGENT_USER" groupdel "$AGENT_USER"
    fi
  elif [[ -e $root/etc/vm-agent || -e $root/var/lib/vm-agent ]]; then
    info "kept /etc/vm-agent, /var/lib/vm-agent and /var/log/vm-agent (remove them with --purge)"
  fi
  finish "vm-agent removal"
}

finish() {
  if [[ $changes -eq 0 ]]; then
    info "$1: no changes"
  elif $dry_run; then
    info "$1: dry run, $changes change(s) would be made"
  else
    info "$1: $changes change(s) made"
  fi
}

# ---------------------------------------------------------------------------------------------

if $live && ! $dry_run && [[ $(id -u) -ne 0 ]]; then
  die "must run as root (sudo ./install.sh), or use --root DIR or --dry-run"
fi
if ! $live && ! $dry_run; then mkdir -p -- "$root" || die "cannot create --root $root"; fi
if $dry_run; then info "dry run: nothing will be changed"; fi

case $mode in
  install) do_install ;;
  uninstall | purge) do_uninstall ;;
esac
