// The fixed virtual address layout of xen-arm (Kim and Shin, "Secure Xen on ARM", Figure 2).
//
// Every domain's address space has the same shape: the VMM owns the top 64 MB and is
// mapped identically in every domain's first-level table, so entering the VMM from a
// guest (SWI, abort, IRQ) changes no translation and, on the ARM926's VIVT caches,
// needs no cache flush. Only a switch between guests changes the lower part.
//
// This header is the single description of the layout: the VMM's page-table code, the
// boot banner and the host unit tests all read these constants.
//
// Several regions are mapped by nothing: the VMM reaches its own data through DIRECTMAP
// and guest memory through the guest's own mappings, so the paper's tables-by-address
// windows have nothing to hold. They stay reserved at the paper's addresses so that the
// guest ABI (where the guest may map, where the VMM pages are) keeps the published shape
// and a feature that needs one of them can use it without moving the rest. Each says why
// it is unused in `unused`; README.md's layout table says the same (tests/docs checks it).
#pragma once

#include "types.hh"

namespace xa::layout {

struct Region {
    const char* name;
    u32 start;        // first virtual address
    u32 size;         // bytes
    const char* use;  // one line for the banner
    // nullptr: something maps this range. Otherwise why nothing does, though it stays reserved.
    const char* unused = nullptr;
    constexpr bool used() const { return unused == nullptr; }
    constexpr u32 end() const { return start + size; }  // one past the last byte (0 = 4 GiB)
    constexpr bool contains(VirtAddr va) const { return va.value() >= start && va.value() - start < size; }
};

// ---- The VMM's 64 MB, bottom to top -------------------------------------------------
inline constexpr u32 kVmmBase = 0xFC000000;

inline constexpr Region kRoMpt{"RO_MPT", 0xFC000000, 4 * MiB, "machine-to-phys table, guest read-only",
                               "guests are given machine addresses, so they need no machine-to-phys table"};
// The paper's FRAMETABLE slot. xen-arm's frame table lives in VMM frames, reached through
// DIRECTMAP; the slot's first 12 MB alias DIRECTMAP's RAM uncached instead. The VMM reaches
// the pages it shares with guests (shared_info, grant table, start_info) only through it,
// so switches that keep the VIVT caches (address_space.hh) never leave a stale copy of them
// in a line of another alias.
inline constexpr Region kUncached{"FRAMETABLE", 0xFC400000, 24 * MiB,
                                  "uncached alias of the VMM's RAM, for the pages it shares with guests"};
inline constexpr Region kRdwrMpt{"RDWR_MPT", 0xFDC00000, 4 * MiB, "machine-to-phys table, VMM read-write",
                                 "guests are given machine addresses, so the VMM keeps no machine-to-phys table"};
inline constexpr Region kLinearPt{"LINEAR_PT", 0xFE000000, 4 * MiB, "current domain's page tables",
                                  "the VMM edits page tables through DIRECTMAP, where they all are"};
inline constexpr Region kShLinearPt{"SH_LINEAR_PT", 0xFE400000, 4 * MiB, "shadow linear page tables",
                                    "guests update their tables by hypercall, so there are no shadow tables"};
// Its first page is the trace page (XA_TRACE_DOMAIN_VA, hypercalls/xen-arm/trace.h), in the
// master table; from its second MiB to MAPCACHE, a fault-tolerant domain's table maps its
// backup (checkpoint.hh's kBackupWindowVa).
inline constexpr Region kPerDomain{"PERDOMAIN", 0xFE800000, 8 * MiB, "per-domain mappings"};
inline constexpr Region kMapCache{"MAPCACHE", 0xFEC00000, 4 * MiB, "temporary maps of guest frames",
                                  "the VMM reaches guest memory through the guest's own mappings (the builder "
                                  "through the new domain's table), so it needs no temporary maps"};
inline constexpr Region kDirectMap{"DIRECTMAP", 0xFF000000, 12 * MiB, "VMM image and VMM-private RAM"};
inline constexpr Region kIoRemap{"IOREMAP", 0xFFC00000, 4 * MiB, "device registers, high vectors"};

// The top-level regions in address order (MAPCACHE lies inside PERDOMAIN).
inline constexpr Region kVmmRegions[] = {
    kRoMpt, kUncached, kRdwrMpt, kLinearPt, kShLinearPt, kPerDomain, kDirectMap, kIoRemap,
};

// ---- Inside IOREMAP ------------------------------------------------------------------
// Device windows are 1 MB sections, one slot each, so the boot code can map them with
// section descriptors before any second-level table exists. The last megabyte holds the
// high exception vectors (0xFFFF0000, CP15 c1.V) through a coarse table.
inline constexpr u32 kIoSlotCount = 3;
constexpr u32 io_slot_base(u32 slot) { return kIoRemap.start + slot * kSectionSize; }
inline constexpr u32 kHighVectorsSection = kIoRemap.start + kIoSlotCount * kSectionSize;  // 0xFFF00000
inline constexpr u32 kHighVectors = 0xFFFF0000;

// ---- The guest part (below the VMM) ----------------------------------------------------
inline constexpr Region kGuestVectors{"VECTORS", 0x00000000, 1 * MiB, "guest exception vectors",
                                      "the VMM delivers guest traps through set_trap_table entries and guests may "
                                      "not map here (check_guest_page_va)"};
inline constexpr Region kNorFlash{"NOR_FLASH", 0x20000000, 32 * MiB, "NOR flash window",
                                  "no board here gives a guest flash, and guests may not map here"};
inline constexpr Region kGuestUser{"GUEST_USER", 0x40000000, 0xBF000000 - 0x40000000, "guest user space"};
inline constexpr Region kXipModules{"XIP_MODULES", 0xBF000000, 16 * MiB, "XIP kernel modules",
                                    "no guest runs modules in place, and guests may not map here"};
inline constexpr Region kGuestKernel{"GUEST_KERNEL", 0xC0000000, 0xFC000000 - 0xC0000000, "guest kernel"};

inline constexpr Region kGuestRegions[] = {kGuestVectors, kNorFlash, kGuestUser, kXipModules, kGuestKernel};

constexpr bool is_vmm_address(VirtAddr va) { return va.value() >= kVmmBase; }

// ---- Compile-time proof that the table is what the paper describes ---------------------
constexpr bool regions_tile_vmm_area() {
    u32 next = kVmmBase;
    for (const Region& r : kVmmRegions) {
        if (r.start != next || r.size == 0 || r.size % kSectionSize != 0) return false;
        next = r.start + r.size;
    }
    return next == 0;  // wrapped: the last region ends exactly at 4 GiB
}
static_assert(regions_tile_vmm_area(), "VMM regions must tile 0xFC000000-0xFFFFFFFF");
static_assert(kMapCache.start == kPerDomain.start + kPerDomain.size - kMapCache.size,
              "MAPCACHE is the top 4 MB of PERDOMAIN");
static_assert(kHighVectors >= kHighVectorsSection && kHighVectors - kHighVectorsSection < kSectionSize);
static_assert(io_slot_base(kIoSlotCount) == kHighVectorsSection);
static_assert(kGuestKernel.end() == kVmmBase && kXipModules.end() == kGuestKernel.start &&
              kGuestUser.end() == kXipModules.start);

}  // namespace xa::layout
