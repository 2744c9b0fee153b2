#!/usr/bin/python3
"""The Secure Xen on ARM benchmark of Kim and Shin under the xatrace plugin (make traces
[PLATFORM=...]): Hyosu Kim and Dongkun Shin, "Virtualization Technique on Embedded System"
(Sungkyunkwan University), their measurement of Secure Xen on ARM's performance.

Case 0: mini-OS natively on the board (no VMM); cases 1-3: xen-arm with 1, 2, 3 mini-OS
domains (domains/bench{1,2,3}.cfg), each running the 4-thread benchmark (minios/apps/bench.c).
Every case runs --runs times with the plugin (the runs must give identical CSVs) and as
often without it, for the plugin's slowdown. Writes into traces/results/<platform>/:

  case<N>.csv            whole run: rows per (domain, thread, unit) + the grand total
  case<N>-window.csv     the benchmark window only (first bench start marker .. last end marker)
  case<N>-stats.json     totals, switches, markers, VMM entries by cause, the model's parameters
  case<N>-events.csv     SWIs, interrupts, domain/thread switches, window probes, with counters
  case<N>.trace.json     Chrome/Perfetto timeline (ui.perfetto.dev: "Open trace file")
  case<N>.log            the console
  summary.csv, results.md, slowdown.csv, fig4.png, fig4_cpi.png, breakdown.png
"""
import argparse
import csv
import json
import pathlib
import statistics
import sys

import xatrace

CASES = (0, 1, 2, 3)
SYSTEMS = {0: "mini-OS native (no VMM)", 1: "xen-arm + dom0", 2: "xen-arm + dom0, dom1",
           3: "xen-arm + dom0, dom1, dom2"}
# Kim and Shin, section 4 and Figure 4, as printed. The CPIs are printed as
# "case1 .. case4" for an experiment whose cases are numbered 0..3: we place them on
# cases 0..3 in order.
PAPER_INSTR_OVERHEAD_CASE1 = 12.0  # "about 12 % more instructions", case 1 vs case 0
PAPER_CPI = {0: 1.6, 1: 1.7, 2: 1.89, 3: 2.02}
BENCH_THREADS = 4
UNIT_LABELS = {"kernel": "guest kernel", "user": "guest user", "vmm": "VMM",
               "other": "low addresses (boot, native vectors)"}


def image_for(platform: str, case: int) -> tuple[pathlib.Path, str, pathlib.Path]:
    """(boot image, command line, the mini-OS ELF whose arch_trace_marker marks the window)"""
    if case == 0:
        elf = xatrace.REPO / "build" / "minios" / "native" / platform / "minios.elf"
        return elf, "app=bench", elf
    return (xatrace.REPO / "build" / platform / "images" / f"bench{case}.elf", "",
            xatrace.REPO / "build" / "minios" / "pv" / "minios.elf")


def plugin_args(out: pathlib.Path, case: int, window: int, model: dict) -> dict:
    p = f"case{case}"
    args = {"csv": out / f"{p}.csv", "window": window, "window_csv": out / f"{p}-window.csv",
            "stats": out / f"{p}-stats.json", "events": out / f"{p}-events.csv",
            "timeline": out / f"{p}.trace.json", "hypercalls": xatrace.HYPERCALLS_H}
    args.update(model)
    return args


def check_output(case: int, run: xatrace.Run) -> None:
    if run.status != 0:
        sys.exit(f"traces: case {case} exited with status {run.status}:\n{run.output[-3000:]}")
    for d in range(max(case, 1)):
        if f"bench: dom {d} done" not in run.output:
            sys.exit(f"traces: case {case}: domain {d} did not finish the benchmark:\n{run.output[-3000:]}")


def run_case(platform: str, case: int, out: pathlib.Path, runs: int, model: dict) -> dict:
    image, append, marker_elf = image_for(platform, case)
    if not image.exists():
        sys.exit(f"traces: {image} missing (make traces builds it)")
    window = xatrace.symbol(marker_elf, "arch_trace_marker")
    bare, traced, first_csv = [], [], None
    for i in range(runs):
        b = xatrace.run(platform, image, append)
        check_output(case, b)
        bare.append(b.seconds)
        t = xatrace.run(platform, image, append, plugin_args(out, case, window, model))
        check_output(case, t)
        traced.append(t.seconds)
        if b.output != t.output:
            sys.exit(f"traces: case {case}: the plugin changed what the system printed")
        csv_text = (out / f"case{case}.csv").read_text() + (out / f"case{case}-window.csv").read_text()
        if first_csv is None:
            first_csv = csv_text
            (out / f"case{case}.log").write_text(t.output)
        elif csv_text != first_csv:
            sys.exit(f"traces: case {case}: run {i + 1} gave other CSVs than run 1 (not deterministic)")
    return {"bare": bare, "traced": traced}


