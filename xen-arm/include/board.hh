// The board interface: everything that differs between goldfish, i.MX21 ADS and
// Versatile/PB. One implementation per board lives in board/<name>/, selected at build
// time (make PLATFORM=...). Only those files touch device registers.
#pragma once

#include "layout.hh"
#include "types.hh"

namespace xa::board {

// A physical megabyte of device registers, mapped at an IOREMAP slot.
struct IoWindow {
    const char* name;
    u32 phys;  // 1 MiB aligned
};

// A device the VMM does not use, which dom0 may pass through to one domain (domctl
// assign_device): its 4 KiB register page and its interrupt line, and the register writes
// that stop it and clear its interrupt, done before each owner gets it and after it goes.
struct RegWrite {
    u32 offset;  // in the register page
    u32 value;
};
struct PassthroughDevice {
    const char* name;
    u32 phys;  // 4 KiB aligned, outside RAM, inside one of the io windows
    u32 irq;   // interrupt-controller line, never the tick's
    RegWrite quiesce[4];
    u32 quiesce_count;
};
inline constexpr u32 kMaxPassthrough = 4;

struct Config {
    const char* name;         // PLATFORM name
    const char* description;  // for the banner
    u32 ram_base;
    u32 ram_size;
    IoWindow io[layout::kIoSlotCount];
    u32 io_count;
    u32 timer_irq;    // interrupt-controller line of the tick timer
    u32 console_irq;  // ...of the console's receive interrupt (VIRQ_CONSOLE for dom0)
    PassthroughDevice passthrough[kMaxPassthrough] = {};
    u32 passthrough_count = 0;
};

// Deliberately not constexpr: reaching it in a constant evaluation is a compile error.
void device_register_outside_io_windows();

// Virtual address of a device register, by physical address: the window's slot in IOREMAP
// plus the offset inside the megabyte. consteval so a register outside every window is a
// compile error, not a data abort.
consteval u32 io_va(const Config& cfg, u32 phys) {
    for (u32 slot = 0; slot < cfg.io_count; ++slot) {
        if ((phys & 0xFFF00000u) == cfg.io[slot].phys) return layout::io_slot_base(slot) + (phys & 0xFFFFFu);
    }
    device_register_outside_io_windows();
    return 0;
}

constexpr bool config_valid(const Config& cfg) {
    if (cfg.io_count == 0 || cfg.io_count > layout::kIoSlotCount) return false;
    for (u32 i = 0; i < cfg.io_count; ++i) {
        if (!is_aligned(cfg.io[i].phys, kSectionSize)) return false;
    }
    if (cfg.passthrough_count > kMaxPassthrough) return false;
    for (u32 i = 0; i < cfg.passthrough_count; ++i) {
        const PassthroughDevice& p = cfg.passthrough[i];
        if (!is_aligned(p.phys, kPageSize) || p.irq == cfg.timer_irq) return false;
        if (p.phys - cfg.ram_base < cfg.ram_size) return false;  // never RAM
        bool in_window = false;
        for (u32 w = 0; w < cfg.io_count; ++w) in_window |= (p.phys & 0xFFF00000u) == cfg.io[w].phys;
        if (!in_window || p.quiesce_count > 4) return false;
    }
    return is_aligned(cfg.ram_base, kSectionSize) && cfg.ram_size >= 16 * MiB && cfg.ram_size % kSectionSize == 0;
}

// ---- Implemented by each board ----------------------------------------------------------
// Called first, before the MMU is rebuilt: the console and the free-running clock.
void early_init();
void console_putc(char c);
int console_getc();  // a received byte, or -1 when none is waiting
// Let the console raise console_irq while received bytes wait (the VMM masks the line at
// the interrupt controller until the privileged domain has read them).
void console_rx_interrupt_enable();

void irq_init();  // everything masked
void irq_enable(u32 line);
void irq_disable(u32 line);
int irq_claim();  // the pending line to serve next, or -1 when none

// Periodic tick at hz; timer_ack() is called from the timer's interrupt and returns the
// number of periods that elapsed since the last ack (normally 1).
void timer_start(u32 hz);
// One-shot: a single interrupt once timer_now_ns() reaches deadline_ns (as soon as
// possible if it already has), never early. Replaces any earlier deadline and ends periodic
// mode; timer_ack() then acknowledges without re-arming (and returns 1).
void timer_oneshot(u64 deadline_ns);
u32 timer_ack();
u64 timer_now_ns();  // monotonic time from the board's clock, nanoseconds since reset

}  // namespace xa::board

// The selected board's constexpr configuration (board/<name>/board_config.hh).
#include "board_config.hh"
