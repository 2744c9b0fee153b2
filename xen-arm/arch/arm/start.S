/*
 * xen-arm entry point. QEMU (or a boot loader) enters here at the image's physical load
 * address with the MMU off. We build a minimal first-level table from the section list
 * that core/boot_map.cc computes from the layout and board constants, turn the MMU on,
 * jump to the link address in DIRECTMAP, give every ARM mode a stack and call C++.
 *
 * Both halves are the outermost frame for a debugger (.cfi_undefined lr: nothing called
 * them), so a backtrace from xa_main ends here.
 */
#include "trap_frame.h"

    .cfi_sections .debug_frame

    .section .text.boot, "ax"
    .arm
    .global _start
    .type _start, %function
_start:
    .cfi_startproc
    .cfi_undefined lr
    msr     cpsr_c, #(ARM_MODE_SVC | ARM_PSR_I | ARM_PSR_F)

    /* r10 = physical - virtual: add it to a link-time address to get where it is now */
    adr     r0, _start
    ldr     r1, =_start
    sub     r10, r0, r1

    /* Clear .bss through its physical address (the boot table lives there too): tens of
     * KiB, so 128 bytes a pass in STM bursts (the linker script ends it on a page), then
     * words for whatever is left. */
    ldr     r2, =__bss_start
    ldr     r3, =__bss_end
    add     r2, r2, r10
    add     r3, r3, r10
    mov     r4, #0
    mov     r5, #0
    mov     r6, #0
    mov     r7, #0
    mov     r8, #0
    mov     r9, #0
    mov     r11, #0
    mov     r12, #0
1:  sub     r1, r3, r2
    cmp     r1, #128
    stmhsia r2!, {r4-r9, r11, r12}
    stmhsia r2!, {r4-r9, r11, r12}
    stmhsia r2!, {r4-r9, r11, r12}
    stmhsia r2!, {r4-r9, r11, r12}
    bhs     1b
7:  cmp     r2, r3
    strlo   r4, [r2], #4
    blo     7b

    /* r4 = physical address of the boot first-level table */
    ldr     r4, =xa_boot_l1
    add     r4, r4, r10

    /* Identity-map the megabyte we run in, so the instruction after the MMU turns on
     * is still fetched. Privileged RW, domain 0, uncached. */
    mov     r5, r0, lsr #20
    mov     r6, r5, lsl #20
    ldr     r7, =0x412                 /* AP=01, domain 0, bit 4, section */
    orr     r6, r6, r7
    str     r6, [r4, r5, lsl #2]

    /* Every entry of xa_boot_sections: {virtual address, section descriptor}, 0-ended */
    ldr     r5, =xa_boot_sections
    add     r5, r5, r10
2:  ldmia   r5!, {r6, r7}
    cmp     r7, #0
    beq     3f
    mov     r6, r6, lsr #20
    str     r7, [r4, r6, lsl #2]
    b       2b
3:
    mov     r0, #0
    mcr     p15, 0, r0, c7, c7, 0      /* invalidate I and D caches */
    mcr     p15, 0, r0, c7, c10, 4     /* drain write buffer */
    mcr     p15, 0, r0, c8, c7, 0      /* invalidate TLBs */
    mcr     p15, 0, r4, c2, c0, 0      /* TTBR */
    mov     r0, #1
    mcr     p15, 0, r0, c3, c0, 0      /* DACR: domain 0 client */
    mrc     p15, 0, r0, c1, c0, 0
    bic     r0, r0, #(3 << 8)          /* S=0, R=0: AP=00 means no access */
    orr     r0, r0, #1                 /* M */
    mcr     p15, 0, r0, c1, c0, 0
    ldr     pc, =high                  /* continue at the link address */
    .cfi_endproc
    .size _start, . - _start

    .text
    .type high, %function
high:
    .cfi_startproc
    .cfi_undefined lr
    /* One stack per exception mode; SVC (the VMM's own mode) last. */
    msr     cpsr_c, #(ARM_MODE_IRQ | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =xa_stack_irq_top
    msr     cpsr_c, #(ARM_MODE_FIQ | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =xa_stack_fiq_top
    msr     cpsr_c, #(ARM_MODE_ABT | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =xa_stack_abt_top
    msr     cpsr_c, #(ARM_MODE_UND | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =xa_stack_und_top
    msr     cpsr_c, #(ARM_MODE_SVC | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =xa_stack_svc_top

    /* Static constructors (the VMM has none today; keep the contract anyway). */
    ldr     r4, =__init_array_start
    ldr     r5, =__init_array_end
4:  cmp     r4, r5
    bhs     5f
    ldr     r0, [r4], #4
    blx     r0
    b       4b
5:
    mov     r0, r10                    /* physical - virtual, for the page-table code */
    bl      xa_main
6:  b       6b
    .cfi_endproc
    .size high, . - high

    .ltorg

/* Per-mode stacks. SVC is the VMM's own; the exception modes only need room for a
 * TrapFrame and the C++ handler they call. */
    .section .bss.stacks, "aw", %nobits
    .balign 8
    .space  8192
    .global xa_stack_svc_top
xa_stack_svc_top:
    .space  4096
    .global xa_stack_irq_top
xa_stack_irq_top:
    .space  4096
    .global xa_stack_abt_top
xa_stack_abt_top:
    .space  4096
    .global xa_stack_und_top
xa_stack_und_top:
    .space  1024
    .global xa_stack_fiq_top
xa_stack_fiq_top:
