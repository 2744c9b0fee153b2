// Domains: the VMM's record of each guest, its virtual CPU and its memory.
//
// A domain owns: one block of machine memory (nr_pages contiguous frames), its RAM disk's
// frames in the boot image if its configuration names one, a backup block as large as its
// memory if its configuration asks for fault tolerance, a first-level
// table of its own (the VMM's top 64 MB copied in from the master table), three VMM pages
// mapped in its VMM-provided MiB (shared_info, start_info, grant table), a slot in the
// event-channel and grant tables, and one virtual CPU (saved registers, virtual mode,
// trap table, one-shot timer).
//
// Everything is statically allocated: kMaxDomains slots, no heap.
#pragma once

#include <xen-arm/xen-arm.h>

#include "boot_image.hh"
#include "page_table.hh"
#include "trap_frame.h"
#include "types.hh"

namespace xa {

enum class DomState : u8 {
    free,      // slot unused
    alive,     // built and schedulable (may be blocked or paused)
    shutdown,  // stopped itself (sched_op shutdown); memory kept until destroyed
    crashed,   // stopped by the VMM after a fault it could not bounce; memory kept
};

enum class VirtMode : u8 { kernel, user };

struct Domain {
    static constexpr u32 kMaxDomains = boot_image::kMaxDomains;

    DomId id{};
    DomState state = DomState::free;
    bool privileged = false;
    char name[16] = {};
    u32 config_index = 0;  // the boot image's domain entry it was built from

    // ---- memory
    PhysAddr mem_base{};
    u32 nr_pages = 0;
    PageTable* table = nullptr;  // lives in table_storage while the domain exists
    alignas(PageTable) u8 table_storage[sizeof(PageTable)] = {};
    PhysAddr shared_pa{}, start_pa{}, grants_pa{}, trace_pa{};  // the VMM pages (VMM frames)
    PhysAddr ramdisk_pa{};  // its RAM disk's frames in the boot image (VMM frames it owns
    u32 ramdisk_pages = 0;  // as ordinary memory while it exists); 0 pages: none
    // ...as the VMM reaches them: through its uncached alias of its RAM (layout.hh), never
    // DIRECTMAP, so that they can never be stale in a VIVT cache line of the VMM's or of a
    // domain that is off the CPU but still has lines in the caches (sched.cc: switches
    // keep the caches). The guest maps shared_info and the grant table uncached too.
    shared_info* shared_uc = nullptr;
    start_info* start_uc = nullptr;
    grant_entry_v1* grants_uc = nullptr;
    // Where its kernel runs (start_info.h: the window its ELF was linked or relocated
    // for; set by build() from the kernel's entry) and its ARM-domain tag (mmu.hh), with the
    // DACR values of its two virtual modes.
    VirtAddr window{};
    u32 tag = 0;
    u32 dacr_kernel = 0;
    u32 dacr_user = 0;

    // ---- virtual CPU
    TrapFrame ctx{};  // registers while the domain is off the CPU
    VirtMode mode = VirtMode::kernel;
    u32 trap_table[XA_TRAP_COUNT] = {};
    u64 timer_deadline_ns = 0;  // set_timer_op; 0 = none
    u32 time_version = 0;       // what vcpu_info.time_version says (sched.cc: its only writer)
    bool blocked = false;       // sched_op block/poll: waiting for an event
    bool polling = false;       // ...for one of poll_ports (or poll_timeout_ns)
    u32 poll_count = 0;
    u32 poll_ports[XA_SCHED_POLL_MAX_PORTS] = {};
    u64 poll_timeout_ns = 0;
    u32 pause_count = 0;
    u32 shutdown_reason = 0;

    // ---- accounting (what the scheduling policy keeps per domain is its own: sched_policy.hh)
    // 0 here, not RUNSTATE_offline: every member's default is zero, so the slot array is in
    // .bss, not in the VMM's image; build() sets RUNSTATE_offline before anything reads it.
    u32 runstate = 0;
    u64 runstate_entry_ns = 0;
    u64 runstate_ns[4] = {};

