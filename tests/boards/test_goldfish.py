"""Register-level tests of the project's `goldfish` machine (goldfish/qemu/goldfish_*.c):
the Android emulator's android_arm board with Android's PIC, timer, TTY, RTC and
device bus. Most tests drive QEMU through qtest (no guest code runs, virtual time
moves only on clock_step); one boots a tiny raw program to prove that the TTY and
the bus take guest-VIRTUAL addresses.

Run: QEMU=<qemu-system-arm> /usr/bin/python3 -m pytest tests/boards/test_goldfish.py
"""
import os
import pathlib
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from bare_metal import assemble  # noqa: E402
from qtest_client import QTest  # noqa: E402

PIC = 0xFF000000
BUS = 0xFF001000
TTY = 0xFF002000
TIMER = 0xFF003000
RTC = 0xFF010000

# PIC registers
STATUS, NUMBER, DISABLE_ALL, DISABLE, ENABLE = 0x00, 0x04, 0x08, 0x0C, 0x10
# timer registers
TIME_LOW, TIME_HIGH, ALARM_LOW, ALARM_HIGH, CLEAR_INTERRUPT, CLEAR_ALARM = (
    0x00, 0x04, 0x08, 0x0C, 0x10, 0x14)
# TTY registers and commands
PUT_CHAR, BYTES_READY, CMD, DATA_PTR, DATA_LEN, VERSION = 0x00, 0x04, 0x08, 0x10, 0x14, 0x20
INT_DISABLE, INT_ENABLE, WRITE_BUFFER, READ_BUFFER = 0, 1, 2, 3
# bus registers
OP, GET_NAME, NAME_LEN, ID, IO_BASE, IO_SIZE, IRQ, IRQ_COUNT = range(0, 0x20, 4)
ADD_DEV, DONE = 8, 0

CPU_IRQ, CPU_FIQ = 0, 1

# What Android's bus reported for `-serial X` alone, in its registration order.
ANDROID_DEVICES = [
    ("goldfish_interrupt_controller", 0xFFFFFFFF, 0xFF000000, 0x1000, 0, 0),
    ("goldfish_device_bus", 0xFFFFFFFF, 0xFF001000, 0x1000, 1, 1),
    ("goldfish_timer", 0xFFFFFFFF, 0xFF003000, 0x1000, 3, 1),
    ("goldfish_rtc", 0xFFFFFFFF, 0xFF010000, 0x1000, 10, 1),
    ("goldfish_tty", 0, 0xFF002000, 0x1000, 4, 1),
]


@pytest.fixture
def gf(qemu):
    with QTest(qemu, "goldfish") as q:
        q.intercept_cpu_irq()
        yield q


def set_input(q, n, level):
    """Drives the PIC's input n directly."""
    q.cmd(f"set_irq_in /machine/pic unnamed-gpio-in {n} {level}")


def pic_state(q):
    return q.readl(PIC + STATUS), q.readl(PIC + NUMBER), q.cpu_irq_level(CPU_IRQ)


def fiq_untouched(q):
    return all(line != CPU_FIQ for _, line in q.irq_events)


# ---------------------------------------------------------------- PIC

def test_pic_number_is_lowest_pending_enabled_and_status_counts(gf):
    for n in (0, 5, 9, 20, 31):
        gf.writel(PIC + ENABLE, n)
    assert pic_state(gf) == (0, 0, 0)
    set_input(gf, 20, 1)
    assert pic_state(gf) == (1, 20, 1)
    set_input(gf, 9, 1)
    assert pic_state(gf) == (2, 9, 1)
    set_input(gf, 7, 1)                   # pending but not enabled: invisible
    assert pic_state(gf) == (2, 9, 1)
    set_input(gf, 31, 1)
    set_input(gf, 5, 1)
    assert pic_state(gf) == (4, 5, 1)
    set_input(gf, 5, 0)                   # level-sensitive: dropping the line clears it
    assert pic_state(gf) == (3, 9, 1)
    set_input(gf, 0, 1)                   # IRQ 0 reads NUMBER 0, told apart by STATUS
    assert pic_state(gf) == (4, 0, 1)
    for n in (0, 9, 20, 31):
        set_input(gf, n, 0)
    assert pic_state(gf) == (0, 0, 0)
    assert ("raise", CPU_IRQ) in gf.irq_events
    assert fiq_untouched(gf)              # Android has no way to route to FIQ


