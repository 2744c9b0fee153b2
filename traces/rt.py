#!/usr/bin/python3
"""The real-time experiment after Park, Yoo and Yoo, "An Analysis on Xen in View of
Real-time Guarantee" (make rt [PLATFORM=...]): a µC/OS-II guest with periodic tasks at
rate-monotonic priorities (ucos-port/apps/rt.c) beside two CPU hogs (mini-OS app=spin), the
split-driver dom0 (app=dom0, RAM disk) and a frontend guest streaming requests through
dom0's ring-test device (app=guest ring=N ring_ms=M: batches, each on a fresh
connection, until the hogs stop), under three of the VMM's policies:

  sedf         the RT guest's server is its periodic resource interface (period Π,
               budget Θ); every other domain is background work
  credit       the RT guest's weight makes its share of the CPU Θ/Π: w_rt / (w_rt + Σ w) over
               the four others (hogs 256, Xen's default; dom0 and the frontend 1024), all at
               10 ms timeslices
  round-robin  the RT guest's timeslice makes its share of a full round Θ/Π: the four others
               keep 10 ms, so its slice is 40 ms · Θ/(Π-Θ)

Credit and round-robin give the guest the same long-run share as sedf's reservation (each
share counts all five domains as if all were CPU-bound; dom0 and the frontend block often,
so in practice the guest is offered more); what they do not give is a bound on when the
share comes.

The interface and the per-task response-time bounds are inputs: --interface FILE (JSON:
{"period_us": P, "budget_us": B, "bounds_us": [b_task0, b_task1, ...]}, tasks in the
order of --tasks) or --period-us/--budget-us/--bounds-us. Without them they are computed
by the analysis domains/schedtool.py uses (domains/bootimage/rt.py, Shin and Lee's
periodic resource model, rate-monotonic tasks): the minimal budget for the period
--rt-period-us and the worst-case response time of every task under that supply.

Every run is deterministic (tools/run-qemu.sh --test: -icount shift=3, sleep=off). Writes
traces/results/<board>/rt/:

  jobs.csv          every job: policy, task, job, release, finish, deadline (ns), response, miss
  summary.csv       per policy and task: jobs, misses, min/median/p99/max response (us), bound
  results.md        the same as a table, with the interface and the task set
  response.png      the response-time distribution per task and policy, bound and deadline drawn
  rt.trace.json     Chrome/Perfetto timeline (ui.perfetto.dev): one process per policy, one
                    thread per task, a slice per job from release to finish, misses marked;
                    with --domains (make rt) also a track of which domain had the CPU
  <policy>.cfg, <policy>.log, interface.json

    traces/rt.py [--platform goldfish|all] [--jobs N] [--policies sedf,credit,round-robin] [--domains]

--domains runs QEMU with the xatrace plugin (about twice as slow, and the figures move by a
few jobs against a plain run, still deterministic) for its domain switches, counted in instructions. Between the guest's two markers
(rt.c's RT_MARK_START and RT_MARK_END, which the VMM prints with their system time) the
CPU is never idle (the hogs spin), so -icount's 8 ns per instruction maps the switches
onto system time; the script checks that the two markers agree with that.
"""
import argparse
import csv
import dataclasses
import json
import math
import pathlib
import re
import statistics
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import board_table  # noqa: E402  (the Makefile's board table)

sys.path.insert(0, str(REPO / "traces"))
import xatrace  # noqa: E402  (QEMU with the trace plugin)

sys.path.insert(0, str(REPO / "domains"))
from bootimage import rt as rt_analysis  # noqa: E402  (the periodic resource model)

