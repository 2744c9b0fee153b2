// PageTable on a host buffer that poses as 256 KiB of physical memory at 0xC0000000.
// The fake physical base differs from the buffer's host address, so any code that uses
// a PhysAddr as a pointer (or stores a pointer as a PhysAddr) lands outside the buffer
// and fails (ASan) or writes a wrong descriptor (checked below by exact values).
//
// Frame map of the fake memory (first fit from the allocator, checked in SetUp):
//   0xC0000000-0xC0003FFF  L1 table of pt_ (4 frames, 16K aligned)
//   0xC0004000-            coarse-table frames, or a second L1 where a test asks first
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "domain.hh"
#include "page_table.hh"

namespace xa {
namespace {

using mmu::Ap;
using mmu::Domain;
using mmu::Mem;

constexpr u32 kPhysBase = 0xC0000000;
constexpr u32 kMemSize = 256 * KiB;
constexpr u32 kMemFrames = kMemSize / kPageSize;  // 64
constexpr u8 kJunk = 0xA5;                        // what "uninitialised RAM" holds

u8* alloc_fake_ram() {
    void* p = std::aligned_alloc(16 * KiB, kMemSize);
    std::memset(p, kJunk, kMemSize);
    return static_cast<u8*>(p);
}

class PageTableTest : public ::testing::Test {
  protected:
    PageTableTest()
        : ram_(alloc_fake_ram()),
          window_(PhysAddr(kPhysBase), kMemSize, reinterpret_cast<uintptr_t>(ram_)),
          frames_(PhysAddr(kPhysBase), kMemFrames, bits_, FrameAllocator::bitmap_words(kMemFrames)),
          pt_(frames_.alloc(4, mmu::kL1Align).value(), window_, frames_) {}

    ~PageTableTest() override { std::free(ram_); }

    void SetUp() override {
        ASSERT_EQ(pt_.l1(), PhysAddr(0xC0000000));
        ASSERT_TRUE(pt_.valid());
        ASSERT_EQ(pt_.clear(), Err::ok);
        ASSERT_EQ(frames_.free_count(), 60u);
    }

    // The word at a physical address, read from the fake RAM directly.
    u32 raw(u32 phys) const {
        u32 v;
        std::memcpy(&v, ram_ + (phys - kPhysBase), sizeof v);
        return v;
    }
    void poke(u32 phys, u32 value) { std::memcpy(ram_ + (phys - kPhysBase), &value, sizeof value); }

    std::vector<u8> snapshot() const { return std::vector<u8>(ram_, ram_ + kMemSize); }
    bool unchanged_since(const std::vector<u8>& before) const {
        return std::memcmp(before.data(), ram_, kMemSize) == 0;
    }

    // A second table, allocated and cleared.
    PhysAddr new_l1() {
        const Result<PhysAddr> l1 = frames_.alloc(4, mmu::kL1Align);
        EXPECT_TRUE(l1.ok());
        return *l1;
    }

    u8* ram_;
    PhysWindow window_;
    u32 bits_[FrameAllocator::bitmap_words(kMemFrames)];
    FrameAllocator frames_;
    PageTable pt_;
};

void expect_translation(const PageTable& pt, u32 va, u32 pa, Translation::Kind kind, Domain d, Ap ap, Mem mem) {
    SCOPED_TRACE(testing::Message() << "va 0x" << std::hex << va);
    const Result<Translation> t = pt.translate(VirtAddr(va));
    ASSERT_TRUE(t.ok()) << "error " << to_int(t.error());
    EXPECT_EQ(t.value().pa.value(), pa);
    EXPECT_EQ(t.value().kind, kind);
    EXPECT_EQ(t.value().domain, d);
    EXPECT_EQ(t.value().ap, ap);
    EXPECT_EQ(t.value().mem, mem);
}

void expect_unmapped(const PageTable& pt, u32 va) {
    EXPECT_EQ(pt.translate(VirtAddr(va)).error(), Err::fault) << "va 0x" << std::hex << va;
}

// ---- Construction and clear ---------------------------------------------------------------

TEST_F(PageTableTest, InvalidL1IsRefusedEverywhere) {
    PageTable misaligned(PhysAddr(0xC0002000), window_, frames_);
    PageTable outside(PhysAddr(0xB0000000), window_, frames_);
    PageTable past_end(PhysAddr(0xC0040000), window_, frames_);
    PageTable fits_exactly(PhysAddr(0xC003C000), window_, frames_);
    EXPECT_TRUE(fits_exactly.valid());
    const auto before = snapshot();
    for (PageTable* pt : {&misaligned, &outside, &past_end}) {
        EXPECT_FALSE(pt->valid());
        EXPECT_EQ(pt->clear(), Err::inval);
        EXPECT_EQ(pt->map_section(VirtAddr(0), PhysAddr(0), Domain::vmm, Ap::priv_rw, Mem::device), Err::inval);
        EXPECT_EQ(pt->map_page(VirtAddr(0), PhysAddr(0), Domain::vmm, Ap::priv_rw, Mem::device), Err::inval);
        EXPECT_EQ(pt->unmap_page(VirtAddr(0)), Err::inval);
        EXPECT_EQ(pt->unmap_section(VirtAddr(0)), Err::inval);
        EXPECT_EQ(pt->translate(VirtAddr(0)).error(), Err::inval);
        EXPECT_EQ(pt->l1_entry(0), 0u);
        pt->copy_l1_range(pt_, VirtAddr(0), 16 * MiB);
    }
    EXPECT_TRUE(unchanged_since(before));
    EXPECT_EQ(frames_.free_count(), 60u);
}

TEST_F(PageTableTest, ClearZeroesExactlyTheL1) {
    for (u32 i = 0; i < mmu::kL1Entries; ++i) ASSERT_EQ(pt_.l1_entry(i), 0u) << i;
    for (u32 off = 0; off < mmu::kL1Size; off += 4) ASSERT_EQ(raw(kPhysBase + off), 0u);
    EXPECT_EQ(raw(0xC0004000), 0xA5A5A5A5u) << "clear() ran past the table";
    EXPECT_EQ(pt_.l1_entry(4096), 0u);
    EXPECT_EQ(pt_.coarse_tables(), 0u);
}

// ---- Sections -----------------------------------------------------------------------------

TEST_F(PageTableTest, SectionDescriptorAndTranslation) {
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0xC0000000), PhysAddr(0x30000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC00), 0x3000043Eu);
    EXPECT_EQ(raw(0xC0003000), 0x3000043Eu) << "entry 0xC00 lives at L1 + 0x3000";
    EXPECT_EQ(pt_.l1_entry(0xBFF), 0u);
    EXPECT_EQ(pt_.l1_entry(0xC01), 0u);