def test_pic_enable_and_disable_take_an_irq_number(gf):
    set_input(gf, 3, 1)
    set_input(gf, 4, 1)
    assert pic_state(gf) == (0, 0, 0)
    gf.writel(PIC + ENABLE, 4)            # number 4, not mask 0b100 (which is IRQ 2)
    assert pic_state(gf) == (1, 4, 1)
    gf.writel(PIC + ENABLE, 3)
    assert pic_state(gf) == (2, 3, 1)
    gf.writel(PIC + DISABLE, 3)
    assert pic_state(gf) == (1, 4, 1)
    gf.writel(PIC + DISABLE, 4)
    assert pic_state(gf) == (0, 0, 0)
    gf.writel(PIC + ENABLE, 32)           # no such input: ignored (and logged)
    gf.writel(PIC + ENABLE, 0xFFFFFFFF)
    set_input(gf, 0, 1)
    assert pic_state(gf) == (0, 0, 0)
    gf.writel(PIC + ENABLE, 0)
    assert pic_state(gf) == (1, 0, 1)


def test_pic_disable_all_clears_levels_but_keeps_enables(gf):
    gf.writel(PIC + ENABLE, 6)
    gf.writel(PIC + ENABLE, 7)
    set_input(gf, 6, 1)
    set_input(gf, 7, 1)
    assert pic_state(gf) == (2, 6, 1)
    gf.writel(PIC + DISABLE_ALL, 0)
    assert pic_state(gf) == (0, 0, 0)
    set_input(gf, 7, 1)                   # a device asserts again: still enabled
    assert pic_state(gf) == (1, 7, 1)
    set_input(gf, 6, 1)
    assert pic_state(gf) == (2, 6, 1)


# ---------------------------------------------------------------- timer

def read_time(q):
    low = q.readl(TIMER + TIME_LOW)
    return q.readl(TIMER + TIME_HIGH) << 32 | low


def test_timer_counts_virtual_ns_and_time_low_latches_high(gf):
    t0 = gf.clock_get()
    assert read_time(gf) == t0
    now = gf.clock_step(0xFFFFF000 - t0)
    assert now == 0xFFFFF000
    assert gf.readl(TIMER + TIME_LOW) == 0xFFFFF000
    gf.clock_step(0x2000)                 # crosses 2^32
    assert gf.readl(TIMER + TIME_HIGH) == 0   # still the latched value
    assert gf.readl(TIMER + TIME_LOW) == 0x1000
    assert gf.readl(TIMER + TIME_HIGH) == 1
    gf.clock_step(12345)
    assert read_time(gf) == 0x1_0000_1000 + 12345


def test_timer_alarm_raises_irq3_exactly_on_time_and_clear_interrupt_lowers(gf):
    gf.writel(PIC + ENABLE, 3)
    now = gf.clock_step(1_000_000)
    alarm = now + 1_000_000
    gf.writel(TIMER + ALARM_HIGH, 0)
    gf.writel(TIMER + ALARM_LOW, alarm)
    assert pic_state(gf) == (0, 0, 0)
    gf.clock_step(999_999)
    assert pic_state(gf) == (0, 0, 0)
    gf.clock_step(1)
    assert gf.clock_get() == alarm
    assert pic_state(gf) == (1, 3, 1)
    gf.clock_step(5_000_000)              # stays high until acknowledged
    assert pic_state(gf) == (1, 3, 1)
    gf.writel(TIMER + CLEAR_INTERRUPT, 1)
    assert pic_state(gf) == (0, 0, 0)
    gf.clock_step(100_000_000)            # one-shot: no second IRQ
    assert pic_state(gf) == (0, 0, 0)
    assert gf.irq_events.count(("raise", CPU_IRQ)) == 1
    # The next deadline QEMU sees is exactly the alarm.
    now = gf.clock_get()
    gf.writel(TIMER + ALARM_LOW, now + 777)
    assert gf.clock_step() == now + 777
    assert pic_state(gf) == (1, 3, 1)


