/*
 * native: "upcalls" are the board's interrupts, masked with the CPSR I bit. Events raised
 * in software (a timer deadline already past) wait in the arch's own shared_info until
 * interrupts are unmasked, as a pv guest's pending upcall waits for its mask to clear.
 */
#ifndef MINIOS_ARCH_IRQ_H
#define MINIOS_ARCH_IRQ_H

#include <xen-arm/shared_info.h>

#include <arm926/cpu.h>

extern shared_info_t native_shared_info;
void arch_force_evtchn_callback(void);

static inline unsigned long arch_cpsr_mask_irq(void)
{
    unsigned long cpsr, tmp;
    __asm__ __volatile__("mrs %0, cpsr\n\t"
                         "orr %1, %0, #0x80\n\t"
                         "msr cpsr_c, %1"
                         : "=r"(cpsr), "=&r"(tmp)
                         :
                         : "memory");
    return cpsr & ARM_PSR_I;
}

static inline void arch_cpsr_unmask_irq(void)
{
    unsigned long tmp;
    __asm__ __volatile__("mrs %0, cpsr\n\t"
                         "bic %0, %0, #0x80\n\t"
                         "msr cpsr_c, %0"
                         : "=&r"(tmp)
                         :
                         : "memory");
}

static inline unsigned long local_irq_save(void) { return arch_cpsr_mask_irq(); }

static inline void local_irq_disable(void) { (void)arch_cpsr_mask_irq(); }

static inline void local_irq_enable(void)
{
    arch_cpsr_unmask_irq();
    if (((volatile vcpu_info_t *)&native_shared_info.vcpu[0])->evtchn_upcall_pending != 0)
        arch_force_evtchn_callback();
}

static inline void local_irq_restore(unsigned long flags)
{
    if ((flags & ARM_PSR_I) != 0)
        local_irq_disable();
    else
        local_irq_enable();
}

static inline bool irqs_disabled(void)
{
    unsigned long cpsr;
    __asm__ __volatile__("mrs %0, cpsr" : "=r"(cpsr));
    return (cpsr & ARM_PSR_I) != 0;
}

#endif /* MINIOS_ARCH_IRQ_H */