RESULTS = REPO / "traces" / "results"
POLICIES = ("sedf", "credit", "round-robin")
# Periods and worst-case execution times in microseconds (rt.c's tasks=P:C,...).
DEFAULT_TASKS = ((2000, 300), (3000, 450), (5000, 700))
DEFAULT_RT_PERIOD_US = 1000
DEFAULT_JOBS = 1000
# Credit weights of the others: the hogs Xen's default, dom0 and the frontend (the I/O
# domains) four times that, as dom0 is usually given more: both then stay within their
# shares, so each wake from I/O boosts them.
OTHER_WEIGHT = 256
IO_WEIGHT = 1024
OTHER_TIMESLICE_US = 10000
# The frontend streams batches of this many requests, each on a connection of its own
# (connect, the batch, disconnect: store handshakes with dom0), until the hogs stop.
RING_BATCH = 50000
DOMAINS = ("dom0", "rt", "hog1", "hog2", "front")  # in configuration order: ids 0..4
MARK_START, MARK_END = 0x52540001, 0x52540002  # rt.c's markers
NS_PER_INSN = 8  # -icount shift=3


@dataclasses.dataclass(frozen=True)
class Interface:
    period_us: int
    budget_us: int
    bounds_us: tuple[int, ...]  # per task, in the order of the task set
    source: str


def analysed_interface(tasks, period_us: int) -> Interface:
    """The task set's least periodic-resource interface at period_us under rate-monotonic
    scheduling in the guest, and its response-time bounds: domains/bootimage/rt.py, the
    analysis domains/schedtool.py prints and mkimage.py gives sedf domains."""
    rt_tasks = [rt_analysis.Task(p, c) for p, c in tasks]
    budget = rt_analysis.minimal_budget(rt_tasks, "rm", period_us)
    if budget is None:
        raise SystemExit(f"rt: the task set {tasks} does not fit any budget at period {period_us} us")
    bounds = rt_analysis.response_bounds(rt_tasks, "rm", period_us, budget)
    return Interface(period_us, budget, tuple(bounds), "domains/bootimage/rt.py (schedtool.py's analysis)")



def read_interface(path: pathlib.Path, ntasks: int) -> Interface:
    d = json.loads(path.read_text())
    bounds = tuple(int(b) for b in d["bounds_us"])
    if len(bounds) != ntasks:
        raise SystemExit(f"rt: {path}: {len(bounds)} bounds for {ntasks} tasks")
    return Interface(int(d["period_us"]), int(d["budget_us"]), bounds, str(path))


def parse_tasks(text: str) -> tuple[tuple[int, int], ...]:
    tasks = []
    for part in text.split(","):
        p, c = part.split(":")
        tasks.append((int(p), int(c)))
    return tuple(tasks)


def tasks_arg(tasks) -> str:
    return ",".join(f"{p}:{c}" for p, c in tasks)


def run_ms(tasks, jobs: int) -> int:
    """About how long the RT guest runs: its start-up and first release grid, then jobs
    periods of its longest task."""
    return 200 + jobs * max(p for p, _ in tasks) // 1000


def weight_for(iface: Interface) -> int:
    """Credit: w / (w + the four others' weights) = budget / period."""
    return round((2 * OTHER_WEIGHT + 2 * IO_WEIGHT) * iface.budget_us / (iface.period_us - iface.budget_us))


def timeslice_for(iface: Interface) -> int:
    """Round-robin: t / (t + the four others' timeslices) = budget / period (us)."""
    return round(4 * OTHER_TIMESLICE_US * iface.budget_us / (iface.period_us - iface.budget_us))


