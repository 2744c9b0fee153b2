#!/usr/bin/python3
"""Interrupt-to-guest-handler latency of a device's periodic interrupt, pass-through against
the split-driver path, under each scheduling policy with two CPU hogs (make rt-irq).

The claim measured is Park, Yoo and Yoo's ("An Analysis on Xen in View of Real-time
Guarantee"): device I/O through the split-driver path is non-deterministic, so a real-time
guest should own its device. One system per board, path and policy:

  dom0   app=dom0; pass-through: assign=1:DEV (the guest owns DEV); split: irqrelay=1:DEV
         (dom0 keeps DEV and relays each interrupt over an interdomain event channel,
         minios/dom0/irqrelay.c)
  rt     dom1, app=rt count=N period_us=P (relay=1 on the split path): the guest's handler
         is device_irq (pass-through) or relay_irq (split) in minios/apps/rt.c
  hog1, hog2   app=spin delay=0: CPU-bound the whole time

The policies: round-robin (every domain a 1 ms slice); fixed-priority (rt 0, dom0 1, hogs
200); credit (default weights, no caps); sedf (rt and dom0 each a 200 us budget every 1 ms,
the hogs in the time left). One sample per device interrupt: from the VMM's IRQ vector
entry that routed the device's line (the last IRQ entry before the plugin's probe on
passthrough::route_irq) to the first instruction of the guest's handler in dom1, in
instructions and modelled cycles (xatrace). On the split path the same interrupt's first
instruction of dom0's relay handler is recorded too.

Writes traces/results/<board>/rt/irq-latency.csv (one row per path and policy: samples,
min / median / p99 / max in instructions and cycles, interrupts routed by the VMM, relayed
by dom0 and taken by the guest), irq-latency.md (the table) and irq-latency.png (the
distributions). goldfish has no device to pass through (xen-arm/board/goldfish): neither
path exists there, so the script says so and measures nothing for it.
"""
import argparse
import csv
import dataclasses
import pathlib
import re
import statistics
import subprocess
import sys

import xatrace

DEVICE = {"imx21": "gpt3", "versatilepb": "sp804b"}
PATHS = ("pass-through", "split")
POLICIES = ("round-robin", "fixed-priority", "credit", "sedf")
MINIOS = xatrace.REPO / "build" / "minios" / "pv"
RAMDISK = xatrace.REPO / "build" / "disks" / "vbd-pattern.img"
RAM_BASE = {name: board.ram_base_arg for name, board in xatrace.BOARDS.items()}
ROUTE_IRQ = "_ZN2xa11passthrough9route_irqEj"  # xa::passthrough::route_irq(u32)
HANDLER = {"pass-through": "device_irq", "split": "relay_irq"}  # minios/apps/rt.c
DOM0_HANDLER = "relay_device_irq"  # minios/dom0/irqrelay.c
RT_DOMAIN = "1"
SLICE = "1ms"
SEDF = {"period": "1ms", "budget": "200us"}
HEADER = ["board", "path", "policy", "samples", "instructions_min", "instructions_median", "instructions_p99",
          "instructions_max", "cycles_min", "cycles_median", "cycles_p99", "cycles_max", "dom0_handler_cycles_median",
          "routed", "merged", "relayed", "handled"]
NO_DEVICE = ("irqlat: {board} has no device to pass through (no spare timer in its passthrough table), so "
             "neither the pass-through nor the split path exists there: nothing measured")


def domain(name: str, kernel: str, cmdline: str, policy: str, priority: int, memory: str = "1M",
           extra: str = "", reserved: bool = False) -> str:
    text = (f"[domain {name}]\nkernel = {kernel}\nmemory = {memory}\ntimeslice = {SLICE}\nstart = boot\n{extra}"
            f"cmdline = \"{cmdline}\"\n")
    if policy == "fixed-priority":
        text += f"priority = {priority}\n"
    if policy == "sedf" and reserved:
        text += f"period = {SEDF['period']}\nbudget = {SEDF['budget']}\n"
    return text + "\n"


def config(board: str, path: str, policy: str, count: int, period_us: int, hog_ms: int) -> str:
    dev = DEVICE[board]
    dom0 = "app=dom0 shell=0 exit=auto " + (f"assign=1:{dev}" if path == "pass-through"
                                            else f"irqrelay=1:{dev} irqrelay_us={period_us}")
    rt = f"app=rt console=ring count={count} period_us={period_us}" + (" relay=1" if path == "split" else "")
    hog = f"app=spin delay=0 window={hog_ms}"
    return (f"[system]\nname = irqlat\nscheduler = {policy}\n\n"
            + domain("dom0", "dom0", dom0, policy, 1, memory="4M",
                     extra=f"privileged = yes\nramdisk = {RAMDISK}\n", reserved=True)
            + domain("rt", "minios", rt, policy, 0, reserved=True)
            + domain("hog1", "minios", hog, policy, 200) + domain("hog2", "minios", hog, policy, 200))


