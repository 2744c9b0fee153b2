/*
 * Trace markers: `swi #(XA_TRACE_SWI_BASE | code)` (hypercalls/xen-arm/trap.h), shared by
 * the pv and native arch layers. The immediate is part of the instruction, so there is
 * one SWI per code, in a table indexed by code.
 *
 * Natively the SWI is taken in SVC mode, which overwrites lr_svc: lr is kept in r12
 * (caller-saved), so the same code runs in both builds.
 */
/* XA_TRACE_SWI_BASE of xen-arm/trap.h (a C header, not includable here) */
#define TRACE_SWI_BASE 0xFFFF00

    .text
    .arm

/* void arch_trace_swi(uint32_t code), code 0..255 */
    .global arch_trace_swi
    .type   arch_trace_swi, %function
arch_trace_swi:
    mov     r12, lr
    and     r0, r0, #0xFF
    add     pc, pc, r0, lsl #3         /* pc reads as this instruction + 8: the table */
    nop
    .set    code, 0
    .rept   256
    swi     TRACE_SWI_BASE + code
    bx      r12
    .set    code, code + 1
    .endr
    .size   arch_trace_swi, . - arch_trace_swi
