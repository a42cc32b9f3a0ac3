# SPDX-License-Identifier: LGPL-2.1-or-later
# A decoder for the plugin-style example: converts a binary PPM (P6) image
# to a grayscale PGM (P5). Run it under policies/decoder.policy, granting
# only its input and its output (which must exist: a grant names a file):
#   touch out.pgm
#   sandbox-helper --policy=decoder --read=in.ppm --write=out.pgm -- \
#       /usr/bin/python3 ppm2pgm.py in.ppm out.pgm
import sys


def tokens(data, n):
    """The first N header tokens of a netpbm file, and where pixels start."""
    out, i = [], 2
    while len(out) < n:
        while data[i:i + 1].isspace():
            i += 1
        if data[i:i + 1] == b"#":
            while data[i:i + 1] not in (b"\n", b""):
                i += 1
            continue
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        out.append(int(data[i:j]))
        i = j
    return out, i + 1


src, dst = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    data = f.read()
if data[:2] != b"P6":
    sys.exit("ppm2pgm: %s is not a binary PPM" % src)
(w, h, maxval), start = tokens(data, 3)
px = data[start:start + 3 * w * h]
gray = bytes((299 * px[k] + 587 * px[k + 1] + 114 * px[k + 2]) // 1000 for k in range(0, len(px), 3))
with open(dst, "wb") as f:
    f.write(b"P5\n%d %d\n%d\n" % (w, h, maxval) + gray)
