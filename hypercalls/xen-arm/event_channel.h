/*
 * xen-arm event channels: the EVTCHNOP_* commands of the event_channel_op hypercall and
 * their argument structs. Command numbers, struct field order, EVTCHNSTAT_* and VIRQ_*
 * values are Xen's (public/event_channel.h, public/xen.h).
 *
 * Call: swi #XA_HYPERCALL_event_channel_op with r0 = EVTCHNOP_*, r1 = guest address of the
 * command's struct. IN fields are read, OUT fields are written back on success only.
 * Unknown commands return -XEN_ENOSYS.
 */
#ifndef XEN_ARM_EVENT_CHANNEL_H
#define XEN_ARM_EVENT_CHANNEL_H

#include "abi.h"

#ifndef __ASSEMBLER__
/* An event-channel port number. Port 0 is reserved and never bound. */
typedef uint32_t evtchn_port_t;
#endif

/* EVTCHNOP_* commands (Xen numbering). bind_pirq, bind_ipi and bind_vcpu are not
 * implemented by xen-arm (no physical IRQ passthrough, one vCPU) and return -XEN_ENOSYS. */
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9

/* Virtual IRQs (Xen numbering). VIRQ_TIMER, VIRQ_DEBUG, VIRQ_XENOPROF and VIRQ_XENPMU are
 * per-vCPU; the others are global (bindable on vCPU 0 only). */
#define VIRQ_TIMER 0      /* the vCPU's one-shot timer fired (set_timer_op) */
#define VIRQ_DEBUG 1      /* debug request from the VMM console */
#define VIRQ_CONSOLE 2    /* console input available (privileged domain) */
#define VIRQ_DOM_EXC 3    /* a domain exited (privileged domain) */
#define VIRQ_TBUF 4       /* trace buffer */
#define VIRQ_DEBUGGER 6   /* a domain hit a debugger trap */
#define VIRQ_XENOPROF 7   /* profiling */
#define VIRQ_CON_RING 8   /* VMM console ring has data */
#define VIRQ_PCPU_STATE 9 /* physical CPU state change */
#define VIRQ_MEM_EVENT 10 /* memory event */
#define VIRQ_ARGO 11      /* Argo message */
#define VIRQ_ENOMEM 12    /* VMM low on memory */
#define VIRQ_XENPMU 13    /* PMU interrupt */
#define VIRQ_ARCH_0 16    /* 16..23: architecture specific */
#define XA_VIRQ_PASSTHROUGH                                                                                            \
    VIRQ_ARCH_0 /* xen-arm: the domain's passed-through device
                                           interrupted (domctl.h assign_device) */
/* xen-arm: the domain was rolled back to its checkpoint (docs/fault-tolerance.md); raised
 * after its memory and event state were restored. Its frontends reconnect, as after a Xen
 * save/restore: the backends have dropped what the checkpoint does not know of. */
#define XA_VIRQ_ROLLED_BACK (VIRQ_ARCH_0 + 1)
/* xen-arm, privileged domain: another domain was rolled back (XA_DOMCTL_ftinfo's rollbacks
 * count says which): its backends reset their connections to it. */
#define XA_VIRQ_DOM_ROLLBACK (VIRQ_ARCH_0 + 2)
#define VIRQ_ARCH_7 23
#define NR_VIRQS 24

#ifndef __ASSEMBLER__
/* EVTCHNOP_alloc_unbound: allocate a port in <dom> that <remote_dom> may later bind to.
 * dom may be DOMID_SELF; another domain needs privilege. */
