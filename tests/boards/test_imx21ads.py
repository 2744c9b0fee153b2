"""The imx21ads machine and its GPT v1 model (goldfish/qemu/imx21ads.c, imx_gpt_v1.c),
register by register over qtest. Virtual time only moves on clock_step, so every
expected counter value below is computed exactly from the clock rates.

Run: QEMU=<qemu-system-arm> /usr/bin/python3 -m pytest tests/boards/test_imx21ads.py
"""
import pathlib
import struct
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from bare_metal import assemble  # noqa: E402
from qtest_client import QTest  # noqa: E402

# Addresses (Linux mx21.h)
GPT1, GPT2, GPT3 = 0x10003000, 0x10004000, 0x10005000
UART1 = 0x1000A000
AITC = 0x10040000
SDRAM = 0xC0000000
SDRAM_SIZE = 64 << 20

# GPT registers and bits
TCTL, TPRER, TCMP, TCR, TCN, TSTAT = 0x00, 0x04, 0x08, 0x0C, 0x10, 0x14
TEN = 1 << 0
CLK_STOP, CLK_PERCLK1, CLK_PERCLK1_4, CLK_TIN, CLK_32K = (v << 1 for v in range(5))
COMPEN = 1 << 4
FRR = 1 << 8
CC = 1 << 10
SWR = 1 << 15
COMP = 1 << 0

# AITC (QEMU imx.avic) registers
INTENNUM, INTDISNUM, INTTYPEL, NIVECSR, INTSRCL, NIPNDL, FIPNDL = (
    0x08, 0x0C, 0x1C, 0x40, 0x4C, 0x5C, 0x64)

# UART (imx21-uart layout)
UTXD, UCR1, UCR2 = 0x40, 0x80, 0x84
UCR1_UARTEN, UCR1_TRDYEN = 1 << 0, 1 << 13
UCR2_SRST, UCR2_TXEN = 1 << 0, 1 << 2

PERCLK1_HZ = 44_333_333  # the model's documented default
CLK32_HZ = 32_768
NS = 10**9

CPU = "/machine/unattached/device[0]"
IRQ, FIQ = 0, 1


def ticks(elapsed_ns, hz, div):
    """Counter ticks completed elapsed_ns after the counter (re)started."""
    return elapsed_ns * hz // NS // div


def tick_ns(k, hz, div):
    """First nanosecond (after the start) at which tick k has completed."""
    return -(-(k * div * NS) // hz)


@pytest.fixture
def qt(qemu):
    with QTest(qemu, "imx21ads") as q:
        yield q


def start(qt, base, tctl, prescaler=0, tcmp=None):
    """Programs a GPT and enables it; returns the virtual time of the enabling write."""
    qt.writel(base + TPRER, prescaler)
    if tcmp is not None:
        qt.writel(base + TCMP, tcmp)
    qt.writel(base + TCTL, tctl)
    return qt.clock_get()


def step_to(qt, t):
    """Advances virtual time to exactly t."""
    now = qt.clock_get()
    assert t >= now
    assert qt.clock_step(t - now) == t


# --- GPT: reset state and counting rates -------------------------------------------

def test_gpt_reset_values_and_idle(qt):
    for base in (GPT1, GPT2, GPT3):
        regs = [qt.readl(base + off) for off in (TCTL, TPRER, TCMP, TCR, TCN, TSTAT)]
        assert regs == [0, 0, 0xFFFFFFFF, 0, 0, 0], hex(base)
    qt.clock_step(10_000_000)
    assert qt.readl(GPT1 + TCN) == 0  # disabled after reset: no counting


@pytest.mark.parametrize("prescaler", [0, 9, 2047])
def test_gpt_counts_perclk1_over_prescaler(qt, prescaler):
    div = prescaler + 1
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | FRR, prescaler)
    assert qt.readl(GPT1 + TPRER) == prescaler
    for elapsed in (1, 999, 22_557, 1_000_000, 2_500_001, 1_000_000_000):
        step_to(qt, t0 + elapsed)
        assert qt.readl(GPT1 + TCN) == ticks(elapsed, PERCLK1_HZ, div), elapsed
    # One second of PERCLK1 is 44333333 ticks before the prescaler
    assert qt.readl(GPT1 + TCN) == PERCLK1_HZ // div


