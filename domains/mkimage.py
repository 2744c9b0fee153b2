#!/usr/bin/python3
"""Builds a bootable xen-arm system image: the VMM's ELF plus a boot image holding the
domains of one configuration file (domains/*.cfg) and their kernels.

    mkimage.py --vmm build/goldfish/xen-arm.elf --config domains/bench3.cfg \\
               --kernel-dir build/minios/pv --board goldfish --ram-base 0x0 \\
               -o build/goldfish/images/bench3.elf [--depfile FILE]
    mkimage.py --check --config domains/bench3.cfg [--kernel-dir DIR] [--board B]

The boot image format is xen-arm/include/boot_image.hh; this script reads its constants
and struct layouts from that header (and DIRECTMAP from layout.hh) every time it runs, so
the two cannot drift apart. See domains/README.md for the configuration format.

Kernels are packed as minimal ELF files (ELF header, PT_LOAD program headers and bytes)
and identical ones once; ramdisks go in whole 4 KiB frames (domains/README.md).

This file is the command: its arguments, the files it reads and writes, and its
messages. The work is in the bootimage package beside it: bootimage/format.py (the C++
headers), bootimage/config.py (the configuration) and bootimage/elf.py (kernels, the boot
image and the output ELF).

Exit status: 0 success, 1 a configuration, kernel, ramdisk or VMM error (nothing is written),
2 a usage error or an unreadable/unparsable header. Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile

from bootimage.config import (Failure, Reporter, System, check_memory, check_schedule, load_ramdisks, parse_config,
                              resolve_kernels, resolve_ramdisks)
from bootimage.elf import PAGE, build_elf, load_kernels, pack_boot_image, plan
from bootimage.format import Format, FormatError, board_ram_kb, known_boards, load_format, load_guest_note


def write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".mkimage-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _make_escape(path: str) -> str:
    return path.replace(" ", "\\ ").replace("$", "$$")


def depfile_text(output: str, inputs: list[str], windows: list[tuple[int, int, str]] | None = None) -> str:
    """Make rules: the output depends on every input; each input also gets an empty rule
    so that deleting one makes make rerun mkimage (which then names it) instead of
    stopping with 'no rule to make target'. Then, as comments make ignores, where each
    domain's kernel runs, for tools/debug.py: '# domain ID window N kernel PATH'."""
    lines = [f"{_make_escape(output)}: " + " ".join(_make_escape(i) for i in inputs)]
    lines += [f"{_make_escape(i)}:" for i in inputs]
    lines += [f"# domain {d} window {w} kernel {k}" for d, w, k in windows or []]
    return "\n".join(lines) + "\n"


def _size_text(kb: int) -> str:
    return f"{kb // 1024}M" if kb % 1024 == 0 else f"{kb}K"


def _time_text(us: int) -> str:
    return f"{us // 1000}ms" if us % 1000 == 0 else f"{us}us"


