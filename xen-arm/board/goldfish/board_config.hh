// goldfish: the Android emulator's ARM926 board (project QEMU model, goldfish/qemu/).
#pragma once

namespace xa::board {

inline constexpr Config kConfig{
    .name = "goldfish",
    .description = "Android emulator goldfish (ARM926EJ-S)",
    .ram_base = 0x00000000,
    .ram_size = 128 * MiB,
    .io = {{"goldfish devices", 0xFF000000}},
    .io_count = 1,
    .timer_irq = 3,
    .console_irq = 4,  // tty0
};
static_assert(config_valid(kConfig));

}  // namespace xa::board
