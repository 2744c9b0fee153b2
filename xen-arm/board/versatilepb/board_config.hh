// versatilepb: ARM Versatile/PB926EJ-S (stock QEMU model).
#pragma once

namespace xa::board {

inline constexpr Config kConfig{
    .name = "versatilepb",
    .description = "ARM Versatile/PB (ARM926EJ-S)",
    .ram_base = 0x00000000,
    .ram_size = 128 * MiB,
    .io = {{"system registers, SIC", 0x10000000}, {"VIC, SP804, PL011", 0x10100000}},
    .io_count = 2,
    .timer_irq = 4,     // VIC line of SP804 timers 0/1
    .console_irq = 12,  // VIC line of PL011 UART0
    // The second SP804 (timers 2 and 3) is free for a guest.
    .passthrough = {{"sp804b", 0x101E3000, 5, {{0x08, 0}, {0x0C, 1}, {0x28, 0}, {0x2C, 1}}, 4}},  // both: off, cleared
    .passthrough_count = 1,
};
static_assert(config_valid(kConfig));

}  // namespace xa::board
