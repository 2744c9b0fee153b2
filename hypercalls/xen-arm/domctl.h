/*
 * xen-arm domain control for the privileged domain (dom0): domctl(r0 = guest address of a
 * struct xen_domctl). Other domains get -EPERM, except for ftinfo about themselves. Command numbers follow Xen's
 * public/domctl.h; the struct is xen-arm's own (Xen's is far larger).
 *
 *   createdomain    build and start a domain from the boot image's configuration entry
 *                   named u.createdomain.name (declared with `start = manual`, or one
 *                   that was destroyed); OUT: domain = the new id. -ENOENT no such entry,
 *                   -EEXIST already running, -ENOMEM no memory or id left.
 *   destroydomain   stop `domain` and free its memory, ports and grants (not dom0 itself:
 *                   -EPERM). -ESRCH if it does not exist.
 *   pausedomain     take `domain` off the CPU until unpaused (-ESRCH; pausing oneself:
 *                   -EINVAL). Pauses nest like Xen's (a count).
 *   unpausedomain   undo one pause (-EINVAL if not paused).
 *   getdomaininfo   describe the first existing domain with id >= `domain` (for listing:
 *                   call again with id + 1); -ESRCH if there is none.
 *   assign_device   pass the board's device u.assign_device.name through to `domain`:
 *                   its 4 KiB register page is mapped at XA_PASSTHROUGH_OFFSET in
 *                   the domain's kernel window (its guest kernel ARM domain; uncached,
 *                   kernel only) and its interrupt line is routed to it: the VMM masks the line
 *                   and raises XA_VIRQ_PASSTHROUGH in the domain; the domain clears the
 *                   device's interrupt and unmasks the line with physdev_op(PHYSDEVOP_eoi)
 *                   (physdev.h). One device per domain; the device is released when the
 *                   domain is destroyed. OUT: va, irq. -ESRCH no such (live) domain,
 *                   -ENOENT no such device on this board, -EBUSY the device belongs to a
 *                   domain, -EEXIST the domain has a device already, -EINVAL its
 *                   XA_PASSTHROUGH_OFFSET MiB is in use.
 *
 * xen-arm's own, for the toolstack's listings (Xen has no boot image to ask about):
 *   getconfig       describe the boot image's domain entry number `domain` (0, 1, ...,
 *                   which is also the id a domain built from it gets): name, memory,
 *                   XA_CONFIG_* flags. -ENOENT past the last one.
 *   getdevice       describe the board's pass-through device number u.getdevice.index
 *                   (0, 1, ...): name, register page, interrupt line, owner (DOMID_INVALID
 *                   when nobody has it). -ENOENT past the last one.
 *   ftinfo          `domain`'s fault tolerance (docs/fault-tolerance.md): its mode and
 *                   checkpoint period, and its checkpoint and rollback counts (all zero for
 *                   a domain without fault tolerance). The one command any domain may use,
 *                   on itself; dom0 on any domain. -ESRCH no such domain (for dom0),
 *                   -EPERM another domain asked by an unprivileged caller.
 *   inject_fault    corrupt `domain` as u.inject_fault says (XA_INJECT_*): a bit of its
 *                   memory, a word of it, a bit of a saved register, an undefined
 *                   instruction at its pc, a jump. Not the caller itself (-EINVAL); -ESRCH
 *                   no such live domain; -EINVAL an unknown kind, an offset outside its
 *                   memory or not a multiple of 4, reg > 15, bit > 31, a pc outside its
 *                   memory (undef) or a jump target not a multiple of 4. OUT: va, old, now.
 */
#ifndef XEN_ARM_DOMCTL_H
#define XEN_ARM_DOMCTL_H

#include "abi.h"

#define XA_DOMCTL_INTERFACE_VERSION 1U

#define XEN_DOMCTL_createdomain 1
#define XEN_DOMCTL_destroydomain 2
#define XEN_DOMCTL_pausedomain 3
#define XEN_DOMCTL_unpausedomain 4
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_assign_device 37
#define XA_DOMCTL_getconfig 64
#define XA_DOMCTL_getdevice 65
/* Fault tolerance (fault_tolerance = vm, docs/fault-tolerance.md): copy `domain` into its
 * backup / put its last checkpoint back. For the caller itself a checkpoint is like setjmp:
 * the domctl returns 0, and 1 when a rollback resumes the domain from it. */
#define XA_DOMCTL_checkpoint 66
#define XA_DOMCTL_rollback 67
#define XA_DOMCTL_ftinfo 68
/* Fault injection, for fault-tolerance campaigns (docs/fault-tolerance.md): corrupt another
 * domain's memory or saved registers, u.inject_fault says how. */
#define XA_DOMCTL_inject_fault 69

#define XEN_DOMINF_dying (1U << 0)
#define XEN_DOMINF_shutdown (1U << 1) /* stopped by sched_op shutdown */
#define XEN_DOMINF_paused (1U << 2)
#define XEN_DOMINF_blocked (1U << 3)
#define XEN_DOMINF_running (1U << 4) /* the caller itself */
#define XEN_DOMINF_privileged (1U << 5)
#define XEN_DOMINF_crashed (1U << 6) /* crashed by the VMM or SHUTDOWN_crash */

struct xen_domctl_createdomain {
    char name[16]; /* IN: configuration entry */
};

struct xen_domctl_getdomaininfo {
    domid_t domain; /* OUT */
    uint16_t pad0;
    uint32_t flags;           /* OUT: XEN_DOMINF_* */
    uint32_t nr_pages;        /* OUT */
    uint32_t shutdown_reason; /* OUT: SHUTDOWN_* when XEN_DOMINF_shutdown */
    uint64_t cpu_time;        /* OUT: ns run */
    char name[16];            /* OUT */
    uint32_t store_port;      /* OUT: dom0's end of the domain's store channel (0: none) */
    uint32_t console_port;    /* OUT: dom0's end of its console channel (0: none) */
};
XA_ABI_SIZE(struct xen_domctl_getdomaininfo, 48);

