"""The scheduling policies end to end (their queues are host-tested in
tests/host/test_sched_queues.cc).

Fixed priority with two CPU-bound domains of equal priority (app=spin, 10 ms slices) and a
higher-priority domain that wakes every 3 ms (app=heartbeat): every wake preempts whichever
equal is running, and the preempted one must resume its own turn afterwards. The equals
then share the CPU left over evenly. (Picking "the next equal after the last domain chosen"
would restart after the preemptor each time and give one equal everything: it would run
its whole window alone, at a share near 1, and the other only after it exits.)"""
import re

import pytest

import images
from vmm import PLATFORMS

WINDOW_MS = 200


def spin(name):
    return images.domain(name, "minios", cmdline=f"app=spin delay=0 window={WINDOW_MS}", priority=100)


def shares(run):
    got = {}
    for name in ("left", "right"):
        m = re.search(rf"^\[{name}\] spin: dom \d+: ran (\d+) ns of (\d+) ns", run.output, re.M)
        assert m, run.output
        got[name] = int(m.group(1)) / int(m.group(2))
    return got


@pytest.mark.parametrize("platform", PLATFORMS)
def test_equal_priorities_share_beside_a_preempting_domain(tmp_path, platform):
    config = ("[system]\nscheduler = fixed-priority\n"
              + images.domain("waker", "minios", privileged=True, priority=0,
                              cmdline="app=heartbeat count=100 period=3")
              + spin("left") + spin("right"))
    run = images.run(platform, images.build(tmp_path, platform, "fair", config), timeout=240)
    assert run.status == 0, run.output
    got = shares(run)
    print(f"\n{platform}: equal-priority shares beside a domain waking every 3 ms: "
          f"{got['left']:.3f} / {got['right']:.3f}")
    assert 0.35 <= min(got.values()) and max(got.values()) <= 0.65, got
    assert abs(got["left"] - got["right"]) <= 0.1, got


@pytest.mark.parametrize("platform", PLATFORMS)
def test_round_robin_shares_the_same_system(tmp_path, platform):
    config = (images.domain("waker", "minios", privileged=True, cmdline="app=heartbeat count=100 period=3")
              + spin("left") + spin("right"))
    run = images.run(platform, images.build(tmp_path, platform, "rr", config), timeout=240)
    assert run.status == 0, run.output
    got = shares(run)
    assert 0.35 <= min(got.values()) and max(got.values()) <= 0.65, got
    assert abs(got["left"] - got["right"]) <= 0.1, got


def spin_share(run, name):
    m = re.search(rf"^\[{name}\] spin: dom \d+: ran (\d+) ns of (\d+) ns", run.output, re.M)
    assert m, run.output
    return int(m.group(1)) / int(m.group(2))


def reserved(name, period, budget, extra=False, cmdline=f"app=spin delay=20 window={WINDOW_MS}"):
    text = images.domain(name, "minios", cmdline=cmdline)
    return text + f"period = {period}\nbudget = {budget}\n" + ("extra = yes\n" if extra else "")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sedf_gives_each_server_its_bandwidth(tmp_path, platform):
    """EDF over periodic servers: CPU-bound domains get budget/period of the CPU each, to
    within what one period at the edges of the window can add or take; a background domain
    (extra, no reservation) gets what is left; none gets more than its reservation."""
    config = ("[system]\nscheduler = sedf\n"
              + reserved("dom0", "10ms", "1ms", cmdline="app=heartbeat count=20 period=15").replace(
                  "start = boot", "start = boot\nprivileged = yes")
              + reserved("a", "10ms", "3ms") + reserved("b", "20ms", "5ms")
              + images.domain("c", "minios", cmdline=f"app=spin delay=20 window={WINDOW_MS}") + "extra = yes\n")
    run = images.run(platform, images.build(tmp_path, platform, "sedf", config), timeout=240)
    assert run.status == 0, run.output
    got = {n: spin_share(run, n) for n in ("a", "b", "c")}
    print(f"\n{platform}: sedf shares a (3/10) {got['a']:.3f}, b (5/20) {got['b']:.3f}, c (background) {got['c']:.3f}")
    assert abs(got["a"] - 0.30) <= 0.02, got
    assert abs(got["b"] - 0.25) <= 0.02, got
    assert got["c"] >= 0.30, got  # everything nobody reserved or used, dom0's unused budget included


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sedf_admission_refuses_an_overcommitted_system(tmp_path, platform):
    config = ("[system]\nscheduler = sedf\n"
              + reserved("dom0", "10ms", "5ms").replace("start = boot", "start = boot\nprivileged = yes")
              + reserved("a", "20ms", "10ms"))
    with pytest.raises(Exception):
        images.build(tmp_path, platform, "over", config)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_credit_shares_by_weight_and_caps(tmp_path, platform):
    def weighted(name, weight=None, cap=None):
        text = images.domain(name, "minios", cmdline=f"app=spin delay=20 window={WINDOW_MS}")
        return text + (f"weight = {weight}\n" if weight else "") + (f"cap = {cap}\n" if cap else "")
    config = ("[system]\nscheduler = credit\n"
              + images.domain("dom0", "minios", privileged=True, cmdline="app=heartbeat count=2 period=5")
              + weighted("light", 100) + weighted("heavy", 300))
    run = images.run(platform, images.build(tmp_path, platform, "credit", config), timeout=240)
    assert run.status == 0, run.output
    light, heavy = spin_share(run, "light"), spin_share(run, "heavy")
    print(f"\n{platform}: credit shares 100:300 -> {light:.3f} / {heavy:.3f}")
    assert abs(heavy / (light + heavy) - 0.75) <= 0.05, (light, heavy)

    capped = ("[system]\nscheduler = credit\n"
              + images.domain("dom0", "minios", privileged=True, cmdline="app=heartbeat count=2 period=5")
              + weighted("light", cap="20%"))
    run = images.run(platform, images.build(tmp_path, platform, "cap", capped), timeout=240)
    assert run.status == 0, run.output
    share = spin_share(run, "light")
    print(f"{platform}: credit cap 20 % alone on the CPU -> {share:.3f}")
    assert 0.17 <= share <= 0.21, share
