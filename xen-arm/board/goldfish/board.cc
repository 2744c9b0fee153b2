// goldfish board drivers: Android-emulator interrupt controller, timer and TTY.
// Register semantics: the Android emulator's goldfish devices, which the project's QEMU
// model implements (goldfish/README.md).
#include "board.hh"

#include "arch/arm/cpu.hh"
#include "tick_deadline.hh"

namespace xa::board {
namespace {

using cpu::mmio_read;
using cpu::mmio_write;

constexpr u32 kPic = io_va(kConfig, 0xFF000000);
constexpr u32 kPicStatus = kPic + 0x00;  // count of pending & enabled lines
constexpr u32 kPicNumber = kPic + 0x04;  // lowest pending & enabled line
constexpr u32 kPicDisableAll = kPic + 0x08;
constexpr u32 kPicDisable = kPic + 0x0C;  // takes a line number
constexpr u32 kPicEnable = kPic + 0x10;   // takes a line number

constexpr u32 kTty = io_va(kConfig, 0xFF002000);
constexpr u32 kTtyPutChar = kTty + 0x00;
constexpr u32 kTtyBytesReady = kTty + 0x04;
constexpr u32 kTtyCmd = kTty + 0x08;
constexpr u32 kTtyDataPtr = kTty + 0x10;  // a virtual address (Android TTY, version 0)
constexpr u32 kTtyDataLen = kTty + 0x14;
constexpr u32 kTtyCmdIntDisable = 0;
constexpr u32 kTtyCmdIntEnable = 1;  // interrupt while BYTES_READY != 0
constexpr u32 kTtyCmdReadBuffer = 3;

constexpr u32 kTimer = io_va(kConfig, 0xFF003000);
constexpr u32 kTimerTimeLow = kTimer + 0x00;  // reading latches TIME_HIGH
constexpr u32 kTimerTimeHigh = kTimer + 0x04;
constexpr u32 kTimerAlarmLow = kTimer + 0x08;   // writing arms the alarm
constexpr u32 kTimerAlarmHigh = kTimer + 0x0C;  // written first
constexpr u32 kTimerClearInterrupt = kTimer + 0x10;

TickDeadline tick;

bool periodic = false;  // timer_start (re-arm per period) or timer_oneshot

void arm_alarm(u64 at_ns) {
    mmio_write<u32>(kTimerAlarmHigh, static_cast<u32>(at_ns >> 32));
    mmio_write<u32>(kTimerAlarmLow, static_cast<u32>(at_ns));
}

}  // namespace

void early_init() { mmio_write<u32>(kTtyCmd, kTtyCmdIntDisable); }

void console_putc(char c) { mmio_write<u32>(kTtyPutChar, static_cast<u8>(c)); }

int console_getc() {
    if (mmio_read<u32>(kTtyBytesReady) == 0) return -1;
    volatile u8 byte = 0;
    mmio_write<u32>(kTtyDataPtr, reinterpret_cast<uintptr_t>(&byte));
    mmio_write<u32>(kTtyDataLen, 1);
    mmio_write<u32>(kTtyCmd, kTtyCmdReadBuffer);
    return byte;
}

void console_rx_interrupt_enable() { mmio_write<u32>(kTtyCmd, kTtyCmdIntEnable); }

void irq_init() { mmio_write<u32>(kPicDisableAll, 0); }
void irq_enable(u32 line) { mmio_write<u32>(kPicEnable, line); }
void irq_disable(u32 line) { mmio_write<u32>(kPicDisable, line); }

int irq_claim() {
    // NUMBER reads 0 both for "line 0" and for "nothing": STATUS tells them apart.
    if (mmio_read<u32>(kPicStatus) == 0) return -1;
    return static_cast<int>(mmio_read<u32>(kPicNumber));
}

u64 timer_now_ns() {
    const u32 low = mmio_read<u32>(kTimerTimeLow);
    const u32 high = mmio_read<u32>(kTimerTimeHigh);
    return (static_cast<u64>(high) << 32) | low;
}

void timer_start(u32 hz) {
    periodic = true;
    tick.start(timer_now_ns(), hz);
    arm_alarm(tick.next_ns());
}

// The alarm compares against the same nanosecond clock: exact, and a past deadline fires
// at once.
void timer_oneshot(u64 deadline_ns) {
    periodic = false;
    arm_alarm(deadline_ns);
}

u32 timer_ack() {
    mmio_write<u32>(kTimerClearInterrupt, 1);
    if (!periodic) return 1;
    const u32 elapsed = tick.advance(timer_now_ns());
    arm_alarm(tick.next_ns());
    return elapsed;
}

}  // namespace xa::board
