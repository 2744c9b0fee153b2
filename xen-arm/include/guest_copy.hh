// Copying to and from the current guest's memory, with the guest's own rights.
//
// xa_probe_guest (arch/arm/uaccess.S) lets the MMU decide: it touches every page of the
// range with user-mode ("T") accesses under the current DACR, so the VMM reads or writes
// only what the guest on the CPU could itself read or write in its current virtual mode
// (never the VMM's 64 MB, never an unmapped page); a fault there becomes -EFAULT. The
// copy then runs with ordinary loads and stores. Only for the current domain. A read-only
// grant map (ARM domain 4: a client in virtual kernel mode, AP user read-only) passes a
// read probe and fails a write probe, so the VMM never writes through one for its guest
// although its own privileged stores would be allowed there.
//
// A fault-tolerant domain's clean pages fail a write probe until they are marked dirty
// (probe_write_failed).
//
// The system tests drive the checks end to end (mini-OS's attack app passes VMM, unmapped
// and read-only addresses to hypercalls); the DACR/AP rules the MMU applies are pinned
// by tests/host/test_mmu.cc.
#pragma once

#include "libc.hh"
#include "types.hh"

extern "C" int xa_probe_guest(xa::u32 va, xa::u32 len, int write);

namespace xa {

// A failed write probe: retried once if the range holds pages a fault-tolerant domain has
// not written since its checkpoint (read-only until then, fault_tolerance.hh), which the
// VMM's write makes dirty. Out of line: the probes that pass never get here.
Err probe_write_failed(u32 va, u32 len);

inline Err probe_guest(u32 va, u32 len, bool write) {
    if (xa_probe_guest(va, len, write ? 1 : 0) == 0) [[likely]]
        return Err::ok;
    return write ? probe_write_failed(va, len) : Err::fault;
}

inline Err copy_from_current_guest(void* dst, u32 va, u32 len) {
    if (probe_guest(va, len, false) != Err::ok) return Err::fault;
    memcpy(dst, reinterpret_cast<const void*>(va), len);
    return Err::ok;
}

inline Err copy_to_current_guest(u32 va, const void* src, u32 len) {
    if (probe_guest(va, len, true) != Err::ok) return Err::fault;
    memcpy(reinterpret_cast<void*>(va), src, len);
    return Err::ok;
}

}  // namespace xa

namespace xa {

// The current guest's memory as run_batch (batch.hh) reads and writes it.
struct CurrentGuestMemory {
    Err probe_write(u32 va, u32 len) { return probe_guest(va, len, true); }
    Err read(void* dst, u32 va, u32 len) { return copy_from_current_guest(dst, va, len); }
    Err write(u32 va, const void* src, u32 len) { return copy_to_current_guest(va, src, len); }
};

}  // namespace xa
