/*
 * A minimal paravirtual guest for measuring the VMM's hot paths in instructions.
 *
 * Command line (start_info.cmd_line): two decimal numbers, e.g. "calls=1100 yields=100":
 * the guest makes that many null hypercalls (xen_version), then that many sched_op yield
 * hypercalls, then shuts down. Under -icount shift=3 every instruction is 8 ns of virtual
 * time, so the difference between the VMM's final timestamps of two runs that differ only
 * in one count, divided by the difference in counts, is the cost of one iteration: the
 * hypercall round trip plus the 3 loop instructions (mov, subs, bne). With two such
 * domains every yield is a domain switch.
 */
#include <xen-arm/hypercall.h>
#include <xen-arm/sched.h>
#include <xen-arm/start_info.h>

    .text
    .global _start
_start:
    add     r0, r0, #88             /* start_info.cmd_line */
    bl      parse_number
    mov     r4, r1
    bl      parse_number
    mov     r5, r1

    cmp     r4, #0
    beq     2f
1:  mov     r0, #0                  /* XENVER_version */
    swi     #XA_HYPERCALL_xen_version
    subs    r4, r4, #1
    bne     1b
2:  cmp     r5, #0
    beq     2f
1:  mov     r0, #SCHEDOP_yield
    swi     #XA_HYPERCALL_sched_op
    subs    r5, r5, #1
    bne     1b
2:  mov     r0, #SCHEDOP_shutdown
    ldr     r1, =reason
    swi     #XA_HYPERCALL_sched_op
1:  b       1b

/* r0 = string; skips non-digits, reads a decimal number into r1 (0 if none), returns the
 * position after it in r0. */
parse_number:
    mov     r1, #0
1:  ldrb    r2, [r0]
    cmp     r2, #0
    moveq   pc, lr
    sub     r3, r2, #'0'
    cmp     r3, #9
    addhi   r0, r0, #1
    bhi     1b
2:  ldrb    r2, [r0]
    sub     r3, r2, #'0'
    cmp     r3, #9
    movhi   pc, lr
    add     r1, r1, r1, lsl #2      /* r1 *= 10 */
    add     r1, r3, r1, lsl #1
    add     r0, r0, #1
    b       2b

    .data
reason: .word SHUTDOWN_poweroff
