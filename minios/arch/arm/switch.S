/*
 * Thread context switch, shared by the pv and native arch layers (it touches no
 * privileged state, so it is the same in ARM USR and SVC mode).
 *
 * struct arch_context { r4-r11; sp; pc; } (include/minios/arch.h): only what the AAPCS
 * says a call preserves, since a switch is always a function call.
 */
    .cfi_sections .debug_frame         /* unwind rules for a debugger; no code */
    .text
    .arm

/* void arch_switch_context(struct arch_context *prev, struct arch_context *next) */
    .global arch_switch_context
    .type   arch_switch_context, %function
arch_switch_context:
    stmia   r0, {r4-r11}
    str     sp, [r0, #32]
    str     lr, [r0, #36]
    ldmia   r1, {r4-r11}
    ldr     sp, [r1, #32]
    ldr     pc, [r1, #36]
    .size   arch_switch_context, . - arch_switch_context

/*
 * void arch_init_context(struct arch_context *ctx, void *stack_top,
 *                        void (*entry)(void *), void *arg)
 * The first switch to ctx lands in thread_start with r4 = entry, r5 = arg.
 */
    .global arch_init_context
    .type   arch_init_context, %function
arch_init_context:
    str     r2, [r0, #0]               /* r4 */
    str     r3, [r0, #4]               /* r5 */
    bic     r1, r1, #7                 /* AAPCS: 8-byte aligned stack */
    str     r1, [r0, #32]
    adr     r2, thread_start
    str     r2, [r0, #36]
    bx      lr
    .size   arch_init_context, . - arch_init_context

/* The entry never returns. lr points at thread_return, in this routine, whose unwind rule
 * makes it a thread's outermost frame: a debugger's backtrace of a thread ends at the
 * entry function instead of running into address 0. */
    .type   thread_start, %function
thread_start:
    .cfi_startproc
    .cfi_undefined lr
    mov     r0, r5
    adr     lr, thread_return
    bx      r4
thread_return:
    mov     pc, #0                     /* an entry that returns jumps to 0, as before */
    .cfi_endproc
    .size   thread_start, . - thread_start
