#!/usr/bin/python3
"""What fault tolerance costs (make ftcost [PLATFORM=...]), measured as the fault-tolerance
paper measures its VMM (an ARM920T running µC/OS-II: a VM switch 240 -> 290 ns with fault
tolerance, a task switch 180 -> 210 ns, and the backup period against overhead and lost
work), under the xatrace plugin (instructions and modelled ARM926EJ-S cycles):

1. The domain switch (tests/guests/dirty.S: store one word in each of D pages, then
   yield; two domains, d1 the fault-tolerant one): without fault tolerance; with
   d1 `fault_tolerance = vm` and `checkpoint = manual` (configured, no checkpoint taken,
   no write tracking); with `checkpoint = switch` while d1 dirties D = 0, 1, 2, 4, 8, 16
   pages between yields. Per direction: dom0 -> d1 (no checkpoint on the way) and
   d1 -> dom0 (d1's checkpoint at its switch-out), and d1's stores (probes dirty_stores ->
   dirty_swi: the write faults of tracking). The fixed part (D = 0: shared_info, the
   grant page, the registers, the caches cleaned), the slope per dirty page (copy and
   re-protect), the write fault alone.
2. µC/OS-II's task switch (ucos-port/apps/bench.c) as the only domain, without fault
   tolerance and with `fault_tolerance = vm`, `checkpoint = switch`, as bench.py measures it.
3. The backup period: Kim and Shin's benchmark (minios/apps/bench.c) in dom0 and in a
   fault-tolerant d1, 1 ms timeslices, with `checkpoint` = 1, 2, 5, 10, 20, 50 ms and
   switch: the total instructions and cycles against the same run without fault
   tolerance, the checkpoints taken and frames copied (probes on the VMM's ft::checkpoint,
   memcpy and protect), and the work a fault loses (the time since the last checkpoint:
   half the checkpoint interval on average, at most a period plus a slice).

Prints the tables and writes traces/results/<platform>/ftcost.md, ftcost.csv and ftcost.png.
"""
import argparse
import csv
import dataclasses
import pathlib
import re
import statistics
import subprocess
import sys
import time

import bench
import xatrace

DIRTY = (0, 1, 2, 4, 8, 16)
PERIODS_MS = (1, 2, 5, 10, 20, 50)
SLICE_MS = 1  # part 3's timeslice: when the scheduler decides, so when a period can end
COUNT = 200
# The paper's figures (ns on its ARM920T): VM switch and task switch, without and with
# fault tolerance.
PAPER = {"VM switch": (240, 290), "task switch": (180, 210)}
TARGET_PCT = 10.0  # the switch without dirty pages may cost at most this much more
PROBES = ("dirty_stores", "dirty_swi", "dirty_ret")


@dataclasses.dataclass(frozen=True)
class SwitchCase:
    name: str        # what the table calls it
    ft: str          # d1's checkpoint key, "" without fault tolerance
    dirty: int       # pages d1 writes between its yields


def pages(n: int) -> str:
    return f"{n} dirty page{'' if n == 1 else 's'}"


def switch_cases(dirty: tuple[int, ...]) -> list[SwitchCase]:
    """No fault tolerance (0 and the most dirty pages: the stores' own cost), configured
    but never checkpointed, then checkpointed at every switch-out against its dirty pages."""
    stores = [SwitchCase(f"no fault tolerance, {pages(max(dirty))}", "", max(dirty))] if max(dirty) else []
    return ([SwitchCase("no fault tolerance", "", 0), *stores,
             SwitchCase("fault_tolerance = vm, checkpoint = manual", "manual", 0)]
            + [SwitchCase(f"checkpoint = switch, {pages(d)}", "switch", d) for d in dirty])


def ft_keys(checkpoint: str) -> str:
    return f"fault_tolerance = vm\ncheckpoint = {checkpoint}\n" if checkpoint else ""


def switch_config(c: SwitchCase, count: int) -> str:
    """dom0 and d1 run tests/guests/dirty.S (d1 storing into c.dirty pages), 10 ms slices
    (every yield switches): d1 is the fault-tolerant one."""
    text = "[system]\nname = ftcost\n\n"
    for i, dirty in enumerate((0, c.dirty)):
        text += (f"[domain {'dom0' if i == 0 else 'd1'}]\nkernel = dirty\nmemory = 1M\ntimeslice = 10ms\n"
                 f"start = boot\n" + ("privileged = yes\n" if i == 0 else ft_keys(c.ft)) +
                 f"cmdline = \"count={count} dirty={dirty}\"\n\n")
    return text