def test_gpt_prescaler_is_11_bits(qt):
    qt.writel(GPT1 + TPRER, 0xFFFF_F805)
    assert qt.readl(GPT1 + TPRER) == 0x005


def test_gpt_perclk1_div4(qt):
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1_4 | FRR, prescaler=1)
    step_to(qt, t0 + 1_000_000)
    assert qt.readl(GPT1 + TCN) == ticks(1_000_000, PERCLK1_HZ, 8) == 5541


@pytest.mark.parametrize("clksrc", [4, 5, 6, 7])
def test_gpt_32khz_source(qt, clksrc):
    t0 = start(qt, GPT2, TEN | (clksrc << 1) | FRR)
    step_to(qt, t0 + NS // 2)
    assert qt.readl(GPT2 + TCN) == 16384
    step_to(qt, t0 + NS)
    assert qt.readl(GPT2 + TCN) == CLK32_HZ
    # The exact tick edge: tick 32769 completes at ceil(32769e9 / 32768) ns
    edge = tick_ns(CLK32_HZ + 1, CLK32_HZ, 1)
    step_to(qt, t0 + edge - 1)
    assert qt.readl(GPT2 + TCN) == CLK32_HZ
    qt.clock_step(1)
    assert qt.readl(GPT2 + TCN) == CLK32_HZ + 1


def test_gpt_32khz_with_prescaler(qt):
    t0 = start(qt, GPT3, TEN | CLK_32K | FRR, prescaler=31)
    step_to(qt, t0 + 3 * NS)
    assert qt.readl(GPT3 + TCN) == 3 * 1024


def test_gpt_timers_are_independent(qt):
    t0 = start(qt, GPT1, TEN | CLK_32K | FRR)
    qt.writel(GPT3 + TCTL, TEN | CLK_PERCLK1 | FRR)
    step_to(qt, t0 + 1_000_000)
    assert qt.readl(GPT1 + TCN) == ticks(1_000_000, CLK32_HZ, 1) == 32
    assert qt.readl(GPT2 + TCN) == 0
    assert qt.readl(GPT3 + TCN) == ticks(1_000_000, PERCLK1_HZ, 1) == 44333


# --- GPT: stopping, holding, clearing, software reset ---------------------------------

def test_gpt_clksource_stop_freezes_then_resumes(qt):
    t0 = start(qt, GPT1, TEN | CLK_32K | FRR)
    step_to(qt, t0 + 10_000_000)
    frozen = ticks(10_000_000, CLK32_HZ, 1)
    qt.writel(GPT1 + TCTL, TEN | CLK_STOP | FRR)
    t1 = qt.clock_get()
    assert qt.readl(GPT1 + TCN) == frozen == 327
    qt.clock_step(50_000_000)
    assert qt.readl(GPT1 + TCN) == frozen
    # Restarting the clock starts a fresh prescaler period from the count held
    qt.writel(GPT1 + TCTL, TEN | CLK_32K | FRR)
    t2 = qt.clock_get()
    assert t2 == t1 + 50_000_000
    step_to(qt, t2 + tick_ns(1, CLK32_HZ, 1) - 1)
    assert qt.readl(GPT1 + TCN) == frozen
    qt.clock_step(1)
    assert qt.readl(GPT1 + TCN) == frozen + 1


def test_gpt_ten_off_holds_count_without_cc_and_clears_with_cc(qt):
    t0 = start(qt, GPT1, TEN | CLK_32K | FRR)
    step_to(qt, t0 + 5_000_000)
    held = ticks(5_000_000, CLK32_HZ, 1)
    qt.writel(GPT1 + TCTL, CLK_32K | FRR)          # TEN = 0, CC = 0: hold
    qt.clock_step(5_000_000)
    assert qt.readl(GPT1 + TCN) == held == 163
    qt.writel(GPT1 + TCTL, CLK_32K | FRR | CC)     # still disabled, CC = 1: clear
    assert qt.readl(GPT1 + TCN) == 0
    assert qt.readl(GPT1 + TCTL) == CLK_32K | FRR | CC


def test_gpt_tin_source_does_not_count(qt):
    start(qt, GPT1, TEN | CLK_TIN | FRR)
    qt.clock_step(NS)
    assert qt.readl(GPT1 + TCN) == 0


def test_gpt_swr_resets_registers_except_ten(qt):
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 26)
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | COMPEN | FRR | CC, prescaler=5, tcmp=100)
    step_to(qt, t0 + tick_ns(100, PERCLK1_HZ, 6))
    assert qt.readl(GPT1 + TSTAT) == COMP and qt.cpu_irq_level(IRQ) == 1
    qt.clock_step(1000)
    assert qt.readl(GPT1 + TCN) != 0
    qt.writel(GPT1 + TCTL, SWR | CLK_32K | COMPEN)
    # SWR self-clears; TEN keeps its value, every other register is back at reset
    assert qt.readl(GPT1 + TCTL) == TEN
    assert qt.readl(GPT1 + TPRER) == 0
    assert qt.readl(GPT1 + TCMP) == 0xFFFFFFFF
    assert qt.readl(GPT1 + TCN) == 0
    assert qt.readl(GPT1 + TSTAT) == 0
    assert qt.cpu_irq_level(IRQ) == 0
    qt.clock_step(NS)                     # CLKSOURCE is "stop" after the reset
    assert qt.readl(GPT1 + TCN) == 0