    expect_translation(pt_, 0xC0000000, 0x30000000, Translation::Kind::section, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    expect_translation(pt_, 0xC0012345, 0x30012345, Translation::Kind::section, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    expect_translation(pt_, 0xC00FFFFF, 0x300FFFFF, Translation::Kind::section, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    expect_unmapped(pt_, 0xBFFFFFFF);
    expect_unmapped(pt_, 0xC0100000);
    EXPECT_EQ(pt_.translate(VirtAddr(0xC0000000)).value().size(), 1 * MiB);
    EXPECT_EQ(frames_.free_count(), 60u) << "sections need no frames";
}

TEST_F(PageTableTest, SectionAtTopOfAddressSpace) {
    ASSERT_EQ(pt_.map_section(VirtAddr(0xFFF00000), PhysAddr(0x00000000), Domain::vmm, Ap::priv_rw, Mem::write_through),
              Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xFFF), 0x0000041Au);
    expect_translation(pt_, 0xFFFFFFFF, 0x000FFFFF, Translation::Kind::section, Domain::vmm, Ap::priv_rw,
                       Mem::write_through);
}

TEST_F(PageTableTest, SectionRunEndingAtFourGiB) {
    ASSERT_EQ(pt_.map_sections(VirtAddr(0xFFD00000), PhysAddr(0x10000000), 3 * MiB, Domain::guest_user, Ap::priv_rw,
                               Mem::device),
              Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xFFC), 0u);
    EXPECT_EQ(pt_.l1_entry(0xFFD), 0x10000452u);
    EXPECT_EQ(pt_.l1_entry(0xFFE), 0x10100452u);
    EXPECT_EQ(pt_.l1_entry(0xFFF), 0x10200452u);
    expect_translation(pt_, 0xFFFFFFFF, 0x102FFFFF, Translation::Kind::section, Domain::guest_user, Ap::priv_rw,
                       Mem::device);
    expect_translation(pt_, 0xFFE00000, 0x10100000, Translation::Kind::section, Domain::guest_user, Ap::priv_rw,
                       Mem::device);
}

TEST_F(PageTableTest, SectionArgumentErrors) {
    const auto before = snapshot();
    auto section = [&](u32 va, u32 pa) {
        return pt_.map_section(VirtAddr(va), PhysAddr(pa), Domain::vmm, Ap::priv_rw, Mem::write_back);
    };
    auto sections = [&](u32 va, u32 pa, u32 bytes) {
        return pt_.map_sections(VirtAddr(va), PhysAddr(pa), bytes, Domain::vmm, Ap::priv_rw, Mem::write_back);
    };
    EXPECT_EQ(section(0xC0080000, 0x30000000), Err::inval);  // va not 1 MiB aligned
    EXPECT_EQ(section(0xC0000000, 0x30001000), Err::inval);  // pa not 1 MiB aligned
    EXPECT_EQ(sections(0xC0000000, 0x30000000, 0), Err::inval);
    EXPECT_EQ(sections(0xC0000000, 0x30000000, 0x180000), Err::inval);  // not whole MiBs
    EXPECT_EQ(sections(0xFFE00000, 0x30000000, 3 * MiB), Err::inval);   // va past 4 GiB
    EXPECT_EQ(sections(0x00000000, 0xFFF00000, 2 * MiB), Err::inval);   // pa past 4 GiB
    EXPECT_EQ(pt_.map_section(VirtAddr(0), PhysAddr(0), static_cast<Domain>(16), Ap::priv_rw, Mem::device), Err::inval);
    EXPECT_EQ(pt_.map_section(VirtAddr(0), PhysAddr(0), Domain::vmm, static_cast<Ap>(4), Mem::device), Err::inval);
    EXPECT_EQ(pt_.map_section(VirtAddr(0), PhysAddr(0), Domain::vmm, Ap::priv_rw, static_cast<Mem>(4)), Err::inval);
    EXPECT_TRUE(unchanged_since(before));
}

TEST_F(PageTableTest, SectionOverExistingIsExist) {
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0x00300000), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
        Err::ok);
    const u32 original = pt_.l1_entry(3);
    const auto before = snapshot();
    EXPECT_EQ(
        pt_.map_section(VirtAddr(0x00300000), PhysAddr(0x50000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
        Err::exist);
    // A run whose last MiB collides: none of the first three may be written.
    EXPECT_EQ(pt_.map_sections(VirtAddr(0x00000000), PhysAddr(0x50000000), 4 * MiB, Domain::guest_user, Ap::all_rw,
                               Mem::write_back),
              Err::exist);
    EXPECT_TRUE(unchanged_since(before));
    EXPECT_EQ(pt_.l1_entry(0), 0u);
    EXPECT_EQ(pt_.l1_entry(1), 0u);
    EXPECT_EQ(pt_.l1_entry(2), 0u);
    EXPECT_EQ(pt_.l1_entry(3), original);
}

TEST_F(PageTableTest, UnmapSection) {
    EXPECT_EQ(pt_.unmap_section(VirtAddr(0xC0000000)), Err::noent);
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0xC0000000), PhysAddr(0x30000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.unmap_section(VirtAddr(0xC0001000)), Err::inval);  // misaligned
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0001000)), Err::inval);     // a page of a section
    EXPECT_EQ(pt_.l1_entry(0xC00), 0x3000043Eu);
    EXPECT_EQ(pt_.unmap_section(VirtAddr(0xC0000000)), Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC00), 0u);
    expect_unmapped(pt_, 0xC0000000);
    EXPECT_EQ(pt_.unmap_section(VirtAddr(0xC0000000)), Err::noent);
    // The MiB can be mapped again.
    EXPECT_EQ(
        pt_.map_section(VirtAddr(0xC0000000), PhysAddr(0x31000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC00), 0x3100043Eu);
}

