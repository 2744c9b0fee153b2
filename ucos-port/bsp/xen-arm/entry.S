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
 * r0 = its struct bsp_user_data (bsp.h, which says what it does; the offsets are checked in
 * bsp.c). System calls: swi #0, r0 = number, r1 = argument, result in r0.
 */
#define SYS_PUTS 1
#define SYS_DELAY 2
#define SYS_EXIT 3
#define SYS_ROLLBACKS 4
#define SPINS 5000000
#define U_TARGET 0
#define U_KIND 4
#define U_EVERY 8
#define U_FAULT_AT 12
#define U_STEPS 16
#define U_STEP 20
#define U_ACC 24
#define U_SAYS 28
#define ARM_UDF 0xE7F000F0                 /* permanently undefined */
    .global bsp_user_blob
    .global bsp_user_blob_end
    .balign 4
bsp_user_blob:
    mov     r4, r0
    mov     r5, #0
1:  mov     r0, #SYS_PUTS
    adr     r1, 20f                    /* "running in virtual user mode" */
    swi     #0
    mov     r0, #SYS_DELAY
    mov     r1, #2
    swi     #0
    add     r5, r5, #1
    cmp     r5, #2
    blo     1b
    mov     r0, #SYS_PUTS
    adr     r1, 21f                    /* "spinning" */
    swi     #0
    ldr     r6, 19f
2:  subs    r6, r6, #1
    bne     2b
3:  ldr     r5, [r4, #U_STEP]          /* the steps */
    ldr     r6, [r4, #U_STEPS]
    cmp     r5, r6
    bhs     9f
    add     r5, r5, #1
    ldr     r8, [r4, #U_FAULT_AT]
    cmp     r5, r8
    moveq   r0, #SYS_PUTS              /* (a checkpoint: the step's work comes after) */
    addeq   r1, r4, #U_SAYS
    swieq   #0
    ldr     r7, [r4, #U_ACC]
    add     r7, r7, r7, lsl #5         /* acc * 33 ^ step */
    eor     r7, r7, r5
    str     r7, [r4, #U_ACC]
    str     r5, [r4, #U_STEP]
    cmp     r5, r8
    bne     5f
    ldr     r0, [r4, #U_EVERY]
    cmp     r0, #0
    bne     4f
    mov     r0, #SYS_ROLLBACKS
    swi     #0
    cmp     r0, #0
    bne     5f                         /* a replay: the fault was transient */
4:  ldr     r0, [r4, #U_KIND]
    ldr     r1, [r4, #U_TARGET]
    cmp     r0, #1
    beq     8f
    cmp     r0, #2
    moveq   pc, r1                     /* a prefetch abort, for a kernel address */
    str     r5, [r1]                   /* a data abort, for a kernel address */
    b       5f
8:  .word   ARM_UDF
5:  mov     r0, #SYS_DELAY
    mov     r1, #1
    swi     #0
    b       3b
9:  mov     r0, #SYS_EXIT
    swi     #0
10: b       10b                        /* not reached */
19: .word   SPINS
20: .asciz  "user task: running in virtual user mode"
21: .asciz  "user task: spinning"
    .balign 4
bsp_user_blob_end:
