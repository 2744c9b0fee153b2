"""An unexpected exception in the VMM gives a readable report and a non-zero exit,
never a hang."""
import re

import pytest

from vmm import PLATFORMS, boot

EXIT_FATAL_EXCEPTION = 3


def report(run):
    assert run.status == EXIT_FATAL_EXCEPTION, run.output
    assert "*** xen-arm: stopped (exit status 3)" in run.output
    return run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_data_abort_report(platform):
    out = report(boot(platform, "fault=dabt"))
    assert re.search(r"\*\*\* xen-arm: data abort in SVC mode at pc 0xff0[0-9a-f]{5}", out)
    # The fault address and the decoded status: an unmapped section.
    assert re.search(r"far  0x00100000  fsr 0x0[0-9a-f]5: translation fault \(section\)", out)
    assert re.search(r"cpsr 0x[0-9a-f]{8} \(SVC, IRQ masked, FIQ masked\)", out)
    assert re.search(r"r0  0x[0-9a-f]{8}", out) and re.search(r"sp  0xff[0-9a-f]{6}", out)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_prefetch_abort_report(platform):
    out = report(boot(platform, "fault=pabt"))
    assert "*** xen-arm: prefetch abort in SVC mode at pc 0x00200000" in out
    assert re.search(r"ifsr 0x0[0-9a-f]5: translation fault \(section\)", out)
    # lr holds the return address into the VMM function that jumped there
    assert re.search(r"lr  0xff0[0-9a-f]{5}", out)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_undefined_instruction_report(platform):
    out = report(boot(platform, "fault=undef"))
    assert re.search(r"\*\*\* xen-arm: undefined instruction in SVC mode at pc 0xff0[0-9a-f]{5}", out)
    assert "instruction 0xe7f000f0" in out
