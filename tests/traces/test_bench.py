"""`make bench` (traces/bench.py): one board only, and the µC/OS-II task switch next to the
mini-OS microbenchmarks. A real run on goldfish (a few seconds), the make rule's plan for
another board, and the writer on recorded figures."""
import csv
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import bench  # noqa: E402
import xatrace  # noqa: E402

OTHER_BOARDS = {"goldfish": ("imx21", "versatilepb"), "imx21": ("goldfish", "versatilepb")}


def require(path: pathlib.Path) -> pathlib.Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make traces-plugin vmm test-guests ucos "
                                "build/traces/kernels/minios-tswitch.elf'")
    return path


def read_rows(path: pathlib.Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def goldfish_run(tmp_path_factory):
    """bench.py for goldfish, with the results folder in a temporary directory."""
    for path in (xatrace.PLUGIN, REPO / "build" / "goldfish" / "xen-arm.elf", bench.GUESTS / "microbench.elf",
                 bench.KERNELS / "minios-tswitch.elf", bench.UCOS / "pv" / "ucos.elf",
                 bench.UCOS / "native" / "goldfish" / "ucos.elf"):
        require(path)
    results = tmp_path_factory.mktemp("results")
    proc = subprocess.run(["/usr/bin/python3", str(REPO / "traces" / "bench.py"), "--platform", "goldfish",
                           "--results", str(results), "--count", "40"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results, proc.stdout


def test_a_run_writes_only_its_board(goldfish_run):
    results, _ = goldfish_run
    assert sorted(p.name for p in results.iterdir()) == ["goldfish"]
    assert sorted(p.name for p in (results / "goldfish").iterdir()) == ["bench.csv", "bench.md", "ucos-bench.csv"]


def test_the_ucos_figures_are_written_and_printed(goldfish_run):
    results, stdout = goldfish_run
    rows = read_rows(results / "goldfish" / "ucos-bench.csv")
    assert [(r["benchmark"], r["system"]) for r in rows] == [
        (name, system) for name in bench.UCOS_KINDS.values() for system in bench.UCOS_SYSTEMS]
    fig = {(r["benchmark"], r["system"]): r for r in rows}
    raw, sem = bench.UCOS_KINDS[1], bench.UCOS_KINDS[2]
    for name in (raw, sem):
        native, pv = fig[name, "native"], fig[name, "xen-arm"]
        for r in (native, pv):
            insns, cycles, clock = (float(r[k]) for k in ("instructions_per_switch", "cycles_per_switch",
                                                            "instructions_per_switch_icount_clock"))
            # The plugin's count equals QEMU's -icount clock (tests/system/test_ucos_bench.py's method).
            assert abs(insns - clock) <= 1, r
            assert insns < cycles < 4 * insns, r
        assert float(native["instructions_per_switch"]) <= float(pv["instructions_per_switch"]), (native, pv)
        assert pv["instructions_vs_native_pct"] and not native["instructions_vs_native_pct"]
    # The same bounds as tests/system/test_ucos_bench.py.
    assert 20 <= float(fig[raw, "native"]["instructions_per_switch"]) <= 120
    assert float(fig[raw, "native"]["instructions_per_switch"]) < float(fig[sem, "native"]["instructions_per_switch"])
    md = (results / "goldfish" / "bench.md").read_text()
    for text in (md, stdout):
        assert "µC/OS-II: one task switch" in text and "null hypercall" in text
        assert f"| {raw} | xen-arm | {fig[raw, 'xen-arm']['instructions_per_switch']} |" in text
    minios = read_rows(results / "goldfish" / "bench.csv")
    names = [r["benchmark"] for r in minios]
    paths = [r for r in minios if not r["benchmark"].startswith("reset to")]
    assert len(paths) == 13 and all(int(r["samples"]) >= 20 for r in paths)
    # The domain switch per direction: the wrap-around of the round-robin queue apart.
    assert "domain switch (yield, dom0 -> d1)" in names
    assert "domain switch (yield, d1 -> dom0 (the queue wraps around))" in names
    assert "domain switch (yield until the other domain runs)" not in names
    # With every switch cleaning (switch=clean): more instructions (the clean loop, the
    # invalidations) and several times the cycles of the default switch that keeps them.
    full = {r["benchmark"]: r for r in paths}
    cleaned = [r for r in paths if r["benchmark"].endswith(bench.CLEAN_SUFFIX)]
    assert len(cleaned) == 3
    for r in cleaned:
        base = full[r["benchmark"][:-len(bench.CLEAN_SUFFIX)]]
        assert float(r["instructions_median"]) > float(base["instructions_median"]), (r, base)
        assert float(r["cycles_median"]) > 2 * float(base["cycles_median"]), (r, base)
    boots = [r for r in minios if r["benchmark"].startswith("reset to the first guest instruction")]
    assert len(boots) == 2 and all(r["samples"] == "1" for r in boots)
    one, two = (int(r["instructions_min"]) for r in boots)
    assert 10_000 < one < two < 2_000_000, boots


def test_make_bench_builds_and_boots_only_its_board():
    """The plan of `make bench PLATFORM=imx21` (make -n): imx21's VMM and native µC/OS-II,
    bench.py for imx21, nothing of the other boards, no pytest run over every board."""
    plan = subprocess.run(["make", "-n", "--no-print-directory", "bench", "PLATFORM=imx21"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert plan.returncode == 0, plan.stderr
    text = plan.stdout
    assert re.search(r"traces/bench\.py --platform imx21\b", text), text[-2000:]
    for other in OTHER_BOARDS["imx21"]:
        for pattern in (f"build/{other}/", f"native/{other}/", f"PLATFORM={other}", f"--platform {other}"):
            assert pattern not in text, pattern
    assert "pytest" not in text and "vmm-all" not in text


def test_the_writer_on_recorded_figures(tmp_path):
    minios = [["null hypercall (xen_version round trip)", 200, 91, 91, 91, 175, 175, 771]]
    figures = {(1, "native"): (56.0, 135.0, 56.0), (1, "xen-arm"): (75.0, 153.0, 75.0),
               (2, "native"): (222.0, 453.0, 222.0), (2, "xen-arm"): (256.0, 483.5, 256.0)}
    ucos = bench.ucos_rows(figures, 500, 8)
    text = bench.write_results(tmp_path, "imx21", 200, minios, ucos)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench.csv", "bench.md", "ucos-bench.csv"]
    rows = read_rows(tmp_path / "ucos-bench.csv")
    assert list(rows[0]) == bench.UCOS_HEADER
    assert rows[1]["system"] == "xen-arm" and rows[1]["instructions_vs_native_pct"] == "33.9"
    assert rows[3]["cycles_vs_native_pct"] == "6.7"
    assert "# xen-arm microbenchmarks on imx21" in text
    assert "| 56.0 | 135.0 | — | 56.0 |" in text and "+33.9 % / +13.3 %" in text
    assert text == (tmp_path / "bench.md").read_text()


def test_ucos_per_switch_takes_the_fastest_rounds():
    """Two rounds; the second loaded round is slower (a tick): the first counts. 10 switches
    per round: (fastest loaded - fastest empty) / 20."""
    marks = {}
    spans = {(0, 0): 5, (0, 1): 1005, (1, 0): 7, (1, 1): 1405}
    for kind in bench.UCOS_KINDS:
        for (r, loaded), span in spans.items():
            tag = 0xC5000000 | kind << 16 | r << 8 | loaded << 4
            marks[tag] = (1000 * r, 2000 * r)
            marks[tag | 1] = (1000 * r + span, 2000 * r + 2 * span)
    assert bench.ucos_per_switch(marks, 1, 10, 2) == (50.0, 100.0)
    assert bench.ucos_tags(2)[:4] == [0xC5010000, 0xC5010001, 0xC5010010, 0xC5010011]
    assert len(bench.ucos_tags(8)) == 64


def test_directions_and_the_first_guest_instruction():
    """The domain switch's samples split per direction (the queue's wrap-around apart), and
    reset to the first guest instruction ignoring the VMM's own boot at the same address
    (imx21 boots at 0xC0000000, a guest kernel's entry)."""
    def ev(seq, kind, value, domain, insns):
        return xatrace.Event(seq, kind, value, domain, -1, insns, 2 * insns)
    b = next(x for x in bench.benches(10) if x.by_direction)
    probes = {b.start: 0xC0000100, b.end: 0xC0000200}
    events = [ev(0, "probe", 0xC0000000, "none", 0), ev(1, "domain", 0, "0", 50), ev(2, "probe", 0xC0000000, "0", 60),
              ev(3, "probe", 0xC0000100, "0", 100), ev(4, "probe", 0xC0000200, "1", 110),
              ev(5, "probe", 0xC0000100, "1", 200), ev(6, "probe", 0xC0000200, "0", 213),
              ev(7, "probe", 0xC0000100, "0", 300), ev(8, "probe", 0xC0000200, "1", 310)]
    assert bench.first_hit(events, 0xC0000000) == (60, 120)
    s = bench.directed_samples(b, events, probes)
    assert s == [(10, 20, "0", "1"), (13, 26, "1", "0"), (10, 20, "0", "1")]
    rows = bench.path_rows(b, s)
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("domain switch (yield, dom0 -> d1)", 2, 10),
        ("domain switch (yield, d1 -> dom0 (the queue wraps around))", 1, 13)]
    assert bench.boot_rows({1: (5, 9)}) == [
        ["reset to the first guest instruction (1 microbench domain, 1 MiB each)", 1, 5, 5, 5, 9, 9, 9]]


def test_readme_table_is_what_make_bench_prints(goldfish_run):
    """README.md's table of `make bench` paths (goldfish medians) against this run: the
    paths are deterministic under -icount, so their medians do not depend on the count."""
    results, _ = goldfish_run
    measured = {r["benchmark"]: r for r in read_rows(results / "goldfish" / "bench.csv")
                if not r["benchmark"].startswith("reset to")}
    text = (REPO / "README.md").read_text()
    table = text.split("| path (`make bench`) | instructions | modelled cycles |", 1)[1].split("\n\n", 1)[0]
    readme = {}
    for line in table.strip().splitlines()[1:]:
        name, insns, cycles = (c.strip() for c in line.strip("|").split("|"))
        readme[name] = (insns, cycles)

    def shown(x: str) -> str:
        v = float(x)
        return f"{v:,.1f}" if v != int(v) else f"{int(v):,}"

    assert set(readme) == set(measured), (sorted(readme), sorted(measured))
    for name, r in measured.items():
        assert readme[name] == (shown(r["instructions_median"]), shown(r["cycles_median"])), (name, r)
