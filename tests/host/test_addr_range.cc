// unit_span (addr_range.hh): the units a range [va, va + len) touches, for the VMM's cache
// loops. Empty ranges are empty anywhere; ranges past 4 GiB are refused, never wrapped.
#include <gtest/gtest.h>

#include "addr_range.hh"

namespace xa {
namespace {

UnitSpan span(u32 va, u32 len, bool want_ok = true, u32 unit = 32) {
    UnitSpan s{1, 1};
    EXPECT_EQ(unit_span(va, len, unit, s), want_ok) << std::hex << va << " + " << len;
    return s;
}

TEST(AddrRange, ZeroLengthIsEmptyWhereverItStarts) {
    for (u32 va : {0u, 0x1000u, 0xC0000000u, 0xFF000000u, 0xFFFFFFE0u, 0xFFFFFFE1u, 0xFFFFFFFFu}) {
        const UnitSpan s = span(va, 0);
        EXPECT_EQ(s.count, 0u) << std::hex << va;
    }
}

TEST(AddrRange, LinesOfAnAlignedAndAnUnalignedRange) {
    UnitSpan s = span(0xC0001000u, 64);
    EXPECT_EQ(s.first, 0xC0001000u);
    EXPECT_EQ(s.count, 2u);
    s = span(0xC0001001u, 1);  // one byte: its line
    EXPECT_EQ(s.first, 0xC0001000u);
    EXPECT_EQ(s.count, 1u);
    s = span(0xC000101Fu, 2);  // straddles two lines
    EXPECT_EQ(s.first, 0xC0001000u);
    EXPECT_EQ(s.count, 2u);
    s = span(0xC0001000u, 0x10000u);  // 64 KiB, the SYNC_ICACHE limit
    EXPECT_EQ(s.count, 0x800u);
}

TEST(AddrRange, UpToTheLastByteIsFine) {
    UnitSpan s = span(0xFFFFFFE0u, 32);
    EXPECT_EQ(s.first, 0xFFFFFFE0u);
    EXPECT_EQ(s.count, 1u);
    s = span(0xFFFFFFFFu, 1);
    EXPECT_EQ(s.first, 0xFFFFFFE0u);
    EXPECT_EQ(s.count, 1u);
    s = span(0u, 0xFFFFFFFFu);  // all but the last byte: every line
    EXPECT_EQ(s.first, 0u);
    EXPECT_EQ(s.count, 0x08000000u);
}

TEST(AddrRange, PastFourGibIsRefusedNotWrapped) {
    UnitSpan s = span(0xFFFFFFF0u, 32, false);
    EXPECT_EQ(s.count, 0u);
    s = span(0xFFFFFFFFu, 2, false);
    EXPECT_EQ(s.count, 0u);
    s = span(2u, 0xFFFFFFFFu, false);  // its last byte would be 0x100000000
    EXPECT_EQ(s.count, 0u);
}

TEST(AddrRange, PagesAsUnits) {
    UnitSpan s = span(0xC0000FFFu, 2, true, 4096);
    EXPECT_EQ(s.first, 0xC0000000u);
    EXPECT_EQ(s.count, 2u);
    static_assert([] {
        UnitSpan c{};
        return unit_span(0xFFFFF000u, 0x1000u, 4096, c) && c.count == 1;
    }());
}

}  // namespace
}  // namespace xa
