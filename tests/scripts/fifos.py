# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the sandbox: FIFO opens that wait for their peer must not
# take the broker's workers. N threads open FIFOs for reading with no
# writer; a stat must still answer at once; then writers come, and every
# reader gets its data. Also the kernel's semantics: O_NONBLOCK opens, an
# open interrupted by a signal (EINTR, and a reader beside it still waits
# for its own writer and its data, not an early end of file).
#   fifos.py DIR [N]
import errno
import os
import signal
import sys
import threading
import time

DIR = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100
failed = 0


def check(cond, what):
    global failed
    print(("ok   " if cond else "FAIL ") + what)
    failed += not cond


class Late(Exception):
    pass


def on_alarm(sig, frame):
    raise Late()


signal.signal(signal.SIGALRM, on_alarm)


def timed(what, fn, limit=5):
    """fn() within LIMIT seconds (a signal ends a call that hangs)."""
    signal.setitimer(signal.ITIMER_REAL, limit)
    t0 = time.monotonic()
    try:
        r = fn()
        return r, time.monotonic() - t0
    except Late:
        return Late, time.monotonic() - t0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# 1. N readers wait, each on a FIFO of its own.
paths = [os.path.join(DIR, "f%d" % i) for i in range(N)]
for p in paths:
    os.mkfifo(p)
got = [None] * N


def reader(i):
    with open(paths[i]) as f:
        got[i] = f.read()


ts = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(N)]
for t in ts:
    t.start()
time.sleep(1.0)  # every open has reached the broker
waiting = sum(t.is_alive() for t in ts)
r, took = timed("stat", lambda: os.stat(DIR))
check(r is not Late and took < 2, "a stat answers while %d FIFO opens wait (%d waiting, %.3f s)" % (N, waiting, took))
r, took = timed("open", lambda: open(os.path.join(DIR, "plain"), "w").close())
check(r is not Late and took < 2, "a file is made while they wait (%.3f s)" % took)


def write_all():
    for i, p in enumerate(paths):
        with open(p, "w") as f:
            f.write("data %d" % i)
    for t in ts:
        t.join()


r, took = timed("writers", write_all, 30)
check(r is not Late and got == ["data %d" % i for i in range(N)],
      "then %d writers come and every reader gets its data (%.3f s)" % (N, took))

# 2. O_NONBLOCK is the kernel's: a reader opens at once, a writer without
# a reader gets ENXIO.
q = os.path.join(DIR, "q")
os.mkfifo(q)
try:
    os.close(os.open(q, os.O_WRONLY | os.O_NONBLOCK))
    e = 0
except OSError as x:
    e = x.errno
check(e == errno.ENXIO, "O_WRONLY|O_NONBLOCK without a reader: ENXIO (got %s)" % errno.errorcode.get(e, e))
r, took = timed("nonblock read", lambda: os.open(q, os.O_RDONLY | os.O_NONBLOCK))
check(r is not Late and took < 1, "O_RDONLY|O_NONBLOCK opens at once")
if r is not Late:
    os.close(r)

# 3. A signal ends a waiting open (EINTR); the waiter it leaves is let go
# and does not end the wait of another reader of the same FIFO early.
other = []


def other_reader():
    with open(q) as f:
        other.append(f.read())


o = threading.Thread(target=other_reader, daemon=True)
o.start()
time.sleep(0.3)
late = 0
for _ in range(5):
    r, took = timed("interrupted", lambda: open(q), 0.2)
    late += r is Late
check(late == 5, "a signal ends a FIFO open that waits (5 of %d)" % late)
time.sleep(0.3)
check(o.is_alive() and not other, "another reader of that FIFO still waits (read %r)" % other)
with open(q, "w") as f:
    f.write("late data")
o.join(5)
check(other == ["late data"], "and reads its writer's data (%r)" % other)

# 4. Opens ended by signals again and again (as a program with a timer
# restarts them) leave no waiters behind: more of them than the broker
# lets wait at once, then an open still waits and gets its writer.
late = 0
for _ in range(600):
    r, took = timed("interrupted", lambda: open(q), 0.002)
    late += r is Late
got = []
t = threading.Thread(target=lambda: got.append(open(q).read()), daemon=True)
t.start()
time.sleep(0.2)
with open(q, "w") as f:
    f.write("after 600")
t.join(5)
check(got == ["after 600"], "600 opens ended by signals (%d), then a FIFO open still works (%r)" % (late, got))
sys.exit(1 if failed else 0)
