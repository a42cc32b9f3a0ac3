# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sends on the sandbox's own sockets under a policy with datagram rules,
where the broker carries out every sendmsg itself: fd passing, a send that
must wait for its reader, SIGPIPE. Prints one line a check: ok/FAIL."""
import os
import signal
import socket
import sys
import threading
import time


def check(ok, what):
    print(("ok " if ok else "FAIL ") + what, flush=True)


# An fd passed over a unix socket pair with SCM_RIGHTS arrives and works.
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
r, w = os.pipe()
socket.send_fds(a, [b"fd"], [w])
msg, fds, _, _ = socket.recv_fds(b, 16, 4)
os.write(fds[0], b"through")
check(msg == b"fd" and os.read(r, 16) == b"through", "an fd passed with sendmsg (SCM_RIGHTS) works")

# A blocking sendmsg bigger than the buffer waits for a slow reader.
a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
got = bytearray()


def reader():
    time.sleep(0.3)
    while len(got) < 200000:
        chunk = b.recv(65536)
        if not chunk:
            break
        got.extend(chunk)


t = threading.Thread(target=reader)
t.start()
sent = 0
data = b"x" * 200000
while sent < len(data):
    sent += a.sendmsg([data[sent:]])
t.join()
check(len(got) == 200000, f"a blocking sendmsg waits for its reader ({len(got)} bytes)")

# A datagram socket pair: sendmsg with no address.
c, d = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
c.sendmsg([b"dgram"])
check(d.recv(16) == b"dgram", "sendmsg on a unix datagram pair")

# A unix path as the address of a send is refused (it would be looked up
# outside the sandbox).
try:
    c2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c2.sendto(b"x", sys.argv[1])
    check(False, "sendto a unix path is refused")
except OSError as e:
    check(e.errno in (13, 1), f"sendto a unix path is refused ({e.strerror})")

# SIGPIPE where the kernel raises it: the peer closed, no MSG_NOSIGNAL.
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    e, g = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    g.close()
    try:
        e.sendmsg([b"x"])
    except OSError:
        os._exit(3)
    os._exit(4)
_, st = os.waitpid(pid, 0)
check(os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGPIPE, f"SIGPIPE on a broken pair (status {st})")
