"""Fault tolerance (docs/fault-tolerance.md), the full-copy baseline: a fault-tolerant dom0
(fault_tolerance = vm) running the test app `ft` checkpoints itself, corrupts its state and
faults where the VMM cannot bounce the fault; the VMM rolls it back instead of crashing it,
and it carries on from the checkpoint with its state intact. Repeated faults are rolled
back until the failure window's limit, then the domain crashes as without fault tolerance."""
import pytest

import images
from vmm import PLATFORMS


def ft_config(cmdline: str, fault_tolerance: bool = True) -> str:
    text = images.domain("dom0", images.MINIOS_TEST, privileged=True, cmdline=cmdline)
    return text + ("fault_tolerance = vm\n" if fault_tolerance else "")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rollback_after_a_fault_resumes_the_checkpoint(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config("app=ft")))
    assert run.status == 0, run.output
    assert "[dom0] ft: checkpoint taken: state 42" in run.lines, run.output
    assert "[dom0] ft: state corrupted: 0xdead; faulting" in run.lines, run.output
    assert "xen-arm: dom0 'dom0' rolled back to its checkpoint after data abort at 0x00000004" in run.output, run.output
    assert "[dom0] ft: rolled back: state 42" in run.lines, run.output
    assert "[dom0] ft: done" in run.lines, run.output
    assert "[dom0] ft: the fault returned" not in run.lines
    assert "crashed:" not in run.output, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_too_many_faults_crash_the_domain_as_before(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config("app=ft repeat=1")))
    assert run.output.count("rolled back to its checkpoint after data abort") == 3, run.output
    assert run.lines.count("[dom0] ft: rolled back: state 42") == 3, run.output
    assert "xen-arm: dom0 'dom0' crashed: data abort at 0x00000004" in run.output, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_without_fault_tolerance_the_checkpoint_is_refused_and_a_fault_crashes(tmp_path, platform):
    run = images.run(platform, images.build(tmp_path, platform, "ft", ft_config("app=ft", fault_tolerance=False)))
    assert "[dom0] ft: checkpoint failed: -22" in run.lines, run.output
    assert "rolled back" not in run.output
