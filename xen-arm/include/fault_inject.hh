// Fault injection into a domain (XA_DOMCTL_inject_fault, hypercalls/xen-arm/domctl.h): the
// faults a fault-tolerance campaign (traces/faults.py) plants in a domain that dom0 is not:
// bit flips and wild writes in its memory, bit flips in its saved registers, an undefined
// instruction at its pc, a jump to an arbitrary address.
//
// The target is off the CPU (dom0, the caller, is on it), so its registers are d.ctx. Its
// memory is mapped only in its own table (guest RAM is not in DIRECTMAP nor in the uncached
// alias), so a write switches to that table as the builder does (switch_ttbr cleans and
// invalidates the caches and the TLB both ways): none of the target's dirty lines can be
// written back over the injected word later, and no line of it stays in the VIVT caches.
// A fault-tolerant domain's write tracking is told of the write (ft::unprotect_for_vmm):
// the injected word is copied by the next checkpoint and undone by a rollback, like a
// store of the domain's own (a real bit flip in a clean page would be neither).
#pragma once

#include <xen-arm/domctl.h>

#include "domain.hh"
#include "types.hh"

namespace xa::fault_inject {

// Validates and applies `op` to `target`; fills its OUT fields. Err::inval for a bad
// argument (nothing is changed then). The caller has checked that target is alive and is
// not itself.
Err inject(Domain& target, xa_domctl_inject_fault& op);

}  // namespace xa::fault_inject
