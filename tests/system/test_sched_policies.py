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