struct evtchn_alloc_unbound {
    domid_t dom;        /* IN */
    domid_t remote_dom; /* IN (DOMID_SELF allowed) */
    evtchn_port_t port; /* OUT: the new unbound port */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;
XA_ABI_SIZE(struct evtchn_alloc_unbound, 8);
XA_ABI_OFFSET(struct evtchn_alloc_unbound, dom, 0);
XA_ABI_OFFSET(struct evtchn_alloc_unbound, remote_dom, 2);
XA_ABI_OFFSET(struct evtchn_alloc_unbound, port, 4);

/* EVTCHNOP_bind_interdomain: connect a new local port to <remote_dom>'s <remote_port>,
 * which must be unbound and allocated for the caller. */
struct evtchn_bind_interdomain {
    domid_t remote_dom;        /* IN (DOMID_SELF allowed: loopback) */
    evtchn_port_t remote_port; /* IN */
    evtchn_port_t local_port;  /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;
XA_ABI_SIZE(struct evtchn_bind_interdomain, 12);
XA_ABI_OFFSET(struct evtchn_bind_interdomain, remote_dom, 0);
XA_ABI_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);
XA_ABI_OFFSET(struct evtchn_bind_interdomain, local_port, 8);

/* EVTCHNOP_bind_virq: bind VIRQ <virq> of vCPU <vcpu> to a new local port. */
struct evtchn_bind_virq {
    uint32_t virq;      /* IN: VIRQ_* */
    uint32_t vcpu;      /* IN: 0 on xen-arm */
    evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;
XA_ABI_SIZE(struct evtchn_bind_virq, 12);
XA_ABI_OFFSET(struct evtchn_bind_virq, virq, 0);
XA_ABI_OFFSET(struct evtchn_bind_virq, vcpu, 4);
XA_ABI_OFFSET(struct evtchn_bind_virq, port, 8);

/* EVTCHNOP_close: close a local port; an interdomain peer reverts to unbound. */
struct evtchn_close {
    evtchn_port_t port; /* IN */
};
typedef struct evtchn_close evtchn_close_t;
XA_ABI_SIZE(struct evtchn_close, 4);
XA_ABI_OFFSET(struct evtchn_close, port, 0);

/* EVTCHNOP_send: signal the other end of a local port. */
struct evtchn_send {
    evtchn_port_t port; /* IN */
};
typedef struct evtchn_send evtchn_send_t;
XA_ABI_SIZE(struct evtchn_send, 4);
XA_ABI_OFFSET(struct evtchn_send, port, 0);

/* EVTCHNOP_status: describe port <port> of domain <dom>. */
#define EVTCHNSTAT_closed 0      /* free (never bound, or closed) or reserved */
#define EVTCHNSTAT_unbound 1     /* allocated, waiting for u.unbound.dom to bind */
#define EVTCHNSTAT_interdomain 2 /* connected to u.interdomain.{dom,port} */
#define EVTCHNSTAT_pirq 3        /* bound to physical IRQ u.pirq (unused on xen-arm) */
#define EVTCHNSTAT_virq 4        /* bound to VIRQ u.virq */
#define EVTCHNSTAT_ipi 5         /* IPI (unused on xen-arm) */

struct evtchn_status {
    domid_t dom;        /* IN (DOMID_SELF allowed; another domain needs privilege) */
    evtchn_port_t port; /* IN */
    uint32_t status;    /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;      /* OUT: vCPU notified */
    union {
        struct {
            domid_t dom;
        } unbound; /* EVTCHNSTAT_unbound */
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain; /* EVTCHNSTAT_interdomain */
        uint32_t pirq; /* EVTCHNSTAT_pirq */
        uint32_t virq; /* EVTCHNSTAT_virq */
    } u;               /* OUT */
};
typedef struct evtchn_status evtchn_status_t;
XA_ABI_SIZE(struct evtchn_status, 24);
XA_ABI_OFFSET(struct evtchn_status, dom, 0);
XA_ABI_OFFSET(struct evtchn_status, port, 4);
XA_ABI_OFFSET(struct evtchn_status, status, 8);
XA_ABI_OFFSET(struct evtchn_status, vcpu, 12);
XA_ABI_OFFSET(struct evtchn_status, u, 16);
XA_ABI_OFFSET(struct evtchn_status, u.interdomain.dom, 16);
XA_ABI_OFFSET(struct evtchn_status, u.interdomain.port, 20);
XA_ABI_OFFSET(struct evtchn_status, u.virq, 16);

/* EVTCHNOP_unmask: clear the port's mask bit and deliver it if it is pending. */
struct evtchn_unmask {
    evtchn_port_t port; /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;
XA_ABI_SIZE(struct evtchn_unmask, 4);
XA_ABI_OFFSET(struct evtchn_unmask, port, 0);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_ARM_EVENT_CHANNEL_H */
