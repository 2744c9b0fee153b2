#!/usr/bin/python3
"""A seeded, reproducible fault-injection campaign against fault tolerance (make faults).

Each board boots a system of two mini-OS domains from the test image: dom0 runs the injector
(app=faultrun, tests/guests/minios/faultrun.c) and `work` the workload (app=work, work.c:
rounds over data in memory, each verified by a checksum), with `fault_tolerance = vm` and a
checkpoint every CHECKPOINT. dom0 builds `work` afresh, lets it run GAP_MS ms, plants one
fault in it with XA_DOMCTL_inject_fault and watches it for WATCH_MS ms: a bit flip or a wild
write in its data, its kernel's other data, its stack or its code, a bit flip in one of its
registers, an undefined instruction at its pc, or a jump into unmapped memory. Fault number
k is drawn from (seed, k) alone, so the same seed gives the same faults, and QEMU's -icount
the same run: the same table.

What happened after each fault is read from the console, up to the workload's destruction:
  detected    the VMM rolled `work` back (`rolled back to its checkpoint of N us ago`) or
              crashed it (or it crashed itself)
  recovered   detected by rollbacks only, and `work` verified a round after the last one
              (and no checksum went bad after it)
  benign      nothing detected, rounds verified, every checksum right
  silent      a checksum went bad with nothing detected, or after the rollback (silent
              data corruption)
  hang        no verified round after it (or after its rollback) within WATCH_MS ms, the
              watchdog (with faultrun's fresh=0, faults into a domain still hung are not
              counted)
The work lost at a rollback is the age of the checkpoint, from the VMM's message. Recovery
latency: from the fault's trace marker to the first verified round after the rollback (both
trace markers, timed by the VMM), in ns and in instructions by the -icount clock (8 ns each;
every instruction of the system, VMM and dom0 included), and in modelled cycles by the
xatrace plugin (its events: the SWIs of the same two trace markers), which it runs under
unless --no-plugin.

The µC/OS-II workload (--workload ucos; both by default, the per-board count split between
them): `work` is instead a µC/OS-II domain (ucos-port/apps/work.c, the same fault tolerance
and checkpoints) whose one task in virtual user mode computes the same rounds in its own
code, data and stack pages, all of them its task checkpoint region (the port backs it up at
each system call, one per round). dom0 injects into that task only: bit flips and wild
writes in its data, its stack and its code; and, while its saved pc is in its code (virtual
user mode), register bit flips, an undefined instruction at its pc and jumps into unmapped
memory. Besides the VMM's rollbacks, detected then counts the port's: `ucos: task N 'work'
rolled back after ...` (task rollback; its work lost is not in the message).

Writes traces/results/faults.md (one table per board and workload) and faults.png, and
prints the tables.
"""
import argparse
import dataclasses
import pathlib
import re
import statistics
import subprocess
import sys
import time

import xatrace

NS_PER_INSN = 8  # tools/run-qemu.sh: -icount shift=3
DEFAULT_SEED = 1
DEFAULT_FAULTS = 1000
GAP_MS = 20  # a fresh workload runs this long before each fault
WATCH_MS = 30  # and is watched this long after it (the watchdog of a hang)
CHECKPOINT = "10ms"
FT_FAULTS = "8/50"  # the boot option: more rollbacks than the default for a fault that keeps faulting
PER_BOOT = 1000  # faults per boot at most
KINDS = ["mem_flip data", "mem_flip kdata", "mem_flip stack", "mem_flip code", "mem_write data", "mem_write kdata",
         "mem_write stack", "mem_write code", "reg_flip r0-r12", "reg_flip sp", "reg_flip lr", "reg_flip pc", "undef pc",
         "jump pc"]
REGISTERS = {13: "sp", 14: "lr", 15: "pc"}
OUTCOMES = ["recovered", "crashed", "benign", "silent", "hang"]
UCOS_KINDS = ["mem_flip data", "mem_flip stack", "mem_flip code", "mem_write data", "mem_write stack",
              "mem_write code", "reg_flip r0-r12", "reg_flip sp", "reg_flip lr", "reg_flip pc", "undef pc", "jump pc"]
