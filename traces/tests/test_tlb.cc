// The ARM926EJ-S main TLB model: hits, misses, capacity (2-way, 32 sets, round-robin),
// invalidate all, invalidate one entry, the walk's levels (section 1, small page 2).
#include <gtest/gtest.h>

#include "tlb.hh"

using namespace xatrace;

namespace {

constexpr uint32_t kPage = 4096, kMiB = 1u << 20;

TEST(Tlb, Geometry) {
    Tlb t(64, 2);
    EXPECT_EQ(t.entries(), 64u);
    EXPECT_EQ(t.sets(), 32u);
}

TEST(Tlb, MissThenHitsInTheSamePage) {
    Tlb t(64, 2);
    EXPECT_EQ(t.access(0xC0001000, MapSize::small_page), 2u);  // L1 + L2 descriptors
    EXPECT_EQ(t.access(0xC0001FFC, MapSize::small_page), 0u);
    EXPECT_EQ(t.access(0xC0002000, MapSize::small_page), 2u);  // the next page
    EXPECT_EQ(t.misses(), 2u);
}

TEST(Tlb, OneSectionCoversItsMegabyte) {
    Tlb t(64, 2);
    EXPECT_EQ(t.access(0xFF000000, MapSize::section), 1u);  // L1 descriptor only
    EXPECT_EQ(t.access(0xFF0FFFFC, MapSize::section), 0u);
    EXPECT_EQ(t.access(0xFF100000, MapSize::section), 1u);
    EXPECT_TRUE(t.contains(0xFF080000, MapSize::section));
    EXPECT_FALSE(t.contains(0xFF080000, MapSize::small_page));
}

TEST(Tlb, WalkLevels) {
    EXPECT_EQ(Tlb::walk_levels(MapSize::section), 1u);
    EXPECT_EQ(Tlb::walk_levels(MapSize::small_page), 2u);
}

TEST(Tlb, CapacityIs64Pages) {
    Tlb t(64, 2);
    for (uint32_t i = 0; i < 64; ++i) EXPECT_EQ(t.access(0x40000000 + i * kPage, MapSize::small_page), 2u);
    for (uint32_t i = 0; i < 64; ++i) EXPECT_EQ(t.access(0x40000000 + i * kPage, MapSize::small_page), 0u) << i;
    // A 65th page evicts one (its set's first-filled way); everything else stays.
    EXPECT_EQ(t.access(0x40000000 + 64 * kPage, MapSize::small_page), 2u);
    EXPECT_FALSE(t.contains(0x40000000, MapSize::small_page));
    for (uint32_t i = 1; i < 65; ++i) EXPECT_TRUE(t.contains(0x40000000 + i * kPage, MapSize::small_page)) << i;
}

TEST(Tlb, RoundRobinInOneSet) {
    Tlb t(64, 2);
    const uint32_t stride = 32 * kPage;  // pages this far apart share a set
    EXPECT_EQ(t.access(0x40000000, MapSize::small_page), 2u);
    EXPECT_EQ(t.access(0x40000000 + stride, MapSize::small_page), 2u);
    EXPECT_EQ(t.access(0x40000000, MapSize::small_page), 0u);               // a hit does not move the pointer
    EXPECT_EQ(t.access(0x40000000 + 2 * stride, MapSize::small_page), 2u);  // evicts way 0
    EXPECT_FALSE(t.contains(0x40000000, MapSize::small_page));
    EXPECT_TRUE(t.contains(0x40000000 + stride, MapSize::small_page));
    EXPECT_EQ(t.access(0x40000000, MapSize::small_page), 2u);  // evicts way 1
    EXPECT_FALSE(t.contains(0x40000000 + stride, MapSize::small_page));
    // Sections 32 MiB apart share a set too.
    Tlb s(64, 2);
    for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(s.access(0xC0000000 + i * 32 * kMiB, MapSize::section), 1u);
    EXPECT_FALSE(s.contains(0xC0000000, MapSize::section));
}

TEST(Tlb, InvalidateAll) {
    Tlb t(64, 2);
    (void)t.access(0xFF000000, MapSize::section);
    (void)t.access(0xC0000000, MapSize::small_page);
    const uint64_t g = t.generation();
    t.invalidate_all();
    EXPECT_NE(t.generation(), g);
    EXPECT_FALSE(t.contains(0xFF000000, MapSize::section));
    EXPECT_FALSE(t.contains(0xC0000000, MapSize::small_page));
    EXPECT_EQ(t.access(0xFF000000, MapSize::section), 1u);
    EXPECT_EQ(t.access(0xC0000000, MapSize::small_page), 2u);
}

TEST(Tlb, InvalidateOneEntry) {
    Tlb t(64, 2);
    (void)t.access(0xC0001000, MapSize::small_page);
    (void)t.access(0xC0002000, MapSize::small_page);
    (void)t.access(0xFF000000, MapSize::section);
    t.invalidate(0xC0001234);
    EXPECT_FALSE(t.contains(0xC0001000, MapSize::small_page));
    EXPECT_TRUE(t.contains(0xC0002000, MapSize::small_page));
    t.invalidate(0xFF0AB000);  // any address in the section drops it
    EXPECT_FALSE(t.contains(0xFF000000, MapSize::section));
    EXPECT_EQ(t.access(0xC0001000, MapSize::small_page), 2u);
    EXPECT_EQ(t.access(0xC0002000, MapSize::small_page), 0u);
}

TEST(Tlb, GenerationChangesOnlyWhenAnEntryLeaves) {
    Tlb t(64, 2);
    const uint64_t g = t.generation();
    (void)t.access(0x40000000, MapSize::small_page);  // fills an empty way
    (void)t.access(0x40000000, MapSize::small_page);
    EXPECT_EQ(t.generation(), g);
    (void)t.access(0x40000000 + 32 * kPage, MapSize::small_page);
    EXPECT_EQ(t.generation(), g);
    (void)t.access(0x40000000 + 64 * kPage, MapSize::small_page);  // evicts
    EXPECT_NE(t.generation(), g);
}

}  // namespace
