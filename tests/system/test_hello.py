"""The minimal example guest of docs/porting-guest.md (guests/hello/hello.c) on every board:
domains/hello.cfg, packed by make as a user would, boots; the guest prints what its
start_info says and shuts down, and the VMM exits with status 0."""
import subprocess

import pytest

import images
from vmm import PLATFORMS, REPO


def make_image(platform: str):
    target = f"build/{platform}/images/hello.elf"
    subprocess.run(["make", "--no-print-directory", "-s", "-C", str(REPO), f"PLATFORM={platform}", target],
                   check=True, stdout=subprocess.DEVNULL)
    return REPO / target


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hello_guest_prints_and_exits(platform):
    run = images.run(platform, make_image(platform))
    assert run.status == 0, run.output
    guest = [line for line in run.lines if line.startswith("[hello] ")]
    ram_base = int(images.RAM_BASE[platform], 16)
    assert guest[0] == "[hello] hello, world from hello (domain 0)", run.output
    # 256K = 64 pages, the first guest frame after the VMM's 12 MiB
    assert guest[1] == f"[hello] memory: 64 pages at machine 0x{ram_base + (12 << 20):08x}, mapped at 0xc0000000", \
        run.output
    assert guest[2] == ("[hello] start_info at 0xc3f01000, shared_info at 0xc3f00000, "
                        "command line 'greeting=hello'"), run.output
    assert guest[3:] == ["[hello] goodbye"], run.output
    assert "dom0 'hello' shut down (poweroff)" in run.output
    assert "(1 shut down, 0 crashed)" in run.output
