"""The split driver model: dom0 (mini-OS app=dom0) serves the store, every
guest's console, a RAM disk (loaded with the boot image: dom0's `ramdisk`), a network
switch and a ring-test device; guests (app=guest) reach them through frontends over I/O
rings. Each test boots a whole system in QEMU, on goldfish and on imx21 (the other boards
share all of this code).

Instruction counts come from virtual time: -icount shift=3, 8 ns per instruction."""
import re
import subprocess
import sys
import zlib

import pytest

import images
from vmm import PLATFORMS

BOARDS = ("goldfish", "imx21")
DOM0 = images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0 shell=0 exit=auto verbose=1",
                     ramdisk=images.RAMDISK)


@pytest.fixture(autouse=True, scope="module")
def ramdisk_image():
    """dom0's disk image, made by its make rule (domains/build.mk)."""
    return images.make_ramdisk()


def guest(name, cmdline, start="boot"):
    return images.domain(name, images.MINIOS_TEST, cmdline=f"app=guest console=ring {cmdline}", start=start)


def run_system(tmp_path, platform, name, config, console_input=None, timeout=240):
    image = images.build(tmp_path, platform, name, config)
    return images.run(platform, image, timeout=timeout, console_input=console_input)


def shell_dom0():
    return images.domain("dom0", images.DOM0, memory="4M", privileged=True, cmdline="app=dom0", ramdisk=images.RAMDISK)


def shell_config(extra="", guest3_ramdisk=None):
    guest3 = guest("guest3", "hold=1 stay=1", start="manual")
    if guest3_ramdisk is not None:   # a RAM disk of its own, which it does not use
        guest3 = guest3.replace("start = manual\n", f"start = manual\nramdisk = {guest3_ramdisk}\n")
    return (shell_dom0() + guest("guest1", "hold=1 stay=1") + guest("guest2", "net=echo hold=1 stay=1")
            + guest3 + extra)


def image_crc(domid, slice_bytes=images.RAMDISK_SLICE, path=images.RAMDISK):
    """CRC-32 of guest domid's slice of a disk image, as the guest prints it."""
    data = path.read_bytes()
    return f"0x{zlib.crc32(data[(domid - 1) * slice_bytes:domid * slice_bytes]):08x}"


def mkramdisk(path, slices, sectors):
    subprocess.run([sys.executable, str(images.REPO / "domains" / "mkramdisk.py"), "--slices", str(slices),
                    "--sectors", str(sectors), "-o", str(path)], check=True)
    return path


def assert_clean_end(run):
    assert "FAIL" not in run.output, run.output
    assert "[dom0] dom0: stopping (ok)" in run.output, run.output
    assert "(1 shut down, 0 crashed)" in run.output, run.output  # guests were destroyed, dom0 shut down
    assert run.status == 0, run.output


def free_frames(output):
    """(guest, VMM) free frames after dom0 was built, and after the last destroy. (dom0's
    start-of-day mappings, its RAM disk at 0xD0000000 and the map windows at 0xE0000000,
    take second-level tables after that line: with 4 MiB of memory they fit in the frames
    dom0 was built with, 4 tables a frame, so the counts compare.)"""
    built = re.search(r"dom0 'dom0' built: .*free frames: (\d+) guest, (\d+) VMM", output)
    destroyed = re.findall(r"destroyed; free frames: (\d+) guest, (\d+) VMM", output)
    return built.groups(), destroyed


@pytest.mark.parametrize("platform", BOARDS)
def test_ring_stress_100000_requests(tmp_path, platform):
    run = run_system(tmp_path, platform, "ring", DOM0 + guest("guest1", "ring=100000"))
    out = run.output
    assert "[guest1] ring: connected, 64 slots" in out, out
    assert "[guest1] ring: 100000 answered, 0 lost, 0 duplicated, 0 wrong, 0 out of order" in out, out
    m = re.search(r"\[guest1\] ring: back-pressure: ring full (\d+) times; (\d+) sleeps, (\d+) notifications", out)
    assert m and int(m.group(1)) > 1000, out  # the frontend kept running into a full ring
    assert int(m.group(3)) < 100000 // 10, out  # notifications are batched, not one per request
    rate = re.search(r"\[guest1\] ring: 100000 requests in (\d+) ns = (\d+) instructions: ([\d.]+) requests per "
                     r"million instructions", out)
    assert rate and float(rate.group(3)) > 1000, out
    assert "[dom0] vtest: dom 1 disconnected (100000 requests, 0 errors)" in out, out
    assert "[guest1] ring: ok" in out, out
    built, destroyed = free_frames(out)
    assert destroyed == [built], out  # the guest's memory came back
    assert "dom0 ports in use 3, grant maps 0" in out, out  # only dom0's own VIRQs are left
    assert_clean_end(run)


