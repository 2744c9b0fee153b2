/*
 * Microbenchmarks of the VMM's paths, for traces/bench.py (make bench): a minimal
 * paravirtual guest whose interesting instructions carry global labels, so that the xatrace
 * plugin can time them with probes (the plugin records its instruction and cycle counters
 * each time a probed instruction is about to run).
 *
 * Command line: "mode=M count=N" (two decimal numbers, in that order):
 *   1 null    N xen_version hypercalls                    probes mb_null_swi -> mb_null_ret
 *   2 yield   N sched_op(yield); with two such domains     mb_yield_swi (dom A) ->
 *             every yield switches domains                 mb_yield_ret (dom B)
 *   3 evping  two domains ping-pong an event N times over  mb_send_swi (dom A) ->
 *             dom1's store channel (pre-bound to dom0):    mb_upcall (dom B)
 *             send, then block until the reply's upcall
 *   4 timer   N times: set_timer_op(1 ns, already past),   irq entry -> mb_upcall
 *             spin until the VIRQ_TIMER upcall has run
 * then SCHEDOP_shutdown(poweroff).
 */
#include <xen-arm/event_channel.h>
#include <xen-arm/hypercall.h>
#include <xen-arm/sched.h>
#include <xen-arm/shared_info.h>
#include <xen-arm/start_info.h>
#include <xen-arm/elfnote.h>
#include <xen-arm/trap.h>

    .equ SI_DOMID, 48                 /* start_info.domid (uint16_t) */
    .equ SI_STORE_EVTCHN, 56          /* start_info.store_evtchn */
    .equ SI_CMD_LINE, 88              /* start_info.cmd_line */

XA_GUEST_NOTE

    .text
    .global _start
_start:
    mov     r9, r0                    /* start_info */
    add     r0, r0, #SI_CMD_LINE
    bl      parse_number
    mov     r4, r1                    /* mode */
    bl      parse_number
    mov     r5, r1                    /* count */
    cmp     r5, #0
    beq     done
    cmp     r4, #1
    beq     null_loop
    cmp     r4, #2
    beq     yield_loop
    cmp     r4, #3
    beq     evping
    cmp     r4, #4
    beq     timer
    b       done

null_loop:
    mov     r0, #0                    /* XENVER_version */
    .global mb_null_swi
mb_null_swi:
    swi     #XA_HYPERCALL_xen_version
    .global mb_null_ret
mb_null_ret:
    subs    r5, r5, #1
    bne     null_loop
    b       done

yield_loop:
    mov     r0, #SCHEDOP_yield
    .global mb_yield_swi
mb_yield_swi:
    swi     #XA_HYPERCALL_sched_op
    .global mb_yield_ret
mb_yield_ret:
    subs    r5, r5, #1
    bne     yield_loop
    b       done

/* Two domains: dom1 sends on its store channel and waits for the reply; dom0 waits for a
 * message and replies on the port it came in on. */
evping:
    bl      upcalls_on
    ldrh    r0, [r9, #SI_DOMID]
    cmp     r0, #0
    beq     ev_responder
ev_initiator:
    ldr     r0, [r9, #SI_STORE_EVTCHN]
    ldr     r1, =send_arg
    str     r0, [r1]
1:  bl      send
    bl      wait_event
    subs    r5, r5, #1
    bne     1b
    b       done
ev_responder:
1:  bl      wait_event
    ldr     r1, =last_port
    ldr     r0, [r1]
    ldr     r1, =send_arg
    str     r0, [r1]
    bl      send
    subs    r5, r5, #1
    bne     1b
    b       done

send:
    mov     r0, #EVTCHNOP_send
    ldr     r1, =send_arg
    .global mb_send_swi
mb_send_swi:
    swi     #XA_HYPERCALL_event_channel_op
    mov     pc, lr

/* Block until the upcall handler has counted an event (SCHEDOP_block returns at once if
 * one is pending; the upcall runs on the way back from the hypercall). */
wait_event:
    ldr     r2, =events
1:  ldr     r3, [r2]
    cmp     r3, #0
    bne     2f
    mov     r0, #SCHEDOP_block
    swi     #XA_HYPERCALL_sched_op
    b       1b
2:  mov     r3, #0
    str     r3, [r2]
    mov     pc, lr

/* VIRQ_TIMER: arm a timer that is due already, spin until the upcall has run. */
timer:
    bl      upcalls_on
    mov     r0, #EVTCHNOP_bind_virq
    ldr     r1, =bind_virq_arg
    swi     #XA_HYPERCALL_event_channel_op
    ldr     r6, =events
1:  mov     r0, #1                    /* deadline 1 ns (low word), high word 0 */
    mov     r1, #0
    swi     #XA_HYPERCALL_set_timer_op
2:  ldr     r3, [r6]
    cmp     r3, #0
    beq     2b
    mov     r3, #0
    str     r3, [r6]
    subs    r5, r5, #1
    bne     1b
    b       done

done:
    mov     r0, #SCHEDOP_shutdown
    ldr     r1, =reason
    swi     #XA_HYPERCALL_sched_op
1:  b       1b

/* The trap table with the upcall entry, then upcalls unmasked. */
upcalls_on:
    mov     r8, lr
    ldr     r0, =trap_table
    swi     #XA_HYPERCALL_set_trap_table
    xa_window_of_pc r1
    add     r1, r1, #XA_SHARED_INFO_OFFSET
    mov     r2, #0
    strb    r2, [r1, #XA_VCPU_INFO_UPCALL_MASK]
    mov     pc, r8

/* The upcall (r0 = the trap frame): note the lowest pending port of word 0, acknowledge
 * everything, count one event, return with restore_trap_frame. */
    .global mb_upcall
mb_upcall:
    xa_window_of_pc r1
    add     r1, r1, #XA_SHARED_INFO_OFFSET
    mov     r2, #0
    strb    r2, [r1, #XA_VCPU_INFO_UPCALL_PENDING]
    str     r2, [r1, #XA_VCPU_INFO_PENDING_SEL]
    ldr     r3, [r1, #XA_SHARED_INFO_EVTCHN_PENDING]
    str     r2, [r1, #XA_SHARED_INFO_EVTCHN_PENDING]
    cmp     r3, #0
    beq     1f
    rsb     r2, r3, #0                /* lowest set bit: r3 & -r3, its index by CLZ */
    and     r3, r3, r2
    clz     r3, r3
    rsb     r3, r3, #31
    ldr     r2, =last_port
    str     r3, [r2]
1:  ldr     r2, =events
    ldr     r3, [r2]
    add     r3, r3, #1
    str     r3, [r2]
    swi     #XA_HYPERCALL_restore_trap_frame

#include "parse_number.inc"

    .ltorg
    .data
reason:        .word SHUTDOWN_poweroff
trap_table:    .word 0, 0, 0, 0, 0, 0, mb_upcall, 0   /* XA_TRAP_IRQ = 6 */
send_arg:      .word 0                                /* evtchn_send.port */
bind_virq_arg: .word VIRQ_TIMER, 0, 0                 /* virq, vcpu, port */
events:        .word 0
last_port:     .word 0
