/*
 * Atomic exchange for ARMv5 (no LDREX/STREX): SWP is one instruction, so neither the VMM
 * (which runs only between guest instructions) nor an upcall can come in between its
 * load and store. Shared by the pv and native arch layers.
 */
    .text
    .arm

/* uint32_t arch_xchg(volatile uint32_t *p, uint32_t value) */
    .global arch_xchg
    .type   arch_xchg, %function
arch_xchg:
    swp     r2, r1, [r0]
    mov     r0, r2
    bx      lr
    .size   arch_xchg, . - arch_xchg
