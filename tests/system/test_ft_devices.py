"""Split-driver devices across a rollback (docs/fault-tolerance.md, "Devices across a
rollback"): a domU with fault_tolerance = vm and periodic checkpoints, the test app `ftio`,
writes and reads back patterns on its virtual disk, sends requests through the ring-test
device and broadcasts frames to another domain while dom0 serves them; it is rolled back
mid-I/O. dom0 resets its backends (XA_VIRQ_DOM_ROLLBACK), the domU's frontends reconnect
(XA_VIRQ_ROLLED_BACK) and move their restored rings onto fresh ones, and the domU goes on:
every pattern reads back right, every ring request is answered once, every frame it sent
reaches the other domain. A domain without fault tolerance beside it is not disturbed, and
dom0 ends with the ports and grant maps it ends with without a rollback."""
import re

import pytest

import images
from vmm import PLATFORMS

DOM0 = images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0 exit=auto",
                     ramdisk=images.RAMDISK)
ROLLED_BACK = re.compile(r"xen-arm: dom(\d+) '(\w+)' rolled back to its checkpoint of (\d+) us ago after (.*)")


@pytest.fixture(autouse=True, scope="module")
def ramdisk_image():
    return images.make_ramdisk()


def ftio(name, cmdline, fault_tolerance=True, console_ring=True):
    text = images.domain(name, images.MINIOS_TEST,
                         cmdline=f"app=ftio {'console=ring ' if console_ring else ''}{cmdline}")
    return text + ("fault_tolerance = vm\ncheckpoint = 5ms\n" if fault_tolerance else "")


def run(tmp_path, platform, config, script="", timeout=240):
    return images.run(platform, images.build(tmp_path, platform, "ftdev", config), timeout=timeout,
                      console_input=script.encode())


def final(out, name):
    m = re.search(rf"\[{name}\] ftio: (\d+) rounds, (\d+) block requests: (\d+) errors, (\d+) sectors read back "
                  r"wrong; rollbacks (\d+), reconnects (\d+)", out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def check_survived(out, rollback_line):
    assert rollback_line in out, out
    # dom0 dropped both connections to it and waited for the frontends again.
    for dev in ("vbd", "vif", "vtest"):
        assert len(re.findall(rf"\[dom0\] dom0: dom 1 'ftio' rolled back: {dev} reconnecting \(\d+ requests on the "
                              r"old ring\)", out)) == 1, out
        assert len(re.findall(rf"\[dom0\] {dev}: dom 1 connected", out)) == 2, out
    # Its frontends reconnected, once each, and went on.
    for node in ("device/vbd/0", "device/vif/0", "device/vtest/0"):
        assert len(set(re.findall(rf"\[ftio\] frontend: {node}: reconnected after a rollback, \d+ request\(s\) "
                                  r"issued again", out))) == 1, out
    rounds, requests, errors, bad, count, reconnects = final(out, "ftio")
    assert (errors, bad, count, reconnects) == (0, 0, 1, 1), out
    assert rounds > 16, out  # every area was written, some more than once
    assert re.search(r"\[ftio\] ftio: ring: \d+ answered, 0 lost, 0 duplicated, 0 wrong, 0 out of order", out), out
    assert "[ftio] ftio: ok" in out, out
    # The new connection saw no request of the old ring: no more than the domain made
    # since the rollback (the ones issued again among them).
    served = int(re.search(r"\[dom0\] vbd: dom 1 disconnected \((\d+) requests, 0 errors\)", out)[1])
    assert 0 < served <= requests, out
    # The other domain got the frames it counts as sent, give or take a round's worth: the
    # frames of the lost work arrive too (xen-arm does not hold device output back until the
    # next checkpoint, docs/fault-tolerance.md), and a network may drop frames in flight
    # while the connection is reset (block and ring-test I/O above are exact).
    sent = int(re.search(r"\[ftio\] ftio: net: (\d+) frames sent", out)[1])
    received = int(re.search(r"\[plain\] ftio: net: \d+ frames sent, (\d+) received", out)[1])
    assert abs(received - sent) <= 8, out
    # The domain beside it: no rollback, no reconnect, everything right.
    assert final(out, "plain")[2:] == (0, 0, 0, 0), out
    assert "[plain] ftio: ok" in out and "'plain' rolled back" not in out, out
    assert "crashed:" not in out and "FAIL" not in out, out
    assert "[dom0] dom0: stopping (ok)" in out, out
    # Nothing of the old connections is left in dom0 (as without a rollback).
    assert re.findall(r"dom0 ports in use (\d+), grant maps (\d+)$", out, re.M)[-1] == ("4", "0"), out


@pytest.mark.parametrize("platform", PLATFORMS)
def test_block_and_ring_io_survive_a_rollback_from_the_shell(tmp_path, platform):
    """Checkpoints every 5 ms; dom0's shell rolls the domain back while it is doing I/O."""
    config = (DOM0 + ftio("ftio", "until=400 ring=200 net=4")
              + ftio("plain", "until=400 ring=200 net=4", fault_tolerance=False, console_ring=False))
    result = run(tmp_path, platform, config, "sleep 150\nrollback 1\nsleep 1000\n")
    assert result.status == 0, result.output
    check_survived(result.output, "xen-arm: dom1 'ftio' rolled back to its checkpoint by dom0")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_block_and_ring_io_survive_a_rollback_after_a_fault(tmp_path, platform):
    """The domain faults where the VMM cannot bounce it (its own line saying so goes
    through its console ring, which the rollback takes back before dom0 has read it)."""
    config = (DOM0 + ftio("ftio", "at=150 until=400 ring=200 net=4")
              + ftio("plain", "until=400 ring=200 net=4", fault_tolerance=False, console_ring=False))
    result = run(tmp_path, platform, config, "sleep 1000\n", timeout=30)
    assert result.status == 0, result.output
    rollbacks = ROLLED_BACK.findall(result.output)
    assert len(rollbacks) == 1 and rollbacks[0][3].startswith("data abort at 0x00000004"), result.output
    check_survived(result.output, "xen-arm: dom1 'ftio' rolled back to its checkpoint of ")
