// The hypercall handlers, one per table slot of hypercalls.cc, each defined next to the
// subsystem it drives (mm_hypercalls.cc, grant_hypercalls.cc, console_io.cc, sched_op.cc,
// domctl.cc). Every handler runs for the current domain in virtual kernel mode.
#pragma once

#include <xen-arm/xen-arm.h>

#include "domain.hh"
#include "trap_frame.h"
#include "types.hh"

namespace xa::hypercalls {

// What a handler leaves in the guest's r0. Four bytes, so it comes back in a register.
// A handler that has replaced the whole frame (restore_trap_frame, shutdown) returns
// keep_frame(f): r0 is written with what the frame already holds.
class HcResult {
  public:
    constexpr HcResult(i32 value) : r0_(static_cast<u32>(value)) {}
    constexpr HcResult(Err e) : r0_(static_cast<u32>(to_int(e))) {}
    static constexpr HcResult keep_frame(const TrapFrame& f) { return HcResult(static_cast<i32>(f.r[0])); }
    constexpr u32 r0() const { return r0_; }

  private:
    u32 r0_;
};
static_assert(sizeof(HcResult) == 4);

using Handler = HcResult (*)(Domain& d, TrapFrame& f);

// DOMID_SELF -> the caller's own id.
inline domid_t resolve(const Domain& d, domid_t dom) { return dom == DOMID_SELF ? d.id.value() : dom; }

HcResult mmu_update(Domain& d, TrapFrame& f);
HcResult mmuext_op(Domain& d, TrapFrame& f);
HcResult update_va_mapping(Domain& d, TrapFrame& f);
HcResult grant_table_op(Domain& d, TrapFrame& f);
HcResult console_io(Domain& d, TrapFrame& f);
HcResult sched_op(Domain& d, TrapFrame& f);
HcResult domctl(Domain& d, TrapFrame& f);

// Before a page's translation goes away (mm_hypercalls.cc): the VIVT caches hold lines by
// virtual address, so write back and drop its lines if d is current, then the TLB entry.
void forget_page(VirtAddr va, bool current);

// Prints d's buffered console line (console_io.cc); shutdown flushes what is left.
u32 console_flush(Domain& d);

}  // namespace xa::hypercalls