WORKLOADS = {"minios": "mini-OS", "ucos": "µC/OS-II task"}
MINIOS_TEST = xatrace.REPO / "build" / "tests" / "minios-test.elf"
UCOS_ELF = xatrace.REPO / "build" / "ucos" / "pv" / "ucos.elf"

INJECT = re.compile(r"^\[dom0\] faults: #(\d+) (\S+) (\S+) 0x([0-9a-f]+) (\d+) rc=(-?\d+) 0x([0-9a-f]+)>0x([0-9a-f]+) "
                    r"t=\d+$")
MARK = re.compile(r"^xen-arm: trace dom(\d+) marker 0x([0-9a-f]{2})([0-9a-f]{6}) at (\d+) ns$")
ROLLBACK = re.compile(r"^xen-arm: dom1 'work' rolled back to its checkpoint(?: of (\d+) us ago)? after ")
CRASH = re.compile(r"^xen-arm: dom1 'work' (?:crashed: |shut down \((?!poweroff))")
BAD = re.compile(r"^\[work\] work: round \d+ checksum BAD")
STACK = re.compile(r"^\[work\] work: stack 0x([0-9a-f]+)-0x([0-9a-f]+)$", re.M)
DOWN = re.compile(r"^xen-arm: dom1 destroyed")
TASK_ROLLBACK = re.compile(r"^\[work\] ucos: task \d+ '[^']*' rolled back after ")
TASK = re.compile(r"^\[work\] work: task region 0x[0-9a-f]+\+0x[0-9a-f]+ code 0x([0-9a-f]+)\+0x([0-9a-f]+) "
                  r"data 0x([0-9a-f]+)\+0x([0-9a-f]+) stack 0x([0-9a-f]+)\+0x([0-9a-f]+) va 0x([0-9a-f]+)$", re.M)
WORK_MARK, INJECT_MARK = 0x57, 0xFA


def config(cmdline: str, workload: str = "minios") -> str:
    # The µC/OS-II domain asks for its checkpoints itself, every CHECKPOINT, from its task's
    # system calls (ucos-port/apps/work.c), so that they fall on the task's own checkpoints.
    kernel, work, checkpoint = MINIOS_TEST, "app=work", CHECKPOINT
    if workload == "ucos":
        kernel, work, checkpoint = UCOS_ELF, f"app=work ckpt={CHECKPOINT.removesuffix('ms')}", "manual"
    return ("[system]\nname = faults\n\n"
            f"[domain dom0]\nkernel = {MINIOS_TEST}\nmemory = 1M\nprivileged = yes\nstart = boot\n"
            f"cmdline = \"{cmdline}\"\n\n"
            f"[domain work]\nkernel = {kernel}\nmemory = 1M\nstart = boot\ncmdline = \"{work}\"\n"
            f"fault_tolerance = vm\ncheckpoint = {checkpoint}\n")