def test_gpt_tcn_and_tcr_are_read_only(qt):
    t0 = start(qt, GPT1, TEN | CLK_32K | FRR)
    step_to(qt, t0 + NS)
    qt.writel(GPT1 + TCN, 5)
    qt.writel(GPT1 + TCR, 0x1234)
    assert qt.readl(GPT1 + TCN) == CLK32_HZ
    assert qt.readl(GPT1 + TCR) == 0


# --- GPT: compare, interrupt path, restart vs free-run ---------------------------------

def test_gpt_compare_raises_aitc_26_and_cpu_irq(qt):
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 26)
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | COMPEN | FRR, tcmp=1000)
    match = t0 + tick_ns(1000, PERCLK1_HZ, 1)
    assert match == t0 + 22_557            # ceil(1000 / 44.333333 MHz)
    step_to(qt, match - 1)
    assert qt.readl(GPT1 + TSTAT) == 0
    assert qt.readl(GPT1 + TCN) == 999
    assert qt.cpu_irq_level(IRQ) == 0
    qt.clock_step(1)
    assert qt.readl(GPT1 + TCN) == 1000
    assert qt.readl(GPT1 + TSTAT) == COMP
    assert qt.cpu_irq_level(IRQ) == 1 and qt.cpu_irq_level(FIQ) == 0
    assert qt.readl(AITC + INTSRCL) == 1 << 26
    assert qt.readl(AITC + NIPNDL) == 1 << 26
    # Free-run: the count goes on past TCMP
    qt.clock_step(10_000)
    assert qt.readl(GPT1 + TCN) == ticks(match + 10_000 - t0, PERCLK1_HZ, 1)
    # Write 1 to clear; the line drops with it
    qt.writel(GPT1 + TSTAT, COMP)
    assert qt.readl(GPT1 + TSTAT) == 0
    assert qt.cpu_irq_level(IRQ) == 0
    assert qt.readl(AITC + INTSRCL) == 0
    assert qt.irq_events == [("raise", IRQ), ("lower", IRQ)]


def test_gpt_tstat_write_zero_does_not_clear(qt):
    t0 = start(qt, GPT1, TEN | CLK_32K | FRR, tcmp=3)
    step_to(qt, t0 + tick_ns(3, CLK32_HZ, 1))
    assert qt.readl(GPT1 + TSTAT) == COMP
    qt.writel(GPT1 + TSTAT, 0)
    assert qt.readl(GPT1 + TSTAT) == COMP
    qt.writel(GPT1 + TSTAT, 3)              # what Linux writes on i.MX21
    assert qt.readl(GPT1 + TSTAT) == 0