def config(policy: str, tasks, iface: Interface, jobs: int) -> str:
    """The system of one run (kernels by absolute path; every name is build/'s)."""
    b = REPO / "build"
    window = run_ms(tasks, jobs) + 200
    rt_keys = {
        "sedf": f"period = {iface.period_us}us\nbudget = {iface.budget_us}us\n",
        "credit": f"weight = {weight_for(iface)}\ntimeslice = {OTHER_TIMESLICE_US}us\n",
        "round-robin": f"timeslice = {timeslice_for(iface)}us\n",
    }[policy]
    other = f"timeslice = {OTHER_TIMESLICE_US}us\n" + (f"weight = {OTHER_WEIGHT}\n" if policy == "credit" else "")
    io = f"timeslice = {OTHER_TIMESLICE_US}us\n" + (f"weight = {IO_WEIGHT}\n" if policy == "credit" else "")
    return (f"# The real-time experiment (traces/rt.py), {policy}: interface {iface.period_us}us/"
            f"{iface.budget_us}us ({iface.source})\n"
            f"[system]\nname = rt-{policy}\nscheduler = {policy}\n\n"
            f"[domain dom0]\nkernel = {b}/minios/pv/dom0.elf\nmemory = 2M\nprivileged = yes\n{io}"
            f"ramdisk = {b}/disks/vbd-pattern.img\ncmdline = \"app=dom0 shell=0 exit=auto\"\n\n"
            f"[domain rt]\nkernel = {b}/ucos/pv/ucos.elf\nmemory = 1M\n{rt_keys}"
            f"cmdline = \"app=rt tasks={tasks_arg(tasks)} jobs={jobs}\"\n\n"
            f"[domain hog1]\nkernel = {b}/minios/pv/minios.elf\nmemory = 1M\n{other}"
            f"cmdline = \"app=spin delay=0 window={window}\"\n\n"
            f"[domain hog2]\nkernel = {b}/minios/pv/minios.elf\nmemory = 1M\n{other}"
            f"cmdline = \"app=spin delay=0 window={window}\"\n\n"
            f"[domain front]\nkernel = {b}/tests/minios-test.elf\nmemory = 1M\n{io}"
            f"cmdline = \"app=guest ring={RING_BATCH} ring_ms={window}\"\n")


