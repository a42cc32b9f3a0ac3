# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the sandbox: N threads connect (blocking) to a TCP peer on
# the host's loopback whose backlog is full, so no connect ever completes;
# a stat must still answer at once.
#   connects.py PORT N
import os
import signal
import socket
import sys
import threading
import time

port, n = int(sys.argv[1]), int(sys.argv[2])
done = []


def connect():
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
        done.append("connected")
    except OSError as e:
        done.append(str(e))


ts = [threading.Thread(target=connect, daemon=True) for _ in range(n)]
for t in ts:
    t.start()
time.sleep(1.5)


class Late(Exception):
    pass


def on_alarm(sig, frame):
    raise Late()


signal.signal(signal.SIGALRM, on_alarm)
signal.alarm(5)
t0 = time.monotonic()
try:
    os.stat("/")
    took = time.monotonic() - t0
except Late:
    took = None
signal.alarm(0)
waiting = sum(t.is_alive() for t in ts)
print("connects waiting %d of %d, stat %s" % (waiting, n, "hung" if took is None else "%.3f s" % took))
sys.exit(0 if took is not None and took < 2 and waiting >= n // 2 else 1)
