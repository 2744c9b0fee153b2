// The target-only services domain.cc calls (vmm::, vmm_memory::, sched::, passthrough::,
// printk), faked over one host buffer standing in for the board's RAM, so the domain
// builder runs on the host against the real frame allocator, frame table, page tables,
// event channels and grant tables.
//
// RAM: kVmmBytes of VMM memory (the VMM frame allocator's, all frame-table "vmm") followed
// by kGuestBytes of guest memory (the guest frame allocator's). The direct map covers both,
// so tests can read what the builder wrote into a domain's memory.
#pragma once

#include <string>

#include "boot_image_parse.hh"
#include "domain.hh"
#include "grant_table.hh"
#include "types.hh"

namespace xa::fake {

inline constexpr u32 kRamBase = 0x20000000;
inline constexpr u32 kVmmBytes = 2 * MiB;
inline constexpr u32 kGuestBytes = 8 * MiB;
inline constexpr u32 kRamBytes = kVmmBytes + kGuestBytes;

// Fresh RAM (zeroed), allocators, frame table, event channels, grant tables, domain slots
// and CPU registers; the master table maps the VMM's 64 MB; no boot image.
void reset();
// The boot image build() reads (nullptr: the VMM was booted alone).
void set_boot_image(const BootImageView* view);
// Where physical address pa is in the host buffer (pa inside RAM).
u8* ram(PhysAddr pa);

// What the fakes saw since reset().
struct Calls {
    u32 domain_started = 0;
    u32 domain_stopped = 0;
    u32 passthrough_released = 0;
    Err admit_result = Err::ok;    // what sched::admit answers
    u32 started_timeslice_ns = 0;  // the last domain_started's parameters
    u32 started_priority = 0;
    u32 time_updated = 0;  // sched::update_time
    u32 timer_set = 0;     // sched::timer_set
    u32 virqs_raised = 0;  // sched::raise_virq
    u32 last_virq = 0;
    u16 last_virq_dom = 0;
};
Calls& calls();
// The clock timer::now_ns() reads (the scheduling policies that account time).
u64& clock_ns();
std::string& console();  // everything printk wrote

}  // namespace xa::fake
