#!/usr/bin/python3
"""Compositional schedulability of a configuration's real-time domains (domains/README.md,
"Real-time analysis"): for each domain with `rt_tasks`, the least periodic resource
interface Γ(Π, Θ) under its local scheduler (`rt_scheduler`) and a response-time bound
per task; then whether the VMM, scheduling those interfaces by EDF, can give them all
with its own overhead taken off. The analysis is bootimage/rt.py (its docstring has the
theory); this file is the command, its table and its messages.

    schedtool.py CONFIG [--overhead PERCENT] [--json]

Exit status: 0 every real-time domain is schedulable and together they fit (or no domain
declares a task set), 1 a configuration error, a domain whose task set no interface can
serve, or a system that does not fit; 2 a usage error or an unreadable boot_image.hh.
Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
from fractions import Fraction

from bootimage.config import Failure, Reporter, System, parse_config
from bootimage.format import Format, FormatError, load_format
from bootimage import rt

DEFAULT_OVERHEAD_PERCENT = "5"


def time_text(us: int) -> str:
    """Exact: 2ms, 2.375ms, 500us."""
    if us < 1000:
        return f"{us}us"
    ms, rest = divmod(us, 1000)
    return f"{ms}ms" if not rest else f"{ms}.{rest:03d}".rstrip("0") + "ms"


def percent_text(x: Fraction) -> str:
    """Two decimals, rounded up (a bandwidth is never shown smaller than it is)."""
    hundredths = -(-x * 10000 // 1)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def fraction_text(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


def parse_overhead(text: str) -> Fraction:
    try:
        value = Fraction(text.strip().rstrip("%"))
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a percentage, e.g. 5 or 2.5") from None
    if not 0 <= value < 100:
        raise argparse.ArgumentTypeError(f"'{text}' is not in 0..100 (exclusive of 100)")
    return value / 100


def load(config: str, fmt: Format) -> System:
    try:
        raw = pathlib.Path(config).read_bytes()
    except OSError as e:
        raise Failure([f"schedtool: {config}: {e.strerror}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise Failure([f"{config}:{line}: not UTF-8 text"]) from None
    report = Reporter(config)
    system = parse_config(text, config, fmt, None, report)
    report.raise_if_any()
    return system


def analyse(system: System, overhead: Fraction, step: int, per_period: int = 0) -> rt.SystemResult:
    """per_period: what each server period costs the VMM besides the budget, in µs (sedf
    counts it at admission; the interfaces are chosen with it, as mkimage.py does)."""
    results = []
    for d in system.domains:
        if not d.rt_tasks:
            continue
        tasks = [rt.Task(p, e) for p, e in d.rt_tasks]
        results.append(rt.analyse_domain(d.name, d.rt_scheduler, tasks, d.rt_period_us or None,
                                         step=step, min_budget=step, per_period=per_period))
    return rt.analyse_system(results, overhead)


def table(result: rt.SystemResult) -> list[str]:
    rows = [("domain", "sched", "util", "period Π", "budget Θ", "bandwidth", "task p/e", "prio",
             "bound", "verdict")]
    for d in result.domains:
        for i, task in enumerate(d.tasks):
            first = i == 0
            bound = d.bounds[i]
            rows.append((
                d.name if first else "", d.policy if first else "",
                percent_text(d.utilisation) if first else "",
                (time_text(d.period) + ("" if d.period_given else "*") if d.period else "-") if first else "",
                (time_text(d.budget) if d.budget else "-") if first else "",
                (percent_text(d.bandwidth) if d.bandwidth is not None else "-") if first else "",
                f"{time_text(task.period)}/{time_text(task.wcet)}",
                str(d.priorities[i]) if d.priorities else "-",
                time_text(bound) if bound is not None else "-",
                "ok" if bound is not None else "MISS"))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]


def to_json(config: str, system: System, result: rt.SystemResult) -> dict:
    ids = {d.name: d.id for d in system.domains}
    return {
        "config": config, "system": system.name,
        "overhead": fraction_text(result.overhead), "capacity": fraction_text(result.capacity),
        "total_bandwidth": fraction_text(result.total), "fits": result.fits,
        "time_unit": "us",
        "domains": [{
            "name": d.name, "id": ids[d.name], "scheduler": d.policy,
            "utilisation": fraction_text(d.utilisation),
            "period": d.period, "budget": d.budget, "period_given": d.period_given,
            "bandwidth": fraction_text(d.bandwidth) if d.bandwidth is not None else None,
            "schedulable": d.schedulable,
            "tasks": [{"period": t.period, "wcet": t.wcet,
                       "priority": d.priorities[i] if d.priorities else None,
                       "response_bound": d.bounds[i]} for i, t in enumerate(d.tasks)],
        } for d in result.domains],
    }


def problems(config: str, system: System, result: rt.SystemResult) -> list[str]:
    lines = {d.name: d.rt_line for d in system.domains}
    out = []
    for d in result.domains:
        if d.schedulable:
            continue
        where = f"{config}:{lines[d.name]}: [domain {d.name}]"
        if d.period_given:
            out.append(f"{where}: no budget up to rt_period = {time_text(d.period)} makes its "
                       f"{d.policy} task set (utilisation {percent_text(d.utilisation)}) schedulable")
        else:
            out.append(f"{where}: its {d.policy} task set (utilisation {percent_text(d.utilisation)}) "
                       "is not schedulable even on a dedicated processor")
    if all(d.schedulable for d in result.domains) and not result.fits:
        parts = " + ".join(f"{d.name} {percent_text(d.bandwidth)}" for d in result.domains)
        out.append(f"schedtool: {config}: the real-time domains do not fit: {parts} = "
                   f"{percent_text(result.total)} ({fraction_text(result.total)}) of the processor, "
                   f"more than the {percent_text(result.capacity)} left by the VMM's "
                   f"{percent_text(result.overhead)} overhead")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="schedtool.py", description="Periodic resource interfaces of a configuration's "
        "real-time domains and whether the VMM can serve them all (domains/README.md).")
    parser.add_argument("config", metavar="CONFIG", help="the system's configuration, domains/NAME.cfg")
    parser.add_argument("--overhead", type=parse_overhead, default=None,
                        metavar="PERCENT", help="the share of the processor the VMM itself takes "
                        f"(default {DEFAULT_OVERHEAD_PERCENT}; 0 under scheduler = sedf, whose admission "
                        "counts the VMM's cost per server period instead)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    try:
        fmt = load_format()
        system = load(args.config, fmt)
    except FormatError as e:
        print(f"schedtool: {e}", file=sys.stderr)
        return 2
    except Failure as e:
        print("\n".join(e.messages), file=sys.stderr)
        return 1
    sedf = system.scheduler == fmt.kSchedSedf
    per_period = fmt.kSedfOverheadPerPeriodNs // 1000 if sedf else 0
    overhead = args.overhead if args.overhead is not None else \
        (Fraction(0) if sedf else parse_overhead(DEFAULT_OVERHEAD_PERCENT))
    result = analyse(system, overhead, fmt.kTimesliceMinUs, per_period)
    bad = problems(args.config, system, result)

    if args.json:
        print(json.dumps(to_json(args.config, system, result), indent=2))
    elif not result.domains:
        print(f"schedtool: {args.config}: no domain declares rt_tasks: nothing to analyse")
    else:
        print(f"schedtool: {args.config}: system '{system.name}', {len(result.domains)} real-time "
              f"domain{'s' if len(result.domains) > 1 else ''} (times in ms/us; * = period chosen by the tool)")
        print("\n".join(table(result)))
        verdict = "fits" if result.fits else "does NOT fit"
        cost = f", each period counted with the VMM's {per_period} us" if per_period else ""
        print(f"system: EDF over the interfaces: bandwidth {percent_text(result.total)} of "
              f"{percent_text(result.capacity)} (100% less {percent_text(result.overhead)} VMM overhead{cost}): "
              f"{verdict}")
    if bad:
        print("\n".join(bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
