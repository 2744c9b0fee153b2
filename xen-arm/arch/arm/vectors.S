/*
 * The exception vector page (mapped at 0xFFFF0000, CP15 c1.V = 1) and the entry code.
 *
 * Guests run in USR mode; the VMM runs with IRQs masked and never takes an exception of
 * its own on purpose. So every entry asks one question first: did the exception come from
 * USR mode (a guest)? If so it saves a TrapFrame (include/trap_frame.h) on the stack of
 * the mode that took it, calls the C++ handler, and returns through xa_return_to_guest,
 * which reloads whatever the frame holds by then: the handler may have changed registers
 * (hypercall result), redirected it to a guest trap handler (bounce), or replaced it with
 * another domain's context (domain switch). Anything from a privileged mode is a VMM bug:
 * it is reported and the VMM stops.
 *
 * No DACR or TTBR change on entry: the VMM's 64 MB are mapped identically in every
 * domain's table (privileged-only), which is what makes entry cheap on a VIVT-cache ARM9.
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
 * Save the interrupted context: r0-r12, the USR-mode sp/lr (banked: stm ^), the return
 * address (lr minus \adjust) and the SPSR. Leaves r1 = SPSR, flags set by "is it USR?"
 * (USR is the only mode whose low four mode bits are all zero; SYS is 0x1F).
 */
.macro save_frame adjust
    .if \adjust
    sub     lr, lr, #\adjust
    .endif
    sub     sp, sp, #TF_SIZE
    stmia   sp, {r0-r12}
    add     r0, sp, #TF_SP
    stmia   r0, {sp, lr}^
    str     lr, [sp, #TF_PC]
    mrs     r1, spsr
    str     r1, [sp, #TF_CPSR]
    tst     r1, #0xF
.endm

/* SWI: hypercall, system call or trace marker; TF_PC is the instruction after the SWI. */
swi_entry:
    save_frame 0
    movne   r0, #XA_EXC_SWI
    bne     fatal_common
    mov     r0, sp
    bl      xa_swi
    b       xa_return_to_guest

irq_entry:
    save_frame 4
    movne   r0, #XA_EXC_IRQ
    bne     fatal_common
    mov     r0, sp
    bl      xa_irq
    b       xa_return_to_guest

/* Aborts and undefined instructions from a guest are bounced to its kernel. */
.macro guest_trap_entry name, kind, adjust
\name:
    save_frame \adjust
    mov     r0, #\kind
    bne     fatal_common
    mov     r1, sp
    bl      xa_guest_trap
    b       xa_return_to_guest
.endm

    guest_trap_entry undef_entry, XA_EXC_UNDEF, 4
    guest_trap_entry pabt_entry, XA_EXC_PABT, 4
    guest_trap_entry dabt_guest_entry, XA_EXC_DABT, 8

/*
 * Data abort: from a guest, the usual bounce. From the VMM, the one expected case is
 * xa_probe_guest finding a page the guest may not touch (arch/arm/uaccess.S): resume at
 * its fixup, which returns -EFAULT. Anything else is a VMM bug and fatal.
 */
dabt_entry:
    str     r0, [sp, #-4]!
    mrs     r0, spsr
    tst     r0, #0xF
    beq     1f                          /* from USR: a guest */
    /* The faulting instruction is lr - 8: inside [start, end) <=> start + 8 <= lr < end + 8. */
    ldr     r0, =xa_uaccess_start + 8
    cmp     lr, r0
    blo     1f
    ldr     r0, =xa_uaccess_end + 8
    cmp     lr, r0
    bhs     1f
    ldr     r0, [sp], #4
    ldr     lr, =xa_uaccess_fault
    movs    pc, lr                      /* back to the VMM's mode, at the fixup */
1:  ldr     r0, [sp], #4
    b       dabt_guest_entry
    .ltorg

reserved_entry:
    save_frame 4
    mov     r0, #XA_EXC_RESERVED
    b       fatal_common
fiq_entry:
    save_frame 4
    mov     r0, #XA_EXC_FIQ
    b       fatal_common

/*
 * Back to USR mode with the frame at sp: restore the (possibly rewritten) context.
 * The CPSR a guest gets is whatever the frame says; the C++ code only ever stores
 * USR mode with the I and F bits clear there (see traps.cc), never a privileged mode.
 */
    .global xa_return_to_guest
xa_return_to_guest:
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
 * Enter the first guest: a fresh frame at the top of the SVC stack (whatever xa_main had
 * there is abandoned: it never returns), filled by the scheduler, then back to USR mode.
 */
    .global xa_start_guests
xa_start_guests:
    ldr     sp, =xa_stack_svc_top
    sub     sp, sp, #TF_SIZE
    mov     r0, sp
    bl      xa_first_guest
    b       xa_return_to_guest
    .ltorg

/*
 * The VMM itself trapped: r0 = kind, r1 = SPSR, frame at sp. Fetch the interrupted
 * mode's own banked sp/lr (switch there briefly; SYS for USR, which shares its registers
 * and can switch back), record them and report. Never returns.
 */
fatal_common:
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
