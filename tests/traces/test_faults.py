"""The fault-injection campaign (traces/faults.py, make faults), small: 30 seeded faults on
goldfish into the mini-OS workload, 20 into the µC/OS-II task. Every fault the VMM detects is
recovered from (a fresh workload, checkpointed, meets each fault), every fault detected in
the µC/OS-II task is rolled back by the port (never the whole domain), the tables have a row
per kind whose outcomes add up, the same seed gives the same table (QEMU's -icount makes the
runs exact), and the injector's memory writes leave no stale line or TLB entry behind (the
coherence checker)."""
import pathlib
import re
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import coherence  # noqa: E402
import faults  # noqa: E402
import xatrace  # noqa: E402

SEED = 7
COUNT = 30
UCOS_COUNT = 20
TASK_FAULT_LIMIT = 3  # ucos-port/port/os_cpu.h: OS_CPU_TASK_FAULT_LIMIT


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """Two runs of the same seed, and their tables."""
    runs = []
    for i in range(2):
        got, _, boots = faults.run_board("goldfish", SEED, COUNT, faults.GAP_MS, faults.PER_BOOT,
                                         tmp_path_factory.mktemp(f"faults{i}"), log=lambda s: None,
                                         plugin=xatrace.PLUGIN.exists())
        runs.append((got, faults.table("goldfish", got, SEED, faults.GAP_MS), boots))
    return runs


def test_every_detected_fault_is_recovered(campaign):
    got, _, _ = campaign[0]
    counted = [f for f in got if f.counted]
    assert len(counted) == COUNT
    detected = [f for f in counted if f.rollbacks or f.outcome == "crashed"]
    assert detected, "no fault was detected"
    assert all(f.outcome == "recovered" for f in detected), [(f.number, f.kind, f.outcome) for f in detected]
    # Faults that always trap at once: an undefined instruction at the pc, a jump to unmapped code.
    for f in counted:
        if f.kind in ("undef pc", "jump pc"):
            assert f.rollbacks and f.outcome == "recovered", (f.number, f.kind, f.outcome)
    recovered = [f for f in counted if f.outcome == "recovered"]
    assert all(f.latency_ns is not None and f.latency_ns > 0 for f in recovered)
    assert all(us is not None and us > 0 for f in recovered for us in f.rollbacks)  # the VMM says how old


def test_table_has_every_kind_and_its_outcomes_add_up(campaign):
    _, text, _ = campaign[0]
    rows = re.findall(r"^\| ([^|]+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", text, re.M)
    assert [r[0] for r in rows] == faults.KINDS + ["**all**"], text
    for name, injected, detected, recovered, crashed, benign, silent, hangs in rows:
        injected, detected, recovered, crashed, benign, silent, hangs = map(
            int, (injected, detected, recovered, crashed, benign, silent, hangs))
        assert recovered + crashed + benign + silent + hangs == injected, (name, text)
        assert recovered + crashed <= detected <= injected, (name, text)
    assert int(rows[-1][1]) == COUNT
    assert sum(int(r[1]) for r in rows[:-1]) == COUNT
    assert "| fault | injected | detected | recovered | crashed | benign | silent | hangs |" in text
    assert re.search(r"^\| work lost per rollback \(age of the checkpoint\), us; \d+ rollbacks \| [\d,]+ / [\d,]+ / "
                     r"[\d,]+ \|$", text, re.M), text
    assert re.search(r"^\| recovery latency, instructions \(-icount: 8 ns each\) \| [\d,]+ / [\d,]+ / [\d,]+ \|$",
                     text, re.M), text
    if xatrace.PLUGIN.exists():
        assert re.search(r"^\| recovery latency, modelled cycles \(xatrace plugin\) \| [\d,]+ / [\d,]+ / [\d,]+ \|$",
                         text, re.M), text


