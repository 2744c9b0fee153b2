"""domains/ft.cfg on every board: fault tolerance with µC/OS-II (the fault-tolerance paper's
demo). dom0, a mini-OS guest and three µC/OS-II guests running the demo pipeline of
ucos-port/apps/demo.c:

- ucos1: a task in virtual user mode with a checkpoint region faults once; the port rolls
  the task back to its checkpoint and it redoes its step, its result right;
- ucos2 (fault_tolerance = vm, checkpoint = 10ms): the guest kernel writes through a
  corrupted queue pointer once; the VMM rolls the whole domain back and its checksum is
  right;
- ucos3 and the mini-OS domains never notice: their output is that of the same system
  without the faults.

Also, on a lone µC/OS-II domain: the port rolls back each kind of fault (undefined
instruction, prefetch abort); a kernel-mode fault with upcalls enabled is bounced to the
port, which leaves it to the VMM; without fault tolerance a kernel fault crashes the
domain. And `make run SYSTEM=ft` is this system."""
import re
import subprocess

import pytest

import images
import test_ucos_common as ucos
from vmm import PLATFORMS

CONFIG = ucos.REPO / "domains" / "ft.cfg"
UCOS_DOMAINS = {"ucos1": (2, 1), "ucos2": (3, 2), "ucos3": (4, 3)}  # name: (domid, seed)
ROUNDS = 10
KFAULT_ROUND = ROUNDS // 2 + 1  # (printed from 1)
VMM_ROLLED_BACK = re.compile(r"xen-arm: dom(\d+) '(\w+)' rolled back to its checkpoint of (\d+) us ago after (.*)")
TASK_ROLLED_BACK = re.compile(r"ucos: task 25 'user' rolled back after (.+) at 0x([0-9a-f]{8}) \(pc 0x([0-9a-f]{8})\)")
QUEUE_FAULT = (f"ucos-demo: dom 3: kernel fault: round {KFAULT_ROUND} message 3, "
               "the queue's insert pointer -> 0x0000bad0")
MASKED = "fault in virtual kernel mode with upcalls masked (inside a trap handler?)"


def faultless(tmp_path, platform):
    """ft.cfg without its two faults."""
    text = CONFIG.read_text()
    assert " fault=data" in text and " kfault=1" in text
    config = tmp_path / "ft.cfg"
    config.write_text(text.replace(" fault=data", "").replace(" kfault=1", "")
                      .replace("../build/", str(ucos.REPO / "build") + "/"))
    return config


@pytest.fixture(scope="module", params=PLATFORMS)
def system(request, tmp_path_factory):
    platform = request.param
    image = ucos.build_config(tmp_path_factory.mktemp(f"ft-{platform}"), platform, CONFIG)
    plain_dir = tmp_path_factory.mktemp(f"ft-plain-{platform}")
    plain = ucos.build_config(plain_dir, platform, faultless(plain_dir, platform))
    return platform, ucos.images.run(platform, image), ucos.images.run(platform, plain)


def rounds_of(lines: list[str], dom: int) -> list[int]:
    return [int(m[1]) for line in lines
            if (m := re.fullmatch(rf"ucos-demo: dom {dom} round (\d+)/{ROUNDS} at tick \d+", line))]


def test_every_domain_ends_cleanly(system):
    _, run, _ = system
    ucos.assert_ends_cleanly(run)


@pytest.mark.parametrize("name", sorted(UCOS_DOMAINS))
def test_ucos_domain_checksum(system, name):
    _, run, _ = system
    dom, seed = UCOS_DOMAINS[name]
    lines = ucos.guest_lines(run, name)
    assert ucos.checksum_line(lines, dom) == (seed, ROUNDS, ucos.demo_checksum(seed, ROUNDS)), run.output
    done = [line for line in lines if line.startswith(f"ucos-demo: dom {dom} done: ")]
    assert done and done[0].startswith(f"ucos-demo: dom {dom} done: 0 errors, "), run.output
    if name != "ucos2":
        assert rounds_of(lines, dom) == list(range(1, ROUNDS + 1)), run.output