// ---- Small pages ------------------------------------------------------------------------------

TEST_F(PageTableTest, FirstPageAllocatesAZeroedCoarseTable) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(frames_.free_count(), 59u);
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0xC0004000)));
    EXPECT_EQ(pt_.coarse_tables(), 1u);
    // Coarse table at 0xC0004000, domain 1: 0xC0004000 | 1<<5 | 1<<4 | 0b01.
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004031u);
    // L2 index 5: 0x31234000 | AP=01 x4 (0x550) | C B (0xC) | 0b10.
    EXPECT_EQ(raw(0xC0004014), 0x3123455Eu);
    for (u32 i = 0; i < 256; ++i) {
        if (i != 5) {
            ASSERT_EQ(raw(0xC0004000 + 4 * i), 0u) << "L2 entry " << i << " not zeroed";
        }
    }
}

TEST_F(PageTableTest, PageTranslationIsExactAtBoundaries) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    expect_translation(pt_, 0xC0105000, 0x31234000, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    expect_translation(pt_, 0xC0105ABC, 0x31234ABC, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    expect_translation(pt_, 0xC0105FFF, 0x31234FFF, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    expect_unmapped(pt_, 0xC0104FFF);
    expect_unmapped(pt_, 0xC0106000);
    expect_unmapped(pt_, 0xC0100000);
    expect_unmapped(pt_, 0xC0205000);
    EXPECT_EQ(pt_.translate(VirtAddr(0xC0105000)).value().size(), 4 * KiB);

    // The last page of one MiB and the first of the next use two different tables.
    ASSERT_EQ(pt_.map_page(VirtAddr(0xC01FF000), PhysAddr(0x000FF000), Domain::guest_kernel, Ap::all_rw, Mem::device),
              Err::ok);
    ASSERT_EQ(pt_.map_page(VirtAddr(0xC0200000), PhysAddr(0x00700000), Domain::guest_kernel, Ap::priv_rw_user_ro,
                           Mem::buffered),
              Err::ok);
    expect_translation(pt_, 0xC01FFFFF, 0x000FFFFF, Translation::Kind::page, Domain::guest_kernel, Ap::all_rw,
                       Mem::device);
    expect_translation(pt_, 0xC0200000, 0x00700000, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw_user_ro,
                       Mem::buffered);
    expect_unmapped(pt_, 0xC0201000);
    EXPECT_EQ(raw(0xC00043FC), 0x000FFFF2u);  // index 255 of the first table
    EXPECT_EQ(raw(0xC0004400), 0x00700AA6u);  // index 0 of the second
}

TEST_F(PageTableTest, FourCoarseTablesShareOneFrame) {
    for (u32 mib = 1; mib <= 4; ++mib) {
        ASSERT_EQ(pt_.map_page(VirtAddr(mib << 20), PhysAddr(0x40000000 + (mib << 12)), Domain::guest_user, Ap::all_rw,
                               Mem::write_back),
                  Err::ok);
    }
    EXPECT_EQ(frames_.free_count(), 59u) << "four coarse tables, one frame";
    // l1_coarse(table, D2) = table | 2<<5 | 1<<4 | 1
    EXPECT_EQ(pt_.l1_entry(1), 0xC0004051u);
    EXPECT_EQ(pt_.l1_entry(2), 0xC0004451u);
    EXPECT_EQ(pt_.l1_entry(3), 0xC0004851u);
    EXPECT_EQ(pt_.l1_entry(4), 0xC0004C51u);
    // The fifth needs a new frame.
    ASSERT_EQ(pt_.map_page(VirtAddr(0x00500000), PhysAddr(0x40005000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
    EXPECT_EQ(pt_.l1_entry(5), 0xC0005051u);
    EXPECT_EQ(frames_.free_count(), 58u);
    EXPECT_EQ(pt_.coarse_tables(), 5u);
    for (u32 mib = 1; mib <= 5; ++mib) {
        expect_translation(pt_, (mib << 20) | 0x123, 0x40000123 + (mib << 12), Translation::Kind::page,
                           Domain::guest_user, Ap::all_rw, Mem::write_back);
    }
    // The last entry of the first quarter and the first entry of the second are
    // neighbours in memory but belong to different MiBs.
    ASSERT_EQ(pt_.map_page(VirtAddr(0x001FF000), PhysAddr(0x41000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
    EXPECT_EQ(raw(0xC00043FC), 0x41000FFEu);
    EXPECT_EQ(raw(0xC0004400), 0x40002FFEu);  // MiB 2, index 0, unchanged
    expect_translation(pt_, 0x001FFABC, 0x41000ABC, Translation::Kind::page, Domain::guest_user, Ap::all_rw,
                       Mem::write_back);
    expect_translation(pt_, 0x00200000, 0x40002000, Translation::Kind::page, Domain::guest_user, Ap::all_rw,
                       Mem::write_back);
    expect_unmapped(pt_, 0x001FE000);
    expect_unmapped(pt_, 0x00201000);
}

TEST_F(PageTableTest, MorePagesInAMibReuseItsTable) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0100000), PhysAddr(0x31000000), Domain::guest_kernel, Ap::no_access, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.coarse_tables(), 1u);
    EXPECT_EQ(frames_.free_count(), 59u);
    EXPECT_EQ(raw(0xC0004000), 0x3100000Eu);
    expect_translation(pt_, 0xC0100FFF, 0x31000FFF, Translation::Kind::page, Domain::guest_kernel, Ap::no_access,
                       Mem::write_back);
}

TEST_F(PageTableTest, PageErrorsChangeNothing) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0xC0000000), PhysAddr(0x30000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    const auto before = snapshot();
    auto page = [&](u32 va, u32 pa, Domain d = Domain::guest_kernel) {
        return pt_.map_page(VirtAddr(va), PhysAddr(pa), d, Ap::priv_rw, Mem::write_back);
    };
    EXPECT_EQ(page(0xC0106000, 0x31235000, Domain::guest_user), Err::inval);  // MiB is domain 1
    EXPECT_EQ(page(0xC0105000, 0x31234000), Err::exist);                      // same mapping again
    EXPECT_EQ(page(0xC0105000, 0x39999000), Err::exist);                      // silent remap
    EXPECT_EQ(page(0xC0001000, 0x30001000), Err::exist);                      // inside a section
    EXPECT_EQ(page(0xC0106800, 0x31235000), Err::inval);                      // va misaligned
    EXPECT_EQ(page(0xC0106000, 0x31235400), Err::inval);                      // pa misaligned
    EXPECT_EQ(pt_.map_page(VirtAddr(0xC0106000), PhysAddr(0x31235000), static_cast<Domain>(0x10), Ap::priv_rw,
                           Mem::write_back),
              Err::inval);
    EXPECT_EQ(
        pt_.map_section(VirtAddr(0xC0100000), PhysAddr(0x30100000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::exist);  // a section over a coarse table
    EXPECT_EQ(pt_.unmap_section(VirtAddr(0xC0100000)), Err::inval);
    EXPECT_TRUE(unchanged_since(before));
    EXPECT_EQ(frames_.free_count(), 59u);
    EXPECT_EQ(pt_.coarse_tables(), 1u);
}

TEST_F(PageTableTest, OutOfFramesIsNomemAndUsesTheRestOfThePool) {
    ASSERT_EQ(pt_.map_page(VirtAddr(0x00100000), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
    while (frames_.alloc().ok()) {
    }
    ASSERT_EQ(frames_.free_count(), 0u);
    // Three quarters of the pool frame are left.
    for (u32 mib = 2; mib <= 4; ++mib) {
        EXPECT_EQ(
            pt_.map_page(VirtAddr(mib << 20), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
            Err::ok);
    }
    const auto before = snapshot();
    EXPECT_EQ(pt_.map_page(VirtAddr(0x00500000), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::nomem);
    EXPECT_EQ(pt_.l1_entry(5), 0u);
    EXPECT_TRUE(unchanged_since(before));
    EXPECT_EQ(pt_.coarse_tables(), 4u);
    // A page in a MiB that has a table still works.
    EXPECT_EQ(pt_.map_page(VirtAddr(0x00401000), PhysAddr(0x40001000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
}

TEST_F(PageTableTest, CoarseLimitIsNomemAtTheQuotaAndChangesNothing) {
    pt_.set_coarse_limit(3);
    EXPECT_EQ(pt_.coarse_limit(), 3u);
    for (u32 mib = 1; mib <= 3; ++mib) {
        ASSERT_EQ(
            pt_.map_page(VirtAddr(mib << 20), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
            Err::ok);
    }
    EXPECT_EQ(pt_.coarse_tables(), 3u);
    const u32 free_before = frames_.free_count();
    const auto before = snapshot();
    // A fourth MiB: over the quota, although the pool frame has a quarter left.
    EXPECT_EQ(pt_.map_page(VirtAddr(0x00400000), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::nomem);
    EXPECT_TRUE(unchanged_since(before));
    EXPECT_EQ(frames_.free_count(), free_before);
    EXPECT_EQ(pt_.coarse_tables(), 3u);
    // Pages in MiBs that have a table, and emptied and refilled MiBs, cost nothing more.
    EXPECT_EQ(pt_.map_page(VirtAddr(0x00301000), PhysAddr(0x40001000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0x00100000)), Err::ok);
    EXPECT_EQ(pt_.map_page(VirtAddr(0x00100000), PhysAddr(0x40002000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
    EXPECT_EQ(pt_.coarse_tables(), 3u);
    // Past a quota that has since been raised: the next table comes from the pool frame.
    pt_.set_coarse_limit(4);
    EXPECT_EQ(pt_.map_page(VirtAddr(0x00400000), PhysAddr(0x40000000), Domain::guest_user, Ap::all_rw, Mem::write_back),
              Err::ok);
    EXPECT_EQ(frames_.free_count(), free_before);
    EXPECT_EQ(pt_.coarse_tables(), 4u);
    // Tearing down gives the frame back and the count restarts at 0.
    EXPECT_EQ(pt_.release_coarse_frames(0, 8), 1u);
    EXPECT_EQ(pt_.coarse_tables(), 0u);
    EXPECT_EQ(frames_.free_count(), free_before + 1);
}

TEST_F(PageTableTest, DefaultCoarseLimitIsNone) { EXPECT_EQ(pt_.coarse_limit(), ~0u); }

TEST(CoarseTableQuota, OneTablePerMibOfMemoryAndRamdiskPlusTheAllowance) {
    EXPECT_EQ(coarse_table_quota(1 * MiB, 0), 1 + kCoarseTableAllowance);
    EXPECT_EQ(coarse_table_quota(4 * MiB, 1835008), 4 + 2 + kCoarseTableAllowance);
    EXPECT_EQ(coarse_table_quota(4 * MiB + kPageSize, 1), 5 + 1 + kCoarseTableAllowance);
}

TEST_F(PageTableTest, UnmapPage) {
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0105000)), Err::noent);  // no table at all
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0106000), PhysAddr(0x31235000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0105800)), Err::inval);  // misaligned
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0107000)), Err::noent);  // table, no page
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0105000)), Err::ok);
    EXPECT_EQ(raw(0xC0004014), 0u);
    expect_unmapped(pt_, 0xC0105000);
    expect_translation(pt_, 0xC0106000, 0x31235000, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0105000)), Err::noent);
    // The table stays (same descriptor) and is reused.
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0106000)), Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004031u);
    EXPECT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x32000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004031u);
    EXPECT_EQ(pt_.coarse_tables(), 1u);
    EXPECT_EQ(frames_.free_count(), 59u);
    expect_translation(pt_, 0xC0105FFF, 0x32000FFF, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
}

TEST_F(PageTableTest, AnEmptyMibTakesTheDomainOfItsNextPage) {
    // Read-only grant maps (domain 3) and read-write kernel pages (domain 1) never share a
    // MiB: the MiB's domain is its L1 descriptor's.
    ASSERT_EQ(pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel_ro, mmu::kApGuestKernelRo,
                           Mem::write_back),
              Err::ok);
    // Coarse table at 0xC0004000, domain 3: 0xC0004000 | 3<<5 (0x60) | 1<<4 | 0b01.
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004071u);
    expect_translation(pt_, 0xC0105000, 0x31234000, Translation::Kind::page, Domain::guest_kernel_ro,
                       Ap::priv_rw_user_ro, Mem::write_back);
    ASSERT_EQ(pt_.map_page(VirtAddr(0xC0106000), PhysAddr(0x31235000), Domain::guest_kernel_ro, mmu::kApGuestKernelRo,
                           Mem::write_back),
              Err::ok);
    const auto before = snapshot();
    EXPECT_EQ(
        pt_.map_page(VirtAddr(0xC0107000), PhysAddr(0x31236000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::inval);  // the MiB holds read-only pages
    EXPECT_TRUE(unchanged_since(before));
    // One page left: still domain 3.
    ASSERT_EQ(pt_.unmap_page(VirtAddr(0xC0105000)), Err::ok);
    EXPECT_EQ(
        pt_.map_page(VirtAddr(0xC0107000), PhysAddr(0x31236000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::inval);
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004071u);
    // Empty: the next page decides, and its domain is the table's, in the same table.
    ASSERT_EQ(pt_.unmap_page(VirtAddr(0xC0106000)), Err::ok);
    EXPECT_EQ(
        pt_.map_page(VirtAddr(0xC0107000), PhysAddr(0x31236000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004031u);
    EXPECT_EQ(pt_.coarse_tables(), 1u);
    expect_translation(pt_, 0xC0107000, 0x31236000, Translation::Kind::page, Domain::guest_kernel, Ap::priv_rw,
                       Mem::write_back);
    EXPECT_EQ(pt_.map_page(VirtAddr(0xC0108000), PhysAddr(0x31237000), Domain::guest_kernel_ro, mmu::kApGuestKernelRo,
                           Mem::write_back),
              Err::inval);
    // And back again once it is empty.
    ASSERT_EQ(pt_.unmap_page(VirtAddr(0xC0107000)), Err::ok);
    EXPECT_EQ(pt_.map_page(VirtAddr(0xC0108000), PhysAddr(0x31237000), Domain::guest_kernel_ro, mmu::kApGuestKernelRo,
                           Mem::write_back),
              Err::ok);
    EXPECT_EQ(pt_.l1_entry(0xC01), 0xC0004071u);
    // Over the read-only page itself, with the other domain: refused for the domain first.
    EXPECT_EQ(
        pt_.map_page(VirtAddr(0xC0108000), PhysAddr(0x31238000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::inval);
    EXPECT_EQ(frames_.free_count(), 59u);
}

TEST_F(PageTableTest, DomainFits) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0xC0300000), PhysAddr(0x30000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    // Unmapped MiB: anything fits.
    EXPECT_TRUE(pt_.domain_fits(VirtAddr(0xC0200000), Domain::guest_kernel_ro));
    EXPECT_TRUE(pt_.domain_fits(VirtAddr(0xC0200000), Domain::guest_kernel));
    // A MiB with a domain-1 page: domain 1 only (any address in it, mapped or not).
    EXPECT_TRUE(pt_.domain_fits(VirtAddr(0xC0100000), Domain::guest_kernel));
    EXPECT_TRUE(pt_.domain_fits(VirtAddr(0xC0105000), Domain::guest_kernel));
    EXPECT_FALSE(pt_.domain_fits(VirtAddr(0xC01FF000), Domain::guest_kernel_ro));
    // A section: nothing (a page cannot go there at all).
    EXPECT_FALSE(pt_.domain_fits(VirtAddr(0xC0300000), Domain::guest_kernel));
    // Emptied: anything again.
    ASSERT_EQ(pt_.unmap_page(VirtAddr(0xC0105000)), Err::ok);
    EXPECT_TRUE(pt_.domain_fits(VirtAddr(0xC0100000), Domain::guest_kernel_ro));
    // A corrupt coarse descriptor (table outside the window) vouches for nothing.
    poke(0xC0000000 + 0xC04 * 4, mmu::l1_coarse(PhysAddr(0x10000000), Domain::guest_kernel));
    EXPECT_FALSE(pt_.domain_fits(VirtAddr(0xC0400000), Domain::guest_kernel_ro));
    EXPECT_TRUE(pt_.domain_fits(VirtAddr(0xC0400000), Domain::guest_kernel));
}

// ---- Descriptors the class never writes (a guest's, or corruption) --------------------------

TEST_F(PageTableTest, TranslateReportsTheSubpageAp) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    // Index 7: AP3=11 AP2=10 AP1=01 AP0=00, C B, small: 0x40000000 | 0xC00|0x200|0x40 | 0xC | 2
    poke(0xC0004000 + 7 * 4, 0x40000E4Eu);
    const u32 va = 0xC0107000;
    const Translation::Kind page = Translation::Kind::page;
    expect_translation(pt_, va + 0x000, 0x40000000, page, Domain::guest_kernel, Ap::no_access, Mem::write_back);
    expect_translation(pt_, va + 0x3FF, 0x400003FF, page, Domain::guest_kernel, Ap::no_access, Mem::write_back);
    expect_translation(pt_, va + 0x400, 0x40000400, page, Domain::guest_kernel, Ap::priv_rw, Mem::write_back);
    expect_translation(pt_, va + 0x800, 0x40000800, page, Domain::guest_kernel, Ap::priv_rw_user_ro, Mem::write_back);
    expect_translation(pt_, va + 0xFFF, 0x40000FFF, page, Domain::guest_kernel, Ap::all_rw, Mem::write_back);
}

TEST_F(PageTableTest, MibDomainAndPageApChangeInPlace) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0106000), PhysAddr(0x31235000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    const u32 tables = pt_.coarse_tables();
    EXPECT_EQ(pt_.set_mib_domain(0xC01, Domain::guest_kernel_ro), Err::ok);
    expect_translation(pt_, 0xC0105000, 0x31234000, Translation::Kind::page, Domain::guest_kernel_ro, Ap::priv_rw,
                       Mem::write_back);
    expect_translation(pt_, 0xC0106FFF, 0x31235FFF, Translation::Kind::page, Domain::guest_kernel_ro, Ap::priv_rw,
                       Mem::write_back);
    EXPECT_EQ(pt_.set_page_ap(VirtAddr(0xC0105000), Ap::priv_rw_user_ro), Err::ok);
    for (u32 off : {0x000u, 0x400u, 0x800u, 0xFFFu}) {
        expect_translation(pt_, 0xC0105000 + off, 0x31234000 + off, Translation::Kind::page, Domain::guest_kernel_ro,
                           Ap::priv_rw_user_ro, Mem::write_back);
    }
    expect_translation(pt_, 0xC0106000, 0x31235000, Translation::Kind::page, Domain::guest_kernel_ro, Ap::priv_rw,
                       Mem::write_back);
    EXPECT_EQ(pt_.coarse_tables(), tables) << "nothing allocated";
    EXPECT_EQ(pt_.set_mib_domain(0xC02, Domain::guest_kernel), Err::inval) << "no table there";
    EXPECT_EQ(pt_.set_mib_domain(mmu::kL1Entries, Domain::guest_kernel), Err::inval);
    EXPECT_EQ(pt_.set_page_ap(VirtAddr(0xC0107000), Ap::all_rw), Err::noent) << "no page there";
    EXPECT_EQ(pt_.set_page_ap(VirtAddr(0xC0200000), Ap::all_rw), Err::noent) << "no table there";
    EXPECT_EQ(pt_.set_page_ap(VirtAddr(0xC0105004), Ap::all_rw), Err::inval) << "misaligned";
}

TEST_F(PageTableTest, ForeignDescriptorsAreNotVouchedFor) {
    ASSERT_EQ(
        pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    poke(0xC0004000 + 8 * 4, 0x40010FF5u);     // a 64 KiB large page at index 8
    poke(0xC0004000 + 9 * 4, 0x40000FF3u);     // a tiny page (invalid in a coarse table)
    poke(kPhysBase + 0x123 * 4, 0xC0008013u);  // fine table
    poke(kPhysBase + 0x124 * 4, mmu::l1_coarse(PhysAddr(0x00001000), Domain::vmm));  // outside window
    const auto before = snapshot();

    expect_unmapped(pt_, 0xC0108000);
    expect_unmapped(pt_, 0xC0109000);
    expect_unmapped(pt_, 0x12300000);
    expect_unmapped(pt_, 0x12400000);
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0xC0108000)), Err::inval);
    EXPECT_EQ(pt_.map_page(VirtAddr(0xC0108000), PhysAddr(0x1000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
              Err::exist);
    EXPECT_EQ(pt_.map_page(VirtAddr(0x12300000), PhysAddr(0x1000), Domain::vmm, Ap::priv_rw, Mem::write_back),
              Err::exist);
    EXPECT_EQ(pt_.unmap_section(VirtAddr(0x12300000)), Err::inval);
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0x12300000)), Err::inval);
    EXPECT_EQ(pt_.map_page(VirtAddr(0x12400000), PhysAddr(0x1000), Domain::vmm, Ap::priv_rw, Mem::write_back),
              Err::fault);
    EXPECT_EQ(pt_.unmap_page(VirtAddr(0x12400000)), Err::fault);
    EXPECT_TRUE(unchanged_since(before));
}