def mkimage(platform: str, work: pathlib.Path, tag: str, text: str, kernel_dir: pathlib.Path) -> pathlib.Path:
    cfg = work / f"{tag}.cfg"
    cfg.write_text(text)
    out = work / f"{tag}.elf"
    subprocess.run(["/usr/bin/python3", str(xatrace.REPO / "domains" / "mkimage.py"), "--vmm",
                    str(bench.vmm_elf(platform)), "--config", str(cfg), "--kernel-dir", str(kernel_dir),
                    "--board", platform, "--ram-base", bench.RAM_BASE[platform], "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def pair(events: list[xatrace.Event], start: int, end: int, domains: tuple[str, str]) -> list[tuple[int, int]]:
    """(instructions, cycles) from each probe `start` in domains[0] to the next probe `end`
    in domains[1]."""
    out, begin = [], None
    for e in events:
        if e.kind != "probe":
            continue
        if e.value == start and e.domain == domains[0]:
            begin = e
        elif e.value == end and e.domain == domains[1] and begin is not None:
            out.append((e.instructions - begin.instructions, e.cycles - begin.cycles))
            begin = None
    return out


def measure_switch(platform: str, work: pathlib.Path, c: SwitchCase, tag: str, count: int,
                   model: dict) -> dict[str, list[tuple[int, int]]]:
    """{path: samples} of one case: 'dom0 -> d1', 'd1 -> dom0', 'd1 stores'."""
    elf = bench.GUESTS / "dirty.elf"
    probes = {s: xatrace.symbol(elf, s) for s in PROBES}
    image = mkimage(platform, work, tag, switch_config(c, count), bench.GUESTS)
    events_csv = work / f"{tag}-events.csv"
    run = xatrace.run(platform, image, "", {"events": events_csv, "probe": list(probes.values()), **model})
    if run.status != 0 or "(2 shut down, 0 crashed)" not in run.output:
        sys.exit(f"ftcost: '{c.name}' did not run cleanly (status {run.status}):\n{run.output[-3000:]}")
    events = xatrace.read_events(events_csv)
    s = {"dom0 -> d1": pair(events, probes["dirty_swi"], probes["dirty_ret"], ("0", "1")),
         "d1 -> dom0": pair(events, probes["dirty_swi"], probes["dirty_ret"], ("1", "0")),
         "d1 stores": pair(events, probes["dirty_stores"], probes["dirty_swi"], ("1", "1"))}
    for path, samples in s.items():
        if len(samples) < count // 2:
            sys.exit(f"ftcost: '{c.name}', {path}: only {len(samples)} samples for {count} iterations")
    return s


def med(samples: list[tuple[int, int]], i: int) -> float:
    return statistics.median(x[i] for x in samples)


def run_switches(platform: str, work: pathlib.Path, dirty: tuple[int, ...], count: int, model: dict) -> list[dict]:
    """One row per case and path: min / median / max instructions and cycles."""
    rows = []
    for i, c in enumerate(switch_cases(dirty)):
        for path, s in measure_switch(platform, work, c, f"switch{i}", count, model).items():
            r = bench.summary(path, s)
            rows.append({"part": "switch", "case": c.name, "checkpoint": c.ft or "none", "dirty_pages": c.dirty,
                         "path": path, "samples": r[1], "instructions_min": r[2], "instructions_median": r[3],
                         "instructions_max": r[4], "cycles_min": r[5], "cycles_median": r[6], "cycles_max": r[7]})
    return rows




def vmm_symbols(platform: str) -> dict[str, int]:
    """Every symbol of the platform's VMM, by its mangled name."""
    out = subprocess.run([xatrace.CROSS_NM, str(bench.vmm_elf(platform))], check=True, capture_output=True,
                         text=True).stdout
    return {p[2]: int(p[0], 16) for p in (line.split() for line in out.splitlines()) if len(p) == 3}


def vmm_function(symbols: dict[str, int], prefix: str) -> int | None:
    found = [addr for name, addr in symbols.items() if name.startswith(prefix)]
    return found[0] if len(found) == 1 else None


def checkpoint_symbol(platform: str) -> int:
    """The VMM's ft::checkpoint (each hit of a probe there is one checkpoint)."""
    addr = vmm_function(vmm_symbols(platform), CHECKPOINT_FN)
    if addr is None:
        raise KeyError(f"xa::ft::checkpoint not in {bench.vmm_elf(platform)}")
    return addr


# Where the fixed part goes: VMM functions the checkpoint passes through in order (mangled
# prefixes; ft::checkpoint, the first memcpy after it, ft's protect), each segment from one
# to the next. With no dirty page the first memcpy is shared_info's: everything before it
# in the checkpoint is the walk of the dirty bitmap and the cleaning of the caches.
CHECKPOINT_FN = "_ZN2xa2ft10checkpointE"
PROTECT_FN = "_ZN2xa2ft12_GLOBAL__N_17protectE"
FIXED_SEGMENTS = ("d1's switch-out up to ft::checkpoint",
                  "ft::checkpoint up to its first memcpy: the walk of the dirty bitmap, the caches cleaned",
                  "shared_info, the grant page, the registers saved",
                  "protect: the walk re-protecting what was dirty, the dirty set cleared, the switch to dom0")


def fixed_breakdown(platform: str, work: pathlib.Path, count: int, model: dict) -> list[dict]:
    """The checkpoint at a switch-out with no dirty page, in FIXED_SEGMENTS (medians); none
    if the VMM's functions are not found (renamed or inlined)."""
    symbols = vmm_symbols(platform)
    vmm = {"checkpoint": vmm_function(symbols, CHECKPOINT_FN), "memcpy": symbols.get("memcpy"),
           "protect": vmm_function(symbols, PROTECT_FN)}
    if None in vmm.values():
        return []
    elf = bench.GUESTS / "dirty.elf"
    guest = {s: xatrace.symbol(elf, s) for s in ("dirty_swi", "dirty_ret")}
    image = mkimage(platform, work, "fixed", switch_config(SwitchCase("fixed", "switch", 0), count), bench.GUESTS)
    events_csv = work / "fixed-events.csv"
    run = xatrace.run(platform, image, "", {"events": events_csv, "probe": [*guest.values(), *vmm.values()], **model})
    if run.status != 0:
        sys.exit(f"ftcost: the fixed part's run ended with status {run.status}:\n{run.output[-3000:]}")
    samples, marks = [], None
    for e in xatrace.read_events(events_csv):
        if e.kind != "probe":
            continue
        if e.value == guest["dirty_swi"] and e.domain == "1":
            marks = [e]
        elif marks is None:
            continue
        elif e.value == vmm["checkpoint"] and len(marks) == 1:
            marks.append(e)
        elif e.value == vmm["memcpy"] and len(marks) == 2:
            marks.append(e)
        elif e.value == vmm["protect"] and len(marks) == 3:
            marks.append(e)
        elif e.value == guest["dirty_ret"] and e.domain == "0":
            if len(marks) == 4:
                marks.append(e)
                samples.append([(b.instructions - a.instructions, b.cycles - a.cycles)
                                for a, b in zip(marks, marks[1:])])
            marks = None
    if len(samples) < count // 2:
        sys.exit(f"ftcost: the fixed part: only {len(samples)} samples for {count} iterations")
    return [{"part": "fixed part", "case": "checkpoint = switch, 0 dirty pages", "checkpoint": "switch",
             "dirty_pages": 0, "path": name, "samples": len(samples),
             "instructions_median": statistics.median(s[i][0] for s in samples),
             "cycles_median": statistics.median(s[i][1] for s in samples)} for i, name in enumerate(FIXED_SEGMENTS)]


# ---- 2. µC/OS-II's task switch ----------------------------------------------------------------
UCOS_CASES = {"none": "", "switch": "switch", "1ms": "1ms"}
# More rounds than bench.py's 8, so that the mean round is a fair share of the checkpoints
# at the ends of the 10 ms slices.
UCOS_ROUNDS = 32


def run_ucos(platform: str, work: pathlib.Path, n: int, rounds: int, model: dict) -> list[dict]:
    """µC/OS-II alone on xen-arm, without fault tolerance and with it: per task switch, the
    fastest rounds as bench.py takes them, and the mean rounds (a checkpoint and the write
    faults after it land in some rounds)."""
    elf = bench.UCOS / "pv" / "ucos.elf"
    if not elf.exists():
        sys.exit(f"ftcost: {elf} missing (make ucos builds it)")
    mark = xatrace.symbol(elf, "BSP_Mark")
    ckpt = checkpoint_symbol(platform)
    tags = bench.ucos_tags(rounds)
    rows = []
    for name, checkpoint in UCOS_CASES.items():
        b = bench.Bench("ucos", elf.parent, "ucos", 1, f"app=bench n={n} rounds={rounds}", "", "", "same",
                        domain_keys=ft_keys(checkpoint))
        image = mkimage(platform, work, f"ucos-{name}", bench.config(b), elf.parent)
        events_csv = work / f"ucos-{name}-events.csv"
        run = xatrace.run(platform, image, "", {"events": events_csv, "probe": [mark, ckpt], **model})
        if run.status != 0 or "bench: done" not in run.output:
            sys.exit(f"ftcost: µC/OS-II bench ({name}) did not run cleanly (status {run.status}):\n"
                     f"{run.output[-3000:]}")
        events = xatrace.read_events(events_csv)
        hits = [e for e in events if e.kind == "probe" and e.value == mark]
        if len(hits) != len(tags):
            sys.exit(f"ftcost: µC/OS-II bench ({name}): {len(hits)} BSP_Mark calls, expected {len(tags)}")
        marks = {t: (e.instructions, e.cycles) for t, e in zip(tags, hits)}
        checkpoints = sum(1 for e in events if e.kind == "probe" and e.value == ckpt)
        for kind, what in bench.UCOS_KINDS.items():
            fastest = bench.ucos_per_switch(marks, kind, n, rounds)
            mean = ucos_mean_per_switch(marks, kind, n, rounds)
            rows.append({"part": "ucos", "case": what, "checkpoint": name, "samples": rounds,
                         "instructions_per_switch": round(fastest[0], 1), "cycles_per_switch": round(fastest[1], 1),
                         "instructions_per_switch_mean": round(mean[0], 1),
                         "cycles_per_switch_mean": round(mean[1], 1), "checkpoints": checkpoints})
    return rows


def ucos_mean_per_switch(marks: dict[int, tuple[int, ...]], kind: int, n: int, rounds: int) -> tuple[float, ...]:
    """As bench.ucos_per_switch with the mean round instead of the fastest."""
    width = len(next(iter(marks.values())))

    def mean(loaded: int, i: int) -> float:
        tag = [0xC5000000 | kind << 16 | r << 8 | loaded << 4 for r in range(rounds)]
        return statistics.mean(marks[t | 1][i] - marks[t][i] for t in tag)
    return tuple((mean(1, i) - mean(0, i)) / (2 * n) for i in range(width))


# ---- 3. the backup period ---------------------------------------------------------------------
BENCH_ITERATIONS = 100000
MEMORY_PAGES = 256  # d1's 1 MiB: what its first checkpoint copies
BENCH_YIELD = 1000


def period_config(checkpoint: str, iterations: int, yield_every: int) -> str:
    """Kim and Shin's benchmark in dom0 and in d1 (the fault-tolerant one), 1 ms slices."""
    text = "[system]\nname = ftperiod\n\n"
    for i in range(2):
        text += (f"[domain {'dom0' if i == 0 else 'd1'}]\nkernel = minios\nmemory = 1M\ntimeslice = {SLICE_MS}ms\n"
                 "start = boot\n" + ("privileged = yes\n" if i == 0 else ft_keys(checkpoint)) +
                 f"cmdline = \"app=bench iterations={iterations} yield={yield_every}\"\n\n")
    return text


def lost_work(times_ns: list[int], end_ns: int) -> tuple[float, float]:
    """(mean, max) age of the last checkpoint at a fault that strikes at a uniformly random
    moment between the first checkpoint and end_ns, in ms: the work it loses."""
    spans = [b - a for a, b in zip(times_ns, times_ns[1:] + [end_ns]) if b > a]
    if not spans:
        return 0.0, 0.0
    return sum(s * s for s in spans) / (2 * sum(spans)) / 1e6, max(spans) / 1e6


def frames_copied(events: list[xatrace.Event], vmm: dict[str, int]) -> list[int]:
    """The frames each checkpoint copied: one memcpy a page between ft::checkpoint and
    protect, besides a fixed number (shared_info, the grant page, the registers) that the
    first checkpoint, which copies all of the domain's frames, tells."""
    counts, copies = [], None
    for e in events:
        if e.kind != "probe":
            continue
        if e.value == vmm["checkpoint"]:
            copies = 0
        elif e.value == vmm["memcpy"] and copies is not None:
            copies += 1
        elif e.value == vmm["protect"] and copies is not None:
            counts.append(copies)
            copies = None
    if not counts:
        return []
    fixed = counts[0] - MEMORY_PAGES
    if fixed < 0 or min(counts) < fixed:
        sys.exit(f"ftcost: the checkpoints' copies do not fit a first full copy: {counts[:5]}...")
    return [c - fixed for c in counts]


def run_periods(platform: str, work: pathlib.Path, periods: tuple[int, ...], iterations: int, yield_every: int,
                model: dict) -> list[dict]:
    """One row per checkpoint setting, the first without fault tolerance (the baseline)."""
    symbols = vmm_symbols(platform)
    vmm = {"checkpoint": vmm_function(symbols, CHECKPOINT_FN), "memcpy": symbols.get("memcpy"),
           "protect": vmm_function(symbols, PROTECT_FN)}
    if None in vmm.values():
        sys.exit(f"ftcost: ft::checkpoint, memcpy or ft's protect not found in {bench.vmm_elf(platform)}: {vmm}")
    rows = []
    for name in ("none", "switch", *(f"{p}ms" for p in periods)):
        image = mkimage(platform, work, f"period-{name}", period_config("" if name == "none" else name, iterations,
                                                                        yield_every), bench.MINIOS_PV)
        totals_csv, events_csv = work / f"period-{name}.csv", work / f"period-{name}-events.csv"
        run = xatrace.run(platform, image, "", {"csv": totals_csv, "events": events_csv,
                                                "probe": list(vmm.values()), **model})
        if run.status != 0 or "(2 shut down, 0 crashed)" not in run.output:
            sys.exit(f"ftcost: period {name} did not run cleanly (status {run.status}):\n{run.output[-3000:]}")
        _, total = xatrace.read_csv(totals_csv)
        events = xatrace.read_events(events_csv)
        frames = frames_copied(events, vmm)
        checkpoints = len(frames)
        # -icount: 8 ns an instruction, and neither domain idles until its benchmark ends.
        times = [e.instructions * bench.ICOUNT_NS_PER_INSN for e in events
                 if e.kind == "probe" and e.value == vmm["checkpoint"]]
        if len(times) != checkpoints:
            sys.exit(f"ftcost: period {name}: {len(times)} checkpoints begun, {checkpoints} ended")
        elapsed = int(re.search(r"\[d1\] bench: dom 1 elapsed (\d+) ns", run.output)[1])
        d1_end = max(e.instructions for e in events if e.domain == "1") * bench.ICOUNT_NS_PER_INSN
        mean_lost, max_lost = lost_work(times, d1_end)
        rows.append({"part": "period", "case": "Kim and Shin's benchmark, dom0 and d1", "checkpoint": name,
                     "period_ms": "" if name in ("none", "switch") else int(name[:-2]),
                     "total_instructions": total.instructions, "total_cycles": total.cycles,
                     "checkpoints": checkpoints, "frames_copied": sum(frames),
                     # the first checkpoint copies all of d1's memory
                     "frames_per_checkpoint": round(statistics.mean(frames[1:]), 2) if checkpoints > 1 else "",
                     "d1_elapsed_ms": round(elapsed / 1e6, 1),
                     "interval_ms": round(elapsed / 1e6 / checkpoints, 2) if checkpoints else "",
                     "lost_work_mean_ms": round(mean_lost, 2), "lost_work_max_ms": round(max_lost, 2)})
    base = rows[0]
    for r in rows:
        r["instructions_overhead_pct"] = round(100.0 * (r["total_instructions"] / base["total_instructions"] - 1), 2)
        r["cycles_overhead_pct"] = round(100.0 * (r["total_cycles"] / base["total_cycles"] - 1), 2)
    return rows


# ---- the figures, the tables, the plot ---------------------------------------------------------
def pct(value: float, base: float) -> float:
    return 100.0 * (value / base - 1.0)


def fit_slope(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of y against x."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def switch_summary(rows: list[dict]) -> dict:
    """The switch's figures: medians per case and path, the fixed part, the slope per dirty
    page, the write fault, the round trip against no fault tolerance."""
    m = {(r["checkpoint"], r["dirty_pages"], r["path"]): (r["instructions_median"], r["cycles_median"]) for r in rows}
    dirty = sorted({r["dirty_pages"] for r in rows if r["checkpoint"] == "switch"})

    def trip(ck: str, d: int) -> tuple[float, float]:
        a, b = m[ck, d, "dom0 -> d1"], m[ck, d, "d1 -> dom0"]
        return a[0] + b[0], a[1] + b[1]
    s = {"base_trip": trip("none", 0), "manual_trip": trip("manual", 0), "switch0_trip": trip("switch", 0)}
    s["fixed"] = tuple(m["switch", 0, "d1 -> dom0"][i] - m["none", 0, "d1 -> dom0"][i] for i in (0, 1))
    loaded = [d for d in dirty if d > 0]
    s["slope"] = tuple(fit_slope([(d, m["switch", d, "d1 -> dom0"][i]) for d in loaded]) for i in (0, 1)) \
        if len(loaded) > 1 else (0.0, 0.0)
    top = max(dirty)
    if top and ("none", top, "d1 stores") in m:
        s["write_fault"] = tuple((m["switch", top, "d1 stores"][i] - m["none", top, "d1 stores"][i]) / top
                                 for i in (0, 1))
    else:
        s["write_fault"] = (0.0, 0.0)
    s["per_page"] = tuple(s["slope"][i] + s["write_fault"][i] for i in (0, 1))
    s["manual_pct"] = tuple(pct(s["manual_trip"][i], s["base_trip"][i]) for i in (0, 1))
    s["switch0_pct"] = tuple(pct(s["switch0_trip"][i], s["base_trip"][i]) for i in (0, 1))
    s["medians"] = m
    s["dirty"] = dirty
    return s


def n(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def table(platform: str, count: int, switch_rows: list[dict], ucos: list[dict], periods: list[dict],
          fixed: list[dict] | None = None) -> str:
    s = switch_summary(switch_rows)
    m = s["medians"]
    lines = [f"# What fault tolerance costs, on {platform} (make ftcost)", "",
             "Instructions are QEMU's, cycles the xatrace ARM926EJ-S model's (traces/README.md); -icount, so every "
             "run gives the same figures. The fault-tolerance paper's VMM (ARM920T, µC/OS-II) reports a VM switch "
             f"of {PAPER['VM switch'][0]} -> {PAPER['VM switch'][1]} ns with fault tolerance "
             f"({pct(*PAPER['VM switch'][::-1]):+.1f} %) and a task switch of {PAPER['task switch'][0]} -> "
             f"{PAPER['task switch'][1]} ns ({pct(*PAPER['task switch'][::-1]):+.1f} %): it copies the whole "
             "changing region at every switch.", "",
             "## 1. The domain switch", "",
             f"tests/guests/dirty.S in dom0 and d1, {count} yields each, every yield a switch; d1 stores "
             "one word in each of D pages before each yield, and is the fault-tolerant domain. Medians "
             "(instructions / cycles); min and max are in ftcost.csv (the maximum is the first checkpoint, which "
             "copies all of d1's 256 frames). d1 -> dom0 carries d1's checkpoint; d1's stores carry the write "
             "faults of tracking (the first store to each page after a checkpoint).", "",
             "| d1 | dom0 -> d1 | d1 -> dom0 | round trip | vs no fault tolerance (instr. / cycles) | d1's stores |",
             "|---|---:|---:|---:|---:|---:|"]
    base = s["base_trip"]
    for r in switch_rows:
        if r["path"] != "dom0 -> d1":
            continue
        key = (r["checkpoint"], r["dirty_pages"])
        fwd, back, st = m[(*key, "dom0 -> d1")], m[(*key, "d1 -> dom0")], m[(*key, "d1 stores")]
        trip = (fwd[0] + back[0], fwd[1] + back[1])
        lines.append(f"| {r['case']} | {n(fwd[0])} / {n(fwd[1])} | {n(back[0])} / {n(back[1])} | "
                     f"{n(trip[0])} / {n(trip[1])} | {pct(trip[0], base[0]):+.1f} % / {pct(trip[1], base[1]):+.1f} % "
                     f"| {n(st[0])} / {n(st[1])} |")
    met = "met" if max(s["switch0_pct"]) <= TARGET_PCT else "not met"
    lines += ["",
              f"- Configured, never checkpointed (`checkpoint = manual`): the round trip "
              f"{s['manual_pct'][0]:+.1f} % instructions, {s['manual_pct'][1]:+.1f} % cycles "
              f"(dom0 -> d1 {m['manual', 0, 'dom0 -> d1'][0] - m['none', 0, 'dom0 -> d1'][0]:+,.0f} instructions, "
              f"d1 -> dom0 {m['manual', 0, 'd1 -> dom0'][0] - m['none', 0, 'd1 -> dom0'][0]:+,.0f}: the scheduler's "
              "question at d1's switch-out, ft::scheduled).",
              f"- The fixed part of a checkpoint (0 dirty pages: shared_info, the grant page, the registers, the "
              f"walks of the dirty bitmap, the caches cleaned): {n(s['fixed'][0])} instructions, "
              f"{n(s['fixed'][1])} cycles; after it the next switch in (dom0 -> d1) runs on clean caches "
              f"({n(m['switch', 0, 'dom0 -> d1'][1])} cycles against {n(m['none', 0, 'dom0 -> d1'][1])}).",
              f"- Per dirty page: the checkpoint's copy and re-protection {n(round(s['slope'][0], 1))} instructions, "
              f"{n(round(s['slope'][1], 1))} cycles (least squares over D >= 1); the write fault alone "
              f"{n(round(s['write_fault'][0], 1))} instructions, {n(round(s['write_fault'][1], 1))} cycles; together "
              f"{n(round(s['per_page'][0], 1))} instructions, {n(round(s['per_page'][1], 1))} cycles a page.",
              f"- Target (at most +{TARGET_PCT:.0f} % on the switch without dirty pages, checkpointed at every "
              f"switch): {met}: the round trip {s['switch0_pct'][0]:+.1f} % instructions, "
              f"{s['switch0_pct'][1]:+.1f} % cycles (the paper: {pct(*PAPER['VM switch'][::-1]):+.1f} %)."]
    if fixed:
        lines += ["", "Where d1 -> dom0 goes with a checkpoint and no dirty page (medians; probes on the VMM's "
                  "ft::checkpoint, the first memcpy after it and ft's protect):", "",
                  "| segment | instructions | cycles |", "|---|---:|---:|"]
        lines += [f"| {r['path']} | {n(r['instructions_median'])} | {n(r['cycles_median'])} |" for r in fixed]
    if ucos:
        lines += ["", "## 2. µC/OS-II's task switch", "",
                  "ucos-port/apps/bench.c as the only domain (10 ms slice), as `make bench` runs it: per switch, the "
                  "fastest round with switches minus the fastest without (bench.py's figure), and the same with the "
                  "mean rounds (a checkpoint and the write faults after it fall into some rounds). `switch`: the "
                  "domain alone leaves the CPU only to idle; `1ms`: a checkpoint at the end of each slice.", "",
                  "| per task switch | checkpoint | checkpoints in the run | fastest: instructions / cycles "
                  "| vs none | mean: instructions / cycles | vs none |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        none = {r["case"]: r for r in ucos if r["checkpoint"] == "none"}
        for r in ucos:
            b = none[r["case"]]
            vs = "—" if r is b else (f"{pct(r['instructions_per_switch'], b['instructions_per_switch']):+.1f} % / "
                                     f"{pct(r['cycles_per_switch'], b['cycles_per_switch']):+.1f} %")
            vs_mean = "—" if r is b else (
                f"{pct(r['instructions_per_switch_mean'], b['instructions_per_switch_mean']):+.1f} % / "
                f"{pct(r['cycles_per_switch_mean'], b['cycles_per_switch_mean']):+.1f} %")
            lines.append(f"| {r['case']} | {r['checkpoint']} | {r['checkpoints']} | {r['instructions_per_switch']} / "
                         f"{r['cycles_per_switch']} | {vs} | {r['instructions_per_switch_mean']} / "
                         f"{r['cycles_per_switch_mean']} | {vs_mean} |")
    if periods:
        lines += ["", "## 3. The backup period", "",
                  "Kim and Shin's benchmark (minios/apps/bench.c, threads yielding every "
                  f"{BENCH_YIELD:,} iterations, {BENCH_ITERATIONS:,} iterations a loop) in dom0 and in d1, "
                  f"{SLICE_MS} ms slices; d1 has `fault_tolerance = vm` and the checkpoint setting. Overheads are "
                  "the whole run's instructions and cycles against the run without fault tolerance. Checkpoints "
                  "and frames come from probes on the VMM's ft::checkpoint, memcpy and protect (a memcpy a frame; "
                  f"frames per checkpoint leave out the first, which copies all {MEMORY_PAGES}). The work a fault "
                  "loses is the age of the last checkpoint (what the VMM's rollback message reports), for a "
                  "fault at a uniformly random moment of d1's run: the mean and the largest, from the "
                  "checkpoints' times (probed, -icount: 8 ns an instruction). A period ends at the first "
                  "scheduling decision about d1 at least that long after its last checkpoint: at its switch-outs, "
                  "every 2 slices here.", "",
                  "| checkpoint | checkpoints | mean interval (ms) | frames per checkpoint | instructions vs none "
                  "| cycles vs none | work lost: mean / max (ms) |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for r in periods:
            if r["checkpoint"] == "none":
                lines.append(f"| none | 0 | — | — | {r['total_instructions']:,} instructions | "
                             f"{r['total_cycles']:,} cycles | — |")
                continue
            lines.append(f"| {r['checkpoint']} | {r['checkpoints']:,} | {r['interval_ms']} | "
                         f"{r['frames_per_checkpoint']} | {r['instructions_overhead_pct']:+.2f} % | "
                         f"{r['cycles_overhead_pct']:+.2f} % | {r['lost_work_mean_ms']} / {r['lost_work_max_ms']} |")
    return "\n".join(lines) + "\n"


def plot(platform: str, switch_rows: list[dict], periods: list[dict], path: pathlib.Path) -> None:
    """Three panels: a checkpoint's switch against dirty pages; the period against the
    overhead; the period against the work lost."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = switch_summary(switch_rows)
    m = s["medians"]
    fig, axes = plt.subplots(1, 3 if periods else 1, figsize=(15 if periods else 5.5, 4.8), squeeze=False)
    ax = axes[0][0]
    xs = s["dirty"]
    ax.plot(xs, [m["switch", d, "d1 -> dom0"][1] / 1000 for d in xs], "o-", color="#c0392b",
            label="d1 -> dom0 with d1's checkpoint")
    ax.plot(xs, [(m["switch", d, "d1 -> dom0"][1] + m["switch", d, "d1 stores"][1]
                  - m["none", 0, "d1 stores"][1]) / 1000 for d in xs], "s--", color="#1f5fa8",
            label="with d1's write faults")
    ax.axhline(m["none", 0, "d1 -> dom0"][1] / 1000, color="#7f7f7f", linestyle=":", label="without fault tolerance")
    for d in xs:
        ax.annotate(f"{m['switch', d, 'd1 -> dom0'][1] / 1000:.0f}", (d, m["switch", d, "d1 -> dom0"][1] / 1000),
                    textcoords="offset points", xytext=(0, -12), ha="center", fontsize=8)
    ax.set_xlabel("pages d1 writes between its yields (pages)")
    ax.set_ylabel("modelled cycles (thousands)")
    ax.set_title(f"domain switch with checkpoint = switch ({platform})")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=1)
    if periods:
        rows = [r for r in periods if r["checkpoint"] != "none"]
        labels = [r["checkpoint"] for r in rows]
        x = list(range(len(rows)))
        ax = axes[0][1]
        for key, color, label, dy in (("instructions_overhead_pct", "#1f5fa8", "instructions", -12),
                                      ("cycles_overhead_pct", "#d9751e", "modelled cycles", 6)):
            ys = [r[key] for r in rows]
            ax.plot(x, ys, "o-", color=color, label=label)
            for xi, y in zip(x, ys):
                ax.annotate(f"{y:+.1f}", (xi, y), textcoords="offset points", xytext=(0, dy), ha="center", fontsize=8)
        ax.set_xticks(x, labels)
        ax.set_xlabel("checkpoint setting of d1 (switch, or period)")
        ax.set_ylabel("overhead against no fault tolerance (%)")
        ax.set_title(f"overhead against the backup period ({platform})")
        top = max(max(r["cycles_overhead_pct"], r["instructions_overhead_pct"]) for r in rows)
        ax.set_ylim(bottom=min(0.0, *(r["instructions_overhead_pct"] for r in rows)) - 0.1 * top, top=top * 1.2)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=2)
        ax = axes[0][2]
        for key, color, label, dy in (("lost_work_mean_ms", "#1f5fa8", "mean", -12),
                                      ("lost_work_max_ms", "#c0392b", "largest", 6)):
            ys = [r[key] for r in rows]
            ax.plot(x, ys, "o-", color=color, label=label)
            for xi, y in zip(x, ys):
                ax.annotate(f"{y:.1f}", (xi, y), textcoords="offset points", xytext=(0, dy), ha="center", fontsize=8)
        ax.set_xticks(x, labels)
        ax.set_xlabel("checkpoint setting of d1 (switch, or period)")
        ax.set_ylabel("work a fault loses (ms)")
        ax.set_title(f"work lost against the backup period ({platform})")
        top = max(r["lost_work_max_ms"] for r in rows)
        ax.set_ylim(bottom=-0.1 * top, top=top * 1.15)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


FIELDS = ["part", "case", "checkpoint", "dirty_pages", "path", "samples", "instructions_min", "instructions_median",
          "instructions_max", "cycles_min", "cycles_median", "cycles_max", "instructions_per_switch",
          "cycles_per_switch", "instructions_per_switch_mean", "cycles_per_switch_mean", "period_ms",
          "total_instructions", "total_cycles", "instructions_overhead_pct", "cycles_overhead_pct", "checkpoints",
          "frames_copied", "frames_per_checkpoint", "d1_elapsed_ms", "interval_ms", "lost_work_mean_ms",
          "lost_work_max_ms"]


def write_results(out: pathlib.Path, platform: str, count: int, switch_rows: list[dict], ucos: list[dict],
                  periods: list[dict], fixed: list[dict] | None = None) -> str:
    """ftcost.csv (every row of the three parts), ftcost.md (the tables) and ftcost.png;
    returns the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "ftcost.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, restval="")
        w.writeheader()
        w.writerows(switch_rows + (fixed or []) + ucos + periods)
    text = table(platform, count, switch_rows, ucos, periods, fixed)
    (out / "ftcost.md").write_text(text)
    plot(platform, switch_rows, periods, out / "ftcost.png")
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", default="goldfish", choices=xatrace.PLATFORMS)
    ap.add_argument("--count", type=int, default=COUNT, help="yields of each switch case")
    ap.add_argument("--dirty", default=",".join(map(str, DIRTY)), help="comma-separated dirty page counts")
    ap.add_argument("--periods", default=",".join(map(str, PERIODS_MS)), help="comma-separated periods (ms)")
    ap.add_argument("--iterations", type=int, default=BENCH_ITERATIONS, help="the period runs' benchmark loops")
    ap.add_argument("--ucos-n", type=int, default=500, help="µC/OS-II task switches per round")
    ap.add_argument("--ucos-rounds", type=int, default=UCOS_ROUNDS, help="µC/OS-II rounds")
    ap.add_argument("--no-ucos", action="store_true", help="leave out the µC/OS-II task switch")
    ap.add_argument("--no-periods", action="store_true", help="leave out the backup-period runs")
    ap.add_argument("--out", type=pathlib.Path, help="default: traces/results/<platform>")
    ap.add_argument("--model", default="", help="extra plugin arguments, e.g. walk=0 (no TLB walk cost)")
    a = ap.parse_args()
    model = dict(kv.split("=", 1) for kv in a.model.split(",") if kv)
    out = a.out or xatrace.TRACES / "results" / a.platform
    work = xatrace.REPO / "build" / "traces" / "ftcost" / a.platform
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    dirty = tuple(int(d) for d in a.dirty.split(","))
    switch_rows = run_switches(a.platform, work, dirty, a.count, model)
    fixed = fixed_breakdown(a.platform, work, a.count, model)
    ucos = [] if a.no_ucos else run_ucos(a.platform, work, a.ucos_n, a.ucos_rounds, model)
    periods = [] if a.no_periods else run_periods(a.platform, work, tuple(int(p) for p in a.periods.split(",")),
                                                  a.iterations, BENCH_YIELD, model)
    text = write_results(out, a.platform, a.count, switch_rows, ucos, periods, fixed)
    print(text, end="")
    print(f"ftcost: {a.platform}: measured in {time.perf_counter() - start:.0f} s; results in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
