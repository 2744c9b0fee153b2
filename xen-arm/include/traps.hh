// Bouncing traps to guest kernels, returning from them, and crashing a domain.
#pragma once

#include "domain.hh"
#include "trap_frame.h"
#include "types.hh"

namespace xa::traps {

// The DACR for a virtual mode (Secure Xen on ARM: D1 manager in kernel mode only; D4, read-only
// grant maps, client in kernel mode and no-access in user mode: mmu.hh).
u32 dacr_for(const Domain& d, VirtMode mode);

// The guest's virtual PSR for the context in f.
u32 virtual_psr(Domain& d, const TrapFrame& f);

// Push a trap frame on the guest kernel stack and enter trap_table[kind] (XA_TRAP_*).
// false: the domain cannot take it (no handler, bad stack, fault inside its handler);
// `why` then says which, and the caller crashes the domain.
bool bounce(Domain& d, TrapFrame& f, u32 kind, const char*& why);

// restore_trap_frame: reload f from the guest's frame at va. Err::fault if unreadable,
// Err::inval for a bad virtual mode (nothing changed then).
Err restore(Domain& d, TrapFrame& f, u32 va);

// Deliver a pending, unmasked event upcall (XA_TRAP_IRQ) if there is one. The check is
// inline: it runs on every return to a guest.
void deliver_pending_upcall(Domain& d, TrapFrame& f);
inline void deliver_upcall(Domain& d, TrapFrame& f) {
    const vcpu_info& v = domains::shared(d)->vcpu[0];
    if (v.evtchn_upcall_pending != 0 && v.evtchn_upcall_mask == 0) [[unlikely]]
        deliver_pending_upcall(d, f);
}

// Stop d for good after a fault it cannot handle: prints the report, frees nothing.
void crash(Domain& d, const TrapFrame& f, const char* what, const char* why);

}  // namespace xa::traps
