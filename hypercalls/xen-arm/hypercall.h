/*
 * xen-arm hypercall numbers.
 *
 * A guest kernel issues a hypercall with `swi #N` (ARM state), N = hypercall number below,
 * arguments in r0-r4, result in r0 (negative = -XEN_Exxx). Numbers are Xen's (Xen 3.0
 * __HYPERVISOR_* numbering, as Samsung's Xen-ARM used) wherever Xen has an equivalent; the
 * VMM rejects any N >= XA_HYPERCALL_COUNT, and any unimplemented N, with -XEN_ENOSYS.
 */
#ifndef XEN_ARM_HYPERCALL_H
#define XEN_ARM_HYPERCALL_H

#include "abi.h"

#define XA_HYPERCALL_set_trap_table 0      /* install the guest's 8-entry trap table */
#define XA_HYPERCALL_mmu_update 1          /* validated page-table updates */
#define XA_HYPERCALL_sched_op_compat 6     /* old-style sched_op */
#define XA_HYPERCALL_update_va_mapping 14  /* update one PTE by virtual address */
#define XA_HYPERCALL_set_timer_op 15       /* one-shot timer (VIRQ_TIMER) */
#define XA_HYPERCALL_event_channel_op 16   /* (cmd = EVTCHNOP_*, arg *) */
#define XA_HYPERCALL_xen_version 17        /* version queries */
#define XA_HYPERCALL_console_io 18         /* early/debug console */
#define XA_HYPERCALL_grant_table_op 20     /* grant tables (v1) */
#define XA_HYPERCALL_restore_trap_frame 23 /* return from an upcall/bounced trap */
#define XA_HYPERCALL_vcpu_op 24            /* per-vCPU operations */
#define XA_HYPERCALL_mmuext_op 26          /* cache and TLB maintenance (memory.h) */
#define XA_HYPERCALL_sched_op 29           /* yield / block / shutdown */
#define XA_HYPERCALL_physdev_op 33         /* passed-through device interrupts (physdev.h) */
#define XA_HYPERCALL_domctl 36             /* domain control (privileged) */

/*
 * xen-arm specific, no Xen equivalent: a trace marker (r0 = a guest-chosen 32-bit tag) that
 * the VMM logs with a timestamp; used by tests to delimit phases. Kept above Samsung Xen-ARM's
 * 48/49 (fcse_set_pid/fcse_get_pid) so those stay free.
 */
#define XA_HYPERCALL_trace_marker 50

/* One more than the highest hypercall number: the size of the VMM's dispatch table. */
#define XA_HYPERCALL_COUNT 51

#endif /* XEN_ARM_HYPERCALL_H */
