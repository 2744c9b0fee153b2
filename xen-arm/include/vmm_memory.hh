// The VMM's own memory: the DIRECTMAP window onto its 12 MB of RAM, the frame allocator
// for VMM-private frames (page tables, later per-domain pages), and the master
// first-level table whose top 64 MB every domain's table will share.
#pragma once

#include "frame_alloc.hh"
#include "page_table.hh"
#include "phys_window.hh"

namespace xa::vmm_memory {

// The DIRECTMAP: physical RAM base .. +12 MB at 0xFF000000.
const PhysWindow& direct_map();
// The same RAM at UNCACHED (layout.hh), strongly ordered: for the pages the VMM shares with
// guests (domain.hh).
const PhysWindow& uncached_map();
FrameAllocator& frames();
PageTable& master_table();

// The VMM's pointer to virtual address va of the table now in TTBR: va itself, since the
// VMM runs inside every domain's table. Kept out of line so the host tests, which have no
// MMU, can stand in a translation through the table they were last switched to.
u8* current_va(u32 va);

struct ImageInfo {
    u32 text, rodata, data, bss;  // bytes
    PhysAddr start, end;          // physical extent of the loaded image (incl. bss)
};
ImageInfo image();

// Builds the master table (DIRECTMAP, device windows, high-vector page), switches to it
// and turns on caches and high vectors. Panics on failure: nothing can run without it.
void init();

}  // namespace xa::vmm_memory
