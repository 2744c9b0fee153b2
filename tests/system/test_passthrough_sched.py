"""A passed-through device's interrupts and the scheduler. The device's owner (app=rt,
given imx21's GPT3 or versatilepb's second SP804 by dom0's assign=) programs it to
interrupt every 10 us (12 us on imx21: PERIOD_US) and blocks in between; a CPU-bound
victim (app=spin) measures the CPU it gets over a fixed window of system time (200 ms)
from its own runstate times. The window opens at the victim's first instruction, before
the owner starts its device, so a victim starved by the attack cannot close it in time. Under round-robin an
interrupt for a domain that is not running is delivered as an event and its owner runs
at its turn: the victim keeps its share and is not switched away more than once a slice.
Under fixed-priority an owner that outranks the running domain preempts it at once, so a
real-time owner keeps its period beside a CPU-bound domain. goldfish has no device to
pass through."""
import re

import pytest

import images

pytestmark = pytest.mark.attack

PASSTHROUGH = {"imx21": "gpt3", "versatilepb": "sp804b"}
# The owner's period: the shortest at which it still blocks between interrupts. Each
# interrupt costs the owner about 1,250 instructions (VMM entry, upcall, its handler,
# PHYSDEVOP_eoi, waking its thread, SCHEDOP_block): 10 us on imx21 keeps it computing
# all its slice, so it is simply a CPU-bound domain there, which round-robin gives its
# turn like any other.
PERIOD_US = {"imx21": 12, "versatilepb": 10}
WINDOW_MS = 200
SLICE_MS = 10


@pytest.fixture(autouse=True, scope="module")
def ramdisk_image():
    return images.make_ramdisk()


def dom0(assign=""):
    cmdline = "app=dom0 shell=0 exit=auto" + (f" assign={assign}" if assign else "")
    return images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline=cmdline, ramdisk=images.RAMDISK)


def spin(**kw):
    return images.domain("victim", images.MINIOS, cmdline=f"app=spin delay=0 window={WINDOW_MS}",
                         timeslice=f"{SLICE_MS}ms", **kw)


def rt(count, period_us, **kw):
    return images.domain("owner", images.MINIOS, cmdline=f"app=rt console=ring count={count} period_us={period_us}", **kw)


def victim_report(run):
    m = re.search(r"^\[victim\] spin: dom \d+: ran (\d+) ns of (\d+) ns \((\d+) per mille\), descheduled (\d+) "
                  r"times, (\d+) rounds$", run.output, re.M)
    assert m, run.output
    ran, window, _, descheduled, _ = (int(g) for g in m.groups())
    assert window >= WINDOW_MS * 1_000_000, run.output
    return ran / window, descheduled, window


@pytest.mark.parametrize("platform", sorted(PASSTHROUGH))
def test_device_interrupts_do_not_steal_the_cpu_under_round_robin(tmp_path, platform):
    dev = PASSTHROUGH[platform]
    alone = images.run(platform, images.build(tmp_path, platform, "alone", dom0() + spin()))
    assert alone.status == 0, alone.output
    share_alone, _, _ = victim_report(alone)

    # The owner is dom1; dom0 assigns it the device at start of day.
    config = dom0(assign=f"1:{dev}") + rt(20000, PERIOD_US[platform]) + spin()
    run = images.run(platform, images.build(tmp_path, platform, "attack", config), timeout=240)
    assert run.status == 0, run.output
    assert f"[dom0] assign: {dev} (line " in run.output, run.output
    share, descheduled, window = victim_report(run)
    got = re.search(rf"^\[owner\] rt: (\d+) interrupts from {dev} ", run.output, re.M)
    assert got and int(got.group(1)) > 0, run.output   # the owner still gets its interrupts
    print(f"\n{platform}: victim share {share:.4f} under attack, {share_alone:.4f} alone; "
          f"descheduled {descheduled} times in {window} ns; "
          f"owner took {got.group(1)} interrupts")
    assert share >= share_alone - 0.05, (share, share_alone)
    # At most one turn of the owner per victim slice (and one of dom0's).
    assert descheduled <= 2 * (WINDOW_MS // SLICE_MS + 1), descheduled
    assert window < (WINDOW_MS + 1) * 1_000_000, window  # it read its clock in time


@pytest.mark.parametrize("platform", sorted(PASSTHROUGH))
def test_a_higher_priority_owner_preempts_a_cpu_bound_domain(tmp_path, platform):
    """fixed-priority: the owner (priority 0) takes 100 interrupts at 1 ms beside the
    CPU-bound victim (priority 200) and keeps its period within 5 % (app=rt's 'ok'); the
    same system under round-robin does not (the owner waits for the victim's slice)."""
    dev = PASSTHROUGH[platform]
    body = dom0(assign=f"1:{dev}") + rt(100, 1000, priority=0) + images.domain(
        "victim", images.MINIOS, cmdline="app=spin delay=0 window=400", timeslice=f"{SLICE_MS}ms", priority=200)
    run = images.run(platform, images.build(tmp_path, platform, "prio",
                                            "[system]\nscheduler = fixed-priority\n" + body), timeout=240)
    assert run.status == 0, run.output
    m = re.search(rf"^\[owner\] rt: 100 interrupts from {dev} \(line \d+\), average period (\d+) ns", run.output, re.M)
    assert m and 990_000 <= int(m.group(1)) <= 1_010_000, run.output
    assert "[owner] rt: ok" in run.lines, run.output

    rr = images.run(platform, images.build(tmp_path, platform, "rr", body), timeout=240)
    assert rr.status == 0, rr.output
    assert "[owner] rt: FAIL" in rr.lines, rr.output


def test_an_owner_busy_with_its_device_gets_only_its_turn(tmp_path):
    """imx21 at 10 us: handling an interrupt takes the owner about a period, so it never
    blocks while on the CPU. It is then a CPU-bound domain like any other: round-robin
    gives it its slices, no more, and the victim keeps at least half the CPU."""
    platform, dev = "imx21", PASSTHROUGH["imx21"]
    run = images.run(platform, images.build(tmp_path, platform, "busy",
                                            dom0(assign=f"1:{dev}") + rt(20000, 10) + spin()), timeout=240)
    assert run.status == 0, run.output
    share, _, window = victim_report(run)
    print(f"\n{platform}: victim share {share:.4f} beside an owner busy with its device")
    assert share >= 0.5, share
    assert window < (WINDOW_MS + 1) * 1_000_000, window
