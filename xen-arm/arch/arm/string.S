/*
 * memcpy and memset for the VMM. The hot paths copy trap frames (72 bytes) and hypercall
 * arguments, and the domain builder zeroes and copies megabytes: aligned runs go in
 * 32-byte LDM/STM bursts, several a loop (64 bytes copied, 128 set), then words, then
 * bytes. Unaligned ends are done a byte at a time (the ARM926 faults on unaligned words
 * with alignment checking on).
 */
    .syntax unified
    .cfi_sections .debug_frame          /* unwind rules for a debugger; no code */
    .text
    .arm

/* Unwind rules for `push {regs}` and `pop {regs}` (registers in push order): the CFA
 * moves by 4 bytes a register, and each register is saved at its slot from sp. */
.macro cfi_push regs:vararg
    .set .Lcfi_bytes, 0
    .irp r, \regs
    .set .Lcfi_bytes, .Lcfi_bytes + 4
    .endr
    .cfi_adjust_cfa_offset .Lcfi_bytes
    .set .Lcfi_slot, 0
    .irp r, \regs
    .cfi_rel_offset \r, .Lcfi_slot
    .set .Lcfi_slot, .Lcfi_slot + 4
    .endr
.endm
.macro cfi_pop regs:vararg
    .set .Lcfi_bytes, 0
    .irp r, \regs
    .set .Lcfi_bytes, .Lcfi_bytes - 4
    .endr
    .cfi_adjust_cfa_offset .Lcfi_bytes
    .irp r, \regs
    .cfi_restore \r
    .endr
.endm

/* void* memcpy(void* dst, const void* src, size_t n) */
    .global memcpy
    .type memcpy, %function
memcpy:
    .cfi_startproc
    mov     r12, r0
    orr     r3, r0, r1
    tst     r3, #3
    bne     4f
    cmp     r2, #32
    blo     2f
    push    {r4-r10}
    cfi_push r4, r5, r6, r7, r8, r9, r10
    subs    r2, r2, #64                 /* r2 = bytes left - 64 while in the loop */
    blo     7f
1:  ldmia   r1!, {r3-r10}
    stmia   r0!, {r3-r10}
    ldmia   r1!, {r3-r10}
    stmia   r0!, {r3-r10}
    subs    r2, r2, #64
    bhs     1b
7:  adds    r2, r2, #32                 /* less than 64 left: one more burst of 32? */
    ldmiacs r1!, {r3-r10}
    stmiacs r0!, {r3-r10}
    addcc   r2, r2, #32                 /* r2 = bytes left (under 32) */
    pop     {r4-r10}
    cfi_pop r4, r5, r6, r7, r8, r9, r10
2:  cmp     r2, #4
    blo     4f
3:  ldr     r3, [r1], #4
    str     r3, [r0], #4
    sub     r2, r2, #4
    cmp     r2, #4
    bhs     3b
4:  cmp     r2, #0
    beq     6f
5:  ldrb    r3, [r1], #1
    strb    r3, [r0], #1
    subs    r2, r2, #1
    bne     5b
6:  mov     r0, r12
    bx      lr
    .cfi_endproc
    .size memcpy, . - memcpy

/* void* memset(void* dst, int value, size_t n) */
    .global memset
    .type memset, %function
memset:
    .cfi_startproc
    mov     r12, r0
    and     r1, r1, #0xFF
    orr     r1, r1, r1, lsl #8
    orr     r1, r1, r1, lsl #16
    tst     r0, #3
    bne     4f
    cmp     r2, #32
    blo     2f
    push    {r4-r9}
    cfi_push r4, r5, r6, r7, r8, r9
    mov     r3, r1
    mov     r4, r1
    mov     r5, r1
    mov     r6, r1
    mov     r7, r1
    mov     r8, r1
    mov     r9, r1
    subs    r2, r2, #128                /* r2 = bytes left - 128 while in the loop */
    blo     7f
1:  stmia   r0!, {r1, r3-r9}
    stmia   r0!, {r1, r3-r9}
    stmia   r0!, {r1, r3-r9}
    stmia   r0!, {r1, r3-r9}
    subs    r2, r2, #128
    bhs     1b
7:  add     r2, r2, #128                /* under 128 left: bursts of 32 */
8:  subs    r2, r2, #32
    stmiahs r0!, {r1, r3-r9}
    bhi     8b
    addlo   r2, r2, #32                 /* r2 = bytes left (under 32) */
    pop     {r4-r9}
    cfi_pop r4, r5, r6, r7, r8, r9
2:  cmp     r2, #4
    blo     4f
3:  str     r1, [r0], #4
    sub     r2, r2, #4
    cmp     r2, #4
    bhs     3b
4:  cmp     r2, #0
    beq     6f
5:  strb    r1, [r0], #1
    subs    r2, r2, #1
    bne     5b
6:  mov     r0, r12
    bx      lr
    .cfi_endproc
    .size memset, . - memset

/*
 * void xa_copy_frame68(void* dst, const void* src): a trap frame's registers, the first 68
 * bytes of include/trap_frame.h's TrapFrame (the rest is padding), which are also the
 * guest's xa_trap_frame: a domain switch saves one frame and loads another, a bounce
 * writes one to the guest. Both pointers word-aligned, no overlap. Straight LDM/STM
 * bursts: memcpy's alignment and size checks and its loop cost more than the copy.
 */
    .global xa_copy_frame68
    .type xa_copy_frame68, %function
xa_copy_frame68:
    .cfi_startproc
    push    {r4-r8}
    cfi_push r4, r5, r6, r7, r8
    ldmia   r1!, {r2-r8, r12}
    stmia   r0!, {r2-r8, r12}
    ldmia   r1!, {r2-r8, r12}
    stmia   r0!, {r2-r8, r12}
    ldr     r2, [r1]
    str     r2, [r0]
    pop     {r4-r8}
    cfi_pop r4, r5, r6, r7, r8
    bx      lr
    .cfi_endproc
    .size xa_copy_frame68, . - xa_copy_frame68
