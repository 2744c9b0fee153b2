/*
 * µC/OS-II guest of xen-arm: the entry point and the few instructions C cannot express.
 * Runs in ARM USR mode; nothing here is privileged.
 *
 * Entry (hypercalls/xen-arm/start_info.h): virtual kernel mode, upcalls masked,
 * r0 = start_info, sp = top of the domain's memory (below the console and store pages).
 */
#include <xen-arm/elfnote.h>

XA_GUEST_NOTE

    .section .text.head, "ax"
    .arm
    .global _start
_start:
    bic     sp, sp, #7                 /* the boot stack, until OSStart() */
    bl      bsp_pv_start               /* (start_info in r0); clears .bss first */
1:  b       1b

    .text
/* uint32_t bsp_swap(volatile uint32_t *p, uint32_t v): one SWP, atomic with respect to the
 * VMM (which sets pending bits) and to upcalls. */
    .global bsp_swap
    .type   bsp_swap, %function
bsp_swap:
    swp     r2, r1, [r0]
    mov     r0, r2
    bx      lr
    .size   bsp_swap, . - bsp_swap

/*
 * Code for a task in virtual user mode (copied to a user page; position independent).
 * r0 = the address it will finally store to. System calls: swi #0, r0 = number.
 * Says hello twice (sleeping 2 ticks in between), spins for about 10M instructions (long
 * enough for ticks to preempt it in user mode), then stores to the address.
 */
#define SYS_PUTS 1
#define SYS_DELAY 2
#define SPINS 5000000
    .global bsp_user_blob
    .global bsp_user_blob_end
    .balign 4
bsp_user_blob:
    mov     r4, r0
    mov     r5, #0
3:  mov     r0, #SYS_PUTS
    adr     r1, 7f                     /* "running in virtual user mode" */
    swi     #0
    mov     r0, #SYS_DELAY
    mov     r1, #2
    swi     #0
    add     r5, r5, #1
    cmp     r5, #2
    blo     3b
    mov     r0, #SYS_PUTS
    adr     r1, 8f                     /* "spinning" */
    swi     #0
    ldr     r6, 6f
4:  subs    r6, r6, #1
    bne     4b
    mov     r0, #SYS_PUTS
    adr     r1, 9f                     /* "writing OSTime" */
    swi     #0
    str     r5, [r4]                   /* the kernel's page: a data abort in user mode */
5:  b       5b                         /* not reached */
6:  .word   SPINS
7:  .asciz  "user task: running in virtual user mode"
8:  .asciz  "user task: spinning"
9:  .asciz  "user task: writing OSTime"
    .balign 4
bsp_user_blob_end:
