# SPDX-License-Identifier: LGPL-2.1-or-later
# Peers for the network tests, on loopback and in DIR: a TCP echo server, a
# UDP echo server, a unix-socket echo server, an abstract unix echo server,
# a TCP server that never accepts (a full backlog: connects hang), and
# python's http.server. Writes "name value" lines to DIR/ports, then serves
# until stdin closes.
import http.server
import os
import socket
import socketserver
import sys
import threading

d = sys.argv[1]


def echo(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)


def serve_stream(srv):
    while True:
        c, _ = srv.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def serve_udp(u):
    while True:
        data, peer = u.recvfrom(65536)
        u.sendto(data, peer)


tcp = socket.create_server(("127.0.0.1", 0))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
unix_path = os.path.join(d, "echo.sock")
ux = socket.socket(socket.AF_UNIX)
ux.bind(unix_path)
ux.listen(8)
os.chmod(unix_path, 0o777)
other_path = os.path.join(d, "other.sock")
ot = socket.socket(socket.AF_UNIX)
ot.bind(other_path)
ot.listen(8)
os.chmod(other_path, 0o777)
abstract = "sbx-test-%d" % os.getpid()
ab = socket.socket(socket.AF_UNIX)
ab.bind("\0" + abstract)
ab.listen(8)
# Never accepted; once its backlog holds a connection, the next SYN waits.
full = socket.socket()
full.bind(("127.0.0.1", 0))
full.listen(0)
fillers = []
for _ in range(3):
    c = socket.socket()
    c.setblocking(False)
    c.connect_ex(full.getsockname())
    fillers.append(c)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


with open(os.path.join(d, "page.html"), "w") as f:
    f.write("<html><body>hello from the host</body></html>\n")
httpd = socketserver.TCPServer(("127.0.0.1", 0), lambda *a: Quiet(*a, directory=d))

for s in (tcp, ux, ot, ab):
    threading.Thread(target=serve_stream, args=(s,), daemon=True).start()
threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
threading.Thread(target=httpd.serve_forever, daemon=True).start()
with open(os.path.join(d, "ports.tmp"), "w") as f:
    f.write("tcp %d\nudp %d\nfull %d\nhttp %d\nabstract %s\n" % (
        tcp.getsockname()[1], udp.getsockname()[1], full.getsockname()[1],
        httpd.server_address[1], abstract))
os.rename(os.path.join(d, "ports.tmp"), os.path.join(d, "ports"))
sys.stdin.read()