def test_the_task_is_rolled_back_and_redoes_its_step(system):
    """ucos1: the user task's store to OSTime (a permission fault in user mode, bounced to the
    guest) rolls the task back to its checkpoint, once; the task finishes, its result the
    faultless one (its region was put back: the faulting step's work counted once)."""
    _, run, _ = system
    lines = ucos.guest_lines(run, "ucos1")
    write = lines.index("user task: writing OSTime")
    rolled = [(i, m) for i, line in enumerate(lines) if (m := TASK_ROLLED_BACK.fullmatch(line))]
    assert len(rolled) == 1 and rolled[0][0] > write, run.output
    kind, address, pc = rolled[0][1].groups()
    assert kind == "data abort", run.output
    assert 0x40000000 <= int(pc, 16) < 0x40001000, run.output  # the user code page
    # &OSTime: in the domain's kernel image (its window starts at its entry).
    entry = int(re.search(r"xen-arm: dom2 'ucos1' built: .* entry 0x([0-9a-f]{8})", run.output)[1], 16)
    assert entry <= int(address, 16) < entry + 0x100000, run.output
    assert ucos.user_task_line(lines, 2)[:3] + ucos.user_task_line(lines, 2)[4:] == \
        (ucos.USER_STEPS, ucos.USER_STEPS, ucos.user_task_acc(1, ucos.USER_STEPS), 1), run.output
    assert not any("no more" in line or "deleted" in line or "delivered as an upcall" in line for line in lines), \
        run.output
    assert lines.count("user task: writing OSTime") == 1, run.output  # no system call repeated


def test_the_kernel_fault_rolls_the_domain_back(system):
    """ucos2: OSQPost writes through the corrupted insert pointer inside its critical
    section, upcalls masked: the VMM cannot bounce it and rolls the domain back to its last
    checkpoint (at most two ticks old); the producer's replay does not corrupt it again."""
    _, run, _ = system
    rollbacks = [(i, m) for i, line in enumerate(run.lines) if (m := VMM_ROLLED_BACK.fullmatch(line))]
    assert len(rollbacks) == 1, run.output
    at, m = rollbacks[0]
    dom, name, age_us, what = m.groups()
    assert (dom, name) == ("3", "ucos2"), run.output
    assert what == f"data abort at 0x0000bad0 (translation fault (section)): {MASKED}", run.output
    assert 0 < int(age_us) <= 20_000, run.output
    assert run.lines.count(f"[ucos2] {QUEUE_FAULT}") == 1, run.output
    assert run.lines.index(f"[ucos2] {QUEUE_FAULT}") < at, run.output
    # Its rounds go on from the checkpoint; a round it prints again, as it printed it before
    # the rollback, is not shown twice (the VMM's console replay, fault_tolerance.hh).
    before, after = (rounds_of([line.removeprefix("[ucos2] ") for line in part if line.startswith("[ucos2] ")], 3)
                     for part in (run.lines[:at], run.lines[at:]))
    assert before == list(range(1, len(before) + 1)) and before[-1] >= KFAULT_ROUND, run.output
    assert after == list(range(before[-1] + 1, ROUNDS + 1)), run.output


def normalized(lines: list[str]) -> list[str]:
    return [re.sub(r"\d+", "N", line) for line in lines]


@pytest.mark.parametrize("name", ["dom0", "minios1", "ucos3"])
def test_the_other_domains_never_notice(system, name):
    """Their output is that of the same system without the faults (numbers aside: times)."""
    _, run, plain = system
    assert plain.status == 0 and "(5 shut down, 0 crashed)" in plain.output, plain.output
    assert normalized(ucos.guest_lines(run, name)) == normalized(ucos.guest_lines(plain, name)), run.output
    assert not VMM_ROLLED_BACK.search(plain.output), plain.output


def lone(tmp_path, platform: str, cmdline: str, fault_tolerance: bool = True):
    """The µC/OS-II guest alone (dom0), checkpointed by the VMM every 10 ms if fault_tolerance."""
    config = images.domain("dom0", str(ucos.pv_image()), privileged=True, cmdline=cmdline)
    if fault_tolerance:
        config += "fault_tolerance = vm\ncheckpoint = 10ms\n"
    return images.run(platform, images.build(tmp_path, platform, "ftdemo", config))


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kind, says", [("undef", "user task: executing an undefined instruction"),
                                        ("prefetch", "user task: jumping to OSTime")])
