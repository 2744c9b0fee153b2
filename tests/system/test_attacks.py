"""The attack suite (`make attack`): every attack mini-OS knows (tests/guests/minios/attack.c,
in the test image), each in a domain of its own beside two victims, on every board, against
a run of the same system with no attack.

    dom0    app=heartbeat, priority 0: beats every 10 ms (fixed-priority: it preempts)
    guest1  app=spin, priority 128: CPU-bound; after 50 ms it measures its share of a
            200 ms window of system time
    guest2  the attacker, priority 64: it runs first, while both victims are alive, and
            its after-effects fall into the spinner's window (for the no-attack run, a
            domain that exits at once)

An attack passes when the attacker got the expected error for each thing it tried (each
check of CONTAINED printed "ok", then "contained") or was crashed alone, the VMM stopped as it must (0, or 5 for a crashed
attacker), and neither victim noticed: the heartbeat's mean period within 1 % and the
spinner's CPU share within 5 % of the no-attack run. README.md's "Attacks" table lists
what each attack tries and what it must get; tests/system/test_minios_pv.py checks the
VMM's report for the attacks that crash."""
import re
import subprocess

import pytest

import images
from vmm import PLATFORMS

pytestmark = pytest.mark.attack

# What peek-windows reads in each window: its start, shared_info and start_info.
PEEK_OFFSETS = (0, 0x03F00000, 0x03F01000)

CONTAINED = {
    # kind: the checks it must print as ok, then "contained"
    "user-reads-kernel": ["map a user page", "make the user code executable", "syscall from user", "user load of a kernel address trapped",
                          "fault address", "fault pc", "fault mode", "permission fault in the kernel's domain",
                          "unmap the user page"],
    "read-vmm": ["read 0xff000000 trapped", "fault address"],
    "write-vmm": ["write 0xff000000 trapped", "fault address"],
    "map-foreign": ["map the frame after our memory"],
    "map-pt": ["map our first-level table"],
    "map-vmm": ["map at 0xff000000", "map over shared_info"],
    "bad-pointer": ["console_io from 0xff000000", "event_channel_op at 0xff000000", "set_trap_table(0xff000000)",
                    "mmu_update with requests at 0xffff0000", "sync_icache over 0xff000000",
                    "sync_icache over an unmapped page"],
    "bad-hypercall": ["swi #51", "swi #200", "swi #2", "mmuext_op pin (x86 only)"],
    "evtchn": ["send on unallocated port 7", "close port 5000", "bind_interdomain to dom0 port 1",
               "alloc_unbound in dom0", "status of dom0 port 1", "bind VIRQ_CONSOLE", "bind VIRQ_DOM_EXC",
               "bind VIRQ_DEBUG", "bind XA_VIRQ_PASSTHROUGH without a device"],
    # Zero-length ranges at the top of the address space once made a cache loop wrap forever
    # with interrupts masked: the whole system hung.
    "cache-range": ["sync_icache of 0 bytes at 0xffffffe1", "sync_icache of 0 bytes at 0xffffffff",
                    "sync_icache of 0 bytes at 0xff000000", "sync_icache of 32 bytes at 0xfffffff0"],
    # The VMM prints with interrupts masked: one console_io write prints a bounded amount.
    "console-flood": ["a write of 4096 newlines stops early", "a write of 4096 bytes without a newline stops early",
                      "the rest goes out in further calls"],
    "grant": ["map dom0 ref 5 (not ours)", "map dom0 ref 100000", "map from dom 99", "unmap handle 63"],
    # A trap frame may ask for any CPSR; the guest only ever gets USR mode and its flags.
    "cpsr": [f"resume in mode 0x{m:02x}" for m in (0x11, 0x12, 0x17, 0x1B, 0x1F, 0x00, 0x1A)]
            + ["resume in virtual kernel mode with F, T and I set", "the CPU runs in USR mode",
               "with FIQs, IRQs and Thumb as they were", "and the flags the frame gave",
               "the frame's I bit became the upcall mask"],
    "exhaust": ["refused with ENOMEM"],
    "domctl": [f"domctl {c} on dom0" for c in (3, 2, 1, 5, 37, 64, 66, 67, 68)] + ["physdev eoi of a line not ours"],
    # The attacker is dom2, relocated into kernel window 2 (start_info.h); dom0 and guest1
    # run in windows 0 and 1 between its reads, switches keep their TLB entries and lines.
    "peek-windows": [f"read own window 0x{0xC8000000 + off:08x}" for off in PEEK_OFFSETS]
    + [f"read window {w} at 0x{0xC0000000 + w * 0x04000000 + off:08x} trapped"
       for w in range(8) if w != 2 for off in PEEK_OFFSETS],
}