@dataclasses.dataclass
class Result:
    board: str
    path: str
    policy: str
    insns: list[int]
    cycles: list[int]
    dom0_cycles: list[int]  # split: IRQ entry -> dom0's relay handler
    routed: int             # the VMM's route_irq calls for the line
    merged: int             # routed again before the guest's handler ran
    relayed: int | None     # dom0's count (split)
    handled: int            # the guest's count
    output: str


def samples(events: list[xatrace.Event], route: int, handler: int, dom0_handler: int | None):
    """(guest samples, dom0 samples, routed, merged): each interrupt the guest's handler
    took, from the IRQ entry of the oldest routed interrupt it had not taken to the
    handler's first instruction in dom1 (and, on the split path, to the first instruction
    of dom0's relay handler after that entry, in dom0). Interrupts routed again before the
    guest's handler ran are counted as merged: the sample runs from the older one (an event
    channel is a pending bit; if the second notification comes after the handler cleared
    it, the handler runs again, and that run is no sample)."""
    guest, dom0, last_irq, pending, at_dom0, routed, merged = [], [], None, None, None, 0, 0
    for e in events:
        if e.kind == "irq":
            last_irq = e
        elif e.kind != "probe":
            continue
        elif e.value == route:
            routed += 1
            if pending is None:
                pending, at_dom0 = last_irq, None
            else:
                merged += 1
        elif pending is not None and e.value == handler and e.domain == RT_DOMAIN:
            guest.append((e.instructions - pending.instructions, e.cycles - pending.cycles))
            if at_dom0 is not None:
                dom0.append(at_dom0)
            pending = None
        elif (pending is not None and at_dom0 is None and dom0_handler is not None and e.value == dom0_handler
              and e.domain == "0"):
            at_dom0 = (e.instructions - pending.instructions, e.cycles - pending.cycles)
    return guest, dom0, routed, merged


def measure(board: str, path: str, policy: str, count: int, period_us: int, work: pathlib.Path,
            model: dict) -> Result:
    # The hogs outlast the guest's interrupts: it waits at most a round of slices for each.
    hog_ms = count * period_us // 1000 * (3 if policy == "round-robin" else 1) + 300
    tag = f"{path}-{policy}"
    cfg = work / f"{tag}.cfg"
    cfg.write_text(config(board, path, policy, count, period_us, hog_ms))
    image = work / f"{tag}.elf"
    subprocess.run(["/usr/bin/python3", str(xatrace.REPO / "domains" / "mkimage.py"), "--vmm",
                    str(xatrace.REPO / "build" / board / "xen-arm.elf"), "--config", str(cfg), "--kernel-dir",
                    str(MINIOS), "--board", board, "--ram-base", RAM_BASE[board], "-o", str(image)],
                   check=True, stdout=subprocess.DEVNULL)
    route = xatrace.symbol(xatrace.REPO / "build" / board / "xen-arm.elf", ROUTE_IRQ)
    handler = xatrace.symbol(MINIOS / "minios.elf", HANDLER[path])
    dom0_handler = xatrace.symbol(MINIOS / "dom0.elf", DOM0_HANDLER) if path == "split" else None
    events_csv = work / f"{tag}-events.csv"
    probes = [route, handler] + ([dom0_handler] if dom0_handler else [])
    run = xatrace.run(board, image, "", {"events": events_csv, "probe": probes, **model}, timeout=600)
    got = re.search(r"^\[rt\] rt: (\d+) interrupts from ", run.output, re.M)
    if run.status != 0 or got is None:
        sys.exit(f"irqlat: {board} {tag} did not run cleanly (status {run.status}):\n{run.output[-3000:]}")
    relayed = re.search(r"irqrelay: (\d+) interrupts relayed to dom 1, 0 errors", run.output)
    if path == "split" and relayed is None:
        sys.exit(f"irqlat: {board} {tag}: dom0 did not report its relay:\n{run.output[-3000:]}")
    # The guest must have taken its interrupts while both hogs still computed.
    hogs_done = [m.start() for m in re.finditer(r"^\[hog\d\] spin: dom \d+: ran ", run.output, re.M)]
    if any(at < got.start() for at in hogs_done):
        print(f"irqlat: warning: {board} {tag}: a hog finished before the guest's last interrupt", file=sys.stderr)
    guest, dom0, routed, merged = samples(xatrace.read_events(events_csv), route, handler, dom0_handler)
    events_csv.unlink()
    return Result(board, path, policy, [s[0] for s in guest], [s[1] for s in guest], [s[1] for s in dom0], routed,
                  merged, int(relayed.group(1)) if relayed else None, int(got.group(1)), run.output)


