/*
 * mini-OS native entry and exception vectors (SVC mode, no VMM).
 *
 * The image is linked at 0xC0000000 and loaded at the board's RAM base; QEMU enters
 * _start at its load (physical) address with the MMU off. We build a first-level table
 * of 1 MiB sections from the board's list (board_sections in board-<board>.c: the kernel
 * mapping VA 0xC0000000 -> RAM, the device windows identity-mapped, and VA 0 -> RAM base,
 * read-only, which puts this file's vector table at the low vectors), plus an identity
 * section for the instructions that run while the MMU turns on, and one small page of its
 * own at XA_TRACE_THREAD_VA (the trace protocol's thread page, as the VMM maps one in every
 * domain); then MMU, I- and D-cache on, per-mode stacks, and native_start() in C.
 */
#define ARM_MODE_IRQ 0x12
#define ARM_MODE_SVC 0x13
#define ARM_MODE_ABT 0x17
#define ARM_MODE_UND 0x1B
#define ARM_PSR_I 0x80
#define ARM_PSR_F 0x40

#define SECTION_RW_UNCACHED 0x412      /* AP=01 (privileged RW), bit 4, section, domain 0 */
#define COARSE_TABLE 0x011             /* coarse second-level table, bit 4, domain 0 */
#define SMALL_PAGE_RW_WB 0x55E         /* AP=01 in all four subpages, C, B, small page */

#include <xen-arm/trace.h>

/* Fault kinds passed to native_fault(): the vector offsets / 4 */
#define FAULT_UNDEF 1
#define FAULT_PABT 3
#define FAULT_DABT 4
#define FAULT_RESERVED 5
#define FAULT_FIQ 7

    .section .text.head, "ax"
    .arm

/* At VA 0xC0000000 (the image's first bytes) and, through the VA 0 section, at 0. */
    .global native_vectors
native_vectors:
    ldr     pc, vec_reset
    ldr     pc, vec_undef
    movs    pc, lr                     /* SWI: only trace markers; return at once */
    ldr     pc, vec_pabt
    ldr     pc, vec_dabt
    ldr     pc, vec_reserved
    ldr     pc, vec_irq
    ldr     pc, vec_fiq
vec_reset:    .word reserved_entry
vec_undef:    .word undef_entry
vec_pabt:     .word pabt_entry
vec_dabt:     .word dabt_entry
vec_reserved: .word reserved_entry
vec_irq:      .word irq_entry
vec_fiq:      .word fiq_entry

    .global _start
_start:
    msr     cpsr_c, #(ARM_MODE_SVC | ARM_PSR_I | ARM_PSR_F)

    /* r10 = load (physical) address - link (virtual) address */
    adr     r0, _start
    ldr     r1, =_start
    sub     r10, r0, r1

    /* Clear .bss (the first-level table is in it) through its physical address. */
    ldr     r2, =__bss_start
    ldr     r3, =__bss_end
    add     r2, r2, r10
    add     r3, r3, r10
    mov     r4, #0
