/* Host shim (tests/fuzz): one thread, no upcalls, so masking them is nothing. */
#ifndef MINIOS_ARCH_IRQ_H
#define MINIOS_ARCH_IRQ_H

#include "minios/os.h"

static inline unsigned long local_irq_save(void) { return 0; }
static inline void local_irq_restore(unsigned long flags) { (void)flags; }
static inline void local_irq_disable(void) {}
static inline void local_irq_enable(void) {}
static inline bool irqs_disabled(void) { return false; }

#endif /* MINIOS_ARCH_IRQ_H */
