/*
 * pv: "upcalls masked" is vcpu_info.evtchn_upcall_mask in the shared_info page (the
 * virtual CPSR I bit). Unmasking with an upcall pending must ask the VMM to deliver it:
 * any hypercall will do (the VMM delivers pending upcalls on every hypercall return).
 */
#ifndef MINIOS_ARCH_IRQ_H
#define MINIOS_ARCH_IRQ_H

#include <xen-arm/shared_info.h>
#include <xen-arm/start_info.h>

#include "guestlib/pv.h"

#include "minios/os.h"

void arch_force_evtchn_callback(void);

static inline volatile vcpu_info_t *pv_vcpu(void) { return gl_pv_vcpu(); }

static inline unsigned long local_irq_save(void)
{
    volatile vcpu_info_t *v = pv_vcpu();
    unsigned long flags = v->evtchn_upcall_mask;
    v->evtchn_upcall_mask = 1;
    barrier();
    return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
    volatile vcpu_info_t *v = pv_vcpu();
    barrier();
    v->evtchn_upcall_mask = (uint8_t)flags;
    barrier();
    if (flags == 0 && v->evtchn_upcall_pending != 0)
        arch_force_evtchn_callback();
}

static inline void local_irq_disable(void) { (void)local_irq_save(); }
static inline void local_irq_enable(void) { local_irq_restore(0); }
static inline bool irqs_disabled(void) { return pv_vcpu()->evtchn_upcall_mask != 0; }

#endif /* MINIOS_ARCH_IRQ_H */
