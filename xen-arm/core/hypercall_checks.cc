#include "hypercall_checks.hh"

#include <xen-arm/start_info.h>

namespace xa::checks {
namespace {

bool in_kernel_region(u32 va) { return va >= XA_GUEST_KERNEL_BASE && va < XA_GUEST_KERNEL_END; }
bool in_user_region(u32 va) { return va >= XA_GUEST_USER_BASE && va < XA_GUEST_USER_END; }

}  // namespace

bool in_vmm_pages(u32 va) {
    return in_kernel_region(va) && (va - XA_GUEST_KERNEL_BASE) % XA_WINDOW_SIZE >= XA_VMM_PAGES_OFFSET;
}

Err check_guest_page_va(u32 va) {
    if (!is_aligned(va, kPageSize)) return Err::inval;
    if (!in_kernel_region(va) && !in_user_region(va)) return Err::inval;
    if (in_vmm_pages(va)) return Err::perm;
    return Err::ok;
}

Result<PageMapping> check_pte(u32 va, xa_pte_t pte) {
    const Err e = check_guest_page_va(va);
    if (e != Err::ok) return e;
    const u32 flags = pte & ~XA_PTE_FRAME_MASK;
    if ((flags & ~XA_PTE_FLAGS_MASK) != 0 || (flags & XA_PTE_PRESENT) == 0) return Err::inval;
    PageMapping m{PhysAddr(pte & XA_PTE_FRAME_MASK), mmu::Domain::guest_kernel, mmu::Ap::priv_rw,
                  (flags & XA_PTE_UNCACHED) ? mmu::Mem::device : mmu::Mem::write_back};
    if (in_kernel_region(va)) {
        // Virtual kernel mode reaches kernel pages through a manager domain, which ignores
        // AP: a read-only kernel page cannot be expressed, so it is refused, not faked.
        // (Read-only kernel mappings exist only as grant maps, in ARM domain 4 and MiBs
        // of their own: grant_table.hh.)
        if ((flags & XA_PTE_USER) != 0 || (flags & XA_PTE_RW) == 0) return Err::inval;
    } else {
        if ((flags & XA_PTE_USER) == 0) return Err::inval;
        m.domain = mmu::Domain::guest_user;
        m.ap = (flags & XA_PTE_RW) ? mmu::Ap::all_rw : mmu::Ap::priv_rw_user_ro;
    }
    return m;
}

Err check_uvmf_flags(u32 flags) { return (flags & ~UVMF_FLUSHTYPE_MASK) != 0 ? Err::inval : Err::ok; }

Err check_trap_table(const u32 (&table)[XA_TRAP_COUNT]) {
    for (u32 h : table) {
        if (h == 0) continue;
        if (!is_aligned(h, 4) || !in_kernel_region(h) || in_vmm_pages(h)) return Err::inval;
    }
    return Err::ok;
}

Err check_vpsr(u32 vpsr) {
    const u32 mode = vpsr & XA_VPSR_MODE_MASK;
    return mode == XA_VPSR_MODE_KERNEL || mode == XA_VPSR_MODE_USER ? Err::ok : Err::inval;
}

Err check_domctl_caller(bool privileged) { return privileged ? Err::ok : Err::perm; }

Err check_domctl_unprivileged(u32 cmd, bool target_is_caller) {
    return cmd == XA_DOMCTL_ftinfo && target_is_caller ? Err::ok : Err::perm;
}

Err check_domctl_self(u32 cmd, bool target_is_caller) {
    if (!target_is_caller) return Err::ok;
    if (cmd == XEN_DOMCTL_destroydomain) return Err::perm;
    if (cmd == XEN_DOMCTL_pausedomain) return Err::inval;
    return Err::ok;
}

}  // namespace xa::checks
