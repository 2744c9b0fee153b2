"""`make ftcost` (traces/ftcost.py), shortened: fault tolerance's cost on goldfish with small
counts. The domain switch with a fault-tolerant domain that is never checkpointed, and with
one checkpointed at every switch-out against the pages it dirties; µC/OS-II's task switch;
the backup period against overhead and lost work; the same figures twice; the tables."""
import csv
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import bench  # noqa: E402
import ftcost  # noqa: E402
import xatrace  # noqa: E402

COUNT = 40
DIRTY = (0, 2, 8)
PERIODS = (2, 20)
ITERATIONS = 20000  # about 0.2 s of d1's benchmark: ten 20 ms periods


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    for path in (xatrace.PLUGIN, bench.vmm_elf("goldfish"), bench.GUESTS / "dirty.elf",
                 bench.MINIOS_PV / "minios.elf", bench.UCOS / "pv" / "ucos.elf"):
        if not path.exists():
            raise FileNotFoundError(f"{path} missing: run 'make traces-plugin vmm minios test-guests ucos'")
    work = tmp_path_factory.mktemp("ftcost")
    switch = ftcost.run_switches("goldfish", work, DIRTY, COUNT, {})
    return {"work": work, "switch": switch, "summary": ftcost.switch_summary(switch),
            "fixed": ftcost.fixed_breakdown("goldfish", work, COUNT, {}),
            "ucos": ftcost.run_ucos("goldfish", work, 100, 8, {}),
            "periods": {r["checkpoint"]: r for r in ftcost.run_periods("goldfish", work, PERIODS, ITERATIONS,
                                                                      ftcost.BENCH_YIELD, {})}}


def test_a_domain_never_checkpointed_switches_as_one_without_fault_tolerance(runs):
    m = runs["summary"]["medians"]
    # Into it: the same path to within a few instructions.
    assert abs(m["manual", 0, "dom0 -> d1"][0] - m["none", 0, "dom0 -> d1"][0]) <= 4, m
    assert abs(m["manual", 0, "dom0 -> d1"][1] - m["none", 0, "dom0 -> d1"][1]) <= 0.05 * m["none", 0, "dom0 -> d1"][1]
    # Out of it: the scheduler asks ft::scheduled whether a checkpoint is due, which reads the
    # clock even for checkpoint = manual.
    assert 0 <= m["manual", 0, "d1 -> dom0"][0] - m["none", 0, "d1 -> dom0"][0] <= 64, m
    # No write tracking before a first checkpoint: the stores cost what they cost without it.
    assert m["manual", 0, "d1 stores"] == m["none", 0, "d1 stores"]


def test_without_fault_tolerance_the_stores_leave_the_switch_alone(runs):
    m = runs["summary"]["medians"]
    assert m["none", max(DIRTY), "d1 -> dom0"][0] == m["none", 0, "d1 -> dom0"][0]
    assert m["none", max(DIRTY), "dom0 -> d1"][0] == m["none", 0, "dom0 -> d1"][0]


def test_a_checkpoint_costs_more_the_more_pages_were_dirtied(runs):
    s = runs["summary"]
    m = s["medians"]
    back = [m["switch", d, "d1 -> dom0"] for d in DIRTY]
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(back, back[1:])), back
    # The fixed part is there with no dirty page; the switch into d1 has no checkpoint.
    assert s["fixed"][0] > 0 and s["fixed"][1] > 0
    assert m["switch", 0, "dom0 -> d1"][0] == m["none", 0, "dom0 -> d1"][0]
    # A page's copy: 4 KiB by 8-word LDM/STM pairs (about 512 instructions) and its re-protection.
    assert 400 <= s["slope"][0] <= 800, s["slope"]
    # The write fault: one permission fault per page, entry to return, a few hundred instructions.
    assert 100 <= s["write_fault"][0] <= 1000, s["write_fault"]
    assert m["switch", 0, "d1 stores"] == m["none", 0, "d1 stores"]
    stores = [m["switch", d, "d1 stores"][0] for d in DIRTY]
    assert stores == sorted(stores) and stores[-1] > stores[0] + (max(DIRTY) - 1) * 100


def test_the_fixed_part_adds_up_to_the_switch(runs):
    fixed = runs["fixed"]
    assert [r["path"] for r in fixed] == list(ftcost.FIXED_SEGMENTS)
    total = sum(r["instructions_median"] for r in fixed)
    switch = runs["summary"]["medians"]["switch", 0, "d1 -> dom0"][0]
    assert abs(total - switch) <= 0.01 * switch, (total, switch)


def test_the_ucos_task_switch_itself_is_unchanged(runs):
    none = {r["case"]: r for r in runs["ucos"] if r["checkpoint"] == "none"}
    assert set(none) == set(bench.UCOS_KINDS.values())
    for r in runs["ucos"]:
        b = none[r["case"]]
        assert abs(r["instructions_per_switch"] - b["instructions_per_switch"]) <= 0.5, (r, b)
        assert r["instructions_per_switch_mean"] >= b["instructions_per_switch_mean"] - 0.5, (r, b)
    assert all(r["checkpoints"] == 0 for r in runs["ucos"] if r["checkpoint"] == "none")