def test_the_port_rolls_back_each_kind_of_fault(tmp_path, platform, kind, says):
    run = lone(tmp_path, platform, f"app=demo seed=3 fault={kind}", fault_tolerance=False)
    assert run.status == 0, run.output
    lines = ucos.guest_lines(run, "dom0")
    rolled = [m for line in lines if (m := TASK_ROLLED_BACK.fullmatch(line))]
    assert len(rolled) == 1 and lines.index(says) < lines.index(rolled[0][0]), run.output
    name, address, pc = rolled[0].groups()
    assert name == {"undef": "undefined instruction", "prefetch": "prefetch abort"}[kind], run.output
    if kind == "undef":
        assert address == pc and 0x40000000 <= int(pc, 16) < 0x40001000, run.output
    else:
        assert address == pc and int(pc, 16) >= 0xC0000000, run.output  # OSTime, out of user mode's reach
    assert ucos.user_task_line(lines, 0)[:3] == (ucos.USER_STEPS, ucos.USER_STEPS,
                                                 ucos.user_task_acc(3, ucos.USER_STEPS)), run.output
    assert ucos.checksum_line(lines, 0) == (3, ROUNDS, ucos.demo_checksum(3, ROUNDS)), run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_kernel_fault_the_port_is_given_goes_back_to_the_vmm(tmp_path, platform):
    """kfault=2: a kernel-mode task dereferences a wild pointer with upcalls enabled, so the
    VMM bounces the abort to the guest; the port does not handle it but re-runs it with
    upcalls masked, and the VMM rolls the domain back."""
    run = lone(tmp_path, platform, "app=demo seed=2 kfault=2")
    assert run.status == 0, run.output
    lines = ucos.guest_lines(run, "dom0")
    left = [line for line in lines if re.fullmatch(
        r"ucos: data abort at 0x0000bad8 \(pc 0x[0-9a-f]{8}\) in virtual kernel mode, task 12: left to the VMM", line)]
    assert len(left) == 1, run.output
    rollbacks = VMM_ROLLED_BACK.findall(run.output)
    assert len(rollbacks) == 1, run.output
    assert rollbacks[0][3] == f"data abort at 0x0000bad8 (translation fault (section)): {MASKED}", run.output
    assert run.output.index(left[0]) < run.output.index("rolled back to its checkpoint"), run.output
    assert ucos.checksum_line(lines, 0) == (2, ROUNDS, ucos.demo_checksum(2, ROUNDS)), run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_without_fault_tolerance_the_kernel_fault_crashes_the_domain(tmp_path, platform):
    run = lone(tmp_path, platform, "app=demo seed=2 kfault=1", fault_tolerance=False)
    assert f"ucos-demo: dom 0: kernel fault: round {KFAULT_ROUND} message 3" in run.output, run.output
    assert f"xen-arm: dom0 'dom0' crashed: data abort at 0x0000bad0 (translation fault (section)): {MASKED}" \
        in run.output, run.output
    assert "rolled back" not in run.output, run.output


def test_make_run_boots_the_ft_system():
    proc = subprocess.run(["make", "--no-print-directory", "-n", "-C", str(ucos.REPO), "run", "SYSTEM=ft"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tools/run-qemu.sh --interactive --log build/goldfish/run-ft.log" in proc.stdout, proc.stdout
    assert "goldfish build/goldfish/images/ft.elf" in proc.stdout, proc.stdout


@pytest.mark.parametrize("platform", PLATFORMS)
def test_periodic_checkpoints_of_a_domain_in_virtual_user_mode(tmp_path, platform):
    """The campaign's µC/OS-II workload runs its task in virtual user mode nearly all the
    time, so the VMM's periodic checkpoints (1 ms) find it there: the VMM copies its memory
    with the kernel's DACR (with the user-mode one it took a data abort of its own)."""
    config = images.domain("dom0", str(ucos.pv_image()), privileged=True, cmdline="app=work rounds=300")
    config += "fault_tolerance = vm\ncheckpoint = 1ms\n"
    run = images.run(platform, images.build(tmp_path, platform, "ftwork", config))
    assert run.status == 0, run.output
    assert "[dom0] work: 300 rounds verified" in run.lines, run.output
    assert "BAD" not in run.output and "*** xen-arm" not in run.output, run.output
