/*
 * The native guest builds' CPU instructions (guestlib/native.h): semihosting, the boot map
 * and MMU start, and CP15 accessors. Everything here is position independent and uses no
 * stack except gl_semihosting_call, so head code may call the boot-map functions with the
 * MMU off.
 */
#include <arm926/cpu.h>

    .text
    .arm

/* uint32_t gl_semihosting_call(uint32_t op, void *arg) */
    .global gl_semihosting_call
    .type   gl_semihosting_call, %function
gl_semihosting_call:
    push    {lr}                        /* a real SVC would overwrite lr_svc */
    svc     SEMIHOSTING_SVC
    pop     {pc}
    .size   gl_semihosting_call, . - gl_semihosting_call

/* The boot map's two functions go in .text.head, which the guests' linker scripts put at the
 * start of the image, after the image's own entry code: so they lie in the MiB that the
 * entry code runs in and maps to itself while the MMU turns on. */
    .section .text.head, "ax"

/* void gl_map_sections(uint32_t *l1, const struct native_section *list): list entries are
 * {va, pa, megabytes, attr}, both addresses MiB aligned; megabytes 0 ends the list. */
    .global gl_map_sections
    .type   gl_map_sections, %function
gl_map_sections:
1:  ldr     r12, [r1, #8]               /* megabytes */
    cmp     r12, #0
    bxeq    lr
    ldr     r2, [r1, #12]               /* attr */
    ldr     r3, [r1, #4]                /* pa */
    orr     r3, r3, r2                  /* the descriptor: pa | attr */
    ldr     r2, [r1, #0]                /* va */
    add     r1, r1, #16
2:  str     r3, [r0, r2, lsr #18]       /* l1[va >> 20] */
    add     r2, r2, #0x100000
    add     r3, r3, #0x100000
    subs    r12, r12, #1
    bne     2b
    b       1b
    .size   gl_map_sections, . - gl_map_sections

/* void gl_mmu_on(uint32_t *l1) */
    .global gl_mmu_on
    .type   gl_mmu_on, %function
gl_mmu_on:
    mov     r1, #0
    mcr     p15, 0, r1, c7, c7, 0       /* invalidate I and D caches */
    mcr     p15, 0, r1, c7, c10, 4      /* drain the write buffer */
    mcr     p15, 0, r1, c8, c7, 0       /* invalidate the TLBs */
    mcr     p15, 0, r0, c2, c0, 0       /* TTBR */
    mov     r1, #1
    mcr     p15, 0, r1, c3, c0, 0       /* DACR: domain 0 client */
    mrc     p15, 0, r1, c1, c0, 0
    bic     r1, r1, #(1 << 13)          /* V = 0: vectors at 0 */
    bic     r1, r1, #(1 << 9)           /* R = 0 */
    orr     r1, r1, #(1 << 8)           /* S = 1: AP=00 is privileged read-only */
    orr     r1, r1, #(1 << 12)          /* I-cache */
    orr     r1, r1, #(1 << 2)           /* D-cache */
    orr     r1, r1, #1                  /* MMU */
    mcr     p15, 0, r1, c1, c0, 0
    bx      lr
    .size   gl_mmu_on, . - gl_mmu_on

    .text

/* void gl_wfi(void) */
    .global gl_wfi
    .type   gl_wfi, %function
gl_wfi:
    mov     r0, #0
    mcr     p15, 0, r0, c7, c0, 4
    bx      lr
    .size   gl_wfi, . - gl_wfi

/* uint32_t gl_fault_address(void), gl_fault_status(void) */
    .global gl_fault_address
    .type   gl_fault_address, %function
gl_fault_address:
    mrc     p15, 0, r0, c6, c0, 0
    bx      lr
    .size   gl_fault_address, . - gl_fault_address

    .global gl_fault_status
    .type   gl_fault_status, %function
gl_fault_status:
    mrc     p15, 0, r0, c5, c0, 0
    bx      lr
    .size   gl_fault_status, . - gl_fault_status
