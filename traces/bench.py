#!/usr/bin/python3
"""Microbenchmarks of xen-arm's paths under the xatrace plugin (make bench [PLATFORM=...]).

Each benchmark boots a small system, lets the plugin record its instruction and cycle
counters at probed instructions (global labels of tests/guests/microbench.S and
minios/apps/tswitch.c) and at interrupt entries, and pairs them into one sample per
iteration:

  null hypercall           mb_null_swi -> mb_null_ret, same domain: the SWI, the VMM's
                           round trip, back at the next guest instruction
  event to another domain  mb_send_swi in A -> mb_upcall in B: send, the sender's own
                           instructions up to its block hypercall, the domain switch, the
                           upcall bounce, until B's handler's first instruction
  timer IRQ to handler     IRQ vector entry -> mb_upcall: the tick, VIRQ_TIMER, the bounce
  domain switch            mb_yield_swi in A -> mb_yield_ret in B: a yield hypercall that
                           switches domains (context, DACR, TTBR, cache and TLB flush)
  guest thread switch      tswitch_call in thread a -> tswitch_back in thread b (mini-OS
                           schedule() and its context switch, inside one domain)

Prints a table (min / median / max over the samples) and writes
traces/results/<platform>/bench.csv and bench.md.
"""
import argparse
import csv
import dataclasses
import pathlib
import statistics
import sys

import xatrace

GUESTS = xatrace.REPO / "build" / "guests"
KERNELS = xatrace.REPO / "build" / "traces" / "kernels"
RAM_BASE = {"goldfish": "0x0", "imx21": "0xC0000000", "versatilepb": "0x0"}


@dataclasses.dataclass
class Bench:
    name: str
    kernel_dir: pathlib.Path
    kernel: str
    domains: int
    cmdline: str
    start: str          # probe symbol, or "irq"
    end: str            # probe symbol
    other: str          # the end must be in the "domain" or "thread" other than the start's, or "same"


def benches(count: int) -> list[Bench]:
    return [
        Bench("null hypercall (xen_version round trip)", GUESTS, "microbench", 1, f"mode=1 count={count}",
              "mb_null_swi", "mb_null_ret", "same"),
        Bench("event send to another domain until its handler runs", GUESTS, "microbench", 2,
              f"mode=3 count={count}", "mb_send_swi", "mb_upcall", "domain"),
        Bench("physical timer IRQ until the guest's handler runs", GUESTS, "microbench", 1,
              f"mode=4 count={count}", "irq", "mb_upcall", "same"),
        Bench("domain switch (yield until the other domain runs)", GUESTS, "microbench", 2,
              f"mode=2 count={count}", "mb_yield_swi", "mb_yield_ret", "domain"),
        Bench("guest thread switch (mini-OS schedule())", KERNELS, "minios-tswitch", 1,
              f"app=tswitch count={count}", "tswitch_call", "tswitch_back", "thread"),
    ]


def config(b: Bench) -> str:
    text = "[system]\nname = bench\n\n"
    for i in range(b.domains):
        text += (f"[domain {'dom0' if i == 0 else f'd{i}'}]\nkernel = {b.kernel}\nmemory = 1M\n"
                 f"timeslice = 10ms\nstart = boot\n" + ("privileged = yes\n" if i == 0 else "") +
                 f"cmdline = \"{b.cmdline}\"\n\n")
    return text


