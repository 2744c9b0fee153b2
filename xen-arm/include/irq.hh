// Physical interrupt dispatch: the board's interrupt controller, its lines routed to the
// VMM's timer, dom0's console input, or a domain's passed-through device.
#pragma once

namespace xa::irq {

// Enables the lines the VMM itself serves (timer, console receive).
void init();

// Claims and serves every pending line (called with IRQs masked, from an IRQ exception or
// from the idle loop).
void handle_pending();

// dom0 has read console input: let the next byte interrupt again (VIRQ_CONSOLE).
void console_input_read();

}  // namespace xa::irq
