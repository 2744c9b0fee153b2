"""`make rt-irq` (traces/irqlat.py): a device's periodic interrupt to the guest's handler,
pass-through against dom0's relay (the split-driver path), beside two CPU hogs. Park, Yoo
and Yoo's claim: the split path is non-deterministic, a real-time guest should own its
device. Under sedf the relay waits for dom0's server as well as the guest's: its latency
is tens of thousands of instructions and spreads wider than pass-through's. Under fixed
priority and credit both paths are short and steady, the relay about twice to three
times as long, so its 99th percentile is higher but its spread is not (a long tail under
credit, a boosted dom0 queued behind another boosted domain, comes and goes with the VMM's
timing: not asserted). 200 interrupts a run, 1 ms apart: about 3 s of QEMU a run."""
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import irqlat  # noqa: E402
import xatrace  # noqa: E402

COUNT = 200
PERIOD_US = 1000
POLICIES = ("fixed-priority", "credit", "sedf")
# Pass-through's worst case, IRQ entry to the guest's handler. Fixed priority: the guest
# outranks everything, so it is the VMM's routing, a switch and the upcall (about 900-1,300
# instructions measured). sedf: the guest's periodic server (200 us every 1 ms) may have
# idled its budget away when the interrupt comes; it is served again within its next
# period, so at most 2 (period - budget) = 1.6 ms, 200,000 instructions at -icount's 8 ns.
FIXED_PRIORITY_BOUND = (2_000, 15_000)   # instructions, cycles
SEDF_BOUND_INSTRUCTIONS = 2 * (1_000_000 - 200_000) // 8

_runs: dict = {}


def result(tmp_path_factory, board: str, path: str, policy: str) -> irqlat.Result:
    key = (board, path, policy)
    if key not in _runs:
        for f in (xatrace.PLUGIN, REPO / "build" / board / "xen-arm.elf", irqlat.MINIOS / "minios.elf",
                  irqlat.MINIOS / "dom0.elf", irqlat.RAMDISK):
            if not f.exists():
                raise FileNotFoundError(f"{f} missing: run 'make traces-plugin vmm-all minios {irqlat.RAMDISK}'")
        work = tmp_path_factory.mktemp(f"irqlat-{board}")
        _runs[key] = irqlat.measure(board, path, policy, COUNT, PERIOD_US, work, {})
    return _runs[key]


def spread(r: irqlat.Result) -> int:
    return max(r.cycles) - min(r.cycles)


@pytest.mark.parametrize("board", sorted(irqlat.DEVICE))
@pytest.mark.parametrize("policy", POLICIES)
def test_the_split_paths_tail_is_longer(tmp_path_factory, board, policy):
    direct = result(tmp_path_factory, board, "pass-through", policy)
    split = result(tmp_path_factory, board, "split", policy)
    print(f"\n{board} {policy}: cycles spread pass-through {spread(direct):,}, split {spread(split):,}; "
          f"p99 {irqlat.percentile(direct.cycles, 99):,} / {irqlat.percentile(split.cycles, 99):,}")
    assert irqlat.percentile(split.cycles, 99) > irqlat.percentile(direct.cycles, 99)
    assert max(split.cycles) > max(direct.cycles)


@pytest.mark.parametrize("board", sorted(irqlat.DEVICE))
@pytest.mark.parametrize("policy", POLICIES)
def test_the_split_path_is_slower(tmp_path_factory, board, policy):
    direct = result(tmp_path_factory, board, "pass-through", policy)
    split = result(tmp_path_factory, board, "split", policy)
    assert len(direct.insns) == COUNT and direct.handled == COUNT, direct.output[-2000:]
    assert split.handled == COUNT, split.output[-2000:]
    assert sorted(split.insns)[len(split.insns) // 2] > sorted(direct.insns)[len(direct.insns) // 2]
    # dom0's relay handler ran between the IRQ entry and the guest's handler, every time.
    assert len(split.dom0_cycles) == len(split.cycles)
    assert all(0 < d for d in split.dom0_cycles)


@pytest.mark.parametrize("board", sorted(irqlat.DEVICE))
def test_pass_through_worst_case_is_bounded(tmp_path_factory, board):
    fp = result(tmp_path_factory, board, "pass-through", "fixed-priority")
    print(f"\n{board}: pass-through worst case: fixed-priority {max(fp.insns):,} instructions "
          f"{max(fp.cycles):,} cycles")
    assert max(fp.insns) <= FIXED_PRIORITY_BOUND[0]
    assert max(fp.cycles) <= FIXED_PRIORITY_BOUND[1]
    sedf = result(tmp_path_factory, board, "pass-through", "sedf")
    print(f"{board}: pass-through worst case: sedf {max(sedf.insns):,} instructions")
    assert max(sedf.insns) <= SEDF_BOUND_INSTRUCTIONS


@pytest.mark.parametrize("board", sorted(irqlat.DEVICE))
def test_the_relay_delivers_every_interrupt(tmp_path_factory, board):
    """Under fixed priority the guest takes each relayed interrupt before the next: the
    VMM routed, dom0 relayed and the guest took the same interrupts, none merged."""
    r = result(tmp_path_factory, board, "split", "fixed-priority")
    assert (r.routed, r.relayed, r.handled, r.merged, len(r.insns)) == (COUNT, COUNT, COUNT, 0, COUNT), \
        r.output[-2000:]
    assert "[rt] rt: ok" in r.output


def test_goldfish_is_skipped_with_a_reason(tmp_path):
    proc = subprocess.run(["/usr/bin/python3", str(REPO / "traces" / "irqlat.py"), "--platform", "goldfish",
                           "--results", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "goldfish has no device to pass through" in proc.stdout
    assert not any(tmp_path.iterdir())
