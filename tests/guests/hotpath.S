/*
 * A minimal paravirtual guest for measuring the VMM's hot paths in instructions.
 *
 * Command line (start_info.cmd_line): three decimal numbers, e.g.
 * "calls=1100 yields=100 upcalls=0": the guest makes that many null hypercalls
 * (xen_version), then that many sched_op yield hypercalls, then that many event upcalls
 * (send on a loopback channel; the VMM delivers the upcall on the way back; the handler
 * clears the event and returns with restore_trap_frame), then shuts down. Under -icount shift=3 every instruction is 8 ns of virtual
 * time, so the difference between the VMM's final timestamps of two runs that differ only
 * in one count, divided by the difference in counts, is the cost of one iteration: the
 * hypercall round trip plus the 3 loop instructions (mov, subs, bne). With two such
 * domains every yield is a domain switch.
 */
#include <xen-arm/event_channel.h>
#include <xen-arm/hypercall.h>
#include <xen-arm/sched.h>
#include <xen-arm/shared_info.h>
#include <xen-arm/start_info.h>
#include <xen-arm/elfnote.h>
#include <xen-arm/trap.h>

    .equ DOMID_SELF_VALUE, 0x7FF0   /* DOMID_SELF: its C definition casts to domid_t */

XA_GUEST_NOTE

    .text
    .global _start
_start:
    add     r0, r0, #88             /* start_info.cmd_line */
    bl      parse_number
    mov     r4, r1
    bl      parse_number
    mov     r5, r1
    bl      parse_number
    mov     r6, r1

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
2:  cmp     r6, #0
    beq     2f
    bl      setup_loopback
1:  mov     r0, #EVTCHNOP_send
    ldr     r1, =send_arg
    swi     #XA_HYPERCALL_event_channel_op
    subs    r6, r6, #1
    bne     1b
2:  mov     r0, #SCHEDOP_shutdown
    ldr     r1, =reason
    swi     #XA_HYPERCALL_sched_op
1:  b       1b

/* Trap table with an IRQ (upcall) entry, a loopback channel (alloc_unbound for ourselves,
 * bind_interdomain to it), then upcalls unmasked. */
setup_loopback:
    mov     r8, lr
    ldr     r0, =trap_table
    swi     #XA_HYPERCALL_set_trap_table
    mov     r0, #EVTCHNOP_alloc_unbound
    ldr     r1, =alloc_arg
    swi     #XA_HYPERCALL_event_channel_op
    ldr     r1, =alloc_arg
    ldr     r2, [r1, #4]            /* .port */
    ldr     r1, =bind_arg
    str     r2, [r1, #4]            /* .remote_port */
    mov     r0, #EVTCHNOP_bind_interdomain
    swi     #XA_HYPERCALL_event_channel_op
    ldr     r1, =bind_arg
    ldr     r2, [r1, #8]            /* .local_port */
    ldr     r1, =send_arg
    str     r2, [r1]
    xa_window_of_pc r1
    add     r1, r1, #XA_SHARED_INFO_OFFSET
    mov     r2, #0
    strb    r2, [r1, #XA_VCPU_INFO_UPCALL_MASK]
    mov     pc, r8

/* The upcall handler (r0 = the trap frame): acknowledge everything (ports < 32) and return. */
upcall:
    xa_window_of_pc r1
    add     r1, r1, #XA_SHARED_INFO_OFFSET
    mov     r2, #0
    strb    r2, [r1, #XA_VCPU_INFO_UPCALL_PENDING]
    str     r2, [r1, #XA_VCPU_INFO_PENDING_SEL]
    str     r2, [r1, #XA_SHARED_INFO_EVTCHN_PENDING]
    swi     #XA_HYPERCALL_restore_trap_frame

#include "parse_number.inc"

    .data
reason:     .word SHUTDOWN_poweroff
trap_table: .word 0, 0, 0, 0, 0, 0, upcall, 0   /* XA_TRAP_IRQ = 6 */
alloc_arg:  .short DOMID_SELF_VALUE, DOMID_SELF_VALUE   /* dom, remote_dom */
            .word 0                                     /* port */
bind_arg:   .short DOMID_SELF_VALUE, 0                  /* remote_dom */
            .word 0, 0                                  /* remote_port, local_port */
send_arg:   .word 0