def test_timer_alarm_uses_alarm_high(gf):
    gf.writel(PIC + ENABLE, 3)
    gf.writel(TIMER + ALARM_HIGH, 1)
    gf.writel(TIMER + ALARM_LOW, 0x10)    # alarm at 2^32 + 16 ns
    assert gf.clock_step() == 0x1_0000_0010
    assert pic_state(gf) == (1, 3, 1)


def test_timer_alarm_in_the_past_or_now_fires_at_once(gf):
    gf.writel(PIC + ENABLE, 3)
    now = gf.clock_step(50_000)
    gf.writel(TIMER + ALARM_HIGH, 0)
    gf.writel(TIMER + ALARM_LOW, now - 1)
    assert pic_state(gf) == (1, 3, 1)
    gf.writel(TIMER + CLEAR_INTERRUPT, 0)
    assert pic_state(gf) == (0, 0, 0)
    gf.writel(TIMER + ALARM_LOW, now)     # due now counts as passed
    assert pic_state(gf) == (1, 3, 1)
    gf.writel(TIMER + CLEAR_INTERRUPT, 0)
    gf.writel(TIMER + ALARM_HIGH, 0xFFFFFFFF)  # Android sign-extends: far past
    gf.writel(TIMER + ALARM_LOW, 0xFFFFFFFF)
    assert pic_state(gf) == (1, 3, 1)


def test_timer_clear_alarm_disarms_and_lowers_and_new_alarm_replaces_old(gf):
    gf.writel(PIC + ENABLE, 3)
    now = gf.clock_get()
    gf.writel(TIMER + ALARM_HIGH, 0)
    gf.writel(TIMER + ALARM_LOW, now + 1000)
    gf.writel(TIMER + CLEAR_ALARM, 0)
    gf.clock_step(10_000)
    assert pic_state(gf) == (0, 0, 0)
    now = gf.clock_get()
    gf.writel(TIMER + ALARM_LOW, now - 1)  # fired ...
    assert pic_state(gf) == (1, 3, 1)
    gf.writel(TIMER + CLEAR_ALARM, 0)     # ... CLEAR_ALARM also lowers the IRQ
    assert pic_state(gf) == (0, 0, 0)
    gf.writel(TIMER + ALARM_LOW, now + 1000)
    gf.writel(TIMER + ALARM_LOW, now + 5000)  # replaces the first alarm
    gf.clock_step(4999)
    assert pic_state(gf) == (0, 0, 0)
    gf.clock_step(1)
    assert pic_state(gf) == (1, 3, 1)


def test_timer_irq_is_gated_by_the_pic_enable(gf):
    gf.writel(TIMER + ALARM_LOW, gf.clock_get())
    assert pic_state(gf) == (0, 0, 0)     # asserted, but IRQ 3 is disabled
    gf.writel(PIC + ENABLE, 3)
    assert pic_state(gf) == (1, 3, 1)


# ---------------------------------------------------------------- RTC

def test_rtc_reads_time_of_day_in_whole_seconds(qemu):
    rtc = ("-rtc", "base=2000-01-01T00:00:00,clock=vm")
    with QTest(qemu, "goldfish", extra=rtc) as q:
        low = q.readl(RTC + 0x00)
        assert (q.readl(RTC + 0x04) << 32 | low) == 946684800 * 10**9
        q.clock_step(3_500_000_000)
        low = q.readl(RTC + 0x00)
        assert (q.readl(RTC + 0x04) << 32 | low) == 946684803 * 10**9
    with QTest(qemu, "goldfish") as q:    # default: the host's clock
        low = q.readl(RTC + 0x00)
        ns = q.readl(RTC + 0x04) << 32 | low
        assert ns % 10**9 == 0 and abs(ns / 1e9 - time.time()) < 5


# ---------------------------------------------------------------- TTY

