"""The real-time experiment (traces/rt.py, after Park, Yoo and Yoo): a µC/OS-II guest's
rate-monotonic periodic tasks (ucos-port/apps/rt.c) beside two CPU hogs, the split-driver
dom0 and a frontend streaming requests through it, on every board.

Under sedf, with the guest's periodic resource interface (Π, Θ) as its server, no job
misses its deadline over 1,000 jobs of the longest-period task and every response time is
within the analysis' bound. Under credit and round-robin, with the same long-run share of
the CPU for the guest, deadlines are missed."""
import sys

import pytest

from vmm import PLATFORMS, REPO

sys.path.insert(0, str(REPO / "traces"))
import rt  # noqa: E402

JOBS = 1000  # of the longest-period task, for every policy


@pytest.fixture(scope="module")
def interface():
    return rt.analysed_interface(rt.DEFAULT_TASKS, rt.DEFAULT_RT_PERIOD_US)


_runs = {}


def run(tmp_path_factory, platform, policy, iface):
    key = (platform, policy)
    if key not in _runs:
        out = tmp_path_factory.mktemp(f"rt-{platform}-{policy}")
        _runs[key] = rt.run_policy(platform, policy, rt.DEFAULT_TASKS, iface, JOBS, out, timeout=300)
    return _runs[key]


def test_the_interface_is_the_analysis_tools():
    """The experiment's interface and bounds are domains/schedtool.py's (its analysis is
    tested in tests/domains/test_rtanalysis.py): the least budget at the period, and the
    bounds it gives."""
    iface = rt.analysed_interface(rt.DEFAULT_TASKS, rt.DEFAULT_RT_PERIOD_US)
    tasks = [rt.rt_analysis.Task(p, c) for p, c in rt.DEFAULT_TASKS]
    assert rt.rt_analysis.schedulable(tasks, "rm", iface.period_us, iface.budget_us)
    assert not rt.rt_analysis.schedulable(tasks, "rm", iface.period_us, iface.budget_us - 1)
    assert (iface.period_us, iface.budget_us, iface.bounds_us) == (1000, 584, (1132, 1998, 4996))
    assert all(b <= p for b, (p, _) in zip(iface.bounds_us, rt.DEFAULT_TASKS))
    # The experiment's point: the tasks load well over half of the interface's bandwidth.
    u = sum(c / p for p, c in rt.DEFAULT_TASKS)
    assert u / (iface.budget_us / iface.period_us) > 0.7


def check_run(r):
    assert r.status == 0, r.log[-3000:]
    assert "[front] ring: ok" in r.log and r.ring_requests > 0, r.log[-3000:]
    assert len(r.shares) == 2 and min(r.shares.values()) > 0.1, r.shares  # the hogs competed
    longest = max(t.period_ns for t in r.tasks)
    # Every job released before the longest task's JOBS periods end.
    assert [len(t.responses) for t in r.tasks] == [-(-JOBS * longest // t.period_ns) for t in r.tasks]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sedf_with_the_interface_meets_every_deadline_within_the_bound(tmp_path_factory, platform, interface):
    r = run(tmp_path_factory, platform, "sedf", interface)
    check_run(r)
    for i, t in enumerate(r.tasks):
        worst = max(t.responses)
        print(f"\n{platform}: sedf task {i}: {len(t.responses)} jobs, max response {worst / 1000:.0f} us, "
              f"bound {interface.bounds_us[i]} us")
        assert worst <= t.period_ns, (i, worst)
        assert worst <= interface.bounds_us[i] * 1000, (i, worst, interface.bounds_us[i])


@pytest.mark.parametrize("policy", ["credit", "round-robin"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_same_share_without_a_reservation_misses_deadlines(tmp_path_factory, platform, policy, interface):
    r = run(tmp_path_factory, platform, policy, interface)
    check_run(r)
    misses = [sum(x > t.period_ns for x in t.responses) for t in r.tasks]
    print(f"\n{platform}: {policy}: misses per task {misses} of {[len(t.responses) for t in r.tasks]}")
    assert sum(misses) > 0
