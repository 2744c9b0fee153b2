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

// A scheduling decision about d, the current domain, whose registers are `regs` (leaving:
// it leaves the CPU, else its time slice ended and it goes on): takes the checkpoint its
// `checkpoint` key asks for if one is due. The scheduler calls it only for domains with
// fault tolerance.
void scheduled(Domain& d, const TrapFrame& regs, bool leaving);

// Write tracking (docs/fault-tolerance.md). write_fault: a data abort of d, the current
// domain, at far with status fsr: true if it was its first write to a clean tracked page,
// which is now dirty and writable (the domain retries the store). unprotect_for_vmm: the
// VMM's write probe of [va, va + len) in d, the current domain, failed: makes the clean
// tracked pages there dirty and writable, true if there was one (probe again).
// table_changing: d's own table is about to change (mmu_update, a grant map or unmap by
// d): tracking stops until the next checkpoint, which copies everything. frame_shared:
// another domain maps `frame` of owner's memory, which is then written without faults:
// copied at every checkpoint from now on.
bool write_fault(Domain& d, u32 far, u32 fsr);
bool unprotect_for_vmm(Domain& d, u32 va, u32 len);
void table_changing(Domain& d);
void frame_shared(Domain& owner, PhysAddr frame);

// Console output across a rollback: the lines a domain printed since its checkpoint are
// remembered (a hash each, the first kConsoleLines); after a rollback, its replay prints
// them again, and while its lines are the same ones in the same order they are not shown
// twice. The first line that differs ends the replay (it and what follows are shown). The
// partial line at the checkpoint is part of the checkpoint. console_line_shown: d's
// buffered line (d.con_line) is to be printed.
inline constexpr u32 kConsoleLines = 32;
bool console_line_shown(Domain& d);

bool has_checkpoint(const Domain& d);
// When d's last checkpoint was taken (timer::now_ns's clock); 0 without one.
u64 last_checkpoint_ns(const Domain& d);
// Counts for list/stats; nullptr for a domain without fault tolerance.
const Stats* stats(const Domain& d);

}  // namespace xa::ft
