// PhysWindow: bounds at the edges and at 4 GiB, pointer <-> physical address.
#include <gtest/gtest.h>

#include "phys_window.hh"

namespace xa {
namespace {

TEST(PhysWindow, Accessors) {
    const PhysWindow w(PhysAddr(0xC0000000), 0x40000, 0x1000);
    EXPECT_EQ(w.phys_base(), PhysAddr(0xC0000000));
    EXPECT_EQ(w.size(), 0x40000u);
    EXPECT_EQ(w.virt_base(), uintptr_t(0x1000));
}

TEST(PhysWindow, ContainsAtTheEdges) {
    const PhysWindow w(PhysAddr(0xC0000000), 0x40000, 0x1000);
    EXPECT_FALSE(w.contains(PhysAddr(0xBFFFFFFF)));
    EXPECT_TRUE(w.contains(PhysAddr(0xC0000000)));
    EXPECT_TRUE(w.contains(PhysAddr(0xC003FFFF)));
    EXPECT_FALSE(w.contains(PhysAddr(0xC0040000)));
    EXPECT_TRUE(w.contains(PhysAddr(0xC0000000), 0x40000));
    EXPECT_FALSE(w.contains(PhysAddr(0xC0000000), 0x40001));
    EXPECT_TRUE(w.contains(PhysAddr(0xC003FFFC), 4));
    EXPECT_FALSE(w.contains(PhysAddr(0xC003FFFD), 4));
    EXPECT_FALSE(w.contains(PhysAddr(0xBFFFFFFF), 2));  // starts below
    EXPECT_FALSE(w.contains(PhysAddr(0x00000000)));
    // A huge length must not wrap around to look small.
    EXPECT_FALSE(w.contains(PhysAddr(0xC0000010), 0xFFFFFFF8u));
    // Empty ranges: inside or at the end.
    EXPECT_TRUE(w.contains(PhysAddr(0xC0040000), 0));
    EXPECT_FALSE(w.contains(PhysAddr(0xC0040001), 0));
}

TEST(PhysWindow, ContainsAtTopOfAddressSpace) {
    // phys_base + size wraps to 0: a naive "pa + len <= base + size" gets this wrong.
    constexpr PhysWindow w(PhysAddr(0xFFFF0000), 0x10000, 0x5000);
    static_assert(w.contains(PhysAddr(0xFFFFFFFF)));
    EXPECT_TRUE(w.contains(PhysAddr(0xFFFFFFFF), 1));
    EXPECT_FALSE(w.contains(PhysAddr(0xFFFFFFFF), 2));
    EXPECT_TRUE(w.contains(PhysAddr(0xFFFF0000), 0x10000));
    EXPECT_FALSE(w.contains(PhysAddr(0xFFFF0000), 0x10001));
    EXPECT_FALSE(w.contains(PhysAddr(0x00000000)));
    EXPECT_FALSE(w.contains(PhysAddr(0xFFFF8000), 0xFFFFFFFFu));
}

TEST(PhysWindow, PointerArithmeticUsesTheOffset) {
    // The VMM's DIRECTMAP shape: RAM at phys 0x00000000 seen at 0xFF000000.
    const PhysWindow direct(PhysAddr(0x00000000), 12 * MiB, 0xFF000000u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(direct.ptr<u32>(PhysAddr(0x00100000))), uintptr_t(0xFF100000u));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(direct.ptr<u8>(PhysAddr(0x00BFFFFF))), uintptr_t(0xFFBFFFFFu));

    // Phys above virt: the offset is negative as a number.
    const PhysWindow w(PhysAddr(0xC0000000), 0x40000, 0x1000);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(w.ptr<u32>(PhysAddr(0xC0000010))), uintptr_t(0x1010));
    EXPECT_EQ(w.phys_of(reinterpret_cast<const void*>(uintptr_t(0x1010))), PhysAddr(0xC0000010));
    EXPECT_EQ(w.phys_of(reinterpret_cast<const void*>(uintptr_t(0x1000))), PhysAddr(0xC0000000));
}

TEST(PhysWindow, RealMemoryRoundTrip) {
    alignas(16) static u32 buffer[256];
    const PhysWindow w(PhysAddr(0x40000000), sizeof buffer, reinterpret_cast<uintptr_t>(buffer));
    *w.ptr<u32>(PhysAddr(0x40000008)) = 0x12345678;
    EXPECT_EQ(buffer[2], 0x12345678u);
    EXPECT_EQ(w.phys_of(&buffer[255]), PhysAddr(0x400003FC));
    EXPECT_EQ(w.ptr<u32>(w.phys_of(&buffer[17])), &buffer[17]);
}

}  // namespace
}  // namespace xa
