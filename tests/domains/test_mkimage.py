"""domains/mkimage.py: configuration checks (one bad file per rule, each with its exact
file:line message), and the image it packs, parsed here independently of mkimage.py
against boot_image.hh (which a host C++ probe reads for the real sizes and offsets).

Run: /usr/bin/python3 -m pytest -q tests/domains
"""
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from fractions import Fraction

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "domains"))
from bare_metal import assemble  # noqa: E402
from bootimage import config as image_config, elf as image_elf, format as image_format  # noqa: E402
from bootimage import rt as image_rt  # noqa: E402

MKIMAGE = REPO / "domains" / "mkimage.py"
HEADER = REPO / "xen-arm" / "include" / "boot_image.hh"

# The boot image as boot_image.hh declares it, written out here on purpose (not taken from
# mkimage.py); test_layout_matches_the_cxx_header proves these against the C++ compiler.
HEADER_FMT = struct.Struct("<8sIIII32sII")       # BootImageHeader
DOMAIN_FMT = struct.Struct("<16sIIIIIIIIIIIIII88s")  # BootDomain
MAGIC = b"XABOOT1\0"
IMAGE_OFFSET = 4 << 20
IMAGE_MAX = 4 << 20
DIRECTMAP = 0xFF000000
PRIVILEGED, AUTOSTART = 1, 2
VERSION = 5
SCHED_ROUND_ROBIN, SCHED_FIXED_PRIORITY, SCHED_CREDIT, SCHED_SEDF = 0, 1, 2, 3
D = DOMAIN_FMT.size                                # 160 bytes per domain record
# DOMAIN_FMT's fields: where kernel, ramdisk and cmdline are
# and the fault tolerance fields
FT, CHECKPOINT = 9, 10
K_OFF, K_SIZE, R_OFF, R_SIZE, CMDLINE = 11, 12, 13, 14, 15
FT_NONE, FT_VM = 0, 1
RAMDISK_MAX = 3 << 20

KERNEL_SOURCE = """
    .global _start
_start:
    ldr r0, =0x12345678
    b _start
    .ltorg
    .data
    .word 1, 2, 3
"""
# Another kernel, whose data segment is not a multiple of 4 bytes long.
OTHER_SOURCE = KERNEL_SOURCE.replace(".word 1, 2, 3", ".word 4, 5, 6\n    .byte 7, 8, 9")


def guest_note(version: str = "XA_GUEST_ABI_VERSION") -> str:
    """XA_GUEST_NOTE of hypercalls/xen-arm/elfnote.h as plain assembler text (the test
    kernels are assembled without the preprocessor), optionally with another version."""
    src = f"#include <xen-arm/elfnote.h>\n#undef XA_GUEST_ABI_VERSION\n#define XA_GUEST_ABI_VERSION {version}\n" \
        "XA_GUEST_NOTE\n" if version != "XA_GUEST_ABI_VERSION" else "#include <xen-arm/elfnote.h>\nXA_GUEST_NOTE\n"
    return subprocess.run(["arm-none-eabi-cpp", "-P", "-D__ASSEMBLER__", f"-I{REPO / 'hypercalls'}"],
                          input=src, capture_output=True, text=True, check=True).stdout

# A good configuration; the bad ones below change one line of it. Line numbers matter.
GOOD = """\
# A test system: dom0 and a guest.
[system]
name = test-sys               # shown in the VMM banner

[domain dom0]
kernel = minios               # <kernel-dir>/minios.elf
memory = 1M
timeslice = 10ms
privileged = yes
start = boot
priority = 0
cmdline = app=bench

[domain guest1]
kernel = minios
memory = 512K
timeslice = 5ms
privileged = no
start = manual
cmdline = "app=bench # not a comment"
"""


# ---- helpers ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kernels(tmp_path_factory) -> pathlib.Path:
    """<dir>/pv/minios.elf (a real ARM executable), dom0.elf (a copy of it, for the
    configurations naming dom0's kernel), other.elf (another, whose data segment is not a
    multiple of 4 bytes long), copy.elf (minios.elf with 3 more bytes after its segments:
    the same kernel once packed), and minios.o (relocatable, not executable)."""
    work = tmp_path_factory.mktemp("kernels")
    assemble(work, "minios", KERNEL_SOURCE + guest_note(), 0xC0008000)
    assemble(work, "other", OTHER_SOURCE + guest_note(), 0xC0008000)
    assemble(work, "native", KERNEL_SOURCE, 0xC0008000)
    assemble(work, "future", KERNEL_SOURCE + guest_note("99"), 0xC0008000)
    pv = work / "pv"
    pv.mkdir()
    shutil.copy(work / "minios.elf", pv / "minios.elf")
    shutil.copy(work / "minios.elf", pv / "dom0.elf")
    shutil.copy(work / "other.elf", pv / "other.elf")
    (pv / "copy.elf").write_bytes((work / "minios.elf").read_bytes() + b"\xAA\xBB\xCC")
    return work


@pytest.fixture(scope="module")
def vmm() -> pathlib.Path:
    path = REPO / "build" / "goldfish" / "xen-arm.elf"
    if not path.exists():
        subprocess.run(["make", "--no-print-directory", "vmm", "PLATFORM=goldfish"], cwd=REPO, check=True)
    return path


class Result:
    def __init__(self, proc: subprocess.CompletedProcess, output: pathlib.Path):
        self.status, self.stdout, self.stderr, self.output = proc.returncode, proc.stdout, proc.stderr, output


def mk(tmp_path: pathlib.Path, config: str | bytes, *extra: str, kernel_dir=None, vmm=None,
       board="goldfish", ram_base="0x0", check=False) -> Result:
    """Writes tmp_path/domains/bad.cfg and runs mkimage.py in tmp_path, so that messages
    name 'domains/bad.cfg' as a user in the repository would see them."""
    (tmp_path / "domains").mkdir(exist_ok=True)
    cfg = tmp_path / "domains" / "bad.cfg"
    cfg.write_bytes(config if isinstance(config, bytes) else config.encode())
    output = tmp_path / "out" / "bad.elf"
    args = [sys.executable, str(MKIMAGE), "--config", "domains/bad.cfg"]
    if check:
        args.append("--check")
    else:
        args += ["--vmm", str(vmm), "--ram-base", ram_base, "-o", str(output),
                 "--depfile", str(output.with_suffix(".d"))]
    if board:
        args += ["--board", board]
    if kernel_dir:
        args += ["--kernel-dir", str(kernel_dir)]
    proc = subprocess.run(args + list(extra), cwd=tmp_path, capture_output=True, text=True, timeout=30)
    return Result(proc, output)


def change(old: str, new: str, text: str = GOOD) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def domains(count: int) -> str:
    text = GOOD.split("[domain guest1]")[0]
    for i in range(1, count):
        text += f"[domain g{i}]\nkernel = minios\nmemory = 64K\n\n"
    return text


# ---- configuration errors: one rule each, exact message, status 1, nothing written ----------