@pytest.mark.parametrize("platform", BOARDS)
def test_block_and_network_between_two_guests(tmp_path, platform):
    config = (DOM0 + guest("guest1", "blk=1 net=ping peer=2 frames=20")
              + guest("guest2", "blk=1 net=echo frames=40"))
    run = run_system(tmp_path, platform, "io", config)
    out = run.output
    # The VMM gave dom0 the disk's frames from the boot image; dom0 mapped them.
    vmm = re.search(r"xen-arm: dom0 'dom0': RAM disk of 1835008 bytes at (0x[0-9a-f]{8}) \(448 frames\)", out)
    assert vmm, out
    assert (f"[dom0] blk: RAM disk from the boot image: 3584 sectors at machine {vmm.group(1)}, mapped at "
            "0xd0000000; 7 slices of 512 sectors") in out, out
    for d, g in ((1, "guest1"), (2, "guest2")):
        assert f"[{g}] blk: connected: 512 sectors of 512 bytes" in out, out
        # What each guest reads first is its slice of the image file, byte for byte.
        assert f"[{g}] blk: 512 of 512 sectors hold the disk image's pattern; crc32 {image_crc(d)}" in out, out
        assert f"[{g}] blk: wrote and read back 512 sectors: 0 differ" in out, out
        assert f"[{g}] blk: read sector 512 (one past the end): -1" in out, out  # BLKIF_RSP_ERROR
        assert f"[{g}] blk: write sectors 511..512 (across the end): -1" in out, out
        assert f"[{g}] blk: unknown operation: -2" in out, out  # BLKIF_RSP_EOPNOTSUPP
        assert f"[{g}] blk: ok" in out, out
    assert "[guest1] net: connected, mac 00:16:3e:00:00:01" in out, out
    assert re.search(r"\[guest1\] net: ping dom 2: 20/20 answered \(14\.\.1512-byte frames\), 0 bad frames", out), out
    assert re.search(r"\[guest1\] net: ping dom 2: 20/20 answered \(60-byte frames\), 0 bad frames, round trip "
                     r"\d+ ns = \d+ instructions", out), out
    assert "[guest2] net: echo: 40 frames answered, 0 bad" in out, out
    assert "[guest1] net: ok" in out, out
    # Transmit is read-only end to end, as in Xen: each frontend grants its tx pages
    # GTF_readonly (dom0's read-write map of one is refused: GNTST_permission_denied), and
    # dom0 reads every frame through a read-only map in its read-only window (0xE0100000,
    # slot 20 of the guest's 32 pages), a MiB without read-write pages.
    for d in (1, 2):
        ro_va = 0xE0100000 + (d * 32 + 20) * 4096
        assert re.search(rf"^\[dom0\] vif: dom {d}: tx grant \d+ is read-only \(a read-write map: -8\); tx frames "
                         rf"mapped read-only at 0x{ro_va:08x}$", out, re.M), out
        ro = re.search(rf"^\[dom0\] vif: dom {d}: (\d+) tx frames read through read-only maps$", out, re.M)
        sent = re.search(rf"^\[dom0\] vif: dom {d} disconnected \((\d+) requests, 0 errors\)$", out, re.M)
        assert ro and sent and int(ro.group(1)) == int(sent.group(1)) >= 40, out
    assert "is writable" not in out, out
    assert_clean_end(run)


