/*
 * µC/OS-II directly on the board (no VMM): vectors, reset, mode stacks and the CP15 and
 * semihosting instructions the C side needs. The image is linked and loaded at the board's
 * RAM base and runs there with the MMU off until bsp_native_start() turns it on with an
 * identity map (plus VA 0 -> the RAM base, where this vector table is, for the boards whose
 * RAM is elsewhere).
 */
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1B
#define NO_INTS 0xC0

    .section .text.head, "ax"
    .arm
    .global bsp_native_vectors
bsp_native_vectors:
    ldr     pc, reset_addr
    ldr     pc, undef_addr
    movs    pc, lr                      /* SWI: trace markers only, nothing to do */
    ldr     pc, pabt_addr
    ldr     pc, dabt_addr
    ldr     pc, reserved_addr
    ldr     pc, irq_addr
    ldr     pc, fiq_addr
reset_addr:    .word _start
undef_addr:    .word undef_vector
pabt_addr:     .word pabt_vector
dabt_addr:     .word dabt_vector
reserved_addr: .word reserved_vector
irq_addr:      .word OS_CPU_ARM_IrqEntry  /* the port's IRQ entry (os_cpu_a.S) */
fiq_addr:      .word fiq_vector

    .global _start
_start:
    msr     cpsr_c, #(MODE_IRQ | NO_INTS)
    ldr     sp, =irq_stack_top
    msr     cpsr_c, #(MODE_ABT | NO_INTS)
    ldr     sp, =fault_stack_top
    msr     cpsr_c, #(MODE_UND | NO_INTS)
    ldr     sp, =fault_stack_top
    msr     cpsr_c, #(MODE_SVC | NO_INTS)
    ldr     sp, =boot_stack_top
    bl      bsp_native_start
1:  b       1b

/* Faults are fatal natively: bsp_native_fault(kind, frame) with an OS_CPU_FRAME-shaped
 * record of the interrupted registers (sp/lr of the interrupted mode are not collected). */
.macro fatal_vector name, kind, back
\name:
    sub     lr, lr, #\back
    sub     sp, sp, #68
    stmia   sp, {r0-r12}
    str     lr, [sp, #60]
    mrs     r1, spsr
    str     r1, [sp, #64]
    mov     r0, #\kind
    mov     r1, sp
    bl      bsp_native_fault
    b       .
.endm
    fatal_vector undef_vector, 1, 4
    fatal_vector pabt_vector, 3, 4
    fatal_vector dabt_vector, 4, 8
    fatal_vector reserved_vector, 5, 0
    fatal_vector fiq_vector, 7, 4
    .ltorg

    .text
/* uint32_t bsp_native_semihost(uint32_t op, void *arg) */
    .global bsp_native_semihost
    .type   bsp_native_semihost, %function
bsp_native_semihost:
    push    {lr}                        /* a real SVC would clobber lr_svc */
    svc     0x123456
    pop     {pc}
    .size   bsp_native_semihost, . - bsp_native_semihost

/* void bsp_native_wfi(void) */
    .global bsp_native_wfi
    .type   bsp_native_wfi, %function
bsp_native_wfi:
    mov     r0, #0
    mcr     p15, 0, r0, c7, c0, 4
    bx      lr
    .size   bsp_native_wfi, . - bsp_native_wfi

/* void bsp_native_mmu_on(uint32_t *l1): TTBR, DACR (domain 0 client), caches, MMU. The
 * map is an identity for the code running, so nothing moves. */
    .global bsp_native_mmu_on
    .type   bsp_native_mmu_on, %function
bsp_native_mmu_on:
    mov     r1, #0
    mcr     p15, 0, r1, c7, c7, 0       /* invalidate I and D caches */
    mcr     p15, 0, r1, c7, c10, 4      /* drain the write buffer */
    mcr     p15, 0, r1, c8, c7, 0       /* invalidate TLBs */
    mcr     p15, 0, r0, c2, c0, 0
    mov     r1, #1
    mcr     p15, 0, r1, c3, c0, 0
    mrc     p15, 0, r1, c1, c0, 0
    bic     r1, r1, #(1 << 13)          /* low vectors */
    orr     r1, r1, #(1 << 12)          /* I-cache */
    orr     r1, r1, #(1 << 2)           /* D-cache */
    orr     r1, r1, #1                  /* MMU */
    mcr     p15, 0, r1, c1, c0, 0
    nop
    nop
    bx      lr
    .size   bsp_native_mmu_on, . - bsp_native_mmu_on

/* uint32_t bsp_native_far(void), bsp_native_fsr(void): the data fault registers. */
    .global bsp_native_far
    .type   bsp_native_far, %function
bsp_native_far:
    mrc     p15, 0, r0, c6, c0, 0
    bx      lr
    .size   bsp_native_far, . - bsp_native_far

    .global bsp_native_fsr
    .type   bsp_native_fsr, %function
bsp_native_fsr:
    mrc     p15, 0, r0, c5, c0, 0
    bx      lr
    .size   bsp_native_fsr, . - bsp_native_fsr

/* No virtual user mode natively: an empty user blob (BSP_MapUserPage fails). */
    .global bsp_user_blob
    .global bsp_user_blob_end
bsp_user_blob:
bsp_user_blob_end:

/* Mode stacks: not in .bss, which bsp_native_start() clears while running on them. */
    .section .stacks, "aw", %nobits
    .balign 8
    .space  8192
boot_stack_top:
    .space  64
irq_stack_top:
    .space  2048
fault_stack_top:
