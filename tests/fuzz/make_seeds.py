#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz (tests/fuzz/corpus/<target>/): a few valid inputs
per target, built here field by field, plus short pseudo-random ones from a fixed seed
(the same files every time). Run it again after changing a harness's input format."""
import pathlib
import random
import struct

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def elf(segments, entry=0xC0000000):
    """A minimal ELF32 ARM executable: header, program headers, segment bytes."""
    phoff = 52
    data_off = phoff + 32 * len(segments)
    body = b""
    phdrs = b""
    for vaddr, filesz, memsz, flags in segments:
        phdrs += struct.pack("<8I", 1, data_off + len(body), vaddr, vaddr, filesz, memsz, flags, 4)
        body += bytes((i * 7) & 0xFF for i in range(filesz))
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    hdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, entry, phoff, 0, 0, 52, 32, len(segments), 40, 0, 0)
    return hdr + phdrs + body


def boot_image(domains, ramdisks=None):
    """A boot image (xen-arm/include/boot_image.hh) with crc32 0: the harness fills it in."""
    count = len(domains)
    table_end = 64 + 160 * count
    kernels = b""
    records = b""
    offsets = []
    for _, kernel, *_ in domains:
        offsets.append(table_end + len(kernels))
        kernels += kernel + bytes((-len(kernel)) % 4)
    end = table_end + len(kernels)
    ramdisk_blob = b""
    ramdisk_at = {}
    for i, size in (ramdisks or {}).items():
        start = (end + 4095) // 4096 * 4096
        ramdisk_blob += bytes(start - end) + bytes(size) + bytes((-size) % 4096)
        ramdisk_at[i] = (start, size)
        end = start + (size + 4095) // 4096 * 4096
    for i, (name, kernel, flags, mem_kb, cmdline) in enumerate(domains):
        rd_off, rd_size = ramdisk_at.get(i, (0, 0))
        # weight 256 (the default), no cap; domain 1 (if any) a sedf server of 2 ms every 10 ms
        period, budget = (10000, 2000) if i == 1 else (0, 0)
        # domain 1 also fault-tolerant (vm), checkpointed every 50 ms
        ft, checkpoint = (1, 50000) if i == 1 else (0, 0)
        records += struct.pack("<16s14I88s", name.encode(), flags, mem_kb, 10000, i, 256, 0, period, budget, ft,
                               checkpoint, offsets[i], len(kernel), rd_off, rd_size, cmdline.encode())
    total = table_end + len(kernels) + len(ramdisk_blob)
    header = struct.pack("<8s4I32s2I", b"XABOOT1\0", 5, total, count, 0, b"seed", 0, 0)
    return header + records + kernels + ramdisk_blob


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def main():
    rng = random.Random(20260101)
    one = elf([(0xC0000000, 64, 0x1000, 5)])
    two = elf([(0xC0000000, 64, 0x1000, 5), (0xC0001000, 16, 0x2000, 6)], entry=0xC0000010)
    write("elf_loader", "one-segment", bytes(4) + one)
    write("elf_loader", "two-segments", bytes(4) + two)
    write("elf_loader", "small-window", struct.pack("<I", 1 | (4 << 2)) + two)
    write("boot_image", "one-domain", boot_image([("dom0", one, 3, 1024, "app=dom0")]))
    write("boot_image", "shared-kernel-ramdisk",
          boot_image([("dom0", two, 3, 4096, "app=dom0 verbose=1"), ("guest1", one, 2, 512, ""),
                      ("guest-2", one, 0, 64, "x=y")], ramdisks={0: 1024}))
    write("hypercall_checks", "edges", bytes([0, 200, 3, 1, 130, 1, 0xC0, 0, 0, 0, 3, 2, 5, 4, 0x13, 0, 0, 0]))
    # The store: a write, a read, a directory, a watch, a transaction (ops of fuzz_store.c).
    write("store", "write-read", bytes([0, 1, 7, 0, 3, 0x85, 0x61, 0x62, 0x63, 0x64, 0x00,
                                        0, 0, 8, 0, 3, 0, 4, 5]))
    write("store", "tx", bytes([0, 7, 1, 0, 0, 0, 4, 5, 0, 1, 2, 240, 4, 3, 0x81, 0x41, 4, 5,
                                0, 8, 3, 240, 0, 0x82, 0x54, 0x00, 4, 5]))
    write("store", "watch", bytes([0, 5, 9, 0, 6, 0x84, 0x74, 0x6f, 0x6b, 0x00, 4, 5, 0, 1, 4, 0, 6, 0x81, 0x7a, 4, 5]))
    for target, n, size in (("hypercall_checks", 6, 48), ("event_channel", 12, 96), ("grant_table", 12, 128),
                            ("store", 6, 96), ("ring_backends", 12, 160)):
        for i in range(n):
            write(target, f"random-{i:02d}", bytes(rng.randrange(256) for _ in range(rng.randrange(8, size))))
    # The ring backends: a block read and write, a frame, services (ops of fuzz_ring_backends.c).
    write("ring_backends", "blk-read-write", bytes([0, 0, 1, 1, 2, 3, 4, 0, 8, 5, 0, 1, 4,
                                                    0, 1, 1, 9, 0, 0, 0, 0, 0, 0, 3, 4, 4]))
    write("ring_backends", "frame", bytes([0x12, 5, 3, 1, 0, 20, 7, 1, 0x22, 5, 0x10 | 4, 0x14, 0x24]))


if __name__ == "__main__":
    main()
