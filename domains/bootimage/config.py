"""A configuration file (domains/*.cfg, domains/README.md): its syntax, every value
against the limits of boot_image.hh, the domains' memory against the board, and the
kernel and ramdisk paths it names (the ramdisks' contents are checked here too; the
kernels' in elf.py), and the real-time keys only domains/schedtool.py reads (rt_tasks,
rt_scheduler, rt_period: never in the boot image). Problems are collected with their
lines, not raised one by one.
"""
from __future__ import annotations

import dataclasses
import os
import pathlib
import re

from .format import SCHEDULERS, Format, known_boards


class Failure(Exception):
    """A problem with an input file; the messages are printed as they are."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclasses.dataclass
class Value:
    text: str
    line: int


@dataclasses.dataclass
class Section:
    kind: str              # "system" or "domain"
    name: str | None       # the domain's name
    line: int
    keys: dict[str, Value] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Domain:
    id: int
    name: str
    line: int
    kernel: str = ""
    kernel_line: int = 0
    kernel_path: pathlib.Path | None = None   # None: not resolved (--check without --kernel-dir)
    kernel_shown: str = ""
    memory_kb: int = 0
    timeslice_us: int = 0       # (the defaults are the format's: parse_config)
    privileged: bool = False
    autostart: bool = True
    priority: int = 0
    weight: int = 0             # credit
    cap_pct: int = 0
    period_us: int = 0          # sedf: 0 = no reservation
    budget_us: int = 0
    extra: bool = False
    fault_tolerance: int = 0    # kFt* (docs/fault-tolerance.md)
    checkpoint_us: int = 0      # 0: at every switch-out
    reserve_from_tasks: bool = False  # period/budget computed from rt_tasks (sedf)
    cmdline: str = ""
    image: bytes = b""          # the kernel as packed: a minimal ELF (pack_kernel)
    kernel_file_size: int = 0   # the kernel file's size
    window: int = 0             # the kernel window it runs in (relocate.py)
    relocated_words: int = 0    # words the move into its window changed (0: not moved)
    ramdisk: str = ""
    ramdisk_line: int = 0
    ramdisk_path: pathlib.Path | None = None
    ramdisk_shown: str = ""
    ramdisk_data: bytes = b""
    # The domain's real-time task set, for domains/schedtool.py only (not in the boot image).
    rt_scheduler: str = ""      # rm, fp or edf; "" without rt_tasks
    rt_tasks: list[tuple[int, int]] = dataclasses.field(default_factory=list)   # (period, wcet) in us
    rt_period_us: int = 0       # 0: schedtool chooses
    rt_line: int = 0            # of rt_tasks


@dataclasses.dataclass
class System:
    name: str
    boards: list[str]
    domains: list[Domain]
    scheduler: int = 0          # BootImageHeader.scheduler (kSched*)
    overcommit: bool = False    # [system] overcommit: only domains started at boot must fit
    line: int = 1               # of the [system] section (1 if there is none)


SYSTEM_KEYS = ("name", "board", "scheduler", "overcommit")
DOMAIN_KEYS = ("kernel", "memory", "timeslice", "privileged", "start", "priority", "cmdline", "ramdisk",
               "weight", "cap", "period", "budget", "extra", "fault_tolerance", "checkpoint")
# Read only by domains/schedtool.py's analysis: checked here, never written into the boot image.
RT_DOMAIN_KEYS = ("rt_scheduler", "rt_tasks", "rt_period")
RT_SCHEDULERS = ("rm", "fp", "edf")
REQUIRED_DOMAIN_KEYS = ("kernel", "memory")
BOOLEANS = {"yes": True, "true": True, "on": True, "1": True,
            "no": False, "false": False, "off": False, "0": False}
STARTS = {"boot": True, "manual": False}
# fault_tolerance = NAME -> the boot_image.hh constant for BootDomain.fault_tolerance.
FAULT_TOLERANCE = {"none": "kFtNone", "vm": "kFtVm"}
SCHEDULER_DEFAULT = "round-robin"


class Reporter:
    def __init__(self, shown_path: str):
        self.path = shown_path
        self.problems: list[tuple[int, str]] = []

    def __call__(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(enumerate(self.problems), key=lambda p: (p[1][0], p[0]))
            raise Failure([f"{self.path}:{line}: {msg}" for _, (line, msg) in ordered])


def _split_value(rest: str) -> tuple[str | None, str | None]:
    """The value of `key = <rest>`: quoted ("..." keeps '#' and spaces) or up to '#'.
    Returns (value, problem)."""
    rest = rest.strip()
    if rest.startswith('"'):
        end = rest.find('"', 1)
        if end < 0:
            return None, "no closing '\"'"
        after = rest[end + 1:].strip()
        if after and not after.startswith("#"):
            return None, f"unexpected '{after}' after the closing '\"'"
        return rest[1:end], None
    value = rest.split("#", 1)[0].strip()
    if not value:
        return None, "no value (write key = value; \"\" for an empty string)"
    return value, None


def read_sections(text: str, report: Reporter) -> list[Section]:
    """Splits the file into sections of key = value lines; reports syntax problems,
    unknown sections and duplicate keys or sections."""
    sections: list[Section] = []
    current: Section | None = None
    in_bad_section = False
    system_line = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            in_bad_section, current = True, None
            m = re.fullmatch(r"\[([^\]]*)\]\s*(#.*)?", line)
            if not m:
                report(number, f"bad section header '{line}' (expected [system] or [domain NAME])")
                continue
            words = m.group(1).split()
            if words == ["system"]:
                if system_line:
                    report(number, f"duplicate section [system] (first on line {system_line})")
                system_line = system_line or number
                current = Section("system", None, number)
            elif words and words[0] == "domain" and len(words) == 2:
                current = Section("domain", words[1], number)
            elif words == ["domain"]:
                report(number, "[domain] needs a name: [domain NAME]")
                continue
            else:
                report(number, f"unknown section [{m.group(1).strip()}] (expected [system] or [domain NAME])")
                continue
            in_bad_section = False
            sections.append(current)
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*=(.*)", line)
        if not m:
            report(number, f"expected 'key = value', a [section] or a # comment, not '{line}'")
            continue
        key, rest = m.group(1), m.group(2)
        value, problem = _split_value(rest)
        if problem:
            report(number, f"{key}: {problem}")
            continue
        if current is None:
            if not in_bad_section:   # (the keys of a bad section were reported with it)
                report(number, f"{key}: outside any section (start with [system] or [domain NAME])")
            continue
        if key in current.keys:
            report(number, f"{key}: duplicate key (first set on line {current.keys[key].line})")
            continue
        current.keys[key] = Value(value, number)
    return sections


def _size_kb(v: Value, key: str, fmt: Format, report: Reporter) -> int | None:
    m = re.fullmatch(r"(\d+)\s*(k|kib|m|mib)", v.text, re.I)
    if not m:
        report(v.line, f"{key}: '{v.text}' is not a size: "
                       "write a whole number with a K or M suffix, e.g. 512K or 1M")
        return None
    kb = int(m.group(1)) * (1024 if m.group(2).lower().startswith("m") else 1)
    if kb % fmt.kMemoryGranuleKb:
        report(v.line, f"{key}: '{v.text}' is not a multiple of {fmt.kMemoryGranuleKb}K")
    elif kb < fmt.kMemoryMinKb:
        report(v.line, f"{key}: '{v.text}' is below the minimum {fmt.kMemoryMinKb}K")
    elif kb > fmt.kMemoryMaxKb:
        report(v.line, f"{key}: '{v.text}' is above the maximum {fmt.kMemoryMaxKb // 1024}M")
    else:
        return kb
    return None


def _time_us(v: Value, key: str, fmt: Format, report: Reporter, low: int | None = None,
             high: int | None = None) -> int | None:
    """A time with a us or ms suffix, within low..high us (default: the timeslice's range)."""
    low = fmt.kTimesliceMinUs if low is None else low
    high = fmt.kTimesliceMaxUs if high is None else high
    m = re.fullmatch(r"(\d+)\s*(us|ms)", v.text, re.I)
    if not m:
        report(v.line, f"{key}: '{v.text}' is not a time: "
                       "write a whole number with a us or ms suffix, e.g. 10ms")
        return None
    us = int(m.group(1)) * (1000 if m.group(2).lower() == "ms" else 1)
    if us < low:
        report(v.line, f"{key}: '{v.text}' is below the minimum {low}us")
    elif us > high:
        report(v.line, f"{key}: '{v.text}' is above the maximum {high // 1000}ms")
    else:
        return us
    return None


def _whole(v: Value, key: str, low: int, high: int, report: Reporter) -> int | None:
    if re.fullmatch(r"\d+", v.text) and low <= int(v.text) <= high:
        return int(v.text)
    report(v.line, f"{key}: '{v.text}' is not a whole number in {low}..{high}")
    return None


def _choice(v: Value, key: str, choices: dict[str, bool], wanted: str, report: Reporter) -> bool | None:
    if v.text.lower() in choices:
        return choices[v.text.lower()]
    report(v.line, f"{key}: '{v.text}' is not {wanted}")
    return None


def _text(v: Value, key: str, limit: int, report: Reporter) -> str | None:
    if any(not " " <= c <= "~" for c in v.text):
        report(v.line, f"{key}: only printable ASCII characters are allowed")
    elif len(v.text) > limit:
        report(v.line, f"{key}: {len(v.text)} bytes, the limit is {limit}")
    else:
        return v.text
    return None


def _task_time(text: str) -> int | None:
    m = re.fullmatch(r"(\d+)\s*(us|ms)", text.strip(), re.I)
    return int(m.group(1)) * (1000 if m.group(2).lower() == "ms" else 1) if m else None


def _rt_keys(k: dict[str, Value], d: Domain, fmt: Format, report: Reporter) -> None:
    """rt_tasks = PERIOD/WCET, ... (times as timeslice's), rt_scheduler, rt_period."""
    if "rt_tasks" in k:
        v = k["rt_tasks"]
        d.rt_line = v.line
        items = [i.strip() for i in v.text.split(",")]
        if any(not i for i in items):
            report(v.line, f"rt_tasks: '{v.text}' is not a comma-separated list of tasks")
        for item in (i for i in items if i):
            parts = item.split("/")
            times = [_task_time(p) for p in parts]
            if len(parts) != 2 or None in times:
                report(v.line, f"rt_tasks: '{item}' is not a task: write PERIOD/WCET, each a whole number "
                               "with a us or ms suffix, e.g. 10ms/2ms")
                continue
            period, wcet = times
            if period < fmt.kTimesliceMinUs:
                report(v.line, f"rt_tasks: '{item}': the period is below the minimum {fmt.kTimesliceMinUs}us")
            elif period > fmt.kTimesliceMaxUs:
                report(v.line, f"rt_tasks: '{item}': the period is above the maximum "
                               f"{fmt.kTimesliceMaxUs // 1000}ms")
            elif wcet == 0:
                report(v.line, f"rt_tasks: '{item}': the execution time must be at least 1us")
            elif wcet > period:
                report(v.line, f"rt_tasks: '{item}': the execution time is longer than the period")
            else:
                d.rt_tasks.append((period, wcet))
        if "rt_scheduler" not in k:
            report(v.line, f"rt_tasks: needs rt_scheduler ({', '.join(RT_SCHEDULERS)}) in [domain {d.name}]")
    if "rt_scheduler" in k:
        v = k["rt_scheduler"]
        if v.text in RT_SCHEDULERS:
            d.rt_scheduler = v.text
        else:
            report(v.line, f"rt_scheduler: '{v.text}' is not a local scheduler ({', '.join(RT_SCHEDULERS)})")
    if "rt_period" in k:
        d.rt_period_us = _time_us(k["rt_period"], "rt_period", fmt, report) or 0
    for key in ("rt_scheduler", "rt_period"):
        if key in k and "rt_tasks" not in k:
            report(k[key].line, f"{key}: only with rt_tasks (the domain's task set)")


def _charset_text(chars: str) -> str:
    """chars in words: runs of three or more consecutive characters as ranges, the rest
    one by one, e.g. 'a-z 0-9 _ -'."""
    words, i = [], 0
    while i < len(chars):
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        words += [f"{chars[i]}-{chars[j]}"] if j - i >= 2 else list(chars[i:j + 1])
        i = j + 1
    return " ".join(words)


def _unknown_keys(section: Section, allowed: tuple[str, ...], report: Reporter) -> None:
    where = "[system]" if section.kind == "system" else "[domain]"
    for key, v in section.keys.items():
        if key not in allowed:
            report(v.line, f"{key}: unknown key in {where} (known: {', '.join(allowed)})")


def parse_config(text: str, shown_path: str, fmt: Format, board: str | None, report: Reporter) -> System:
    """The system a configuration describes, with every rule of boot_image.hh checked
    except the kernels' and ramdisks' files (see load_kernels, load_ramdisks). Problems go
    to report."""
    sections = read_sections(text, report)
    boards_known = known_boards()

    system_name = pathlib.Path(shown_path).stem
    system_name_line = 1
    boards: list[str] = []
    scheduler = getattr(fmt, SCHEDULERS[SCHEDULER_DEFAULT])
    overcommit = False
    system_line = 1
    name_limit = fmt.text_limit(fmt.header, "system_name")
    for s in (s for s in sections if s.kind == "system"):
        _unknown_keys(s, SYSTEM_KEYS, report)
        system_line = s.line
        if "overcommit" in s.keys:
            overcommit = bool(_choice(s.keys["overcommit"], "overcommit", BOOLEANS, "yes or no", report))
        if "name" in s.keys:
            system_name_line = s.keys["name"].line
            system_name = _text(s.keys["name"], "name", name_limit, report) or "?"
            if not s.keys["name"].text:
                report(system_name_line, "name: the system name is empty")
        if "board" in s.keys:
            v = s.keys["board"]
            boards = [b.strip() for b in v.text.split(",")]
            if any(not b for b in boards):
                report(v.line, f"board: '{v.text}' is not a comma-separated list of boards")
            for b in boards:
                if b and boards_known and b not in boards_known:
                    report(v.line, f"board: '{b}' is not a board ({', '.join(boards_known)})")
            if board is not None and all(boards) and board not in boards:
                report(v.line, f"board: this system is for {', '.join(boards)}, not {board}")
        if "scheduler" in s.keys:
            v = s.keys["scheduler"]
            if v.text in SCHEDULERS:
                scheduler = getattr(fmt, SCHEDULERS[v.text])
            else:
                report(v.line, f"scheduler: '{v.text}' is not a scheduler ({', '.join(SCHEDULERS)})")
    if system_name_line == 1 and not re.fullmatch(rf"[ -~]{{1,{name_limit}}}", system_name):
        report(1, f"name: the file name '{system_name}' does not make a system name of 1..{name_limit} "
                  "printable ASCII bytes: set [system] name")

    domain_sections = [s for s in sections if s.kind == "domain"]
    name_limit = fmt.text_limit(fmt.domain, "name")
    cmdline_limit = fmt.text_limit(fmt.domain, "cmdline")
    seen: dict[str, int] = {}
    domains: list[Domain] = []
    for s in domain_sections:
        d = Domain(len(domains), s.name or "", s.line, timeslice_us=fmt.kTimesliceDefaultUs,
                   priority=fmt.kPriorityDefault, weight=fmt.kWeightDefault)
        domains.append(d)
        if not re.fullmatch(rf"[{re.escape(fmt.name_chars)}]{{1,{name_limit}}}", d.name):
            report(s.line, f"[domain {d.name}]: bad domain name '{d.name}': "
                           f"use 1..{name_limit} characters of {_charset_text(fmt.name_chars)}")
        elif d.name in seen:
            report(s.line, f"[domain {d.name}]: duplicate domain name (first on line {seen[d.name]})")
        seen.setdefault(d.name, s.line)
        if len(domains) == fmt.kMaxDomains + 1:
            report(s.line, f"[domain {d.name}]: too many domains: at most {fmt.kMaxDomains}")
        _unknown_keys(s, DOMAIN_KEYS + RT_DOMAIN_KEYS, report)
        for key in REQUIRED_DOMAIN_KEYS:
            if key not in s.keys:
                report(s.line, f"[domain {d.name}]: missing required key '{key}'")
        k = s.keys
        if "kernel" in k:
            d.kernel, d.kernel_line = k["kernel"].text, k["kernel"].line
        if "memory" in k:
            d.memory_kb = _size_kb(k["memory"], "memory", fmt, report) or 0
        if "timeslice" in k:
            d.timeslice_us = _time_us(k["timeslice"], "timeslice", fmt, report) or fmt.kTimesliceDefaultUs
        if "privileged" in k:
            d.privileged = bool(_choice(k["privileged"], "privileged", BOOLEANS, "yes or no", report))
        if "start" in k:
            d.autostart = _choice(k["start"], "start", STARTS, "boot or manual", report) is not False
        if "priority" in k:
            v = k["priority"]
            if re.fullmatch(r"\d+", v.text) and int(v.text) <= fmt.kPriorityMax:
                d.priority = int(v.text)
            else:
                report(v.line, f"priority: '{v.text}' is not a whole number in 0..{fmt.kPriorityMax}")
        if "weight" in k:
            d.weight = _whole(k["weight"], "weight", 1, fmt.kWeightMax, report) or fmt.kWeightDefault
        if "cap" in k:
            v = k["cap"]
            m = re.fullmatch(r"(\d+)\s*%", v.text)
            if m and 0 <= int(m.group(1)) <= fmt.kCapMaxPct:
                d.cap_pct = int(m.group(1))
            else:
                report(v.line, f"cap: '{v.text}' is not a percentage of the CPU in 0%..{fmt.kCapMaxPct}% (0%: no cap)")
        if "period" in k:
            d.period_us = _time_us(k["period"], "period", fmt, report, fmt.kPeriodMinUs, fmt.kPeriodMaxUs) or 0
        if "budget" in k:
            d.budget_us = _time_us(k["budget"], "budget", fmt, report, 1, fmt.kPeriodMaxUs) or 0
        if "period" in k and "budget" not in k:
            report(k["period"].line, "period: a reservation needs a budget too (budget = TIME)")
        elif "budget" in k and "period" not in k:
            report(k["budget"].line, "budget: a reservation needs a period too (period = TIME)")
        elif d.period_us and d.budget_us > d.period_us:
            report(k["budget"].line, f"budget: '{k['budget'].text}' is longer than the period '{k['period'].text}'")
        if "extra" in k:
            d.extra = bool(_choice(k["extra"], "extra", BOOLEANS, "yes or no", report))
        if "fault_tolerance" in k:
            v = k["fault_tolerance"]
            if v.text in FAULT_TOLERANCE:
                d.fault_tolerance = getattr(fmt, FAULT_TOLERANCE[v.text])
            else:
                report(v.line, f"fault_tolerance: '{v.text}' is not one of {', '.join(FAULT_TOLERANCE)}")
        if d.fault_tolerance == fmt.kFtVm and d.memory_kb > fmt.kFtMemoryMaxKb:
            report(k["fault_tolerance"].line, f"fault_tolerance: vm needs memory of at most "
                                              f"{fmt.kFtMemoryMaxKb // 1024}M (the VMM's backup window), not "
                                              f"{k['memory'].text}")
        if "checkpoint" in k:
            v = k["checkpoint"]
            ft = k["fault_tolerance"].text if "fault_tolerance" in k else "none"
            if ft == "none":
                report(v.line, "checkpoint: only for a domain with fault_tolerance = vm")
            elif v.text == "manual":
                d.checkpoint_us = fmt.kCheckpointManual
            elif v.text != "switch":
                d.checkpoint_us = _time_us(v, "checkpoint", fmt, report, fmt.kCheckpointMinUs,
                                           fmt.kCheckpointMaxUs) or 0
        if "cmdline" in k:
            d.cmdline = _text(k["cmdline"], "cmdline", cmdline_limit, report) or ""
        if "ramdisk" in k:
            d.ramdisk, d.ramdisk_line = k["ramdisk"].text, k["ramdisk"].line
        _rt_keys(k, d, fmt, report)

        line_of = lambda key: k[key].line if key in k else s.line  # noqa: E731
        if d.id == 0:
            if "privileged" in k and not BOOLEANS.get(k["privileged"].text.lower(), True):
                report(line_of("privileged"), "privileged: the first domain (dom0) must be privileged = yes")
            elif "privileged" not in k:
                report(s.line, f"[domain {d.name}]: the first domain (dom0) must say privileged = yes")
            if "start" in k and STARTS.get(k["start"].text.lower()) is False:
                report(line_of("start"), "start: the first domain (dom0) must have start = boot")
        elif d.privileged:
            report(line_of("privileged"), "privileged: only the first domain (dom0) may be privileged")

    if not domain_sections:
        report(max(1, len(text.splitlines())),
               f"no [domain NAME] section: a system has 1..{fmt.kMaxDomains} domains")
    return System(system_name, boards, domains, scheduler, overcommit, system_line)


def sedf_bandwidth_ppm(period_us: int, budget_us: int, fmt: Format) -> int:
    """What a sedf server takes of the CPU, in parts per million, as the VMM counts it
    (xen-arm/core/sched_sedf.cc): its budget plus the VMM's cost per period, rounded up."""
    period_ns = period_us * 1000
    return ((budget_us * 1000 + fmt.kSedfOverheadPerPeriodNs) * 1_000_000 + period_ns - 1) // period_ns


def check_schedule(system: System, fmt: Format, report: Reporter) -> None:
    """Under sedf: a domain that declares its task set (rt_tasks) and no reservation gets the
    minimal periodic resource interface of bootimage/rt.py as its period and budget (the
    period chosen counting the VMM's cost per period, as admission does); one that
    declares both gets them checked against its task set. Then admission control: every
    reservation (with the VMM's overhead per period) must fit in the CPU at once, since any
    domain may be started. The VMM checks the same when it builds a domain; this says so
    before the image is made, naming the domains."""
    if system.scheduler != fmt.kSchedSedf:
        unused = [d for d in system.domains if d.period_us or d.extra]
        for d in unused:
            report(d.line, f"[domain {d.name}]: period/budget/extra are for scheduler = sedf")
        return
    from bootimage import rt  # the analysis is only needed here

    per_period = fmt.kSedfOverheadPerPeriodNs // 1000
    for d in system.domains:
        if not d.rt_tasks:
            continue
        tasks = [rt.Task(p, e) for p, e in d.rt_tasks]
        if d.period_us:
            if not rt.schedulable(tasks, d.rt_scheduler, d.period_us, d.budget_us):
                need = rt.minimal_budget(tasks, d.rt_scheduler, d.period_us)
                report(d.rt_line, f"[domain {d.name}]: budget {d.budget_us}us in every {d.period_us}us is not "
                                  f"enough for its rt_tasks under {d.rt_scheduler}: "
                                  + (f"it needs {need}us" if need else "no budget at that period is"))
            continue
        result = rt.analyse_domain(d.name, d.rt_scheduler, tasks, d.rt_period_us or None,
                                   step=fmt.kPeriodMinUs, min_budget=fmt.kTimesliceMinUs, per_period=per_period)
        if result.budget is None:
            report(d.rt_line, f"[domain {d.name}]: its rt_tasks cannot be scheduled by any periodic resource "
                              f"up to its shortest task period")
            continue
        d.period_us, d.budget_us, d.reserve_from_tasks = result.period, result.budget, True
    reserved = [(d, sedf_bandwidth_ppm(d.period_us, d.budget_us, fmt)) for d in system.domains if d.period_us]
    total = sum(ppm for _, ppm in reserved)
    if total > 1_000_000:
        parts = ", ".join(f"{d.name} {d.budget_us}us/{d.period_us}us = {ppm / 10_000:.2f} %" for d, ppm in reserved)
        report(system.line, f"sedf: the reservations need {total / 10_000:.2f} % of the CPU, more than 100 % "
                            f"(each counts its budget plus {fmt.kSedfOverheadPerPeriodNs // 1000} us of VMM work "
                            f"per period): {parts}")


def check_memory(system: System, board: str, ram_kb: int, vmm_kb: int, report: Reporter) -> None:
    """The domains' memory against what the board leaves for guests: its RAM less
    DIRECTMAP, which the VMM keeps (xen-arm/core/vmm.cc gives guests the rest, and every
    domain's memory is one contiguous run of it). Every domain must fit at once, or with
    [system] overcommit = yes those started at boot, and each of the others by itself."""
    free_kb = ram_kb - vmm_kb
    have = (f"the board {board} has {amount(free_kb)} for guests "
            f"({amount(ram_kb)} of RAM less the VMM's {amount(vmm_kb)})")
    total = 0
    for d in system.domains:
        # A domain with fault_tolerance = vm has a backup of its memory, as large, beside it.
        needs_kb = d.memory_kb * (2 if d.fault_tolerance else 1)
        backup = " with its backup" if d.fault_tolerance else ""
        if system.overcommit and not d.autostart:
            if needs_kb > free_kb:
                report(d.line, f"[domain {d.name}]: memory: needs {amount(needs_kb)}{backup}; {have}")
            continue
        total += needs_kb
        if total > free_kb:
            who = "the domains started at boot need" if system.overcommit else "the domains need"
            backups = " (with the backups of fault_tolerance = vm domains)" if any(
                o.fault_tolerance for o in system.domains[:d.id + 1]
                if o.autostart or not system.overcommit) else ""
            report(d.line, f"[domain {d.name}]: memory: with {d.name}, {who} {amount(total)} in all{backups}; "
                           f"{have}" + ("" if system.overcommit else
                                        ". Domains started by hand can take turns: [system] overcommit = yes"))
            return


def resolve_kernels(system: System, config: pathlib.Path, shown_config: str,
                    kernel_dir: str | None, required: bool, report: Reporter) -> None:
    """Finds each domain's kernel file: a bare name is <kernel-dir>/<name>.elf, a value
    with '/' a path relative to the configuration file. Without --kernel-dir, bare names
    stay unresolved (--check) or are an error (building)."""
    for d in system.domains:
        if not d.kernel_line:
            continue   # no kernel key: reported already
        if "/" in d.kernel:
            shown = os.path.normpath(os.path.join(os.path.dirname(shown_config), d.kernel))
            path = config.parent / d.kernel
        elif not re.fullmatch(r"[A-Za-z0-9_.+-]+", d.kernel):
            report(d.kernel_line, f"kernel: '{d.kernel}' is not a kernel name or a path with '/'")
            continue
        elif kernel_dir is None:
            if required:
                report(d.kernel_line, f"kernel: '{d.kernel}' is a name, but no --kernel-dir was given")
            continue
        else:
            shown = os.path.join(kernel_dir, d.kernel + ".elf")
            path = pathlib.Path(shown)
        d.kernel_path, d.kernel_shown = path, shown


def read_input(path: pathlib.Path, shown: str, key: str, line: int, report: Reporter) -> bytes | None:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        report(line, f"{key}: {shown} is a directory, not a file")
    except FileNotFoundError:
        report(line, f"{key}: {shown} does not exist")
    except OSError as e:
        report(line, f"{key}: cannot read {shown}: {e.strerror}")
    return None


def resolve_ramdisks(system: System, config: pathlib.Path, shown_config: str) -> None:
    """A ramdisk is a path relative to the configuration file (or absolute)."""
    for d in system.domains:
        if d.ramdisk_line:
            d.ramdisk_shown = os.path.normpath(os.path.join(os.path.dirname(shown_config), d.ramdisk))
            d.ramdisk_path = config.parent / d.ramdisk


def load_ramdisks(system: System, fmt: Format, report: Reporter) -> None:
    sector, limit = fmt.kRamdiskSectorSize, fmt.kRamdiskMaxSize
    for d in system.domains:
        if d.ramdisk_path is None:
            continue
        data = read_input(d.ramdisk_path, d.ramdisk_shown, "ramdisk", d.ramdisk_line, report)
        if data is None:
            continue
        if not data:
            report(d.ramdisk_line, f"ramdisk: {d.ramdisk_shown} is empty")
        elif len(data) % sector:
            report(d.ramdisk_line, f"ramdisk: {d.ramdisk_shown} is {len(data)} bytes, not a multiple of "
                                   f"{sector} (whole sectors)")
        elif len(data) > limit:
            report(d.ramdisk_line, f"ramdisk: {d.ramdisk_shown} is {len(data)} bytes, over the limit of "
                                   f"{limit} ({limit // (1024 * 1024)} MiB)")
        else:
            d.ramdisk_data = data


def amount(kb: int) -> str:
    return f"{kb // 1024} MiB" if kb % 1024 == 0 else f"{kb} KiB"
