"""The VMM boots, owns the machine and ticks on every board."""
import re

import pytest

from vmm import BOARDS, ICOUNT_NS_PER_INSN, PLATFORMS, boot

# What the banner must say of each board: its table row (the Makefile).
EXPECTED_BOARD = {b.name: (b.name, b.ram_mib, b.ram_base) for b in BOARDS.values()}

# The paper's layout (Secure Xen on ARM), as the banner must print it.
LAYOUT = [
    ("RO_MPT", 0xFC000000, 0xFC3FFFFF),
    ("FRAMETABLE", 0xFC400000, 0xFDBFFFFF),
    ("RDWR_MPT", 0xFDC00000, 0xFDFFFFFF),
    ("LINEAR_PT", 0xFE000000, 0xFE3FFFFF),
    ("SH_LINEAR_PT", 0xFE400000, 0xFE7FFFFF),
    ("PERDOMAIN", 0xFE800000, 0xFEFFFFFF),
    ("MAPCACHE", 0xFEC00000, 0xFEFFFFFF),
    ("DIRECTMAP", 0xFF000000, 0xFFBFFFFF),
    ("IOREMAP", 0xFFC00000, 0xFFFFFFFF),
    ("GUEST_KERNEL", 0xC0000000, 0xFBFFFFFF),
    ("GUEST_USER", 0x40000000, 0xBEFFFFFF),
]

TICK_NS = 10_000_000  # 100 Hz


@pytest.fixture(scope="module", params=PLATFORMS)
def ten_ticks(request):
    return request.param, boot(request.param, "ticks=10")


def test_banner(ten_ticks):
    platform, run = ten_ticks
    name, ram_mib, ram_base = EXPECTED_BOARD[platform]
    assert run.status == 0, run.output
    assert re.search(r"^xen-arm \d+\.\d+\.\d+: paravirtualizing VMM for ARM926EJ-S$", run.output, re.M)
    board = re.search(r"^board:  (\S+) .*cpu id 0x([0-9a-f]{8})$", run.output, re.M)
    assert board and board.group(1) == name
    # ARM926EJ-S main ID: implementer 0x41 (ARM), architecture 6 (ARMv5TEJ), part 0x926
    assert int(board.group(2), 16) & 0xFF0FFFF0 == 0x41069260
    assert f"ram:    {ram_mib} MiB at 0x{ram_base:08x}" in run.output
    for region, start, end in LAYOUT:
        assert re.search(rf"0x{start:08x}-0x{end:08x} {region} ", run.output), region


def test_ticks_and_clean_exit(ten_ticks):
    platform, run = ten_ticks
    assert run.status == 0, run.output
    ticks = [int(m.group(1)) for m in re.finditer(r"^tick (\d+) at (\d+) ns$", run.output, re.M)]
    assert ticks == list(range(1, 11))
    times = [int(m.group(2)) for m in re.finditer(r"^tick (\d+) at (\d+) ns$", run.output, re.M)]
    # Each tick comes one period after the previous one (within the board clock's
    # resolution and the interrupt latency): not early, not a period late.
    for earlier, later in zip(times, times[1:]):
        assert abs((later - earlier) - TICK_NS) < 100_000, times
    total = re.search(r"^xen-arm: 10 ticks in (\d+) ns of virtual time$", run.output, re.M)
    assert total, run.output
    assert 10 * TICK_NS <= int(total.group(1)) < 11 * TICK_NS


def test_banner_time_is_reported(ten_ticks):
    platform, run = ten_ticks
    m = re.search(r"^boot:   banner at (\d+) ns of virtual time$", run.output, re.M)
    assert m
    instructions = int(m.group(1)) // ICOUNT_NS_PER_INSN
    # Boot (MMU setup, page tables, banner) is tens of thousands of instructions, not
    # zero (clock not running) and not millions (something spinning).
    assert 10_000 < instructions < 1_000_000, instructions


@pytest.mark.parametrize("platform", PLATFORMS)
def test_runs_are_deterministic(platform):
    first = boot(platform, "ticks=3")
    second = boot(platform, "ticks=3")
    assert first.status == second.status == 0
    assert first.output == second.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_command_line_is_rejected(platform):
    run = boot(platform, "ticks=abc")
    assert run.status == 2
    assert "xen-arm: bad command line" in run.output
    assert "ticks= takes a number" in run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_console_input_quits(platform):
    # No ticks= limit: only the 'q' typed at the console (through the board's UART/TTY
    # receive path) can end this run before the timeout.
    run = boot(platform, "", timeout=60, console_input=b"q")
    assert run.status == 0, run.output
    assert re.search(r"^xen-arm: quit after \d+ ticks$", run.output, re.M), run.output