# Attacks the VMM must answer by crashing the attacker alone.
CRASHED = ("no-handler", "handler-fault", "upcall-crash")

BEATS, PERIOD_MS = 21, 10
HANG_TIMEOUT = 60.0


def config(attacker_cmdline: str) -> str:
    return ("[system]\nname = attack\nscheduler = fixed-priority\n"
            + images.domain("dom0", images.MINIOS, privileged=True, priority=0,
                            cmdline=f"app=heartbeat count={BEATS} period={PERIOD_MS}")
            + images.domain("guest1", images.MINIOS, priority=128, cmdline="app=spin delay=50 window=200")
            + images.domain("guest2", images.minios_kernel(attacker_cmdline), priority=64,
                            cmdline=attacker_cmdline))


def run(tmp_path, platform: str, attacker_cmdline: str):
    image = images.build(tmp_path, platform, "attack", config(attacker_cmdline))
    try:
        return images.run(platform, image, timeout=HANG_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the system hung: no exit within {HANG_TIMEOUT:.0f} s\n{(e.output or b'').decode(errors='replace')}")


def victims(output: str) -> tuple[float, int]:
    """(the heartbeat's mean period in ns, the spinner's CPU share in per mille)."""
    times = [int(t) for t in re.findall(r"^\[dom0\] heartbeat: dom 0 beat \d+ at (\d+) ns$", output, re.M)]
    assert len(times) == BEATS, output
    share = re.search(r"^\[guest1\] spin: dom 1: ran \d+ ns of \d+ ns \((\d+) per mille\)", output, re.M)
    assert share, output
    return (times[-1] - times[0]) / (BEATS - 1), int(share.group(1))


@pytest.fixture(scope="module", params=PLATFORMS)
def baseline(request, tmp_path_factory):
    platform = request.param
    result = run(tmp_path_factory.mktemp(f"baseline-{platform}"), platform, "app=heartbeat count=1")
    assert result.status == 0, result.output
    assert "(3 shut down, 0 crashed)" in result.output, result.output
    return platform, victims(result.output)


@pytest.mark.parametrize("kind", sorted(CONTAINED) + sorted(CRASHED))
def test_attack_leaves_the_vmm_and_its_victims_alone(tmp_path, baseline, kind):
    platform, (quiet_period, quiet_share) = baseline
    result = run(tmp_path, platform, f"app=attack what={kind}")
    out = result.output
    assert "panic" not in out and "*** xen-arm: stopped" not in out, out
    if kind in CONTAINED:
        for check in CONTAINED[kind]:
            assert f"[guest2] attack {kind}: {check}: ok" in out, out
        assert "FAIL" not in out, out
        assert f"[guest2] attack {kind}: contained" in out, out
        assert "(3 shut down, 0 crashed)" in out, out
        assert result.status == 0, out
    else:
        assert re.search(r"^xen-arm: dom2 'guest2' crashed: ", out, re.M), out
        assert "contained" not in out and "still running" not in out, out
        assert "(2 shut down, 1 crashed)" in out, out
        assert result.status == 5, out
    period, share = victims(out)
    print(f"\n{platform} {kind}: heartbeat period {period:.0f} ns (quiet {quiet_period:.0f}), "
          f"spinner {share} per mille (quiet {quiet_share})")
    assert abs(period - quiet_period) <= 0.01 * quiet_period, (period, quiet_period)
    assert abs(share - quiet_share) <= 0.05 * quiet_share, (share, quiet_share)
