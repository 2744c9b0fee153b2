/*
 * memcpy and memset for the VMM. The hot paths copy trap frames (72 bytes) and hypercall
 * arguments, and the domain builder zeroes and copies megabytes: aligned runs go 32 bytes
 * per LDM/STM pair, then words, then bytes. Unaligned ends are done a byte at a time (the
 * ARM926 faults on unaligned words with alignment checking on).
 */
    .syntax unified
    .cfi_sections .debug_frame          /* unwind rules for a debugger; no code */
    .text
    .arm

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
    .cfi_adjust_cfa_offset 28
    .cfi_rel_offset r4, 0
    .cfi_rel_offset r5, 4
    .cfi_rel_offset r6, 8
    .cfi_rel_offset r7, 12
    .cfi_rel_offset r8, 16
    .cfi_rel_offset r9, 20
    .cfi_rel_offset r10, 24
1:  ldmia   r1!, {r3-r10}
    stmia   r0!, {r3-r10}
    sub     r2, r2, #32
    cmp     r2, #32
    bhs     1b
    pop     {r4-r10}
    .cfi_adjust_cfa_offset -28
    .cfi_restore r4
    .cfi_restore r5
    .cfi_restore r6
    .cfi_restore r7
    .cfi_restore r8
    .cfi_restore r9
    .cfi_restore r10
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
    .cfi_adjust_cfa_offset 24
    .cfi_rel_offset r4, 0
    .cfi_rel_offset r5, 4
    .cfi_rel_offset r6, 8
    .cfi_rel_offset r7, 12
    .cfi_rel_offset r8, 16
    .cfi_rel_offset r9, 20
    mov     r3, r1
    mov     r4, r1
    mov     r5, r1
    mov     r6, r1
    mov     r7, r1
    mov     r8, r1
    mov     r9, r1
1:  stmia   r0!, {r1, r3-r9}
    sub     r2, r2, #32
    cmp     r2, #32
    bhs     1b
    pop     {r4-r9}
    .cfi_adjust_cfa_offset -24
    .cfi_restore r4
    .cfi_restore r5
    .cfi_restore r6
    .cfi_restore r7
    .cfi_restore r8
    .cfi_restore r9
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
