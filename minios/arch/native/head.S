/*
 * mini-OS native entry and exception vectors (SVC mode, no VMM).
 *
 * The image is linked at 0xC0000000 and loaded at the board's RAM base; QEMU enters
 * _start at its load (physical) address with the MMU off. We build a first-level table
 * of 1 MiB sections from the board's list (board_sections in guestlib/board/<board>.c:
 * the kernel mapping VA 0xC0000000 -> RAM, the device windows identity-mapped, and VA 0 ->
 * RAM base, read-only, which puts this file's vector table at the low vectors; written by
 * guestlib's gl_map_sections), plus an identity section for the instructions that run while the MMU
 * turns on, and one small page of its own at NATIVE_TRACE_VA (the trace protocol's thread
 * page, as the VMM maps one in every domain); then MMU, I- and D-cache on (gl_mmu_on),
 * per-mode stacks, and native_start() in C.
 */
#include <arm926/cpu.h>

#define SECTION_RW_UNCACHED 0x412      /* AP=01 (privileged RW), bit 4, section, domain 0 */
#define COARSE_TABLE 0x011             /* coarse second-level table, bit 4, domain 0 */
#define SMALL_PAGE_RW_WB 0x55E         /* AP=01 in all four subpages, C, B, small page */

#include <xen-arm/start_info.h>
#include <xen-arm/trace.h>
/* The trace page of window 0 (start_info.h), where a native build runs. */
#define NATIVE_TRACE_VA (XA_GUEST_KERNEL_BASE + XA_TRACE_PAGE_OFFSET)

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

    /* board_sections[], through its physical address (r0-r3 and r12 change) */
    mov     r0, r4
    ldr     r1, =board_sections
    add     r1, r1, r10
    bl      gl_map_sections

    /* The trace page (hypercalls/xen-arm/trace.h): one page of our own at
     * NATIVE_TRACE_VA (window 0's, as the VMM maps one in every domain's window), so that the scheduler's
     * thread announcements are the same stores natively. A coarse table for its MiB. */
    ldr     r5, =native_trace_l2
    add     r5, r5, r10
    ldr     r6, =native_trace_page
    add     r6, r6, r10
    ldr     r7, =SMALL_PAGE_RW_WB
    orr     r6, r6, r7
    mov     r7, #((NATIVE_TRACE_VA >> 12) & 0xFF)
    str     r6, [r5, r7, lsl #2]
    orr     r5, r5, #COARSE_TABLE
    ldr     r7, =(NATIVE_TRACE_VA >> 20)
    str     r5, [r4, r7, lsl #2]

    mov     r0, r4
    bl      gl_mmu_on                  /* returns through the identity section */
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
