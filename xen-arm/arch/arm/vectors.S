/*
 * The exception vector page (mapped at 0xFFFF0000, CP15 c1.V = 1) and the entry code.
 * Each entry saves a TrapFrame (include/trap_frame.h) on the stack of the mode that took
 * the exception and calls a C++ handler with it.
 */
#include "trap_frame.h"

    .section .vectors, "ax"
    .arm
    .global xa_vectors
xa_vectors:
    ldr     pc, vec_reset
    ldr     pc, vec_undef
    ldr     pc, vec_swi
    ldr     pc, vec_pabt
    ldr     pc, vec_dabt
    ldr     pc, vec_reserved
    ldr     pc, vec_irq
    ldr     pc, vec_fiq
vec_reset:    .word _start
vec_undef:    .word undef_entry
vec_swi:      .word swi_entry
vec_pabt:     .word pabt_entry
vec_dabt:     .word dabt_entry
vec_reserved: .word reserved_entry
vec_irq:      .word irq_entry
vec_fiq:      .word fiq_entry

    .text
/*
 * IRQ: the only exception the VMM expects today. The interrupted context's user-mode
 * sp/lr are saved too: when a guest (USR mode) is interrupted they are its registers.
 */
irq_entry:
    sub     lr, lr, #4
    sub     sp, sp, #TF_SIZE
    stmia   sp, {r0-r12}
    add     r0, sp, #TF_SP
    stmia   r0, {sp, lr}^
    str     lr, [sp, #TF_PC]
    mrs     r1, spsr
    str     r1, [sp, #TF_CPSR]
    mov     r0, sp
    bl      xa_irq
    ldr     r1, [sp, #TF_CPSR]
    msr     spsr_cxsf, r1
    add     r0, sp, #TF_SP
    ldmia   r0, {sp, lr}^
    nop                                 /* no banked access right after ldm ^ */
    ldr     lr, [sp, #TF_PC]
    ldmia   sp, {r0-r12}
    add     sp, sp, #TF_SIZE
    movs    pc, lr

/*
 * Every other exception is fatal for now: save the frame with the faulting instruction's
 * address in TF_PC, fetch the interrupted mode's own sp/lr, and report.
 *   \adjust: lr minus this is the faulting instruction.
 */
.macro fatal_entry name, kind, adjust
\name:
    sub     lr, lr, #\adjust
    sub     sp, sp, #TF_SIZE
    stmia   sp, {r0-r12}
    str     lr, [sp, #TF_PC]
    mrs     r1, spsr
    str     r1, [sp, #TF_CPSR]
    mov     r0, #\kind
    b       fatal_common
.endm

    fatal_entry undef_entry, XA_EXC_UNDEF, 4
    fatal_entry swi_entry, XA_EXC_SWI, 4
    fatal_entry pabt_entry, XA_EXC_PABT, 4
    fatal_entry dabt_entry, XA_EXC_DABT, 8
    fatal_entry reserved_entry, XA_EXC_RESERVED, 4
    fatal_entry fiq_entry, XA_EXC_FIQ, 4

fatal_common:
    /* Banked sp/lr of the interrupted mode: switch there briefly (SYS for USR, which
     * shares its registers and can switch back), read them, return. */
    and     r2, r1, #ARM_MODE_MASK
    cmp     r2, #ARM_MODE_USR
    moveq   r2, #ARM_MODE_SYS
    mrs     r3, cpsr
    bic     r4, r3, #ARM_MODE_MASK
    orr     r4, r4, r2
    orr     r4, r4, #(ARM_PSR_I | ARM_PSR_F)
    msr     cpsr_c, r4
    mov     r5, sp
    mov     r6, lr
    msr     cpsr_c, r3
    str     r5, [sp, #TF_SP]
    str     r6, [sp, #TF_LR]
    mov     r1, sp
    bl      xa_exception                /* does not return */
1:  b       1b