1:  cmp     r2, r3
    strlo   r4, [r2], #4
    blo     1b

    /* r4 = physical address of the first-level table */
    ldr     r4, =native_l1
    add     r4, r4, r10

    /* Identity section for the megabyte we run in. */
    mov     r5, r0, lsr #20
    mov     r6, r5, lsl #20
    ldr     r7, =SECTION_RW_UNCACHED
    orr     r6, r6, r7
    str     r6, [r4, r5, lsl #2]

    /* board_sections[]: {va, pa, megabytes, attributes}, ended by megabytes == 0 */
    ldr     r5, =board_sections
    add     r5, r5, r10
2:  ldmia   r5!, {r6, r7, r8, r9}
    cmp     r8, #0
    beq     4f
3:  orr     r11, r7, r9
    mov     r12, r6, lsr #20
    str     r11, [r4, r12, lsl #2]
    add     r6, r6, #0x100000
    add     r7, r7, #0x100000
    subs    r8, r8, #1
    bne     3b
    b       2b
4:
    /* The trace page (hypercalls/xen-arm/trace.h): one page of our own at
     * XA_TRACE_THREAD_VA, as the VMM maps one in every domain, so that the scheduler's
     * thread announcements are the same stores natively. A coarse table for its MiB. */
    ldr     r5, =native_trace_l2
    add     r5, r5, r10
    ldr     r6, =native_trace_page
    add     r6, r6, r10
    ldr     r7, =SMALL_PAGE_RW_WB
    orr     r6, r6, r7
    mov     r7, #((XA_TRACE_THREAD_VA >> 12) & 0xFF)
    str     r6, [r5, r7, lsl #2]
    orr     r5, r5, #COARSE_TABLE
    ldr     r7, =(XA_TRACE_THREAD_VA >> 20)
    str     r5, [r4, r7, lsl #2]

    mov     r0, #0
    mcr     p15, 0, r0, c7, c7, 0      /* invalidate I and D caches */
    mcr     p15, 0, r0, c7, c10, 4     /* drain the write buffer */
    mcr     p15, 0, r0, c8, c7, 0      /* invalidate the TLBs */
    mcr     p15, 0, r4, c2, c0, 0      /* TTBR */
    mov     r0, #1
    mcr     p15, 0, r0, c3, c0, 0      /* DACR: domain 0 client */
    mrc     p15, 0, r0, c1, c0, 0
    bic     r0, r0, #(1 << 13)         /* V = 0: vectors at 0 */
    bic     r0, r0, #(1 << 9)          /* R = 0 */
    orr     r0, r0, #(1 << 8)          /* S = 1: AP=00 is privileged read-only */
    orr     r0, r0, #(1 << 12)         /* I-cache */
    orr     r0, r0, #(1 << 2)          /* D-cache */
    orr     r0, r0, #1                 /* MMU */
    mcr     p15, 0, r0, c1, c0, 0
    ldr     pc, =virtual_start
    .ltorg

    .text
virtual_start:
    msr     cpsr_c, #(ARM_MODE_IRQ | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =irq_stack_top
    msr     cpsr_c, #(ARM_MODE_ABT | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =abt_stack_top
    msr     cpsr_c, #(ARM_MODE_UND | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =und_stack_top
    msr     cpsr_c, #(ARM_MODE_SVC | ARM_PSR_I | ARM_PSR_F)
    ldr     sp, =boot_stack_top
    mov     r0, r10
    bl      native_start
5:  b       5b

/*
 * IRQ: the board's interrupt, turned into events by native_irq(), which runs the event
 * handlers here in IRQ mode with interrupts masked (they never block or switch).
 */
irq_entry:
    sub     lr, lr, #4
    stmfd   sp!, {r0-r3, r12, lr}
    bl      native_irq
    ldmfd   sp!, {r0-r3, r12, pc}^

/* Anything else is fatal: native_fault(kind, spsr, saved r0-r12 + pc) reports and exits. */
.macro fault_entry name, kind, adjust
\name:
    sub     lr, lr, #\adjust
    stmfd   sp!, {r0-r12, lr}
    mov     r0, #\kind
    mrs     r1, spsr
    mov     r2, sp
    bl      native_fault
    b       .
.endm

    fault_entry undef_entry, FAULT_UNDEF, 4
    fault_entry pabt_entry, FAULT_PABT, 4
    fault_entry dabt_entry, FAULT_DABT, 8
    fault_entry reserved_entry, FAULT_RESERVED, 0
    fault_entry fiq_entry, FAULT_FIQ, 4

    .ltorg

/* The first-level table (16 KiB aligned) and the stacks. */
    .section .bss.l1, "aw", %nobits
    .balign 16384
    .global native_l1
native_l1:
    .space  16384

    .section .bss, "aw", %nobits
    .balign 4096
native_trace_page:
    .space  4096
native_trace_l2:                       /* 1 KiB aligned: follows a page */
    .space  1024
    .balign 8
    .space  16384
    .global boot_stack_top
boot_stack_top:
    .space  4096
irq_stack_top:
    .space  1024
abt_stack_top:
    .space  1024
und_stack_top:
