#!/usr/bin/python3
"""The Secure Xen on ARM benchmark made harsh on domain switches (make switchcost
[PLATFORM=...]): Kim and Shin's 4-thread benchmark (minios/apps/bench.c) with its threads
yielding to each other every YIELD iterations and the domains switching every SLICE, in 1, 2,
3 and 8 domains, against n times the same run natively. Each xen-arm system runs twice:
with the VMM's default switches, which keep the caches and the TLB unless two domains clash
(switch=keep: xen-arm/include/address_space.hh), and with every switch cleaning them
(switch=clean), which is what the VMM did on every switch before kernel windows and
ARM-domain tags. Instructions and modelled cycles come from the xatrace plugin's totals.

Prints a table and writes traces/results/<platform>/switchcost.csv and switchcost.md.
"""
import argparse
import csv
import pathlib
import re
import subprocess
import sys

import xatrace

SLICE = "100us"  # the shortest timeslice a configuration may give
YIELD = 1000
ITERATIONS = 100000
DOMAINS = (1, 2, 3, 8)
RAM_BASE = {"goldfish": "0x0", "imx21": "0xc0000000", "versatilepb": "0x0"}
STOP = re.compile(r"^xen-arm: no domain left to run \((\d+) shut down, (\d+) crashed\); (\d+) domain switches "
                  r"\((\d+) cleaning the caches\)", re.M)


def cmdline(iterations: int, yield_every: int) -> str:
    return f"app=bench yield={yield_every} iterations={iterations}"


def config(n: int, iterations: int, yield_every: int) -> str:
    text = "[system]\nname = switchcost\n"
    for i in range(n):
        text += (f"\n[domain {'dom0' if i == 0 else f'guest{i}'}]\nkernel = minios\nmemory = 1M\n"
                 f"timeslice = {SLICE}\nprivileged = {'yes' if i == 0 else 'no'}\nstart = boot\n"
                 f"cmdline = {cmdline(iterations, yield_every)}\n")
    return text


def build(platform: str, work: pathlib.Path, n: int, iterations: int, yield_every: int) -> pathlib.Path:
    cfg = work / f"switchcost{n}.cfg"
    cfg.write_text(config(n, iterations, yield_every))
    out = work / f"switchcost{n}.elf"
    subprocess.run(["/usr/bin/python3", str(xatrace.REPO / "domains" / "mkimage.py"), "--vmm",
                    str(xatrace.REPO / "build" / platform / "xen-arm.elf"), "--config", str(cfg),
                    "--kernel-dir", str(xatrace.REPO / "build" / "minios" / "pv"), "--board", platform,
                    "--ram-base", RAM_BASE[platform], "-o", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def measure(platform: str, image: pathlib.Path, append: str, work: pathlib.Path, tag: str) -> dict:
    """{instructions, cycles, switches, cleans} of one run under the plugin."""
    out_csv = work / f"{tag}.csv"
    run = xatrace.run(platform, image, append, {"csv": out_csv})
    if run.status != 0:
        sys.exit(f"switchcost: {tag} ended with status {run.status}:\n{run.output[-3000:]}")
    _, total = xatrace.read_csv(out_csv)
    figures = {"instructions": total.instructions, "cycles": total.cycles, "switches": 0, "cleans": 0}
    stop = STOP.search(run.output)
    if stop:
        figures["switches"], figures["cleans"] = int(stop.group(3)), int(stop.group(4))
    return figures


def run_all(platform: str, work: pathlib.Path, domains: tuple[int, ...], iterations: int,
            yield_every: int) -> list[dict]:
    work.mkdir(parents=True, exist_ok=True)
    native = measure(platform, xatrace.REPO / "build" / "minios" / "native" / platform / "minios.elf",
                     cmdline(iterations, yield_every), work, "native")
    rows = []
    for n in domains:
        image = build(platform, work, n, iterations, yield_every)
        row = {"domains": n, "native_instructions": n * native["instructions"], "native_cycles": n * native["cycles"]}
        for mode in ("keep", "clean"):
            f = measure(platform, image, f"switch={mode}", work, f"switchcost{n}-{mode}")
            row.update({f"{k}_{mode}": v for k, v in f.items()})
        rows.append(row)
    return rows


def pct(value: int, base: int) -> str:
    return f"{100.0 * (value - base) / base:+.2f} %"


def table(platform: str, rows: list[dict], iterations: int, yield_every: int) -> str:
    lines = [f"# Domain switches that keep the caches, on {platform} (make switchcost)", "",
             f"Kim and Shin's benchmark, 4 threads per domain, each loop {iterations:,} iterations, every thread "
             f"yielding every {yield_every} iterations, {SLICE} timeslices; against n x the native run "
             "(mini-OS without the VMM). switch=keep: xen-arm's default; switch=clean: every domain switch cleans "
             "the caches and the TLB. Modelled cycles are the xatrace plugin's.", "",
             "| domains | switches | switches that cleaned (keep / clean) | instructions vs native (keep / clean) "
             "| cycles vs native (keep / clean) | cycles saved by keep |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        saved = r["cycles_clean"] - r["cycles_keep"]
        lines.append(
            f"| {r['domains']} | {r['switches_keep']:,} | {r['cleans_keep']:,} / {r['cleans_clean']:,} "
            f"| {pct(r['instructions_keep'], r['native_instructions'])} / "
            f"{pct(r['instructions_clean'], r['native_instructions'])} "
            f"| {pct(r['cycles_keep'], r['native_cycles'])} / {pct(r['cycles_clean'], r['native_cycles'])} "
            f"| {saved:,} ({100.0 * saved / r['cycles_clean']:.1f} %) |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", default="goldfish")
    ap.add_argument("--iterations", type=int, default=ITERATIONS)
    ap.add_argument("--yield-every", type=int, default=YIELD)
    ap.add_argument("--domains", default=",".join(map(str, DOMAINS)), help="comma-separated domain counts")
    ap.add_argument("--out", type=pathlib.Path, help="results directory (default traces/results/<platform>)")
    a = ap.parse_args()
    domains = tuple(int(d) for d in a.domains.split(","))
    out = a.out or xatrace.REPO / "traces" / "results" / a.platform
    rows = run_all(a.platform, xatrace.REPO / "build" / a.platform / "switchcost", domains, a.iterations,
                   a.yield_every)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "switchcost.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    text = table(a.platform, rows, a.iterations, a.yield_every)
    (out / "switchcost.md").write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
