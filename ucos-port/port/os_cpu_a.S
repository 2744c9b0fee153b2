/*
 * µC/OS-II port for the ARM926EJ-S: the assembly half (see os_cpu.h for the two flavours
 * and the context frame). Written for this project; follows the µC/OS-II v2.9x port
 * contract: OS_CPU_SR_Save/Restore, OSStartHighRdy, OSCtxSw, OSIntCtxSw and the exception
 * entries, which wrap OS_CPU_ExceptHndlr() in the ISR protocol (OSIntNesting, the
 * interrupted context saved in OSTCBCur->OSTCBStkPtr, OSIntExit()).
 *
 * Paravirtual flavour (UCOS_PORT_XEN_ARM): everything runs in ARM USR mode. No MRS/MSR of
 * the I bit, no SPSR, no `LDM {..pc}^`: the interrupt mask is a byte in the shared_info
 * page and a context is resumed with a plain LDM (virtual kernel mode) or with the
 * restore_trap_frame hypercall (virtual user mode, which the VMM must switch). The VMM's
 * upcall frame has the layout of our task context, so an upcall needs no copying: the
 * frame it pushed on the task's stack is the task's saved context.
 */
#include <os_cfg.h>
#include "os_cpu.h"

#ifdef UCOS_PORT_XEN_ARM
#include <xen-arm/hypercall.h>
#include <xen-arm/shared_info.h>
#include <xen-arm/start_info.h>

/* reg = the address of vcpu_info.evtchn_upcall_mask in our shared_info: at
 * XA_SHARED_INFO_OFFSET in our kernel window (start_info.h), which starts where the image
 * does (pv kernels are linked at XA_GUEST_KERNEL_BASE). The literal is relocated with the
 * image, so one load finds it in whichever window the image builder put us. */
.macro upcall_mask_addr reg
    ldr     \reg, =__image_start + XA_SHARED_INFO_OFFSET + XA_VCPU_INFO_UPCALL_MASK
.endm
#define UPCALL_PENDING_FROM_MASK (XA_VCPU_INFO_UPCALL_PENDING - XA_VCPU_INFO_UPCALL_MASK)
#else
#include <arm926/cpu.h>
#endif

    .text
    .arm

.macro func name
    .global \name
    .type   \name, %function
\name:
.endm

.macro endfunc name
    .size   \name, . - \name
.endm

/* ==== critical sections ==================================================================== */

#ifdef UCOS_PORT_XEN_ARM
/* OS_CPU_SR OS_CPU_SR_Save(void): the old virtual mask (0/1); upcalls masked. */
func OS_CPU_SR_Save
    upcall_mask_addr r1
    ldrb    r0, [r1]
    mov     r2, #1
    strb    r2, [r1]
    bx      lr
endfunc OS_CPU_SR_Save

/* void OS_CPU_SR_Restore(OS_CPU_SR sr): back to sr. Unmasking re-checks pending: an event
 * that came while masked is delivered now by a hypercall (the VMM bounces pending upcalls
 * on every return to an unmasked guest); xen_version(XENVER_version, NULL) is the cheapest. */
