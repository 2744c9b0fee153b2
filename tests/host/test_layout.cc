// The fixed virtual layout against Kim and Shin's "Secure Xen on ARM" (section "fixed 4 GB layout", Figure 2):
// top 64 MB for the VMM, from the top: IOREMAP 4 MB, DIRECTMAP 12 MB, PERDOMAIN 8 MB
// (MAPCACHE its top 4 MB), SH_LINEAR_PT 4 MB, LINEAR_PT 4 MB, RDWR_MPT 4 MB,
// FRAMETABLE 24 MB, RO_MPT 4 MB. Expected addresses are written out by hand.
#include <gtest/gtest.h>

#include <cstring>
#include <iterator>

#include <xen-arm/start_info.h>
#include <xen-arm/trace.h>

#include "hypercall_checks.hh"
#include "layout.hh"

namespace xa::layout {
namespace {

struct Expected {
    const char* name;
    u32 start;
    u32 size;
};

// The paper's table, bottom to top, with addresses worked out by hand from the sizes.
constexpr Expected kPaperVmmTable[] = {
    {"RO_MPT", 0xFC000000, 0x00400000},        // 4 MB
    {"FRAMETABLE", 0xFC400000, 0x01800000},    // 24 MB
    {"RDWR_MPT", 0xFDC00000, 0x00400000},      // 4 MB
    {"LINEAR_PT", 0xFE000000, 0x00400000},     // 4 MB
    {"SH_LINEAR_PT", 0xFE400000, 0x00400000},  // 4 MB
    {"PERDOMAIN", 0xFE800000, 0x00800000},     // 8 MB
    {"DIRECTMAP", 0xFF000000, 0x00C00000},     // 12 MB
    {"IOREMAP", 0xFFC00000, 0x00400000},       // 4 MB
};

TEST(Layout, VmmRegionsMatchPaperTable) {
    ASSERT_EQ(std::size(kVmmRegions), std::size(kPaperVmmTable));
    for (size_t i = 0; i < std::size(kPaperVmmTable); ++i) {
        SCOPED_TRACE(kPaperVmmTable[i].name);
        EXPECT_STREQ(kVmmRegions[i].name, kPaperVmmTable[i].name);
        EXPECT_EQ(kVmmRegions[i].start, kPaperVmmTable[i].start);
        EXPECT_EQ(kVmmRegions[i].size, kPaperVmmTable[i].size);
        EXPECT_NE(std::strlen(kVmmRegions[i].use), 0u);
    }
}

TEST(Layout, NamedRegionConstants) {
    EXPECT_EQ(kVmmBase, 0xFC000000u);
    EXPECT_EQ(kRoMpt.start, 0xFC000000u);
    EXPECT_EQ(kUncached.start, 0xFC400000u);
    EXPECT_EQ(kUncached.size, 24u * 1024 * 1024);
    EXPECT_EQ(kRdwrMpt.start, 0xFDC00000u);
    EXPECT_EQ(kLinearPt.start, 0xFE000000u);
    EXPECT_EQ(kShLinearPt.start, 0xFE400000u);
    EXPECT_EQ(kPerDomain.start, 0xFE800000u);
    EXPECT_EQ(kPerDomain.size, 8u * 1024 * 1024);
    EXPECT_EQ(kMapCache.start, 0xFEC00000u);
    EXPECT_EQ(kMapCache.size, 4u * 1024 * 1024);
    EXPECT_EQ(kDirectMap.start, 0xFF000000u);
    EXPECT_EQ(kDirectMap.size, 12u * 1024 * 1024);
    EXPECT_EQ(kIoRemap.start, 0xFFC00000u);
    EXPECT_EQ(kIoRemap.size, 4u * 1024 * 1024);
}

TEST(Layout, VmmRegionsTileTopSixtyFourMegabytes) {
    u64 next = 0xFC000000;
    u64 total = 0;
    for (const Region& r : kVmmRegions) {
        SCOPED_TRACE(r.name);
        EXPECT_EQ(r.start, next);
        EXPECT_EQ(r.size % 0x100000, 0u) << "regions are whole sections";
        next = u64(r.start) + r.size;
        total += r.size;
    }
    EXPECT_EQ(next, u64(1) << 32);
    EXPECT_EQ(total, 64u * 1024 * 1024);
}

TEST(Layout, RegionEndAndContains) {
    EXPECT_EQ(kDirectMap.end(), 0xFFC00000u);
    EXPECT_EQ(kIoRemap.end(), 0u) << "the last region ends at 4 GiB, which wraps to 0";

    EXPECT_FALSE(kDirectMap.contains(VirtAddr(0xFEFFFFFF)));
    EXPECT_TRUE(kDirectMap.contains(VirtAddr(0xFF000000)));
    EXPECT_TRUE(kDirectMap.contains(VirtAddr(0xFFBFFFFF)));
    EXPECT_FALSE(kDirectMap.contains(VirtAddr(0xFFC00000)));

    EXPECT_TRUE(kIoRemap.contains(VirtAddr(0xFFFFFFFF)));
    EXPECT_TRUE(kIoRemap.contains(VirtAddr(0xFFC00000)));
    EXPECT_FALSE(kIoRemap.contains(VirtAddr(0xFFBFFFFF)));
    EXPECT_FALSE(kIoRemap.contains(VirtAddr(0x00000000)));

    EXPECT_TRUE(kPerDomain.contains(VirtAddr(0xFEC00000)));  // MAPCACHE is inside
    EXPECT_TRUE(kMapCache.contains(VirtAddr(0xFEFFFFFF)));
    EXPECT_FALSE(kMapCache.contains(VirtAddr(0xFEBFFFFF)));
}

TEST(Layout, MapCacheIsTopOfPerDomain) {
    EXPECT_EQ(kMapCache.end(), kPerDomain.end());
    EXPECT_EQ(kMapCache.end(), 0xFF000000u);
}

TEST(Layout, IsVmmAddressBoundary) {
    EXPECT_FALSE(is_vmm_address(VirtAddr(0xFBFFFFFF)));
    EXPECT_TRUE(is_vmm_address(VirtAddr(0xFC000000)));
    EXPECT_TRUE(is_vmm_address(VirtAddr(0xFFFFFFFF)));
    EXPECT_FALSE(is_vmm_address(VirtAddr(0x00000000)));
    EXPECT_FALSE(is_vmm_address(VirtAddr(0xC0000000)));
}

TEST(Layout, GuestRegionsMatchPaper) {
    ASSERT_EQ(std::size(kGuestRegions), 5u);
    // Exception vectors from 0x00000000.
    EXPECT_EQ(kGuestVectors.start, 0x00000000u);
    EXPECT_EQ(kGuestVectors.size, 0x00100000u);
    // NOR flash 0x20000000-0x22000000.
    EXPECT_EQ(kNorFlash.start, 0x20000000u);
    EXPECT_EQ(kNorFlash.end(), 0x22000000u);
    // Guest user 0x40000000-0xBEFFFFFF.
    EXPECT_EQ(kGuestUser.start, 0x40000000u);
    EXPECT_EQ(kGuestUser.size, 0x7F000000u);
    EXPECT_TRUE(kGuestUser.contains(VirtAddr(0xBEFFFFFF)));
    EXPECT_FALSE(kGuestUser.contains(VirtAddr(0xBF000000)));
    // XIP kernel modules at 0xBF000000, 16 MB up to the kernel.
    EXPECT_EQ(kXipModules.start, 0xBF000000u);
    EXPECT_EQ(kXipModules.size, 0x01000000u);
    // Guest kernel 0xC0000000-0xFBFFFFFF.
    EXPECT_EQ(kGuestKernel.start, 0xC0000000u);
    EXPECT_EQ(kGuestKernel.size, 0x3C000000u);
    EXPECT_TRUE(kGuestKernel.contains(VirtAddr(0xFBFFFFFF)));
    EXPECT_FALSE(kGuestKernel.contains(VirtAddr(0xFC000000)));
}

TEST(Layout, GuestRegionsAreOrderedAndBelowVmm) {
    u32 previous_end = 0;
    for (const Region& r : kGuestRegions) {
        SCOPED_TRACE(r.name);
        EXPECT_GE(r.start, previous_end);
        EXPECT_LE(u64(r.start) + r.size, u64(0xFC000000));
        EXPECT_FALSE(is_vmm_address(VirtAddr(r.start)));
        previous_end = r.end();
    }
    for (const Region& g : kGuestRegions) {
        for (const Region& v : kVmmRegions) {
            EXPECT_FALSE(v.contains(VirtAddr(g.start))) << g.name << " in " << v.name;
        }
    }
}

TEST(Layout, IoSlotsAndHighVectors) {
    EXPECT_EQ(kIoSlotCount, 3u);
    EXPECT_EQ(io_slot_base(0), 0xFFC00000u);
    EXPECT_EQ(io_slot_base(1), 0xFFD00000u);
    EXPECT_EQ(io_slot_base(2), 0xFFE00000u);
    EXPECT_EQ(kHighVectorsSection, 0xFFF00000u);
    EXPECT_EQ(kHighVectors, 0xFFFF0000u);  // CP15 c1.V=1 vector base (ARM926EJ-S TRM)
    EXPECT_TRUE(kIoRemap.contains(VirtAddr(kHighVectors)));
    EXPECT_EQ(kHighVectors >> 20, 0xFFFu) << "the vectors live in the last megabyte";
}

}  // namespace
}  // namespace xa::layout

