#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A launcher's own broker: sandbox-broker --serve-fd, and sandbox-helper
--broker-fd handing the sandbox to it. Prints "ok - ..." / "not ok - ..."
and "N passed, N failed".

Usage: ownbroker.py HELPER BROKER PROBE"""
import os
import signal
import socket
import subprocess
import sys
import time

helper, broker, probe = sys.argv[1:4]
passed = failed = 0


def check(good, name, detail=""):
    global passed, failed
    print(("ok - " if good else "not ok - ") + name + ("" if good else f" ({detail})"), flush=True)
    if good:
        passed += 1
    else:
        failed += 1


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def marked(mark):
    """Processes whose command line holds MARK."""
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if mark.encode() in f.read():
                        out.append(int(p))
            except OSError:
                pass
    return out


def start(args, helper_args=()):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    br = subprocess.Popen([broker, f"--serve-fd={a.fileno()}"], pass_fds=[a.fileno()],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    a.close()
    h = subprocess.Popen([helper, f"--broker-fd={b.fileno()}", *helper_args, "--", *args],
                         pass_fds=[b.fileno()], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    b.close()
    return br, h


# The status, the policy, and no broker socket in the program.
br, h = start([probe, "fds"], ["--policy=minimal"])
out, err = h.communicate(timeout=30)
bs = br.wait(timeout=30)
check(h.returncode == 0 and bs == 0 and out.strip() == "0 1 2",
      "--broker-fd: the launcher's broker serves; the program has only 0 1 2",
      f"helper {h.returncode} broker {bs} fds {out.strip()!r} {err.strip()}")
br, h = start(["/bin/sh", "-c", "cat /etc/hostname >/dev/null; cat /etc/shadow; exit 7"],
              ["--strict", "--policy=shell"])
out, err = h.communicate(timeout=30)
_, berr = br.communicate(timeout=30)
check(h.returncode == 7 and br.returncode == 7 and 'refused openat("/etc/shadow")' in berr,
      "--broker-fd: the program's status (7) from the helper and the broker; the policy refuses",
      f"helper {h.returncode} broker {br.returncode} {berr.strip()}")

def running_sandbox():
    """A paused probe served by a launcher's broker, once it runs: the
    broker, the helper and the mark in the sandbox's command lines."""
    mark = f"sbx-own-{os.getpid()}-{time.monotonic_ns()}"
    br, h = start([probe, "pause", mark])
    for _ in range(100):
        if len(marked(mark)) >= 3:  # helper, init, and the broker once handed the sandbox
            break
        time.sleep(0.05)
    return br, h, mark


def end(first, first_signal, then):
    """Signal FIRST, then wait for THEN to end (killed after 10 s)."""
    first.send_signal(first_signal)
    first.wait(timeout=30)
    try:
        then.wait(timeout=10)
    except subprocess.TimeoutExpired:
        then.kill()
        then.wait()
    time.sleep(0.3)


# SIGTERM to the helper (the pid a launcher holds) reaches the program.
br, h, mark = running_sandbox()
end(h, signal.SIGTERM, br)
check(h.returncode == 143 and not marked(mark),
      "--broker-fd: SIGTERM to the helper reaches the program (143), nothing left",
      f"helper {h.returncode} left {marked(mark)}")

# SIGKILL to the launcher's broker: the sandbox ends, nothing is left.
br, h, mark = running_sandbox()
end(br, signal.SIGKILL, h)
check(h.returncode != 0 and not marked(mark),
      "--broker-fd: SIGKILL to the launcher's broker ends the sandbox, nothing left",
      f"helper {h.returncode} left {marked(mark)}")

# SIGKILL to the helper: the broker and the sandbox end too.
br, h, mark = running_sandbox()
end(h, signal.SIGKILL, br)
check(not marked(mark) and not alive(br.pid),
      "--broker-fd: SIGKILL to the helper ends the broker and the sandbox, nothing left",
      f"broker {br.returncode} left {marked(mark)}")

# Bad input, one line each, nothing started.
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
b.close()
r = subprocess.run([broker, f"--serve-fd={a.fileno()}"], pass_fds=[a.fileno()],
                   capture_output=True, text=True, timeout=30)
a.close()
check(r.returncode == 125 and "closed before a sandbox was handed over" in r.stderr,
      "sandbox-broker --serve-fd: a socket closed at once is one line and 125", r.stderr.strip())
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
b.send(b"\x17\x00\x00\x00\x00\x00\x00\x00garbage")
b.close()
r = subprocess.run([broker, f"--serve-fd={a.fileno()}"], pass_fds=[a.fileno()],
                   capture_output=True, text=True, timeout=30)
a.close()
check(r.returncode == 125 and "--serve-fd" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
      "sandbox-broker --serve-fd: a message that is no handover is refused in one line (125)",
      r.stderr.strip())
r = subprocess.run([helper, "--broker-fd=57", "--", "/bin/true"], capture_output=True, text=True)
check(r.returncode == 125 and "--broker-fd: fd 57 is not open" in r.stderr,
      "sandbox-helper --broker-fd of a closed fd: one line, 125", r.stderr.strip())
rfd, wfd = os.pipe()
r = subprocess.run([helper, f"--broker-fd={wfd}", "--", "/bin/true"], pass_fds=[wfd],
                   capture_output=True, text=True, timeout=30)
os.close(rfd)
os.close(wfd)
check(r.returncode == 125 and "cannot hand the sandbox to the broker" in r.stderr,
      "sandbox-helper --broker-fd of a pipe: one line, 125, nothing left", r.stderr.strip())

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