class Console:
    """The first serial port on a unix socket: the test is the other end."""

    def __init__(self, qemu, tmp_path, extra=()):
        path = str(tmp_path / "con.sock")
        self.q = QTest(qemu, "goldfish", serial="chardev:con", extra=(
            "-chardev", f"socket,id=con,path={path},server=on,wait=off", *extra))
        self.q.intercept_cpu_irq()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.settimeout(10)
        # QEMU notices the connection in its main loop; a qtest round trip
        # after a short wait makes sure it did before the test writes.
        deadline = time.time() + 5
        self.q.writeb(TTY + PUT_CHAR, ord("!"))
        while time.time() < deadline:
            try:
                self.sock.settimeout(0.05)
                if self.sock.recv(1) == b"!":
                    break
            except socket.timeout:
                self.q.writeb(TTY + PUT_CHAR, ord("!"))
        else:
            raise AssertionError("console socket never connected")
        self.sock.settimeout(0.05)
        self.drain()
        self.sock.settimeout(10)

    def drain(self):
        try:
            while self.sock.recv(4096):
                pass
        except socket.timeout:
            pass

    def recv_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            assert chunk, "console closed"
            data += chunk
        return data

    def wait_bytes_ready(self, n):
        deadline = time.time() + 5
        while self.q.readl(TTY + BYTES_READY) != n:
            assert time.time() < deadline, self.q.readl(TTY + BYTES_READY)
            time.sleep(0.01)

    def close(self):
        self.sock.close()
        self.q.close()


@pytest.fixture
def con(qemu, tmp_path):
    c = Console(qemu, tmp_path, extra=("-d", "guest_errors", "-D", str(tmp_path / "log")))
    yield c
    c.close()


def test_tty_put_char_and_write_buffer_reach_the_chardev(con):
    q = con.q
    for ch in b"Hi ":
        q.writel(TTY + PUT_CHAR, ch)
    assert con.recv_exactly(3) == b"Hi "
    text = bytes(range(0x20, 0x7F)) * 2 + b"\n"     # 191 bytes: several chunks
    q.memwrite(0x2000, text)
    q.writel(TTY + DATA_PTR, 0x2000)
    q.writel(TTY + DATA_LEN, len(text))
    q.writel(TTY + CMD, WRITE_BUFFER)
    assert con.recv_exactly(len(text)) == text
    q.writel(TTY + DATA_LEN, 5)                      # length is honoured
    q.writel(TTY + CMD, WRITE_BUFFER)
    q.writel(TTY + PUT_CHAR, ord("."))
    assert con.recv_exactly(6) == text[:5] + b"."
    assert q.readl(TTY + VERSION) == 0               # version 0: virtual pointers


def test_tty_rx_raises_irq4_when_enabled_and_read_buffer_copies(con, tmp_path):
    q = con.q
    q.writel(PIC + ENABLE, 4)
    con.sock.sendall(b"xyz")
    con.wait_bytes_ready(3)
    assert pic_state(q) == (0, 0, 0)                  # TTY interrupts still disabled
    q.writel(TTY + CMD, INT_ENABLE)
    assert pic_state(q) == (1, 4, 1)
    q.writel(TTY + CMD, INT_DISABLE)
    assert pic_state(q) == (0, 0, 0)
    q.writel(TTY + CMD, INT_ENABLE)
    assert pic_state(q) == (1, 4, 1)

    q.memwrite(0x3000, b"\xee" * 16)
    q.writel(TTY + DATA_PTR, 0x3000)
    q.writel(TTY + DATA_LEN, 2)
    q.writel(TTY + CMD, READ_BUFFER)
    assert q.memread(0x3000, 4) == b"xy\xee\xee"
    assert q.readl(TTY + BYTES_READY) == 1
    assert pic_state(q) == (1, 4, 1)                  # data left: still high

    q.writel(TTY + DATA_PTR, 0x3008)
    q.writel(TTY + DATA_LEN, 6)                       # more than buffered: Android aborted
    q.writel(TTY + CMD, READ_BUFFER)
    assert q.memread(0x3008, 4) == b"z\xee\xee\xee"  # copies what there is
    assert q.readl(TTY + BYTES_READY) == 0
    assert pic_state(q) == (0, 0, 0)
    assert "READ_BUFFER of 6 bytes, only 1 buffered" in (tmp_path / "log").read_text()

    con.sock.sendall(b"k")                            # new input with ints enabled
    con.wait_bytes_ready(1)
    assert pic_state(q) == (1, 4, 1)


