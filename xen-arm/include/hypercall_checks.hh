// The pure argument checks of the hypercalls: what a guest may ask for, decided without
// touching any state, so the rules are host-tested one by one. hypercalls.cc applies them
// before it looks anything up.
#pragma once

#include <xen-arm/domctl.h>
#include <xen-arm/memory.h>
#include <xen-arm/trap.h>

#include "mmu.hh"
#include "types.hh"

namespace xa::checks {

// A guest page mapping as the VMM will install it.
struct PageMapping {
    PhysAddr frame;
    mmu::Domain domain;
    mmu::Ap ap;
    mmu::Mem mem;
};

// Whether va lies in the VMM-provided MiB of any kernel window (start_info.h): the VMM's
// alone in every domain, whichever window the domain's kernel runs in.
bool in_vmm_pages(u32 va);

// The address rules shared by map and unmap: 4 KiB aligned (inval), in the guest kernel
// or user region (inval), not in the VMM-provided MiB (perm).
Err check_guest_page_va(u32 va);

// update_va_mapping / mmu_update with a non-zero PTE: the address rules, then the flags:
// unknown bits or no XA_PTE_PRESENT (inval); kernel-region pages kernel-only and writable,
// user-region pages must say XA_PTE_USER (inval otherwise). Ownership of the frame is the
// frame table's business, not checked here.
Result<PageMapping> check_pte(u32 va, xa_pte_t pte);

// UVMF_* flags of update_va_mapping.
Err check_uvmf_flags(u32 flags);

// set_trap_table: each entry 0 (none) or a 4-byte aligned address in the guest kernel
// region below the VMM-provided MiB.
Err check_trap_table(const u32 (&table)[XA_TRAP_COUNT]);

// restore_trap_frame: the frame's virtual PSR must name virtual kernel or user mode.
Err check_vpsr(u32 vpsr);

// domctl: only a privileged domain (dom0) controls domains; any other caller gets
// -EPERM, unless check_domctl_unprivileged allows what it asks.
Err check_domctl_caller(bool privileged);

// domctl from an unprivileged caller, once its struct is read: XA_DOMCTL_ftinfo about
// itself is allowed (a domain may read its own fault-tolerance counts); anything else,
// about itself or another, is -EPERM.
Err check_domctl_unprivileged(u32 cmd, bool target_is_caller);

// domctl on the caller itself, once the target is known to exist: destroying itself is
// refused (perm: a domain ends with sched_op shutdown), pausing itself makes no sense
// (inval: nobody would be left to unpause it); everything else is allowed.
Err check_domctl_self(u32 cmd, bool target_is_caller);

}  // namespace xa::checks