@pytest.mark.attack
@pytest.mark.parametrize("platform", BOARDS)
def test_malicious_frontend_cannot_confuse_dom0(tmp_path, platform):
    config = DOM0 + guest("guest1", "attack=all") + guest("guest2", "store=1 ring=3000 blk=1")
    run = run_system(tmp_path, platform, "attack", config)
    out = run.output
    checks = ["store: write dom0's node refused", "store: read dom0's node refused",
              "store: write a backend node refused", "store: malformed path refused",
              "store: watch on dom0's nodes refused", "store: unknown message answered ENOSYS",
              "store: unterminated path refused", "store: oversized value refused",
              "store: node quota stops a flood", "store: still served afterwards",
              "vbd: grant ref 9999 refused", "vbd: ungranted ref refused", "vbd: last_sect 9 refused",
              "vbd: 200 segments refused", "vbd: 0 segments refused",
              "vbd: impossible req_prod: backend closed the ring",
              "vif: oversized, overhanging and unmapped frames refused",
              "vtest: req_prod behind the responses: backend closed the ring"]
    for c in checks:
        assert f"[guest1] attack: {c}: ok" in out, out
    assert "[guest1] attack: contained" in out, out
    # dom0 saw each broken ring and the corrupt store message, and only disconnected them.
    assert "[dom0] vbd: dom 1: ring overflow (req_prod 1005, responses 5); disconnected" in out, out
    assert "[dom0] vtest: dom 1: ring overflow (req_prod 4294967295, responses 0); disconnected" in out, out
    assert ("[dom0] store: dom 1: message longer than XENSTORE_PAYLOAD_MAX: type, len (11, 65536); "
            "connection closed") in out, out
    # Meanwhile the other guest was served as usual.
    for part in ("store", "ring", "blk"):
        assert f"[guest2] {part}: ok" in out, out
    assert "[guest2] guest: done, 0 failure(s)" in out, out
    assert_clean_end(run)


def test_store_watches_permissions_and_device_states(tmp_path):
    run = run_system(tmp_path, "goldfish", "store", DOM0 + guest("guest1", "store=1 ring=200"))
    out = run.output
    for c in ("write data/x", "read it back", "directory data lists x and y", "watch data",
              "the watch fires once when set", "a write below it fires it with the node's path",
              "removing the subtree fires it", "removed nodes are gone", "unwatch", "no event after unwatch",
              "read my backend's state", "read another guest's node refused", "get_domain_path 7"):
        assert f"[guest1] store: {c}: ok" in out, out
    # The Xen device states, in order, on both ends of the ring-test device.
    states = re.findall(r"^\[dom0\] vtest: dom 1: (frontend|backend) (\w+)$", out, re.M)
    assert states == [("backend", "Initialising"), ("backend", "InitWait"), ("frontend", "Initialising"),
                      ("frontend", "Initialised"), ("backend", "Connected"), ("frontend", "Connected"),
                      ("frontend", "Closing"), ("backend", "Closing"), ("backend", "Closed"),
                      ("frontend", "Closed"), ("backend", "InitWait")], out
    assert_clean_end(run)


def test_store_transactions(tmp_path):
    """Xen's transactions: commit, abort, isolation (a write from outside, ours or dom0's,
    to a node the transaction read fails its commit with EAGAIN and applies nothing),
    watches only on commit, the limits; the transactions a guest leaves open go with it."""
    run = run_system(tmp_path, "goldfish", "storetx", DOM0 + guest("guest1", "storetx=1"))
    out = run.output
    for c in ("start gives an id", "write two nodes in it", "it sees its own writes", "its directory lists them",
              "nobody else sees them before the commit", "no watch event before the commit", "commit",
              "both values are in the store", "the watch fires on commit", "an ended transaction is gone (ENOENT)",
              "an rm in it hides the node from it", "abort", "an abort applies nothing",
              "no watch event after an abort", "a write to a node it read, from outside: commit EAGAIN",
              "nothing of it applied", "vtest connected (details and state published in one transaction)",
              "dom0 wrote the backend state it read: commit EAGAIN", "nothing of that one applied",
              "the retry loop commits at the second attempt", "a fifth open transaction refused (ENOSPC)",
              "16 changes in a transaction, the 17th refused (ENOSPC)",
              "an oversized value (E2BIG) and dom0's node (EACCES) refused in it",
              "an end that is neither T nor F: EINVAL, the transaction stays", "an unknown transaction id: ENOENT",
              "its commit applies nothing of the refused writes", "the 16 changes commit",
              "a commit over the node quota: ENOSPC, nothing applied", "one that fits commits"):
        assert f"[guest1] storetx: {c}: ok" in run.lines, out
    assert "[guest1] storetx: ok" in run.lines, out
    # The frontend published ring-ref, event-channel and Initialised at once: dom0 saw
    # Initialised with the details already there and connected.
    assert "[dom0] vtest: dom 1 connected" in out, out
    assert "[dom0] store: dom 1: 2 open transaction(s) dropped" in run.lines, out
    assert_clean_end(run)