def test_tty_rx_buffer_holds_128_bytes_and_refills(con):
    q = con.q
    data = bytes((i * 7) & 0xFF for i in range(200))
    con.sock.sendall(data)
    con.wait_bytes_ready(128)
    time.sleep(0.1)
    assert q.readl(TTY + BYTES_READY) == 128
    q.writel(TTY + DATA_PTR, 0x10000)
    q.writel(TTY + DATA_LEN, 128)
    q.writel(TTY + CMD, READ_BUFFER)
    assert q.memread(0x10000, 128) == data[:128]
    con.wait_bytes_ready(72)                          # the backend resumes
    q.writel(TTY + DATA_PTR, 0x10080)
    q.writel(TTY + DATA_LEN, 72)
    q.writel(TTY + CMD, READ_BUFFER)
    assert q.memread(0x10000, 200) == data


# ---------------------------------------------------------------- device bus

def enumerate_bus(q, buf=0x4000):
    devices = []
    for _ in range(40):
        op = q.readl(BUS + OP)
        if op == DONE:
            return devices
        assert op == ADD_DEV
        n = q.readl(BUS + NAME_LEN)
        q.memwrite(buf, b"\xaa" * 64)
        q.writel(BUS + GET_NAME, buf)
        raw = q.memread(buf, n + 1)
        assert raw[n] == 0xAA                         # no NUL written
        devices.append((raw[:n].decode(), q.readl(BUS + ID), q.readl(BUS + IO_BASE),
                        q.readl(BUS + IO_SIZE), q.readl(BUS + IRQ),
                        q.readl(BUS + IRQ_COUNT)))
    raise AssertionError("bus never said DONE")


def test_bus_enumerates_androids_devices_and_restarts(gf):
    gf.writel(PIC + ENABLE, 1)
    assert pic_state(gf) == (0, 0, 0)                 # quiet until the guest asks
    gf.writel(BUS + OP, 0)
    assert pic_state(gf) == (1, 1, 1)
    assert enumerate_bus(gf) == ANDROID_DEVICES
    assert pic_state(gf) == (0, 0, 0)                 # DONE lowered IRQ 1
    assert gf.readl(BUS + OP) == DONE                 # stays done
    assert [gf.readl(BUS + r) for r in (NAME_LEN, ID, IO_BASE, IRQ)] == [0, 0, 0, 0]
    gf.writel(BUS + OP, 0)                            # writing 0 restarts
    assert pic_state(gf) == (1, 1, 1)
    assert gf.readl(BUS + OP) == ADD_DEV
    assert gf.readl(BUS + NAME_LEN) == len("goldfish_interrupt_controller")
    gf.writel(BUS + OP, 0)                            # restart mid-way: from the top
    assert enumerate_bus(gf) == ANDROID_DEVICES


def test_bus_lists_extra_serial_ports_as_dynamic_ttys(qemu, tmp_path):
    out = tmp_path / "tty1.out"
    with QTest(qemu, "goldfish", extra=("-serial", f"file:{out}", "-serial", "null")) as q:
        q.writel(BUS + OP, 0)
        assert enumerate_bus(q) == ANDROID_DEVICES + [
            ("goldfish_tty", 1, 0xFF011000, 0x1000, 11, 1),
            ("goldfish_tty", 2, 0xFF012000, 0x1000, 12, 1),
        ]
        for ch in b"tty1":
            q.writel(0xFF011000 + PUT_CHAR, ch)
        q.clock_get()
        assert out.read_bytes() == b"tty1"


# ---------------------------------------------------------------- unused offsets

