"""`make rt` (traces/rt.py) as the make rule runs it, shortened: one board, 100 jobs of the
longest task, every policy, with the plugin's track of which domain had the CPU; every
output file is written and consistent with the runs (the figures themselves are checked by
tests/system/test_rt.py)."""
import csv
import json
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import rt  # noqa: E402
import xatrace  # noqa: E402


def test_a_short_experiment_writes_every_output(tmp_path):
    assert xatrace.PLUGIN.exists(), "run 'make traces-plugin'"
    proc = subprocess.run(["/usr/bin/python3", str(REPO / "traces" / "rt.py"), "--platform", "goldfish",
                           "--jobs", "100", "--domains", "--results", str(tmp_path)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    out = tmp_path / "goldfish" / "rt"
    jobs = list(csv.DictReader((out / "jobs.csv").open()))
    per_policy = {p: sum(1 for j in jobs if j["policy"] == p) for p in rt.POLICIES}
    assert per_policy == {p: 250 + 167 + 100 for p in rt.POLICIES}  # periods 2, 3 and 5 ms
    for j in jobs:
        assert int(j["finish_ns"]) - int(j["release_ns"]) == int(j["response_ns"])
        assert int(j["miss"]) == (int(j["response_ns"]) > int(j["deadline_ns"]) - int(j["release_ns"]))
    summary = list(csv.DictReader((out / "summary.csv").open()))
    assert len(summary) == 3 * len(rt.POLICIES)
    assert all(int(r["misses"]) == 0 for r in summary if r["policy"] == "sedf")
    text = (out / "results.md").read_text()
    for policy in rt.POLICIES:
        assert f"| {policy} | 0 (2000/300) |" in text
        assert f"CPU between the RT guest's markers, {policy}: " in text
        assert (out / f"{policy}.cfg").exists() and (out / f"{policy}.log").exists()
    assert (out / "response.png").stat().st_size > 10000
    events = json.loads((out / "rt.trace.json").read_text())["traceEvents"]
    cpu = [e for e in events if e.get("tid") == 99 and e["ph"] == "X"]
    assert {e["name"] for e in cpu} >= {"rt", "hog1", "hog2", "dom0", "front"}
    assert sum(1 for e in events if e["ph"] == "X" and e.get("cat") == "job") == 3 * 517
    iface = json.loads((out / "interface.json").read_text())
    assert (iface["period_us"], iface["budget_us"]) == (1000, 584)
