"""mini-OS as a paravirtual guest of xen-arm: the apps beyond the benchmark (which
test_domains.py covers): heartbeat on the VMM's timer, the VMM's reports on the attacks
that crash the attacker alone (test_attacks.py runs every attack), the dom0 <-> guest page
share over events and grants, and domain control from dom0; and which apps each mini-OS
image (guest, dom0, test) holds."""
import re
import subprocess

import pytest

import images
from vmm import PLATFORMS


# A run of these systems takes a few seconds of host time; one that has not ended in this
# long is a hung VMM, reported as a failure rather than waited for.
HANG_TIMEOUT = 60.0


def system(tmp_path, platform, name, *domains):
    """domains: (name, cmdline) pairs; the first is dom0."""
    config = "".join(images.domain(d, images.minios_kernel(c), privileged=(i == 0), cmdline=c) for i, (d, c) in enumerate(domains))
    image = images.build(tmp_path, platform, name, config)
    try:
        return images.run(platform, image, timeout=HANG_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the system hung: no exit within {HANG_TIMEOUT:.0f} s\n{(e.output or b'').decode(errors='replace')}")


def beats(output, name, domid):
    return [int(m.group(1)) for m in re.finditer(rf"^\[{name}\] heartbeat: dom {domid} beat (\d+) at \d+ ns$",
                                                 output, re.M)]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_heartbeat_sleeps_on_the_vmm_timer(tmp_path, platform):
    run = system(tmp_path, platform, "beat", ("dom0", "app=heartbeat count=3 period=20"),
                 ("guest1", "app=heartbeat count=4 period=10"))
    assert run.status == 0, run.output
    assert beats(run.output, "dom0", 0) == [1, 2, 3], run.output
    assert beats(run.output, "guest1", 1) == [1, 2, 3, 4], run.output
    times = [int(t) for t in re.findall(r"^\[dom0\] heartbeat: dom 0 beat \d+ at (\d+) ns$", run.output, re.M)]
    for earlier, later in zip(times, times[1:]):
        # The VMM's one-shot timer fires at the deadline itself: never early, and late only
        # by the few microseconds the guest needs between waking and sleeping again.
        assert 20_000_000 <= later - earlier < 20_100_000, times
    assert "(2 shut down, 0 crashed)" in run.output, run.output


@pytest.mark.attack
@pytest.mark.parametrize("platform", PLATFORMS)
def test_attack_without_a_dabt_handler_crashes_only_the_attacker(tmp_path, platform):
    run = system(tmp_path, platform, "nohandler", ("dom0", "app=heartbeat count=3 period=10"),
                 ("guest1", "app=attack what=no-handler"))
    assert "[guest1] attack no-handler: trap table without a DABT handler: ok" in run.output, run.output
    assert re.search(r"^xen-arm: dom1 'guest1' crashed: data abort at 0xff000000 .*no handler", run.output, re.M), \
        run.output
    assert "contained" not in run.output and "still running" not in run.output, run.output
    assert beats(run.output, "dom0", 0) == [1, 2, 3], run.output
    assert "(1 shut down, 1 crashed)" in run.output, run.output
    assert run.status == 5, run.output  # every domain stopped, one crashed


@pytest.mark.attack
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_fault_inside_a_trap_handler_crashes_only_that_domain(tmp_path, platform):
    run = system(tmp_path, platform, "handlerfault", ("dom0", "app=heartbeat count=3 period=10"),
                 ("guest1", "app=attack what=handler-fault"))
    assert re.search(r"^xen-arm: dom1 'guest1' crashed: data abort at 0xff000000 .*upcalls masked", run.output,
                     re.M), run.output
    assert "still running" not in run.output, run.output
    assert beats(run.output, "dom0", 0) == [1, 2, 3], run.output
    assert "(1 shut down, 1 crashed)" in run.output, run.output
    assert run.status == 5, run.output


@pytest.mark.attack
@pytest.mark.parametrize("platform", PLATFORMS)
def test_console_io_prints_a_bounded_amount_per_call(tmp_path, platform):
    """A console_io write stops once it has printed XA_CONSOLEIO_WRITE_BUDGET (128) bytes,
    counting a line's prefix at the longest name (20 bytes with "\\r\\n"): 7 empty lines
    (140) per call; a line is flushed at 119 characters (139 bytes), so 119 bytes per call."""
    run = system(tmp_path, platform, "flood", ("dom0", "app=heartbeat count=3 period=10"),
                 ("guest1", "app=attack what=console-flood"))
    assert "[guest1] attack console-flood: a write of 4096 newlines took 7" in run.lines, run.output
    assert ("[guest1] attack console-flood: 4096 bytes without a newline: the first call took 119, all 4096 in 35 "
            "calls") in run.lines, run.output
    assert "[guest1] " + "x" * 119 in run.lines, run.output
    assert beats(run.output, "dom0", 0) == [1, 2, 3], run.output
    assert "[guest1] attack console-flood: contained" in run.lines, run.output
    assert run.status == 0, run.output


@pytest.mark.attack
@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_crashed_domain_never_runs_again(tmp_path, platform):
    """An event upcall onto an unwritable kernel stack crashes the domain as the VMM leaves
    a hypercall; the instructions after that hypercall (a clean shutdown) never run, so the
    crash stays a crash."""
    run = system(tmp_path, platform, "upcallcrash", ("dom0", "app=heartbeat count=3 period=10"),
                 ("guest1", "app=attack what=upcall-crash"))
    assert re.search(r"^xen-arm: dom1 'guest1' crashed: event upcall: its kernel stack is not writable$",
                     run.output, re.M), run.output
    assert "dom1 'guest1' shut down" not in run.output, run.output
    assert "still running" not in run.output, run.output
    assert beats(run.output, "dom0", 0) == [1, 2, 3], run.output
    assert "(1 shut down, 1 crashed)" in run.output, run.output
    assert run.status == 5, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_share_a_page_between_dom0_and_a_guest(tmp_path, platform):
    run = system(tmp_path, platform, "share", ("dom0", "app=share role=backend"), ("guest1", "app=share"))
    assert run.status == 0, run.output
    assert "FAIL" not in run.output, run.output
    assert re.search(r"^\[dom0\] share: backend found dom 1, store port \d+$", run.output, re.M), run.output
    # An ordinary unmap over a grant map is refused (-EPERM); the grant unmap then works.
    assert "[dom0] share: update_va_mapping(0) over the grant map: -1" in run.lines, run.output
    assert "[dom0] share: ok" in run.lines, run.output
    assert "[guest1] share: ok" in run.lines, run.output
    assert "(2 shut down, 0 crashed)" in run.output, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_read_only_grant_map(tmp_path, platform):
    """A guest grants a page read-only (GTF_readonly); dom0 maps it with GNTMAP_readonly:
    reads work, a store is a data abort bounced to dom0's handler (permission fault in ARM
    domain 3, dom0 tag's read-only domain), the VMM will not write there for a hypercall (and does nothing for one whose
    output would go there), virtual user mode cannot even
    read it, a writable map of the grant is refused, and read-only maps keep to MiBs of
    their own. The guest sees GTF_reading without GTF_writing while the map exists."""
    run = system(tmp_path, platform, "sharero", ("dom0", "app=share role=backend ro=1"), ("guest1", "app=share ro=1"))
    out = run.lines
    expected = [
        "[dom0] share: writable map of the read-only grant: -8",         # GNTST_permission_denied
        "[dom0] share: read-only map beside the store page: -5",         # GNTST_bad_virt_addr
        "[dom0] share: read-only map at 0xe0100000: 0",
        "[dom0] share: read the guest's page through the read-only map: 0 bytes/words differ",
        "[dom0] share: writable map in the read-only MiB: -5",
        "[dom0] share: read-only map of the (writable) store grant: 0",
        "[dom0] share: text from dom 1's read-only page",                 # console_io read the map
        "[dom0] share: xen_version writing into the read-only map: -14",  # -EFAULT
        # Output arguments are checked writable before the hypercall acts: nothing allocated
        # or mapped for a call that cannot report it.
        "[dom0] share: alloc_unbound with its request in the read-only map: -14",
        "[dom0] share: the next free port before and after: the same",
        "[dom0] share: mmu_update with its done count in the read-only map: -14",
        "[dom0] share: unmap the page it would have mapped: -2",         # -ENOENT: never mapped
        # FSR 0x3F: permission fault (page) in domain 3 (dom0's tag 0: mmu.hh); 0x3B: domain
        # fault (page), domain 3.
        "[dom0] share: write to the read-only map: data abort at 0xe0100100, fsr 0x03f (permission fault, domain 3)",
        "[dom0] share: user-mode read of the read-only map: data abort at 0xe0100040, fsr 0x03b "
        "(domain fault, domain 3)",
        "[guest1] share: while dom0 maps it read-only, the entry's flags are 0x000d",  # permit|readonly|reading
        "[dom0] share: unmap the read-only map: 0",
        "[guest1] share: the read-only page after dom0's attempts to write it: 0 bytes/words differ",
        "[dom0] share: ok",
        "[guest1] share: ok",
    ]
    for line in expected:
        assert line in out, run.output
    assert "FAIL" not in run.output, run.output
    assert "(2 shut down, 0 crashed)" in run.output, run.output
    assert run.status == 0, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_domctl_lists_pauses_and_unpauses(tmp_path, platform):
    run = system(tmp_path, platform, "domctl", ("dom0", "app=domctl"), ("guest1", "app=heartbeat count=2 period=10"))
    assert run.status == 0, run.output
    out = run.output
    assert re.search(r"^\[dom0\] domctl: dom 0 'dom0' flags 0x[0-9a-f]+ .*running", out, re.M), out
    assert re.search(r"^\[dom0\] domctl: dom 1 'guest1' ", out, re.M), out
    assert "[dom0] domctl: 2 domains listed (last getdomaininfo: -3)" in run.lines, out  # -ESRCH ends the list
    assert "[dom0] domctl: pause dom 1: 0" in run.lines, out
    assert "[dom0] domctl: unpause dom 1: 0" in run.lines, out
    paused = [l for l in run.lines if l.startswith("[dom0] domctl: dom 1 ")]
    assert " paused " in paused[1] and " paused " not in paused[2], out
    assert "[dom0] domctl: done" in run.lines, out
    assert beats(out, "guest1", 1) == [1, 2], out


def test_guest_console_is_prefixed_and_the_banner_names_the_domain(tmp_path):
    run = system(tmp_path, "goldfish", "names", ("dom0", "app=heartbeat count=1"), ("web-1", "app=heartbeat count=1"))
    assert run.status == 0, run.output
    assert "[dom0] minios: pv, dom 0 (dom0), app=heartbeat" in run.lines, run.output
    assert "[web-1] minios: pv, dom 1 (web-1), app=heartbeat" in run.lines, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_domctl_destroys_and_recreates_a_domain_twenty_times(tmp_path, platform):
    run = system(tmp_path, platform, "recreate", ("dom0", "app=domctl recreate=guest1 rounds=20"),
                 ("guest1", "app=heartbeat count=3 period=10"))
    assert run.status == 0, run.output
    out = run.lines
    for r in (1, 20):
        assert f"[dom0] domctl: round {r}: destroy dom 1: 0 (gone), create: 0 (dom 1)" in out, run.output
    # Errors: -EEXIST, -ENOENT, -EPERM, -EINVAL, -ESRCH, -EINVAL, -EINVAL.
    for line in ("create again while it runs: -17", "create unknown: -2", "destroy self: -1", "pause self: -22",
                 "pause dom 7: -3", "unpause a running dom 1: -22", "wrong interface version: -22"):
        assert f"[dom0] domctl: {line}" in out, run.output
    # Every destroy gives back exactly what the build took.
    freed = re.findall(r"dom1 destroyed; free frames: (\d+) guest, (\d+) VMM", run.output)
    built = re.findall(r"dom1 'guest1' built: .*free frames: (\d+) guest, (\d+) VMM", run.output)
    assert len(freed) == 20 and len(built) == 21, run.output
    assert len(set(freed)) == 1 and len(set(built)) == 1, run.output
    # The last incarnation runs its heartbeat to the end.
    assert beats(run.output, "guest1", 1)[-3:] == [1, 2, 3], run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_destroy_leaves_a_reused_dom0_port_alone(tmp_path, platform):
    """dom0 closes its end of a guest's console channel and reuses the number for a
    channel of its own; destroying the guest closes only dom0 ports still connected to it,
    so dom0's new channel survives (unbound, offered to dom0 itself)."""
    run = system(tmp_path, platform, "reuse", ("dom0", "app=domctl reuse=1"),
                 ("guest1", "app=heartbeat count=100 period=10"))
    out = run.lines
    assert "[dom0] domctl: close the console port to dom 1: 0, its number reused: 0 (same port)" in out, run.output
    assert "[dom0] domctl: destroy dom 1: 0; the reused port afterwards: 0, status 1, offered to dom 0" in out, \
        run.output
    assert "[dom0] domctl: done" in out, run.output
    assert "dom1 destroyed" in run.output, run.output
    assert "(1 shut down, 0 crashed)" in run.output, run.output
    assert run.status == 0, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_sched_op_poll(tmp_path, platform):
    """sched_op poll: argument errors, a 5 ms timeout, a masked VIRQ_TIMER port waking the
    poll at the timer (3 ms) long before its 50 ms timeout, and a pending port at once."""
    run = system(tmp_path, platform, "poll", ("dom0", "app=poll"))
    assert run.status == 0, run.output
    checks = re.findall(r"^\[dom0\] poll: (.+): (ok|FAIL) ", run.output, re.M)
    assert [name for name, _ in checks] == [
        "no ports", "too many ports", "port out of range", "timeout returns 0", "timeout waited 5 ms",
        "masked timer event wakes the poll", "woken at the timer, not the timeout",
        "already pending returns at once"], run.output
    assert all(result == "ok" for _, result in checks), run.output
    assert "[dom0] poll: done" in run.lines, run.output


def app_names(*source_dirs: str) -> dict[str, str]:
    """MINIOS_APP(name, fn) registrations under the given source folders: fn -> name."""
    apps = {}
    for d in source_dirs:
        for src in (images.REPO / d).rglob("*.c"):
            apps.update((fn, name) for name, fn in re.findall(r'^MINIOS_APP\("(\w+)", (\w+)\);', src.read_text(), re.M))
    return apps


def image_symbols(path) -> dict[str, str]:
    """An image's symbols: name -> nm type letter."""
    out = subprocess.run(["arm-none-eabi-nm", str(path)], check=True, capture_output=True, text=True).stdout
    return {f[2]: f[1] for f in (line.split() for line in out.splitlines()) if len(f) == 3}


def test_each_image_holds_its_own_apps_and_only_dom0_holds_dom0():
    """The app each image registers (minios/build.mk, tests/guests/build.mk) is what
    images.minios_kernel() names for it; dom0's code is linked into dom0.elf alone."""
    registered = app_names("minios", "tests/guests/minios")
    guest, dom0 = images.MINIOS_PV / "minios.elf", images.MINIOS_PV / "dom0.elf"
    test = images.MINIOS_TEST
    held = {path: {registered[s[len("minios_app_"):]] for s in image_symbols(path) if s.startswith("minios_app_")}
            for path in (guest, dom0, test)}
    assert held[guest] == {"bench", "heartbeat", "spin", "rt"}
    assert held[dom0] == images.DOM0_APPS
    assert held[test] == images.TEST_APPS == set(app_names("tests/guests/minios").values())
    for path, apps in held.items():
        assert all(images.minios_kernel(f"app={a}") == (path if path == test else path.stem) for a in apps), path
    dom0_objs = (images.REPO / "build" / "minios" / "pv" / "obj" / "dom0").glob("*.o")
    dom0_defs = {s for o in dom0_objs for s, t in image_symbols(o).items() if t.isupper() and t not in "U"}
    assert dom0_defs and dom0_defs <= set(image_symbols(dom0))
    for path in (guest, test):
        assert not dom0_defs & set(image_symbols(path)), path
