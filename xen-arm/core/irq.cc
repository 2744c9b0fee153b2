// Physical interrupt dispatch. See irq.hh.
#include "irq.hh"

#include "board.hh"
#include "console.hh"
#include "domain.hh"
#include "passthrough.hh"
#include "sched.hh"

namespace xa::irq {
namespace {

// Console input is dom0's (VIRQ_CONSOLE). The receive interrupt is level-triggered: mask
// the line until dom0 has read what waits (console_input_read re-enables it), so a slow
// dom0 costs one interrupt per burst, not one per instruction.
void console_input() {
    board::irq_disable(board::kConfig.console_irq);
    if (Domain* dom0 = domains::get(DomId(0)); dom0 != nullptr && dom0->alive()) sched::raise_virq(*dom0, VIRQ_CONSOLE);
}

}  // namespace

void init() {
    board::irq_init();
    board::irq_enable(board::kConfig.timer_irq);
    board::console_rx_interrupt_enable();
    board::irq_enable(board::kConfig.console_irq);
}

void handle_pending() {
    for (int line; (line = board::irq_claim()) >= 0;) {
        if (static_cast<u32>(line) == board::kConfig.timer_irq) {
            (void)board::timer_ack();
            sched::tick();
        } else if (static_cast<u32>(line) == board::kConfig.console_irq) {
            console_input();
        } else if (!passthrough::route_irq(static_cast<u32>(line))) {
            printk("xen-arm: spurious interrupt line %d, disabled\n", line);
            board::irq_disable(static_cast<u32>(line));
        }
    }
}

void console_input_read() { board::irq_enable(board::kConfig.console_irq); }

}  // namespace xa::irq
