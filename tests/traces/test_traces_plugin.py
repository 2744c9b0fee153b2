"""The xatrace plugin (traces/) on real runs in QEMU: deterministic outputs, rows that add
up to the grand total, attribution by the trace protocol, instruction counts equal to
QEMU's own (-icount), a valid Perfetto timeline. The timing model itself is unit-tested
in C++ (traces/tests, run by make host-test)."""
import json
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import xatrace  # noqa: E402

NUMERIC = ("instructions", "cycles", "icache_misses", "dcache_misses", "dcache_writebacks", "io_accesses", "tlb_misses")


def require(path: pathlib.Path) -> pathlib.Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make traces-plugin minios vmm-all test-guests'")
    return path


def mkimage(tmp_path: pathlib.Path, name: str, domains: list[tuple[str, str, str]], kernel_dir: pathlib.Path,
            memory: str = "1M") -> pathlib.Path:
    """domains: (name, kernel, cmdline); the first is dom0. A goldfish boot image."""
    cfg = "[system]\nname = t\n\n"
    for i, (dname, kernel, cmdline) in enumerate(domains):
        cfg += (f"[domain {dname}]\nkernel = {kernel}\nmemory = {memory}\nstart = boot\n"
                + ("privileged = yes\n" if i == 0 else "") + f"cmdline = \"{cmdline}\"\n\n")
    (tmp_path / f"{name}.cfg").write_text(cfg)
    out = tmp_path / f"{name}.elf"
    subprocess.run(["/usr/bin/python3", str(REPO / "domains" / "mkimage.py"), "--vmm",
                    str(require(REPO / "build" / "goldfish" / "xen-arm.elf")), "--config", str(tmp_path / f"{name}.cfg"),
                    "--kernel-dir", str(kernel_dir), "--board", "goldfish", "--ram-base", "0x0", "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def traced(image: pathlib.Path, out: pathlib.Path, window_elf: pathlib.Path, append: str = "") -> xatrace.Run:
    out.mkdir(parents=True, exist_ok=True)
    args = {"csv": out / "run.csv", "window": xatrace.symbol(window_elf, "arch_trace_marker"),
            "window_csv": out / "window.csv", "stats": out / "stats.json", "events": out / "events.csv",
            "timeline": out / "trace.json", "hypercalls": xatrace.HYPERCALLS_H}
    run = xatrace.run("goldfish", image, append, args)
    assert run.status == 0, run.output
    return run


@pytest.fixture(scope="module")
def bench2(tmp_path_factory):
    """Case 2 of the Secure Xen on ARM benchmark (two mini-OS domains running it), traced twice."""
    require(xatrace.PLUGIN)
    tmp = tmp_path_factory.mktemp("bench2")
    pv = require(REPO / "build" / "minios" / "pv" / "minios.elf")
    image = mkimage(tmp, "bench2", [("dom0", "minios", "app=bench"), ("guest1", "minios", "app=bench")], pv.parent)
    first = traced(image, tmp / "a", pv)
    second = traced(image, tmp / "b", pv)
    bare = xatrace.run("goldfish", image)
    return tmp, first, second, bare


OUTPUTS = ("run.csv", "window.csv", "stats.json", "events.csv", "trace.json")


def test_two_runs_give_identical_outputs(bench2):
    tmp, first, second, bare = bench2
    for name in OUTPUTS:
        assert (tmp / "a" / name).read_bytes() == (tmp / "b" / name).read_bytes(), name
    assert first.output == second.output
    assert first.output == bare.output, "the plugin changed what the guests printed"


@pytest.mark.parametrize("name", ["run.csv", "window.csv"])
def test_rows_add_up_to_the_grand_total(bench2, name):
    tmp = bench2[0]
    rows, total = xatrace.read_csv(tmp / "a" / name)
    assert len(rows) > 10
    for field in NUMERIC:
        assert sum(getattr(r, field) for r in rows) == getattr(total, field), field
    # The whole run's total is QEMU's inline counter: every instruction, none twice.
    stats = json.loads((tmp / "a" / "stats.json").read_text())
    if name == "run.csv":
        assert total.instructions == stats["instructions"] and total.cycles == stats["cycles"]


def test_attribution_to_domains_threads_and_units(bench2):
    tmp = bench2[0]
    rows, total = xatrace.read_csv(tmp / "a" / "run.csv")
    assert {r.unit for r in rows} <= {"vmm", "kernel", "user", "other"}
    assert {r.domain for r in rows} >= {"none", "0", "1"}   # "none": the VMM's boot
    assert all(r.unit in ("vmm", "other") for r in rows if r.domain == "none")
    events = xatrace.read_events(tmp / "a" / "events.csv")
    markers = {(e.domain, e.thread, e.value & 0xFF) for e in events if e.kind == "swi" and e.value >= 0xFFFF00}
    # swi #0xffffab: a = domain, b = the benchmark's thread index, from that domain's threads.
    assert {(d, m >> 4, m & 0xF) for d, _, m in markers} == {(str(d), d, t) for d in (0, 1) for t in range(4)}
    for dom, thread, _ in markers:
        kernel = sum(r.instructions for r in rows if (r.domain, r.thread, r.unit) == (dom, str(thread), "kernel"))
        assert 1_200_000 <= kernel < 1_220_000, (dom, thread, kernel)  # two 100,000-iteration loops
    stats = json.loads((tmp / "a" / "stats.json").read_text())
    assert stats["domain_switches"] >= 2 and stats["window_hits"] == 4
    assert stats["vmm_entries"]["hypercall console_io"]["count"] > 0
    # Dirty lines get written back (evictions; the cleans at boot and at each build).
    assert stats["dcache_writebacks"] > 0
    # The two domains run in kernel windows of their own and share no frame: their switches
    # write the TTBR and keep the caches and the TLB (c8, c7, 0 only at boot and builds).
    assert stats["ttbr_writes"] > stats["domain_switches"] > stats["tlb_flushes"] > 0
    assert stats["model"]["tlb"] == 64 and stats["model"]["walk"] > 0
    for dom in ("0", "1"):
        for unit in ("kernel", "vmm"):
            assert sum(r.tlb_misses for r in rows if (r.domain, r.unit) == (dom, unit)) > 0, (dom, unit)
    assert 1.0 < total.cpi < 4.0


def test_timeline_is_trace_event_json(bench2):
    tmp = bench2[0]
    trace = json.loads((tmp / "a" / "trace.json").read_text())
    events = trace["traceEvents"]
    slices = [e for e in events if e["ph"] == "X"]
    assert all(e["dur"] >= 0 and e["ts"] >= 0 for e in slices)
    names = {(e["pid"], e["tid"], e["name"]) for e in slices}
    assert {(0, 0, "dom0"), (0, 0, "dom1"), (0, 1, "boot"), (0, 1, "hypercall console_io")} <= names
    assert any(e["pid"] == 2 and e["name"].startswith("thread ") for e in slices)  # dom0's threads
    assert any(e["ph"] == "i" and e["name"].startswith("trace marker") for e in events)
    domain_track = sorted((e["ts"], e["ts"] + e["dur"]) for e in slices if e["pid"] == 0 and e["tid"] == 0)
    assert all(a[1] <= b[0] + 1e-6 for a, b in zip(domain_track, domain_track[1:])), "domains overlap"


def test_instruction_counts_are_qemus(bench2):
    """The window's instructions are exactly what QEMU's -icount clock (8 ns an instruction)
    says passed between the VMM's timestamps of the first and the last benchmark marker
    (the same path from arch_trace_marker to the VMM's clock read both times)."""
    tmp, first = bench2[0], bench2[1]
    marks = [int(ns) for ns in re.findall(r"trace dom\d+ marker 0xbe00[0-9a-f]{4} at (\d+) ns", first.output)]
    assert len(marks) == 4, first.output
    window = xatrace.read_csv(tmp / "a" / "window.csv")[1]
    assert (marks[-1] - marks[0]) % 8 == 0
    assert window.instructions == (marks[-1] - marks[0]) // 8


def test_native_run_and_its_trace_page(tmp_path):
    """mini-OS natively: the same thread announcements (its own page at window 0 + XA_TRACE_PAGE_OFFSET),
    no domain; the benchmark window is what the benchmark measured itself."""
    require(xatrace.PLUGIN)
    elf = require(REPO / "build" / "minios" / "native" / "goldfish" / "minios.elf")
    run = traced(elf, tmp_path, elf, "app=bench")
    rows, window = xatrace.read_csv(tmp_path / "window.csv")
    assert {r.domain for r in rows} == {"none"}
    assert {r.unit for r in xatrace.read_csv(tmp_path / "run.csv")[0]} <= {"kernel", "other"}
    per_thread = {}
    for r in rows:
        per_thread[r.thread] = per_thread.get(r.thread, 0) + r.instructions
    assert sum(1 for n in per_thread.values() if n > 1_200_000) == 4, per_thread
    elapsed_ns = int(re.search(r"bench: dom 0 elapsed (\d+) ns", run.output).group(1))
    assert abs(window.instructions - elapsed_ns // 8) < 100  # NOW() is read next to the markers
    # Sections (and the trace page): a handful of TLB entries, all filled before the window.
    whole = xatrace.read_csv(tmp_path / "run.csv")[1]
    assert 0 < whole.tlb_misses < 64 and window.tlb_misses == 0


def test_probes_time_a_null_hypercall(tmp_path):
    """make bench's mechanism: probes on two labelled instructions of a test guest give one
    sample per hypercall; a warm null hypercall takes the same path every time."""
    import bench
    require(xatrace.PLUGIN)
    guests = REPO / "build" / "guests"
    elf = require(guests / "microbench.elf")
    b = next(b for b in bench.benches(20) if b.start == "mb_null_swi")
    probes = {s: xatrace.symbol(elf, s) for s in (b.start, b.end)}
    image = mkimage(tmp_path, "null", [("dom0", "microbench", b.cmdline)], guests, memory="256K")
    run = xatrace.run("goldfish", image, "", {"events": tmp_path / "events.csv", "probe": list(probes.values())})
    assert run.status == 0, run.output
    samples = bench.samples(b, xatrace.read_events(tmp_path / "events.csv"), probes)
    assert len(samples) == 20
    warm = samples[2:]
    assert len({s for s in warm}) == 1, samples  # same instructions and cycles every time
    insns, cycles = warm[0]
    assert 20 < insns <= 100 and insns < cycles  # tests/system/test_hotpath.py's budget
