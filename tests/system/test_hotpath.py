"""The VMM's hot paths, measured in instructions (-icount: 8 ns of virtual time each).

tests/guests/hotpath.S makes N null hypercalls (xen_version) and then M yield hypercalls.
Two runs differing only in N (or M) differ in virtual time by exactly the extra loop
iterations, so (T2 - T1) / 8 ns / (N2 - N1) - 3 loop instructions is the cost of one
round trip through the VMM. The counts are deterministic; the budgets below are the
figures measured when each path last changed, so a slower hot path fails here. Each
measured figure must also be the one README.md's "Hot paths" table prints for that board
(rounded to a whole instruction), so the README says what the VMM does today.
"""
import re

import pytest

import images
import readme_tables
from vmm import ICOUNT_NS_PER_INSN, PLATFORMS

LOOP_INSNS = 3
SHORT, LONG = 100, 1100

# Budgets in instructions per round trip (see README "Hot paths").
NULL_HYPERCALL_BUDGET = 66
YIELD_NO_SWITCH_BUDGET = 175
YIELD_WITH_SWITCH_BUDGET = 350
# send hypercall + upcall bounce + restore_trap_frame hypercall, guest instructions excluded
EVENT_UPCALL_ROUND_TRIP_BUDGET = 600
# The upcall loop's own instructions: mov/ldr/subs/bne around the send, and the handler's
# ldr/mov/strb/str/str before its restore SWI.
UPCALL_GUEST_INSNS = 9


# The README table's rows, by the start of their first cell.
README_ROWS = {
    "null": "null hypercall round trip",
    "yield": "`sched_op yield`, nobody else runnable",
    "switch": "`sched_op yield` with a domain switch",
    "upcall": "event send + upcall",
}


def readme_figure(platform: str, key: str) -> int:
    rows = readme_tables.table_rows(readme_tables.TOP_README, "Hot paths")
    return readme_tables.per_board(readme_tables.row(rows, README_ROWS[key])[1])[platform]


def check_readme(platform: str, key: str, measured: float):
    printed = readme_figure(platform, key)
    assert readme_tables.rounded(measured) == printed, (
        f"README.md's Hot paths table says {printed} for {README_ROWS[key]!r} on {platform}, "
        f"measured {measured:.1f}: correct the README (or the VMM)")


def stop_ns(run) -> int:
    m = re.search(r"stopping at (\d+) ns", run.output)
    assert m, run.output
    return int(m.group(1))


def total_ns(tmp_path, platform, tag, domains, calls, yields, upcalls):
    cfg = "".join(
        images.domain(f"d{i}" if i else "dom0", "hotpath", memory="256K", privileged=(i == 0),
                      cmdline=f"calls={calls} yields={yields} upcalls={upcalls}")
        for i in range(domains))
    image = images.build(tmp_path, platform, f"{tag}-{calls}-{yields}-{upcalls}", cfg, kernel_dir=images.TEST_GUESTS)
    run = images.run(platform, image)
    assert run.status == 0, run.output
    assert f"({domains} shut down, 0 crashed)" in run.output
    return stop_ns(run)


def per_iteration(tmp_path, platform, tag, domains, which, guest_insns=LOOP_INSNS):
    counts = {"calls": 0, "yields": 0, "upcalls": 0}
    short = total_ns(tmp_path, platform, tag, domains, **{**counts, which: SHORT})
    long_ = total_ns(tmp_path, platform, tag, domains, **{**counts, which: LONG})
    iterations = (LONG - SHORT) * domains
    return (long_ - short) / ICOUNT_NS_PER_INSN / iterations - guest_insns


@pytest.mark.parametrize("platform", PLATFORMS)
def test_null_hypercall_round_trip(tmp_path, platform):
    insns = per_iteration(tmp_path, platform, "null", 1, "calls")
    print(f"\n{platform}: null hypercall round trip {insns:.1f} instructions")
    assert 20 < insns <= NULL_HYPERCALL_BUDGET
    check_readme(platform, "null", insns)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_yield_without_and_with_domain_switch(tmp_path, platform):
    alone = per_iteration(tmp_path, platform, "yield1", 1, "yields")
    switching = per_iteration(tmp_path, platform, "yield2", 2, "yields")
    print(f"\n{platform}: yield alone {alone:.1f}, yield with a domain switch {switching:.1f} instructions"
          f" (switch itself ~{switching - alone:.0f})")
    assert alone <= YIELD_NO_SWITCH_BUDGET
    assert alone < switching <= YIELD_WITH_SWITCH_BUDGET
    check_readme(platform, "yield", alone)
    check_readme(platform, "switch", switching)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_event_upcall_round_trip(tmp_path, platform):
    insns = per_iteration(tmp_path, platform, "upcall", 1, "upcalls", UPCALL_GUEST_INSNS)
    print(f"\n{platform}: event send + upcall delivery + restore_trap_frame {insns:.1f} instructions")
    assert 100 < insns <= EVENT_UPCALL_ROUND_TRIP_BUDGET
    check_readme(platform, "upcall", insns)


def test_readme_table_parses():
    """Every row is found and gives every board a figure (no QEMU needed)."""
    for key in README_ROWS:
        for platform in PLATFORMS:
            assert readme_figure(platform, key) > 0
    assert readme_tables.per_board("368 (goldfish), 391") == {"goldfish": 368, "imx21": 391, "versatilepb": 391}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sedf_overhead_allowance_covers_what_a_period_costs(tmp_path, platform):
    """sedf's admission control charges every server period kSedfOverheadPerPeriodNs of VMM
    work (boot_image.hh): at most two switches (in and out) and two interrupts (the refill
    and the budget's end), each bounded here by the measured yield-with-switch and event
    upcall paths. A slower VMM must raise the allowance, or admission would promise more
    CPU than there is."""
    header = (images.REPO / "xen-arm" / "include" / "boot_image.hh").read_text()
    allowance_ns = int(re.search(r"kSedfOverheadPerPeriodNs = (\d+) \* 1000;", header).group(1)) * 1000
    switch = per_iteration(tmp_path, platform, "yield2", 2, "yields")
    upcall = per_iteration(tmp_path, platform, "upcall", 1, "upcalls", UPCALL_GUEST_INSNS)
    cost_ns = (2 * switch + 2 * upcall) * ICOUNT_NS_PER_INSN
    print(f"\n{platform}: a sedf period costs the VMM at most {cost_ns / 1000:.1f} us; allowance "
          f"{allowance_ns / 1000:.0f} us")
    assert cost_ns <= allowance_ns
