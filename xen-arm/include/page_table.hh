// One ARMv5 translation table: a 16 KiB first-level table (4096 entries, one per MiB)
// plus the 1 KiB coarse second-level tables (256 small-page entries) it points to.
//
// The VMM builds its own table and one per domain with this class; the VMM's top 64 MB
// is then shared into every domain's table with copy_l1_range().
//
// Every table is reached through a PhysWindow, never through a PhysAddr cast to a
// pointer. Every edit is validated first and then made, so an operation that fails leaves
// the tables exactly as they were. Nothing is overwritten silently: mapping over an
// existing mapping is Err::exist; remapping takes an explicit unmap first.
//
// Coarse-table packing: a coarse table is 1 KiB but frames are 4 KiB, so the PageTable
// takes a zeroed frame from the FrameAllocator and hands out its four 1 KiB quarters one
// by one as MiBs get their first small page. The half-used frame is remembered in the
// PageTable itself (not shared between tables), so every L2 table of a table lives in
// frames owned by that table alone: tearing a domain's tables down later never has to
// ask which other domain shares a frame. The cost is at most 3 KiB of slack per table.
// Coarse tables are not given back when their last page is unmapped; the next map_page
// in that MiB reuses them, with its own domain: an empty MiB belongs to no domain.
// A table may be given a limit on the coarse tables it hands out (a domain's quota of
// VMM memory for its second-level tables): past it, map_page into a MiB without a table
// is Err::nomem, exactly as when no frame is left.
//
// Only memory is written: invalidating the TLB is the caller's job (arch code), as are the
// locks. The ARM926's table walks read memory, not the D-cache, so every descriptor written
// through a cacheable window must reach memory before a walk may see it: each write is
// reported to the hook set with set_written_hook (the VMM's cleans the lines to memory; Linux
// cleans the line in its ARM926 set_pte for the same reason).
#pragma once

#include "frame_alloc.hh"
#include "mmu.hh"
#include "phys_window.hh"
#include "types.hh"

namespace xa {

// What the MMU would do with one virtual address.
struct Translation {
    enum class Kind : u8 { section, page };

    PhysAddr pa;                            // the translated address itself
    mmu::Domain domain = mmu::Domain::vmm;  // from the L1 descriptor
    mmu::Ap ap = mmu::Ap::no_access;        // of the (sub)page that holds the address
    mmu::Mem mem = mmu::Mem::device;
    Kind kind = Kind::section;

    constexpr u32 size() const { return kind == Kind::section ? kSectionSize : kPageSize; }
};

class PageTable {
  public:
    // window and frames are kept by reference and must outlive the PageTable.
    // l1 must be 16 KiB aligned and the whole 16 KiB must lie in the window; otherwise
    // valid() is false and every operation returns Err::inval. The table is not touched
    // here: call clear() on a fresh one.
    PageTable(PhysAddr l1, const PhysWindow& window, FrameAllocator& frames);

    PageTable(const PageTable&) = delete;  // two owners of the coarse-table pool
    PageTable& operator=(const PageTable&) = delete;

    bool valid() const { return valid_; }

    // Called with every run of descriptors just written (bytes > 0), for all tables.
    using WrittenHook = void (*)(const void* p, u32 bytes);
    static void set_written_hook(WrittenHook hook);
    static WrittenHook written_hook();

    // All 4096 first-level entries become faults. Coarse tables already handed out are
    // not reclaimed.
    Err clear();

    // One 1 MiB section; va and pa 1 MiB aligned. Err::exist if the MiB is mapped in any way.
    Err map_section(VirtAddr va, PhysAddr pa, mmu::Domain domain, mmu::Ap ap, mmu::Mem mem);
    // `bytes` (a non-zero multiple of 1 MiB) of consecutive sections; the run may end
    // exactly at 4 GiB. All or nothing: Err::exist if any MiB of it is already mapped.
    Err map_sections(VirtAddr va, PhysAddr pa, u32 bytes, mmu::Domain domain, mmu::Ap ap, mmu::Mem mem);
    // One 4 KiB small page; va and pa 4 KiB aligned. The first page of a MiB gets it a
    // coarse table whose L1 descriptor carries `domain`; a later page of that MiB with
    // another domain is Err::inval while any page of the MiB is mapped (once the MiB is
    // empty again, the next page gives it its domain). Err::exist if the MiB is a section
    // or the page is mapped; Err::nomem if no frame is left for a coarse table. (The
    // TLB holds no entry of an empty MiB, so a domain change needs no TLB maintenance
    // beyond what unmapping its pages did. Only this table's descriptor changes: a coarse
    // table shared by copy_l1_range must not be given pages of another domain.)
    Err map_page(VirtAddr va, PhysAddr pa, mmu::Domain domain, mmu::Ap ap, mmu::Mem mem);