BAD = {
    # values
    "memory-granule": (change("memory = 1M", "memory = 3K"), "7: memory: '3K' is not a multiple of 4K"),
    "memory-min": (change("memory = 1M", "memory = 60K"), "7: memory: '60K' is below the minimum 64K"),
    "memory-max": (change("memory = 512K", "memory = 65M"), "16: memory: '65M' is above the maximum 64M"),
    "memory-unit": (change("memory = 1M", "memory = 1G"), "7: memory: '1G' is not a size: write a whole "
                    "number with a K or M suffix, e.g. 512K or 1M"),
    "memory-no-unit": (change("memory = 1M", "memory = 1048576"), "7: memory: '1048576' is not a size: "
                       "write a whole number with a K or M suffix, e.g. 512K or 1M"),
    "timeslice-min": (change("timeslice = 10ms", "timeslice = 99us"),
                      "8: timeslice: '99us' is below the minimum 100us"),
    "timeslice-max": (change("timeslice = 5ms", "timeslice = 1001ms"),
                      "17: timeslice: '1001ms' is above the maximum 1000ms"),
    "timeslice-unit": (change("timeslice = 10ms", "timeslice = 10"), "8: timeslice: '10' is not a time: "
                       "write a whole number with a us or ms suffix, e.g. 10ms"),
    "boolean": (change("privileged = no", "privileged = maybe"), "18: privileged: 'maybe' is not yes or no"),
    "start": (change("start = manual", "start = later"), "19: start: 'later' is not boot or manual"),
    "priority-range": (change("priority = 0", "priority = 256"),
                       "11: priority: '256' is not a whole number in 0..255"),
    "priority-negative": (change("priority = 0", "priority = -1"),
                          "11: priority: '-1' is not a whole number in 0..255"),
    "cmdline-long": (change("cmdline = app=bench", "cmdline = " + "x" * 88),
                     "12: cmdline: 88 bytes, the limit is 87"),
    "cmdline-ascii": (change("cmdline = app=bench", "cmdline = app=b\u00e9nch"),
                      "12: cmdline: only printable ASCII characters are allowed"),
    "system-name-long": (change("name = test-sys", "name = " + "s" * 32),
                         "3: name: 32 bytes, the limit is 31"),
    "system-name-empty": (change("name = test-sys", 'name = ""'), "3: name: the system name is empty"),
    "empty-value": (change("cmdline = app=bench", "cmdline =   # nothing"),
                    "12: cmdline: no value (write key = value; \"\" for an empty string)"),
    "open-quote": (change("cmdline = app=bench", 'cmdline = "app=bench'), "12: cmdline: no closing '\"'"),
    "after-quote": (change("cmdline = app=bench", 'cmdline = "app" bench'),
                    "12: cmdline: unexpected 'bench' after the closing '\"'"),
    # domains
    "name-upper": (change("[domain guest1]", "[domain Guest1]"),
                   "14: [domain Guest1]: bad domain name 'Guest1': use 1..15 characters of a-z 0-9 _ -"),
    "name-long": (change("[domain guest1]", "[domain guest67890123456]"), "14: [domain guest67890123456]: "
                  "bad domain name 'guest67890123456': use 1..15 characters of a-z 0-9 _ -"),
    "name-duplicate": (change("[domain guest1]", "[domain dom0]"),
                       "14: [domain dom0]: duplicate domain name (first on line 5)"),
    "too-many": (domains(9), "42: [domain g8]: too many domains: at most 8"),
    "no-domain": ("[system]\nname = x\n", "2: no [domain NAME] section: a system has 1..8 domains"),
    "dom0-unprivileged": (change("privileged = yes", "privileged = no"),
                          "9: privileged: the first domain (dom0) must be privileged = yes"),
    "dom0-no-privileged": (change("privileged = yes\n", ""),
                           "5: [domain dom0]: the first domain (dom0) must say privileged = yes"),
    "dom0-manual": (change("start = boot", "start = manual"),
                    "10: start: the first domain (dom0) must have start = boot"),
    "second-privileged": (change("privileged = no", "privileged = yes"),
                          "18: privileged: only the first domain (dom0) may be privileged"),
    "missing-kernel": (change("kernel = minios               # <kernel-dir>/minios.elf\n", ""),
                       "5: [domain dom0]: missing required key 'kernel'"),
    "missing-memory": (change("memory = 512K\n", ""), "14: [domain guest1]: missing required key 'memory'"),
    # syntax
    "unknown-key": (change("priority = 0", "prio = 0"),
                    "11: prio: unknown key in [domain] (known: kernel, memory, timeslice, privileged, "
                    "start, priority, cmdline, ramdisk, weight, cap, period, budget, extra, "
                    "fault_tolerance, checkpoint, rt_scheduler, rt_tasks, rt_period)"),
    "unknown-system-key": (change("name = test-sys", "title = test-sys"),
                           "3: title: unknown key in [system] (known: name, board, scheduler, overcommit)"),
    "duplicate-key": (change("timeslice = 5ms", "memory = 1M"),
                      "17: memory: duplicate key (first set on line 16)"),
    "unknown-section": (change("[domain guest1]", "[guest guest1]"),
                        "14: unknown section [guest guest1] (expected [system] or [domain NAME])"),
    "unnamed-domain": (change("[domain guest1]", "[domain]"), "14: [domain] needs a name: [domain NAME]"),
    "broken-section": (change("[domain guest1]", "[domain guest1"),
                       "14: bad section header '[domain guest1' (expected [system] or [domain NAME])"),
    "duplicate-system": (GOOD + "[system]\n", "21: duplicate section [system] (first on line 2)"),
    "no-equals": (change("cmdline = app=bench", "cmdline app=bench"),
                  "12: expected 'key = value', a [section] or a # comment, not 'cmdline app=bench'"),
    "typo-cascade": (change("memory = 512K", "memroy = 512K"),
                     "14: [domain guest1]: missing required key 'memory'\n"
                     "domains/bad.cfg:16: memroy: unknown key in [domain] "
                     "(known: kernel, memory, timeslice, privileged, start, priority, cmdline, ramdisk, weight, cap, "
                     "period, budget, extra, fault_tolerance, checkpoint, rt_scheduler, rt_tasks, rt_period)"),
    "outside-section": ("name = x\n" + GOOD,
                        "1: name: outside any section (start with [system] or [domain NAME])"),
    "not-utf8": (GOOD.encode().replace(b"app=bench\n", b"app=b\xe9nch\n", 1), "12: not UTF-8 text"),
    # boards
    "board-unknown": (change("name = test-sys", "name = test-sys\nboard = goldfish, n900"),
                      "4: board: 'n900' is not a board (goldfish, imx21, versatilepb)"),
    "board-excluded": (change("name = test-sys", "name = test-sys\nboard = imx21, versatilepb # no gf"),
                       "4: board: this system is for imx21, versatilepb, not goldfish"),
    "board-list": (change("name = test-sys", "name = test-sys\nboard = goldfish,,imx21"),
                   "4: board: 'goldfish,,imx21' is not a comma-separated list of boards"),
    # scheduler
    "scheduler-unknown": (change("name = test-sys", "name = test-sys\nscheduler = edf"),
                          "4: scheduler: 'edf' is not a scheduler (round-robin, fixed-priority, credit, sedf)"),
    "scheduler-case": (change("name = test-sys", "name = test-sys\nscheduler = Fixed-Priority"),
                       "4: scheduler: 'Fixed-Priority' is not a scheduler (round-robin, fixed-priority, credit, sedf)"),
    # scheduling parameters
    "weight-zero": (change("priority = 0", "weight = 0"), "11: weight: '0' is not a whole number in 1..65535"),
    "weight-big": (change("priority = 0", "weight = 65536"),
                   "11: weight: '65536' is not a whole number in 1..65535"),
    "cap-form": (change("priority = 0", "cap = 20"),
                 "11: cap: '20' is not a percentage of the CPU in 0%..100% (0%: no cap)"),
    "cap-big": (change("priority = 0", "cap = 101%"),
                "11: cap: '101%' is not a percentage of the CPU in 0%..100% (0%: no cap)"),
    "period-alone": (change("name = test-sys", "name = test-sys\nscheduler = sedf",
                            change("priority = 0", "period = 10ms")),
                     "12: period: a reservation needs a budget too (budget = TIME)"),
    "budget-alone": (change("name = test-sys", "name = test-sys\nscheduler = sedf",
                            change("priority = 0", "budget = 1ms")),
                     "12: budget: a reservation needs a period too (period = TIME)"),
    "budget-long": (change("name = test-sys", "name = test-sys\nscheduler = sedf",
                           change("priority = 0", "period = 10ms\nbudget = 11ms")),
                    "13: budget: '11ms' is longer than the period '10ms'"),
    "period-short": (change("name = test-sys", "name = test-sys\nscheduler = sedf",
                            change("priority = 0", "period = 99us\nbudget = 50us")),
                     "12: period: '99us' is below the minimum 100us"),
    "period-not-sedf": (change("priority = 0", "period = 10ms\nbudget = 1ms"),
                        "5: [domain dom0]: period/budget/extra are for scheduler = sedf"),
    "sedf-overcommit": (change("name = test-sys", "name = test-sys\nscheduler = sedf",
                               change("priority = 0", "period = 10ms\nbudget = 6ms",
                                      change("start = manual", "start = manual\nperiod = 5ms\nbudget = 2ms"))),
                        "2: sedf: the reservations need 100.60 % of the CPU, more than 100 % (each counts its "
                        "budget plus 20 us of VMM work per period): dom0 6000us/10000us = 60.20 %, "
                        "guest1 2000us/5000us = 40.40 %"),
    # fault tolerance
    "ft-unknown": (change("priority = 0", "fault_tolerance = task"),
                   "11: fault_tolerance: 'task' is not one of none, vm"),
    "checkpoint-without-ft": (change("priority = 0", "checkpoint = switch"),
                              "11: checkpoint: only for a domain with fault_tolerance = vm"),
    "checkpoint-ft-none": (change("priority = 0", "fault_tolerance = none\ncheckpoint = 10ms"),
                           "12: checkpoint: only for a domain with fault_tolerance = vm"),
    "checkpoint-form": (change("priority = 0", "fault_tolerance = vm\ncheckpoint = often"),
                        "12: checkpoint: 'often' is not a time: write a whole number with a us or ms suffix, e.g. 10ms"),
    "checkpoint-short": (change("priority = 0", "fault_tolerance = vm\ncheckpoint = 999us"),
                         "12: checkpoint: '999us' is below the minimum 1000us"),
    "ft-memory": (change("memory = 1M", "memory = 4M\nfault_tolerance = vm"),
                  "8: fault_tolerance: vm needs memory of at most 3M (the VMM's backup window), not 4M"),
    "checkpoint-long": (change("priority = 0", "fault_tolerance = vm\ncheckpoint = 60001ms"),
                        "12: checkpoint: '60001ms' is above the maximum 60000ms"),
    # kernels
    "kernel-missing": (change("kernel = minios\nmemory = 512K", "kernel = minix\nmemory = 512K"),
                       "15: kernel: {pv}/minix.elf does not exist"),
    "kernel-path-missing": (change("kernel = minios\nmemory = 512K", "kernel = ../k/none.elf\nmemory = 512K"),
                            "15: kernel: k/none.elf does not exist"),
    "kernel-bad-name": (change("kernel = minios\nmemory = 512K", "kernel = mini*os\nmemory = 512K"),
                        "15: kernel: 'mini*os' is not a kernel name or a path with '/'"),
    "kernel-directory": (change("kernel = minios\nmemory = 512K", "kernel = ./\nmemory = 512K"),
                         "15: kernel: domains is a directory, not a file"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_config(tmp_path, kernels, vmm, case):
    config, expected = BAD[case]
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1, result.stdout + result.stderr
    assert result.stderr == f"domains/bad.cfg:{expected.format(pv=kernels / 'pv')}\n"
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_kernel_dir_is_needed_for_kernel_names(tmp_path, vmm):
    result = mk(tmp_path, GOOD, vmm=vmm)
    assert result.status == 1
    assert result.stderr.splitlines() == [f"domains/bad.cfg:{line}: kernel: 'minios' is a name, but no "
                                          "--kernel-dir was given" for line in (6, 15)]


def test_bad_kernel_files(tmp_path, kernels, vmm):
    elf = (kernels / "minios.elf").read_bytes()
    bad = tmp_path / "kernels"
    bad.mkdir()
    (bad / "text.elf").write_text("not an ELF\n")
    (bad / "short.elf").write_bytes(elf[:20])
    (bad / "big-endian.elf").write_bytes(elf[:5] + b"\x02" + elf[6:])
    (bad / "elf64.elf").write_bytes(elf[:4] + b"\x02" + elf[5:])
    (bad / "x86.elf").write_bytes(elf[:18] + struct.pack("<H", 3) + elf[20:])
    shutil.copy(kernels / "minios.o", bad / "relocatable.elf")
    (bad / "no-phdrs.elf").write_bytes(elf[:44] + struct.pack("<H", 0) + elf[46:])
    phdr = struct.unpack_from("<I", elf, 28)[0]          # two PT_LOAD headers there
    notes = bytearray(elf)
    struct.pack_into("<I", notes, phdr, 4)               # PT_NOTE
    struct.pack_into("<I", notes, phdr + 32, 4)
    (bad / "no-loads.elf").write_bytes(bytes(notes))
    outside = bytearray(elf)
    struct.pack_into("<II", outside, phdr + 32 + 16, len(elf), len(elf))  # p_filesz, p_memsz
    (bad / "outside.elf").write_bytes(bytes(outside))
    overfull = bytearray(elf)
    struct.pack_into("<I", overfull, phdr + 16, struct.unpack_from("<I", elf, phdr + 20)[0] + 4)
    (bad / "overfull.elf").write_bytes(bytes(overfull))
    expected = {
        "text": "is not an ELF file",
        "short": "is not an ELF file",
        "big-endian": "is not a 32-bit little-endian ELF file",
        "elf64": "is not a 32-bit little-endian ELF file",
        "x86": "is not an ARM ELF file (e_machine 3)",
        "relocatable": "is not an executable ELF file (e_type 1)",
        "no-phdrs": "has no valid program headers",
        "no-loads": "has no PT_LOAD segment",
        "outside": "has a PT_LOAD segment (program header 1) whose bytes lie outside the file",
        "overfull": "has a PT_LOAD segment (program header 0) with more file bytes than memory",
    }
    items = list(expected.items())
    for batch in (items[:5], items[5:]):   # at most 8 domains in one file
        text = GOOD.split("[domain guest1]")[0]
        for i, (name, _) in enumerate(batch, 1):
            text += f"[domain g{i}]\nkernel = {name}\nmemory = 64K\n"
        first = len(GOOD.split("[domain guest1]")[0].splitlines()) + 2   # g1's kernel line
        result = mk(tmp_path, text, kernel_dir=bad, vmm=vmm)
        assert result.status == 1
        # dom0 is fine ('minios' is not in this kernel directory, so it also fails, first)
        lines = result.stderr.splitlines()
        assert lines[0] == f"domains/bad.cfg:6: kernel: {bad}/minios.elf does not exist"
        assert lines[1:] == [f"domains/bad.cfg:{first + 3 * i}: kernel: {bad}/{name}.elf {problem}"
                             for i, (name, problem) in enumerate(batch)]
        assert not (tmp_path / "out").exists()


def big_kernel(path: pathlib.Path, segment_bytes: int, fill: int) -> int:
    """An ARM executable with one PT_LOAD segment of segment_bytes bytes of `fill`, after
    4 KiB of padding and followed by 1 MiB of bytes outside every segment. Returns its
    packed size (ELF header, one program header, the segment)."""
    data = bytearray(4096 + segment_bytes + (1 << 20))
    # After the segment: the guest note, then a section table (a null section and the note).
    note_at = 4096 + segment_bytes
    shoff = note_at + 24
    struct.pack_into("<16sHHIIIIIHHHHHH", data, 0, b"\x7fELF\x01\x01\x01", 2, 40, 1, 0xC0000000, 52, shoff, 0,
                     52, 32, 1, 40, 2, 0)
    struct.pack_into("<8I", data, 52, 1, 4096, 0xC0000000, 0xC0000000, segment_bytes, segment_bytes, 7, 4096)
    data[4096:4096 + segment_bytes] = bytes([fill]) * segment_bytes
    note = image_format.load_guest_note()
    struct.pack_into("<III8sI", data, note_at, len(note.name), 4, note.type, note.name, note.version)
    struct.pack_into("<10I", data, shoff + 40, 0, 7, 0, 0, note_at, 24, 0, 0, 4, 0)   # SHT_NOTE
    path.write_bytes(bytes(data))
    return 52 + 32 + segment_bytes


def test_image_too_big(tmp_path, kernels, vmm):
    (tmp_path / "domains").mkdir()
    size = big_kernel(tmp_path / "domains" / "big.elf", 2 << 20, 0x11)      # 2 MiB: the second one overflows
    assert big_kernel(tmp_path / "domains" / "big2.elf", 2 << 20, 0x22) == size
    config = change("kernel = minios\nmemory = 512K", "kernel = ./big2.elf\nmemory = 512K",
                    change("kernel = minios ", "kernel = ./big.elf "))
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1
    total = 64 + 2 * D + 2 * size
    assert result.stderr == (f"domains/bad.cfg:15: kernel: with domains/big2.elf ({size} bytes packed) the boot "
                             f"image grows to {total} bytes, over the limit of 4194304 (4 MiB)\n")
    assert not (tmp_path / "out").exists()
    # The same 2 MiB kernel twice is packed once, and fits.
    config = change("kernel = minios\nmemory = 512K", "kernel = ./big.elf\nmemory = 512K",
                    change("kernel = minios ", "kernel = ./big.elf "))
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    assert f"boot image {64 + 2 * D + size} bytes (1 kernel copy)" in result.stdout


def test_every_problem_is_reported_in_line_order(tmp_path, kernels, vmm):
    config = change("memory = 1M", "memory = 3K", change("priority = 0", "priority = x",
                                                          change("start = manual", "start = never")))
    config = change("kernel = minios\nmemory = 512K", "kernel = minix\nmemory = 512K", config)
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == ["7", "11", "15", "19"]
    assert "minix.elf does not exist" in result.stderr.splitlines()[2]


def test_a_vmm_that_does_not_fit_the_ram_base(tmp_path, kernels, vmm):
    _, phdrs, _ = elf_segments(vmm.read_bytes())
    loads = [(i, p) for i, p in enumerate(phdrs) if p[0] == 1 and p[5]]
    result = mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=vmm, ram_base="0xC0000000")
    assert result.status == 1
    assert result.stderr.splitlines() == [
        f"mkimage: {vmm}: segment {i} at physical 0x{p[3]:08x} lies below the RAM base 0xc0000000 "
        "(is --ram-base right for this VMM?)" for i, p in loads]
    assert not (tmp_path / "out").exists()

    i, last = loads[-1]                                # the last segment grows to 5 MiB
    data = bytearray(vmm.read_bytes())
    struct.pack_into("<I", data, struct.unpack_from("<I", data, 28)[0] + 32 * i + 20, 5 << 20)
    big = tmp_path / "big-vmm.elf"
    big.write_bytes(bytes(data))
    result = mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=big)
    assert result.status == 1
    end = last[3] + (5 << 20) - 1
    assert result.stderr == (f"mkimage: {big}: segment {i} (physical 0x{last[3]:08x}-0x{end:08x}) reaches "
                             "into the boot image at 0x00400000 (is --ram-base right for this VMM?)\n")
    assert not (tmp_path / "out").exists()


