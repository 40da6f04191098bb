#!/usr/bin/env python3
"""Draws Portico's icon (a portico: pediment over four columns) as PNGs and an ICO.
Run once; the outputs are committed under public/. Standard library only."""
import struct, zlib, sys, os

BLUE = (29, 92, 135)
WHITE = (255, 255, 255)

def pixel(x, y, n):
    u, v = x / n, y / n
    # pediment: triangle between v=0.22 and v=0.36
    if 0.36 >= v >= 0.22 and abs(u - 0.5) <= (v - 0.22) / 0.14 * 0.34:
        return WHITE
    if 0.38 <= v <= 0.42 and 0.16 <= u <= 0.84:
        return WHITE  # entablature
    if 0.44 <= v <= 0.74:
        for c in (0.22, 0.40, 0.58, 0.76):
            if c - 0.04 <= u <= c + 0.04 - 0.02 + 0.02:
                return WHITE
    if 0.76 <= v <= 0.80 and 0.14 <= u <= 0.86:
        return WHITE  # step
    return BLUE

def png(n):
    rows = b"".join(b"\x00" + bytes(c for x in range(n) for c in pixel(x, y, n)) for y in range(n))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

def ico(png32):
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(png32), 6 + 16)
    return header + entry + png32

out = sys.argv[1] if len(sys.argv) > 1 else "public"
for n in (192, 512):
    open(os.path.join(out, "icons", f"icon-{n}.png"), "wb").write(png(n))
open(os.path.join(out, "favicon.ico"), "wb").write(ico(png(32)))