    // Whether a small page of `domain` may go into va's MiB as far as the domain rule of
    // map_page goes: the MiB is unmapped, a coarse table of that domain, or a coarse table
    // with no page left. False for a section, a fine table or an invalid table.
    bool domain_fits(VirtAddr va, mmu::Domain domain) const;

    // Write tracking (fault_tolerance.hh) changes mappings in place. set_mib_domain gives
    // the coarse table of `mib` (a first-level index) another ARM domain, its pages
    // unchanged: Err::inval unless that MiB is a coarse table. set_page_ap changes the
    // access permissions of the small page at va (all four subpages): Err::noent if none is
    // mapped there. Neither touches the TLB: the caller invalidates what it changed.
    Err set_mib_domain(u32 mib, mmu::Domain domain);
    Err set_page_ap(VirtAddr va, mmu::Ap ap);

    // Err::noent if nothing is mapped there; Err::inval if va is misaligned or mapped at
    // the other granularity (a page inside a section, a section that is a coarse table).
    Err unmap_page(VirtAddr va);
    Err unmap_section(VirtAddr va);

    // A software walk, exactly as the MMU would do it. Err::fault when the address is not
    // mapped, and also for descriptor kinds this class never creates (fine tables, large
    // and tiny pages) or a coarse table outside the window: "cannot vouch for it" is the
    // safe answer for validating guest pointers.
    Result<Translation> translate(VirtAddr va) const;

    // Copy the first-level entries of every MiB that [start, start + bytes) touches (the
    // range is clipped at 4 GiB) from `from`. Coarse tables are shared, not copied: a
    // later map_page into such a MiB through either table is seen by both.
    void copy_l1_range(const PageTable& from, VirtAddr start, u32 bytes);

    // Calls fn(VirtAddr va, u32 l2_desc) for every small page mapped through a coarse
    // table in the MiBs [first_mib, end_mib) (first-level indexes), in address order.
    template <typename Fn>
    void for_each_page(u32 first_mib, u32 end_mib, Fn&& fn) const {
        if (!valid_) return;
        for (u32 mib = first_mib; mib < end_mib && mib < mmu::kL1Entries; ++mib) {
            const u32 l1_desc = l1_table()[mib];
            if (mmu::l1_type(l1_desc) != mmu::L1Type::coarse) continue;
            const u32* l2 = coarse_table(l1_desc);
            if (l2 == nullptr) continue;
            for (u32 i = 0; i < mmu::kL2CoarseEntries; ++i) {
                if (mmu::l2_type(l2[i]) == mmu::L2Type::small)
                    fn(VirtAddr((mib << kSectionShift) | (i << kPageShift)), l2[i]);
            }
        }
    }

    // Tearing a domain down: gives back to the FrameAllocator every frame holding this
    // table's coarse tables in the MiBs [first_mib, end_mib) and makes those first-level
    // entries faults. Only for MiBs whose coarse tables this PageTable created (never the
    // VMM's shared top 64 MB). Returns the number of frames freed.
    u32 release_coarse_frames(u32 first_mib, u32 end_mib);

    PhysAddr l1() const { return l1_; }
    // The raw first-level descriptor; 0 for an index >= 4096 or an invalid table.
    u32 l1_entry(u32 index) const;
    // Coarse tables this PageTable has handed out (for the banner and tests).
    u32 coarse_tables() const { return coarse_tables_; }
    // At most `limit` coarse tables from now on (those handed out already count); the
    // default is no limit.
    void set_coarse_limit(u32 limit) { coarse_limit_ = limit; }
    u32 coarse_limit() const { return coarse_limit_; }

    static constexpr u32 kCoarsePerFrame = kPageSize / mmu::kL2CoarseSize;  // 4

  private:
    u32* l1_table() const { return window_->ptr<u32>(l1_); }
    // The coarse table an L1 coarse descriptor points at, or nullptr if it lies outside
    // the window.
    u32* coarse_table(u32 l1_desc) const;
    Result<PhysAddr> alloc_coarse_table();

    PhysAddr l1_;
    const PhysWindow* window_;
    FrameAllocator* frames_;
    bool valid_;
    // Beside valid_: the limit adds no size to the class (a Domain holds one in its slot,
    // whose later fields the hot paths reach at fixed offsets).
    u8 pool_used_ = kCoarsePerFrame;  // quarters of pool_frame_ handed out; 4 = none left
    PhysAddr pool_frame_{};           // frame the next coarse tables are carved from
    u32 coarse_tables_ = 0;
    u32 coarse_limit_ = ~0u;
};

}  // namespace xa