@pytest.mark.parametrize("platform", BOARDS)
def test_shell_session(tmp_path, platform):
    script = ("wait 1 all\nwait 2 all\nlist\n"
              "console 1\necho hello through dom0\n\x1d"
              "sleep 20\npause 2\nlist\nunpause 2\nunpause 2\n"
              "pause 0\nboot 1\ncreate nosuch\ndestroy 7\nconsole 9\nfrobnicate\ncreate\n"
              "console guest1\nping 2 3\n\x1dsleep 100\n"
              "destroy guest2\nstats\nconsole 1\nping 2 3\n\x1dsleep 2000\nstats\n"
              "create guest2\nlist\nboot 2\nwait 2 all\nconsole 1\nping 2 2\n\x1dsleep 100\nlist\nhalt\n")
    run = run_system(tmp_path, platform, "shell", shell_config(), console_input=script.encode())
    out = run.output
    lines = run.lines
    # Two guests attached to console, disk and network (and the ring-test device).
    listing = [l for l in lines if re.match(r"\[dom0\]   [12] +guest", l)]
    assert re.match(r"\[dom0\]   1  guest1 +\w+ +1 MiB +\d+ +- +Connected +Connected +Connected$", listing[0]), out
    assert re.match(r"\[dom0\]   2  guest2 +\w+ +1 MiB +\d+ +- +Connected +Connected +Connected$", listing[1]), out
    # Console input goes to the guest, its output comes back with its prefix.
    assert "[dom0] console: input goes to dom 1 'guest1'; Ctrl-] returns to dom0" in lines, out
    assert "[guest1] guest: > echo hello through dom0" in lines, out
    assert "[guest1] guest: hello through dom0" in lines, out
    assert "[dom0] console: input back to dom0 (from dom 1)" in lines, out
    # pause/unpause and the errors.
    assert "[dom0] pause: dom 2 paused" in lines, out
    assert any(re.match(r"\[dom0\]   2  guest2 +paused ", l) for l in lines), out
    assert "[dom0] unpause: dom 2 unpaused" in lines, out
    for err in ("unpause: dom 2 is already running", "pause: dom0 cannot pause itself",
                "boot: dom 1 'guest1' is already running",
                "create: the boot image has no configuration 'nosuch' ('list' shows them)",
                "destroy: dom 7 does not exist", "console: dom 9 does not exist",
                "unknown command 'frobnicate' (try 'help')", "usage: create <config>"):
        assert f"[dom0] {err}" in lines, out
    # guest1 pings guest2 through dom0's switch; after guest2 is destroyed, nothing goes
    # to it (the switch has no such station) and nothing comes back.
    pings = re.findall(r"\[guest1\] net: ping dom 2: (\d+)/(\d+) answered", out)
    assert pings == [("3", "3"), ("0", "3"), ("2", "2")], out
    stats = re.findall(r"\[dom0\] stats: switch: (\d+) frames switched, (\d+) to unknown stations", out)
    assert int(stats[1][0]) == int(stats[0][0]) and int(stats[1][1]) >= int(stats[0][1]) + 3, out
    assert re.search(r"\[dom0\] dom0: dom 2 'guest2' destroyed by the shell: destroyed; ", out), out
    # Created again from its configuration, paused until boot, then attached again.
    assert "[dom0] create: dom 2 'guest2' created, paused ('boot 2' starts it)" in lines, out
    assert any(re.match(r"\[dom0\]   2  guest2 +created ", l) for l in lines), out
    assert "[dom0] boot: dom 2 'guest2' started" in lines, out
    assert "[dom0] wait: dom 2 all connected" in lines, out
    assert "[dom0] halt: destroying every guest" in lines, out
    assert_clean_end(run)


