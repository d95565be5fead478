#!/usr/bin/env bash
# Builds the previous release's vm-agent.jar and vm-backend.jar from this repository's history
# (the commit in COMMIT) into target/previous-release/ at the repository's root, for the
# mixed-version tests. Does nothing when they are there already; exits 0 with a message when the
# history is not in this clone (the tests then skip and say why).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
commit=$(tr -d '[:space:]' <"$root/testing/previous-release/COMMIT")
out="$root/target/previous-release"
if [[ -s "$out/vm-agent.jar" && -s "$out/vm-backend.jar" && "$(cat "$out/COMMIT" 2>/dev/null)" == "$commit" ]]; then
  echo "previous release ($commit) already built in $out"
  exit 0
fi
if ! git -C "$root" cat-file -e "$commit^{commit}" 2>/dev/null; then
  echo "previous release $commit is not in this clone's history; the mixed-version tests will be skipped" >&2
  exit 0
fi
work=$(mktemp -d /tmp/vm-agent-previous.XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$root" archive "$commit" | tar -x -C "$work"
echo "building the previous release ($commit) in $work"
# Its own version of the build, offline when the repository already holds what it needs.
(cd "$work" && mvn -B -ntp -q -DskipTests -pl agent,backend -am package)
mkdir -p "$out"
cp "$work/agent/target/vm-agent.jar" "$out/vm-agent.jar"
cp "$work/backend/target/vm-backend.jar" "$out/vm-backend.jar"
echo "$commit" >"$out/COMMIT"
echo "previous release built into $out"
