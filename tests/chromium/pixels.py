#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check a screenshot of the test page (tests/chromium/server.py).

Usage: pixels.py SHOT.png [REFERENCE.png]. Decodes the PNG (8-bit RGB or
RGBA, no interlace), checks the red box, the canvas, the served image, the
text in the served font and the text the script wrote, and, with a
reference, that every pixel equals the reference's. Prints one line per
failed check; exits 1 if any failed."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    width, height, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {ctype})")
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return rows


def main():
    shot = decode(sys.argv[1])
    failures = []

    def expect(name, x, y, rgb):
        got = shot[y][x]
        if any(abs(g - w) > 8 for g, w in zip(got, rgb)):
            failures.append(f"{name}: pixel ({x},{y}) is {got}, expected {rgb}")

    def dark(name, x0, y0, x1, y1, least):
        n = sum(1 for y in range(y0, y1) for x in range(x0, x1) if max(shot[y][x]) < 96)
        if n < least:
            failures.append(f"{name}: {n} dark pixels in ({x0},{y0})-({x1},{y1}), expected {least} or more")

    expect("red box", 50, 50, (255, 0, 0))
    expect("canvas drawn by script", 150, 50, (0, 255, 0))
    expect("image served over loopback", 250, 50, (0, 0, 255))
    expect("background", 380, 280, (255, 255, 255))
    dark("text in the served font", 0, 110, 300, 165, 400)
    dark("text the script wrote", 0, 170, 300, 210, 300)
    if len(sys.argv) > 2:
        ref = decode(sys.argv[2])
        diff = sum(1 for a, b in zip(shot, ref) for p, q in zip(a, b) if p != q)
        if len(shot) != len(ref) or len(shot[0]) != len(ref[0]):
            failures.append("size differs from the unsandboxed rendering")
        elif diff:
            failures.append(f"{diff} pixels differ from the unsandboxed rendering")
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
