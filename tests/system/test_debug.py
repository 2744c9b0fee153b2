"""`make debug`, driven by gdb-multiarch in batch mode: tools/debug.py starts QEMU exactly as
make debug does (run-qemu.sh --debug, its own session, console in a log file) with the
bench3 system on goldfish, and gdb, with the VMM's and mini-OS's symbols and
tools/xen-arm.gdb, then

- stops at the VMM's hypercall entry for guest2's first trace_marker hypercall (bench_main's
  start marker), prints the trap frame (the guest's registers) and backtraces from there
  and from inside the hypercall handler: through the assembly entry (its CFI) into the
  guest's frames, ending at mini-OS's thread entry, in a bounded number of frames;
- then stops in mini-OS (a guest breakpoint, conditional on the domain on the CPU) and
  shows the source file and line.
"""
import re
import shutil
import socket
import subprocess

import pytest

from vmm import REPO

HYPERCALL_H = REPO / "hypercalls" / "xen-arm" / "hypercall.h"
BENCH_C = REPO / "minios" / "apps" / "bench.c"
GUEST_KERNEL_VA = 0xC0000000
VMM_VA = 0xFF000000
ARM_MODE_USR = 0x10
DOM = 2  # guest2 in domains/bench3.cfg
MAX_FRAMES = 15

GDB_SCRIPT = f"""
set pagination off
set width 0
break *xa_swi if $xa_domid() == {DOM} && (*(unsigned int *)(((xa::TrapFrame *) $r0)->pc - 4) & 0xffffff) == {{trace_marker}}
continue
set $tf = (xa::TrapFrame *) $r0
xa-current
xa-domains
echo TRAPFRAME\\n
printf "pc=%#x r0=%#x cpsr=%#x swi=%u\\n", $tf->pc, $tf->r[0], $tf->cpsr, *(unsigned int *)($tf->pc - 4) & 0xffffff
print/x *$tf
echo BT-ENTRY\\n
bt
echo END-BT\\n
delete
break xa::(anonymous namespace)::hc_trace_marker
continue
echo BT-HANDLER\\n
bt
echo END-BT\\n
delete
break bench_loop if $xa_domid() == {DOM}
continue
xa-current
info line *$pc
delete
"""


def hypercall_number(name: str) -> int:
    m = re.search(rf"#define XA_HYPERCALL_{name}\s+(\d+)", HYPERCALL_H.read_text())
    assert m, name
    return int(m.group(1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def frames(text: str, marker: str) -> list[str]:
    body = text.split(marker + "\n", 1)[1].split("END-BT", 1)[0]
    return [line for line in body.splitlines() if re.match(r"#\d+ ", line)]


def check_backtrace(text: str, marker: str) -> list[str]:
    fr = frames(text, marker)
    body = text.split(marker + "\n", 1)[1].split("END-BT", 1)[0]
    assert "previous frame identical" not in body, body
    assert "Backtrace stopped" not in body, body
    assert 0 < len(fr) < MAX_FRAMES, body
    # Through the C++ entry and the assembly entry into the guest's own frames.
    entry = [i for i, f in enumerate(fr) if " swi_entry " in f]
    assert len(entry) == 1, body
    assert any(" xa_swi " in f for f in fr[:entry[0]]), body
    guest = fr[entry[0] + 1:]
    assert guest and re.search(r" 0x(c[0-9a-f]{7}) in ", guest[0]), body
    names = " ".join(guest)
    assert "arch_trace_marker" in names and "bench_main" in names, body
    # mini-OS's thread entry is the outermost frame.
    assert " thread_start " in fr[-1] and "switch.S" in fr[-1], body
    return fr


@pytest.fixture(scope="module")
def bench3_image():
    subprocess.run(["make", "--no-print-directory", "-s", "-C", str(REPO), "build/goldfish/images/bench3.elf"],
                   check=True, stdout=subprocess.DEVNULL)


def test_gdb_guest_breakpoint_trap_frame_and_backtrace(tmp_path, bench3_image):
    if shutil.which("gdb-multiarch") is None:
        pytest.fail("gdb-multiarch missing: tools/install-deps.sh debug")
    trace_marker = hypercall_number("trace_marker")
    script = tmp_path / "cmds.gdb"
    script.write_text(GDB_SCRIPT.replace("{trace_marker}", str(trace_marker)))
    log = tmp_path / "console.log"
    proc = subprocess.run(
        [str(REPO / "tools" / "debug.py"), "--platform", "goldfish", "--image", str(REPO / "build" / "goldfish" / "images" / "bench3.elf"),
         "--port", str(free_port()), "--port-explicit", "--log", str(log), "--batch", str(script)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, out
    assert "Error" not in out, out
    assert f"console output: {log}" in out
    assert "symbols: the VMM, build/minios/pv/minios.elf" in out

    # The guest breakpoint: the domain asked for, the source line of bench_loop's loop.
    loop_line = next(i for i, line in enumerate(BENCH_C.read_text().splitlines(), 1)
                     if "for (i = 0; i < BENCH_ITERATIONS; i++)" in line)
    # One location per domain running mini-OS (its symbols are loaded at each kernel window);
    # the one that stops is guest DOM's, in window DOM.
    assert f"Breakpoint 3 at 0xc0000" in out and "bench_loop. (3 locations)" in out, out
    stop = re.search(rf"Breakpoint 3\.\d, bench_loop \(\) at minios/apps/bench\.c:{loop_line}\n", out)
    assert stop, out
    assert f'Line {loop_line} of "minios/apps/bench.c" starts at address 0x{0xC0000000 + DOM * 0x04000000 >> 24:02x}' \
        in out, out
    guest_stop = out[stop.end():]
    assert f"current domain: {DOM}\n" in guest_stop, out  # from the guest's start_info

    # The hypercall entry: the trap frame is guest2's registers at its trace_marker SWI.
    assert f"current domain: {DOM} (guest{DOM})" in out, out
    assert f"{DOM} guest{DOM} alive (current)" in out, out
    m = re.search(r"pc=0x([0-9a-f]+) r0=0x([0-9a-f]+) cpsr=0x([0-9a-f]+) swi=(\d+)", out)
    assert m, out
    pc, r0, cpsr, swi = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16), int(m.group(4))
    assert GUEST_KERNEL_VA <= pc < VMM_VA
    assert swi == trace_marker
    assert cpsr & 0x1F == ARM_MODE_USR
    assert r0 == 0xBE000000 | (DOM << 8) | 0  # BENCH_MARKER(dom, start) in minios/apps/bench.c
    assert re.search(r"\{r = \{0xbe000200, ", out), out

    entry_bt = check_backtrace(out, "BT-ENTRY")
    handler_bt = check_backtrace(out, "BT-HANDLER")
    assert "hc_trace_marker" in handler_bt[0]
    # The guest part is the same stack whether stopped at the entry or in the handler.
    strip = lambda fr: [re.sub(r"^#\d+\s+", "", f) for f in fr[next(i for i, f in enumerate(fr) if " swi_entry " in f):]]
    assert strip(entry_bt) == strip(handler_bt)