    // ---- console_io line buffer
    char con_line[120] = {};
    u32 con_len = 0;

    // ---- channels to dom0 made by the builder (dom0's ends; 0 for dom0 itself)
    u32 store_port_dom0 = 0;
    u32 console_port_dom0 = 0;

    // ---- fault tolerance (docs/fault-tolerance.md), from its configuration. With kFtVm the
    // domain owns a backup block as large as its memory: frames typed backup in the frame
    // table, mapped in no table. No checkpoint is taken into it yet.
    u32 fault_tolerance = boot_image::kFtNone;
    u32 checkpoint_us = 0;        // 0: at every switch-out
    PhysAddr backup_pa{};         // nr_pages frames while fault_tolerance is kFtVm
    PhysAddr backup_grants_pa{};  // a VMM frame (DIRECTMAP) for the grant page's copy

    // Time spent in runstate `state` (RUNSTATE_*) up to `now`, the current stretch included.
    u64 runstate_time(u32 state, u64 now) const {
        return runstate_ns[state] + (runstate == state ? now - runstate_entry_ns : 0);
    }

    bool alive() const { return state == DomState::alive; }
    bool runnable() const { return alive() && !blocked && pause_count == 0; }
};

// The VMM memory a domain can make the VMM allocate for it is bounded per domain. The only
// thing a guest request allocates is a second-level (coarse) table, 1 KiB of VMM memory,
// for each MiB it maps a first page in (mmu_update, update_va_mapping, grant maps); its
// ports (event_channel.hh), grant maptrack (grant_table.hh) and VMM pages are fixed
// arrays or built with it. The quota: one table per MiB of its memory and of its RAM disk
// (each may be mapped once), plus kCoarseTableAllowance for everything else it maps (the
// VMM-provided MiB, a passed-through device, user pages, grant-map windows). Past it,
// Err::nomem (-ENOMEM; GNTST_no_device_space for a grant map). Tables are given back when
// the domain is destroyed.
inline constexpr u32 kCoarseTableAllowance = 64;
constexpr u32 coarse_table_quota(u32 mem_bytes, u32 ramdisk_bytes) {
    return align_up(mem_bytes, kSectionSize) / kSectionSize + align_up(ramdisk_bytes, kSectionSize) / kSectionSize +
           kCoarseTableAllowance;
}
static_assert(coarse_table_quota(1u << 20, 0) == 65);

namespace domains {

namespace detail {
extern Domain* running;  // read on every hypercall: inline accessors below
extern Domain slots[Domain::kMaxDomains];
}  // namespace detail

// Any state but free; nullptr otherwise.
inline Domain* get(DomId id) {
    if (id.value() >= Domain::kMaxDomains) return nullptr;
    Domain& d = detail::slots[id.value()];
    return d.state == DomState::free ? nullptr : &d;
}
inline Domain& slot(u32 index) { return detail::slots[index]; }  // raw slot, index < kMaxDomains
// The domain on the CPU (nullptr while idle / at boot).
inline Domain* current() { return detail::running; }
inline void set_current(Domain* d) { detail::running = d; }

// The pointers through which the VMM touches a domain's shared_info / grant entries:
// the uncached alias, whether or not the domain is current.
inline shared_info* shared(Domain& d) { return d.shared_uc; }
inline grant_entry_v1* grant_entries(Domain& d) { return d.grants_uc; }

// How many domains are alive.
u32 alive_count();

// Build and start the domain of boot-image entry `config_index` (its id is the index).
// On failure nothing is left allocated and `problem` says why.
Err build(u32 config_index, const char*& problem);

// Free everything a stopped or live domain holds (not the current domain).
Err destroy(Domain& d);

}  // namespace domains
}  // namespace xa
