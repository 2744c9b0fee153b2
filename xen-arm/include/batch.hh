// The batched page-table hypercalls (mmu_update, mmuext_op) as one pure loop over guest
// memory, so its rules are host-tested with a fake memory: requests run in order, the first
// failure stops the batch and is the result, and the done count says how many succeeded.
#pragma once

#include <xen-arm/abi.h>

#include "types.hh"

namespace xa {

// What a batch reads and writes: the current guest's memory (guest_copy.hh) in the VMM, a
// buffer in the host tests. Mem provides
//   Err probe_write(u32 va, u32 len);
//   Err read(void* dst, u32 va, u32 len);
//   Err write(u32 va, const void* src, u32 len);
struct BatchArgs {
    u32 reqs;     // guest address of the first request
    u32 count;    // how many
    u32 done_va;  // where to store how many were done, 0: nowhere
    domid_t dom;  // must be DOMID_SELF or the caller
};

struct BatchLimits {
    u32 max;           // largest count accepted
    bool allow_empty;  // whether count 0 is a valid (empty) batch
};

template <typename Req, typename Mem, typename Apply>
Err run_batch(Mem& mem, DomId caller, const BatchArgs& a, BatchLimits lim, Apply apply) {
    if (a.dom != DOMID_SELF && a.dom != caller.value()) return Err::perm;
    if ((a.count == 0 && !lim.allow_empty) || a.count > lim.max) return Err::inval;
    // The done count is an output: unwritable, nothing is applied (a batch whose progress
    // cannot be reported must not change anything).
    if (a.done_va != 0 && mem.probe_write(a.done_va, sizeof(u32)) != Err::ok) return Err::fault;
    u32 done = 0;
    Err result = Err::ok;
    for (; done < a.count; ++done) {
        Req req;
        result = mem.read(&req, a.reqs + done * sizeof req, sizeof req);
        if (result == Err::ok) result = apply(req);
        if (result != Err::ok) break;
    }
    if (a.done_va != 0 && mem.write(a.done_va, &done, sizeof done) != Err::ok) return Err::fault;
    return result;
}

}  // namespace xa