func OS_CPU_SR_Restore
    upcall_mask_addr r1
    strb    r0, [r1]
    cmp     r0, #0
    bxne    lr
    ldrb    r2, [r1, #UPCALL_PENDING_FROM_MASK]
    cmp     r2, #0
    bxeq    lr
    mov     r1, #0                      /* r0 = 0 = XENVER_version, r1 = NULL */
    swi     #XA_HYPERCALL_xen_version
    bx      lr
endfunc OS_CPU_SR_Restore

#else /* native */
func OS_CPU_SR_Save
    mrs     r0, cpsr
    orr     r1, r0, #(OS_CPU_PSR_I | OS_CPU_PSR_F)
    msr     cpsr_c, r1
    bx      lr
endfunc OS_CPU_SR_Save

func OS_CPU_SR_Restore
    msr     cpsr_c, r0
    bx      lr
endfunc OS_CPU_SR_Restore
#endif

func OS_CPU_SR_INT_Dis
func OS_CPU_SR_IRQ_Dis
    b       OS_CPU_SR_Save
endfunc OS_CPU_SR_IRQ_Dis

func OS_CPU_SR_INT_En
func OS_CPU_SR_IRQ_En
#ifdef UCOS_PORT_XEN_ARM
    mov     r0, #0
#else
    mrs     r0, cpsr
    bic     r0, r0, #(OS_CPU_PSR_I | OS_CPU_PSR_F)
#endif
    b       OS_CPU_SR_Restore
endfunc OS_CPU_SR_IRQ_En

/* ==== resuming a context ===================================================================
 * os_cpu_resume: r0 = a context frame; interrupts masked. Does not return. */
os_cpu_resume:
#ifdef UCOS_PORT_XEN_ARM
    ldr     r1, [r0, #OS_CPU_FRAME_PSR]
    and     r2, r1, #OS_CPU_PSR_MODE_MASK
    cmp     r2, #OS_CPU_PSR_MODE_USER
    beq     1f
    /* Virtual kernel mode: sp goes to the frame first, so an upcall taken from here on
     * pushes its frame below ours, on the resumed task's stack. */
    mov     sp, r0
    tst     r1, #OS_CPU_PSR_I
    bne     2f
    upcall_mask_addr r2
    mov     r3, #0
    strb    r3, [r2]
    ldrb    r3, [r2, #UPCALL_PENDING_FROM_MASK]
    cmp     r3, #0
    movne   r0, #0
    movne   r1, #0
    swine   #XA_HYPERCALL_xen_version   /* deliver what is pending before we go on */
    ldrne   r1, [sp, #OS_CPU_FRAME_PSR]
2:  msr     cpsr_f, r1                  /* N Z C V; USR mode may write them */
    ldmia   sp, {r0-r12, sp, lr, pc}
1:  /* Virtual user mode: only the VMM can switch to it, atomically with the mask. */
    swi     #XA_HYPERCALL_restore_trap_frame
    b       .
#else
    mov     sp, r0
    ldr     r1, [sp, #OS_CPU_FRAME_PSR]
    msr     spsr_cxsf, r1
    ldmia   sp, {r0-r12, sp, lr, pc}^   /* SVC registers, CPSR = the frame's */
#endif

/* ==== task switches ======================================================================== */

/* void OSStartHighRdy(void): the first task (OSTCBHighRdy, already OSTCBCur). */
func OSStartHighRdy
#if OS_TASK_SW_HOOK_EN > 0u
    bl      OSTaskSwHook
#endif
    ldr     r0, =OSRunning
    mov     r1, #1
    strb    r1, [r0]
    ldr     r0, =OSTCBHighRdy
    ldr     r0, [r0]
    ldr     r0, [r0]                    /* ->OSTCBStkPtr */
    b       os_cpu_resume
endfunc OSStartHighRdy

/* void OSCtxSw(void): from OS_Sched() in a critical section. Saves the caller as a frame
 * that resumes at its return address, masked as now, then switches to OSTCBHighRdy. */
func OSCtxSw
    mov     r12, sp                     /* r12 is free at a call: keep the caller's sp */
    sub     sp, sp, #OS_CPU_FRAME_SIZE
    bic     sp, sp, #7
    stmia   sp, {r0-r12}                /* r4-r11 matter; r0-r3 and r12 are scratch */
    mov     r4, r12                     /* frame.sp */
    mov     r5, lr                      /* frame.lr */
    mov     r6, lr                      /* frame.pc: back into OS_Sched() */
#ifdef UCOS_PORT_XEN_ARM
    mrs     r7, cpsr
    and     r7, r7, #OS_CPU_PSR_FLAGS
    orr     r7, r7, #(OS_CPU_PSR_MODE_KERNEL | OS_CPU_PSR_I)
#else
    mrs     r7, cpsr                    /* SVC, I and F set (critical section) */
#endif
    add     r0, sp, #OS_CPU_FRAME_SP
    stmia   r0, {r4-r7}
    ldr     r0, =OSTCBCur
    ldr     r0, [r0]
    str     sp, [r0]                    /* OSTCBCur->OSTCBStkPtr = the frame */
    /* fall through */
os_cpu_switch_in:
#if OS_TASK_SW_HOOK_EN > 0u
    bl      OSTaskSwHook
#endif
    ldr     r0, =OSPrioHighRdy
    ldr     r1, =OSPrioCur
    ldrb    r0, [r0]
    strb    r0, [r1]
    ldr     r0, =OSTCBHighRdy
    ldr     r1, =OSTCBCur
    ldr     r0, [r0]
    str     r0, [r1]
    ldr     r0, [r0]
    b       os_cpu_resume
endfunc OSCtxSw

/* void OSIntCtxSw(void): from OSIntExit(); the interrupted task's frame is already in its
 * TCB (saved on exception entry). Runs on the exception stack; does not return. */
func OSIntCtxSw
    b       os_cpu_switch_in
endfunc OSIntCtxSw

/* ==== exception entries ====================================================================
 * os_cpu_except: r0 = sp = the interrupted context's frame (8-byte aligned, on the
 * interrupted stack), r1 = kind (OS_CPU_ARM_EXCEPT_*), interrupts masked.
 *
 *   kernel running, first level:  OSIntNesting++, the frame becomes OSTCBCur's context,
 *       OS_CPU_ExceptHndlr(kind) on the exception stack, OSIntExit() (which may switch and
 *       not come back), then the (possibly edited) context of OSTCBCur is resumed;
 *   before OSStart() or nested:   the handler runs on the interrupted stack below the frame
 *       and the frame is resumed as it is.
 */
os_cpu_except:
    ldr     r3, =OS_CPU_ExceptFrame
    str     r0, [r3]
    ldr     r2, =OSRunning
    ldrb    r2, [r2]
    cmp     r2, #0
    beq     1f
    ldr     r2, =OSIntNesting
    ldrb    r3, [r2]
    cmp     r3, #0
    bne     1f
    mov     r3, #1
    strb    r3, [r2]
    ldr     r2, =OSTCBCur
    ldr     r2, [r2]
    str     r0, [r2]
    ldr     sp, =(OS_CPU_ExceptStk + 4 * OS_CPU_EXCEPT_STK_SIZE)
    mov     r0, r1
    bl      OS_CPU_ExceptHndlr
    bl      OSIntExit
    ldr     r0, =OSTCBCur
    ldr     r0, [r0]
    ldr     r0, [r0]
    b       os_cpu_resume
1:  mov     r4, r0
    mov     r0, r1
    bl      OS_CPU_ExceptHndlr
    mov     r0, r4
    b       os_cpu_resume

#ifdef UCOS_PORT_XEN_ARM
/* Trap-table entries (hypercalls/xen-arm/trap.h): virtual kernel mode, upcalls masked,
 * r0 = sp = the VMM's struct xa_trap_frame (= our frame), r1 = the trap kind. */
func OS_CPU_PV_IrqEntry
    mov     r1, #OS_CPU_ARM_EXCEPT_IRQ
    b       os_cpu_except
endfunc OS_CPU_PV_IrqEntry

func OS_CPU_PV_UndefEntry
    mov     r1, #OS_CPU_ARM_EXCEPT_UNDEF
    b       os_cpu_except
endfunc OS_CPU_PV_UndefEntry

func OS_CPU_PV_PabtEntry
    mov     r1, #OS_CPU_ARM_EXCEPT_PABT
    b       os_cpu_except
endfunc OS_CPU_PV_PabtEntry

func OS_CPU_PV_DabtEntry
    mov     r1, #OS_CPU_ARM_EXCEPT_DABT
    b       os_cpu_except
endfunc OS_CPU_PV_DabtEntry

/* A system call (`swi`) from a virtual-user-mode task: handled as that task, on its kernel
 * stack (where the VMM put the frame), then back to user mode through the VMM. */
func OS_CPU_PV_SwiEntry
    mov     r4, r0
    bl      OS_CPU_SyscallHndlr
    mov     r0, r4
    swi     #XA_HYPERCALL_restore_trap_frame
    b       .
endfunc OS_CPU_PV_SwiEntry

#else /* native */
/* The IRQ vector (IRQ mode). Tasks run in SVC mode: build their frame on the SVC stack,
 * exactly as the VMM does for the paravirtual flavour, and join the common path. */
func OS_CPU_ARM_IrqEntry
    sub     lr, lr, #4
    stmfd   sp!, {r0-r3}
    mrs     r0, spsr
    mov     r1, lr
    mov     r2, sp                      /* the interrupted r0-r3 */
    add     sp, sp, #16                 /* (read back below, with IRQs still masked) */
    msr     cpsr_c, #(ARM_MODE_SVC | OS_CPU_PSR_I | OS_CPU_PSR_F)
    mov     r3, sp
    sub     sp, sp, #OS_CPU_FRAME_SIZE
    bic     sp, sp, #7
    str     r3, [sp, #OS_CPU_FRAME_SP]
    add     r3, sp, #16
    stmia   r3, {r4-r12}
    str     lr, [sp, #OS_CPU_FRAME_LR]
    str     r1, [sp, #OS_CPU_FRAME_PC]
    str     r0, [sp, #OS_CPU_FRAME_PSR]
    ldmia   r2, {r4-r7}
    stmia   sp, {r4-r7}
    mov     r0, sp
    mov     r1, #OS_CPU_ARM_EXCEPT_IRQ
    b       os_cpu_except
endfunc OS_CPU_ARM_IrqEntry
#endif

    .ltorg