def test_gpt_compare_without_compen_sets_status_only(qt):
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 26)
    t0 = start(qt, GPT1, TEN | CLK_32K | FRR, tcmp=10)
    step_to(qt, t0 + tick_ns(10, CLK32_HZ, 1))
    assert qt.readl(GPT1 + TSTAT) == COMP
    assert qt.readl(AITC + INTSRCL) == 0
    assert qt.cpu_irq_level(IRQ) == 0
    # Enabling COMPEN with COMP already set asserts the line at once
    qt.writel(GPT1 + TCTL, TEN | CLK_32K | FRR | COMPEN)
    assert qt.cpu_irq_level(IRQ) == 1
    assert qt.readl(GPT1 + TCN) == 10       # the TCTL write kept the count


def test_gpt_aitc_vector_and_fiq(qt):
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 26)
    t0 = start(qt, GPT1, TEN | CLK_32K | COMPEN | FRR, tcmp=5)
    step_to(qt, t0 + tick_ns(5, CLK32_HZ, 1))
    assert qt.cpu_irq_level(IRQ) == 1
    # NIVECSR: source 26 in bits 31:16, priority 0. QEMU's imx.avic quirk: the read
    # also clears the AITC pending bit (the real AITC keeps following the level).
    assert qt.readl(AITC + NIVECSR) == 26 << 16
    assert qt.cpu_irq_level(IRQ) == 0
    assert qt.readl(AITC + NIVECSR) == 0xFFFFFFFF
    qt.writel(GPT1 + TSTAT, COMP)
    # As a fast interrupt: INTTYPEL bit 26 routes the source to the CPU's FIQ input
    qt.writel(AITC + INTTYPEL, 1 << 26)
    qt.writel(GPT1 + TCMP, qt.readl(GPT1 + TCN) + 4)
    qt.clock_step(tick_ns(5, CLK32_HZ, 1))
    assert qt.readl(GPT1 + TSTAT) == COMP
    assert qt.cpu_irq_level(FIQ) == 1 and qt.cpu_irq_level(IRQ) == 0
    assert qt.readl(AITC + FIPNDL) == 1 << 26


def test_gpt_restart_mode_zeroes_counter_free_run_does_not(qemu):
    # TCMP = 99: restart mode counts 0..99 and restarts, a period of 100 ticks
    for mode, after_match in ((0, [0, 50]), (FRR, [100, 150])):
        with QTest(qemu, "imx21ads") as qt:
            t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | mode, tcmp=99)
            step_to(qt, t0 + tick_ns(99, PERCLK1_HZ, 1))
            assert qt.readl(GPT1 + TCN) == 99
            assert qt.readl(GPT1 + TSTAT) == COMP
            step_to(qt, t0 + tick_ns(100, PERCLK1_HZ, 1))
            assert qt.readl(GPT1 + TCN) == after_match[0]
            step_to(qt, t0 + tick_ns(150, PERCLK1_HZ, 1))
            assert qt.readl(GPT1 + TCN) == after_match[1]


def test_gpt_restart_mode_periodic_matches(qt):
    """The MX2ADS BSP tick: restart mode, TCMP = ticks per jiffy - 1, acknowledge each."""
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 26)
    period = 328                                       # ~100 Hz from 32768 Hz
    t0 = start(qt, GPT1, TEN | CLK_32K | COMPEN, tcmp=period - 1)
    for n in range(1, 6):
        match = t0 + tick_ns(n * period - 1, CLK32_HZ, 1)
        step_to(qt, match - 1)
        assert qt.readl(GPT1 + TSTAT) == 0, n
        assert qt.cpu_irq_level(IRQ) == 0, n
        qt.clock_step(1)
        assert qt.readl(GPT1 + TSTAT) == COMP, n
        assert qt.cpu_irq_level(IRQ) == 1, n
        assert qt.readl(GPT1 + TCN) == period - 1
        qt.clock_step(tick_ns(1, CLK32_HZ, 1))
        assert qt.readl(GPT1 + TCN) == 0, n         # restarted
        qt.writel(GPT1 + TSTAT, COMP)
        assert qt.cpu_irq_level(IRQ) == 0, n
    assert qt.irq_events == [("raise", IRQ), ("lower", IRQ)] * 5


