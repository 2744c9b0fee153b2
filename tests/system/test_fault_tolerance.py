"""Fault tolerance (docs/fault-tolerance.md), the full-copy baseline: a fault-tolerant dom0
(fault_tolerance = vm) running the test app `ft` checkpoints itself, corrupts its state and
faults where the VMM cannot bounce the fault; the VMM rolls it back instead of crashing it,
and it carries on from the checkpoint with its state intact. Repeated faults are rolled
back until the failure window's limit, then the domain crashes as without fault tolerance."""
import re

import pytest

import images
from vmm import PLATFORMS


def ft_config(cmdline: str, fault_tolerance: bool = True, checkpoint: str = "manual") -> str:
    text = images.domain("dom0", images.MINIOS_TEST, privileged=True, cmdline=cmdline)
    return text + (f"fault_tolerance = vm\ncheckpoint = {checkpoint}\n" if fault_tolerance else "")


ROLLED_BACK = re.compile(r"xen-arm: dom(\d+) '(\w+)' rolled back to its checkpoint of (\d+) us ago after (.*)")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rollback_after_a_fault_resumes_the_checkpoint(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config("app=ft")))
    assert run.status == 0, run.output
    assert "[dom0] ft: checkpoint taken: state 42" in run.lines, run.output
    assert "[dom0] ft: state corrupted: 0xdead; faulting" in run.lines, run.output
    assert re.search(r"xen-arm: dom0 'dom0' rolled back to its checkpoint of \d+ us ago after data abort at 0x00000004",
                     run.output), run.output
    assert "[dom0] ft: rolled back: state 42" in run.lines, run.output
    assert "[dom0] ft: done" in run.lines, run.output
    assert "[dom0] ft: the fault returned" not in run.lines
    assert "crashed:" not in run.output, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_too_many_faults_crash_the_domain_as_before(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config("app=ft repeat=1")))
    assert len(re.findall(r"rolled back to its checkpoint of \d+ us ago after data abort", run.output)) == 3, run.output
    # Each replay prints the same two lines as the one before: the console shows them once.
    assert run.lines.count("[dom0] ft: rolled back: state 42") == 1, run.output
    assert run.lines.count("[dom0] ft: state corrupted: 0xdead; faulting") == 2, run.output  # before, then replayed
    assert "xen-arm: dom0 'dom0' crashed: data abort at 0x00000004" in run.output, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_without_fault_tolerance_the_checkpoint_is_refused_and_a_fault_crashes(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config("app=ft", fault_tolerance=False)))
    assert "[dom0] ft: checkpoint failed: -22" in run.lines, run.output
    assert "rolled back" not in run.output


# The VMM's description of each kind of fault ftauto takes (tests/guests/minios/ft.c).
FAULTS = {"data": "data abort at 0x00000004 (translation fault (section))",
          "undef": "undefined instruction at 0x",
          "prefetch": "prefetch abort at 0x00000004 (translation fault (section))"}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_periodic_checkpoints_roll_a_transient_fault_back(tmp_path, platform, fault):
    """checkpoint = 5ms: the VMM checkpoints the domain by itself at the end of its time
    slices (10 ms), and each kind of fault rolls it back to the last one, no older than a
    slice; it goes on, its state consistent."""
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config(
        f"app=ftauto at=25 until=50 fault={fault}", checkpoint="5ms")))
    assert run.status == 0, run.output
    rollbacks = ROLLED_BACK.findall(run.output)
    assert len(rollbacks) == 1, run.output
    dom, name, age_us, what = rollbacks[0]
    assert (dom, name) == ("0", "dom0"), run.output
    assert what.startswith(FAULTS[fault]), run.output
    assert 0 < int(age_us) <= 10_000, run.output
    faulted = int(re.search(r"\[dom0\] ftauto: counter (\d+); corrupting and faulting", run.output)[1])
    final = re.search(r"\[dom0\] ftauto: counter (\d+) mirror (\d+): consistent", run.output)
    assert final and final[1] == final[2] and int(final[1]) > faulted, run.output
    assert "the fault returned" not in run.output and "crashed:" not in run.output, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_checkpoints_at_every_switch_out(tmp_path, platform):
    """checkpoint = switch: a domain that yields to another is checkpointed each time it
    leaves the CPU, so a fault loses at most what it did since its last yield; the other
    domain (without fault tolerance) never notices."""
    config = ft_config("app=ftauto at=25 until=50 yield=1", checkpoint="switch") + \
        images.domain("guest1", images.MINIOS_TEST, cmdline="app=ftauto at=1000 until=50 yield=1")
    run = images.run(platform, images.build(tmp_path, platform, "ft", config))
    assert run.status == 0, run.output
    rollbacks = ROLLED_BACK.findall(run.output)
    assert len(rollbacks) == 1 and rollbacks[0][:2] == ("0", "dom0"), run.output
    # One step, the other domain's turn and the checkpoint's copy of the 1 MiB domain.
    assert int(rollbacks[0][2]) < 2000, run.output
    for dom in ("dom0", "guest1"):
        final = re.search(rf"\[{dom}\] ftauto: counter (\d+) mirror (\d+): consistent", run.output)
        assert final and final[1] == final[2], run.output
    assert "[guest1] ftauto: counter" in run.output and "corrupting" not in run.output.split("[guest1]", 1)[1] \
        .split("\n", 1)[0]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_manual_checkpoints_are_only_taken_on_request(tmp_path, platform):
    """checkpoint = manual: nothing is checkpointed unless dom0 asks, so without a request
    a fault crashes the domain as without fault tolerance."""
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config(
        "app=ftauto at=25 until=50", checkpoint="manual")))
    assert "rolled back" not in run.output, run.output
    assert "xen-arm: dom0 'dom0' crashed: data abort at 0x00000004" in run.output, run.output
