# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the sandbox: many threads open, stat and read files at once
# while one thread waits on a FIFO; every answer must be right.
import os
import sys
import threading

DIR = sys.argv[1]
N, ROUNDS = 8, 150
errors = []
for i in range(N):
    with open(os.path.join(DIR, "f%d" % i), "w") as f:
        f.write("content %d\n" % i)

fifo = os.path.join(DIR, "fifo")
os.mkfifo(fifo)
got = []


def reader():
    with open(fifo) as f:  # blocks until the writer below opens
        got.append(f.read())


def work(i):
    try:
        for _ in range(ROUNDS):
            p = os.path.join(DIR, "f%d" % i)
            with open(p) as f:
                if f.read() != "content %d\n" % i:
                    errors.append("wrong content in %s" % p)
            os.stat(p)
            with open(os.path.join(DIR, "t%d" % i), "w") as f:
                f.write("x")
            os.rename(os.path.join(DIR, "t%d" % i), os.path.join(DIR, "u%d" % i))
            os.unlink(os.path.join(DIR, "u%d" % i))
    except OSError as e:
        errors.append(str(e))


r = threading.Thread(target=reader)
r.start()
ts = [threading.Thread(target=work, args=(i,)) for i in range(N)]
for t in ts:
    t.start()
for t in ts:
    t.join()
# Every worker finished while the reader was still waiting on the FIFO.
waiting = r.is_alive()
with open(fifo, "w") as f:
    f.write("through the fifo")
r.join()
print("threads=%d rounds=%d errors=%d fifo_waited=%s fifo=%r" % (N, ROUNDS, len(errors), waiting, got))
for e in errors[:5]:
    print("error:", e)
sys.exit(0 if not errors and waiting and got == ["through the fifo"] else 1)