def test_gpt_restart_mode_next_deadline(qt):
    """clock_step without an argument lands exactly on each compare event."""
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | COMPEN, prescaler=43, tcmp=999)
    for n in range(1, 4):
        assert qt.clock_step() == t0 + tick_ns(n * 1000 - 1, PERCLK1_HZ, 44)
        assert qt.readl(GPT1 + TSTAT) == COMP
        qt.writel(GPT1 + TSTAT, COMP)


def test_gpt_free_run_linux_style_oneshot(qt):
    """timer-imx-gpt.c on i.MX21: FRR|PERCLK1|TEN, TCMP = TCN + delta per event."""
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 26)
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | COMPEN | FRR)
    for delta in (500, 44_333, 7):
        tcn = qt.readl(GPT1 + TCN)
        now = qt.clock_get()
        qt.writel(GPT1 + TCMP, tcn + delta)
        target = t0 + tick_ns(tcn + delta, PERCLK1_HZ, 1)
        assert target > now
        step_to(qt, target - 1)
        assert qt.readl(GPT1 + TSTAT) == 0
        qt.clock_step(1)
        assert qt.readl(GPT1 + TSTAT) == COMP
        assert qt.cpu_irq_level(IRQ) == 1
        qt.writel(GPT1 + TSTAT, 3)
        assert qt.cpu_irq_level(IRQ) == 0


def test_gpt_free_run_wraps_at_32_bits(qt):
    t0 = start(qt, GPT1, TEN | CLK_PERCLK1 | FRR, tcmp=5)
    target = t0 + tick_ns((1 << 32) + 3, PERCLK1_HZ, 1)    # ~97 s of virtual time
    step_to(qt, target)
    assert qt.readl(GPT1 + TCN) == 3
    assert qt.readl(GPT1 + TSTAT) == COMP   # it passed TCMP = 5 on the way


def test_gpt_restart_mode_above_tcmp_wraps_first(qt):
    # Lower TCMP below the running count: the counter runs to 0xffffffff, wraps,
    # then counts to TCMP again.
    t0 = start(qt, GPT1, TEN | CLK_32K, tcmp=0xFFFFFFFF)
    step_to(qt, t0 + tick_ns(100, CLK32_HZ, 1))
    qt.writel(GPT1 + TCMP, 10)
    step_to(qt, t0 + tick_ns(200, CLK32_HZ, 1))
    assert qt.readl(GPT1 + TCN) == 200
    assert qt.readl(GPT1 + TSTAT) == 0


# --- UART1, SDRAM, boot, memory map ---------------------------------------------------

def test_uart1_output_reaches_chardev(qemu, tmp_path):
    out = tmp_path / "uart1.txt"
    with QTest(qemu, "imx21ads", serial=f"file:{out}") as qt:
        qt.writel(UART1 + UCR2, UCR2_SRST)            # transmitter off: nothing goes out
        qt.writel(UART1 + UTXD, ord("x"))
        qt.writel(UART1 + UCR1, UCR1_UARTEN)
        qt.writel(UART1 + UCR2, UCR2_SRST | UCR2_TXEN)
        for ch in b"imx21ads\n":
            qt.writel(UART1 + UTXD, ch)
        qt.clock_step(1000)
        assert out.read_bytes() == b"imx21ads\n"


def test_uart1_interrupt_is_aitc_source_20(qt):
    qt.intercept_cpu_irq(CPU)
    qt.writel(AITC + INTENNUM, 20)
    qt.writel(UART1 + UCR1, UCR1_UARTEN | UCR1_TRDYEN)   # TX ready is always set
    assert qt.readl(AITC + INTSRCL) == 1 << 20
    assert qt.cpu_irq_level(IRQ) == 1
    assert qt.readl(AITC + NIVECSR) == 20 << 16