def test_a_longer_period_costs_less_and_loses_more(runs):
    p = runs["periods"]
    short, long = p[f"{PERIODS[0]}ms"], p[f"{PERIODS[1]}ms"]
    assert p["none"]["checkpoints"] == 0 and p["none"]["instructions_overhead_pct"] == 0
    assert p["switch"]["checkpoints"] >= short["checkpoints"] > long["checkpoints"] > 1
    assert p["switch"]["instructions_overhead_pct"] >= short["instructions_overhead_pct"]
    assert short["instructions_overhead_pct"] > long["instructions_overhead_pct"] > 0
    assert short["cycles_overhead_pct"] > long["cycles_overhead_pct"] > 0
    assert short["lost_work_mean_ms"] < long["lost_work_mean_ms"]
    for r in (short, long):
        # Half the interval on average; at most a period and a round of the two domains' slices.
        assert abs(r["lost_work_mean_ms"] - r["interval_ms"] / 2) <= 0.3 * r["interval_ms"], r
        assert r["lost_work_max_ms"] <= r["period_ms"] + 2 * ftcost.SLICE_MS + 0.5, r
        assert r["frames_per_checkpoint"] >= 1, r


def test_two_runs_give_the_same_figures(runs, tmp_path):
    case = ftcost.SwitchCase("again", "switch", 2)
    first = ftcost.measure_switch("goldfish", tmp_path, case, "a", COUNT, {})
    assert first == ftcost.measure_switch("goldfish", tmp_path, case, "b", COUNT, {})
    m = runs["summary"]["medians"]
    assert ftcost.med(first["d1 -> dom0"], 0) == m["switch", 2, "d1 -> dom0"][0]


def test_the_results_are_written(runs, tmp_path):
    ucos, periods = runs["ucos"], list(runs["periods"].values())
    text = ftcost.write_results(tmp_path, "goldfish", COUNT, runs["switch"], ucos, periods, runs["fixed"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ftcost.csv", "ftcost.md", "ftcost.png"]
    assert text == (tmp_path / "ftcost.md").read_text()
    assert (tmp_path / "ftcost.png").stat().st_size > 10000
    for title in ("## 1. The domain switch", "## 2. µC/OS-II's task switch", "## 3. The backup period"):
        assert title in text
    # Every table row has its header's columns.
    tables = re.findall(r"((?:^\|.*\|\n)+)", text, re.M)
    assert len(tables) == 4
    for t in tables:
        rows = t.splitlines()
        assert all(r.count("|") == rows[0].count("|") for r in rows), t
    cases = [c.name for c in ftcost.switch_cases(DIRTY)]
    assert [line.split(" | ")[0][2:] for line in tables[0].splitlines()[2:]] == cases
    assert re.search(r"Target \(at most \+10 % on the switch without dirty pages.*\): (met|not met)", text)
    with open(tmp_path / "ftcost.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ftcost.FIELDS
    assert len(rows) == len(runs["switch"]) + len(runs["fixed"]) + len(ucos) + len(periods)
    assert {r["part"] for r in rows} == {"switch", "fixed part", "ucos", "period"}


def test_make_ftcost_runs_only_its_board():
    plan = subprocess.run(["make", "-n", "--no-print-directory", "ftcost", "PLATFORM=imx21"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert plan.returncode == 0, plan.stderr
    assert re.search(r"traces/ftcost\.py --platform imx21\b", plan.stdout), plan.stdout[-2000:]
    for other in ("goldfish", "versatilepb"):
        for pattern in (f"build/{other}/", f"PLATFORM={other}", f"--platform {other}"):
            assert pattern not in plan.stdout, pattern


@pytest.mark.parametrize("both", [False, True], ids=["d1", "dom0-and-d1"])
def test_checkpoints_at_switch_out_leave_no_stale_line(tmp_path, both):
    """The system ftcost measures (8 dirty pages, checkpoint = switch) under the coherence
    checker, and the same with dom0 fault-tolerant too: both domains' backup windows are at
    the same address. The checkpoints' copies, the cleaning after them and the write
    faults' protection changes return no stale data."""
    import coherence
    text = ftcost.switch_config(ftcost.SwitchCase("checked", "switch", 8), COUNT)
    if both:
        text = text.replace("privileged = yes\n", "privileged = yes\n" + ftcost.ft_keys("switch"))
    image = ftcost.mkimage("goldfish", tmp_path, "checked", text, bench.GUESTS)
    run, coh, report = coherence.check("goldfish", image, tmp_path)
    assert run.status == 0 and "(2 shut down, 0 crashed)" in run.output, run.output[-2000:]
    assert both == ("xen-arm: dom0 'dom0': fault tolerance: a backup" in run.output)
    assert (coh["stale_icache"], coh["stale_dcache"], coh["stale_tlb"]) == (0, 0, 0), report
