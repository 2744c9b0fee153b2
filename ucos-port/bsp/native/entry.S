/*
 * µC/OS-II directly on the board (no VMM): vectors, reset and mode stacks (the CP15 and
 * semihosting instructions are guestlib's). The image is linked and loaded at the board's
 * RAM base and runs there with the MMU off until bsp_native_start() turns it on with an
 * identity map (plus VA 0 -> the RAM base, where this vector table is, for the boards whose
 * RAM is elsewhere).
 */
#include <arm926/cpu.h>

#define NO_INTS (ARM_PSR_I | ARM_PSR_F)

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
    msr     cpsr_c, #(ARM_MODE_IRQ | NO_INTS)
    ldr     sp, =irq_stack_top
    msr     cpsr_c, #(ARM_MODE_ABT | NO_INTS)
    ldr     sp, =fault_stack_top
    msr     cpsr_c, #(ARM_MODE_UND | NO_INTS)
    ldr     sp, =fault_stack_top
    msr     cpsr_c, #(ARM_MODE_SVC | NO_INTS)
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
/* No virtual user mode natively: an empty user blob (BSP_MapUserPage fails). */
    .global bsp_user_blob
    .global bsp_user_blob_end
bsp_user_blob:
bsp_user_blob_end:
    .global bsp_work_blob
    .global bsp_work_blob_end
bsp_work_blob:
bsp_work_blob_end:

/* Mode stacks: not in .bss, which bsp_native_start() clears while running on them. */
    .section .stacks, "aw", %nobits
    .balign 8
    .space  8192
boot_stack_top:
    .space  64
irq_stack_top:
    .space  2048
fault_stack_top:
