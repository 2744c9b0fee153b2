"""Task-switch cost inside a µC/OS-II guest, native vs paravirtual, in instructions
(-icount: 8 ns of virtual time each, tools/run-qemu.sh) and in modeled cycles (the README's
ARM926EJ-S model: CPI 1.6, 200 MHz). ucos-port/apps/bench.c switches between two tasks N
times per round, timing each round between two markers, once with N switches and once
with none; the difference of the fastest of each, over 2N switches, is one switch.

    raw        OS_TASK_SW() with OSTCBHighRdy set by hand: the port's switch path alone
    semaphore  OSSemPost/OSSemPend ping-pong: the kernel services around it too

`make ucos-bench` runs this file with -s to show the table. The figures must be the ones
ucos-port/README.md's "Task-switch cost" table prints (whole instructions and cycles, the
overhead in instructions and whole percent) in the row of the kernel under test (the
compatible one, or the µC/OS-II version whose sources --ucos-src gave: test_ucos_common),
which says they are the same on every board."""
import re

import pytest

import readme_tables
import test_ucos_common as ucos
from vmm import ICOUNT_NS_PER_INSN, PLATFORMS

N, ROUNDS = 500, 8
CPI = 1.6
KINDS = {1: "raw OSCtxSw", 2: "semaphore ping-pong"}
# The README table's row for each kind, by the start of its first cell.
README_ROWS = {1: "raw `OS_TASK_SW()`", 2: "`OSSemPost`/`OSSemPend` ping-pong"}


def readme_figures(kind: int, kernel: str) -> dict[str, int]:
    """One row of ucos-port/README.md's table, for one kernel ('compatible', 'µC/OS-II V2.93'):
    '50 instructions (80 cycles)' | '63 (101)' | '+13 (+26 %)' -> native, native_cycles, pv,
    pv_cycles, overhead, overhead_percent."""
    rows = readme_tables.table_rows(readme_tables.UCOS_README, "Task-switch cost")
    found = [r for r in rows if r[0].startswith(README_ROWS[kind]) and r[1] == kernel]
    assert len(found) == 1, f"ucos-port/README.md: one {README_ROWS[kind]!r} row for kernel {kernel!r} expected"
    cells = found[0][:1] + found[0][2:]
    def pair(cell: str, pattern: str) -> tuple[int, int]:
        m = re.fullmatch(pattern, cell)
        assert m, f"ucos-port/README.md: cannot read {cell!r}"
        return int(m.group(1)), int(m.group(2))
    native = pair(cells[1], r"(\d+)(?: instructions)? \((\d+)(?: cycles)?\)")
    pv = pair(cells[2], r"(\d+)(?: instructions)? \((\d+)(?: cycles)?\)")
    over = pair(cells[3], r"\+(\d+) \(\+(\d+) %\)")
    return {"native": native[0], "native_cycles": native[1], "pv": pv[0], "pv_cycles": pv[1],
            "overhead": over[0], "overhead_percent": over[1]}


def measured_figures(native: float, pv: float) -> dict[str, int]:
    r = readme_tables.rounded
    return {"native": r(native), "native_cycles": r(native * CPI), "pv": r(pv), "pv_cycles": r(pv * CPI),
            "overhead": r(pv - native), "overhead_percent": r((pv - native) / native * 100)}


def marks(lines: list[str], pattern: str) -> dict[int, int]:
    found = {}
    for line in lines:
        m = re.search(pattern, line)
        if m:
            found[int(m.group(1), 16)] = int(m.group(2))
    return found


def per_switch(stamps: dict[int, int], kind: int) -> float:
    def fastest(loaded: int) -> int:
        spans = []
        for r in range(ROUNDS):
            tag = 0xC5000000 | kind << 16 | r << 8 | loaded << 4
            assert tag in stamps and tag | 1 in stamps, (hex(tag), stamps)
            spans.append(stamps[tag | 1] - stamps[tag])
        return min(spans)
    return (fastest(1) - fastest(0)) / ICOUNT_NS_PER_INSN / (2 * N)


@pytest.fixture(scope="module", params=PLATFORMS)
def figures(request, tmp_path_factory):
    platform = request.param
    cmdline = f"app=bench n={N} rounds={ROUNDS}"
    native = ucos.run_native(platform, cmdline)
    assert native.status == 0, native.output
    pv = ucos.run_pv_alone(tmp_path_factory.mktemp(f"bench-{platform}"), platform, cmdline, "bench")
    assert pv.status == 0, pv.output
    native_marks = marks(native.lines, r"^mark 0x([0-9a-f]{8}) at (\d+) ns$")
    pv_marks = marks(pv.lines, r"^xen-arm: trace dom0 marker 0x([0-9a-f]{8}) at (\d+) ns$")
    result = {k: (per_switch(native_marks, k), per_switch(pv_marks, k)) for k in KINDS}
    print(f"\n{platform}: µC/OS-II task switch ({ucos.kernel_description()}), "
          f"instructions (modeled cycles at CPI {CPI})")
    for k, (nat, par) in result.items():
        print(f"  {KINDS[k]:20s} native {nat:6.1f} ({nat * CPI:6.1f})   xen-arm pv {par:6.1f} ({par * CPI:6.1f})"
              f"   +{par - nat:.1f} ({(par - nat) / nat * 100:.0f}%)")
    return platform, result


def test_raw_switch_costs_about_the_same_under_the_vmm(figures):
    """The paravirtual switch is a plain LDM in USR mode plus the shared-page mask: no
    hypercall, so only a few instructions more than natively."""
    _, result = figures
    native, pv = result[1]
    assert 20 <= native <= 120, result
    assert native <= pv <= native + 40, result


def test_semaphore_ping_pong(figures):
    _, result = figures
    native, pv = result[2]
    assert result[1][0] < native <= 400, result
    assert native <= pv <= native * 1.5, result


# A round is timed by the board's clock, to within one count of it (README "Hot paths":
# 1 ns goldfish, 45 ns imx21, 1 us versatilepb); over 2N switches that bounds the error of
# a per-switch figure, so a figure close to a rounding boundary may round either way.
CLOCK_NS = {"goldfish": 1, "imx21": 45, "versatilepb": 1000}


def figure_ranges(native: float, pv: float, err: float) -> dict[str, tuple[int, int]]:
    """Each README figure's lowest and highest rounding over native, pv +/- err."""
    corners = [measured_figures(n, p) for n in (native - err, native + err) for p in (pv - err, pv + err)]
    return {k: (min(c[k] for c in corners), max(c[k] for c in corners)) for k in corners[0]}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_readme_table_is_what_is_measured(figures, kind):
    platform, result = figures
    native, pv = result[kind]
    kernel = ucos.bench_kernel_column()
    said = readme_figures(kind, kernel)
    ranges = figure_ranges(native, pv, CLOCK_NS[platform] / ICOUNT_NS_PER_INSN / (2 * N))
    wrong = {k: (said[k], ranges[k]) for k in said if not ranges[k][0] <= said[k] <= ranges[k][1]}
    assert not wrong, (
        f"ucos-port/README.md's Task-switch cost row {README_ROWS[kind]!r} for kernel {kernel!r} is not what "
        f"{platform} measures (README figure, measured range): {wrong}: correct the README")


@pytest.mark.parametrize("kernel", ["compatible", "µC/OS-II V2.93"])
def test_readme_table_parses(kernel):
    """No QEMU needed: both rows of both kernels are found and read."""
    for kind in KINDS:
        assert readme_figures(kind, kernel)["native"] > 0
