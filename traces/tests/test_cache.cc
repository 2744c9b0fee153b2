// The ARM926EJ-S cache model: geometry, round-robin replacement, read-allocate only,
// write-back of dirty lines, whole-cache maintenance.
#include <gtest/gtest.h>

#include "cache.hh"

using namespace xatrace;

namespace {

constexpr uint32_t kWay = 16384 / 4;  // addresses this far apart share a set (16 KB, 4-way)

TEST(Cache, Geometry) {
    Cache c(16384, 4, 32);
    EXPECT_EQ(c.sets(), 128u);
    EXPECT_EQ(c.line_bytes(), 32u);
}

TEST(Cache, ReadMissThenHitsInTheSameLine) {
    Cache c(16384, 4, 32);
    EXPECT_EQ(c.read(0x1000), Access::miss);
    EXPECT_EQ(c.read(0x101C), Access::hit);
    EXPECT_EQ(c.read(0x1020), Access::miss);  // next line
    EXPECT_EQ(c.read(0x1004), Access::hit);
}

TEST(Cache, RoundRobinReplacementInOneSet) {
    Cache c(16384, 4, 32);
    for (uint32_t w = 0; w < 4; ++w) EXPECT_EQ(c.read(0x100 + w * kWay), Access::miss);
    for (uint32_t w = 0; w < 4; ++w) EXPECT_EQ(c.read(0x100 + w * kWay), Access::hit);
    EXPECT_EQ(c.read(0x100 + 4 * kWay), Access::miss);  // evicts way 0: the first line
    EXPECT_FALSE(c.contains(0x100));
    EXPECT_TRUE(c.contains(0x100 + kWay));
    EXPECT_EQ(c.read(0x100), Access::miss);  // evicts way 1
    EXPECT_FALSE(c.contains(0x100 + kWay));
}

TEST(Cache, WritesDoNotAllocate) {
    Cache c(16384, 4, 32);
    EXPECT_FALSE(c.write(0x2000));
    EXPECT_FALSE(c.contains(0x2000));
    EXPECT_EQ(c.read(0x2000), Access::miss);
    EXPECT_TRUE(c.write(0x2004));
    EXPECT_EQ(c.dirty_lines(), 1u);
}

TEST(Cache, EvictingADirtyLineWritesItBack) {
    Cache c(16384, 4, 32);
    (void)c.read(0x40);
    EXPECT_TRUE(c.write(0x40));
    for (uint32_t w = 1; w < 4; ++w) (void)c.read(0x40 + w * kWay);
    EXPECT_EQ(c.read(0x40 + 4 * kWay), Access::miss_writeback);
    EXPECT_EQ(c.writebacks(), 1u);
    EXPECT_EQ(c.dirty_lines(), 0u);
}

TEST(Cache, CleanAndInvalidate) {
    Cache c(16384, 4, 32);
    for (uint32_t a = 0; a < 10 * 32; a += 32) {
        (void)c.read(a);
        (void)c.write(a);
    }
    (void)c.read(0x8000);
    EXPECT_EQ(c.dirty_lines(), 10u);
    EXPECT_EQ(c.clean_all(), 10u);
    EXPECT_EQ(c.dirty_lines(), 0u);
    EXPECT_TRUE(c.contains(0x20));  // cleaned lines stay valid
    c.invalidate_all();
    EXPECT_FALSE(c.contains(0x20));
    EXPECT_EQ(c.read(0x20), Access::miss);
}

TEST(Cache, ConfigurableSizes) {
    Cache small(4096, 4, 32);  // 32 sets
    EXPECT_EQ(small.sets(), 32u);
    for (uint32_t w = 0; w < 4; ++w) (void)small.read(w * 1024);
    EXPECT_EQ(small.read(4 * 1024), Access::miss);
    EXPECT_FALSE(small.contains(0));
}

}  // namespace