@pytest.mark.parametrize("platform", BOARDS)
def test_create_and_destroy_twenty_times_returns_memory_and_ports(tmp_path, platform):
    cycle = "create guest3\nboot 3\nwait 3 all\ndestroy 3\n"
    script = "wait 1 all\nwait 2 all\nstats\n" + cycle * 20 + "stats\nhalt\n"
    # guest3 has a RAM disk of its own (17 sectors: 3 frames): the VMM gives it those
    # boot-image frames at every build and must take them back at every destroy, or the
    # next build would find them still owned.
    disk = mkramdisk(tmp_path / "guest3-disk.img", 1, 17)
    run = run_system(tmp_path, platform, "cycles", shell_config(guest3_ramdisk=disk), console_input=script.encode(),
                     timeout=400)
    out = run.output
    assert out.count("[dom0] wait: dom 3 all connected") == 20, out
    disks = re.findall(r"xen-arm: dom3 'guest3': RAM disk of 8704 bytes at (0x[0-9a-f]{8}) \(3 frames\)", out)
    assert len(disks) == 20 and len(set(disks)) == 1, out
    destroys = re.findall(r"\[dom0\] dom0: dom 3 'guest3' destroyed by the shell: destroyed; "
                          r"dom0 ports in use (\d+), grant maps (\d+)", out)
    assert len(destroys) == 20 and len(set(destroys)) == 1, out
    stats = re.findall(r"\[dom0\] stats: dom0 ports in use (\d+), grant maps (\d+), free pages (\d+), "
                       r"store nodes (\d+)", out)
    assert len(stats) == 2 and stats[0] == stats[1], out  # dom0's ports, maps, memory, store
    assert destroys[0] == stats[0][:2], out
    vmm_frees = re.findall(r"xen-arm: dom3 destroyed; free frames: (\d+) guest, (\d+) VMM", out)
    builds = re.findall(r"xen-arm: dom3 'guest3' built: .*free frames: (\d+) guest, (\d+) VMM", out)
    assert len(vmm_frees) == 20 and len(set(vmm_frees)) == 1 and len(set(builds)) == 1, out
    built, destroyed = free_frames(out)
    assert destroyed[-1] == built, out  # after halt: everything but dom0 is back
    assert_clean_end(run)


def test_the_split_configuration_boots_to_the_shell_with_two_guests(tmp_path):
    """domains/split.cfg is what `make run SYSTEM=split` boots."""
    cfg = (images.REPO / "domains" / "split.cfg").read_text()
    assert "ramdisk = ../build/disks/vbd-pattern.img" in cfg
    cfg = cfg.replace("ramdisk = ../build/disks/vbd-pattern.img", f"ramdisk = {images.RAMDISK}")
    assert cfg.count("kernel = ../build/tests/minios-test.elf") == 3 and "kernel = dom0 " in cfg
    cfg = cfg.replace("kernel = ../build/tests/minios-test.elf", f"kernel = {images.MINIOS_TEST}")
    run = run_system(tmp_path, "goldfish", "split", cfg,
                     console_input=b"wait 1 all\nwait 2 all\nsleep 500\nlist\nhalt\n")
    out = run.output
    assert "dom0> " in out, out
    assert "[guest1] blk: ok" in out and "[guest2] blk: ok" in out, out
    for d in (1, 2):
        assert f"[guest{d}] blk: 512 of 512 sectors hold the disk image's pattern; crc32 {image_crc(d)}" in out, out
    assert "[guest1] net: ok" in out, out
    listing = [l for l in run.lines if re.match(r"\[dom0\]   [12] +guest", l)]
    assert len(listing) == 2 and all(l.endswith("Connected   Connected   Connected") for l in listing), out
    assert_clean_end(run)


PASSTHROUGH = {"imx21": ("gpt3", 24), "versatilepb": ("sp804b", 5)}  # goldfish has no spare device


@pytest.mark.parametrize("platform", sorted(PASSTHROUGH))
def test_device_passed_through_to_a_realtime_guest(tmp_path, platform):
    dev, line = PASSTHROUGH[platform]
    dom0 = shell_dom0()
    # rt takes 100 interrupts and stops; rt-long would take them for 100 s: it is destroyed
    # while its device runs.
    config = (dom0 + guest("guest1", "hold=1 stay=1")
              + images.domain("rt", images.MINIOS, cmdline="app=rt console=ring count=100 period_us=1000", start="manual")
              + images.domain("rt-long", images.MINIOS, cmdline="app=rt console=ring count=100000 period_us=1000",
                              start="manual"))
    script = (f"wait 1 all\ncreate rt\nassign rt {dev}\nassign rt {dev}\nassign 1 {dev}\nassign 1 nosuch\n"
              f"assign 5 {dev}\nboot rt\nwait 2 down 5000\n"
              f"create rt-long\nassign rt-long {dev}\nboot rt-long\nsleep 30\ndestroy rt-long\n"
              f"assign 1 {dev}\nsleep 20\nhalt\n")
    run = run_system(tmp_path, platform, "rt", config, console_input=script.encode())
    out, lines = run.output, run.lines
    assert f"[dom0] assign: {dev} (line {line}) passed through to dom 2 at 0xcbe00000" in lines, out
    assert f"xen-arm: dom2 'rt': device {dev} (0x" in out, out
    for err in (f"assign: {dev} already belongs to a domain", "assign: no device 'nosuch' on this board ('assign' lists them)",
                "assign: dom 5 does not exist"):
        assert f"[dom0] {err}" in lines, out
    m = re.search(rf"\[rt\] rt: 100 interrupts from {dev} \(line {line}\), average period (\d+) ns "
                  r"\(asked 1000000 ns\), 0 eoi errors", out)
    assert m and 990_000 <= int(m.group(1)) <= 1_010_000, out
    assert "[rt] rt: ok" in lines, out
    released = re.findall(rf"xen-arm: dom(\d): device {dev} released \((\d+) interrupts routed\)", out)
    # rt ran to the end; rt-long was destroyed while its timer ran; then guest1 got the
    # device, stopped: no interrupt of the old owner's reached it.
    assert released[0] == ("2", "100") and released[1][0] == "3" and 10 < int(released[1][1]) < 100000, out
    assert "[dom0] dom0: dom 3 'rt-long' destroyed by the shell: destroyed; " in out, out
    assert released[2] == ("1", "0"), out
    assert f"[dom0] assign: {dev} (line {line}) passed through to dom 1 at 0xc7e00000" in lines, out
    assert_clean_end(run)


