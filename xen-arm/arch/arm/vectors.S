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
 *
 * Unwind information (gdb's `bt`): every routine below has DWARF call-frame information
 * (.cfi_* directives, assembled into .debug_frame by -g; they emit no instructions). An
 * entry path is described as a trap frame, not a call: the "return address" column is pc,
 * and once save_frame has stored the frame, the interrupted context's r0-r12, sp, lr and
 * pc are the words of the TrapFrame, so gdb unwinds from a C++ handler through the entry
 * into the guest code that took the exception (its own symbols, e.g. mini-OS's, tell gdb
 * how to go on from there). Before the frame is stored the interrupted sp and lr are only
 * in the banked registers of the other mode, out of gdb's reach: there the entry is the
 * outermost frame (pc undefined), so a backtrace ends cleanly instead of guessing.
 */
#include "trap_frame.h"

    .cfi_sections .debug_frame

/* The interrupted context is in the TrapFrame at CFA - TF_SIZE (CFA = sp + TF_SIZE with
 * the frame at sp). */
.macro cfi_trap_frame_regs
    .irp reg, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
    .cfi_offset r\reg, TF_R0 + 4 * \reg - TF_SIZE
    .endr
    .cfi_offset pc, TF_PC - TF_SIZE
.endm
.macro cfi_trap_frame_banked
    .cfi_offset sp, TF_SP - TF_SIZE
    .cfi_offset lr, TF_LR - TF_SIZE
.endm

/* Start of an exception entry: a trap-frame routine whose caller is not yet reachable. */
.macro cfi_trap_entry
    .cfi_startproc
    .cfi_return_column pc
    .cfi_undefined pc
.endm

    .section .vectors, "ax"
    .arm
    .global xa_vectors
    .type xa_vectors, %function
xa_vectors:
    cfi_trap_entry                      /* nothing saved yet: outermost */
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
    .cfi_endproc
    .size xa_vectors, . - xa_vectors

    .text
/*
 * Save the interrupted context: r0-r12, the USR-mode sp/lr (banked: stm ^), the return
 * address (lr minus \adjust) and the SPSR. Leaves r1 = SPSR, flags set by "is it USR?"
 * (USR is the only mode whose low four mode bits are all zero; SYS is 0x1F).
 * Inside cfi_trap_entry: from the store of the pc on, the frame describes the caller.
 */
.macro save_frame adjust
    .if \adjust
    sub     lr, lr, #\adjust
    .endif
    sub     sp, sp, #TF_SIZE
    .cfi_adjust_cfa_offset TF_SIZE
    stmia   sp, {r0-r12, sp, lr}^       /* ^: sp and lr are USR mode's (the base sp is ours) */
    str     lr, [sp, #TF_PC]
    cfi_trap_frame_regs
    cfi_trap_frame_banked
    mrs     r1, spsr
    str     r1, [sp, #TF_CPSR]
    tst     r1, #0xF
.endm

/*
 * Back to USR mode with the frame at sp: restore the (possibly rewritten) context. The
 * CPSR a guest gets is whatever the frame says; the C++ code only ever stores USR mode
 * with the I and F bits clear there (see traps.cc), never a privileged mode. Inside a
 * trap-frame routine (CFA = sp + TF_SIZE).
 */
.macro restore_frame
    ldr     r1, [sp, #TF_CPSR]
    ldr     lr, [sp, #TF_PC]
    msr     spsr_cxsf, r1
    ldmia   sp, {r0-r12, sp, lr}^       /* ^: USR mode's sp and lr; no writeback allowed */
    nop                                 /* no banked access right after ldm ^ */
    add     sp, sp, #TF_SIZE
    .cfi_adjust_cfa_offset -TF_SIZE     /* the frame's words stay below sp (IRQs masked) */
    movs    pc, lr
.endm

/* SWI: hypercall, system call or trace marker; TF_PC is the instruction after the SWI.
 * The commonest way into the VMM: its return is here, not a branch away. */
    .type swi_entry, %function
swi_entry:
    cfi_trap_entry
    save_frame 0
    movne   r0, #XA_EXC_SWI
    bne     fatal_common
    mov     r0, sp
    bl      xa_swi
    restore_frame
    .cfi_endproc
    .size swi_entry, . - swi_entry

    .type irq_entry, %function
irq_entry:
    cfi_trap_entry
    save_frame 4
    movne   r0, #XA_EXC_IRQ
    bne     fatal_common
    mov     r0, sp
    bl      xa_irq
    b       xa_return_to_guest
    .cfi_endproc
    .size irq_entry, . - irq_entry

/* Aborts and undefined instructions from a guest are bounced to its kernel. An abort's
 * handler runs in SVC mode, its frame left on the ABT stack: the handler may itself take
 * the data abort of a failed guest-memory probe (uaccess.S; a page fault tolerance keeps
 * read-only until it is written), which in ABT mode would overwrite the lr and spsr
 * that the handler's own return and the probe's fixup need. */
.macro guest_trap_entry name, kind, adjust, in_svc
    .type \name, %function
\name:
    cfi_trap_entry
    save_frame \adjust
    mov     r0, #\kind
    bne     fatal_common
    mov     r1, sp
    .if \in_svc
    msr     cpsr_c, #(ARM_MODE_SVC | ARM_PSR_I | ARM_PSR_F)
    bl      xa_guest_trap
    msr     cpsr_c, #(ARM_MODE_ABT | ARM_PSR_I | ARM_PSR_F)
    .else
    bl      xa_guest_trap
    .endif
    b       xa_return_to_guest
    .cfi_endproc
    .size \name, . - \name
.endm

    guest_trap_entry undef_entry, XA_EXC_UNDEF, 4, 0
    guest_trap_entry pabt_entry, XA_EXC_PABT, 4, 1
    guest_trap_entry dabt_guest_entry, XA_EXC_DABT, 8, 1

/*
 * Data abort: from a guest, the usual bounce. From the VMM, the one expected case is
 * xa_probe_guest finding a page the guest may not touch (arch/arm/uaccess.S): resume at
 * its fixup, which returns -EFAULT. Anything else is a VMM bug and fatal.
 */
    .type dabt_entry, %function
dabt_entry:
    cfi_trap_entry                      /* only r0 is saved here: outermost */
    str     r0, [sp, #-4]!
    .cfi_adjust_cfa_offset 4
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
    .cfi_endproc
    .size dabt_entry, . - dabt_entry
    .ltorg

    .type reserved_entry, %function
reserved_entry:
    cfi_trap_entry
    save_frame 4
    mov     r0, #XA_EXC_RESERVED
    b       fatal_common
    .cfi_endproc
    .size reserved_entry, . - reserved_entry
    .type fiq_entry, %function
fiq_entry:
    cfi_trap_entry
    save_frame 4
    mov     r0, #XA_EXC_FIQ
    b       fatal_common
    .cfi_endproc
    .size fiq_entry, . - fiq_entry

/* Back to USR mode with the frame at sp (restore_frame). */
    .global xa_return_to_guest
    .type xa_return_to_guest, %function
xa_return_to_guest:
    .cfi_startproc
    .cfi_return_column pc
    .cfi_def_cfa sp, TF_SIZE
    cfi_trap_frame_regs
    cfi_trap_frame_banked
    restore_frame
    .cfi_endproc
    .size xa_return_to_guest, . - xa_return_to_guest

/*
 * Enter the first guest: a fresh frame at the top of the SVC stack (whatever xa_main had
 * there is abandoned: it never returns), filled by the scheduler, then back to USR mode.
 */
    .global xa_start_guests
    .type xa_start_guests, %function
xa_start_guests:
    .cfi_startproc
    .cfi_undefined lr                   /* the caller's stack is abandoned: outermost */
    ldr     sp, =xa_stack_svc_top
    sub     sp, sp, #TF_SIZE
    mov     r0, sp
    bl      xa_first_guest
    b       xa_return_to_guest
    .cfi_endproc
    .size xa_start_guests, . - xa_start_guests
    .ltorg

/*
 * The VMM itself trapped: r0 = kind, r1 = SPSR, frame at sp. Fetch the interrupted
 * mode's own banked sp/lr (switch there briefly; SYS for USR, which shares its registers
 * and can switch back), record them and report. Never returns.
 */
    .type fatal_common, %function
fatal_common:
    .cfi_startproc
    .cfi_return_column pc
    .cfi_def_cfa sp, TF_SIZE
    cfi_trap_frame_regs
    .cfi_undefined sp                   /* the frame holds USR's sp/lr until fixed below */
    .cfi_undefined lr
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
    cfi_trap_frame_banked
    mov     r1, sp
    bl      xa_exception                /* does not return */
1:  b       1b
    .cfi_endproc
    .size fatal_common, . - fatal_common
