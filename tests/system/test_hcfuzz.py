"""The in-guest hypercall fuzzer (tests/guests/minios/hcfuzz.c) on every board: two million seeded
hypercalls with edge-case arguments from a domU, while a victim checks its memory canaries
on a 10 ms heartbeat and dom0 serves both (split drivers, store, console). No VMM crash or
hang, no canary changed, every beat on time; after dom0 destroys the fuzzer, the VMM's
free frames and dom0's ports and grant maps are what a run without fuzzing leaves."""
import re
import subprocess

import pytest

import images
from vmm import PLATFORMS

pytestmark = pytest.mark.attack

CALLS = 2_000_000
SEEDS = {"goldfish": 1, "imx21": 2, "versatilepb": 3}
CHECKS = 30


def run(tmp_path, platform, calls):
    tmp_path.mkdir()
    images.make_ramdisk()
    config = (images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0 shell=0 exit=auto",
                            ramdisk=images.RAMDISK)
              + images.domain("victim", images.MINIOS_TEST, cmdline=f"app=canary pages=16 period=10 count={CHECKS}")
              + images.domain("fuzzer", images.MINIOS_TEST, cmdline=f"app=hcfuzz seed={SEEDS[platform]} calls={calls}"))
    image = images.build(tmp_path, platform, "hcfuzz", config)
    try:
        return images.run(platform, image, timeout=240)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the system hung\n{(e.output or b'').decode(errors='replace')[-5000:]}")


def end_state(output):
    """(the VMM's free frames after the last destroy, dom0's ports and grant maps then)."""
    frames = re.findall(r"^xen-arm: dom\d+ destroyed; free frames: (\d+) guest, (\d+) VMM$", output, re.M)
    dom0 = re.findall(r"dom0 ports in use (\d+), grant maps (\d+)$", output, re.M)
    assert frames and dom0, output
    return frames[-1], dom0[-1]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_two_million_random_hypercalls_harm_nobody(tmp_path, platform):
    quiet = run(tmp_path / "quiet", platform, 0)
    assert quiet.status == 0, quiet.output
    fuzzed = run(tmp_path / "fuzzed", platform, CALLS)
    out = fuzzed.output
    summary = re.search(rf"^\[fuzzer\] hcfuzz: seed {SEEDS[platform]}, {CALLS} calls: (\d+) accepted, (\d+) refused$",
                        out, re.M)
    assert summary, out[-5000:]
    print(f"\n{platform}: {summary.group(0)}")
    assert "panic" not in out and "*** xen-arm: stopped" not in out, out[-5000:]
    assert "crashed:" not in out, out[-5000:]
    # The victim: every check on time, nothing changed.
    times = [int(t) for t in re.findall(r"^\[victim\] canary: dom 1 check \d+ at (\d+) ns: ok$", out, re.M)]
    assert len(times) == CHECKS, out[-5000:]
    assert f"[victim] canary: dom 1: {CHECKS} checks, 0 words changed" in out
    for earlier, later in zip(times, times[1:]):
        assert 10_000_000 <= later - earlier < 10_200_000 + 10_000_000, times   # a slice at most late
    assert "(1 shut down, 0 crashed)" in out and fuzzed.status == 0, out[-5000:]
    # Everything the fuzzer made the VMM and dom0 hold came back.
    assert end_state(out) == end_state(quiet.output), (end_state(out), end_state(quiet.output))
