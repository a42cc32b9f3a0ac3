#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The page the Chromium test renders, served on 127.0.0.1.

Usage: server.py DIR. Prints the port on the first line of stdout. Serves
/page.html (text, a web font, an image, a canvas, JavaScript), /blue.png,
/font.ttf (a font file from the system), and /hold.png, which answers
only once DIR/release exists (or after 50 s), so that the test can look at
the renderers while the page is still loading."""
import http.server
import os
import socketserver
import struct
import sys
import time
import zlib

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><style>
@font-face { font-family: served; src: url(/font.ttf); }
body { margin: 0; background: #ffffff; }
#red { position: absolute; left: 0; top: 0; width: 100px; height: 100px; background: #ff0000; }
#img { position: absolute; left: 200px; top: 0; width: 100px; height: 100px; }
#canvas { position: absolute; left: 100px; top: 0; }
#hold { position: absolute; left: 300px; top: 0; width: 10px; height: 10px; }
#text { position: absolute; left: 0; top: 110px; font: 40px served; margin: 0; }
#js { position: absolute; left: 0; top: 170px; font: 30px sans-serif; margin: 0; }
</style></head><body>
<div id="red"></div>
<canvas id="canvas" width="100" height="100"></canvas>
<img id="img" src="/blue.png">
<img id="hold" src="/hold.png">
<p id="text">Sandboxed</p>
<p id="js">script did not run</p>
<script>
var c = document.getElementById("canvas").getContext("2d");
c.fillStyle = "#00ff00";
c.fillRect(0, 0, 100, 100);
var n = 0;
for (var i = 1; i <= 100; i++) n += i;
document.getElementById("js").textContent = "JavaScript says " + n;
</script>
</body></html>
"""


def png(width, height, rgb):
    raw = b"".join(b"\0" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, ctype, body):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/page.html":
            self.send("text/html", PAGE)
        elif self.path == "/blue.png":
            self.send("image/png", png(100, 100, (0, 0, 255)))
        elif self.path == "/font.ttf":
            with open(FONT, "rb") as f:
                self.send("font/ttf", f.read())
        elif self.path == "/hold.png":
            release = os.path.join(sys.argv[1], "release")
            deadline = time.monotonic() + 50
            while not os.path.exists(release) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.send("image/png", png(10, 10, (255, 255, 255)))
        else:
            self.send_error(404)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
