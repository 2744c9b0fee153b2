"""The VMM's private memory against guests that try to use it up. Every MiB a guest maps
a first page in costs the VMM a 1 KiB second-level table; four guests (app=attack
what=exhaust stay=1) each map one of their frames into every MiB of the user region and
then of the guest kernel region, and keep the mappings. Each must be refused with
-ENOMEM at its own quota (domain.hh: one table per MiB of memory and RAM disk, plus 64),
long before the VMM runs out: dom0 can then still create a domain and map its pages
(its rings: 'wait ... all' connected), and once the attackers are destroyed the VMM's
free frames are back to their count after dom0 was built."""
import re
import subprocess

import pytest

import images
from vmm import PLATFORMS

pytestmark = pytest.mark.attack

ATTACKERS = 4
# An attacker has 1 MiB of memory: a quota of 1 + 64 tables, two of them in use when it
# starts (its memory's MiB and the VMM-provided MiB).
QUOTA = 1 + 64
MAPPED = QUOTA - 2


@pytest.fixture(autouse=True, scope="module")
def ramdisk_image():
    return images.make_ramdisk()


def config():
    dom0 = images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0", ramdisk=images.RAMDISK)
    attackers = "".join(images.domain(f"attack{i}", images.MINIOS_TEST, cmdline="app=attack what=exhaust stay=1")
                        for i in range(1, ATTACKERS + 1))
    spare = images.domain("spare", images.MINIOS_TEST, cmdline="app=guest console=ring hold=1 stay=1", start="manual")
    return dom0 + attackers + spare


@pytest.mark.parametrize("platform", PLATFORMS)
def test_guests_cannot_exhaust_the_vmm_memory(tmp_path, platform):
    # The attackers are done long before the shell's sleep ends (a few ms of virtual time).
    script = b"sleep 3000\nlist\ncreate spare\nboot spare\nwait spare all\nlist\nhalt\n"
    image = images.build(tmp_path, platform, "exhaust", config())
    proc = subprocess.run([str(images.REPO / "tools" / "run-qemu.sh"), "--test", platform, str(image), ""],
                          input=script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = proc.stdout.decode(errors="replace").replace("\r\n", "\n")
    lines = out.splitlines()
    got = re.findall(r"^\[attack(\d)\] attack exhaust: (\d+) MiBs mapped, then (-?\d+)$", out, re.M)
    print(f"\n{platform}: attackers {got}")
    assert sorted(got) == [(str(i), str(MAPPED), "-12") for i in range(1, ATTACKERS + 1)], out
    for i in range(1, ATTACKERS + 1):
        assert f"[attack{i}] attack exhaust: contained" in lines, out
    # dom0 still builds a domain and maps its pages.
    assert "[dom0] create: dom 5 'spare' created, paused ('boot 5' starts it)" in lines, out
    assert "[dom0] wait: dom 5 all connected" in lines, out
    # Everything but dom0 destroyed: the VMM's frames are back where they were.
    built = re.search(r"dom0 'dom0' built: .*free frames: (\d+) guest, (\d+) VMM", out)
    destroyed = re.findall(r"destroyed; free frames: (\d+) guest, (\d+) VMM", out)
    assert built and destroyed and destroyed[-1] == built.groups(), out
    assert len(destroyed) == ATTACKERS + 1, out
    assert "[dom0] dom0: stopping (ok)" in out and "(1 shut down, 0 crashed)" in out, out
    assert proc.returncode == 0, out
