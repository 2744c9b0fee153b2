"""XA_DOMCTL_inject_fault through dom0's shell (`inject <dom> <kind> ...`): each kind lands
where asked in a fault-tolerant domain, which the VMM rolls back and which goes on; every
bad argument is refused with the domain untouched (docs/fault-tolerance.md)."""
import re

import pytest

import images
from test_split import shell_dom0
import vmm
from vmm import PLATFORMS

WORK = images.domain("work", images.MINIOS_TEST, cmdline="app=work") + "fault_tolerance = vm\ncheckpoint = 10ms\n"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_kind_is_rolled_back_and_bad_arguments_are_refused(tmp_path, platform):
    images.make_ramdisk()
    image = images.build(tmp_path, platform, "inject", shell_dom0() + WORK)
    script = ("sleep 40\ninject work undef\nsleep 20\ninject work jump 0x4\nsleep 20\ninject 1 reg_flip 15 31\n"
              "sleep 20\ninject work mem_flip 0x14000 3\ninject work mem_write 0x14000 0xdeadbeef\n"
              # refused: outside its memory, unaligned, register 16, bit 32, an unaligned jump, dom0 itself,
              # no such domain, no such kind, a missing argument
              "inject work mem_flip 0x100000 0\ninject work mem_write 0x14002 1\ninject work reg_flip 16 0\n"
              "inject work reg_flip 1 32\ninject work jump 0x6\ninject 0 undef\ninject 9 undef\n"
              "inject work frob\ninject work mem_flip 0x10\nsleep 20\nhalt\n")
    run = images.run(platform, image, console_input=script.encode())
    out = run.output
    assert run.status == 0, out
    assert re.search(r"^\[dom0\] inject: dom 1 undef at 0xc4[0-9a-f]{6}: 0x[0-9a-f]{8} -> 0xe7f000f0$", out, re.M), out
    # The VMM's lines may come in the middle of a line the shell echoes: not anchored.
    assert re.search(r"xen-arm: dom1 'work' rolled back to its checkpoint of \d+ us ago after undefined instruction "
                     r"at 0xc4[0-9a-f]{6}: no handler in its trap table$", out, re.M), out
    assert re.search(r"^\[dom0\] inject: dom 1 jump at 0xc4[0-9a-f]{6}: 0xc4[0-9a-f]{6} -> 0x00000004$", out, re.M), out
    assert "rolled back to its checkpoint" in out and "after prefetch abort at 0x00000004" in out, out
    m = re.search(r"^\[dom0\] inject: dom 1 r15: 0x(c4[0-9a-f]{6}) -> 0x(44[0-9a-f]{6})$", out, re.M)
    assert m and int(m[1], 16) ^ int(m[2], 16) == 0x80000000, out
    assert f"after prefetch abort at 0x{m[2]}" in out, out
    flip = re.search(r"^\[dom0\] inject: dom 1 mem_flip at 0xc4014000: 0x([0-9a-f]{8}) -> 0x([0-9a-f]{8})$", out, re.M)
    assert flip and int(flip[1], 16) ^ int(flip[2], 16) == 0x8, out
    assert re.search(r"^\[dom0\] inject: dom 1 mem_write at 0xc4014000: 0x[0-9a-f]{8} -> 0xdeadbeef$", out, re.M), out
    assert out.count("[dom0] inject: dom 1: invalid request (EINVAL)") == 5, out
    assert "[dom0] inject: dom 0: invalid request (EINVAL)" in out, out
    assert "[dom0] inject: dom 9 does not exist" in out, out
    assert out.count("[dom0] inject: expected mem_flip <offset> <bit>") == 2, out
    # Three rollbacks and it went on: verified rounds after the last, no crash.
    assert out.count("xen-arm: dom1 'work' rolled back") == 3, out
    last = out.rindex("xen-arm: dom1 'work' rolled back")
    assert re.search(r"xen-arm: trace dom1 marker 0x57[0-9a-f]{6} at", out[last:]), out
    assert "'work' crashed" not in out, out


@pytest.mark.parametrize("platform", PLATFORMS)
def test_boot_option_ft_faults_sets_the_failure_window(tmp_path, platform):
    """ft_faults=5/1000: a domain that faults again after every rollback is rolled back five
    times, not the default three, then crashed as without fault tolerance."""
    config = images.domain("dom0", images.MINIOS_TEST, privileged=True, cmdline="app=ft repeat=1")
    image = images.build(tmp_path, platform, "ftwindow", config + "fault_tolerance = vm\n")
    run = vmm.run_qemu(platform, image, append="ft_faults=5/1000", timeout=120)
    assert run.output.count("rolled back to its checkpoint of") == 5, run.output
    assert "xen-arm: dom0 'dom0' crashed: data abort at 0x00000004" in run.output, run.output
    bad = vmm.run_qemu(platform, image, append="ft_faults=9/1000", timeout=120)
    assert "ft_faults= takes N/MS: 1 to 8 rollbacks within 1 to 999999 ms" in bad.output, bad.output
    assert bad.status == 2, bad.output  # a bad command line