def percentile(values: list[int], p: float) -> int:
    """The nearest-rank percentile."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, -(-len(s) * p // 100) - 1))] if s else 0


def row(r: Result) -> list:
    def stats(v):
        return [min(v), statistics.median(v), percentile(v, 99), max(v)] if v else ["", "", "", ""]
    return [r.board, r.path, r.policy, len(r.insns), *stats(r.insns), *stats(r.cycles),
            statistics.median(r.dom0_cycles) if r.dom0_cycles else "", r.routed, r.merged,
            "" if r.relayed is None else r.relayed, r.handled]


def write_results(out: pathlib.Path, board: str, count: int, period_us: int, results: list[Result]) -> str:
    out.mkdir(parents=True, exist_ok=True)
    rows = [row(r) for r in results]
    with open(out / "irq-latency.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)

    def num(v) -> str:
        return f"{v:,.0f}" if v != "" else "—"
    lines = [f"# Device interrupt to guest handler on {board} (make rt-irq)", "",
             f"{DEVICE[board]} every {period_us} us, {count} interrupts per run, the guest (dom1) beside two "
             "CPU hogs; from the VMM's IRQ entry for the line to the first instruction of the guest's handler. "
             "Instructions are QEMU's, cycles the xatrace model's; min / median / p99 / max.", "",
             "| path | policy | samples | instructions min / median / p99 / max | cycles min / median / p99 / max "
             "| spread (max - min, cycles) | routed / merged / taken |", "|---|---|---:|---:|---:|---:|---:|"]
    for r, x in zip(results, rows):
        spread = x[11] - x[8] if r.cycles else ""
        lines.append(f"| {r.path} | {r.policy} | {x[3]} | {' / '.join(num(v) for v in x[4:8])} | "
                     f"{' / '.join(num(v) for v in x[8:12])} | {num(spread)} | {r.routed} / {r.merged} / {r.handled} |")
    lines.append("")
    text = "\n".join(lines)
    (out / "irq-latency.md").write_text(text)
    plot(out / "irq-latency.png", board, results)
    return text


def plot(png: pathlib.Path, board: str, results: list[Result]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(POLICIES), figsize=(13, 4), sharey=True)
    for ax, policy in zip(axes, POLICIES):
        data = [next((r.cycles for r in results if r.path == p and r.policy == policy), []) or [0] for p in PATHS]
        ax.boxplot(data, whis=(0, 100), widths=0.5)
        ax.set_xticks(range(1, len(PATHS) + 1), PATHS)
        ax.set_title(policy)
        ax.set_yscale("log")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("modelled cycles, IRQ entry to guest handler")
    fig.suptitle(f"{board}: device interrupt latency with two CPU hogs (whiskers: min and max)")
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", action="append", choices=xatrace.PLATFORMS,
                    help="a board (repeatable; default imx21 and versatilepb)")
    ap.add_argument("--count", type=int, default=300, help="device interrupts per run")
    ap.add_argument("--period-us", type=int, default=1000, help="the device's period")
    ap.add_argument("--policy", action="append", choices=POLICIES, help="a policy (repeatable; default all)")
    ap.add_argument("--path", action="append", choices=PATHS, help="a path (repeatable; default both)")
    ap.add_argument("--results", type=pathlib.Path, default=xatrace.TRACES / "results",
                    help="the folder of the boards' result folders (default: traces/results)")
    ap.add_argument("--model", default="", help="extra plugin arguments, e.g. walk=0")
    args = ap.parse_args()
    model = dict(kv.split("=", 1) for kv in args.model.split(",") if kv)
    for board in args.platform or sorted(DEVICE):
        if board not in DEVICE:
            print(NO_DEVICE.format(board=board))
            continue
        work = xatrace.REPO / "build" / "traces" / "irqlat" / board
        work.mkdir(parents=True, exist_ok=True)
        results = [measure(board, path, policy, args.count, args.period_us, work, model)
                   for path in args.path or PATHS for policy in args.policy or POLICIES]
        out = args.results / board / "rt"
        print(write_results(out, board, args.count, args.period_us, results))
        print(f"irqlat: {board}: results in {out}")


if __name__ == "__main__":
    main()
