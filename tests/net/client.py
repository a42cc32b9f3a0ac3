# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the sandbox: one network check per command-line word, each
# printing "ok ..." or "FAIL ..."; exits 1 on any FAIL.
import errno
import os
import select
import socket
import sys
import urllib.request

ports = dict(l.split() for l in open(sys.argv[1]))
tcp, udp, http, full = (int(ports[k]) for k in ("tcp", "udp", "http", "full"))
d = os.path.dirname(sys.argv[1])
fails = 0


def check(cond, what):
    global fails
    print(("ok " if cond else "FAIL ") + what, flush=True)
    fails += not cond


def err(fn):
    try:
        fn()
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return "no error"


def tcp_blocking():
    s = socket.socket()
    s.connect(("127.0.0.1", tcp))
    s.sendall(b"blocking")
    check(s.recv(64) == b"blocking", "blocking TCP connect and echo")


def tcp_nonblocking():
    s = socket.socket()
    s.setblocking(False)
    r = s.connect_ex(("127.0.0.1", tcp))
    _, w, _ = select.select([], [s], [], 5)
    e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    s.setblocking(True)
    s.sendall(b"nb")
    check(r in (0, errno.EINPROGRESS) and w and e == 0 and s.recv(8) == b"nb",
          "nonblocking TCP connect: %s, then poll and SO_ERROR 0" % errno.errorcode.get(r, r))


def tcp_denied():
    check(err(lambda: socket.create_connection(("127.0.0.1", udp))) == "EACCES",
          "TCP connect to a port no rule names: EACCES")


def tcp_v6_denied():
    s = socket.socket(socket.AF_INET6)
    check(err(lambda: s.connect(("::1", tcp))) == "EACCES", "TCP connect to [::1] (no rule): EACCES")


def udp_sendto():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(5)
    u.sendto(b"dgram", ("127.0.0.1", udp))
    data, peer = u.recvfrom(64)
    check(data == b"dgram" and peer[1] == udp, "UDP sendto an allowed peer and recvfrom its answer")
    check(err(lambda: u.sendto(b"x", ("127.0.0.1", tcp))) == "EACCES",
          "UDP sendto a peer no rule names: EACCES")
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(5)
    c.connect(("127.0.0.1", udp))
    c.send(b"connected")
    check(c.recv(64) == b"connected", "UDP connect, send and recv")
    check(err(lambda: c.sendto(b"x", ("127.0.0.1", tcp))) == "EACCES",
          "sendto another address on a connected UDP socket: EACCES")


def unix_path():
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(d, "echo.sock"))
    s.sendall(b"unix")
    check(s.recv(16) == b"unix", "unix socket connect by path and echo")
    o = socket.socket(socket.AF_UNIX)
    check(err(lambda: o.connect(os.path.join(d, "other.sock"))) == "EACCES",
          "unix socket no rule names: EACCES")


def abstract_denied():
    s = socket.socket(socket.AF_UNIX)
    check(err(lambda: s.connect("\0" + ports["abstract"])) == "EACCES",
          "the host's abstract socket without a rule: EACCES")


def abstract_allowed():
    s = socket.socket(socket.AF_UNIX)
    s.connect("\0" + ports["abstract"])
    s.sendall(b"abs")
    check(s.recv(8) == b"abs", "the host's abstract socket with a rule")


def http_get():
    body = urllib.request.urlopen("http://127.0.0.1:%d/page.html" % http, timeout=5).read()
    check(b"hello from the host" in body, "python's urllib fetches a page from http.server")


def server():
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    with open(os.path.join(d, "server-port"), "w") as f:
        f.write(str(port))
    srv.settimeout(10)
    c, _ = srv.accept()
    c.sendall(c.recv(64).upper())
    check(True, "bind 127.0.0.1:0, listen and accept a connection from the host (port %d)" % port)


def fastopen():
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    check(err(lambda: srv.sendto(b"x", socket.MSG_FASTOPEN, ("127.0.0.1", tcp))) in ("EACCES", "EISCONN", "EINVAL", "EOPNOTSUPP"),
          "no TCP Fast Open connection from a bound socket (port %d)" % port)
    b = socket.socket()
    b.bind(("127.0.0.1", 0))
    check(err(lambda: b.sendto(b"x", socket.MSG_FASTOPEN, ("127.0.0.1", tcp))) == "EACCES",
          "sendto(MSG_FASTOPEN) on a bound, unconnected TCP socket: EACCES")


def bind_denied():
    check(err(lambda: socket.create_server(("127.0.0.1", 0))) == "EACCES", "bind without a rule: EACCES")


def hang():
    s = socket.socket()
    print("connecting", flush=True)
    s.connect(("127.0.0.1", full))
    print("connected?", flush=True)


def private_loopback():
    srv = socket.create_server(("127.0.0.1", 0))
    c = socket.create_connection(srv.getsockname(), timeout=5)
    a, _ = srv.accept()
    c.sendall(b"inside")
    check(a.recv(16) == b"inside", "a server and a client on the sandbox's own loopback")
    check(err(lambda: socket.create_connection(("127.0.0.1", tcp), timeout=5)) == "ECONNREFUSED",
          "127.0.0.1 is the sandbox's: the host's echo server is not there (ECONNREFUSED)")


def no_loopback():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    check(err(lambda: s.bind(("127.0.0.1", 0))) == "EACCES", "no loopback of its own without the rule")


def raw():
    check(err(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)) == "EACCES",
          "raw socket: EACCES")
    check(err(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)) == "EACCES",
          "netlink socket: EACCES")
    check(err(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0)) == "EACCES",
          "packet socket: EACCES")


for word in sys.argv[2:]:
    globals()[word]()
sys.exit(1 if fails else 0)