def build(platform: str, work: pathlib.Path, name: str, cmdline: str, workload: str = "minios") -> pathlib.Path:
    cfg = work / f"{name}.cfg"
    cfg.write_text(config(cmdline, workload))
    out = work / f"{name}.elf"
    subprocess.run(["/usr/bin/python3", str(xatrace.REPO / "domains" / "mkimage.py"), "--vmm",
                    str(xatrace.REPO / "build" / platform / "xen-arm.elf"), "--config", str(cfg),
                    "--kernel-dir", str(xatrace.REPO / "build" / "minios" / "pv"), "--board", platform,
                    "--ram-base", xatrace.BOARDS[platform].ram_base_arg, "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


@dataclasses.dataclass
class Fault:
    number: int
    kind: str  # KINDS
    rc: int
    t_ns: int = 0  # its trace marker
    outcome: str = ""
    rollbacks: list = dataclasses.field(default_factory=list)  # work lost, us (None: not in the message)
    task_rollbacks: int = 0  # by the µC/OS-II port
    latency_ns: int | None = None
    counted: bool = True
    mark0: int | None = None  # which of dom0's trace markers is the fault's
    mark1: int | None = None  # which of dom1's is the first verified round after the rollback
    latency_insns: int | None = None  # by the plugin, when it ran
    latency_cycles: int | None = None


def classify(output: str) -> list[Fault]:
    """The faults of one boot's console, each with what followed it up to the next."""
    faults: list[Fault] = []
    cur: Fault | None = None
    state = {}

    def close():
        if cur is None:
            return
        crashed, bad_after, verified_after = state["crashed"], state["bad_after"], state["verified_after"]
        if cur.rollbacks or cur.task_rollbacks or crashed:  # detected
            if crashed:
                cur.outcome = "crashed"
            elif bad_after:
                cur.outcome = "silent"  # corrupted even after the rollback
            else:
                cur.outcome = "recovered" if verified_after else "hang"
        elif state["bad"]:
            cur.outcome = "silent"
        elif verified_after:
            cur.outcome = "benign"
        else:
            cur.outcome = "hang"

    hung = False  # the domain made no progress since a hang: faults into it are not counted
    marks: dict[int, tuple[int, int]] = {}  # fault number -> (time, index) of its trace marker (before its line)
    count = {"0": 0, "1": 0}  # trace markers so far, per domain
    for line in output.splitlines():
        if m := INJECT.match(line):
            close()
            if cur is not None and cur.outcome == "hang" and not state["rebuilt"]:
                hung = True
            where = REGISTERS.get(int(m[4], 16), "r0-r12") if m[2] == "reg_flip" else m[3]
            t, index = marks.pop(int(m[1]) & 0xFFFFFF, (0, None))
            cur = Fault(int(m[1]), f"{m[2]} {where}", int(m[6]), t, mark0=index)
            cur.counted = cur.rc == 0 and not hung
            faults.append(cur)
            state = {"crashed": False, "bad": False, "bad_after": False, "verified_after": False, "rebuilt": False}
        elif cur is not None and state["rebuilt"] and not MARK.match(line):
            continue  # the workload that follows is a new one: not this fault's
        elif (m := MARK.match(line)) and m[1] == "0" and int(m[2], 16) == INJECT_MARK:
            marks[int(m[3], 16)] = (int(m[4]), count["0"])
            count["0"] += 1
        elif m and m[1] in count:
            count[m[1]] += 1
            if cur is None or m[1] != "1" or int(m[2], 16) != WORK_MARK or state["rebuilt"]:
                continue
            if not state["verified_after"]:
                state["verified_after"] = True
                if (cur.rollbacks or cur.task_rollbacks) and cur.latency_ns is None and cur.t_ns:
                    cur.latency_ns = int(m[4]) - cur.t_ns
                    cur.mark1 = count["1"] - 1
                hung = False
        elif cur is None:
            continue
        elif m := ROLLBACK.match(line):
            cur.rollbacks.append(int(m[1]) if m[1] is not None else None)
            state["verified_after"] = state["bad_after"] = False
            cur.latency_ns = cur.mark1 = None
        elif TASK_ROLLBACK.match(line):
            cur.task_rollbacks += 1
            state["verified_after"] = state["bad_after"] = False
            cur.latency_ns = cur.mark1 = None
        elif CRASH.match(line):
            state["crashed"] = True
        elif BAD.match(line):
            state["bad"] = state["bad_after"] = True
        elif DOWN.match(line):
            state["rebuilt"] = True
            hung = False
    close()
    return faults


def trace_marker_number() -> int:
    m = re.search(r"^#define XA_HYPERCALL_trace_marker (\d+)", xatrace.HYPERCALLS_H.read_text(), re.M)
    return int(m[1])


def attach_cycles(got: list[Fault], output: str, events: list) -> None:
    """Each recovered fault's latency in instructions and modelled cycles by the plugin: from
    the SWI of dom0's trace marker for the fault to that of dom1's first verified round after
    the rollback (the plugin's events, matched to the console's marker lines in order)."""
    number = trace_marker_number()
    swis = {d: [e for e in events if e.kind == "swi" and e.value == number and e.domain == d] for d in ("0", "1")}
    for d, evs in swis.items():
        lines = len(re.findall(rf"^xen-arm: trace dom{d} marker ", output, re.M))
        if len(evs) != lines:
            sys.exit(f"faults: the plugin saw {len(evs)} trace markers of dom{d}, the console shows {lines}")
    for f in got:
        if f.mark0 is not None and f.mark1 is not None:
            a, b = swis["0"][f.mark0], swis["1"][f.mark1]
            f.latency_insns = b.instructions - a.instructions
            f.latency_cycles = b.cycles - a.cycles


def run_board(platform: str, seed: int, count: int, gap: int, per_boot: int, work: pathlib.Path,
              log=print, plugin: bool = False, workload: str = "minios") -> tuple[list[Fault], float, int]:
    """At least `count` counted faults on one board: (faults, host seconds, boots). plugin:
    under the xatrace plugin, for the recovery latency in modelled cycles. workload: minios
    or ucos."""
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    # Where the workload is (the same in every boot): mini-OS's thread stack, or the µC/OS-II
    # task's pages.
    probe = xatrace.run(platform, build(platform, work, "faults-stack", "app=faultrun n=1", workload), "")
    m = (TASK if workload == "ucos" else STACK).search(probe.output)
    if probe.status != 0 or m is None:
        sys.exit(f"faults: {platform}: the {workload} workload did not start:\n{probe.output[-3000:]}")
    if workload == "ucos":
        code, code_size, data, data_size, stack, stack_size, va = (int(x, 16) for x in m.groups())
        # faultrun knows the layout: three pages from 0x40000000, 1,000 words of data.
        if (va, data - code, stack - code, stack_size, data_size) != (0x40000000, 0x1000, 0x2000, 0x1000, 4 * 1001):
            sys.exit(f"faults: {platform}: the µC/OS-II task's pages are not where faultrun expects them: {m[0]}")
        target = f"task=0x{code:x} tcode={code_size}"
    else:
        target = f"stack=0x{int(m[2], 16):x}"
    faults: list[Fault] = []
    first, boots = 0, 0
    while sum(f.counted for f in faults) < count:
        need = count - sum(f.counted for f in faults)
        n = min(per_boot, need + need // 10 + 5)  # a few more for those not counted
        cmdline = f"app=faultrun seed={seed} first={first} n={n} gap={gap} watch={WATCH_MS} {target}"
        image = build(platform, work, f"faults-{boots}", cmdline, workload)
        events = work / f"faults-{boots}-events.csv"
        run = xatrace.run(platform, image, f"ft_faults={FT_FAULTS}", {"events": events} if plugin else None,
                          timeout=3600)
        (work / f"faults-{boots}.log").write_text(run.output)
        got = classify(run.output)
        if plugin and run.status == 0:
            attach_cycles(got, run.output, xatrace.read_events(events))
        if run.status != 0 or "[dom0] faults: done" not in run.output or len(got) != n:
            sys.exit(f"faults: {platform}: boot {boots} ended with status {run.status} after {len(got)} of {n} "
                     f"faults:\n{run.output[-3000:]}")
        faults += got
        first += n
        boots += 1
        log(f"faults: {platform}: {workload}: boot {boots}: faults {first - n}-{first - 1}, {run.seconds:.1f} s")
    # Exactly `count` counted faults: the table does not depend on how many boots it took.
    kept, counted = [], 0
    for f in faults:
        if counted == count:
            break
        kept.append(f)
        counted += f.counted
    return kept, time.perf_counter() - start, boots


def spread(values: list) -> str:
    if not values:
        return "-"
    return f"{min(values):,} / {int(statistics.median(values)):,} / {max(values):,}"


def kinds_of(workload: str) -> list[str]:
    return UCOS_KINDS if workload == "ucos" else KINDS


def table(platform: str, faults: list[Fault], seed: int, gap: int, workload: str = "minios") -> str:
    counted = [f for f in faults if f.counted]
    ucos = workload == "ucos"
    title = f"### {platform}: {WORKLOADS[workload]}"
    into = "a workload" if not ucos else "a µC/OS-II workload's user-mode task (registers and pc: in user mode)"
    lines = [title, "",
             f"{len(counted)} faults (seed {seed}; each into {into} built {gap} ms before, watched for {WATCH_MS} ms "
             f"after; checkpoint every {CHECKPOINT}; boot option ft_faults={FT_FAULTS}); {len(faults) - len(counted)} more were injected into a hung "
             f"domain or refused{' (the task not in user mode)' if ucos else ''}, and are not counted.", ""]
    if ucos:
        lines += ["| fault | injected | detected | task rolled back | domain rolled back | recovered | crashed | benign | "
                  "silent | hangs |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    else:
        lines += ["| fault | injected | detected | recovered | crashed | benign | silent | hangs |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, group: list[Fault]) -> str:
        c = {o: sum(f.outcome == o for f in group) for o in OUTCOMES}
        detected = sum(bool(f.rollbacks) or f.task_rollbacks > 0 or f.outcome == "crashed" for f in group)
        by = ""
        if ucos:
            by = f"{sum(f.task_rollbacks > 0 for f in group)} | {sum(bool(f.rollbacks) for f in group)} | "
        return (f"| {name} | {len(group)} | {detected} | {by}{c['recovered']} | {c['crashed']} | {c['benign']} | "
                f"{c['silent']} | {c['hang']} |")

    for kind in kinds_of(workload):
        lines.append(row(kind, [f for f in counted if f.kind == kind]))
    lines.append(row("**all**", counted))
    lost = [us for f in counted for us in f.rollbacks if us is not None]
    lat = [f.latency_ns for f in counted if f.outcome == "recovered" and f.latency_ns is not None]
    rollbacks = sum(len(f.rollbacks) for f in counted)
    lines += ["", "| min / median / max | value |", "|---|---|"]
    if ucos:
        lines.append(f"| task rollbacks by the port | {sum(f.task_rollbacks for f in counted)} |")
    lines += [f"| work lost per {'domain ' if ucos else ''}rollback (age of the checkpoint), us; {rollbacks} rollbacks | "
              f"{spread(lost)} |",
              f"| recovery latency (fault to first verified round after the {'last ' if ucos else ''}rollback), us | "
              f"{spread([v // 1000 for v in lat])} |",
              f"| recovery latency, instructions (-icount: {NS_PER_INSN} ns each) | "
              f"{spread([v // NS_PER_INSN for v in lat])} |"]
    cycles = [f.latency_cycles for f in counted if f.outcome == "recovered" and f.latency_cycles is not None]
    if cycles:
        lines.append(f"| recovery latency, modelled cycles (xatrace plugin) | {spread(cycles)} |")
    lines.append("")
    return "\n".join(lines) + "\n"


def plot(results: dict, path: pathlib.Path) -> None:
    """results: {(board, workload): faults}. One outcome panel per workload, and the latency."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    workloads = [w for w in WORKLOADS if any(k[1] == w for k in results)]
    fig, axes = plt.subplots(1, len(workloads) + 1, figsize=(6.5 * (len(workloads) + 1), 4.8), squeeze=False)
    colors = {"recovered": "#4c9a2a", "crashed": "#d1495b", "benign": "#9bb1c8", "silent": "#edae49", "hang": "#3d3d3d"}
    for w, workload in enumerate(workloads):
        ax = axes[0][w]
        kinds = kinds_of(workload)
        boards = [b for b, wl in results if wl == workload]
        width = 0.8 / max(len(boards), 1)
        for b, board in enumerate(boards):
            counted = [f for f in results[board, workload] if f.counted]
            bottom = [0.0] * len(kinds)
            for o in OUTCOMES:
                vals = []
                for kind in kinds:
                    group = [f for f in counted if f.kind == kind]
                    vals.append(100.0 * sum(f.outcome == o for f in group) / len(group) if group else 0.0)
                xs = [i + (b - (len(boards) - 1) / 2) * width for i in range(len(kinds))]
                ax.bar(xs, vals, width * 0.95, bottom=bottom, color=colors[o], label=o if b == 0 else None)
                bottom = [x + y for x, y in zip(bottom, vals)]
        ax.set_xticks(range(len(kinds)))
        ax.set_xticklabels(kinds, rotation=40, ha="right", fontsize=8)
        ax.set_ylabel("% of the faults of that kind")
        ax.set_title(f"{WORKLOADS[workload]}: outcome per kind (bars: " + ", ".join(boards) + ")", fontsize=9)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=len(OUTCOMES))
    ax = axes[0][-1]
    for (board, workload), got in results.items():
        lat = sorted(f.latency_ns / 1000 for f in got if f.counted and f.outcome == "recovered" and f.latency_ns is not None)
        if lat:
            ax.step(lat, [100.0 * (i + 1) / len(lat) for i in range(len(lat))], where="post",
                    label=f"{board}, {WORKLOADS[workload]}", linestyle="-" if workload == "minios" else "--")
    ax.set_xscale("log")
    ax.set_xlabel("recovery latency, us (fault to first verified round after the rollback)")
    ax.set_ylabel("% of recovered faults (cumulative)")
    ax.set_title("recovery latency", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--platform", action="append", help="a board (repeatable; default: every board)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--faults", type=int, default=DEFAULT_FAULTS,
                    help="counted faults per board (with --workload both, split evenly between the two)")
    ap.add_argument("--workload", choices=["minios", "ucos", "both"], default="both",
                    help="into a mini-OS domain, a µC/OS-II task, or both (default)")
    ap.add_argument("--gap", type=int, default=GAP_MS, help="ms of guest time between two faults")
    ap.add_argument("--per-boot", type=int, default=PER_BOOT, help="faults per boot at most")
    ap.add_argument("--out", type=pathlib.Path, default=xatrace.REPO / "traces" / "results",
                    help="where faults.md and faults.png go")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--no-plugin", action="store_true",
                    help="without the xatrace plugin (no modelled cycles; about 3 times faster)")
    a = ap.parse_args()
    platforms = a.platform or list(xatrace.PLATFORMS)
    plugin = not a.no_plugin
    if plugin and not xatrace.PLUGIN.exists():
        sys.exit(f"faults: no {xatrace.PLUGIN}: make traces-plugin (or --no-plugin)")
    workloads = list(WORKLOADS) if a.workload == "both" else [a.workload]
    results, texts = {}, []
    for platform in platforms:
        for w, workload in enumerate(workloads):
            count = a.faults // len(workloads) + (w < a.faults % len(workloads))
            faults, seconds, boots = run_board(platform, a.seed, count, a.gap, a.per_boot,
                                               xatrace.REPO / "build" / platform / f"faults-{workload}",
                                               log=lambda s: print(s, file=sys.stderr), plugin=plugin,
                                               workload=workload)
            results[platform, workload] = faults
            texts.append(table(platform, faults, a.seed, a.gap, workload))
            print(f"faults: {platform}: {workload}: {boots} boot(s), {seconds:.1f} s", file=sys.stderr)
    text = "# Fault-injection campaign (traces/faults.py)\n\n" + "\n".join(texts)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "faults.md").write_text(text)
    if not a.no_plot:
        plot(results, a.out / "faults.png")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