def analyse(out: pathlib.Path, case: int) -> dict:
    rows, total = xatrace.read_csv(out / f"case{case}-window.csv")
    whole_rows, whole = xatrace.read_csv(out / f"case{case}.csv")
    stats = json.loads((out / f"case{case}-stats.json").read_text())
    if stats["window_hits"] != 2 * max(case, 1):
        sys.exit(f"traces: case {case}: {stats['window_hits']} benchmark markers, expected {2 * max(case, 1)}")
    # The benchmark's threads are the ones that executed a trace-marker SWI.
    events = xatrace.read_events(out / f"case{case}-events.csv")
    bench = {(e.domain, str(e.thread)) for e in events if e.kind == "swi" and e.value >= 0xFFFF00}
    if len(bench) != BENCH_THREADS * max(case, 1):
        sys.exit(f"traces: case {case}: {len(bench)} threads with markers, expected {BENCH_THREADS * max(case, 1)}")
    per_thread_i = [sum(r.instructions for r in rows if (r.domain, r.thread) == k) for k in sorted(bench)]
    per_thread_c = [sum(r.cycles for r in rows if (r.domain, r.thread) == k) for k in sorted(bench)]
    units = {}
    tlb_units: dict[str, int] = {}
    tlb_domains: dict[str, int] = {}
    for r in rows:
        u = units.setdefault(r.unit, [0, 0])
        u[0] += r.instructions
        u[1] += r.cycles
        tlb_units[r.unit] = tlb_units.get(r.unit, 0) + r.tlb_misses
        tlb_domains[r.domain] = tlb_domains.get(r.domain, 0) + r.tlb_misses
    return {
        "case": case, "domains": max(case, 1), "instructions": total.instructions, "cycles": total.cycles,
        "cpi": total.cpi, "thread_instructions": statistics.mean(per_thread_i),
        "thread_cycles": statistics.mean(per_thread_c), "units": units,
        "whole_instructions": whole.instructions, "whole_cycles": whole.cycles, "whole_cpi": whole.cpi,
        "icache_misses": total.icache_misses, "dcache_misses": total.dcache_misses,
        "tlb_misses": total.tlb_misses, "tlb_units": tlb_units, "tlb_domains": tlb_domains,
        "tlb_flushes": stats["tlb_flushes"],
        "domain_switches": stats["domain_switches"], "thread_switches": stats["thread_switches"],
        "interrupts": stats["interrupts"], "model": stats["model"],
    }


def pct(x: float, base: float) -> str:
    return f"{(x / base - 1) * 100:+.2f} %"


