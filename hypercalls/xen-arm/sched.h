/*
 * xen-arm scheduling and timers: sched_op and set_timer_op (Xen numbering and semantics).
 *
 * sched_op(r0 = SCHEDOP_*, r1 = guest address of the command's struct, or 0):
 *   yield    give the CPU to the next runnable domain; returns 0 when run again
 *   block    sleep until an event is pending for this domain (returns at once if one is
 *            already pending); Xen PV guests clear their upcall mask just before blocking,
 *            xen-arm also unmasks upcalls as part of block, like Xen's
 *   shutdown stop the domain for good (struct sched_shutdown); does not return
 *   poll     sleep until one of the listed ports is pending or the timeout (absolute
 *            system time in ns, 0 = none) passes (struct sched_poll)
 *
 * set_timer_op(r0 = low 32 bits, r1 = high 32 bits of an absolute system time in ns):
 *   raise VIRQ_TIMER once system time reaches it; 0 cancels. A time already past fires at
 *   the next tick. One timer per vCPU; a new call replaces the old deadline.
 */
#ifndef XEN_ARM_SCHED_H
#define XEN_ARM_SCHED_H

#include "abi.h"

#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3

#define SHUTDOWN_poweroff 0 /* clean exit */
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3 /* the guest reports it has failed */

#ifndef __ASSEMBLER__
struct sched_shutdown {
    uint32_t reason; /* SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
XA_ABI_SIZE(struct sched_shutdown, 4);

#define XA_SCHED_POLL_MAX_PORTS 32U

struct sched_poll {
    uint32_t ports;    /* guest address of evtchn_port_t[nr_ports] */
    uint32_t nr_ports; /* 1..XA_SCHED_POLL_MAX_PORTS */
    uint64_t timeout;  /* absolute system time in ns; 0 = wait for an event only */
};
typedef struct sched_poll sched_poll_t;
XA_ABI_SIZE(struct sched_poll, 16);
XA_ABI_OFFSET(struct sched_poll, timeout, 8);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_ARM_SCHED_H */