def test_usage_errors(tmp_path, kernels, vmm):
    assert mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=vmm, board="n900").status == 2
    assert mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=vmm, ram_base="zero").status == 2
    assert mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=vmm, ram_base="0x123").status == 2
    assert not (tmp_path / "out").exists()


# ---- --check ----------------------------------------------------------------------------------

def test_check_mode(tmp_path, kernels):
    result = mk(tmp_path, GOOD, check=True, board=None)
    assert result.status == 0, result.stderr
    assert result.stdout.splitlines()[0] == "mkimage: domains/bad.cfg: ok: system 'test-sys', 2 domains"
    assert len(result.stdout.splitlines()) == 3
    result = mk(tmp_path, change("kernel = minios ", "kernel = minix "), check=True,
                kernel_dir=kernels / "pv")
    assert result.status == 1
    assert result.stderr == f"domains/bad.cfg:6: kernel: {kernels}/pv/minix.elf does not exist\n"
    assert mk(tmp_path, change("memory = 1M", "memory = 3K"), check=True).status == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name,count", [("bench1", 1), ("bench2", 2), ("bench3", 3)])
def test_shipped_configs(name, count, kernels):
    proc = subprocess.run([sys.executable, str(MKIMAGE), "--check", "--config", f"domains/{name}.cfg",
                           "--kernel-dir", str(kernels / "pv"), "--board", "imx21"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"mkimage: domains/{name}.cfg: ok: system '{name}', {count} domain{'s' * (count > 1)}"
    assert len(lines) == 1 + count
    for i, line in enumerate(lines[1:]):
        # The test kernel has no relocations (not linked with -q): every domain stays in window 0.
        shared = ", shared with id=0, window 0 \\(its link address\\)" if i else ", window 0"
        assert re.search(rf"memory=1M +timeslice=10ms .*minios\.elf \(\d+ bytes, \d+ packed{shared}\)  "
                         r"cmdline='app=bench'$", line)
    assert "privileged" in lines[1] and all(" guest " in line for line in lines[2:])


def test_shipped_split_and_eight_domain_configs(kernels):
    """split.cfg gives dom0 the RAM disk make generates (domains/build.mk) and its guests
    the test image (named by path, so the real one); eight.cfg has the most domains a boot
    image holds."""
    subprocess.run(["make", "--no-print-directory", "-s", "build/disks/vbd-pattern.img", "build/tests/minios-test.elf"],
                   cwd=REPO, check=True)
    disk = (REPO / "build" / "disks" / "vbd-pattern.img").read_bytes()
    assert len(disk) == 7 * 512 * 512
    assert struct.unpack_from("<3I", disk, 512 * 512 + 512 + 4) == (0xD35C0081, 0xD35C0082, 0xD35C0083)
    for name, count in (("split", 4), ("eight", 8)):
        proc = subprocess.run([sys.executable, str(MKIMAGE), "--check", "--config", f"domains/{name}.cfg",
                               "--kernel-dir", str(kernels / "pv"), "--board", "goldfish"],
                              cwd=REPO, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[0] == f"mkimage: domains/{name}.cfg: ok: system '{name}', {count} domains"
        assert len(lines) == 1 + count
        if name == "split":
            assert "ramdisk=build/disks/vbd-pattern.img (1835008 bytes)  cmdline='app=dom0'" in lines[1]
            assert f"kernel={kernels}/pv/dom0.elf " in lines[1]
            assert all("kernel=build/tests/minios-test.elf " in line for line in lines[2:])


# ---- the packed image, parsed independently -----------------------------------------------

def elf_segments(data: bytes):
    ident, e_type, machine, _, entry, phoff, shoff, _, _, phentsize, phnum, _, shnum, _ = \
        struct.unpack_from("<16sHHIIIIIHHHHHH", data)
    assert ident[:6] == b"\x7fELF\x01\x01" and e_type == 2 and machine == 40 and phentsize == 32
    phdrs = [struct.unpack_from("<8I", data, phoff + 32 * i) for i in range(phnum)]
    return entry, phdrs, shnum


LIMITS = change("[domain guest1]", "[domain guest-6789_1234]", change(
    "memory = 512K", "memory = 64M\nramdisk = ../disks/two-frames.img", change(
        "timeslice = 5ms", "timeslice = 100us", change(
            'cmdline = "app=bench # not a comment"', f'cmdline = "{"#" * 87}"', change(
                "memory = 1M", "memory = 1M\nramdisk = three-sectors.img")))))
LIMITS += """
[domain odd]                  # a kernel whose data is not a multiple of 4 bytes long
kernel = other
memory = 64K
timeslice = 1000ms
priority = 255
"""


def ramdisk_files(tmp_path: pathlib.Path) -> tuple[bytes, bytes]:
    """LIMITS' ramdisks: domains/three-sectors.img (1536 bytes) and disks/two-frames.img
    (8192 bytes), each byte numbered so that a misplaced sector shows."""
    (tmp_path / "domains").mkdir(exist_ok=True)
    (tmp_path / "disks").mkdir(exist_ok=True)
    small = bytes((i * 7 + 1) & 0xFF for i in range(1536))
    whole = bytes((i * 13 + 5) & 0xFF for i in range(8192))
    (tmp_path / "domains" / "three-sectors.img").write_bytes(small)
    (tmp_path / "disks" / "two-frames.img").write_bytes(whole)
    return small, whole


def check_packed_kernel(packed: bytes, original: bytes) -> None:
    """packed is original as a minimal ELF: the same ELF header but for the program and
    section header fields; only the PT_LOAD program headers (offsets and alignment
    changed), each followed by nothing but its segment's bytes; no sections."""
    o = struct.unpack_from("<16sHHIIIIIHHHHHH", original)
    n = struct.unpack_from("<16sHHIIIIIHHHHHH", packed)
    loads = [struct.unpack_from("<8I", original, o[5] + 32 * i) for i in range(o[10])]
    loads = [ph for ph in loads if ph[0] == 1]
    assert loads and n[:5] == o[:5] and n[7] == o[7]     # ident, type, machine, version, entry; flags
    assert (n[5], n[6], n[8], n[9], n[10], n[12], n[13]) == (52, 0, 52, 32, len(loads), 0, 0)
    end = 52 + 32 * len(loads)
    for i, old in enumerate(loads):
        new = struct.unpack_from("<8I", packed, 52 + 32 * i)
        assert new[0] == 1 and new[2:7] == old[2:7]          # addresses, sizes, flags
        assert new[7] == min(old[7], 4) and new[1] % new[7] == new[2] % new[7]
        assert end <= new[1] < end + 4 and packed[end:new[1]] == bytes(new[1] - end)
        assert packed[new[1]:new[1] + new[4]] == original[old[1]:old[1] + old[4]]
        end = new[1] + new[4]
    assert len(packed) == end


def parse_image(out: pathlib.Path, vmm_elf: pathlib.Path, ram_base: int):
    """Checks the ELF around the boot image; returns the boot image's bytes."""
    data = out.read_bytes()
    vmm_data = vmm_elf.read_bytes()
    entry, phdrs, shnum = elf_segments(data)
    vmm_entry, vmm_phdrs, _ = elf_segments(vmm_data)
    assert entry == vmm_entry and shnum == 0
    loads = [p for p in vmm_phdrs if p[0] == 1]
    assert len(phdrs) == len(loads) + 1
    for new, old in zip(phdrs, loads):
        assert new[0] == 1 and new[2:] == old[2:]     # type, addresses, sizes, flags, align
        assert new[1] % old[7] == new[2] % old[7]
        assert data[new[1]:new[1] + new[4]] == vmm_data[old[1]:old[1] + old[4]]
    ptype, offset, vaddr, paddr, filesz, memsz, flags, align = phdrs[-1]
    assert (ptype, vaddr, paddr, flags) == (1, DIRECTMAP + IMAGE_OFFSET, ram_base + IMAGE_OFFSET, 4)
    assert filesz == memsz and offset % align == 0 and align == 4096
    assert offset + filesz == len(data)
    return data[offset:offset + filesz]


def test_packed_image(tmp_path, kernels, vmm):
    small, whole = ramdisk_files(tmp_path)
    result = mk(tmp_path, LIMITS, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    image = parse_image(result.output, vmm, 0)

    magic, version, total, count, crc, name, scheduler, reserved = HEADER_FMT.unpack_from(image)
    assert (magic, version, total, count, scheduler, reserved) == (MAGIC, VERSION, len(image), 3,
                                                                   SCHED_ROUND_ROBIN, 0)
    assert crc == zlib.crc32(image[64:]) and name == b"test-sys".ljust(32, b"\0")
    assert total % 4096 == 0 and total <= IMAGE_MAX          # it ends with a ramdisk's last frame

    minios = (kernels / "pv" / "minios.elf").read_bytes()
    other = (kernels / "pv" / "other.elf").read_bytes()
    expected = [
        (b"dom0", PRIVILEGED | AUTOSTART, 1024, 10_000, 0, minios, small, b"app=bench"),
        (b"guest-6789_1234", 0, 64 * 1024, 100, 128, minios, whole, b"#" * 87),
        (b"odd", AUTOSTART, 64, 1_000_000, 255, other, b"", b""),
    ]
    records = [DOMAIN_FMT.unpack_from(image, 64 + D * i) for i in range(3)]
    # Kernels: each distinct one once, 4-byte aligned, right after the table, in order.
    at = 64 + 3 * D
    copies = {}
    for (dname, dflags, memory, slice_us, prio, kernel, _, cmdline), record in zip(expected, records):
        assert record[:5] == (dname.ljust(16, b"\0"), dflags, memory, slice_us, prio)
        assert record[5:9] == (256, 0, 0, 0)                # weight, cap, period, budget: defaults
        assert record[FT:CHECKPOINT + 1] == (FT_NONE, 0)     # no fault tolerance unless configured
        assert record[CMDLINE] == cmdline.ljust(88, b"\0")
        offset, size = record[K_OFF], record[K_SIZE]
        if kernel not in copies:
            assert offset == at
            copies[kernel] = (offset, size)
            check_packed_kernel(image[offset:offset + size], kernel)
            padded = (size + 3) & ~3
            assert image[offset + size:offset + padded] == bytes(padded - size)
            at += padded
        assert (offset, size) == copies[kernel]             # dom0 and the guest share minios
        assert size < len(kernel)
    assert len(copies) == 2
    # Ramdisks: each at the next 4 KiB boundary after what came before, zero-padded to
    # whole frames; none for the third domain.
    for (*_, ramdisk, _), record in zip(expected, records):
        offset, size = record[R_OFF], record[R_SIZE]
        if not ramdisk:
            assert (offset, size) == (0, 0)
            continue
        start = (at + 4095) & ~4095
        assert offset == start and size == len(ramdisk)
        assert image[at:start] == bytes(start - at)
        assert image[offset:offset + size] == ramdisk
        at = offset + ((size + 4095) & ~4095)
        assert image[offset + size:at] == bytes(at - offset - size)
    assert at == total

    lines = result.stdout.splitlines()
    assert re.fullmatch(rf"mkimage: {re.escape(str(result.output))}: system 'test-sys' for goldfish, "
                        rf"3 domains, boot image {total} bytes \(2 kernel copies, 2 ramdisks\) at physical "
                        rf"0x00400000, crc32 0x{crc:08x}", lines[0])
    assert len(lines) == 4 and lines[3].startswith("  id=2 odd ")
    assert f"kernel={kernels}/pv/minios.elf ({len(minios)} bytes, {records[0][K_SIZE]} packed, window 0)  " \
           "ramdisk=domains/three-sectors.img (1536 bytes)  cmdline='app=bench'" in lines[1]
    assert f"({len(minios)} bytes, {records[0][K_SIZE]} packed, shared with id=0, window 0 (its link address))  " \
           "ramdisk=disks/two-frames.img " \
           "(8192 bytes)" in lines[2]

    readelf = subprocess.run(["arm-none-eabi-readelf", "-lW", str(result.output)],
                             capture_output=True, text=True, check=True).stdout
    size = f"0x{total:05x}"
    assert re.search(rf"LOAD +0x[0-9a-f]+ 0xff400000 0x00400000 {size} {size} R +0x1000", readelf)
    assert len(re.findall(r"^\s+LOAD ", readelf, re.M)) == len(elf_segments(result.output.read_bytes())[1])

    dep = result.output.with_suffix(".d").read_text().splitlines()
    assert dep[0] == (f"{result.output}: domains/bad.cfg {vmm} {kernels}/pv/minios.elf "
                      f"{kernels}/pv/other.elf domains/three-sectors.img disks/two-frames.img")


def test_identical_kernels_are_packed_once(tmp_path, kernels, vmm):
    """Eight domains: the most a boot image holds. copy.elf differs from minios.elf only
    outside its segments, so all eight records share one packed kernel."""
    config = domains(8).replace("kernel = minios\nmemory = 64K", "kernel = copy\nmemory = 64K", 3)
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    image = parse_image(result.output, vmm, 0)
    records = [DOMAIN_FMT.unpack_from(image, 64 + D * i) for i in range(8)]
    assert len({(r[K_OFF], r[K_SIZE]) for r in records}) == 1
    assert records[0][K_OFF] == 64 + 8 * D
    check_packed_kernel(image[records[0][K_OFF]:records[0][K_OFF] + records[0][K_SIZE]],
                        (kernels / "pv" / "minios.elf").read_bytes())
    assert len(image) == 64 + 8 * D + ((records[0][K_SIZE] + 3) & ~3)
    assert "8 domains, boot image" in result.stdout and "(1 kernel copy)" in result.stdout
    assert result.stdout.count(", shared with id=0, window 0 (its link address))") == 7


def test_real_time_keys_are_not_in_the_image(tmp_path, kernels, vmm):
    """rt_scheduler, rt_tasks and rt_period are for domains/schedtool.py only: the output
    is byte for byte the one without them."""
    plain = mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=vmm)
    assert plain.status == 0, plain.stderr
    without = plain.output.read_bytes()
    rt = change("start = manual\n", "start = manual\nrt_scheduler = rm\nrt_tasks = 10ms/2ms, 20ms/3ms\n"
                "rt_period = 5ms\n")
    result = mk(tmp_path, rt, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    assert result.output.read_bytes() == without
    assert result.stdout == plain.stdout


def test_bad_ramdisks(tmp_path, kernels, vmm):
    disks = tmp_path / "domains"
    disks.mkdir()
    (disks / "empty.img").write_bytes(b"")
    (disks / "odd.img").write_bytes(bytes(1000))
    (disks / "huge.img").write_bytes(bytes(RAMDISK_MAX + 512))
    (disks / "max.img").write_bytes(bytes(RAMDISK_MAX))
    text = GOOD.split("[domain guest1]")[0]
    cases = [("none.img", "domains/none.img does not exist"),
             (".", "domains is a directory, not a file"),
             ("empty.img", "domains/empty.img is empty"),
             ("odd.img", "domains/odd.img is 1000 bytes, not a multiple of 512 (whole sectors)"),
             ("huge.img", f"domains/huge.img is {RAMDISK_MAX + 512} bytes, over the limit of {RAMDISK_MAX} (3 MiB)")]
    for i, (name, _) in enumerate(cases, 1):
        text += f"[domain g{i}]\nkernel = minios\nmemory = 64K\nramdisk = {name}\n"
    first = len(GOOD.split("[domain guest1]")[0].splitlines()) + 4   # g1's ramdisk line
    result = mk(tmp_path, text, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1
    assert result.stderr.splitlines() == [f"domains/bad.cfg:{first + 4 * i}: ramdisk: {problem}"
                                          for i, (_, problem) in enumerate(cases)]
    assert not (tmp_path / "out").exists()
    # --check reads them too.
    check = mk(tmp_path, text, kernel_dir=kernels / "pv", check=True)
    assert check.status == 1 and check.stderr == result.stderr
    # Each within its limit, but two 3 MiB disks do not fit in one 4 MiB boot image.
    text = GOOD.split("[domain guest1]")[0].replace("memory = 1M", "memory = 1M\nramdisk = max.img")
    text += f"[domain g1]\nkernel = minios\nmemory = 64K\nramdisk = {disks / 'max.img'}\n"
    result = mk(tmp_path, text, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1
    lines = text.splitlines()
    line = len(lines)
    end = 4096 + 2 * RAMDISK_MAX
    assert result.stderr == (f"domains/bad.cfg:{line}: ramdisk: with {disks / 'max.img'} ({RAMDISK_MAX} bytes) "
                             f"the boot image grows to {end} bytes, over the limit of 4194304 (4 MiB)\n")


def test_kernel_path_relative_to_config_and_ram_base(tmp_path, kernels, vmm):
    """A kernel given as a path, and a board whose RAM is not at 0 (imx21: 0xC0000000),
    with a VMM ELF relocated there from the goldfish one."""
    (tmp_path / "k").mkdir()
    shutil.copy(kernels / "pv" / "other.elf", tmp_path / "k" / "guest.elf")
    data = bytearray(vmm.read_bytes())
    _, phdrs, _ = elf_segments(bytes(data))
    phoff = struct.unpack_from("<I", data, 28)[0]
    for i, p in enumerate(phdrs):
        struct.pack_into("<I", data, phoff + 32 * i + 12, p[3] + 0xC0000000)
    moved = tmp_path / "imx21-vmm.elf"
    moved.write_bytes(bytes(data))
    config = change("kernel = minios\nmemory = 512K", "kernel = ../k/guest.elf\nmemory = 512K")
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=moved, board="imx21", ram_base="0xc0000000")
    assert result.status == 0, result.stderr
    image = parse_image(result.output, moved, 0xC0000000)
    record = DOMAIN_FMT.unpack_from(image, 64 + D)
    check_packed_kernel(image[record[K_OFF]:record[K_OFF] + record[K_SIZE]], (tmp_path / "k" / "guest.elf").read_bytes())
    assert "kernel=k/guest.elf" in result.stdout


def test_qemu_loads_the_boot_image(tmp_path, kernels, vmm, qemu):
    """QEMU's -kernel puts every segment at its p_paddr: the boot image is in RAM at
    4 MiB, byte for byte (CPU halted at reset; nothing runs)."""
    result = mk(tmp_path, GOOD, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    image = parse_image(result.output, vmm, 0)
    dump = tmp_path / "ram.bin"
    commands = f'pmemsave 0x{IMAGE_OFFSET:x} {len(image)} "{dump}"\nquit\n'
    subprocess.run([qemu, "-M", "goldfish", "-m", "128M", "-display", "none", "-serial", "null",
                    "-monitor", "stdio", "-S", "-kernel", str(result.output)],
                   input=commands, capture_output=True, text=True, timeout=30, check=True)
    assert dump.read_bytes() == image


# ---- the make rule (domains/build.mk) -------------------------------------------------------

def test_make_rule(tmp_path, kernels, vmm):
    """domains/build.mk as the top-level Makefile will use it (PLATFORM, RAM_BASE and
    VMM_ELF set first); outputs go to a temporary IMAGES_DIR, the VMM is not rebuilt."""
    pv = tmp_path / "pv"
    pv.mkdir()
    shutil.copy(kernels / "pv" / "minios.elf", pv / "minios.elf")
    shutil.copy(kernels / "pv" / "dom0.elf", pv / "dom0.elf")
    # split.cfg names the test image by path: made here by the whole build, as the
    # top-level Makefile would first.
    subprocess.run(["make", "--no-print-directory", "-s", "build/tests/minios-test.elf"], cwd=REPO, check=True)
    wrapper = tmp_path / "top.mk"
    # The example guest's rules say how domains/hello.cfg's kernel is made.
    wrapper.write_text(f"PLATFORM := goldfish\nRAM_BASE := 0x00000000\nVMM_ELF := {vmm}\n"
                       "CROSS := arm-none-eabi-\ninclude domains/build.mk\ninclude guests/hello/build.mk\n")
    make = ["make", "--no-print-directory", "-C", str(REPO), "-f", str(wrapper),
            f"IMAGES_DIR={tmp_path}/images", f"MINIOS_PV_DIR={pv}"]
    out = tmp_path / "images" / "bench2.elf"
    proc = subprocess.run(make + [str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"MKIMAGE {out}" in proc.stdout and "system 'bench2' for goldfish, 2 domains" in proc.stdout
    parse_image(out, vmm, 0)
    assert subprocess.run(make + ["-q", str(out)]).returncode == 0           # up to date
    earlier = time.time() - 10
    os.utime(out, (earlier, earlier))                                        # the kernel is newer
    assert subprocess.run(make + ["-q", str(out)]).returncode == 1
    proc = subprocess.run(make + ["images"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.name for p in (tmp_path / "images").glob("*.elf")) == [
        f"{p.stem}.elf" for p in sorted((REPO / "domains").glob("*.cfg"))]


# ---- the format as the C++ header defines it --------------------------------------------------

PROBE = r"""
#include <cstddef>
#include <cstdio>
#include "boot_image.hh"
#include "layout.hh"
using namespace xa;
using namespace xa::boot_image;
#define FIELD(S, f) std::printf(#S "." #f " %zu %zu\n", offsetof(S, f), sizeof(S::f))
int main() {
    std::printf("kBootImageOffset %u\nkBootImageMaxSize %u\nkVersion %u\nkMaxDomains %u\n",
                kBootImageOffset, kBootImageMaxSize, kVersion, kMaxDomains);
    std::printf("kDomPrivileged %u\nkDomAutostart %u\nkDomFlagsMask %u\n", kDomPrivileged, kDomAutostart,
                kDomFlagsMask);
    std::printf("kFtNone %u\nkFtVm %u\nkFtCount %u\nkCheckpointMinUs %u\nkCheckpointMaxUs %u\nkCheckpointManual %u\n",
                kFtNone, kFtVm, kFtCount, kCheckpointMinUs, kCheckpointMaxUs, kCheckpointManual);
    std::printf("kFtMemoryMaxKb %u\n", kFtMemoryMaxKb);
    std::printf("kRamdiskSectorSize %u\nkRamdiskMaxSize %u\nkRamdiskAlign %u\n", kRamdiskSectorSize,
                kRamdiskMaxSize, kRamdiskAlign);
    std::printf("kSchedCredit %u\nkSchedSedf %u\nkDomExtra %u\n", kSchedCredit, kSchedSedf, kDomExtra);
    std::printf("kWeightMax %u\nkCapMaxPct %u\nkPeriodMinUs %u\nkPeriodMaxUs %u\n", kWeightMax, kCapMaxPct,
                kPeriodMinUs, kPeriodMaxUs);
    std::printf("kSedfOverheadPerPeriodNs %u\nkWeightDefault %u\n", kSedfOverheadPerPeriodNs, kWeightDefault);
    std::printf("kSchedRoundRobin %u\nkSchedFixedPriority %u\nkSchedCount %u\n", kSchedRoundRobin,
                kSchedFixedPriority, kSchedCount);
    std::printf("kMemoryGranuleKb %u\nkMemoryMinKb %u\nkMemoryMaxKb %u\n", kMemoryGranuleKb, kMemoryMinKb,
                kMemoryMaxKb);
    std::printf("kTimesliceMinUs %u\nkTimesliceMaxUs %u\nkTimesliceDefaultUs %u\n", kTimesliceMinUs,
                kTimesliceMaxUs, kTimesliceDefaultUs);
    std::printf("kPriorityMax %u\nkPriorityDefault %u\n", kPriorityMax, kPriorityDefault);
    std::printf("directmap %u %u\n", layout::kDirectMap.start, layout::kDirectMap.size);
    std::printf("namechars %s\n", kNameChars);
    std::printf("magic");
    for (char c : kMagic) std::printf(" %d", c);
    std::printf("\nsizeof BootImageHeader %zu\nsizeof BootDomain %zu\n", sizeof(BootImageHeader),
                sizeof(BootDomain));
    FIELD(BootImageHeader, magic); FIELD(BootImageHeader, version); FIELD(BootImageHeader, total_size);
    FIELD(BootImageHeader, domain_count); FIELD(BootImageHeader, crc32);
    FIELD(BootImageHeader, system_name); FIELD(BootImageHeader, scheduler); FIELD(BootImageHeader, reserved);
    FIELD(BootDomain, name); FIELD(BootDomain, flags); FIELD(BootDomain, memory_kb);
    FIELD(BootDomain, timeslice_us); FIELD(BootDomain, priority); FIELD(BootDomain, weight);
    FIELD(BootDomain, cap_pct); FIELD(BootDomain, period_us); FIELD(BootDomain, budget_us);
    FIELD(BootDomain, fault_tolerance); FIELD(BootDomain, checkpoint_us);
    FIELD(BootDomain, kernel_offset);
    FIELD(BootDomain, kernel_size); FIELD(BootDomain, ramdisk_offset); FIELD(BootDomain, ramdisk_size);
    FIELD(BootDomain, cmdline);
}
"""


def test_layout_matches_the_cxx_header(tmp_path):
    """mkimage.py's reading of boot_image.hh, and this file's struct formats, against what
    the host C++ compiler makes of the header."""
    (tmp_path / "probe.cc").write_text(PROBE)
    subprocess.run(["g++", "-std=c++20", "-I", str(REPO / "xen-arm" / "include"), "-o",
                    str(tmp_path / "probe"), str(tmp_path / "probe.cc")], check=True)
    facts = {}
    for line in subprocess.check_output([str(tmp_path / "probe")], text=True).splitlines():
        key, _, value = line.rpartition(" ") if line.startswith(("sizeof", "k")) else line.partition(" ")
        facts[key] = value
    fmt = image_format.load_format()
    for name in ("kBootImageOffset", "kBootImageMaxSize", "kVersion", "kMaxDomains", "kDomPrivileged",
                 "kDomAutostart", "kDomFlagsMask", "kRamdiskSectorSize", "kRamdiskMaxSize", "kRamdiskAlign",
                 "kSchedRoundRobin", "kSchedFixedPriority", "kSchedCount", "kMemoryGranuleKb", "kMemoryMinKb",
                 "kMemoryMaxKb", "kTimesliceMinUs", "kTimesliceMaxUs", "kTimesliceDefaultUs", "kPriorityMax",
                 "kPriorityDefault", "kSchedCredit", "kSchedSedf", "kDomExtra", "kWeightMax", "kCapMaxPct",
                 "kPeriodMinUs", "kPeriodMaxUs", "kSedfOverheadPerPeriodNs", "kWeightDefault", "kFtNone",
                 "kFtVm", "kFtCount", "kCheckpointMinUs", "kCheckpointMaxUs", "kCheckpointManual", "kFtMemoryMaxKb"):
        assert getattr(fmt, name) == int(facts[name]), name
    assert sorted(name for name in fmt.constants if name.startswith("k")) == sorted(
        key for key in facts if key.startswith("k")), "the probe prints every constant mkimage.py reads"
    assert (fmt.kBootImageOffset, fmt.kBootImageMaxSize, fmt.kVersion, fmt.kDomPrivileged,
            fmt.kDomAutostart) == (IMAGE_OFFSET, IMAGE_MAX, VERSION, PRIVILEGED, AUTOSTART)
    assert (fmt.kRamdiskSectorSize, fmt.kRamdiskMaxSize, fmt.kRamdiskAlign) == (512, RAMDISK_MAX, 4096)
    assert (fmt.kSchedRoundRobin, fmt.kSchedFixedPriority, fmt.kSchedCredit, fmt.kSchedSedf, fmt.kSchedCount) == (
        SCHED_ROUND_ROBIN, SCHED_FIXED_PRIORITY, SCHED_CREDIT, SCHED_SEDF, 4)
    assert len(image_format.SCHEDULERS) == fmt.kSchedCount
    assert facts["directmap"] == f"{fmt.directmap_base} {fmt.directmap_size}"
    assert fmt.directmap_base == DIRECTMAP
    assert fmt.magic == bytes(int(c) for c in facts["magic"].split()) == MAGIC
    assert fmt.name_chars == facts["namechars"] == "abcdefghijklmnopqrstuvwxyz0123456789_-"
    for struct_, ours in ((fmt.header, HEADER_FMT), (fmt.domain, DOMAIN_FMT)):
        assert struct_.size == int(facts[f"sizeof {struct_.name}"]) == ours.size
        offset = 0
        for field, code in zip(struct_.fields, re.findall(r"\d*[sI]", ours.format[1:])):
            assert facts[f"{struct_.name}.{field.name}"] == f"{field.offset} {field.size}", field.name
            size = int(code[:-1] or 1) * (1 if code.endswith("s") else 4)
            assert (field.offset, field.size) == (offset, size), field.name
            offset += size
        assert offset == ours.size and len(struct_.fields) == len(re.findall(r"\d*[sI]", ours.format))


def test_limits_come_from_the_header(tmp_path):
    """The value limits, defaults and domain name characters of the configuration are
    boot_image.hh's constants: a changed one changes what the builder accepts, what it says
    and what it fills in."""
    include = REPO / "xen-arm" / "include"
    for name in ("types.hh", "layout.hh"):
        shutil.copy(include / name, tmp_path / name)
    text = HEADER.read_text()
    for old, new in (("kPriorityMax = 255;", "kPriorityMax = 99;"), ("kMemoryMinKb = 64;", "kMemoryMinKb = 128;"),
                     ("kTimesliceDefaultUs = 10 * 1000;", "kTimesliceDefaultUs = 2 * 1000;"),
                     ("kPriorityDefault = 128;", "kPriorityDefault = 50;"),
                     ('kNameChars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";',
                      'kNameChars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-.";')):
        text = change(old, new, text)
    (tmp_path / "boot_image.hh").write_text(text)
    fmt = image_format.load_format(tmp_path)
    config = change("memory = 512K", "memory = 64K", change("priority = 0", "priority = 100"))
    report = image_config.Reporter("t.cfg")
    image_config.parse_config(config, "t.cfg", fmt, None, report)
    assert report.problems == [(11, "priority: '100' is not a whole number in 0..99"),
                               (16, "memory: '64K' is below the minimum 128K")]
    report = image_config.Reporter("t.cfg")
    system = image_config.parse_config(change("timeslice = 5ms\n", "", change("priority = 0\n", "")), "t.cfg", fmt,
                                  None, report)
    assert not report.problems
    assert [(d.timeslice_us, d.priority) for d in system.domains] == [(10000, 50), (2000, 50)]
    report = image_config.Reporter("t.cfg")
    image_config.parse_config(change("[domain dom0]", "[domain Dom.0]", change("[domain guest1]", "[domain g.1]")),
                              "t.cfg", fmt, None, report)
    assert report.problems == [
        (5, "[domain Dom.0]: bad domain name 'Dom.0': use 1..15 characters of a-z 0-9 _ - .")]


def test_a_changed_header_changes_or_stops_the_builder(tmp_path):
    """mkimage.py follows boot_image.hh: a new constant value is picked up; a new field it
    cannot fill, or fields that disagree with the header's static_assert, stop it."""
    include = REPO / "xen-arm" / "include"
    for name in ("types.hh", "layout.hh"):
        shutil.copy(include / name, tmp_path / name)
    text = HEADER.read_text()

    (tmp_path / "boot_image.hh").write_text(change("kMaxDomains = 8;", "kMaxDomains = 4;", text))
    assert image_format.load_format(tmp_path).kMaxDomains == 4

    grown = change("    u32 priority;", "    u32 deadline;\n    u32 priority;", text)
    (tmp_path / "boot_image.hh").write_text(change("sizeof(BootDomain) == 160", "sizeof(BootDomain) == 164", grown))
    fmt = image_format.load_format(tmp_path)
    with pytest.raises(image_format.FormatError, match=r"BootDomain\.deadline is a field that mkimage\.py does not"):
        fmt.domain.pack(name=b"d", flags=0, memory_kb=64, timeslice_us=100, priority=0, weight=1, cap_pct=0,
                        period_us=0, budget_us=0, fault_tolerance=0, checkpoint_us=0, kernel_offset=0, kernel_size=0, ramdisk_offset=0, ramdisk_size=0,
                        cmdline=b"")

    (tmp_path / "boot_image.hh").write_text(grown)
    with pytest.raises(image_format.FormatError, match=r"fields of BootDomain add up to 164 bytes"):
        image_format.load_format(tmp_path)


@pytest.mark.parametrize("value, expected", [(None, SCHED_ROUND_ROBIN), ("round-robin", SCHED_ROUND_ROBIN),
                                             ("fixed-priority", SCHED_FIXED_PRIORITY), ("credit", SCHED_CREDIT),
                                             ("sedf", SCHED_SEDF)])
def test_scheduler_in_header(tmp_path, kernels, vmm, value, expected):
    """[system] scheduler goes into BootImageHeader.scheduler; round-robin by default; the
    reserved word stays zero."""
    config = GOOD if value is None else change("name = test-sys", f"name = test-sys\nscheduler = {value}  # why")
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    image = parse_image(result.output, vmm, 0)
    _, version, _, _, crc, _, scheduler, reserved = HEADER_FMT.unpack_from(image)
    assert (version, scheduler, reserved) == (VERSION, expected, 0)
    assert crc == zlib.crc32(image[64:])


# ---- paravirtual guests only ------------------------------------------------------------

def test_a_kernel_without_the_guest_note_is_refused(tmp_path, kernels, vmm):
    """A bare-metal kernel (here: the test kernel without XA_GUEST_NOTE, as a native
    mini-OS) and one built for another guest ABI version are refused by name."""
    text = GOOD.split("[domain guest1]")[0]
    text += "[domain g1]\nkernel = ../k/native.elf\nmemory = 64K\n"
    text += "[domain g2]\nkernel = ../k/future.elf\nmemory = 64K\n"
    (tmp_path / "k").mkdir()
    shutil.copy(kernels / "native.elf", tmp_path / "k" / "native.elf")
    shutil.copy(kernels / "future.elf", tmp_path / "k" / "future.elf")
    first = len(GOOD.split("[domain guest1]")[0].splitlines()) + 2
    result = mk(tmp_path, text, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1
    assert result.stderr.splitlines() == [
        f"domains/bad.cfg:{first}: kernel: k/native.elf is not a xen-arm paravirtual guest: it has no "
        "XenARM guest note (hypercalls/xen-arm/elfnote.h). A kernel built for bare metal, such as "
        "build/minios/native/<board>/minios.elf, faults at its first privileged instruction in a domain; "
        "use the paravirtual build (build/minios/pv/minios.elf)",
        f"domains/bad.cfg:{first + 3}: kernel: k/future.elf was built for xen-arm guest ABI version 99; "
        "this VMM speaks version 1",
    ]
    assert not (tmp_path / "out").exists()


def test_the_project_kernels_carry_the_note_and_native_builds_do_not(repo):
    note = image_format.load_guest_note()
    pv = [repo / "build/minios/pv/minios.elf", repo / "build/minios/pv/dom0.elf", repo / "build/tests/minios-test.elf",
          repo / "build/guests/hotpath.elf"]
    native = [repo / "build/minios/native/goldfish/minios.elf"]
    for path in pv + native:
        if not path.exists():
            subprocess.run(["make", "--no-print-directory", "minios", "test-guests"], cwd=repo, check=True)
    for path in pv:
        assert image_elf.guest_abi_version(path.read_bytes(), note) == note.version, path
    for path in native:
        assert image_elf.guest_abi_version(path.read_bytes(), note) is None, path


# ---- memory against the board -----------------------------------------------------------

def imx21_vmm() -> pathlib.Path:
    path = REPO / "build" / "imx21" / "xen-arm.elf"
    if not path.exists():
        subprocess.run(["make", "--no-print-directory", "vmm", "PLATFORM=imx21"], cwd=REPO, check=True)
    return path


def sized(memories: list[str], starts: list[str], system: str = "") -> str:
    text = f"[system]\nname = sized\n{system}\n"
    for i, (mem, start) in enumerate(zip(memories, starts)):
        text += (f"[domain d{i}]\nkernel = minios\nmemory = {mem}\n"
                 f"privileged = {'yes' if i == 0 else 'no'}\nstart = {start}\n")
    return text


def test_guest_memory_must_fit_the_board(tmp_path, kernels, vmm):
    # imx21: 64 MiB of RAM, 12 of them DIRECTMAP: 52 MiB for guests.
    text = sized(["1M", "40M", "31M"], ["boot", "boot", "manual"])
    result = mk(tmp_path, text, kernel_dir=kernels / "pv", vmm=imx21_vmm(), board="imx21", ram_base="0xC0000000")
    assert result.status == 1
    assert result.stderr == (
        "domains/bad.cfg:14: [domain d2]: memory: with d2, the domains need 72 MiB in all; the board imx21 "
        "has 52 MiB for guests (64 MiB of RAM less the VMM's 12 MiB). Domains started by hand can take "
        "turns: [system] overcommit = yes\n")
    assert not (tmp_path / "out").exists()
    # Exactly full is fine; goldfish's 116 MiB take what imx21's 52 do not.
    assert mk(tmp_path, sized(["1M", "40M", "11M"], ["boot"] * 3), kernel_dir=kernels / "pv", vmm=imx21_vmm(),
              board="imx21", ram_base="0xC0000000").status == 0
    assert mk(tmp_path, text, kernel_dir=kernels / "pv", vmm=vmm).status == 0


def test_overcommit_counts_only_domains_started_at_boot(tmp_path, kernels, vmm):
    imx21 = dict(kernel_dir=kernels / "pv", vmm=imx21_vmm(), board="imx21", ram_base="0xC0000000")
    ok = sized(["1M", "40M", "31M", "51M"], ["boot", "boot", "manual", "manual"], "overcommit = yes")
    assert mk(tmp_path, ok, **imx21).status == 0
    boot_over = sized(["1M", "40M", "8M", "31M"], ["boot", "boot", "manual", "boot"], "overcommit = yes")
    result = mk(tmp_path, boot_over, **imx21)
    assert result.status == 1
    assert result.stderr == (
        "domains/bad.cfg:19: [domain d3]: memory: with d3, the domains started at boot need 72 MiB in all; "
        "the board imx21 has 52 MiB for guests (64 MiB of RAM less the VMM's 12 MiB)\n")
    alone_over = sized(["1M", "53M"], ["boot", "manual"], "overcommit = yes")
    result = mk(tmp_path, alone_over, **imx21)
    assert result.status == 1
    assert result.stderr == ("domains/bad.cfg:9: [domain d1]: memory: needs 53 MiB; the board imx21 has "
                             "52 MiB for guests (64 MiB of RAM less the VMM's 12 MiB)\n")


RT_GUEST = """
[domain ctrl]
kernel = minios
memory = 512K
rt_scheduler = rm
rt_tasks = 10ms/2ms, 20ms/3ms, 40ms/5ms
"""


def test_sedf_reservation_from_the_task_set(tmp_path, kernels, vmm):
    """Under sedf a domain with rt_tasks and no period/budget is given the least interface
    the analysis finds (its period chosen counting the VMM's 20 us per period), written into
    its record, shown in the summary, and the same as schedtool.py prints."""
    config = change("name = test-sys", "name = test-sys\nscheduler = sedf", GOOD.split("[domain guest1]")[0]) \
        + RT_GUEST
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    record = DOMAIN_FMT.unpack_from(parse_image(result.output, vmm, 0), 64 + D)
    period, budget = record[7], record[8]
    assert "reserve=827us/1700us (from rt_tasks)" in result.stdout and (period, budget) == (1700, 827)
    tasks = [image_rt.Task(10000, 2000), image_rt.Task(20000, 3000), image_rt.Task(40000, 5000)]
    assert image_rt.schedulable(tasks, "rm", period, budget) and not image_rt.schedulable(tasks, "rm", period,
                                                                                           budget - 1)
    # Every other period up to the shortest task's costs more, counting the VMM's 20 us.
    cost = Fraction(budget + 20, period)
    for p in range(100, 10001, 100):
        b = image_rt.minimal_budget(tasks, "rm", p, 100)
        assert b is None or Fraction(b + 20, p) >= cost, p
    tool = subprocess.run([sys.executable, str(REPO / "domains" / "schedtool.py"), "domains/bad.cfg", "--json"],
                          cwd=tmp_path, capture_output=True, text=True)
    ctrl = json.loads(tool.stdout)["domains"][0]
    assert (ctrl["period"], ctrl["budget"]) == (period, budget)


def test_sedf_reservation_too_small_for_the_task_set(tmp_path, kernels, vmm):
    config = change("name = test-sys", "name = test-sys\nscheduler = sedf", GOOD.split("[domain guest1]")[0]) \
        + RT_GUEST + "period = 1700us\nbudget = 826us\n"
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 1
    assert result.stderr == ("domains/bad.cfg:20: [domain ctrl]: budget 826us in every 1700us is not enough for its "
                             "rt_tasks under rm: it needs 827us\n")


# ---- fault tolerance ------------------------------------------------------------------------

def test_fault_tolerance_keys(tmp_path, kernels, vmm):
    """fault_tolerance = vm and checkpoint go into the domain's record (docs/fault-tolerance.md):
    checkpoint = switch is 0, a time is in microseconds, manual is all ones; dom0 may have them too; the summary
    says so."""
    config = change("priority = 0", "priority = 0\nfault_tolerance = vm\ncheckpoint = 50ms",
                    change("start = manual", "start = manual\nfault_tolerance = vm\ncheckpoint = switch"))
    result = mk(tmp_path, config, kernel_dir=kernels / "pv", vmm=vmm)
    assert result.status == 0, result.stderr
    image = parse_image(result.output, vmm, 0)
    dom0, guest1 = (DOMAIN_FMT.unpack_from(image, 64 + D * i) for i in range(2))
    assert dom0[FT:CHECKPOINT + 1] == (FT_VM, 50_000)
    assert guest1[FT:CHECKPOINT + 1] == (FT_VM, 0)
    assert "fault_tolerance=vm checkpoint=50ms" in result.stdout
    assert "fault_tolerance=vm checkpoint=switch" in result.stdout
    none = mk(tmp_path, change("priority = 0", "priority = 0\nfault_tolerance = none"), kernel_dir=kernels / "pv",
              vmm=vmm)
    assert none.status == 0, none.stderr
    assert DOMAIN_FMT.unpack_from(parse_image(none.output, vmm, 0), 64)[FT:CHECKPOINT + 1] == (FT_NONE, 0)
    assert "fault_tolerance=" not in none.stdout
    manual = mk(tmp_path, change("priority = 0", "priority = 0\nfault_tolerance = vm\ncheckpoint = manual"),
                kernel_dir=kernels / "pv", vmm=vmm)
    assert manual.status == 0, manual.stderr
    assert DOMAIN_FMT.unpack_from(parse_image(manual.output, vmm, 0), 64)[FT:CHECKPOINT + 1] == (FT_VM, 0xFFFFFFFF)
    assert "fault_tolerance=vm checkpoint=manual" in manual.stdout


def test_fault_tolerance_backup_counts_against_the_board(tmp_path, kernels, vmm):
    """A vm domain's backup is as large as its memory and lives in guest RAM beside it."""
    imx21 = dict(kernel_dir=kernels / "pv", vmm=imx21_vmm(), board="imx21", ram_base="0xC0000000")
    fits = sized(["1M", "40M", "3M", "2M", "3M"], ["boot"] * 5)
    assert mk(tmp_path, fits, **imx21).status == 0
    doubled = fits.replace("memory = 3M\n", "memory = 3M\nfault_tolerance = vm\n")
    result = mk(tmp_path, doubled, **imx21)
    assert result.status == 1
    assert result.stderr == (
        "domains/bad.cfg:25: [domain d4]: memory: with d4, the domains need 55 MiB in all (with the backups of "
        "fault_tolerance = vm domains); the board imx21 has 52 MiB for guests (64 MiB of RAM less the VMM's "
        "12 MiB). Domains started by hand can take turns: [system] overcommit = yes\n")
