// The first-level sections that arch/arm/start.S installs before the MMU is on: the
// DIRECTMAP (VMM image and private RAM) and the board's device windows in IOREMAP.
// Computed at compile time from the layout and board constants, so the assembly holds
// no addresses of its own; the C++ code later replaces this table with the full one.
#include "board.hh"
#include "layout.hh"
#include "mmu.hh"

namespace xa {

struct BootSection {
    u32 virt;
    u32 descriptor;
};

inline constexpr u32 kDirectMapSections = layout::kDirectMap.size / kSectionSize;
inline constexpr u32 kBootSectionCount = kDirectMapSections + board::kConfig.io_count + 1;

struct BootSections {
    BootSection entries[kBootSectionCount];
};

namespace {

constexpr BootSections make_boot_sections() {
    BootSections s{};
    u32 n = 0;
    for (u32 i = 0; i < kDirectMapSections; ++i) {
        s.entries[n++] = {layout::kDirectMap.start + i * kSectionSize,
                          mmu::l1_section(PhysAddr(board::kConfig.ram_base + i * kSectionSize), mmu::Domain::vmm,
                                          mmu::Ap::priv_rw, mmu::Mem::write_back)};
    }
    for (u32 slot = 0; slot < board::kConfig.io_count; ++slot) {
        s.entries[n++] = {layout::io_slot_base(slot),
                          mmu::l1_section(PhysAddr(board::kConfig.io[slot].phys), mmu::Domain::vmm, mmu::Ap::priv_rw,
                                          mmu::Mem::device)};
    }
    s.entries[n++] = {0, 0};  // terminator (a zero descriptor)
    return s;
}

}  // namespace
}  // namespace xa

// Read by start.S through its physical address, before the MMU is on.
extern "C" constinit const xa::BootSections xa_boot_sections = xa::make_boot_sections();
// The boot first-level table; start.S fills it. 16 KiB aligned as TTBR requires.
extern "C" {
alignas(16384) xa::u32 xa_boot_l1[xa::mmu::kL1Entries] __attribute__((section(".bss.boot_l1")));
}