def write_summary(out: pathlib.Path, platform: str, res: list[dict], timing: dict) -> None:
    base = res[0]
    with open(out / "summary.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "system", "domains", "instructions", "cycles", "cpi", "instructions_per_domain_vs_case0_pct",
                     "cycles_per_domain_vs_case0_pct", "thread_instructions", "thread_cycles",
                     "thread_instructions_vs_case0_pct", "thread_cycles_vs_case0_pct", "vmm_cycles_pct",
                     "whole_run_instructions", "whole_run_cycles", "paper_cpi_as_printed", "tlb_misses",
                     "tlb_misses_kernel", "tlb_misses_vmm", "tlb_misses_by_domain"])
        for r in res:
            n = r["domains"]
            w.writerow([r["case"], SYSTEMS[r["case"]], n, r["instructions"], r["cycles"], f"{r['cpi']:.4f}",
                        f"{(r['instructions'] / n / base['instructions'] - 1) * 100:.3f}",
                        f"{(r['cycles'] / n / base['cycles'] - 1) * 100:.3f}",
                        f"{r['thread_instructions']:.1f}", f"{r['thread_cycles']:.1f}",
                        f"{(r['thread_instructions'] / base['thread_instructions'] - 1) * 100:.3f}",
                        f"{(r['thread_cycles'] / base['thread_cycles'] - 1) * 100:.3f}",
                        f"{r['units'].get('vmm', [0, 0])[1] / r['cycles'] * 100:.3f}",
                        r["whole_instructions"], r["whole_cycles"], PAPER_CPI[r["case"]], r["tlb_misses"],
                        r["tlb_units"].get("kernel", 0), r["tlb_units"].get("vmm", 0),
                        " ".join(f"{d}:{n}" for d, n in sorted(r["tlb_domains"].items()))])
    with open(out / "slowdown.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case", "runs", "min_seconds_without_plugin", "min_seconds_with_plugin", "slowdown_of_min",
                    "median_seconds_without_plugin", "median_seconds_with_plugin", "slowdown_of_median"])
        for case in CASES:
            t = timing[case]
            b, p = min(t["bare"]), min(t["traced"])
            bm, pm = statistics.median(t["bare"]), statistics.median(t["traced"])
            w.writerow([case, len(t["bare"]), f"{b:.4f}", f"{p:.4f}", f"{p / b:.2f}", f"{bm:.4f}", f"{pm:.4f}",
                        f"{pm / bm:.2f}"])

    m = base["model"]
    lines = [
        f"# The Secure Xen on ARM benchmark (Kim and Shin) on {platform}: instructions and modelled cycles",
        "",
        "Generated by `make traces" + ("" if platform == "goldfish" else f" PLATFORM={platform}") +
        "` (traces/run_traces.py). Instructions are QEMU's, exactly; cycles are the xatrace "
        "ARM926EJ-S model's (traces/README.md): ARM9EJ-S instruction timings with interlocks, "
        f"I- and D-cache {m['icache'] // 1024} KB / {m['dcache'] // 1024} KB, {m['ways']}-way, "
        f"{m['line']}-byte lines, line fill {m['ifill']}/{m['dfill']} cycles, dirty write-back "
        f"{m['wb']}, device access {m['io']}, TLB {m['tlb']} entries {m['tlb_ways']}-way with a table "
        f"walk of {m['walk']} cycles per descriptor fetch (the memory-system figures are assumptions).",
        "",
        "The **benchmark window** runs from the first benchmark start marker to the last end "
        "marker (the calls of `arch_trace_marker` in minios/apps/bench.c): the four threads' "
        "loops and messages in every domain, their switches, and everything the VMM did "
        "meanwhile (hypercalls, ticks, domain switches with their cache flushes). Each domain "
        "runs the same benchmark, so a case with n domains is compared with n times case 0 "
        "(\"per domain\"); \"per thread\" is the mean over the benchmark's threads of what ran "
        "while each was current (the paper's per-unit-task average).",
        "",
        "## Ours",
        "",
        "| case | system | instructions | cycles | CPI | instructions per domain vs case 0 | "
        "cycles per domain vs case 0 | per thread: instructions | per thread: cycles | "
        "per thread vs case 0 (instr. / cycles) | VMM share of cycles |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in res:
        n = r["domains"]
        vmm = r["units"].get("vmm", [0, 0])[1] / r["cycles"] * 100
        lines.append(
            f"| {r['case']} | {SYSTEMS[r['case']]} | {r['instructions']:,} | {r['cycles']:,} | {r['cpi']:.3f} | "
            f"{'—' if r['case'] == 0 else pct(r['instructions'] / n, base['instructions'])} | "
            f"{'—' if r['case'] == 0 else pct(r['cycles'] / n, base['cycles'])} | "
            f"{r['thread_instructions']:,.0f} | {r['thread_cycles']:,.0f} | "
            f"{'—' if r['case'] == 0 else pct(r['thread_instructions'], base['thread_instructions']) + ' / ' + pct(r['thread_cycles'], base['thread_cycles'])} | "
            f"{vmm:.2f} % |")
    lines += [
        "",
        "## The paper's numbers (Kim and Shin, \"Virtualization Technique on Embedded System\", "
        "section 4 / Figure 4), as printed",
        "",
        "| | case 0 | case 1 | case 2 | case 3 |",
        "|---|---:|---:|---:|---:|",
        f"| instructions vs case 0 | — | about +{PAPER_INSTR_OVERHEAD_CASE1:.0f} % | grows with the domains | "
        "grows with the domains |",
        "| CPI (printed as \"case1..case4\") | " + " | ".join(f"{PAPER_CPI[c]}" for c in CASES) + " |",
        "",
        "The paper's figure itself is lost from the text; only these numbers survive. Its "
        "cycles came from the goldfish emulator (QEMU 0.8.2) trace, not from a TRM model.",
        "",
        "## Ours beside the paper's",
        "",
        "| case | CPI (ours) | CPI (paper) | instructions per domain vs case 0 (ours) | (paper) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in res:
        n = r["domains"]
        paper = {0: "—", 1: f"+{PAPER_INSTR_OVERHEAD_CASE1:.0f} %"}.get(r["case"], "grows")
        lines.append(f"| {r['case']} | {r['cpi']:.3f} | {PAPER_CPI[r['case']]} | "
                     f"{'—' if r['case'] == 0 else pct(r['instructions'] / n, base['instructions'])} | {paper} |")
    lines += ["", "## Where the cycles go (benchmark window)", "",
              "| case | " + " | ".join(f"{UNIT_LABELS[u]} instr. / cycles" for u in ("kernel", "vmm", "other")) +
              " | I-cache misses | D-cache misses | TLB misses (guest kernel / VMM) | TLB misses by domain "
              "| TLB flushes | domain switches | thread switches | interrupts |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res:
        cells = []
        for u in ("kernel", "vmm", "other"):
            i, c = r["units"].get(u, [0, 0])
            cells.append(f"{i:,} / {c:,}")
        lines.append(f"| {r['case']} | " + " | ".join(cells) +
                     f" | {r['icache_misses']:,} | {r['dcache_misses']:,} | "
                     f"{r['tlb_units'].get('kernel', 0):,} / {r['tlb_units'].get('vmm', 0):,} | "
                     + (", ".join(f"{d}: {n:,}" for d, n in sorted(r['tlb_domains'].items())) or "0") +
                     f" | {r['tlb_flushes']} | {r['domain_switches']} | "
                     f"{r['thread_switches']} | {r['interrupts']} |")
    lines += ["", "Switch, interrupt and TLB-flush counts are for the whole run. A TLB miss costs a "
              "table walk: one descriptor fetch for a section (the VMM's DIRECTMAP/IOREMAP, a native "
              "mini-OS), two for a small page (xen-arm's guests).", "",
              "## Whole runs (boot and shutdown included)", "",
              "| case | instructions | cycles | CPI |", "|---|---:|---:|---:|"]
    for r in res:
        lines.append(f"| {r['case']} | {r['whole_instructions']:,} | {r['whole_cycles']:,} | {r['whole_cpi']:.3f} |")
    runs = len(timing[0]["bare"])
    lines += ["", "## The plugin's cost", "",
              f"Wall-clock seconds of whole QEMU runs (tools/run-qemu.sh --test, start-up included), "
              f"{runs} runs each without and with the plugin (every output on); the slowdown is the ratio "
              "of the fastest runs (the least disturbed by the host), and of the medians:", "",
              "| case | without plugin (min / median) | with plugin (min / median) | slowdown (min / median) |",
              "|---|---:|---:|---:|"]
    sums = [0.0, 0.0, 0.0, 0.0]
    for c in CASES:
        t = timing[c]
        vals = [min(t["bare"]), statistics.median(t["bare"]), min(t["traced"]), statistics.median(t["traced"])]
        sums = [a + b for a, b in zip(sums, vals)]
        lines.append(f"| {c} | {vals[0]:.3f} / {vals[1]:.3f} s | {vals[2]:.3f} / {vals[3]:.3f} s | "
                     f"{vals[2] / vals[0]:.2f}x / {vals[3] / vals[1]:.2f}x |")
    lines.append(f"| all | {sums[0]:.3f} / {sums[1]:.3f} s | {sums[2]:.3f} / {sums[3]:.3f} s | "
                 f"{sums[2] / sums[0]:.2f}x / {sums[3] / sums[1]:.2f}x |")
    lines += ["", "Files: `case<N>.csv` (whole run), `case<N>-window.csv` (benchmark window), "
              "`case<N>.trace.json` (open in ui.perfetto.dev), `case<N>-stats.json`, `case<N>-events.csv`, "
              "`summary.csv`, `slowdown.csv`, `fig4.png`, `fig4_cpi.png`, `breakdown.png`.", ""]
    (out / "results.md").write_text("\n".join(lines))


def plot(out: pathlib.Path, platform: str, res: list[dict]) -> None:
    """fig4.png, fig4_cpi.png, breakdown.png (traces/plots.py)."""
    import plots
    plots.save(plots.overhead_figure(platform, res, PAPER_INSTR_OVERHEAD_CASE1), out / "fig4.png")
    plots.save(plots.cpi_figure(platform, res, PAPER_CPI), out / "fig4_cpi.png")
    plots.save(plots.breakdown_figure(platform, res), out / "breakdown.png")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", default="goldfish", choices=xatrace.PLATFORMS)
    ap.add_argument("--out", type=pathlib.Path, help="default: traces/results/<platform>")
    ap.add_argument("--runs", type=int, default=5, help="runs of each case with and without the plugin")
    ap.add_argument("--model", default="", help="extra plugin arguments, e.g. ifill=30,dfill=30")
    ap.add_argument("--replot", action="store_true",
                    help="only redraw the plots from the case files of an earlier run (no QEMU)")
    args = ap.parse_args()
    out = args.out or xatrace.TRACES / "results" / args.platform
    out.mkdir(parents=True, exist_ok=True)
    if args.replot:
        plot(out, args.platform, [analyse(out, case) for case in CASES])
        print(f"traces: plots redrawn in {out}")
        return
    model = dict(kv.split("=", 1) for kv in args.model.split(",") if kv)
    timing, res = {}, []
    for case in CASES:
        print(f"traces: {args.platform} case {case}: {SYSTEMS[case]} ({args.runs} runs with and without the plugin)",
              flush=True)
        timing[case] = run_case(args.platform, case, out, max(args.runs, 1), model)
        res.append(analyse(out, case))
    write_summary(out, args.platform, res, timing)
    plot(out, args.platform, res)
    print((out / "results.md").read_text())
    print(f"traces: results in {out.relative_to(xatrace.REPO)}")


if __name__ == "__main__":
    main()