// ---- Sharing the VMM's part between tables ------------------------------------------------------

TEST_F(PageTableTest, CopyL1RangeSharesTheVmmArea) {
    PageTable dom(new_l1(), window_, frames_);  // first fit: 0xC0004000
    ASSERT_EQ(dom.l1(), PhysAddr(0xC0004000));
    ASSERT_EQ(dom.clear(), Err::ok);

    // The VMM's table: DIRECTMAP, device sections, the high-vector page, and a guest
    // mapping that must not be copied.
    ASSERT_EQ(pt_.map_sections(VirtAddr(0xFF000000), PhysAddr(0x00000000), 12 * MiB, Domain::vmm, Ap::priv_rw,
                               Mem::write_back),
              Err::ok);
    ASSERT_EQ(pt_.map_sections(VirtAddr(0xFFC00000), PhysAddr(0x10000000), 3 * MiB, Domain::guest_user, Ap::priv_rw,
                               Mem::device),
              Err::ok);
    ASSERT_EQ(pt_.map_page(VirtAddr(0xFFFF0000), PhysAddr(0x00005000), Domain::vmm, Ap::priv_rw, Mem::write_back),
              Err::ok);
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0xC0000000), PhysAddr(0x30000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    // The domain's own mappings, right below the VMM area and in its kernel area.
    ASSERT_EQ(
        dom.map_section(VirtAddr(0xFBF00000), PhysAddr(0x5BF00000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    ASSERT_EQ(
        dom.map_section(VirtAddr(0xC0000000), PhysAddr(0x50000000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back),
        Err::ok);
    const u32 free_before = frames_.free_count();

    dom.copy_l1_range(pt_, VirtAddr(0xFC000000), 64 * MiB);

    for (u32 i = 0xFC0; i < 0x1000; ++i) ASSERT_EQ(dom.l1_entry(i), pt_.l1_entry(i)) << std::hex << i;
    EXPECT_EQ(dom.l1_entry(0xFF0), 0x0000041Eu);  // DIRECTMAP, phys 0
    EXPECT_EQ(dom.l1_entry(0xFFB), 0x00B0041Eu);  // DIRECTMAP, last MiB
    EXPECT_EQ(dom.l1_entry(0xFFC), 0x10000452u);  // first I/O slot
    EXPECT_EQ(dom.l1_entry(0xFFF), 0xC0008011u);  // the VMM's coarse table, domain 0
    EXPECT_EQ(dom.l1_entry(0xFBF), 0x5BF0043Eu);
    EXPECT_EQ(dom.l1_entry(0xC00), 0x5000043Eu);
    EXPECT_EQ(frames_.free_count(), free_before) << "copying allocates nothing";
    EXPECT_EQ(dom.coarse_tables(), 0u);

    expect_translation(dom, 0xFFFF0123, 0x00005123, Translation::Kind::page, Domain::vmm, Ap::priv_rw, Mem::write_back);
    expect_translation(dom, 0xFF123456, 0x00123456, Translation::Kind::section, Domain::vmm, Ap::priv_rw,
                       Mem::write_back);

    // The second-level table is shared: a page added through either table is seen by both.
    ASSERT_EQ(pt_.map_page(VirtAddr(0xFFFF1000), PhysAddr(0x00006000), Domain::vmm, Ap::priv_rw, Mem::write_back),
              Err::ok);
    expect_translation(dom, 0xFFFF1000, 0x00006000, Translation::Kind::page, Domain::vmm, Ap::priv_rw, Mem::write_back);
    ASSERT_EQ(dom.map_page(VirtAddr(0xFFFF2000), PhysAddr(0x00007000), Domain::vmm, Ap::priv_rw, Mem::write_back),
              Err::ok);
    expect_translation(pt_, 0xFFFF2000, 0x00007000, Translation::Kind::page, Domain::vmm, Ap::priv_rw, Mem::write_back);
    EXPECT_EQ(frames_.free_count(), free_before);
}

TEST_F(PageTableTest, CopyL1RangeCoversTouchedMibsOnly) {
    PageTable dom(new_l1(), window_, frames_);
    ASSERT_EQ(dom.clear(), Err::ok);
    ASSERT_EQ(pt_.map_sections(VirtAddr(0x00000000), PhysAddr(0x60000000), 4 * MiB, Domain::guest_user, Ap::all_rw,
                               Mem::write_back),
              Err::ok);
    dom.copy_l1_range(pt_, VirtAddr(0x00180000), 0);  // empty: nothing
    EXPECT_EQ(dom.l1_entry(1), 0u);
    // [0x00180000, 0x00280000) touches MiB 1 and 2.
    dom.copy_l1_range(pt_, VirtAddr(0x00180000), 1 * MiB);
    EXPECT_EQ(dom.l1_entry(0), 0u);
    EXPECT_EQ(dom.l1_entry(1), 0x60100C5Eu);
    EXPECT_EQ(dom.l1_entry(2), 0x60200C5Eu);
    EXPECT_EQ(dom.l1_entry(3), 0u);
    // [0x00300000, 0x00400000) is exactly MiB 3: MiB 4 is not touched.
    ASSERT_EQ(
        pt_.map_section(VirtAddr(0x00400000), PhysAddr(0x60400000), Domain::guest_user, Ap::all_rw, Mem::write_back),
        Err::ok);
    dom.copy_l1_range(pt_, VirtAddr(0x00300000), 1 * MiB);
    EXPECT_EQ(dom.l1_entry(3), 0x60300C5Eu);
    EXPECT_EQ(dom.l1_entry(4), 0u);
}

TEST_F(PageTableTest, CopyL1RangeIsClippedAtFourGiB) {
    PageTable dom(new_l1(), window_, frames_);  // 0xC0004000-0xC0007FFF
    ASSERT_EQ(dom.clear(), Err::ok);
    ASSERT_EQ(pt_.map_section(VirtAddr(0xFFF00000), PhysAddr(0x00F00000), Domain::vmm, Ap::priv_rw, Mem::write_back),
              Err::ok);
    const u32 after_table = raw(0xC0008000);
    dom.copy_l1_range(pt_, VirtAddr(0xFFF00000), 0xFFFFFFFFu);
    EXPECT_EQ(dom.l1_entry(0xFFF), 0x00F0041Eu);
    EXPECT_EQ(raw(0xC0008000), after_table) << "copy ran past the end of the L1";
    EXPECT_EQ(dom.l1_entry(0), 0u) << "copy wrapped around to the bottom";
}

}  // namespace

// Every descriptor a table writes reaches the written hook (the VMM cleans those lines to
// memory for the MMU's walks): after each kind of edit, every word of RAM that changed lies
// in a run the hook was given.
std::vector<std::pair<uintptr_t, u32>> written_runs;
void record_written(const void* p, u32 bytes) { written_runs.emplace_back(reinterpret_cast<uintptr_t>(p), bytes); }

TEST_F(PageTableTest, EveryDescriptorWriteIsReported) {
    PageTable::set_written_hook(record_written);
    const auto check = [&](const char* what, const std::function<void()>& edit) {
        SCOPED_TRACE(what);
        const std::vector<u8> before = snapshot();
        written_runs.clear();
        edit();
        u32 changed = 0;
        for (u32 off = 0; off < kMemSize; off += 4) {
            if (std::memcmp(before.data() + off, ram_ + off, 4) == 0) continue;
            ++changed;
            const uintptr_t at = reinterpret_cast<uintptr_t>(ram_ + off);
            bool reported = false;
            for (const auto& [p, n] : written_runs) reported = reported || (at >= p && at - p < n);
            EXPECT_TRUE(reported) << std::hex << "word at 0x" << (kPhysBase + off) << " changed unreported";
        }
        EXPECT_GT(changed, 0u);
    };
    poke(0xC0000000 + 4 * 5, 0x12345672);
    check("clear", [&] { ASSERT_EQ(pt_.clear(), Err::ok); });
    check("a section run", [&] {
        ASSERT_EQ(pt_.map_sections(VirtAddr(0x00100000), PhysAddr(0x60000000), 2 * MiB, mmu::Domain::guest_user,
                                   mmu::Ap::all_rw, mmu::Mem::write_back),
                  Err::ok);
    });
    check("a page in a new MiB", [&] {
        ASSERT_EQ(pt_.map_page(VirtAddr(0xC0105000), PhysAddr(0x31234000), mmu::Domain::guest_kernel, mmu::Ap::priv_rw,
                               mmu::Mem::write_back),
                  Err::ok);
    });
    check("a page in a MiB with a table", [&] {
        ASSERT_EQ(pt_.map_page(VirtAddr(0xC0106000), PhysAddr(0x31235000), mmu::Domain::guest_kernel, mmu::Ap::priv_rw,
                               mmu::Mem::write_back),
                  Err::ok);
    });
    check("unmapping pages", [&] {
        ASSERT_EQ(pt_.unmap_page(VirtAddr(0xC0105000)), Err::ok);
        ASSERT_EQ(pt_.unmap_page(VirtAddr(0xC0106000)), Err::ok);
    });
    check("an empty MiB retagged by its next page", [&] {
        ASSERT_EQ(pt_.map_page(VirtAddr(0xC0107000), PhysAddr(0x31236000), mmu::Domain::guest_kernel_ro,
                               mmu::kApGuestKernelRo, mmu::Mem::write_back),
                  Err::ok);
    });
    check("a MiB's domain changed in place",
          [&] { ASSERT_EQ(pt_.set_mib_domain(0xC01, mmu::Domain::guest_kernel), Err::ok); });
    check("a page's AP changed in place",
          [&] { ASSERT_EQ(pt_.set_page_ap(VirtAddr(0xC0107000), mmu::Ap::all_rw), Err::ok); });
    check("unmapping a section", [&] { ASSERT_EQ(pt_.unmap_section(VirtAddr(0x00100000)), Err::ok); });
    PageTable other(new_l1(), window_, frames_);
    ASSERT_EQ(other.clear(), Err::ok);
    check("copying first-level entries", [&] { other.copy_l1_range(pt_, VirtAddr(0xC0000000), 4 * MiB); });
    check("releasing coarse tables", [&] { EXPECT_GT(pt_.release_coarse_frames(0xC00, 0xC10), 0u); });
    PageTable::set_written_hook(nullptr);
}

}  // namespace xa
