// imx21: Freescale i.MX21 ADS (project QEMU model, goldfish/qemu/imx21ads.c).
#pragma once

namespace xa::board {

inline constexpr Config kConfig{
    .name = "imx21",
    .description = "Freescale i.MX21 ADS (ARM926EJ-S)",
    .ram_base = 0xC0000000,
    .ram_size = 64 * MiB,
    .io = {{"AIPI peripherals (GPT, UART, AITC)", 0x10000000}},
    .io_count = 1,
    .timer_irq = 26,    // AITC source of GPT1
    .console_irq = 20,  // AITC source of UART1
    // GPT1 is the tick and GPT2 the clock; GPT3 is free for a guest.
    .passthrough = {{"gpt3", 0x10005000, 24, {{0x00, 0}, {0x14, 3}}, 2}},  // TCTL = 0, clear TSTAT
    .passthrough_count = 1,
};
static_assert(config_valid(kConfig));

}  // namespace xa::board