def test_sdram_at_csd0(qt):
    pattern = bytes(range(256))
    for addr in (SDRAM, SDRAM + 0x100000, SDRAM + SDRAM_SIZE - len(pattern)):
        qt.memwrite(addr, pattern)
        assert qt.memread(addr, len(pattern)) == pattern, hex(addr)
    qt.writel(SDRAM + 0x40, 0xDEADBEEF)
    assert qt.readl(SDRAM + 0x40) == 0xDEADBEEF
    assert qt.readb(SDRAM + 0x40) == 0xEF


def test_sdram_larger_than_csd0_is_refused(qemu):
    proc = subprocess.run([qemu, "-machine", "imx21ads", "-m", "128M", "-display", "none",
                           "-S", "-monitor", "none", "-serial", "null"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "does not fit the 64 MiB SDRAM window of CSD0" in proc.stderr


def test_unimplemented_peripherals_log_instead_of_abort(qemu, tmp_path):
    log = tmp_path / "qemu.log"
    with QTest(qemu, "imx21ads", extra=["-d", "unimp", "-D", str(log)]) as qt:
        assert qt.readl(0x10027000) == 0              # CCM
        qt.writel(0x1000B080, 1)                      # UART2 UCR1
        assert qt.readl(0x10030000) == 0              # an unnamed AIPI hole
        assert qt.readl(GPT1 + TCMP) == 0xFFFFFFFF    # the GPT is on top of the map
    text = log.read_text()
    assert "imx21.ccm: unimplemented device read" in text
    assert "imx21.uart2: unimplemented device write" in text
    assert "imx21.aipi: unimplemented device read" in text


def test_boot_atags_and_board_id(qemu, tmp_path):
    kernel = tmp_path / "zImage"
    kernel.write_bytes(b"\xfe\xff\xff\xea" * 64)      # "b ." : a raw image
    with QTest(qemu, "imx21ads", extra=["-kernel", str(kernel)]) as qt:
        stub = struct.unpack("<16I", qt.memread(SDRAM, 64))
        assert 851 in stub                            # r1 = MACH_TYPE_MX21ADS
        assert SDRAM + 0x100 in stub                  # r2 = ATAG list
        atags = struct.unpack("<12I", qt.memread(SDRAM + 0x100, 48))
        assert atags[1] == 0x54410001                 # ATAG_CORE
        core_words = atags[0]
        mem = atags[core_words:core_words + 4]
        assert mem == (4, 0x54410002, SDRAM_SIZE, SDRAM)   # ATAG_MEM


# --- A guest program: the GPT interrupt taken by the CPU, deterministic under -icount ---

GUEST_PROGRAM = r"""
    .text
    .global _start
_start:                             @ entered from QEMU's boot stub: r1 = board, r2 = ATAGs
    mov     r10, r1
    mov     r11, r2
    ldr     r4, =0x1000a000         @ UART1 (left enabled by QEMU's boot reset)
    ldr     r5, =0x10003000         @ GPT1: the tick
    ldr     r6, =0x10040000         @ AITC
    ldr     r7, =0x10005000         @ GPT3: a free-running timestamp
    mov     r0, r10
    bl      puthex
    mov     r0, r11
    bl      puthex
    ldr     r0, =0xc0004000         @ L1 table: flat 1 MiB sections, plus VA 0 -> SDRAM
    mov     r1, #0
    ldr     r2, =0xc12
1:  orr     r3, r2, r1, lsl #20
    str     r3, [r0, r1, lsl #2]
    add     r1, r1, #1
    cmp     r1, #4096
    bne     1b
    ldr     r3, =0xc0000c12
    str     r3, [r0]
    mcr     p15, 0, r0, c2, c0, 0
    mvn     r1, #0
    mcr     p15, 0, r1, c3, c0, 0
    mrc     p15, 0, r1, c1, c0, 0
    orr     r1, r1, #1
    bic     r1, r1, #(1 << 13)      @ low vectors
    mcr     p15, 0, r1, c1, c0, 0
    nop
    nop
    mov     r0, #0
    ldr     r1, =0xe59ff018         @ IRQ vector: ldr pc, [pc, #24]
    str     r1, [r0, #0x18]
    ldr     r1, =irq
    str     r1, [r0, #0x38]
    msr     cpsr_c, #0xd2           @ IRQ mode stack
    ldr     sp, =0xc0200000
    msr     cpsr_c, #0xd3
    ldr     sp, =0xc0300000
    mov     r0, #26                 @ AITC: enable GPT1
    str     r0, [r6, #0x08]
    ldr     r0, =0x103              @ GPT3: TEN | PERCLK1 | FRR
    str     r0, [r7]
    mov     r0, #32                 @ GPT1: restart mode at 32768 Hz, period 33 ticks
    str     r0, [r5, #0x08]
    mov     r0, #0x19               @ TEN | CLK32 | COMPEN
    str     r0, [r5]
    msr     cpsr_c, #0x53           @ SVC, IRQs on
2:  ldr     r0, =count
    ldr     r0, [r0]
    cmp     r0, #5
    blo     2b
    msr     cpsr_c, #0xd3
    ldr     r0, [r7, #0x10]         @ timestamp after the 5th tick
    mov     r8, r0
    ldr     r0, =lastvec
    ldr     r0, [r0]
    bl      puthex
    mov     r0, r8
    bl      puthex
    mov     r0, #'\n'
    str     r0, [r4, #0x40]
    mov     r0, #0x18               @ semihosting SYS_EXIT
    ldr     r1, =0x20026
    svc     0x123456
3:  b       3b

irq:
    sub     lr, lr, #4
    stmfd   sp!, {r0-r3, lr}
    ldr     r0, [r6, #0x40]         @ NIVECSR
    ldr     r1, =lastvec
    str     r0, [r1]
    mov     r0, #1                  @ acknowledge the compare
    str     r0, [r5, #0x14]
    ldr     r1, =count
    ldr     r0, [r1]
    add     r0, r0, #1
    str     r0, [r1]
    ldmfd   sp!, {r0-r3, pc}^

puthex:
    mov     r2, #28
1:  mov     r1, r0, lsr r2
    and     r1, r1, #15
    cmp     r1, #10
    addlo   r1, r1, #'0'
    addhs   r1, r1, #('A' - 10)
    str     r1, [r4, #0x40]
    subs    r2, r2, #4
    bpl     1b
    mov     r1, #' '
    str     r1, [r4, #0x40]
    bx      lr

    .ltorg
    .align  2
count:
    .word   0
lastvec:
    .word   0
"""


def run_guest(qemu, tmp_path, name):
    out = tmp_path / name
    proc = subprocess.run(
        [qemu, "-machine", "imx21ads", "-kernel", str(tmp_path / "g.bin"),
         "-display", "none", "-monitor", "none", "-serial", f"file:{out}",
         "-icount", "shift=0", "-semihosting-config", "enable=on,target=native"],
        timeout=15, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    return out.read_text()


def test_guest_takes_gpt_interrupt_deterministically(qemu, tmp_path):
    assemble(tmp_path, "g", GUEST_PROGRAM, 0xC0010000)
    first = run_guest(qemu, tmp_path, "run1")
    board, atags, vector, stamp = first.split()
    assert (board, atags, vector) == ("00000353", "C0000100", "001A0000")
    # The 5th restart-mode tick completes 5 * 33 - 1 CLK32 ticks after GPT1 starts;
    # GPT3 (PERCLK1) started a few instructions (1 ns each) earlier.
    fifth = tick_ns(5 * 33 - 1, CLK32_HZ, 1)
    assert ticks(fifth, PERCLK1_HZ, 1) <= int(stamp, 16) <= ticks(fifth + 2000, PERCLK1_HZ, 1)
    # -icount: the virtual clock follows instructions, so a second run is identical
    assert run_guest(qemu, tmp_path, "run2") == first
