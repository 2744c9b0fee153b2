"""Fault tolerance managed from dom0's shell (minios/dom0/shell.c, docs/fault-tolerance.md):
`checkpoint <dom>` and `rollback <dom>` over XA_DOMCTL_checkpoint / XA_DOMCTL_rollback, the
errors they give in words, and the counts of XA_DOMCTL_ftinfo in `list` and `stats`.

The fault-tolerant domU runs the test app `ftbeat`: a heartbeat whose beat number is in its
memory and whose checkpoint and rollback counts it asks the VMM for (ftinfo about itself,
the one domctl an unprivileged domain may use). A rollback from the shell shows as a beat
number printed again, the second time with one rollback counted."""
import re

import pytest

import images
from vmm import PLATFORMS
from test_split import shell_dom0

# A 1 MiB domain: its first checkpoint copies all 256 of its frames; after it, write tracking
# copies only the frames it wrote (or that are mapped elsewhere too).
FRAMES = 256
SCRIPT = ("sleep 350\n"
          "rollback ftbeat\ncheckpoint plain\ncheckpoint 7\nrollback 9\ncheckpoint nosuch\nrollback 0\n"
          "checkpoint ftbeat\nsleep 500\nrollback 1\nsleep 250\nlist\nstats\nhalt\n")


@pytest.fixture(autouse=True, scope="module")
def ramdisk_image():
    return images.make_ramdisk()


def config():
    ftbeat = images.domain("ftbeat", images.MINIOS_TEST, cmdline="app=ftbeat count=100 period=100")
    plain = images.domain("plain", images.MINIOS_TEST, cmdline="app=ftbeat count=20 period=1000")
    return shell_dom0() + ftbeat + "fault_tolerance = vm\ncheckpoint = manual\n" + plain


def beats(out, name):
    """(position in the output, beat, checkpoints, rollbacks) of each beat of domain `name`
    (a beat may cut into the shell's echo of a command: not only at the start of a line)."""
    return [(m.start(), int(m.group(1)), int(m.group(2)), int(m.group(3)))
            for m in re.finditer(rf"\[{name}\] ftbeat: dom \d beat (\d+): checkpoints (\d+), rollbacks (\d+)$",
                                 out, re.M)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_checkpoint_and_rollback_from_the_shell(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ftshell", config()), timeout=240,
                     console_input=SCRIPT.encode())
    out, lines = run.output, run.lines

    # The errors, in words and by name, the VMM's answer each time.
    for message in [
        "rollback: dom 1 'ftbeat' has no checkpoint to roll back to ('checkpoint 1' takes one): "
        "no such entry (ENOENT)",
        "checkpoint: dom 2 'plain' has no fault tolerance (its configuration needs fault_tolerance = vm): "
        "invalid request (EINVAL)",
        "checkpoint: dom 7 does not exist or no longer runs: no such domain (ESRCH)",
        "rollback: dom 9 does not exist or no longer runs: no such domain (ESRCH)",
        "checkpoint: no domain is named 'nosuch'",
        "rollback: dom 0 'dom0' has no fault tolerance (its configuration needs fault_tolerance = vm): "
        "invalid request (EINVAL)",
        f"checkpoint: dom 1 'ftbeat' checkpointed ({FRAMES} frames copied)",
    ]:
        assert lines.count(f"[dom0] {message}") == 1, (message, out)
    restored = re.findall(r"^\[dom0\] rollback: dom 1 'ftbeat' rolled back to its checkpoint \((\d+) frames copied\)$",
                          out, re.M)
    assert len(restored) == 1 and 0 < int(restored[0]) < FRAMES // 4, out  # what it wrote since
    assert out.count("xen-arm: dom1 'ftbeat' rolled back to its checkpoint by dom0\n") == 1, out
    assert "rolled back to its checkpoint after" not in out and "crashed:" not in out, out  # no fault

    # What the domains learn about themselves: their own mode; nothing about dom0.
    assert "[ftbeat] ftbeat: ftinfo of dom 0: -1" in lines, out
    assert "[plain] ftbeat: ftinfo of dom 0: -1" in lines, out
    assert "[ftbeat] ftbeat: dom 1 mode 1, checkpoints manual" in lines, out
    assert "[plain] ftbeat: dom 2 mode 0, checkpoint period 0 us" in lines, out
    assert all(c == 0 and r == 0 for _, _, c, r in beats(out, "plain")), out

    # The beats: counted up with no checkpoint, then with one; after the rollback the beat
    # number goes back to where the checkpoint was, with the rollback counted.
    taken = out.index(f"[dom0] checkpoint: dom 1 'ftbeat' checkpointed")
    undone = out.index("xen-arm: dom1 'ftbeat' rolled back to its checkpoint by dom0")
    seq = beats(out, "ftbeat")
    before = [b for b in seq if b[0] < taken]
    between = [b for b in seq if taken < b[0] < undone]
    after = [b for b in seq if b[0] > undone]
    assert [b[1] for b in before] == list(range(1, len(before) + 1)) and len(before) >= 3, out
    assert all((c, r) == (0, 0) for _, _, c, r in before), out
    assert len(between) >= 3 and all((c, r) == (1, 0) for _, _, c, r in between[1:]), out
    assert [b[1] for b in before + between] == list(range(1, len(before) + len(between) + 1)), out
    assert after and all((c, r) == (1, 1) for _, _, c, r in after), out
    # The checkpoint was taken after the last beat printed before its line (or, if dom0
    # was preempted between the domctl and its message, after the one before that).
    first = after[0][1]
    assert first in (before[-1][1] + 1, before[-1][1]), (first, out)
    assert first <= between[-1][1], out
    assert [b[1] for b in after] == list(range(first, first + len(after))), out

    # list: the fault-tolerance column, and what it means.
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\[dom0\]   \d  (\w+) .*$", out, re.M)}
    assert re.match(r"\[dom0\]   0  dom0 +running +4 MiB +\d+ +- +- +- +-$", rows["dom0"]), out
    assert re.match(r"\[dom0\]   1  ftbeat +\w+ +1 MiB +\d+ +vm 1/1 +\S+ +\S+ +\S+$", rows["ftbeat"]), out
    assert re.match(r"\[dom0\]   2  plain +\w+ +1 MiB +\d+ +- +\S+ +\S+ +\S+$", rows["plain"]), out
    assert lines.count("[dom0]   id name            state      memory   cpu ms  ft        vbd         vif         "
                       "vtest") == 1, out
    assert lines.count("[dom0]   ft: vm C/R = checkpoints of the whole domain, C taken and R rolled back "
                       "('stats' has more)") == 1, out

    # stats: a line for the fault-tolerant domain only.
    stats = re.findall(r"^\[dom0\] stats: dom \d '\w+' fault tolerance: .*$", out, re.M)
    assert len(stats) == 1, out
    m = re.match(rf"\[dom0\] stats: dom 1 'ftbeat' fault tolerance: checkpoints 1, rollbacks 1, "
                 rf"frames copied {FRAMES + int(restored[0])} \(last {restored[0]}\); last checkpoint at (\d+) ms$",
                 stats[0])
    assert m and 350 <= int(m.group(1)) < 2000, out

    assert "[dom0] dom0: stopping (ok)" in out, out
    assert run.status == 0, out
