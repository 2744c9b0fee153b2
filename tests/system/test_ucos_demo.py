"""domains/ucos.cfg on every board: dom0 (mini-OS heartbeat), a mini-OS guest and three
µC/OS-II guests running ucos-port/apps/demo.c side by side; each prints a checksum of its
message pipeline that must match the one computed here. ucos3 runs the fault-tolerance paper's experiment:
a task in virtual user mode writes OSTime, the data abort is delivered to that guest as a
trap upcall and the port rolls the task back to its checkpoint; it faults on every pass, so
after three rollbacks the port gives up, the fault is reported, the task deleted, and every
domain carries on. Also: the same demo natively gives the same checksum, and
`make run CONFIG=ucos` is `make run SYSTEM=ucos`."""
import re
import subprocess

import pytest

import test_ucos_common as ucos
from vmm import PLATFORMS

CONFIG = ucos.REPO / "domains" / "ucos.cfg"
UCOS_DOMAINS = {"ucos1": (2, 1), "ucos2": (3, 2), "ucos3": (4, 3)}  # name: (domid, seed)
ROUNDS = 10


@pytest.fixture(scope="module", params=PLATFORMS)
def system(request, tmp_path_factory):
    platform = request.param
    image = ucos.build_config(tmp_path_factory.mktemp(f"ucos-{platform}"), platform, CONFIG)
    return platform, ucos.images.run(platform, image)


def test_every_domain_ends_cleanly(system):
    _, run = system
    ucos.assert_ends_cleanly(run)


@pytest.mark.parametrize("name", sorted(UCOS_DOMAINS))
def test_ucos_domain_checksum(system, name):
    _, run = system
    dom, seed = UCOS_DOMAINS[name]
    lines = ucos.guest_lines(run, name)
    assert ucos.checksum_line(lines, dom) == (seed, ROUNDS, ucos.demo_checksum(seed, ROUNDS)), run.output
    done = [line for line in lines if line.startswith(f"ucos-demo: dom {dom} done: ")]
    assert done and done[0].startswith(f"ucos-demo: dom {dom} done: 0 errors, "), run.output
    rounds = [int(m.group(1)) for line in lines
              if (m := re.fullmatch(rf"ucos-demo: dom {dom} round (\d+)/{ROUNDS} at tick \d+", line))]
    assert rounds == list(range(1, ROUNDS + 1)), run.output


def test_the_three_guests_run_side_by_side(system):
    """Each guest's rounds interleave with the others': none finishes before all started."""
    _, run = system
    first, last = {}, {}
    for i, line in enumerate(run.lines):
        m = re.match(r"\[(ucos\d)\] ucos-demo: dom \d round (\d+)/", line)
        if m:
            first.setdefault(m.group(1), i)
            last[m.group(1)] = i
    assert sorted(first) == sorted(UCOS_DOMAINS), run.output
    assert max(first.values()) < min(last.values()), run.output


def test_user_task_writing_ostime_is_rolled_back_then_reported_and_contained(system):
    _, run = system
    lines = ucos.guest_lines(run, "ucos3")
    assert "user task: running in virtual user mode" in lines, run.output
    # While it spins in user mode, ticks (upcalls taken in virtual user mode) preempt it
    # and the guest's kernel tasks run; it resumes through restore_trap_frame.
    spin, write = lines.index("user task: spinning"), lines.index("user task: writing OSTime")
    assert any(re.fullmatch(r"ucos-demo: dom 4 round \d+/10 at tick \d+", line) for line in lines[spin:write]), \
        run.output
    # The port rolls the task back to its checkpoint (the system call before the faulting
    # step) three times, as it faults again each time; at the fourth fault it gives up.
    rolled = [i for i, line in enumerate(lines)
              if re.fullmatch(r"ucos: task 25 'user' rolled back after data abort at 0x([0-9a-f]{8}) "
                              r"\(pc 0x([0-9a-f]{8})\)", line)]
    assert len(rolled) == 3 and rolled[0] > write and rolled == list(range(rolled[0], rolled[0] + 3)), run.output
    gave_up = re.fullmatch(r"ucos: task 25 'user': data abort at 0x([0-9a-f]{8}) \(pc 0x([0-9a-f]{8})\), "
                           r"3 rollbacks within \d+ ticks: no more", lines[rolled[-1] + 1])
    assert gave_up, run.output
    assert lines[rolled[-1] + 2] == "ucos-demo: dom 4: data abort in task 25 (virtual user mode), delivered as an upcall", \
        run.output
    assert all(lines[i].endswith(f"at 0x{gave_up[1]} (pc 0x{gave_up[2]})") for i in rolled), run.output
    where = [m for line in lines if (m := re.fullmatch(
        r"ucos-demo: dom 4: pc 0x([0-9a-f]{8}) address 0x([0-9a-f]{8}) \(&OSTime 0x([0-9a-f]{8})\) "
        r"fsr 0x([0-9a-f]{3})", line))]
    assert where, run.output
    pc, address, ostime, fsr = (int(g, 16) for g in where[0].groups())
    assert 0x40000000 <= pc < 0x40001000, run.output  # the user page
    assert address == ostime, run.output
    assert (int(gave_up[1], 16), int(gave_up[2], 16)) == (address, pc), run.output
    # Virtual user mode makes the kernel's ARM domain a client: its privileged-only pages are
    # out of reach, a permission fault (page 0xF / section 0xD) in the kernel domain of
    # dom 4's tag (4 % 5 = 4: domain 1 + 3 * 4 = 13, xen-arm/include/mmu.hh).
    assert fsr & 0xF in (0xD, 0xF) and (fsr >> 4) & 0xF == 13, run.output
    deleted = [line for line in lines if line.startswith("ucos-demo: dom 4: faulting task 25 deleted (0)")]
    assert deleted, run.output
    # Everyone carries on: later rounds in every µC/OS-II guest, and ucos3's own checksum.
    at = run.lines.index("[ucos3] " + deleted[0])
    for name, (dom, _) in UCOS_DOMAINS.items():
        assert any(line.startswith(f"[{name}] ucos-demo: dom {dom} round {ROUNDS}/") for line in run.lines[at:]), \
            run.output
    assert "[ucos3] user task: writing OSTime" in run.lines[:at], run.output
    # Each rollback put its region back: the faulting step's work was done once, the task
    # had taken USER_FAULT_AT steps when it was deleted.
    steps, total, acc, checkpoints, rollbacks = ucos.user_task_line(lines, 4)
    assert (steps, total, acc, rollbacks) == (ucos.USER_FAULT_AT, ucos.USER_STEPS,
                                              ucos.user_task_acc(3, ucos.USER_FAULT_AT), 3), run.output
    assert checkpoints > steps, run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_demo_natively_gives_the_same_checksum(platform):
    run = ucos.run_native(platform, f"app=demo seed=1 rounds={ROUNDS}")
    assert run.status == 0, run.output
    assert ucos.checksum_line(run.lines, 0) == (1, ROUNDS, ucos.demo_checksum(1, ROUNDS)), run.output


@pytest.mark.parametrize("variable", ["SYSTEM", "CONFIG"])
def test_make_run_boots_the_ucos_system(variable):
    proc = subprocess.run(["make", "--no-print-directory", "-n", "-C", str(ucos.REPO), "run", f"{variable}=ucos"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tools/run-qemu.sh --interactive --log build/goldfish/run-ucos.log" in proc.stdout, proc.stdout
    assert "goldfish build/goldfish/images/ucos.elf" in proc.stdout, proc.stdout
