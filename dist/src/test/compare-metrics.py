#!/usr/bin/env python3
"""Compares two `vm-agent metrics --json` snapshots of the same host, one taken outside and one
inside the systemd unit's sandbox, and says what the sandbox hides. Exit 0 when it hides
nothing the metrics need, 1 otherwise. Used by dist-tests.sh."""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Log lines may precede the JSON document on standard output.
    return json.loads(text[text.index("{"):])


def main(outside_path, inside_path):
    outside, inside = load(outside_path), load(inside_path)
    problems = []

    def same(what, get):
        a, b = get(outside), get(inside)
        if a != b:
            problems.append(f"{what}: {a!r} outside, {b!r} inside")

    same("hostname", lambda s: s["host"]["hostname"])
    same("KVM device present", lambda s: s["host"]["virtualization"]["kvm_device_present"])
    same("memory total", lambda s: s["system"]["memory"]["total_bytes"])
    same("swap total", lambda s: s["system"]["swap"]["total_bytes"])
    same("logical cores", lambda s: s["system"]["cpu"]["logical_cores"])
    same("physical cores", lambda s: s["system"]["cpu"]["physical_cores"])
    same("disks", lambda s: sorted(d["device"] for d in s["system"]["disks"]))
    same("network interfaces", lambda s: sorted(n["name"] for n in s["system"]["network"]))
    same("domains", lambda s: sorted(d["name"] for d in s["domains"]))
    # Bind mounts of the sandbox (ReadWritePaths=, PrivateTmp=) add mount points of volumes
    # already listed; what counts is that every volume stays visible with its size.
    same("file system volumes", lambda s: sorted({(f["device"], f["total_bytes"]) for f in s["system"]["file_systems"]}))
    failed = [c["name"] for c in inside["collectors"] if not c["success"]]
    if failed:
        problems.append(f"collectors failing inside: {failed}")
    memory = inside["system"]["memory"]
    if not memory["available_bytes"] > 0:
        problems.append(f"memory available is {memory['available_bytes']} inside")
    if inside["system"]["cpu"]["usage_percent"] is None:
        problems.append("no CPU usage inside")

    for p in problems:
        print(p)
    mounts_out = {f["mount_point"] for f in outside["system"]["file_systems"]}
    extra = sorted({f["mount_point"] for f in inside["system"]["file_systems"]} - mounts_out)
    print(f"memory {memory['total_bytes']} bytes, {inside['system']['cpu']['logical_cores']} cpus, "
          f"{len(inside['domains'])} domain(s); extra mount points inside: {', '.join(extra) or 'none'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