def summary(system: System, fmt: Format) -> list[str]:
    width = max(len(d.name) for d in system.domains)
    lines = []
    first_with: dict[bytes, int] = {}
    for d in system.domains:
        kernel = d.kernel_shown or d.kernel
        size = ""
        if d.image:
            shared = f", shared with id={first_with[d.image]}" if d.image in first_with else ""
            first_with.setdefault(d.image, d.id)
            window = f", window {d.window}" + (f" ({d.relocated_words} words moved)" if d.relocated_words else
                                              " (its link address)" if d.id else "")
            size = f" ({d.kernel_file_size} bytes, {len(d.image)} packed{shared}{window})"
        sched = ""
        if d.period_us:
            sched += f"  reserve={_time_text(d.budget_us)}/{_time_text(d.period_us)}" + \
                (" (from rt_tasks)" if d.reserve_from_tasks else "")
        if d.extra:
            sched += "  extra"
        if d.weight != 256 or d.cap_pct:
            sched += f"  weight={d.weight}" + (f" cap={d.cap_pct}%" if d.cap_pct else "")
        if d.fault_tolerance:
            every = ("manual" if d.checkpoint_us == fmt.kCheckpointManual
                     else _time_text(d.checkpoint_us) if d.checkpoint_us else "switch")
            sched += f"  fault_tolerance=vm checkpoint={every}"
        ramdisk = ""
        if d.ramdisk_line:
            ramdisk = f"  ramdisk={d.ramdisk_shown}" + (f" ({len(d.ramdisk_data)} bytes)" if d.ramdisk_data else "")
        lines.append(
            f"  id={d.id} {d.name:<{width}}  {'privileged' if d.privileged else 'guest':<10}  "
            f"start={'boot' if d.autostart else 'manual':<6}  memory={_size_text(d.memory_kb):<5} "
            f"timeslice={_time_text(d.timeslice_us):<6} priority={d.priority:<3}{sched}  "
            f"kernel={kernel}{size}{ramdisk}  cmdline='{d.cmdline}'")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mkimage.py", description="Pack a domain configuration and its kernels into a "
        "xen-arm boot image appended to the VMM's ELF (domains/README.md).")
    parser.add_argument("--config", required=True, help="the system's configuration, domains/NAME.cfg")
    parser.add_argument("--check", action="store_true", help="only validate the configuration "
                        "(kernels too when they can be found); write nothing")
    parser.add_argument("--vmm", help="the VMM's ELF, build/BOARD/xen-arm.elf")
    parser.add_argument("--kernel-dir", help="where 'kernel = NAME' finds NAME.elf")
    parser.add_argument("--board", help="the board being built for (checked against [system] board)")
    parser.add_argument("--ram-base", help="the board's physical RAM base, e.g. 0x0 or 0xC0000000")
    parser.add_argument("-o", "--output", help="the ELF to write")
    parser.add_argument("--depfile", help="also write make dependencies of the output here")
    args = parser.parse_args(argv)

    ram_base = None
    if not args.check:
        missing = [opt for opt, val in (("--vmm", args.vmm), ("--board", args.board),
                                        ("--ram-base", args.ram_base), ("-o", args.output)) if val is None]
        if missing:
            parser.error(f"building needs {', '.join(missing)} (or use --check)")
        try:
            ram_base = int(args.ram_base, 0)
        except ValueError:
            parser.error(f"--ram-base: '{args.ram_base}' is not a number")
        if ram_base % PAGE or not 0 <= ram_base <= 0xFFFFFFFF:
            parser.error(f"--ram-base: 0x{ram_base:x} is not a page-aligned 32-bit address")
    boards = known_boards()
    if args.board is not None and boards and args.board not in boards:
        parser.error(f"--board: '{args.board}' is not one of {', '.join(boards)}")

    try:
        fmt = load_format()
        note = load_guest_note()
        if args.board is not None:
            ram_kb, vmm_kb = board_ram_kb(args.board), fmt.directmap_size // 1024
    except FormatError as e:
        print(f"mkimage: {e}", file=sys.stderr)
        return 2

    try:
        try:
            raw = pathlib.Path(args.config).read_bytes()
        except OSError as e:
            raise Failure([f"mkimage: {args.config}: {e.strerror}"]) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[:e.start].count(b"\n") + 1
            raise Failure([f"{args.config}:{line}: not UTF-8 text"]) from None
        report = Reporter(args.config)
        system = parse_config(text, args.config, fmt, args.board, report)
        resolve_kernels(system, pathlib.Path(args.config), args.config, args.kernel_dir,
                        required=not args.check, report=report)
        resolve_ramdisks(system, pathlib.Path(args.config), args.config)
        load_kernels(system, report, note)
        load_ramdisks(system, fmt, report)
        if not report.problems:
            check_schedule(system, fmt, report)
        if args.board is not None and not report.problems:
            check_memory(system, args.board, ram_kb, vmm_kb, report)
        layout = plan(system, fmt, report)
        report.raise_if_any()
        if args.check:
            print(f"mkimage: {args.config}: ok: system '{system.name}', {len(system.domains)} "
                  f"domain{'s' if len(system.domains) > 1 else ''}")
            print("\n".join(summary(system, fmt)))
            return 0
        boot_image = pack_boot_image(system, fmt)
        assert len(boot_image) == layout.total
        elf = build_elf(args.vmm, boot_image, ram_base, fmt)
        if args.depfile:
            inputs = [args.config, args.vmm] + [d.kernel_shown for d in system.domains]
            inputs += [d.ramdisk_shown for d in system.domains if d.ramdisk_shown]
            windows = [(d.id, d.window, d.kernel_shown) for d in system.domains if d.kernel_shown]
            write_atomically(args.depfile, depfile_text(args.output, list(dict.fromkeys(inputs)), windows).encode())
        write_atomically(args.output, elf)
    except Failure as e:
        print("\n".join(e.messages), file=sys.stderr)
        return 1

    crc = int.from_bytes(boot_image[fmt.header.field("crc32").offset:][:4], "little")
    ramdisks = sum(1 for d in system.domains if d.ramdisk_data)
    contents = f"{layout.kernel_copies} kernel cop{'y' if layout.kernel_copies == 1 else 'ies'}" + \
        (f", {ramdisks} ramdisk{'s' if ramdisks > 1 else ''}" if ramdisks else "")
    print(f"mkimage: {args.output}: system '{system.name}' for {args.board}, {len(system.domains)} "
          f"domain{'s' if len(system.domains) > 1 else ''}, boot image {len(boot_image)} bytes "
          f"({contents}) at physical 0x{ram_base + fmt.kBootImageOffset:08x}, crc32 0x{crc:08x}")
    print("\n".join(summary(system, fmt)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
