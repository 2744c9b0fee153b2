// The pure part of bouncing a trap to a guest kernel and of restore_trap_frame: which
// traps a domain can take, where the frame goes, and what CPSR and virtual mode the guest
// gets. traps.cc adds the hardware (the MMU probe of the frame, DACR, the copy); the host
// tests pin these rules.
#pragma once

#include <xen-arm/trap.h>

#include "domain.hh"
#include "hypercall_checks.hh"
#include "libc.hh"
#include "trap_frame.h"
#include "types.hh"

namespace xa::traps {

inline constexpr u32 kArmPsrFlags = ARM_PSR_FLAGS;  // N Z C V: the only CPSR bits a guest controls
static_assert(kArmPsrFlags == XA_VPSR_FLAGS);

// Whether trap `kind` is refused as a fault inside a trap handler: an abort or undefined
// instruction in virtual kernel mode with upcalls masked (inside a handler, or with the
// guest's interrupts off). Bouncing again would most likely loop, so the domain is stopped
// instead. Upcalls (IRQ) and system calls (SWI) are never refused here. v is the domain's
// vcpu_info, read only in virtual kernel mode.
constexpr bool nested_fault(bool from_kernel, const vcpu_info& v, u32 kind) {
    return from_kernel && v.evtchn_upcall_mask != 0 && kind != XA_TRAP_IRQ && kind != XA_TRAP_SWI;
}

// Where the frame goes below `stack`: wholly below it, 8-byte aligned down. Meaningful
// only if frame_fits(stack): a stack too low to hold one has no place (the address would
// wrap).
constexpr bool frame_fits(u32 stack) { return stack >= sizeof(xa_trap_frame); }
constexpr u32 bounce_frame_va(u32 stack) { return (stack - static_cast<u32>(sizeof(xa_trap_frame))) & ~7u; }

// The registers the guest enters its handler with: r0 = sp = the frame, r1 = the kind,
// lr = 0, USR mode with no flag set (never I/F/T, never a privileged mode).
constexpr void enter_handler(TrapFrame& f, u32 frame_va, u32 kind, u32 handler) {
    f.r[0] = frame_va;
    f.r[1] = kind;
    f.sp = frame_va;
    f.lr = 0;
    f.pc = handler;
    f.cpsr = ARM_MODE_USR;
}

// The CPSR restore_trap_frame loads: USR mode and the frame's condition flags only.
constexpr u32 restored_cpsr(u32 vpsr) { return ARM_MODE_USR | (vpsr & kArmPsrFlags); }

// What restore_trap_frame changes besides the registers.
struct RestoredState {
    VirtMode mode;
    bool upcalls_masked;
};

// restore_trap_frame from the guest's (already copied) frame: -EINVAL for a virtual mode
// other than kernel or user, with f and out untouched; otherwise f holds the frame's
// registers and restored_cpsr, out the virtual mode and mask.
inline Err apply_guest_frame(TrapFrame& f, const xa_trap_frame& gf, RestoredState& out) {
    if (checks::check_vpsr(gf.vpsr) != Err::ok) return Err::inval;
    const u32 mode = gf.vpsr & XA_VPSR_MODE_MASK;
    memcpy(&f, &gf, sizeof gf);
    f.cpsr = restored_cpsr(gf.vpsr);
    out.mode = mode == XA_VPSR_MODE_KERNEL ? VirtMode::kernel : VirtMode::user;
    out.upcalls_masked = (gf.vpsr & XA_VPSR_I) != 0;
    return Err::ok;
}

}  // namespace xa::traps
