# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the sandbox: /proc/self is the program's own, nothing else of
# /proc is reachable. Prints "ok ..." or "FAIL ..." lines; exits 1 on a FAIL.
import os
import sys

fails = 0


def check(cond, what):
    global fails
    print(("ok " if cond else "FAIL ") + what)
    fails += not cond


def refused(path, flags=os.O_RDONLY):
    try:
        os.close(os.open(path, flags))
    except OSError as e:
        return e.errno in (13, 1)
    return False


check(os.readlink("/proc/self/exe").startswith("/usr/bin/python3"), "readlink /proc/self/exe")
check(os.readlink("/proc/self/cwd") == os.getcwd(), "readlink /proc/self/cwd is getcwd()")
status = open("/proc/self/status").read()
check("\nSeccomp:\t2\n" in status and "\nNoNewPrivs:\t1\n" in status, "/proc/self/status is the sandboxed program's")
nspid = [l for l in status.splitlines() if l.startswith("NSpid:")][0].split()[-1]
check(int(nspid) == os.getpid(), "NSpid's last entry is the program's own pid")
fds = sorted(int(x) for x in os.listdir("/proc/self/fd"))
check(0 in fds and 1 in fds and 2 in fds, "listdir /proc/self/fd (%s)" % fds)
check(os.readlink("/proc/self/ns/pid").startswith("pid:["), "readlink /proc/self/ns/pid")
check(len(open("/proc/self/maps").read().splitlines()) > 5, "read /proc/self/maps")
check(open("/proc/self/cmdline").read().split("\0")[1] == sys.argv[0], "read /proc/self/cmdline")
check(open("/proc/thread-self/comm").read().startswith("python3"), "read /proc/thread-self/comm")
check(open("/proc/%d/comm" % os.getpid()).read().startswith("python3"), "/proc/PID/comm with its own pid")
r, w = os.pipe()
os.write(w, b"via-fd")
fd = os.open("/proc/self/fd/%d" % r, os.O_RDONLY)
check(os.read(fd, 6) == b"via-fd", "reopen a pipe through /proc/self/fd")
for bad in ["/proc/1/environ", "/proc/1/status", "/proc/self/root/etc/passwd",
            "/proc/self/fd/0/../x", "/proc/self/cwd/x", "/proc/kcore", "/proc/self/mem",
            "/proc/self/root", "/proc/%d/root/etc/hostname" % os.getpid()]:
    check(refused(bad), "refused: " + bad)
check(refused("/proc/self/fd/0", os.O_WRONLY), "no write access through /proc/self/fd to a read-only fd")
sys.exit(1 if fails else 0)