def test_unused_offsets_are_logged_not_fatal(qemu, tmp_path):
    log = tmp_path / "log"
    with QTest(qemu, "goldfish", extra=("-d", "guest_errors", "-D", str(log))) as q:
        for addr in (PIC + 0x14, TIMER + 0x18, TTY + 0x0C, BUS + 0x24, RTC + 0x20,
                     0xFF004000, 0xFF7FFFFC):
            assert q.readl(addr) == 0
            q.writel(addr, 0x12345678)
        assert q.readl(PIC + ENABLE) == 0                 # write-only register
        q.writel(TTY + CMD, 9)                            # bad command
        q.writel(BUS + OP, 5)                             # bad bus op
        assert q.clock_get() >= 0                         # still alive
        assert q.proc.poll() is None
    text = log.read_text()
    for needle in ("goldfish-android-pic: read of bad offset 0x14",
                   "goldfish-android-timer: write of 0x12345678 to bad offset 0x18",
                   "goldfish-android-tty: read of bad offset 0xc",
                   "goldfish-device-bus: read of bad offset 0x24",
                   "goldfish-android-rtc: read of bad offset 0x20",
                   "goldfish: 4-byte read of 0xff004000, no device there",
                   "goldfish: 4-byte write of 0x12345678 to 0xff7ffffc, no device there",
                   "goldfish-android-pic: read of bad offset 0x10",
                   "goldfish-android-tty: bad command 0x9",
                   "goldfish-device-bus: bad OP 0x5"):
        assert needle in text, needle


# ---------------------------------------------------------------- guest-virtual pointers

BOOT_PROGRAM = r"""
    .arm
    .text
    .global _start
_start:
    ldr     r4, =0xff002000         @ tty0
    ldr     r3, =1441               @ MACH_TYPE_GOLDFISH, passed by the boot stub
    cmp     r1, r3
    moveq   r0, #'Y'
    movne   r0, #'N'
    str     r0, [r4]
    ldr     r5, =0x4000             @ first-level table: VA 0 and 0xff000000 flat,
    mov     r0, #0                  @ VA 0x80000000 -> PA 0 (an alias of RAM)
    ldr     r1, =4095
1:  str     r0, [r5, r1, lsl #2]
    subs    r1, r1, #1
    bpl     1b
    ldr     r0, =0x00000c12
    str     r0, [r5]
    add     r6, r5, #0x2000
    str     r0, [r6]
    ldr     r0, =0xff000c12
    add     r6, r5, #0x3fc0
    str     r0, [r6]
    mov     r0, #0
    mcr     p15, 0, r0, c8, c7, 0
    mvn     r0, #0
    mcr     p15, 0, r0, c3, c0, 0
    mcr     p15, 0, r5, c2, c0, 0
    mrc     p15, 0, r0, c1, c0, 0
    orr     r0, r0, #1
    mcr     p15, 0, r0, c1, c0, 0
    nop
    nop
    ldr     r0, =msg + 0x80000000   @ WRITE_BUFFER from a virtual-only address
    str     r0, [r4, #0x10]
    mov     r0, #msg_end - msg
    str     r0, [r4, #0x14]
    mov     r0, #2
    str     r0, [r4, #0x08]
    ldr     r7, =0xff001000         @ bus: first device's name to a virtual buffer
    mov     r0, #0
    str     r0, [r7]
    ldr     r0, [r7]
    ldr     r8, [r7, #0x08]
    ldr     r0, =namebuf + 0x80000000
    str     r0, [r7, #0x04]
    str     r0, [r4, #0x10]
    str     r8, [r4, #0x14]
    mov     r0, #2
    str     r0, [r4, #0x08]
    mov     r0, #'\n'
    str     r0, [r4]
    mov     r0, #0x18               @ semihosting SYS_EXIT
    ldr     r1, =0x20026
    svc     0x123456
2:  b       2b
    .ltorg
msg:
    .ascii  "virtual ok:"
msg_end:
    .align  2
namebuf:
    .space  64
"""


def test_tty_and_bus_pointers_are_guest_virtual(qemu, tmp_path):
    assemble(tmp_path, "p", BOOT_PROGRAM, 0x10000)
    out = tmp_path / "console"
    proc = subprocess.run(
        [qemu, "-machine", "goldfish", "-kernel", str(tmp_path / "p.bin"),
         "-display", "none", "-monitor", "none", "-serial", f"file:{out}",
         "-semihosting-config", "enable=on,target=native"],
        timeout=15, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == b"Yvirtual ok:goldfish_interrupt_controller\n"
