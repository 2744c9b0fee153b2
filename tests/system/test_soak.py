"""Soak (`make soak`, not part of make test): a mixed system runs for more than 10^9 guest
instructions, counted by the trace plugin, and every counter is reconciled at the end.

    dom0    split drivers: store, consoles, block, network switch, ring-test device
    guest1  two million ring requests, the whole disk written and read back, ping to guest2
    guest2  two million ring requests, answers the pings
    ucos1/2 µC/OS-II doing its demo (semaphores, mutexes, queues, flags, timers)

Nothing may be lost: every ring request answered once and correctly, every ping echoed,
every disk sector read back as written, no µC/OS-II error; when dom0 has destroyed them
all, the VMM's free frames and dom0's ports are what the same system leaves after a few
requests, and dom0 holds no grant maps."""
import os
import re
import sys

import pytest

import images

sys.path.insert(0, str(images.REPO / "traces"))
import xatrace  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("XEN_ARM_SOAK") != "1", reason="make soak runs it")

RING = 2_000_000
FRAMES = 8_000
ROUNDS = 300
MIN_GUEST_INSTRUCTIONS = 10**9


def mixed_system(ring: int, frames: int, rounds: int) -> str:
    ucos = images.REPO / "build" / "ucos" / "pv" / "ucos.elf"
    return (images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0 shell=0 exit=auto",
                          ramdisk=images.RAMDISK)
            + images.domain("guest1", images.MINIOS_TEST,
                            cmdline=f"app=guest console=ring ring={ring} blk=1 net=ping peer=2 frames={frames}")
            + images.domain("guest2", images.MINIOS_TEST,
                            cmdline=f"app=guest console=ring ring={ring} net=echo frames={2 * frames}")
            + images.domain("ucos1", str(ucos), cmdline=f"app=demo seed=1 rounds={rounds}")
            + images.domain("ucos2", str(ucos), cmdline=f"app=demo seed=2 rounds={rounds}"))


def end_state(out: str) -> tuple:
    """The VMM's free frames after the last destroy, and dom0's ports and grant maps then.
    (Not the counts when dom0 was built: dom0's own mappings of the guests' rings take
    second-level tables it keeps.)"""
    destroyed = re.findall(r"^xen-arm: dom\d+ destroyed; free frames: (\d+) guest, (\d+) VMM$", out, re.M)
    dom0 = re.findall(r"dom0 ports in use (\d+), grant maps (\d+)$", out, re.M)
    assert len(destroyed) == 4 and dom0, out[-5000:]
    return destroyed[-1], dom0[-1]


@pytest.mark.parametrize("platform", ["goldfish"])
def test_soak(tmp_path, platform):
    images.make_ramdisk()
    quiet = images.run(platform, images.build(tmp_path, platform, "quiet", mixed_system(10, 1, 1)))
    assert quiet.status == 0 and "FAIL" not in quiet.output, quiet.output[-5000:]
    config = mixed_system(RING, FRAMES, ROUNDS)
    image = images.build(tmp_path, platform, "soak", config)
    csv = tmp_path / "soak.csv"
    run = xatrace.run(platform, image, plugin_args={"csv": csv}, timeout=1800)
    out = run.output
    assert run.status == 0, out[-5000:]

    rows, total = xatrace.read_csv(csv)
    guest = sum(r.instructions for r in rows if r.unit in ("kernel", "user"))
    vmm = sum(r.instructions for r in rows if r.unit == "vmm")
    print(f"\n{platform} soak: {total.instructions:,} instructions, {guest:,} in guests, {vmm:,} in the VMM, "
          f"{run.seconds:.0f} s of host time")
    assert guest >= MIN_GUEST_INSTRUCTIONS, (guest, total.instructions)

    for g in ("guest1", "guest2"):
        assert f"[{g}] ring: {RING} answered, 0 lost, 0 duplicated, 0 wrong, 0 out of order" in out, out[-5000:]
        assert f"[{g}] guest: done, 0 failure(s)" in out, out[-5000:]
    assert f"[guest1] net: ping dom 2: {FRAMES}/{FRAMES} answered (14..1512-byte frames), 0 bad frames" in out
    assert re.search(rf"^\[guest1\] net: ping dom 2: {FRAMES}/{FRAMES} answered \(60-byte frames\), 0 bad frames",
                     out, re.M), out[-5000:]
    assert f"[guest2] net: echo: {2 * FRAMES} frames answered, 0 bad" in out
    assert "[guest1] blk: wrote and read back 512 sectors: 0 differ" in out
    for d, u in ((3, "ucos1"), (4, "ucos2")):
        assert re.search(rf"^\[{u}\] ucos-demo: dom {d} done: 0 errors, ", out, re.M), out[-5000:]
    assert "FAIL" not in out, out[-5000:]

    # Nothing held for good: what is left is what the same system leaves after a few requests.
    assert end_state(out) == end_state(quiet.output), (end_state(out), end_state(quiet.output))
    assert end_state(out)[1][1] == "0"
    assert "(1 shut down, 0 crashed)" in out
