"""The cache and TLB coherence checker of the xatrace plugin (check=FILE, traces/README.md):
goldfish's system images have no stale hit, and each seeded maintenance bug (the plugin
makes one CP15 operation do nothing: skip=KIND[:N]) is caught where an ARM926 would
return stale data. Runs are deterministic (-icount): the counts are exact."""
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import coherence  # noqa: E402
import xatrace  # noqa: E402

IMAGES = REPO / "build" / "goldfish" / "images"
KERNELS = REPO / "build" / "traces" / "kernels"


def need(path: pathlib.Path) -> pathlib.Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make traces-plugin images build/traces/kernels/minios-codewrite.elf'")
    return path


def codewrite_image(tmp_path: pathlib.Path, cmdline: str) -> pathlib.Path:
    """One domain running traces/apps/codewrite.c: alone, so that no domain switch
    flushes the caches between its writes and its calls."""
    need(KERNELS / "minios-codewrite.elf")
    return pack(tmp_path, "codewrite", "[system]\nname = codewrite\n\n[domain dom0]\nkernel = minios-codewrite\n"
                f"memory = 1M\nstart = boot\nprivileged = yes\ncmdline = \"{cmdline}\"\n", KERNELS)


def pack(work: pathlib.Path, name: str, config: str, kernel_dir: pathlib.Path) -> pathlib.Path:
    """work/<name>.elf: the configuration packed for goldfish by mkimage.py."""
    cfg = work / f"{name}.cfg"
    cfg.write_text(config)
    out = work / f"{name}.elf"
    subprocess.run(["/usr/bin/python3", str(REPO / "domains" / "mkimage.py"), "--vmm",
                    str(need(REPO / "build" / "goldfish" / "xen-arm.elf")), "--config", str(cfg),
                    "--kernel-dir", str(kernel_dir), "--board", "goldfish", "--ram-base", "0x0", "-o", str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def stale(coh: dict) -> tuple[int, int, int]:
    return coh["stale_icache"], coh["stale_dcache"], coh["stale_tlb"]


@pytest.mark.parametrize("name", ["bench1", "bench2", "bench3", "eight", "ft", "hello", "split", "ucos"])
def test_system_images_have_no_stale_hit(tmp_path, name):
    """Every domains/*.cfg system on goldfish (make coherence runs any board's)."""
    need(xatrace.PLUGIN)
    run, coh, report = coherence.check("goldfish", need(IMAGES / f"{name}.elf"), tmp_path,
                                       console_input=coherence.CONSOLE_INPUT.get(name))
    assert run.status == 0, run.output
    assert stale(coh) == (0, 0, 0), report
    assert report == "stale hits: I-cache 0, D-cache 0, TLB 0\n"
    # The VMM's maintenance the checker saw: a TTBR write on every address-space switch, a
    # full clean (D-cache, I-cache, TLB together) only on those that need one.
    ops = coh["operations"]
    assert ops["dcleaninv"] > 0 and ops["iinv"] == ops["dcleaninv"] and ops["tlb"] <= ops["ttbr"]


@pytest.fixture(scope="module")
def clash2(tmp_path_factory) -> pathlib.Path:
    """dom0 and guest1 running mini-OS, guest1's copy without its relocations: the image
    builder cannot move it, so it runs where it is linked, in dom0's window (0xC0000000),
    and every switch between the two must clean (a homonym: one address, two frames).
    The VMM's cleans: 5 at boot (its own table switch, two per domain built), then one per
    switch between the two; the 6th is the first switch to guest1, the 7th the first back."""
    work = tmp_path_factory.mktemp("clash2")
    kernels = work / "kernels"
    kernels.mkdir()
    minios = need(REPO / "build" / "minios" / "pv" / "minios.elf")
    (kernels / "minios.elf").write_bytes(minios.read_bytes())
    subprocess.run(["arm-none-eabi-objcopy", "-R", ".rel*", str(minios), str(kernels / "minios-norel.elf")],
                   check=True)
    return pack(work, "clash2", "[system]\nname = clash2\n\n[domain dom0]\nkernel = minios\nmemory = 1M\n"
                "privileged = yes\nstart = boot\ncmdline = app=bench\n\n[domain guest1]\nkernel = minios-norel\n"
                "memory = 1M\nstart = boot\ncmdline = app=bench\n", kernels)


def test_a_kernel_left_in_dom0s_window_makes_every_switch_clean(tmp_path, clash2):
    run, coh, report = coherence.check("goldfish", clash2, tmp_path)
    assert run.status == 0 and stale(coh) == (0, 0, 0), report
    assert "8 domain switches (7 cleaning the caches)" in run.output  # all but the first, into dom0
    assert coh["operations"]["dcleaninv"] == 5 + 7


def test_seeded_missing_dcache_clean_on_a_domain_switch(tmp_path, clash2):
    """The 6th test-clean-invalidate loop is the first switch to guest1: skipped, dom0's
    lines stay, and guest1's accesses to the same virtual addresses hit lines of dom0's
    physical memory."""
    run, coh, report = coherence.check("goldfish", clash2, tmp_path, {"skip": "dcleaninv:6"})
    assert run.status == 0
    # How many stale hits follow depends on code and data layout; that there are some, of
    # this kind only, and where the first is, does not.
    icache, dcache, tlb = stale(coh)
    assert dcache > 0 and icache == tlb == 0 and coh["skipped"] == {"dcleaninv": 1}, stale(coh)
    first = report.splitlines()[0]
    m = re.match(r"stale D-cache hit: va 0x(\w{8}) pa 0x(\w{8}) \(the line was filled for 0x(\w{8})\), "
                 r"domain 1 thread -, instruction 0x\w{8}", first)
    assert m and int(m.group(2), 16) & ~31 != int(m.group(3), 16), first


def test_seeded_missing_icache_invalidate_on_a_domain_switch(tmp_path, clash2):
    run, coh, report = coherence.check("goldfish", clash2, tmp_path, {"skip": "iinv:6"})
    icache, dcache, tlb = stale(coh)
    assert icache > 0 and dcache == tlb == 0, stale(coh)
    # guest1's instructions hit lines dom0 filled at the same addresses.
    m = re.match(r"stale I-cache hit: va 0x(\w{8}) pa 0x(\w{8}) \(the line was filled for 0x(\w{8})\), "
                 r"domain 1 thread -", report)
    assert m, report[:300]
    offset = int(m.group(1), 16) - 0xC0000000
    assert 0 <= offset < 0x100000, report[:300]  # in guest1's kernel (its 1 MiB)
    # guest1's memory at 0x00D00000, the line filled for dom0's (0x00C00000) at the same offset.
    assert (int(m.group(2), 16), int(m.group(3), 16)) == (0x00D00000 + offset, 0x00C00000 + (offset & ~31)), \
        report[:300]


def test_seeded_missing_tlb_flush_on_a_domain_switch(tmp_path, clash2):
    """The 8th TLB flush (the first switch back to dom0) skipped: dom0's kernel addresses
    still translate to guest1's frames."""
    run, coh, report = coherence.check("goldfish", clash2, tmp_path, {"skip": "tlb:8"})
    assert run.status == 0
    icache, dcache, tlb = stale(coh)
    assert tlb > 0 and icache == dcache == 0, stale(coh)
    # An address of dom0's 1 MiB kernel (its frames from 0xc00000) through guest1's entries
    # (from 0xd00000), at the same offset, reached by an instruction of dom0's kernel text.
    m = re.match(r"stale TLB hit: va 0xc0(\w{6}) pa 0x00c(\w{5}) \(the entry translates to 0x00d(\w{5})\), "
                 r"domain 0 thread 2, instruction 0xc000\w{4}", report)
    assert m and int(m.group(1), 16) == int(m.group(2), 16) == int(m.group(3), 16) < 0x100000, report


def test_fatal_ends_the_run_at_the_first_stale_hit(tmp_path, clash2):
    run, coh, report = coherence.check("goldfish", clash2, tmp_path, {"skip": "tlb:8", "fatal": 1})
    assert run.status == 97
    assert stale(coh) == (0, 0, 1) and len(report.splitlines()) == 2
    assert "the first stale hit ends the run (fatal=1)" in run.output


def test_code_written_and_synced_runs_coherently(tmp_path):
    run, coh, report = coherence.check("goldfish", codewrite_image(tmp_path, "app=codewrite"), tmp_path)
    assert "codewrite: dom 0 got 1 2" in run.output
    assert stale(coh) == (0, 0, 0)
    # The code's line, twice (sync_icache: clean then invalidate); the D-side cleans include
    # the page-table descriptors the VMM wrote for the app's mappings (page_table.hh).
    assert coh["operations"]["iinv_line"] == 2 and coh["operations"]["dclean_line"] >= 2


def test_seeded_missing_icache_invalidate_after_code_writes(tmp_path):
    """The sync_icache hypercall's I-cache invalidates (c7, c5, 1) do nothing: the second
    call hits the first version's two instructions in the I-cache."""
    run, coh, report = coherence.check("goldfish", codewrite_image(tmp_path, "app=codewrite"), tmp_path,
                                       {"skip": "iinv_line"})
    assert "codewrite: dom 0 got 1 2" in run.output  # QEMU has no caches
    assert stale(coh) == (2, 0, 0)
    # Where the code page lies depends on mini-OS's size; dom0's memory starts at machine
    # 0x00c00000, mapped at 0xc0000000.
    lines = report.splitlines()
    m = re.match(r"stale I-cache hit: va 0xc0(\w{6}) pa 0x00c(\w{5}) \(the line holds older data than an alias "
                 r"wrote to 0x00c(\w{5})\), domain 0 thread 1, instruction 0xc0(\w{6})", lines[0])
    assert m and m.group(1) == "0" + m.group(2) == "0" + m.group(3) == m.group(4), lines[0]
    assert lines[1].startswith(f"stale I-cache hit: va 0x{int('c0' + m.group(1), 16) + 4:08x}")


def test_guest_running_written_code_without_the_hypercall(tmp_path):
    """A guest bug the checker shows: the code is still in a dirty D-cache line when the
    I-cache fetches it from memory (both calls)."""
    run, coh, report = coherence.check("goldfish", codewrite_image(tmp_path, "app=codewrite sync=0"), tmp_path)
    assert "codewrite: dom 0 got 1 2" in run.output
    assert stale(coh) == (4, 0, 0)
    m = re.match(r"stale I-cache fill: va 0xc0(\w{6}) pa 0x00c(\w{5}) \(filled from memory older than a dirty "
                 r"line of 0x00c(\w{5})\)", report)
    assert m and m.group(1) == "0" + m.group(2) == "0" + m.group(3), report