def build_image(b: Bench, platform: str, work: pathlib.Path, tag: str) -> pathlib.Path:
    import subprocess
    cfg = work / f"{tag}.cfg"
    cfg.write_text(config(b))
    out = work / f"{tag}.elf"
    subprocess.run(["/usr/bin/python3", str(xatrace.REPO / "domains" / "mkimage.py"), "--vmm",
                    str(xatrace.REPO / "build" / platform / "xen-arm.elf"), "--config", str(cfg), "--kernel-dir",
                    str(b.kernel_dir), "--board", platform, "--ram-base", RAM_BASE[platform], "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def samples(b: Bench, events: list[xatrace.Event], probes: dict[str, int]) -> list[tuple[int, int]]:
    """(instructions, cycles) of each start -> end pair."""
    start_addr = probes.get(b.start)
    end_addr = probes[b.end]
    out, start = [], None
    for e in events:
        if e.domain == "none":
            continue  # before the first domain: the VMM's own boot (imx21 boots at 0xC0000000)
        is_start = (e.kind == "irq") if b.start == "irq" else (e.kind == "probe" and e.value == start_addr)
        if is_start:
            start = e
        elif e.kind == "probe" and e.value == end_addr and start is not None:
            if b.other == "domain" and e.domain == start.domain:
                continue
            if b.other == "thread" and (e.domain != start.domain or e.thread == start.thread):
                continue
            if b.other == "same" and e.domain != start.domain:
                continue
            out.append((e.instructions - start.instructions, e.cycles - start.cycles))
            start = None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", default="goldfish", choices=xatrace.PLATFORMS)
    ap.add_argument("--count", type=int, default=200, help="iterations of each benchmark")
    ap.add_argument("--out", type=pathlib.Path, help="default: traces/results/<platform>")
    ap.add_argument("--model", default="", help="extra plugin arguments, e.g. walk=0 (no TLB walk cost)")
    args = ap.parse_args()
    model = dict(kv.split("=", 1) for kv in args.model.split(",") if kv)
    out = args.out or xatrace.TRACES / "results" / args.platform
    out.mkdir(parents=True, exist_ok=True)
    work = xatrace.REPO / "build" / "traces" / "bench" / args.platform
    work.mkdir(parents=True, exist_ok=True)

    results = []
    for i, b in enumerate(benches(args.count)):
        elf = b.kernel_dir / f"{b.kernel}.elf"
        probes = {s: xatrace.symbol(elf, s) for s in (b.start, b.end) if s != "irq"}
        image = build_image(b, args.platform, work, f"bench{i}")
        events_csv = work / f"bench{i}-events.csv"
        run = xatrace.run(args.platform, image, "", {"events": events_csv, "probe": list(probes.values()), **model})
        if run.status != 0 or f"({b.domains} shut down, 0 crashed)" not in run.output:
            sys.exit(f"bench: '{b.name}' did not run cleanly (status {run.status}):\n{run.output[-3000:]}")
        s = samples(b, xatrace.read_events(events_csv), probes)
        if len(s) < args.count // 2:
            sys.exit(f"bench: '{b.name}': only {len(s)} samples for {args.count} iterations")
        results.append((b, s))

    header = ["benchmark", "samples", "instructions_min", "instructions_median", "instructions_max",
              "cycles_min", "cycles_median", "cycles_max"]
    rows = []
    for b, s in results:
        insns = [x[0] for x in s]
        cycles = [x[1] for x in s]
        rows.append([b.name, len(s), min(insns), statistics.median(insns), max(insns), min(cycles),
                     statistics.median(cycles), max(cycles)])
    with open(out / "bench.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)

    def num(v) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"

    lines = [f"# xen-arm microbenchmarks on {args.platform} (make bench)", "",
             f"{args.count} iterations each; instructions are QEMU's, cycles the xatrace ARM926EJ-S model's "
             "(traces/README.md); min / median / max over the samples (the maximum is usually the first, "
             "cold-cache iteration).", "",
             "| benchmark | samples | instructions min / median / max | cycles min / median / max |",
             "|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {num(r[2])} / {num(r[3])} / {num(r[4])} | "
                     f"{num(r[5])} / {num(r[6])} / {num(r[7])} |")
    lines.append("")
    (out / "bench.md").write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"bench: {(out / 'bench.csv').relative_to(xatrace.REPO)}")


if __name__ == "__main__":
    main()
