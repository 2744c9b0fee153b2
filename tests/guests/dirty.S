/*
 * The cost of a fault-tolerant domain's checkpoint against the pages it wrote, for
 * traces/ftcost.py (make ftcost): a minimal paravirtual guest whose interesting
 * instructions carry global labels for the xatrace plugin's probes, as microbench.S's.
 *
 * Command line: "count=N dirty=D" (two decimal numbers, in that order): N times, store one
 * word in each of D pages of a static buffer (at most DIRTY_PAGES_MAX), then
 * sched_op(yield); then SCHEDOP_shutdown(poweroff). With two such domains every yield
 * switches domains. Probes:
 *   dirty_stores -> dirty_swi (same domain)    the stores: under write tracking the first
 *                                              store to each page after a checkpoint faults
 *   dirty_swi (dom A) -> dirty_ret (dom B)     the domain switch, with A's checkpoint when
 *                                              A is checkpointed at every switch-out
 * Each store writes the count (a different value each time) at the start of its page.
 */
#include <xen-arm/hypercall.h>
#include <xen-arm/sched.h>
#include <xen-arm/elfnote.h>

    .equ SI_CMD_LINE, 88              /* start_info.cmd_line */
    .equ DIRTY_PAGES_MAX, 64

XA_GUEST_NOTE

    .text
    .global _start
_start:
    add     r0, r0, #SI_CMD_LINE
    bl      parse_number
    mov     r5, r1                    /* count */
    bl      parse_number
    cmp     r1, #DIRTY_PAGES_MAX
    movhi   r1, #DIRTY_PAGES_MAX
    mov     r6, r1                    /* pages to write per iteration */
    cmp     r5, #0
    beq     done

loop:
    ldr     r7, =dirty_buf
    movs    r8, r6
    .global dirty_stores
dirty_stores:
    beq     2f
1:  str     r5, [r7]
    add     r7, r7, #4096
    subs    r8, r8, #1
    bne     1b
2:  mov     r0, #SCHEDOP_yield
    .global dirty_swi
dirty_swi:
    swi     #XA_HYPERCALL_sched_op
    .global dirty_ret
dirty_ret:
    subs    r5, r5, #1
    bne     loop

done:
    mov     r0, #SCHEDOP_shutdown
    ldr     r1, =reason
    swi     #XA_HYPERCALL_sched_op
1:  b       1b

#include "parse_number.inc"

    .ltorg
    .data
reason:        .word SHUTDOWN_poweroff
    .bss
    .balign 4096
dirty_buf:     .space DIRTY_PAGES_MAX * 4096
