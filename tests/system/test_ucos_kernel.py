"""µC/OS-II kernel semantics (ucos-port/apps/ktest.c) on every board, natively and as a
paravirtual guest of xen-arm: preemption order, each kernel object's round trip, timeouts,
exact delays in virtual time, mutex priority-ceiling promotion, deleting tasks that wait or
hold resources, error codes for bad arguments, tick preemption through the upcall/IRQ path, CPU usage of a known load from the statistics
task.
One boot per board and build runs all of them; each is its own test item here."""
import re

import pytest

import test_ucos_common as ucos
from vmm import PLATFORMS

KTESTS = [
    "preemption-order", "semaphore", "mutex", "mailbox", "queue", "event-flags", "memory-partition",
    "timeouts", "time-delay", "delay-resume-hmsm", "sched-lock", "suspend-resume", "delete-task",
    "bad-arguments", "tick-preemption", "statistics", "cpu-usage", "task-query",
]
RUNS = [(p, kind) for p in PLATFORMS for kind in ("native", "pv")]


@pytest.fixture(scope="module", params=RUNS, ids=[f"{p}-{k}" for p, k in RUNS])
def ktest(request, tmp_path_factory):
    platform, kind = request.param
    if kind == "native":
        run = ucos.run_native(platform, "app=ktest")
        lines = ucos.guest_lines(run, None)
    else:
        run = ucos.run_pv_alone(tmp_path_factory.mktemp(f"ktest-{platform}"), platform, "app=ktest")
        lines = ucos.guest_lines(run, "dom0")
    return platform, kind, run, lines


@pytest.mark.parametrize("name", KTESTS)
def test_kernel_semantics(ktest, name):
    _, _, run, lines = ktest
    failures = [line for line in lines if line.startswith(f"ktest: {name}: FAIL")]
    assert not failures, "\n".join(failures)
    assert f"ktest: {name}: ok" in lines, run.output


def test_every_test_ran_and_the_guest_ended_cleanly(ktest):
    platform, kind, run, lines = ktest
    assert f"ktest: done: {len(KTESTS)} passed, 0 failed" in lines, run.output
    assert run.status == 0, run.output
    banner = [line for line in lines if line.startswith("ucos: ")]
    assert banner and banner[0].startswith(f"ucos: {'pv' if kind == 'pv' else 'native ' + platform}, "), run.output
    v = ucos.kernel_version()
    assert f", {ucos.kernel_label()} V{v // 10000}.{v // 100 % 100:02d}, " in banner[0], (
        f"not the {ucos.kernel_description()}: {banner[0]}")
    if kind == "pv":
        assert "(1 shut down, 0 crashed)" in run.output, run.output


def test_time_delay_wakes_after_exactly_n_ticks_of_virtual_time(ktest):
    _, _, run, lines = ktest
    delays = [tuple(map(int, m.groups())) for line in lines
              if (m := re.fullmatch(r"ktest: delay (\d+): (\d+) ticks, (\d+) ns of virtual time", line))]
    assert [n for n, _, _ in delays] == [1, 2, 5, 10], run.output
    for n, ticks, ns in delays:
        assert ticks == n, delays
        # the boards' clock resolution below (24 MHz at worst), the wake-up path above
        assert n * ucos.TICK_NS - 2_000 <= ns <= n * ucos.TICK_NS + 1_000_000, delays
