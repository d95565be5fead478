#!/usr/bin/python3
"""Runs a command under a seccomp filter built like systemd's:

  seccomp-exec.py ALLOWED_FILE COMMAND [ARGS...]
      SystemCallFilter= with SystemCallErrorNumber=EPERM and SystemCallArchitectures=native:
      the system calls named in ALLOWED_FILE (one a line) are allowed, every other one fails
      with EPERM.
  seccomp-exec.py --deny-write-execute COMMAND [ARGS...]
      MemoryDenyWriteExecute=yes: no memory mapping both writable and executable, no adding
      execute permission to a mapping later; everything else allowed.

Used by dist-tests.sh to emulate the unit's sandbox where systemd is not PID 1."""
import errno
import os
import sys

import seccomp

PROT_WRITE = 0x2
PROT_EXEC = 0x4


def allow_list_filter(allowed_file):
    flt = seccomp.SyscallFilter(defaction=seccomp.ERRNO(errno.EPERM))
    with open(allowed_file, encoding="utf-8") as f:
        names = f.read().split()
    for name in names:
        try:
            flt.add_rule(seccomp.ALLOW, name)
        except (RuntimeError, ValueError):
            # Names of other architectures or newer kernels: systemd skips them too.
            pass
    return flt


def deny_write_execute_filter():
    flt = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    eperm = seccomp.ERRNO(errno.EPERM)
    write_exec = PROT_WRITE | PROT_EXEC
    flt.add_rule(eperm, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, write_exec, write_exec))
    flt.add_rule(eperm, "mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    flt.add_rule(eperm, "pkey_mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    return flt


def main():
    if sys.argv[1] == "--deny-write-execute":
        flt, command = deny_write_execute_filter(), sys.argv[2:]
    else:
        flt, command = allow_list_filter(sys.argv[1]), sys.argv[2:]
    flt.load()
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
