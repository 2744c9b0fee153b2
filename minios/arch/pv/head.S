/*
 * mini-OS pv entry, trap entries and small helpers. Runs in ARM USR mode under xen-arm:
 * no privileged instruction anywhere; the VMM is reached with `swi #N`.
 *
 * Entry (hypercalls/xen-arm/start_info.h): at the ELF entry in virtual kernel mode,
 * upcalls masked, r0 = start_info VA, sp = top of the domain's memory.
 *
 * Trap entry (hypercalls/xen-arm/trap.h): trap_table[K] is entered in virtual kernel mode
 * with upcalls masked, r0 = sp = the trap frame (8-byte aligned), r1 = K. We call
 * pv_trap(frame, K) on that stack and return with restore_trap_frame(frame), which
 * reloads everything from the frame (possibly edited by the handler).
 */
#include <xen-arm/hypercall.h>
#include <xen-arm/shared_info.h>
#include <xen-arm/start_info.h>
#include <xen-arm/elfnote.h>
#include <xen-arm/trap.h>

#define HYPERCALL_restore_trap_frame XA_HYPERCALL_restore_trap_frame
#define SHARED_INFO_OFFSET XA_SHARED_INFO_OFFSET
#define VCPU_VKSP XA_VCPU_INFO_VKSP      /* vcpu[0] is at offset 0 of shared_info */
#define FRAME_SIZE XA_TRAP_FRAME_SIZE
#define FRAME_SP XA_TRAP_FRAME_SP
#define FRAME_LR XA_TRAP_FRAME_LR
#define FRAME_PC XA_TRAP_FRAME_PC
#define FRAME_VPSR XA_TRAP_FRAME_VPSR
#define VPSR_MODE_USER XA_VPSR_MODE_USER

XA_GUEST_NOTE

    .cfi_sections .debug_frame         /* unwind rules for a debugger; no code */

    .section .text.head, "ax"
    .arm
    .global _start
    .type   _start, %function
_start:
    .cfi_startproc
    .cfi_undefined lr                  /* the domain's first frame: backtraces end here */
    mov     r4, r0                     /* start_info */
    ldr     r1, =__bss_start
    ldr     r2, =__bss_end
    mov     r3, #0
1:  cmp     r1, r2
    strlo   r3, [r1], #4
    blo     1b
    bic     sp, sp, #7
    mov     r0, r4
    bl      pv_start
2:  b       2b
    .cfi_endproc
    .size   _start, . - _start
    .ltorg

    .text
/* One entry per trap kind (r1 is set by the VMM too; set it here regardless). */
.macro trap_entry name, kind
    .global \name
\name:
    mov     r1, #\kind
    b       trap_common
.endm
    trap_entry pv_trap_undef, 1
    trap_entry pv_trap_swi, 2
    trap_entry pv_trap_pabt, 3
    trap_entry pv_trap_dabt, 4
    trap_entry pv_trap_irq, 6

trap_common:
    mov     r4, r0
    bl      pv_trap
    mov     r0, r4
    swi     #HYPERCALL_restore_trap_frame
3:  b       3b                         /* not reached */

/* uint32_t pv_probe_read(uint32_t addr) / void pv_probe_write(uint32_t addr, uint32_t v):
 * one access each, so an expected fault skips exactly that instruction. */
    .global pv_probe_read
    .type   pv_probe_read, %function
pv_probe_read:
    ldr     r0, [r0]
    bx      lr
    .size   pv_probe_read, . - pv_probe_read

    .global pv_probe_write
    .type   pv_probe_write, %function
pv_probe_write:
    str     r1, [r0]
    bx      lr
    .size   pv_probe_write, . - pv_probe_write

/*
 * int pv_enter_user(uint32_t pc, uint32_t sp, uint32_t arg)
 * Saves the callee-saved registers, makes this stack the kernel stack for traps from user
 * mode (vcpu_info.vksp), and restores a frame that continues at pc in virtual user mode.
 */
    .global pv_enter_user
    .type   pv_enter_user, %function
pv_enter_user:
    stmfd   sp!, {r4-r11, lr}
    ldr     r3, =pv_user_resume_sp
    str     sp, [r3]
    mov     r3, pc, lsr #26            /* our kernel window (start_info.h): pc rounded down */
    mov     r3, r3, lsl #26            /* to 64 MiB, where the image builder put us */
    add     r3, r3, #SHARED_INFO_OFFSET
    str     sp, [r3, #VCPU_VKSP]
    sub     sp, sp, #(FRAME_SIZE + 4)   /* 72: stays 8-byte aligned */
    mov     r3, #0
    mov     r4, #0
    mov     r5, #0
    mov     r6, #0
    mov     r7, #0
    mov     r8, #0
    mov     r9, #0
    mov     r10, #0
    mov     r11, #0
    mov     r12, #0
    stmia   sp, {r3-r12}               /* r0-r9 of the frame: 0 */
    str     r2, [sp, #4]               /* frame r1 = arg */
    str     r3, [sp, #40]              /* r10-r12 */
    str     r3, [sp, #44]
    str     r3, [sp, #48]
    str     r1, [sp, #FRAME_SP]
    str     r3, [sp, #FRAME_LR]
    str     r0, [sp, #FRAME_PC]
    mov     r3, #VPSR_MODE_USER        /* user mode, upcalls unmasked, flags clear */
    str     r3, [sp, #FRAME_VPSR]
    mov     r0, sp
    swi     #HYPERCALL_restore_trap_frame
4:  b       4b                         /* not reached */
    .size   pv_enter_user, . - pv_enter_user

/* void pv_user_return(int value): back into pv_enter_user's caller with value. */
    .global pv_user_return
    .type   pv_user_return, %function
pv_user_return:
    ldr     r3, =pv_user_resume_sp
    ldr     sp, [r3]
    ldmfd   sp!, {r4-r11, pc}
    .size   pv_user_return, . - pv_user_return
    .ltorg

/* Code for virtual user mode, copied to a user page: position independent. */
    .global pv_user_blob
    .global pv_user_blob_end
pv_user_blob:
    swi     #0                         /* a system call: bounced to the kernel's SWI entry */
    ldr     r0, [r1]                   /* a kernel address: must fault */
5:  b       5b
pv_user_blob_end:

    .section .bss, "aw", %nobits
    .balign 4
pv_user_resume_sp:
    .space  4
