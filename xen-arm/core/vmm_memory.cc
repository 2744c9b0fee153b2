#include "vmm_memory.hh"

#include "arch/arm/cpu.hh"
#include "board.hh"
#include "exit_status.hh"
#include "layout.hh"

extern "C" {
extern char __image_start[], __image_end[], __bss_start[], __bss_end[];
extern char __etext[], __erodata[], __edata[];
extern char xa_vectors[];
}

namespace xa::vmm_memory {
namespace {

constexpr PhysWindow kDirectMap(PhysAddr(board::kConfig.ram_base), layout::kDirectMap.size, layout::kDirectMap.start);
constexpr PhysWindow kUncachedMap(PhysAddr(board::kConfig.ram_base), layout::kDirectMap.size, layout::kUncached.start);
static_assert(layout::kDirectMap.size <= layout::kUncached.size);
constexpr u32 kVmmFrames = layout::kDirectMap.size / kPageSize;

u32 frame_bitmap[FrameAllocator::bitmap_words(kVmmFrames)];
constinit FrameAllocator vmm_frames;

void check(Err e, const char* what) {
    if (e != Err::ok) xa_panic(what);
}

u32 addr(const char* symbol) { return reinterpret_cast<uintptr_t>(symbol); }

// Page-table descriptors reach the MMU's walks through memory (page_table.hh).
void clean_descriptors(const void* p, u32 bytes) {
    cpu::clean_dcache_range(static_cast<u32>(reinterpret_cast<uintptr_t>(p)), bytes);
}

}  // namespace

const PhysWindow& direct_map() { return kDirectMap; }
const PhysWindow& uncached_map() { return kUncachedMap; }
FrameAllocator& frames() { return vmm_frames; }

PageTable& master_table() {
    static PageTable table(
        [] {
            auto l1 = vmm_frames.alloc(mmu::kL1Size / kPageSize, mmu::kL1Align);
            if (!l1) xa_panic("no frames for the master first-level table");
            return *l1;
        }(),
        kDirectMap, vmm_frames);
    return table;
}

ImageInfo image() {
    return ImageInfo{
        .text = addr(__etext) - addr(__image_start),
        .rodata = addr(__erodata) - addr(__etext),
        .data = addr(__edata) - addr(__erodata),
        .bss = addr(__bss_end) - addr(__bss_start),
        .start = kDirectMap.phys_of(__image_start),
        .end = kDirectMap.phys_of(__image_end),
    };
}

u8* current_va(u32 va) { return reinterpret_cast<u8*>(va); }

void init() {
    check(vmm_frames.init(kDirectMap.phys_base(), kVmmFrames, frame_bitmap, FrameAllocator::bitmap_words(kVmmFrames)),
          "frame allocator init");
    const ImageInfo img = image();
    check(vmm_frames.reserve(img.start, img.end - img.start), "reserving the VMM image");

    PageTable& t = master_table();
    check(t.clear(), "clearing the master table");
    check(t.map_sections(VirtAddr(layout::kDirectMap.start), kDirectMap.phys_base(), layout::kDirectMap.size,
                         mmu::Domain::vmm, mmu::Ap::priv_rw, mmu::Mem::write_back),
          "mapping DIRECTMAP");
    check(t.map_sections(VirtAddr(layout::kUncached.start), kDirectMap.phys_base(), layout::kDirectMap.size,
                         mmu::Domain::vmm, mmu::Ap::priv_rw, mmu::Mem::device),
          "mapping UNCACHED");
    for (u32 slot = 0; slot < board::kConfig.io_count; ++slot) {
        check(t.map_section(VirtAddr(layout::io_slot_base(slot)), PhysAddr(board::kConfig.io[slot].phys),
                            mmu::Domain::vmm, mmu::Ap::priv_rw, mmu::Mem::device),
              "mapping a device window");
    }
    // The vector page: privileged-only, so no guest can read or patch the VMM's vectors.
    check(t.map_page(VirtAddr(layout::kHighVectors), kDirectMap.phys_of(xa_vectors), mmu::Domain::vmm, mmu::Ap::priv_rw,
                     mmu::Mem::write_back),
          "mapping the high vectors");

    // The boot table's identity mapping disappears here: from now on only the layout's
    // regions exist.
    cpu::switch_ttbr(t.l1().value());
    // Its descriptors reached memory with the clean above; from now on each one is cleaned
    // as it is written (page_table.hh).
    PageTable::set_written_hook(clean_descriptors);
    cpu::write_dacr(mmu::kDacrVmm);
    cpu::write_control(cpu::read_control() | mmu::ctrl::high_vectors | mmu::ctrl::icache | mmu::ctrl::dcache |
                       mmu::ctrl::align);
}

}  // namespace xa::vmm_memory
