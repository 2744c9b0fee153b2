// Versatile/PB board drivers: PL190 VIC, SP804 timer 0, PL011 UART0.
// Register layouts: ARM DDI0181 (PL190), DDI0271 (SP804), DDI0183 (PL011);
// addresses from QEMU's versatilepb machine (hw/arm/versatilepb.c).
#include "board.hh"
#include "clock_scale.hh"

#include "arch/arm/cpu.hh"
#include "tick_deadline.hh"

namespace xa::board {
namespace {

using cpu::mmio_read;
using cpu::mmio_write;

constexpr u32 kVic = io_va(kConfig, 0x10140000);
constexpr u32 kVicIrqStatus = kVic + 0x00;
constexpr u32 kVicIntSelect = kVic + 0x0C;  // 1 = FIQ
constexpr u32 kVicIntEnable = kVic + 0x10;
constexpr u32 kVicIntEnClear = kVic + 0x14;

constexpr u32 kTimer0 = io_va(kConfig, 0x101E2000);
constexpr u32 kTimerLoad = kTimer0 + 0x00;
constexpr u32 kTimerControl = kTimer0 + 0x08;
constexpr u32 kTimerIntClr = kTimer0 + 0x0C;
constexpr u32 kTimerOneShot = 1u << 0;
constexpr u32 kTimerEnable = 1u << 7;
constexpr u32 kTimerIntEnable = 1u << 5;
constexpr u32 kTimer32Bit = 1u << 1;
// QEMU's versatilepb feeds the SP804 1 MHz: one count per microsecond.

// System controller 24 MHz counter: the finest free-running clock on the board.
constexpr u32 kSys24MHz = io_va(kConfig, 0x1000005C);

constexpr u32 kUart0 = io_va(kConfig, 0x101F1000);
constexpr u32 kUartData = kUart0 + 0x00;
constexpr u32 kUartFlags = kUart0 + 0x18;
constexpr u32 kUartCtrl = kUart0 + 0x30;
constexpr u32 kUartIntMask = kUart0 + 0x38;            // UARTIMSC
constexpr u32 kUartRxIntBits = (1u << 4) | (1u << 6);  // RXIM, RTIM (receive, receive timeout)
constexpr u32 kUartFlagRxEmpty = 1u << 4;
constexpr u32 kUartFlagTxFull = 1u << 5;

u64 clock_high;  // extends the 32-bit 24 MHz counter to 64 bits
u32 clock_last;
TickDeadline tick;

// The tick runs the SP804 in one-shot mode, re-armed for the next deadline at each
// interrupt, rather than in periodic mode: under QEMU's -icount sleep=off a periodic
// timer always has a next deadline pending, and the idle CPU's clock warp then skips
// to it before the interrupt is taken (each tick arrived one period late). With a
// one-shot timer nothing is pending while the interrupt is outstanding, as on goldfish.
bool periodic = false;  // timer_start (re-arm per period) or timer_oneshot

// SP804 timer 0 counts 1 MHz: the delay is rounded up to whole microseconds, so the
// interrupt never comes early.
constexpr NsToCounts kNsToTimerCounts = NsToCounts::for_hz(1000000);

void arm_oneshot(u64 at_ns, u64 now_ns) {
    // counts_ceil caps the delay at 4.29 s: plenty, the scheduler re-arms long before.
    u64 delta_us = at_ns > now_ns ? kNsToTimerCounts.counts_ceil(at_ns - now_ns) : 1;
    if (delta_us == 0) delta_us = 1;
    mmio_write<u32>(kTimerControl, 0);
    mmio_write<u32>(kTimerLoad, static_cast<u32>(delta_us));
    mmio_write<u32>(kTimerControl, kTimerEnable | kTimerOneShot | kTimerIntEnable | kTimer32Bit);
}

}  // namespace

void early_init() { mmio_write<u32>(kUartCtrl, 0x301); }  // UARTEN | TXE | RXE

void console_rx_interrupt_enable() { mmio_write<u32>(kUartIntMask, kUartRxIntBits); }

void console_putc(char c) {
    while (mmio_read<u32>(kUartFlags) & kUartFlagTxFull) {
    }
    mmio_write<u32>(kUartData, static_cast<u8>(c));
}

int console_getc() {
    if (mmio_read<u32>(kUartFlags) & kUartFlagRxEmpty) return -1;
    return static_cast<int>(mmio_read<u32>(kUartData) & 0xFF);
}

void irq_init() {
    mmio_write<u32>(kVicIntEnClear, 0xFFFFFFFF);
    mmio_write<u32>(kVicIntSelect, 0);
}
void irq_enable(u32 line) { mmio_write<u32>(kVicIntEnable, 1u << line); }
void irq_disable(u32 line) { mmio_write<u32>(kVicIntEnClear, 1u << line); }

int irq_claim() {
    const u32 status = mmio_read<u32>(kVicIrqStatus);
    if (status == 0) return -1;
    return __builtin_ctz(status);  // lowest line first
}

constexpr ClockScale kClockScale = ClockScale::for_hz(24000000);  // the 24 MHz counter

u64 timer_now_ns() {
    const u32 now = mmio_read<u32>(kSys24MHz);
    if (now < clock_last) clock_high += 1ull << 32;
    clock_last = now;
    return kClockScale.to_ns(clock_high | now);
}

void timer_start(u32 hz) {
    periodic = true;
    const u64 now = timer_now_ns();
    tick.start(now, hz);
    arm_oneshot(tick.next_ns(), now);
}

void timer_oneshot(u64 deadline_ns) {
    periodic = false;
    arm_oneshot(deadline_ns, timer_now_ns());
}

u32 timer_ack() {
    mmio_write<u32>(kTimerIntClr, 1);
    if (!periodic) return 1;
    const u64 now = timer_now_ns();
    const u32 elapsed = tick.advance(now);
    arm_oneshot(tick.next_ns(), now);
    return elapsed;
}

}  // namespace xa::board
