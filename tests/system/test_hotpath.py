"""The VMM's hot paths, measured in instructions (-icount: 8 ns of virtual time each).

tests/guests/hotpath.S makes N null hypercalls (xen_version) and then M yield hypercalls.
Two runs differing only in N (or M) differ in virtual time by exactly the extra loop
iterations, so (T2 - T1) / 8 ns / (N2 - N1) - 3 loop instructions is the cost of one
round trip through the VMM. The counts are deterministic; the budgets below are the
figures measured when each path last changed, so a slower hot path fails here.
"""
import re

import pytest

import images
from vmm import ICOUNT_NS_PER_INSN, PLATFORMS

LOOP_INSNS = 3
SHORT, LONG = 100, 1100

# Budgets in instructions per round trip (see README "Hot paths").
NULL_HYPERCALL_BUDGET = 95
YIELD_NO_SWITCH_BUDGET = 225
YIELD_WITH_SWITCH_BUDGET = 400
# send hypercall + upcall bounce + restore_trap_frame hypercall, guest instructions excluded
EVENT_UPCALL_ROUND_TRIP_BUDGET = 680
# The upcall loop's own instructions: mov/ldr/subs/bne around the send, and the handler's
# ldr/mov/strb/str/str before its restore SWI.
UPCALL_GUEST_INSNS = 9


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


@pytest.mark.parametrize("platform", PLATFORMS)
def test_yield_without_and_with_domain_switch(tmp_path, platform):
    alone = per_iteration(tmp_path, platform, "yield1", 1, "yields")
    switching = per_iteration(tmp_path, platform, "yield2", 2, "yields")
    print(f"\n{platform}: yield alone {alone:.1f}, yield with a domain switch {switching:.1f} instructions"
          f" (switch itself ~{switching - alone:.0f})")
    assert alone <= YIELD_NO_SWITCH_BUDGET
    assert alone < switching <= YIELD_WITH_SWITCH_BUDGET


@pytest.mark.parametrize("platform", PLATFORMS)
def test_event_upcall_round_trip(tmp_path, platform):
    insns = per_iteration(tmp_path, platform, "upcall", 1, "upcalls", UPCALL_GUEST_INSNS)
    print(f"\n{platform}: event send + upcall delivery + restore_trap_frame {insns:.1f} instructions")
    assert 100 < insns <= EVENT_UPCALL_ROUND_TRIP_BUDGET
