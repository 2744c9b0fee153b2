#!/usr/bin/python3
"""Writes a deterministic RAM-disk test image for dom0's block backend (a configuration's
`ramdisk = FILE`; domains/README.md).

    mkramdisk.py [--slices 7] [--sectors 512] -o build/disks/vbd-pattern.img

The image is `slices` slices of `sectors` 512-byte sectors, one slice per guest id as dom0
serves them (minios/dom0/blkback.c: guest d gets slice d - 1). Word i (32-bit,
little-endian) of sector s of slice d - 1 is

    0xD15C0000 ^ (d << 24) ^ (s << 7) ^ i

which the guests' block test checks (tests/guests/minios/guest/blk.c, initial_word). Python 3
standard library only; exit status 0, or 2 for a usage error.
"""
from __future__ import annotations

import argparse
import os
import struct
import sys
import tempfile

SECTOR = 512
WORDS = SECTOR // 4


def word(dom: int, sector: int, index: int) -> int:
    return (0xD15C0000 ^ (dom << 24) ^ (sector << 7) ^ index) & 0xFFFFFFFF


def image(slices: int, sectors: int) -> bytes:
    out = bytearray()
    sector_format = struct.Struct(f"<{WORDS}I")
    for dom in range(1, slices + 1):
        for s in range(sectors):
            out += sector_format.pack(*(word(dom, s, i) for i in range(WORDS)))
    return bytes(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mkramdisk.py", description="Write a RAM-disk test image "
                                     "with a known pattern in every sector (domains/README.md).")
    parser.add_argument("--slices", type=int, default=7, help="slices, one per guest id 1..N (default 7)")
    parser.add_argument("--sectors", type=int, default=512, help="512-byte sectors per slice (default 512)")
    parser.add_argument("-o", "--output", required=True, help="the image file to write")
    args = parser.parse_args(argv)
    if not 1 <= args.slices <= 255 or not 1 <= args.sectors <= 1 << 20:
        parser.error("--slices must be 1..255 and --sectors 1..1048576")
    data = image(args.slices, args.sectors)
    directory = os.path.dirname(args.output) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".mkramdisk-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, args.output)
    except BaseException:
        os.unlink(tmp)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
