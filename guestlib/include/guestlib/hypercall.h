/*
 * The hypercall wrappers of xen-arm's paravirtual guests (hypercalls/xen-arm/hypercall.h):
 * `swi #N`, arguments in r0-r4,
 * result in r0 (negative: -XEN_Exxx). The VMM restores every other register from its
 * trap frame; r1-r4 are still declared as possibly changed, so nothing depends on it.
 */
#ifndef GUESTLIB_HYPERCALL_H
#define GUESTLIB_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include <xen-arm/xen-arm.h>

#define _hypercall(nr, a0, a1, a2, a3, a4)                                                                             \
    __extension__({                                                                                                    \
        register uint32_t _r0 __asm__("r0") = (uint32_t)(a0);                                                          \
        register uint32_t _r1 __asm__("r1") = (uint32_t)(a1);                                                          \
        register uint32_t _r2 __asm__("r2") = (uint32_t)(a2);                                                          \
        register uint32_t _r3 __asm__("r3") = (uint32_t)(a3);                                                          \
        register uint32_t _r4 __asm__("r4") = (uint32_t)(a4);                                                          \
        __asm__ __volatile__("swi %[n]"                                                                                \
                             : "+r"(_r0), "+r"(_r1), "+r"(_r2), "+r"(_r3), "+r"(_r4)                                   \
                             : [n] "i"(nr)                                                                             \
                             : "memory", "cc");                                                                        \
        (int)_r0;                                                                                                      \
    })

#define _ptr(p) ((uint32_t)(uintptr_t)(p))

static inline int HYPERVISOR_set_trap_table(const void *table)
{
    return _hypercall(XA_HYPERCALL_set_trap_table, _ptr(table), 0, 0, 0, 0);
}

static inline int HYPERVISOR_mmu_update(const void *req, uint32_t count, uint32_t *done, domid_t dom)
{
    return _hypercall(XA_HYPERCALL_mmu_update, _ptr(req), count, _ptr(done), dom, 0);
}

static inline int HYPERVISOR_update_va_mapping(uint32_t va, xa_pte_t pte, uint32_t flags)
{
    return _hypercall(XA_HYPERCALL_update_va_mapping, va, pte, flags, 0, 0);
}

static inline int HYPERVISOR_mmuext_op(const struct mmuext_op *ops, uint32_t count, uint32_t *done, domid_t dom)
{
    return _hypercall(XA_HYPERCALL_mmuext_op, (uint32_t)(uintptr_t)ops, count, (uint32_t)(uintptr_t)done, dom, 0);
}

/* Make code just written at [va, va + len) executable (D-cache clean, I-cache invalidate). */
static inline int HYPERVISOR_sync_icache(uint32_t va, uint32_t len)
{
    const struct mmuext_op op = {XA_MMUEXT_SYNC_ICACHE, va, len};
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static inline int HYPERVISOR_set_timer_op(uint64_t deadline)
{
    return _hypercall(XA_HYPERCALL_set_timer_op, (uint32_t)deadline, (uint32_t)(deadline >> 32), 0, 0, 0);
}

static inline int HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return _hypercall(XA_HYPERCALL_event_channel_op, cmd, _ptr(arg), 0, 0, 0);
}

static inline int HYPERVISOR_xen_version(int cmd, void *arg)
{
    return _hypercall(XA_HYPERCALL_xen_version, cmd, _ptr(arg), 0, 0, 0);
}

static inline int HYPERVISOR_console_io(int cmd, uint32_t count, const void *buf)
{
    return _hypercall(XA_HYPERCALL_console_io, cmd, count, _ptr(buf), 0, 0);
}

static inline int HYPERVISOR_grant_table_op(int cmd, void *ops, uint32_t count)
{
    return _hypercall(XA_HYPERCALL_grant_table_op, cmd, _ptr(ops), count, 0, 0);
}

/* Returns to the context in frame (does not return here). */
static inline void HYPERVISOR_restore_trap_frame(const xa_trap_frame_t *frame)
{
    (void)_hypercall(XA_HYPERCALL_restore_trap_frame, _ptr(frame), 0, 0, 0, 0);
}

static inline int HYPERVISOR_vcpu_op(int cmd, uint32_t vcpu, void *arg)
{
    return _hypercall(XA_HYPERCALL_vcpu_op, cmd, vcpu, _ptr(arg), 0, 0);
}

static inline int HYPERVISOR_sched_op(int cmd, void *arg)
{
    return _hypercall(XA_HYPERCALL_sched_op, cmd, _ptr(arg), 0, 0, 0);
}

static inline int HYPERVISOR_domctl(struct xen_domctl *op)
{
    return _hypercall(XA_HYPERCALL_domctl, _ptr(op), 0, 0, 0, 0);
}

static inline int HYPERVISOR_physdev_op(int cmd, void *arg)
{
    return _hypercall(XA_HYPERCALL_physdev_op, cmd, _ptr(arg), 0, 0, 0);
}

static inline int HYPERVISOR_trace_marker(uint32_t tag)
{
    return _hypercall(XA_HYPERCALL_trace_marker, tag, 0, 0, 0, 0);
}

#endif /* GUESTLIB_HYPERCALL_H */