namespace xa::layout {
namespace {

// What is marked unused is what nothing maps: the VMM maps DIRECTMAP, IOREMAP and the
// trace page at PERDOMAIN's start; guests map only their kernel and user regions, which
// hold the VMM-provided MiB and everything a guest is given.
TEST(Layout, UnusedRegionsAreTheOnesNothingMaps) {
    const Region* used[] = {&kUncached, &kPerDomain, &kDirectMap, &kIoRemap, &kGuestUser, &kGuestKernel};
    const Region* unused[] = {&kRoMpt,    &kRdwrMpt,      &kLinearPt, &kShLinearPt,
                              &kMapCache, &kGuestVectors, &kNorFlash, &kXipModules};
    for (const Region* r : used) {
        SCOPED_TRACE(r->name);
        EXPECT_TRUE(r->used());
    }
    for (const Region* r : unused) {
        SCOPED_TRACE(r->name);
        EXPECT_FALSE(r->used());
        EXPECT_GT(std::strlen(r->unused), 20u) << "say why it stays reserved";
    }
    EXPECT_EQ(std::size(used) + std::size(unused), std::size(kVmmRegions) + 1 + std::size(kGuestRegions));
    EXPECT_TRUE(kPerDomain.contains(VirtAddr(XA_TRACE_DOMAIN_VA)));
    EXPECT_FALSE(kMapCache.contains(VirtAddr(XA_TRACE_DOMAIN_VA)));
    // Every window, its VMM-provided MiB included, lies in the guest kernel region.
    EXPECT_TRUE(kGuestKernel.contains(
        VirtAddr(XA_GUEST_KERNEL_BASE + (XA_WINDOW_COUNT - 1) * XA_WINDOW_SIZE + XA_TRACE_PAGE_OFFSET)));
    EXPECT_TRUE(kGuestKernel.contains(VirtAddr(XA_GUEST_KERNEL_BASE)));
    EXPECT_TRUE(kGuestUser.contains(VirtAddr(XA_GUEST_USER_BASE)));
    // Guests may not map the unused guest regions.
    for (const Region* r : {&kGuestVectors, &kNorFlash, &kXipModules}) {
        SCOPED_TRACE(r->name);
        EXPECT_NE(checks::check_guest_page_va(r->start), Err::ok);
        EXPECT_NE(checks::check_guest_page_va(r->end() - kPageSize), Err::ok);
    }
}

}  // namespace
}  // namespace xa::layout