def test_goldfish_has_no_device_to_pass_through(tmp_path):
    dom0 = shell_dom0()
    run = run_system(tmp_path, "goldfish", "nopt", dom0 + guest("guest1", "stay=1"),
                     console_input=b"assign 1 gpt3\nhalt\n")
    assert "[dom0] assign: no device 'gpt3' on this board ('assign' lists them)" in run.lines, run.output
    assert_clean_end(run)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_console_input_arrives_as_an_event(tmp_path, platform):
    """dom0 binds VIRQ_CONSOLE and sleeps until the board's receive interrupt: no polling
    (on every board, including versatilepb's PL011)."""
    run = run_system(tmp_path, platform, "virqcons", shell_config(),
                     console_input=b"wait 1 all\nwait 2 all\nlist\nhalt\n")
    assert run.status == 0, run.output
    assert "polling the console" not in run.output, run.output
    assert "dom0> list" in run.lines, run.output
    assert re.search(r"^\[dom0\]   2  guest2 ", run.output, re.M), run.output


def test_disk_slices_follow_the_ramdisk_size(tmp_path):
    """A smaller image (7 slices of 64 sectors) gives each guest 64 sectors: its slice of
    that file, byte for byte, still writable and read back."""
    disk = mkramdisk(tmp_path / "small.img", 7, 64)
    dom0 = DOM0.replace(f"ramdisk = {images.RAMDISK}", "ramdisk = small.img")
    run = run_system(tmp_path, "goldfish", "small", dom0 + guest("guest1", "blk=1") + guest("guest2", "blk=1"))
    out = run.output
    assert ("[dom0] blk: RAM disk from the boot image: 448 sectors at machine 0x" in out
            and "7 slices of 64 sectors" in out), out
    for d in (1, 2):
        crc = image_crc(d, slice_bytes=64 * 512, path=disk)
        assert f"[guest{d}] blk: connected: 64 sectors of 512 bytes" in out, out
        assert f"[guest{d}] blk: 64 of 64 sectors hold the disk image's pattern; crc32 {crc}" in out, out
        assert f"[guest{d}] blk: wrote and read back 64 sectors: 0 differ" in out, out
        assert f"[guest{d}] blk: read sector 64 (one past the end): -1" in out, out
        assert f"[guest{d}] blk: ok" in out, out
    assert_clean_end(run)


@pytest.mark.parametrize("case", ["none", "too-small"])
def test_dom0_without_a_usable_ramdisk_says_so_and_stops(tmp_path, case):
    if case == "none":
        dom0 = DOM0.replace(f"ramdisk = {images.RAMDISK}\n", "")
        message = "[dom0] blk: no RAM disk in the boot image: give dom0 'ramdisk = FILE' in its [domain] section"
    else:   # 448 sectors cannot hold 7 slices of 100
        mkramdisk(tmp_path / "small.img", 7, 64)
        dom0 = DOM0.replace(f"ramdisk = {images.RAMDISK}", "ramdisk = small.img").replace(
            "verbose=1", "verbose=1 disk_sectors=100")
        message = "[dom0] blk: a RAM disk of 448 sectors does not hold 7 slices of 100 sectors"
    assert dom0 != DOM0
    run = run_system(tmp_path, "goldfish", case, dom0)
    assert message in run.lines, run.output
    assert "no usable RAM disk (see above)" in run.output, run.output
    assert "(0 shut down, 1 crashed)" in run.output and run.status == 5, run.output
