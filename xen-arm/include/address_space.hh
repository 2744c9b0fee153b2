// Which domains' cache lines and TLB entries may still be in the ARM926's caches and TLB,
// and whether a switch to a domain must clean them away first.
//
// The caches are virtually indexed and tagged and the TLB has no address-space id, so a
// switch between two domains that map the same virtual address to different frames (a
// homonym), or one frame at two virtual addresses (a synonym: a grant map), must clean and
// invalidate both before the next domain runs. Two domains that map no MiB in common, share
// no frame and have different ARM-domain tags (mmu.hh) need none of it: each one's lines
// and entries can only be hit at its own addresses, and the other's DACR makes a TLB entry
// it left behind fault. Kernels run in windows of their own (start_info.h) so that this is
// the common case; the switch then costs a TTBR write (Wiggins, Tuch, Uhlig and Heiser,
// "Fast Address-Space Switching on the StrongARM SA-1100 Processor").
//
// The VMM keeps, per domain, the set of domains it clashes with (a bitmask), and the set of
// domains that have run since the last full clean (resident). A switch to `next` cleans
// everything only if next clashes with a resident domain. The clash relation only grows
// while both domains exist (second-level tables, and with them first-level entries, are
// kept until a domain is destroyed; a grant map's synonym is counted until then too).
#pragma once

#include "domain.hh"
#include "types.hh"

namespace xa::space {

// Loads next's first-level table for a switch to it, cleaning and invalidating the caches
// and the TLB first only if next clashes with a domain that has run since they were last
// cleaned.
void enter(Domain& next);

// d was built (its table holds its memory and VMM pages): it clashes with the domains that
// share its ARM-domain tag and with those that map any MiB it maps.
void added(Domain& d);

// d's table got a first-level entry for the MiB of va: it clashes with the domains that map
// that MiB too.
void mapped_mib(Domain& d, VirtAddr va);

// mapper mapped a frame of owner's (a grant map): one frame at two virtual addresses.
void shares_frame(Domain& mapper, Domain& owner);

// d is about to be torn down: no line of it may be written back into frames that get a new
// owner, so if it has run since the last clean, everything is cleaned now.
void removed(Domain& d);

// The caches and the TLB were cleaned and invalidated by someone else (the builder's table
// switches, a guest's MMUEXT_FLUSH_CACHE): only the current domain can have lines now.
void flushed();

// Every switch cleans, clash or not (boot option switch=clean): the way to compare.
void clean_every_switch(bool yes);

// No domain has run and none clashes: the state at boot (and what each host test starts from).
void reset();

// Switches that needed a clean, for the statistics.
u32 clean_switches();
// Whether a and b clash (tests and statistics).
bool clash(const Domain& a, const Domain& b);

}  // namespace xa::space