struct xen_domctl_assign_device {
    char name[16]; /* IN: the board's device name, e.g. "gpt3" (imx21) */
    uint32_t va;   /* OUT: where its registers are mapped (window + XA_PASSTHROUGH_OFFSET) */
    uint32_t irq;  /* OUT: its interrupt line (the argument of PHYSDEVOP_eoi) */
};
XA_ABI_SIZE(struct xen_domctl_assign_device, 24);

#define XA_CONFIG_exists (1U << 0) /* a domain built from the entry exists now */
#define XA_CONFIG_privileged (1U << 1)
#define XA_CONFIG_autostart (1U << 2) /* started at boot (start = boot) */

struct xa_domctl_getconfig {
    char name[16];      /* OUT, NUL-terminated */
    uint32_t memory_kb; /* OUT */
    uint32_t flags;     /* OUT: XA_CONFIG_* */
};
XA_ABI_SIZE(struct xa_domctl_getconfig, 24);

struct xa_domctl_getdevice {
    uint32_t index; /* IN */
    char name[16];  /* OUT, NUL-terminated */
    uint32_t phys;  /* OUT: its register page */
    uint32_t irq;   /* OUT: its interrupt line */
    domid_t owner;  /* OUT: DOMID_INVALID if free */
    uint16_t pad0;
};
XA_ABI_SIZE(struct xa_domctl_getdevice, 32);

#define XA_FT_none 0 /* fault_tolerance = none */
#define XA_FT_vm 1   /* fault_tolerance = vm: checkpoints of the whole domain, rollback */
/* xa_domctl_ftinfo.checkpoint_us of checkpoint = manual: only XA_DOMCTL_checkpoint takes one. */
#define XA_FT_CHECKPOINT_MANUAL 0xFFFFFFFFU

struct xa_domctl_ftinfo {
    uint32_t mode;               /* OUT: XA_FT_* */
    uint32_t checkpoint_us;      /* OUT: the configured period; 0 = at every switch-out; XA_FT_CHECKPOINT_MANUAL */
    uint32_t checkpoints;        /* OUT: taken so far */
    uint32_t rollbacks;          /* OUT: done so far */
    uint32_t last_copied;        /* OUT: frames the last checkpoint or rollback copied */
    uint32_t has_checkpoint;     /* OUT: 1 if there is a checkpoint to roll back to */
    uint64_t frames_copied;      /* OUT: frames every checkpoint and rollback copied */
    uint64_t last_checkpoint_ns; /* OUT: system time of the last checkpoint (0: none) */
};
XA_ABI_SIZE(struct xa_domctl_ftinfo, 40);
XA_ABI_OFFSET(struct xa_domctl_ftinfo, frames_copied, 24);

/* inject_fault kinds. The target is off the CPU while dom0 runs: its registers are the ones
 * it resumes with. */
#define XA_INJECT_mem_flip 0             /* flip bit `bit` of the word at `offset` of its memory */
#define XA_INJECT_mem_write 1            /* write `value` to the word at `offset` (a wild write) */
#define XA_INJECT_reg_flip 2             /* flip bit `bit` of register `reg` (0-12, 13 sp, 14 lr, 15 pc) */
#define XA_INJECT_undef 3                /* an undefined instruction over the one at its pc */
#define XA_INJECT_jump 4                 /* its pc := `value` (e.g. unmapped code) */
#define XA_INJECT_UNDEF_INSN 0xE7F000F0U /* permanently undefined on ARM (UDF space) */

struct xa_domctl_inject_fault {
    uint32_t kind;   /* IN: XA_INJECT_* */
    uint32_t offset; /* IN: mem_*: byte offset into its memory, a multiple of 4 */
    uint32_t reg;    /* IN: reg_flip: 0..15 */
    uint32_t bit;    /* IN: mem_flip, reg_flip: 0..31 */
    uint32_t value;  /* IN: mem_write: the word; jump: the new pc (a multiple of 4) */
    uint32_t va;     /* OUT: the virtual address written (mem_*, undef), the old pc (jump) */
    uint32_t old;    /* OUT: the word or register before */
    uint32_t now;    /* OUT: the word or register after */
};
XA_ABI_SIZE(struct xa_domctl_inject_fault, 32);
XA_ABI_OFFSET(struct xa_domctl_inject_fault, value, 16);
XA_ABI_OFFSET(struct xa_domctl_inject_fault, now, 28);

struct xen_domctl {
    uint32_t cmd;               /* XEN_DOMCTL_* */
    uint32_t interface_version; /* XA_DOMCTL_INTERFACE_VERSION, else -EINVAL */
    domid_t domain;             /* IN (OUT for createdomain) */
    uint16_t pad0;
    uint32_t pad1;
    union {
        struct xen_domctl_createdomain createdomain;
        struct xen_domctl_getdomaininfo getdomaininfo;
        struct xen_domctl_assign_device assign_device;
        struct xa_domctl_getconfig getconfig;
        struct xa_domctl_getdevice getdevice;
        struct xa_domctl_ftinfo ftinfo;
        struct xa_domctl_inject_fault inject_fault;
        uint8_t pad[64];
    } u;
};
typedef struct xen_domctl xen_domctl_t;
XA_ABI_SIZE(struct xen_domctl, 80);
XA_ABI_OFFSET(struct xen_domctl, u, 16);

#endif /* XEN_ARM_DOMCTL_H */
