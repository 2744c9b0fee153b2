// The VMM's global services once domains exist: the guest-memory allocator, the frame
// table, event channels, grant tables and the boot image. One instance of each, set up by
// vmm::init() after vmm_memory::init(); everything statically allocated.
#pragma once

#include "boot_image_parse.hh"
#include "event_channel.hh"
#include "frame_alloc.hh"
#include "frame_table.hh"
#include "grant_table.hh"
#include "types.hh"

namespace xa::vmm {

// Guest memory: RAM above DIRECTMAP (the VMM's 12 MB), handed out to domains.
FrameAllocator& guest_frames();
FrameTable& frame_table();
EventChannels& evtchn();
GrantTables& grants();

// The boot image the builder appended, or nullptr if the VMM was booted alone.
const BootImageView* boot_image();

// Wall-clock time at system time 0 (ns since the Unix epoch), for shared_info.
void set_wallclock_ns(u64 ns);
u64 wallclock_ns();

// Announce to an instruction tracer that domain `id` (or XA_TRACE_IDLE) is on the CPU.
void trace_domain(u32 id);

// Sets up the services above and checks the boot image. A bad image stops the VMM with
// a message naming the problem (exit status kExitBadImage).
void init();

}  // namespace xa::vmm
