#!/usr/bin/python3
"""Runs a command under a seccomp filter built like systemd's SystemCallFilter= with
SystemCallErrorNumber=EPERM and SystemCallArchitectures=native: the system calls named in
ALLOWED_FILE (one a line) are allowed, every other one fails with EPERM.

Usage: seccomp-exec.py ALLOWED_FILE COMMAND [ARGS...]   (used by dist-tests.sh)"""
import errno
import os
import sys

import seccomp


def main():
    allowed_file, command = sys.argv[1], sys.argv[2:]
    flt = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    with open(allowed_file, encoding="utf-8") as f:
        names = f.read().split()
    unknown = []
    for name in names:
        try:
            flt.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            # Names of other architectures or newer kernels: systemd skips them too.
            unknown.append(name)
    flt.load()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
