/*
 * xen-arm shared info page: one 4 KiB page per domain, written by both the VMM and the
 * guest kernel, holding the vCPU's virtual interrupt state and virtual registers and the
 * 2-level event-channel bitmaps.
 *
 * 2-level event channels (Xen's event_2l semantics), 32-bit words, 1024 ports:
 *   port p is bit (p % 32) of evtchn_pending[p / 32] / evtchn_mask[p / 32], and word
 *   p / 32 is bit (p / 32) of vcpu_info.evtchn_pending_sel.
 *   Send: set the pending bit; if it was clear, the port is not masked and the selector bit
 *   was clear, set the selector bit and evtchn_upcall_pending (and kick the vCPU).
 *   Guest: clear evtchn_upcall_pending, barrier, swap evtchn_pending_sel with 0, and for
 *   each set selector bit scan pending & ~mask, clearing each port's pending bit before
 *   handling it.
 *
 * Layout is explicit (no implicit padding), identical for every ABI that aligns uint64_t to
 * 4 or 8 bytes; the asserts below pin it.
 */
#ifndef XEN_ARM_SHARED_INFO_H
#define XEN_ARM_SHARED_INFO_H

#include "abi.h"
#include "event_channel.h"

#define XA_SHARED_INFO_SIZE 4096                                      /* the page the VMM maps for each domain */
#define XA_EVTCHN_WORD_BITS 32                                        /* bits per pending/mask word */
#define XA_EVTCHN_WORDS 32                                            /* words in each bitmap (one selector bit each) */
#define XA_EVTCHN_2L_NR_PORTS (XA_EVTCHN_WORD_BITS * XA_EVTCHN_WORDS) /* 1024 */
#define XA_MAX_VCPUS 1                                                /* vcpu_info slots in shared_info */

/* Field offsets for assembly (tied to the structs by the asserts below). */
#define XA_VCPU_INFO_UPCALL_PENDING 0
#define XA_VCPU_INFO_UPCALL_MASK 1
#define XA_VCPU_INFO_PENDING_SEL 4
#define XA_VCPU_INFO_VKSP 12
#define XA_SHARED_INFO_EVTCHN_PENDING 40
#define XA_SHARED_INFO_EVTCHN_MASK 168

#ifndef __ASSEMBLER__
/* Per-vCPU state. */
struct vcpu_info {
    /* Set by the VMM when an event is delivered; cleared by the guest before it scans
     * evtchn_pending_sel. The VMM enters the guest's IRQ trap entry when this is set and
     * evtchn_upcall_mask is clear. */
    uint8_t evtchn_upcall_pending;
    /* The guest's virtual CPSR I bit: 1 = upcalls masked. Set by the VMM on entry to any
     * guest trap handler; cleared by the guest (or restore_trap_frame). */
    uint8_t evtchn_upcall_mask;
    uint8_t pad0[2]; /* zero */
    /* Bit w set = evtchn_pending[w] may have ports to handle. Guest swaps it with 0. */
    uint32_t evtchn_pending_sel;
    /* xen-arm virtual registers, written by the VMM when it bounces a trap to the guest: */
    uint32_t vspsr; /* virtual SPSR: the guest's virtual CPSR (mode, I bit) before the trap */
    uint32_t vksp;  /* the guest kernel's stack pointer, loaded on a user->kernel bounce */
    uint32_t vusp;  /* the interrupted virtual user mode's SP, saved on a bounce */
    uint32_t vfar;  /* virtual FAR: fault address of the last bounced abort */
    uint32_t vfsr;  /* virtual FSR: fault status of the last bounced abort */
    /* Incremented by the VMM before and after updating system_time_ns (odd = update in
     * progress); a guest rereads until it sees the same even value on both sides. */
    uint32_t time_version;
    /* Nanoseconds since the VMM booted, as of the last update. */
    uint64_t system_time_ns;
};
typedef struct vcpu_info vcpu_info_t;
XA_ABI_SIZE(struct vcpu_info, 40);
XA_ABI_OFFSET(struct vcpu_info, evtchn_upcall_pending, XA_VCPU_INFO_UPCALL_PENDING);
XA_ABI_OFFSET(struct vcpu_info, evtchn_upcall_mask, XA_VCPU_INFO_UPCALL_MASK);
XA_ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, XA_VCPU_INFO_PENDING_SEL);
XA_ABI_OFFSET(struct vcpu_info, vspsr, 8);
XA_ABI_OFFSET(struct vcpu_info, vksp, XA_VCPU_INFO_VKSP);
XA_ABI_OFFSET(struct vcpu_info, vusp, 16);
XA_ABI_OFFSET(struct vcpu_info, vfar, 20);
XA_ABI_OFFSET(struct vcpu_info, vfsr, 24);
XA_ABI_OFFSET(struct vcpu_info, time_version, 28);
XA_ABI_OFFSET(struct vcpu_info, system_time_ns, 32);

/* Per-domain shared page. */
struct shared_info {
    /* One per vCPU (xen-arm guests have one). */
    struct vcpu_info vcpu[XA_MAX_VCPUS];
    /* Pending bit per port. Set by the VMM (send), cleared by the guest when it handles
     * the port. */
    uint32_t evtchn_pending[XA_EVTCHN_WORDS];
    /* Mask bit per port, owned by the guest: a masked port still becomes pending but does
     * not raise an upcall; EVTCHNOP_unmask clears the bit and delivers a pending port. */
    uint32_t evtchn_mask[XA_EVTCHN_WORDS];
    /* Same protocol as vcpu_info.time_version, for wall_clock_ns. */
    uint32_t wc_version;
    uint32_t pad1; /* zero */
    /* Wall-clock time (ns since the Unix epoch) at system_time_ns == 0. */
    uint64_t wall_clock_ns;
};
typedef struct shared_info shared_info_t;
XA_ABI_SIZE(struct shared_info, 312);
XA_ABI_OFFSET(struct shared_info, vcpu, 0);
XA_ABI_OFFSET(struct shared_info, evtchn_pending, XA_SHARED_INFO_EVTCHN_PENDING);
XA_ABI_OFFSET(struct shared_info, evtchn_mask, XA_SHARED_INFO_EVTCHN_MASK);
XA_ABI_OFFSET(struct shared_info, wc_version, 296);
XA_ABI_OFFSET(struct shared_info, wall_clock_ns, 304);
XA_ABI_ASSERT(sizeof(struct shared_info) <= XA_SHARED_INFO_SIZE, "shared_info fits a page");
XA_ABI_ASSERT(XA_EVTCHN_2L_NR_PORTS == 1024, "2-level: 1024 ports");
XA_ABI_ASSERT(XA_EVTCHN_WORDS <= 32, "one selector bit per pending word");

#endif /* !__ASSEMBLER__ */

#endif /* XEN_ARM_SHARED_INFO_H */