def build_image(board: str, cfg: pathlib.Path, out: pathlib.Path) -> None:
    boards = board_table.read()
    subprocess.run(["/usr/bin/python3", str(REPO / "domains" / "mkimage.py"),
                    "--vmm", str(REPO / "build" / board / "xen-arm.elf"), "--config", str(cfg),
                    "--kernel-dir", str(REPO / "build" / "minios" / "pv"), "--board", board,
                    "--ram-base", boards[board].ram_base_arg, "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)


@dataclasses.dataclass
class Task:
    period_ns: int
    wcet_ns: int
    prio: int
    iters: int
    responses: list[int]


@dataclasses.dataclass
class Result:
    policy: str
    status: int
    start_ns: int
    iters_per_ms: int
    calib_ns: int
    allow_ns: int
    tasks: list[Task]
    shares: dict[str, float]  # the hogs' CPU shares over their windows
    ring_requests: int  # the frontend's requests answered through dom0
    log: str
    cpu: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)  # (from, to ns, domain)


def parse(policy: str, status: int, output: str) -> Result:
    """The RT guest's dump (rt.c's line format) and the hogs' shares from a console log."""
    m = re.search(r"^\[rt\] rt: start (\d+) grid \d+ iters_per_ms (\d+) calib (\d+) ns allow (\d+)$", output, re.M)
    if m is None:
        raise ValueError(f"{policy}: no 'rt: start' line (status {status}):\n{output[-3000:]}")
    start, ipms, calib, allow = (int(g) for g in m.groups())
    tasks = []
    for t in re.finditer(r"^\[rt\] rt: task (\d+) period (\d+) wcet (\d+) prio (\d+) jobs (\d+) iters (\d+)$",
                         output, re.M):
        i, period, wcet, prio, jobs, iters = (int(g) for g in t.groups())
        assert i == len(tasks)
        tasks.append(Task(period, wcet, prio, iters, [-1] * jobs))
    for j in re.finditer(r"^\[rt\] rt: j (\d+) (\d+)((?: \d+)+)$", output, re.M):
        i, k = int(j.group(1)), int(j.group(2))
        for n, r in enumerate(j.group(3).split()):
            tasks[i].responses[k + n] = int(r)
    for i, t in enumerate(tasks):
        if -1 in t.responses:
            raise ValueError(f"{policy}: task {i}: job {t.responses.index(-1)} missing from the log")
    for s in re.finditer(r"^\[rt\] rt: summary (\d+) jobs (\d+) misses (\d+) max_ns (\d+)$", output, re.M):
        i, jobs, misses, mx = (int(g) for g in s.groups())
        t = tasks[i]
        # The guest's own summary and the parsed jobs must agree.
        assert (jobs, misses, mx) == (len(t.responses), sum(r > t.period_ns for r in t.responses),
                                      max(t.responses)), (policy, i)
    if "[rt] rt: done" not in output:
        raise ValueError(f"{policy}: the RT guest did not finish (status {status})")
    shares = {}
    for h in re.finditer(r"^\[(hog\d)\] spin: dom \d+: ran (\d+) ns of (\d+) ns", output, re.M):
        shares[h.group(1)] = int(h.group(2)) / int(h.group(3))
    ring = re.search(r"^\[front\] ring: (\d+) answered, 0 lost, 0 duplicated, 0 wrong, 0 out of order$", output, re.M)
    return Result(policy, status, start, ipms, calib, allow, tasks, shares, int(ring.group(1)) if ring else 0, output)


def run_policy(board: str, policy: str, tasks, iface: Interface, jobs: int, out: pathlib.Path,
               timeout: float = 600.0, domains: bool = False) -> Result:
    out.mkdir(parents=True, exist_ok=True)
    cfg = out / f"{policy}.cfg"
    cfg.write_text(config(policy, tasks, iface, jobs))
    image = out / f"{policy}.elf"
    build_image(board, cfg, image)
    events = out / f"{policy}-events.csv"
    if domains:
        run = xatrace.run(board, image, plugin_args={"events": events, "hypercalls": xatrace.HYPERCALLS_H},
                          timeout=timeout)
        status, output = run.status, run.output
    else:
        proc = subprocess.run([str(REPO / "tools" / "run-qemu.sh"), "--test", board, str(image)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout)
        status, output = proc.returncode, proc.stdout.decode(errors="replace").replace("\r\n", "\n")
    (out / f"{policy}.log").write_text(output)
    image.unlink()
    result = parse(policy, status, output)
    if domains:
        result.cpu = cpu_track(output, xatrace.read_events(events))
        events.unlink()
    return result


def cpu_track(output: str, events) -> list[tuple[int, int, str]]:
    """Which domain had the CPU, as (from, to, name) in system-time ns, between the RT
    guest's two markers: the plugin's domain switches by instruction count, put on the
    time axis by the markers (the VMM's times for them)."""
    times = {int(t, 16): int(ns) for t, ns in
             re.findall(r"^xen-arm: trace dom1 marker 0x([0-9a-f]+) at (\d+) ns$", output, re.M)}
    marks = [e for e in events if e.kind == "swi" and e.value == 50]  # XA_HYPERCALL_trace_marker
    if MARK_START not in times or MARK_END not in times or len(marks) != 2:
        raise ValueError(f"rt: the markers are missing ({sorted(times)}, {len(marks)} marker hypercalls)")
    i0, i1 = marks[0].instructions, marks[1].instructions
    t0, t1 = times[MARK_START], times[MARK_END]
    # Never idle in between: the VMM's two readings and the instructions agree to within
    # the few instructions between the SWI and the VMM's clock read.
    if abs((t1 - t0) - NS_PER_INSN * (i1 - i0)) > 10_000:
        raise ValueError(f"rt: the CPU idled between the markers ({t1 - t0} ns, {i1 - i0} instructions)")
    track, current, since = [], None, t0
    for e in events:
        if e.kind != "domain" or not i0 <= e.instructions <= i1:
            continue
        now = t0 + NS_PER_INSN * (e.instructions - i0)
        if current is not None and now > since:
            track.append((since, now, current))
        current = DOMAINS[e.value] if e.value < len(DOMAINS) else "idle"
        since = now
    if current is not None:
        track.append((since, t1, current))
    return track


def percentile(values: list[int], q: float) -> int:
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def summary_rows(results: list[Result], iface: Interface) -> list[dict]:
    rows = []
    for r in results:
        for i, t in enumerate(r.tasks):
            rs = t.responses
            rows.append({"policy": r.policy, "task": i, "period_us": t.period_ns // 1000,
                         "wcet_us": t.wcet_ns // 1000, "prio": t.prio, "jobs": len(rs),
                         "misses": sum(x > t.period_ns for x in rs),
                         "min_us": min(rs) / 1000, "median_us": statistics.median(rs) / 1000,
                         "p99_us": percentile(rs, 99) / 1000, "max_us": max(rs) / 1000,
                         "bound_us": iface.bounds_us[i]})
    return rows


def write_jobs_csv(path: pathlib.Path, results: list[Result]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["policy", "task", "job", "release_ns", "finish_ns", "deadline_ns", "response_ns", "miss"])
        for r in results:
            for i, t in enumerate(r.tasks):
                for k, resp in enumerate(t.responses):
                    release = r.start_ns + k * t.period_ns
                    w.writerow([r.policy, i, k, release, release + resp, release + t.period_ns, resp,
                                int(resp > t.period_ns)])


def write_summary(out: pathlib.Path, board: str, results: list[Result], iface: Interface, tasks) -> str:
    rows = summary_rows(results, iface)
    with (out / "summary.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    u = sum(c / p for p, c in tasks)
    bw = iface.budget_us / iface.period_us
    lines = [f"# Real-time experiment on {board}", "",
             f"Task set (us, RM priorities): {tasks_arg(tasks)}; utilisation {u:.3f}. Interface "
             f"(Π, Θ) = ({iface.period_us} us, {iface.budget_us} us), bandwidth {bw:.3f} "
             f"(task-set utilisation {100 * u / bw:.0f} % of it); bounds from {iface.source}.", "",
             "| policy | task (P/C us) | jobs | misses | min | median | p99 | max | bound (us) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['policy']} | {row['task']} ({row['period_us']}/{row['wcet_us']}) | {row['jobs']} | "
                     f"{row['misses']} | {row['min_us']:.0f} | {row['median_us']:.0f} | {row['p99_us']:.0f} | "
                     f"{row['max_us']:.0f} | {row['bound_us']} |")
    lines += ["", "Hogs' CPU shares over their windows: " + "; ".join(
        f"{r.policy}: " + ", ".join(f"{h} {s:.3f}" for h, s in sorted(r.shares.items())) for r in results),
        "", "Split-driver traffic (frontend requests answered by dom0's ring-test backend): " + "; ".join(
            f"{r.policy}: {r.ring_requests}" for r in results),
        ""]
    for r in results:
        if r.cpu:
            total = sum(b - a for a, b, _ in r.cpu)
            share = {d: sum(b - a for a, b, n in r.cpu if n == d) / total for d in DOMAINS}
            lines.append(f"CPU between the RT guest's markers, {r.policy}: " +
                         ", ".join(f"{d} {v:.3f}" for d, v in share.items() if v > 0))
    lines += [
        "", f"Work calibration: {results[0].iters_per_ms} loop iterations per ms; each job runs "
        f"C - {results[0].allow_ns // 1000} us of them."]
    text = "\n".join(lines) + "\n"
    (out / "results.md").write_text(text)
    return text


def write_plot(path: pathlib.Path, results: list[Result], iface: Interface) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ntasks = len(results[0].tasks)
    fig, axes = plt.subplots(ntasks, 1, figsize=(8, 2.6 * ntasks), squeeze=False)
    colours = {"sedf": "tab:green", "credit": "tab:red", "round-robin": "tab:blue"}
    for i in range(ntasks):
        ax = axes[i][0]
        t = results[0].tasks[i]
        top = max(max(r.tasks[i].responses) for r in results)
        edges = [x * top / 1000 / 60 for x in range(61)]
        for r in results:
            ax.hist([x / 1000 for x in r.tasks[i].responses], bins=edges, histtype="step", linewidth=1.4,
                    label=f"{r.policy} (max {max(r.tasks[i].responses) / 1000:.0f} us)",
                    color=colours.get(r.policy))
        ax.axvline(iface.bounds_us[i], color="black", linestyle="--", label=f"bound {iface.bounds_us[i]} us")
        ax.axvline(t.period_ns / 1000, color="grey", linestyle=":", label=f"deadline {t.period_ns // 1000} us")
        ax.set_yscale("log")
        ax.set_title(f"task {i}: period {t.period_ns // 1000} us, WCET {t.wcet_ns // 1000} us", fontsize=10)
        ax.set_xlabel("response time (us)")
        ax.set_ylabel("jobs")
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_timeline(path: pathlib.Path, results: list[Result]) -> None:
    """Chrome trace events, times in us from each run's first release."""
    events = []
    for pid, r in enumerate(results, start=1):
        events.append({"ph": "M", "pid": pid, "name": "process_name", "args": {"name": f"rt guest, {r.policy}"}})
        for i, t in enumerate(r.tasks):
            events.append({"ph": "M", "pid": pid, "tid": i, "name": "thread_name",
                           "args": {"name": f"task {i} ({t.period_ns // 1000}/{t.wcet_ns // 1000} us)"}})
            for k, resp in enumerate(t.responses):
                rel = k * t.period_ns / 1000
                miss = resp > t.period_ns
                events.append({"ph": "X", "pid": pid, "tid": i, "ts": rel, "dur": resp / 1000,
                               "name": "miss" if miss else "job", "cat": "job",
                               "args": {"job": k, "response_us": resp / 1000}})
                events.append({"ph": "i", "pid": pid, "tid": i, "ts": rel, "s": "t", "name": "release"})
                if miss:
                    events.append({"ph": "i", "pid": pid, "tid": i, "ts": rel + t.period_ns / 1000, "s": "t",
                                   "name": "deadline missed", "args": {"job": k}})
        if r.cpu:
            events.append({"ph": "M", "pid": pid, "tid": 99, "name": "thread_name",
                           "args": {"name": "domain on the CPU"}})
            for since, until, name in r.cpu:
                if until > r.start_ns:
                    events.append({"ph": "X", "pid": pid, "tid": 99, "ts": (since - r.start_ns) / 1000,
                                   "dur": (until - since) / 1000, "name": name, "cat": "cpu"})
    path.write_text(json.dumps({"traceEvents": events, "displayTimeUnit": "ms"}))


def experiment(board: str, policies, tasks, iface: Interface, jobs: int, out: pathlib.Path,
               domains: bool = False) -> list[Result]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "interface.json").write_text(json.dumps(
        {"period_us": iface.period_us, "budget_us": iface.budget_us, "bounds_us": list(iface.bounds_us),
         "source": iface.source, "tasks": tasks_arg(tasks)}, indent=1) + "\n")
    results = []
    for policy in policies:
        print(f"rt: {board}: {policy} ...", flush=True)
        results.append(run_policy(board, policy, tasks, iface, jobs, out, domains=domains))
    write_jobs_csv(out / "jobs.csv", results)
    print(write_summary(out, board, results, iface, tasks))
    write_plot(out / "response.png", results, iface)
    write_timeline(out / "rt.trace.json", results)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--platform", default="all", help="a board, or 'all' (default)")
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--tasks", default=tasks_arg(DEFAULT_TASKS), help="P:C,... in us (rate-monotonic)")
    ap.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="jobs of the longest-period task")
    ap.add_argument("--rt-period-us", type=int, default=DEFAULT_RT_PERIOD_US,
                    help="the interface's period (the analysis finds the budget)")
    ap.add_argument("--interface", type=pathlib.Path, help="JSON: period_us, budget_us, bounds_us")
    ap.add_argument("--period-us", type=int)
    ap.add_argument("--budget-us", type=int)
    ap.add_argument("--bounds-us", help="per task, comma-separated")
    ap.add_argument("--results", type=pathlib.Path, default=RESULTS)
    ap.add_argument("--domains", action="store_true", help="also trace which domain ran (the xatrace plugin)")
    a = ap.parse_args()
    tasks = parse_tasks(a.tasks)
    if a.interface is not None:
        iface = read_interface(a.interface, len(tasks))
    elif a.period_us is not None:
        if a.budget_us is None or a.bounds_us is None:
            ap.error("--period-us needs --budget-us and --bounds-us")
        iface = Interface(a.period_us, a.budget_us, tuple(int(x) for x in a.bounds_us.split(",")), "command line")
    else:
        iface = analysed_interface(tasks, a.rt_period_us)
    boards = list(board_table.read()) if a.platform == "all" else [a.platform]
    policies = a.policies.split(",")
    for board in boards:
        experiment(board, policies, tasks, iface, a.jobs, a.results / board / "rt", domains=a.domains)


if __name__ == "__main__":
    main()