def test_the_plugin_counts_the_instructions_the_icount_clock_does(campaign):
    """Its latency in instructions is the -icount clock's (8 ns each) but for a handful (the
    plugin counts a store that aborts, as a tracked page's first write does, and its retry)."""
    if not xatrace.PLUGIN.exists():
        pytest.skip("no plugin: make traces-plugin")
    recovered = [f for f in campaign[0][0] if f.outcome == "recovered"]
    assert recovered and all(0 <= f.latency_insns - f.latency_ns // faults.NS_PER_INSN <= 16 for f in recovered), \
        [(f.latency_insns, f.latency_ns // faults.NS_PER_INSN) for f in recovered]
    assert all(f.latency_cycles > f.latency_insns for f in recovered)


def test_the_same_seed_gives_the_same_table(campaign):
    (a, text_a, _), (b, text_b, _) = campaign
    assert text_a == text_b
    assert [(f.number, f.kind, f.outcome, f.rollbacks, f.latency_ns) for f in a] == \
        [(f.number, f.kind, f.outcome, f.rollbacks, f.latency_ns) for f in b]


def test_injections_leave_no_stale_cache_line_or_tlb_entry(tmp_path):
    """Memory faults are written through the target's own table between two cleaning table
    switches: the checker sees no stale hit in a short campaign (every kind, fresh workloads)."""
    if not xatrace.PLUGIN.exists():
        pytest.skip("no plugin: make traces-plugin")
    image = faults.build("goldfish", tmp_path, "faults-coherence", "app=faultrun seed=3 n=25 gap=10 stack=0x1f000")
    run, coh, report = coherence.check("goldfish", image, tmp_path, append=f"ft_faults={faults.FT_FAULTS}")
    assert run.status == 0, run.output[-3000:]
    assert "[dom0] faults: done" in run.output
    kinds = set(re.findall(r"^\[dom0\] faults: #\d+ (\w+) ", run.output, re.M))
    assert {"mem_flip", "mem_write", "reg_flip", "undef", "jump"} <= kinds, kinds
    assert (coh["stale_icache"], coh["stale_dcache"], coh["stale_tlb"]) == (0, 0, 0), report


@pytest.fixture(scope="module")
def ucos_campaign(tmp_path_factory):
    """Two runs of the same seed into the µC/OS-II task, and their tables."""
    runs = []
    for i in range(2):
        got, _, boots = faults.run_board("goldfish", SEED, UCOS_COUNT, faults.GAP_MS, faults.PER_BOOT,
                                         tmp_path_factory.mktemp(f"ucos-faults{i}"), log=lambda s: None,
                                         plugin=False, workload="ucos")
        runs.append((got, faults.table("goldfish", got, SEED, faults.GAP_MS, "ucos"), boots))
    return runs


def test_every_detected_task_fault_is_rolled_back_by_the_port(ucos_campaign):
    got, _, _ = ucos_campaign[0]
    counted = [f for f in got if f.counted]
    assert len(counted) == UCOS_COUNT
    detected = [f for f in counted if f.task_rollbacks or f.rollbacks or f.outcome == "crashed"]
    assert detected, "no fault was detected"
    # The task's faults are the port's: never the VMM's domain rollback; a crash only after the
    # port gave up (the fault had reached the task's checkpoint before it surfaced).
    for f in detected:
        assert f.task_rollbacks > 0 and not f.rollbacks, (f.number, f.kind, f.outcome, f.task_rollbacks, f.rollbacks)
        assert f.outcome == "recovered" or (f.outcome == "crashed" and f.task_rollbacks >= TASK_FAULT_LIMIT), \
            (f.number, f.kind, f.outcome, f.task_rollbacks)
    # Faults that always trap at once in user mode: an undefined instruction at its pc, a jump
    # into unmapped memory.
    traps = [f for f in counted if f.kind in ("undef pc", "jump pc")]
    assert traps and all(f.task_rollbacks and f.outcome == "recovered" for f in traps), \
        [(f.number, f.kind, f.outcome) for f in traps]
    recovered = [f for f in counted if f.outcome == "recovered"]
    assert recovered and all(f.latency_ns is not None and f.latency_ns > 0 for f in recovered)


def test_ucos_table_has_every_kind_and_its_outcomes_add_up(ucos_campaign):
    _, text, _ = ucos_campaign[0]
    assert text.startswith("### goldfish: µC/OS-II task\n"), text
    header = ("| fault | injected | detected | task rolled back | domain rolled back | recovered | crashed | benign | "
              "silent | hangs |")
    assert header in text, text
    rows = re.findall(r"^\| ([^|]+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| "
                      r"(\d+) \|$", text, re.M)
    assert [r[0] for r in rows] == faults.UCOS_KINDS + ["**all**"], text
    for name, *numbers in rows:
        injected, detected, task, domain, recovered, crashed, benign, silent, hangs = map(int, numbers)
        assert recovered + crashed + benign + silent + hangs == injected, (name, text)
        assert recovered + crashed <= detected <= injected, (name, text)
        assert task == detected and domain == 0, (name, text)
    assert int(rows[-1][1]) == UCOS_COUNT
    assert sum(int(r[1]) for r in rows[:-1]) == UCOS_COUNT
    assert re.search(r"^\| task rollbacks by the port \| [1-9]\d* \|$", text, re.M), text


def test_the_same_seed_gives_the_same_ucos_table(ucos_campaign):
    (a, text_a, _), (b, text_b, _) = ucos_campaign
    assert text_a == text_b
    assert [(f.number, f.kind, f.outcome, f.task_rollbacks, f.latency_ns) for f in a] == \
        [(f.number, f.kind, f.outcome, f.task_rollbacks, f.latency_ns) for f in b]
