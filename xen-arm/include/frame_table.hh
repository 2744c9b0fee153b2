// The frame table: who owns each 4 KiB frame of RAM, and how many references to it exist.
//
// The FrameAllocator only knows "in use or not"; a VMM that lets guests name machine
// frames (mmu_update, grant tables) must also know whose a frame is and what it holds, so
// that a guest can map its own ordinary memory and nothing else, and so that a frame is
// never given back while some table still maps it. One FrameInfo per frame, in storage
// the caller supplies (no heap), indexed by (pa - base) / 4 KiB.
//
// States and transitions:
//
//   free --set_vmm--> vmm                       (the VMM image, frames of the VMM allocator)
//   free|vmm --assign--> guest | page_table | vmm_shared | backup   (owned by one domain)
//   owned --release--> the state it was assigned from (free or vmm)
//
// A guest frame handed out from free RAM goes back to free; a page table or a shared VMM
// page came from the VMM's allocator and goes back to vmm, for the VMM to free there; a
// RAM disk in the boot image (vmm -> guest) goes back to vmm and stays in the image.
// Every range operation is all-or-nothing: it checks every frame, then changes them.
#pragma once

#include "types.hh"

namespace xa {

enum class FrameType : u8 {
    free,        // nobody's
    vmm,         // the VMM's own (image, allocator frames, VMM page tables)
    guest,       // ordinary memory of `owner`
    page_table,  // one of `owner`'s translation tables (never guest-mappable)
    vmm_shared,  // a VMM page mapped into `owner` (shared_info, start_info, grant table)
    backup,      // the backup copy of `owner`'s memory (fault tolerance): never guest-mappable
};

struct FrameInfo {
    u16 owner;  // domain id; FrameTable::kNoOwner for free and vmm frames
    FrameType type;
    // Where release() puts an owned frame back: FrameType::free or FrameType::vmm;
    // meaningless while the frame is free or vmm. It sits in what would otherwise be
    // padding, so FrameInfo stays 8 bytes.
    FrameType origin;
    u16 map_count;  // mappings of the frame in any domain's tables
    u16 pin_count;  // references held for grants in use
};
static_assert(sizeof(FrameInfo) == 8);

class FrameTable {
  public:
    static constexpr u32 kNoOwner = 0xFFFF;

    constexpr FrameTable() = default;
    FrameTable(const FrameTable&) = delete;  // two owners of one storage array
    FrameTable& operator=(const FrameTable&) = delete;

    // Track [ram_base, ram_base + frames * 4 KiB), every frame free. Err::inval (table left
    // empty) if ram_base is not 4 KiB aligned, frames is 0, the range passes 4 GiB, or
    // storage is null or shorter than `frames` entries.
    Err init(PhysAddr ram_base, u32 frames, FrameInfo* storage, u32 storage_count);

    // The frame holding pa (any address inside it); nullptr outside RAM.
    const FrameInfo* info(PhysAddr pa) const;
    bool contains(PhysAddr pa) const;

    // For the range operations pa must be 4 KiB aligned and [pa, pa + frames pages) a
    // non-empty range inside RAM: Err::inval otherwise. On any error nothing changes.

    // free -> vmm. Err::busy if any frame is not free.
    Err set_vmm(PhysAddr pa, u32 frames);
    // free|vmm -> (owner, type); type is guest, page_table, vmm_shared or backup and owner is not
    // kNoOwner (Err::inval otherwise). Err::busy if any frame is owned by a domain.
    Err assign(PhysAddr pa, u32 frames, DomId owner, FrameType type);
    // (owner, *) -> where it was assigned from. Err::perm if any frame is not owned by
    // `owner`; Err::busy if any is still mapped or pinned.
    Err release(PhysAddr pa, u32 frames, DomId owner);

    // Single-frame reference counts; pa may be any address inside the frame. Err::inval
    // outside RAM. A count that would pass 0xFFFF is Err::busy (refused, not wrapped).

    // A guest maps frame pa into its own tables: only `dom`'s own ordinary memory
    // (Err::perm for free, vmm, page_table, vmm_shared, backup or another domain's frame).
    // On success map_count++.
    Err get_guest_mapping(PhysAddr pa, DomId dom);
    // The VMM maps a frame on a domain's behalf (builder mappings, grant maps): no
    // ownership check, map_count++.
    Err get_mapping(PhysAddr pa);
    // map_count--; Err::inval if it is 0.
    Err put_mapping(PhysAddr pa);
    Err pin(PhysAddr pa);    // pin_count++
    Err unpin(PhysAddr pa);  // pin_count--; Err::inval if it is 0

    // Frames of `type` owned by `owner`; for free and vmm (which have no owner) the owner
    // is ignored and every frame of that type counts.
    u32 count(DomId owner, FrameType type) const;
    u32 frames() const { return frames_; }
    PhysAddr base() const { return base_; }

  private:
    static constexpr bool is_owned(FrameType t) {
        return t == FrameType::guest || t == FrameType::page_table || t == FrameType::vmm_shared ||
               t == FrameType::backup;
    }
    // The first entry of an aligned, non-empty, in-RAM run; nullptr otherwise.
    FrameInfo* run(PhysAddr pa, u32 frames) const;
    FrameInfo* entry(PhysAddr pa) const;

    PhysAddr base_{};
    u32 frames_ = 0;
    FrameInfo* info_ = nullptr;
};

}  // namespace xa
