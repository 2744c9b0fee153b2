// i.MX21 ADS board drivers: AITC interrupt controller, GPT1 (tick) and GPT2 (clock),
// UART1 console. Register layouts: the i.MX21 reference manual (Linux's
// avic.c, timer-imx-gpt.c and imx.c drivers agree with it).
#include "board.hh"
#include "clock_scale.hh"

#include "arch/arm/cpu.hh"

namespace xa::board {
namespace {

using cpu::mmio_read;
using cpu::mmio_write;

constexpr u32 kAitc = io_va(kConfig, 0x10040000);
constexpr u32 kAitcIntCntl = kAitc + 0x00;
constexpr u32 kAitcNiMask = kAitc + 0x04;
constexpr u32 kAitcIntEnNum = kAitc + 0x08;
constexpr u32 kAitcIntDisNum = kAitc + 0x0C;
constexpr u32 kAitcIntEnableH = kAitc + 0x10;
constexpr u32 kAitcIntEnableL = kAitc + 0x14;
constexpr u32 kAitcIntTypeH = kAitc + 0x18;
constexpr u32 kAitcIntTypeL = kAitc + 0x1C;
constexpr u32 kAitcNiVecSr = kAitc + 0x40;  // source in [31:16]; 0xFFFF.... when none

// GPT v1 registers (offsets from each timer's base)
constexpr u32 kGptTctl = 0x00;
constexpr u32 kGptTprer = 0x04;
constexpr u32 kGptTcmp = 0x08;
constexpr u32 kGptTcn = 0x10;
constexpr u32 kGptTstat = 0x14;
constexpr u32 kTctlEnable = 1u << 0;
constexpr u32 kTctlClkPerclk1 = 1u << 1;  // CLKSOURCE = 001
constexpr u32 kTctlCompEn = 1u << 4;
constexpr u32 kTctlFreeRun = 1u << 8;  // FRR; 0 = restart at compare
constexpr u32 kTctlSoftReset = 1u << 15;
constexpr u32 kTstatComp = 1u << 0;
constexpr u32 kGpt1 = io_va(kConfig, 0x10003000);  // tick: restart mode, compare IRQ
constexpr u32 kGpt2 = io_va(kConfig, 0x10004000);  // clock: free-running counter

// PERCLK1 of the i.MX21 ADS: MPLL 266 MHz / 6 (the QEMU model's "perclk1-hz" default).
constexpr u32 kPerclk1Hz = 44333333;
// Counting at PERCLK1 / 2 = 22.17 MHz: 45 ns resolution; the 32-bit count wraps every 194 s.
constexpr u32 kGptPrescale = 1;  // counter = PERCLK1 / (prescale + 1)
constexpr u32 kGptCountHz = kPerclk1Hz / (kGptPrescale + 1);

constexpr u32 kUart1 = io_va(kConfig, 0x1000A000);
constexpr u32 kUartRxd = kUart1 + 0x00;
constexpr u32 kUartTxd = kUart1 + 0x40;
constexpr u32 kUartUcr1 = kUart1 + 0x80;
constexpr u32 kUartUcr2 = kUart1 + 0x84;
constexpr u32 kUartUts = kUart1 + 0xB4;
constexpr u32 kUcr1RrdyEn = 1u << 9;
constexpr u32 kUcr1UartEn = 1u << 0;
constexpr u32 kUcr2SoftResetN = 1u << 0;  // 0 = in reset
constexpr u32 kUcr2RxEn = 1u << 1;
constexpr u32 kUcr2TxEn = 1u << 2;
constexpr u32 kUcr2Ws = 1u << 5;     // 8-bit words
constexpr u32 kUcr2Irts = 1u << 14;  // ignore RTS
constexpr u32 kUtsTxFull = 1u << 4;
constexpr u32 kRxdCharReady = 1u << 15;
constexpr u32 kUtsRxEmpty = 1u << 5;

u64 clock_high;
u32 clock_last;

}  // namespace

void early_init() {
    mmio_write<u32>(kUartUcr1, kUcr1UartEn);
    mmio_write<u32>(kUartUcr2, kUcr2SoftResetN | kUcr2RxEn | kUcr2TxEn | kUcr2Ws | kUcr2Irts);
    // GPT2 free-runs from here on as the board's clock (timer_now_ns).
    mmio_write<u32>(kGpt2 + kGptTctl, kTctlSoftReset);
    mmio_write<u32>(kGpt2 + kGptTprer, kGptPrescale);
    mmio_write<u32>(kGpt2 + kGptTctl, kTctlEnable | kTctlClkPerclk1 | kTctlFreeRun);
}

void console_putc(char c) {
    while (mmio_read<u32>(kUartUts) & kUtsTxFull) {
    }
    mmio_write<u32>(kUartTxd, static_cast<u8>(c));
}

int console_getc() {
    if (mmio_read<u32>(kUartUts) & kUtsRxEmpty) return -1;
    const u32 rxd = mmio_read<u32>(kUartRxd);
    if (!(rxd & kRxdCharReady)) return -1;
    return static_cast<int>(rxd & 0xFF);
}

void irq_init() {
    mmio_write<u32>(kAitcIntCntl, 0);
    mmio_write<u32>(kAitcNiMask, 0x1F);  // no priority masking
    mmio_write<u32>(kAitcIntEnableH, 0);
    mmio_write<u32>(kAitcIntEnableL, 0);
    mmio_write<u32>(kAitcIntTypeH, 0);  // every source is an IRQ, none an FIQ
    mmio_write<u32>(kAitcIntTypeL, 0);
}
// UCR1.RRDYEN: interrupt while the receiver holds a character (USR1.RRDY).
void console_rx_interrupt_enable() { mmio_write<u32>(kUartUcr1, kUcr1UartEn | kUcr1RrdyEn); }

void irq_enable(u32 line) { mmio_write<u32>(kAitcIntEnNum, line); }
void irq_disable(u32 line) { mmio_write<u32>(kAitcIntDisNum, line); }

int irq_claim() {
    const u32 vec = mmio_read<u32>(kAitcNiVecSr) >> 16;
    if (vec == 0xFFFF) return -1;
    return static_cast<int>(vec);
}

constexpr ClockScale kClockScale = ClockScale::for_hz(kGptCountHz);
constexpr NsToCounts kNsToCounts = NsToCounts::for_hz(kGptCountHz);
bool periodic = false;  // timer_start (restart mode) or timer_oneshot (free-run)
bool oneshot_configured = false;

u64 timer_now_ns() {
    const u32 now = mmio_read<u32>(kGpt2 + kGptTcn);
    if (now < clock_last) clock_high += 1ull << 32;
    clock_last = now;
    return kClockScale.to_ns(clock_high | now);
}

void timer_start(u32 hz) {
    periodic = true;
    mmio_write<u32>(kGpt1 + kGptTctl, kTctlSoftReset);
    mmio_write<u32>(kGpt1 + kGptTprer, kGptPrescale);
    // Restart mode: the counter returns to 0 on the tick after the match, so a period
    // of N counts needs TCMP = N - 1.
    mmio_write<u32>(kGpt1 + kGptTcmp, kGptCountHz / hz - 1);
    mmio_write<u32>(kGpt1 + kGptTctl, kTctlEnable | kTctlClkPerclk1 | kTctlCompEn);
}

// One-shot on GPT1 in free-run mode: TCMP = TCN + the delay in counts, rounded up so the
// compare never comes early. The counter runs on between the read of TCN and the write
// of TCMP (a few instructions: a few counts at most), so delays are at least
// kMinOneshotCounts; a shorter one would risk a match the counter has already passed
// and a 194-second wait for the wrap. Delays are cut to 2^31 counts (97 s): the scheduler
// re-arms long before.
void timer_oneshot(u64 deadline_ns) {
    constexpr u32 kMinOneshotCounts = 64;  // 2.9 us at 22.17 MHz
    if (periodic || !oneshot_configured) {
        mmio_write<u32>(kGpt1 + kGptTctl, kTctlSoftReset);
        mmio_write<u32>(kGpt1 + kGptTprer, kGptPrescale);
        mmio_write<u32>(kGpt1 + kGptTctl, kTctlEnable | kTctlClkPerclk1 | kTctlCompEn | kTctlFreeRun);
        periodic = false;
        oneshot_configured = true;
    }
    const u64 now = timer_now_ns();
    u64 counts = deadline_ns > now ? kNsToCounts.counts_ceil(deadline_ns - now) : 0;
    if (counts < kMinOneshotCounts) counts = kMinOneshotCounts;
    if (counts > 0x80000000ull) counts = 0x80000000ull;
    const u32 tcn = mmio_read<u32>(kGpt1 + kGptTcn);
    mmio_write<u32>(kGpt1 + kGptTcmp, tcn + static_cast<u32>(counts));
}

u32 timer_ack() {
    mmio_write<u32>(kGpt1 + kGptTstat, kTstatComp);  // write 1 to clear (i.MX21)
    return 1;  // restart mode: the counter returns to 0 at each match; one-shot: done
}

}  // namespace xa::board
