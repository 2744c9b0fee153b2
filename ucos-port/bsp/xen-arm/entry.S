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

/*
 * The fault campaign's user-mode workload (apps/work.c; position independent, copied to a
 * user page). r0 = its data: the round, then WORK_TASK_WORDS words w. Round r turns every
 * w[i] from h(i, r-1) into h(i, r) by XOR and checks the sum of the words against the sum
 * of h(i, r) computed afresh; it reports the round with a system call (the port's task
 * checkpoint), and on a bad sum rebuilds w as h(i, r) so that the next fault is judged on
 * its own. h(i, r): x = i * 0x9E3779B9 ^ (r + 1) * 0x85EBCA6B; x ^= x >> 16;
 * x *= 0x7FEB352D; x ^= x >> 15 (tests/guests/minios/work.c's).
 */
#define SYS_ROUND_OK 5
#define SYS_ROUND_BAD 6
#define WORK_TASK_WORDS 1000
    .global bsp_work_blob
    .global bsp_work_blob_end
    .balign 4
bsp_work_blob:
    mov     r4, r0
1:  ldr     r5, [r4]                   /* r5 = r, the round */
    add     r5, r5, #1
    str     r5, [r4]
    mov     r6, #0                     /* i */
    mov     r7, #0                     /* sum */
    mov     r8, #0                     /* expected */
2:  mov     r0, r6
    sub     r1, r5, #1
    bl      30f
    mov     r9, r0                     /* h(i, r-1) */
    mov     r0, r6
    mov     r1, r5
    bl      30f                        /* h(i, r) */
    add     r10, r4, #4
    ldr     r2, [r10, r6, lsl #2]
    eor     r2, r2, r9
    eor     r2, r2, r0
    str     r2, [r10, r6, lsl #2]
    add     r7, r7, r2
    add     r8, r8, r0
    add     r6, r6, #1
    cmp     r6, #WORK_TASK_WORDS
    blo     2b
    cmp     r7, r8
    moveq   r0, #SYS_ROUND_OK
    movne   r0, #SYS_ROUND_BAD
    mov     r1, r5
    swi     #0
    cmp     r7, r8
    beq     1b
    mov     r6, #0                     /* rebuild: w[i] = h(i, r) */
3:  mov     r0, r6
    mov     r1, r5
    bl      30f
    add     r10, r4, #4
    str     r0, [r10, r6, lsl #2]
    add     r6, r6, #1
    cmp     r6, #WORK_TASK_WORDS
    blo     3b
    b       1b
30: ldr     r2, 31f                    /* r0 = h(r0, r1); r2, r3 scratch */
    mul     r3, r0, r2
    add     r1, r1, #1
    ldr     r2, 32f
    mul     r0, r1, r2
    eor     r0, r0, r3
    eor     r0, r0, r0, lsr #16
    ldr     r2, 33f
    mul     r3, r0, r2
    eor     r0, r3, r3, lsr #15
    bx      lr
31: .word   0x9E3779B9
32: .word   0x85EBCA6B
33: .word   0x7FEB352D
    .balign 4
bsp_work_blob_end:
