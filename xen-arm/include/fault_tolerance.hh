// Whole-VM checkpoints and rollback of a fault-tolerant domain (fault_tolerance = vm), the
// full-copy baseline of docs/fault-tolerance.md: every checkpoint copies all of the
// domain's memory, before write tracking makes it copy only what changed.
//
// What a checkpoint holds: the domain's memory (into its backup block, through the backup
// window of checkpoint.hh), its shared_info (event-channel pending and mask bits, vcpu_info)
// and grant page, and its virtual CPU (registers, virtual mode, trap table, timer). A
// rollback puts all of it back, except what belongs to others as well: event channels
// pending now stay pending (ORed into the restored bits) and a grant entry keeps the
// GTF_reading/GTF_writing bits the VMM holds for maps in use. Whether it is blocked is the
// scheduler's: a caller rolling back a blocked domain wakes it (a wake-up without an event
// is allowed by the ABI).
//
// Both run with the domain's table loaded: as they are if it is the current domain, else
// switched to for the copy (as the builder loads a kernel). Nothing here is on a hot path:
// only domctl and the fault path, for vm domains, call it.
#pragma once

#include "checkpoint.hh"
#include "domain.hh"
#include "trap_frame.h"

namespace xa::ft {

// A new domain in slot `d.id`: forget any checkpoint of the slot's previous domain.
void reset(const Domain& d);

// Copies the domain into its backup; `regs` are its registers now (its trap frame while it
// is on the CPU, d.ctx otherwise). Err::inval for a domain without fault tolerance or that
// is not alive.
Err checkpoint(Domain& d, const TrapFrame& regs, u64 now);

// Puts the last checkpoint back and its registers into `regs`. fault: a fault the VMM would
// crash the domain for, counted in the failure window (Err::busy, nothing restored, when
// the window says no). Err::noent without a checkpoint, Err::inval for a domain without
// fault tolerance or that is not alive.
Err rollback(Domain& d, TrapFrame& regs, u64 now, bool fault);

bool has_checkpoint(const Domain& d);
// Counts for list/stats; nullptr for a domain without fault tolerance.
const Stats* stats(const Domain& d);

// When its last checkpoint was taken (timer::now_ns()); 0 without one.
u64 last_checkpoint_ns(const Domain& d);

}  // namespace xa::ft
