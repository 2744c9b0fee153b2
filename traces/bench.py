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
                           switches domains (context, DACR, TTBR; the two domains run in
                           kernel windows of their own, so the caches and the TLB stay), one
                           row per direction: dom0 -> d1, and d1 -> dom0, where the
                           round-robin queue wraps around (a few instructions more)
  guest thread switch      tswitch_call in thread a -> tswitch_back in thread b (mini-OS
                           schedule() and its context switch, inside one domain)
  scheduler pick           the domain switch's yield under fixed-priority, credit and sedf
                           (the domain switch itself runs under round-robin)
  sedf budget enforcement  two CPU-bound mini-OS domains, each a sedf server: IRQ vector
                           entry (not from the idle VMM) -> xa_return_to_guest in the other
                           domain: the timer interrupt that ends one's run and switches

the event send and the domain switch once more with the VMM's switch=clean, every switch
cleaning and invalidating the caches and the TLB as xen-arm's switches did before kernel
windows and ARM-domain tags: the difference is the clean and the refill it costs;
the reset to the first guest instruction (the first execution of the guest kernel's entry
point) of the one- and the two-domain microbench systems; and the µC/OS-II task switch (ucos-port/apps/bench.c, app=bench), natively on the board and
as the only domain of xen-arm: two tasks switch N times per round, each round between two
BSP_Mark() calls, once with N switches and once with none; with the plugin probing
BSP_Mark, one switch is the difference of the fastest loaded and the fastest empty round
over 2N switches, in instructions and in modelled cycles (the markers' own cost cancels).
Two ways: the port's raw OS_TASK_SW() and an OSSemPost/OSSemPend ping-pong.

Prints the tables (mini-OS: min / median / max over the samples) and writes, for the one
board asked for, traces/results/<platform>/bench.csv (mini-OS), ucos-bench.csv (µC/OS-II)
and bench.md (both).
"""
import argparse
import csv
import dataclasses
import pathlib
import re
import statistics
import sys

import xatrace

GUESTS = xatrace.REPO / "build" / "guests"
KERNELS = xatrace.REPO / "build" / "traces" / "kernels"
UCOS = xatrace.REPO / "build" / "ucos"
MINIOS_PV = xatrace.REPO / "build" / "minios" / "pv"


def vmm_elf(platform: str) -> pathlib.Path:
    return xatrace.REPO / "build" / platform / "xen-arm.elf"

UCOS_KINDS = {1: "µC/OS-II task switch, raw OS_TASK_SW() (the port's path)",
              2: "µC/OS-II task switch, OSSemPost/OSSemPend ping-pong"}
UCOS_SYSTEMS = ("native", "xen-arm")
UCOS_HEADER = ["benchmark", "system", "switches_per_round", "rounds", "instructions_per_switch",
               "cycles_per_switch", "instructions_vs_native_pct", "cycles_vs_native_pct",
               "instructions_per_switch_icount_clock"]
MINIOS_HEADER = ["benchmark", "samples", "instructions_min", "instructions_median", "instructions_max",
                 "cycles_min", "cycles_median", "cycles_max"]
ICOUNT_NS_PER_INSN = 8  # -icount shift=3 (tools/run-qemu.sh)
RAM_BASE = {name: board.ram_base_arg for name, board in xatrace.BOARDS.items()}  # mkimage's --ram-base


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
    scheduler: str = ""  # [system] scheduler (default: round-robin)
    domain_keys: str = ""  # more keys of every [domain] (a policy's parameters)
    by_direction: bool = False  # one row per (start domain, end domain)


VMM_PROBES = {"xa_return_to_guest"}  # probe symbols of the VMM's ELF, not the guest's
# The scheduler's pick: a yield that switches between two microbench domains, under each
# other policy (round-robin is the "domain switch" line). sedf: each a server of 2 ms
# every 10 ms that may also run as background work, so a yield (which gives up the rest of
# the budget) finds either the other's server or the background queue.
POLICY_KEYS = {"fixed-priority": "priority = 10\n", "credit": "weight = 256\n",
               "sedf": "period = 10ms\nbudget = 2ms\nextra = yes\n"}
# The budget-enforcement interrupt: two CPU-bound mini-OS domains (app=spin), each a sedf
# server of 1.5 ms every 4 ms without extra time; the timer interrupt that ends one's
# budget switches to the other (or to nothing: those samples, from the idle VMM, are left
# out with the interrupts that switch nothing): about one sample per 2 ms of spinning.
BUDGET_SPIN_MS_PER_SAMPLE = 2


def benches(count: int) -> list[Bench]:
    return [
        Bench("null hypercall (xen_version round trip)", GUESTS, "microbench", 1, f"mode=1 count={count}",
              "mb_null_swi", "mb_null_ret", "same"),
        Bench("event send to another domain until its handler runs", GUESTS, "microbench", 2,
              f"mode=3 count={count}", "mb_send_swi", "mb_upcall", "domain"),
        Bench("physical timer IRQ until the guest's handler runs", GUESTS, "microbench", 1,
              f"mode=4 count={count}", "irq", "mb_upcall", "same"),
        Bench("domain switch (yield until the other domain runs)", GUESTS, "microbench", 2,
              f"mode=2 count={count}", "mb_yield_swi", "mb_yield_ret", "domain", by_direction=True),
        Bench("guest thread switch (mini-OS schedule())", KERNELS, "minios-tswitch", 1,
              f"app=tswitch count={count}", "tswitch_call", "tswitch_back", "thread"),
        *(Bench(f"scheduler pick: yield until the other domain runs, {policy}", GUESTS, "microbench", 2,
                f"mode=2 count={count}", "mb_yield_swi", "mb_yield_ret", "domain", policy, keys)
          for policy, keys in POLICY_KEYS.items()),
        Bench("sedf budget enforcement: the timer IRQ that switches servers, until the VMM enters the next domain",
              MINIOS_PV, "minios", 2, f"app=spin delay=0 window={BUDGET_SPIN_MS_PER_SAMPLE * count}", "irq",
              "xa_return_to_guest", "domain", "sedf", "period = 4ms\nbudget = 1500us\n"),
    ]


def config(b: Bench) -> str:
    text = "[system]\nname = bench\n" + (f"scheduler = {b.scheduler}\n" if b.scheduler else "") + "\n"
    for i in range(b.domains):
        text += (f"[domain {'dom0' if i == 0 else f'd{i}'}]\nkernel = {b.kernel}\nmemory = 1M\n"
                 f"timeslice = 10ms\nstart = boot\n" + ("privileged = yes\n" if i == 0 else "") +
                 b.domain_keys + f"cmdline = \"{b.cmdline}\"\n\n")
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
    return [s[:2] for s in directed_samples(b, events, probes)]


def directed_samples(b: Bench, events: list[xatrace.Event],
                     probes: dict[str, int]) -> list[tuple[int, int, str, str]]:
    """(instructions, cycles, start domain, end domain) of each start -> end pair."""
    start_addr = probes.get(b.start)
    end_addr = probes[b.end]
    out, start = [], None
    for e in events:
        if e.domain == "none":
            continue  # before the first domain: the VMM's own boot (imx21 boots at 0xC0000000)
        is_start = (e.kind == "irq") if b.start == "irq" else (e.kind == "probe" and e.value == start_addr)
        if is_start:
            # An interrupt that ends the idle VMM's wait is no switch away from a domain.
            start = None if e.domain == "idle" else e
        elif e.kind == "probe" and e.value == end_addr and start is not None:
            if b.other == "domain" and e.domain == start.domain:
                continue
            if b.other == "thread" and (e.domain != start.domain or e.thread == start.thread):
                continue
            if b.other == "same" and e.domain != start.domain:
                continue
            out.append((e.instructions - start.instructions, e.cycles - start.cycles, start.domain, e.domain))
            start = None
    return out


def elf_entry(elf: pathlib.Path) -> int:
    """e_entry of a 32-bit little-endian ELF."""
    return int.from_bytes(elf.read_bytes()[24:28], "little")


def first_hit(events: list[xatrace.Event], addr: int) -> tuple[int, int]:
    """(instructions, cycles) from reset to the first execution of the probed addr by a
    domain (imx21's VMM boots at 0xC0000000 with the MMU off: not the guest's entry)."""
    e = next((e for e in events if e.kind == "probe" and e.value == addr and e.domain != "none"), None)
    if e is None:
        sys.exit(f"bench: the probe at 0x{addr:08x} never ran")
    return e.instructions, e.cycles


def measure(b: Bench, platform: str, work: pathlib.Path, tag: str, count: int,
            plugin: dict, append: str = "") -> tuple[list[tuple[int, int, str, str]], tuple[int, int]]:
    """Boots b's system under the plugin: its directed samples, and (instructions, cycles)
    from reset to the first guest instruction (the kernel's entry point)."""
    elf = b.kernel_dir / f"{b.kernel}.elf"
    probes = {s: xatrace.symbol(vmm_elf(platform) if s in VMM_PROBES else elf, s)
              for s in (b.start, b.end) if s != "irq"}
    entry = elf_entry(elf)
    image = build_image(b, platform, work, tag)
    events_csv = work / f"{tag}-events.csv"
    run = xatrace.run(platform, image, append,
                      {"events": events_csv, "probe": list(probes.values()) + [entry], **plugin})
    if run.status != 0 or f"({b.domains} shut down, 0 crashed)" not in run.output:
        sys.exit(f"bench: '{b.name}' did not run cleanly (status {run.status}):\n{run.output[-3000:]}")
    events = xatrace.read_events(events_csv)
    s = directed_samples(b, events, probes)
    if len(s) < count // 2:
        sys.exit(f"bench: '{b.name}': only {len(s)} samples for {count} iterations")
    return s, first_hit(events, entry)


def summary(name: str, s: list[tuple]) -> list:
    """A bench.csv row: name, samples, instructions and cycles min / median / max."""
    insns = [x[0] for x in s]
    cycles = [x[1] for x in s]
    return [name, len(s), min(insns), statistics.median(insns), max(insns), min(cycles), statistics.median(cycles),
            max(cycles)]


def domain_name(domain: str) -> str:
    return "dom0" if domain == "0" else f"d{domain}"


def path_rows(b: Bench, s: list[tuple[int, int, str, str]], suffix: str = "") -> list[list]:
    """b's rows: one over all samples, or one per direction (the wrap-around of the
    round-robin queue, d1 -> dom0, apart from dom0 -> d1)."""
    if not b.by_direction:
        return [summary(b.name + suffix, s)]
    rows = []
    for start, end in sorted({(x[2], x[3]) for x in s}):
        wraps = " (the queue wraps around)" if int(end) < int(start) else ""
        name = b.name.replace("(yield until the other domain runs)",
                              f"(yield, {domain_name(start)} -> {domain_name(end)}{wraps})")
        rows.append(summary(name + suffix, [x for x in s if (x[2], x[3]) == (start, end)]))
    return rows


# The paths that switch domains: measured again with every switch cleaning (clean_rows).
MAINTENANCE_BENCHES = ("event send to another domain until its handler runs",
                       "domain switch (yield until the other domain runs)")
CLEAN_SUFFIX = ", every switch cleaning the caches and the TLB (switch=clean)"


def clean_rows(platform: str, work: pathlib.Path, count: int, model: dict) -> list[list]:
    """The event send and the domain switch once more with the VMM's switch=clean: every
    domain switch cleans and invalidates the caches and the TLB, as xen-arm's switches did
    before kernel windows and ARM-domain tags let them keep both (the default, switch=keep:
    xen-arm/include/address_space.hh). The difference is what keeping them saves."""
    rows = []
    for i, b in enumerate(x for x in benches(count) if x.name in MAINTENANCE_BENCHES):
        s, _ = measure(b, platform, work, f"clean{i}", count, model, append="switch=clean")
        rows += path_rows(b, s, CLEAN_SUFFIX)
    return rows


def boot_rows(boots: dict[int, tuple[int, int]]) -> list[list]:
    """Reset to the first guest instruction, per number of domains (one sample each)."""
    return [[f"reset to the first guest instruction ({n} microbench domain{'s' if n > 1 else ''}, 1 MiB each)", 1,
             i, i, i, c, c, c] for n, (i, c) in sorted(boots.items())]


def ucos_tags(rounds: int) -> list[int]:
    """The BSP_Mark tags of ucos-port/apps/bench.c in the order it calls them:
    0xC5KKRRLP, KK kind, RR round, L 1 = N switches / 0 = none, P 0 start / 1 end."""
    return [0xC5000000 | kind << 16 | r << 8 | loaded << 4 | phase
            for kind in UCOS_KINDS for r in range(rounds) for loaded in (0, 1) for phase in (0, 1)]


def ucos_per_switch(marks: dict[int, tuple[int, ...]], kind: int, n: int, rounds: int) -> tuple[float, ...]:
    """Per switch, for each counter of the marks (instructions, cycles, ...): the fastest
    round with n switches minus the fastest without, over 2n switches."""
    width = len(next(iter(marks.values())))

    def fastest(loaded: int, i: int) -> int:
        spans = []
        for r in range(rounds):
            tag = 0xC5000000 | kind << 16 | r << 8 | loaded << 4
            spans.append(marks[tag | 1][i] - marks[tag][i])
        return min(spans)
    return tuple((fastest(1, i) - fastest(0, i)) / (2 * n) for i in range(width))


def ucos_console_marks(output: str) -> dict[int, tuple[int]]:
    """The markers' virtual time in instructions (-icount), as tests/system/test_ucos_bench.py
    reads them: the VMM's trace lines (pv), the guest's own table (native)."""
    found = {}
    for m in re.finditer(r"^(?:xen-arm: trace dom0 marker|mark) 0x([0-9a-f]{8}) at (\d+) ns$", output, re.M):
        found[int(m.group(1), 16)] = (int(m.group(2)) // ICOUNT_NS_PER_INSN,)
    return found


def run_ucos(platform: str, work: pathlib.Path, n: int, rounds: int, model: dict) -> dict:
    """{(kind, system): (instructions, cycles, instructions by the -icount clock)} per switch."""
    cmdline = f"app=bench n={n} rounds={rounds}"
    native = UCOS / "native" / platform / "ucos.elf"
    pv = UCOS / "pv" / "ucos.elf"
    for elf in (native, pv):
        if not elf.exists():
            sys.exit(f"bench: {elf} missing (make ucos builds it)")
    pv_image = build_image(Bench("ucos", pv.parent, "ucos", 1, cmdline, "", "", "same"), platform, work, "ucos")
    tags = ucos_tags(rounds)
    out = {}
    for system, elf, image, append in (("native", native, native, cmdline), ("xen-arm", pv, pv_image, "")):
        mark = xatrace.symbol(elf, "BSP_Mark")
        events_csv = work / f"ucos-{system}-events.csv"
        run = xatrace.run(platform, image, append, {"events": events_csv, "probe": mark, **model})
        if run.status != 0 or "bench: done" not in run.output:
            sys.exit(f"bench: µC/OS-II bench ({system}) did not run cleanly (status {run.status}):\n"
                     f"{run.output[-3000:]}")
        hits = [e for e in xatrace.read_events(events_csv) if e.kind == "probe" and e.value == mark]
        if len(hits) != len(tags):
            sys.exit(f"bench: µC/OS-II bench ({system}): {len(hits)} BSP_Mark calls, expected {len(tags)}")
        marks = {t: (e.instructions, e.cycles) for t, e in zip(tags, hits)}
        clock = ucos_console_marks(run.output)
        if set(clock) != set(tags):
            sys.exit(f"bench: µC/OS-II bench ({system}): the console shows {len(clock)} of {len(tags)} markers")
        for kind in UCOS_KINDS:
            out[kind, system] = ucos_per_switch(marks, kind, n, rounds) + ucos_per_switch(clock, kind, n, rounds)
    return out


def ucos_rows(figures: dict, n: int, rounds: int) -> list[list]:
    rows = []
    for kind, name in UCOS_KINDS.items():
        nat = figures[kind, "native"]
        for system in UCOS_SYSTEMS:
            insns, cycles, clock = figures[kind, system]
            vs = ["", ""] if system == "native" else [f"{(insns / nat[0] - 1) * 100:.1f}",
                                                      f"{(cycles / nat[1] - 1) * 100:.1f}"]
            rows.append([name, system, n, rounds, f"{insns:.1f}", f"{cycles:.1f}", *vs, f"{clock:.1f}"])
    return rows


def write_results(out: pathlib.Path, platform: str, count: int, rows: list[list], ucos: list[list]) -> str:
    """bench.csv (mini-OS paths), ucos-bench.csv (µC/OS-II task switches) and bench.md (both);
    returns the markdown."""
    with open(out / "bench.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(MINIOS_HEADER)
        w.writerows(rows)
    if ucos:
        with open(out / "ucos-bench.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(UCOS_HEADER)
            w.writerows(ucos)

    def num(v) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"

    lines = [f"# xen-arm microbenchmarks on {platform} (make bench)", "",
             "## The VMM's paths (mini-OS and the test guests)", "",
             f"{count} iterations each; instructions are QEMU's, cycles the xatrace ARM926EJ-S model's "
             "(traces/README.md); min / median / max over the samples (the maximum is usually the first, "
             "cold-cache iteration).", "",
             "| benchmark | samples | instructions min / median / max | cycles min / median / max |",
             "|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r[0]} | {r[1]} | {num(r[2])} / {num(r[3])} / {num(r[4])} | "
                     f"{num(r[5])} / {num(r[6])} / {num(r[7])} |")
    if ucos:
        n, rounds = ucos[0][2], ucos[0][3]
        lines += ["", "## µC/OS-II: one task switch, native and as a xen-arm domain", "",
                  f"ucos-port/apps/bench.c: {n} switches per round, {rounds} rounds; one switch = (fastest "
                  f"round with {n} switches - fastest round without) / {2 * n}. Instructions and modelled "
                  "cycles from the plugin's counters at each BSP_Mark() call; the last column is the same "
                  "difference by QEMU's -icount clock (8 ns an instruction), as tests/system/test_ucos_bench.py "
                  "measures it.", "",
                  "| per task switch | system | instructions | modelled cycles | vs native (instr. / cycles) "
                  "| instructions by the -icount clock |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in ucos:
            vs = "—" if r[1] == "native" else f"{float(r[6]):+.1f} % / {float(r[7]):+.1f} %"
            lines.append(f"| {r[0]} | {r[1]} | {r[4]} | {r[5]} | {vs} | {r[8]} |")
    lines.append("")
    text = "\n".join(lines)
    (out / "bench.md").write_text(text)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", default="goldfish", choices=xatrace.PLATFORMS)
    ap.add_argument("--count", type=int, default=200, help="iterations of each benchmark")
    ap.add_argument("--out", type=pathlib.Path, help="default: <results>/<platform>")
    ap.add_argument("--results", type=pathlib.Path, default=xatrace.TRACES / "results",
                    help="the folder of the boards' result folders (default: traces/results)")
    ap.add_argument("--model", default="", help="extra plugin arguments, e.g. walk=0 (no TLB walk cost)")
    ap.add_argument("--ucos-n", type=int, default=500, help="µC/OS-II task switches per round")
    ap.add_argument("--ucos-rounds", type=int, default=8, help="µC/OS-II rounds (the fastest counts)")
    ap.add_argument("--no-ucos", action="store_true", help="leave out the µC/OS-II task switch")
    args = ap.parse_args()
    model = dict(kv.split("=", 1) for kv in args.model.split(",") if kv)
    out = args.out or args.results / args.platform
    out.mkdir(parents=True, exist_ok=True)
    work = xatrace.REPO / "build" / "traces" / "bench" / args.platform
    work.mkdir(parents=True, exist_ok=True)

    rows = []
    boots = {}
    for i, b in enumerate(benches(args.count)):
        s, boot = measure(b, args.platform, work, f"bench{i}", args.count, model)
        rows += path_rows(b, s)
        if b.kernel == "microbench":
            boots.setdefault(b.domains, boot)
    rows += clean_rows(args.platform, work, args.count, model)
    rows += boot_rows(boots)
    ucos = [] if args.no_ucos else ucos_rows(run_ucos(args.platform, work, args.ucos_n, args.ucos_rounds, model),
                                             args.ucos_n, args.ucos_rounds)
    print(write_results(out, args.platform, args.count, rows, ucos))
    print(f"bench: {args.platform}: results in {out}")


if __name__ == "__main__":
    main()
