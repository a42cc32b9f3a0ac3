#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A broker written by the caller: it takes a sandbox from sandbox-helper
# --broker-fd (as a launcher's own broker does) and sends init whatever
# root requests it likes, then prints init's answer to each, one a line:
# "KIND PATH ERRNO" (0: init did it). Used to check that init, which may
# be root, does nothing the caller could not do by itself.
#   forged_broker.py HELPER REQUEST... where REQUEST is
#   proc:PATH | dir:PATH | bind:PATH (the caller's stat of it, writable,
#   recursive for a directory) | bind0:PATH (the same with dev, ino 0)
import os, socket, struct, subprocess, sys

ROOT_DIR, ROOT_BIND, HANDOVER, ROOT_HIDE, ROOT_PROC = 1, 3, 16, 17, 18
ROOT_DONE = 12


def req_payload(kind, path):
    p = path.encode() + b"\0"
    if kind in ("bind", "bind0"):
        st = os.lstat(path)
        fmt = st.st_mode & 0o170000
        flags = 1 | (4 if fmt == 0o040000 else 0) | 2
        dev, ino = (st.st_dev, st.st_ino) if kind == "bind" else (0, 0)
        return ROOT_BIND, struct.pack("=QQII", dev, ino, fmt, flags) + p
    if kind == "proc":  # the path, and "" (the whole procfs, not subset=pid)
        return ROOT_PROC, p + b"\0"
    return ROOT_DIR, p


def main():
    helper, reqs = sys.argv[1], sys.argv[2:]
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    os.set_inheritable(theirs.fileno(), True)
    h = subprocess.Popen([helper, "--broker-fd=%d" % theirs.fileno(), "--policy=shell", "--",
                          "/bin/true"], pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    theirs.close()
    mine.settimeout(20)
    msg, anc, _, _ = mine.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
    fds = []
    for lvl, typ, data in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds += list(struct.unpack("%di" % (len(data) // 4), data[:len(data) - len(data) % 4]))
    t, _ = struct.unpack("=II", msg[:8])
    if t != HANDOVER or not fds:
        print("no handover", file=sys.stderr)
        h.kill()
        return 2
    chan = socket.socket(fileno=fds[0])
    chan.settimeout(20)
    for i, r in enumerate(reqs, 1):
        kind, path = r.split(":", 1)
        typ, payload = req_payload(kind, path)
        chan.send(struct.pack("=II", typ, i) + payload)
        ans = chan.recv(65536)
        t, rid, err = struct.unpack("=IIi", ans[:12])
        print(kind, path, err if t == ROOT_DONE and rid == i else "?", flush=True)
    chan.close()  # init ends: the broker refused to start
    for fd in fds[1:]:
        os.close(fd)
    h.wait(timeout=20)
    return 0


sys.exit(main())
