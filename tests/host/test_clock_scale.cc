#include "clock_scale.hh"

#include <gtest/gtest.h>

using xa::ClockScale;
using xa::u64;

namespace {

// The exact value, by 128-bit arithmetic.
u64 exact_ns(u64 ticks, unsigned hz) {
    return static_cast<u64>(static_cast<unsigned __int128>(ticks) * 1000000000u / hz);
}

TEST(ClockScale, MultiplierUsesAllThirtyTwoBits) {
    for (unsigned hz : {32768u, 1000000u, 22166666u, 24000000u, 1000000000u}) {
        const ClockScale s = ClockScale::for_hz(hz);
        EXPECT_GE(s.mult, 0x80000000u) << hz;
        EXPECT_GE(s.shift, 1u);
        EXPECT_LE(s.shift, 32u);
    }
}

TEST(ClockScale, MatchesExactConversionWithinRelativeError) {
    for (unsigned hz : {32768u, 22166666u, 24000000u}) {
        const ClockScale s = ClockScale::for_hz(hz);
        for (u64 ticks : {0ull, 1ull, 999ull, 24000000ull, 0xFFFFFFFFull, 0x100000000ull, 0x123456789ABull,
                          24000000ull * 3600 * 24 * 365}) {
            const u64 want = exact_ns(ticks, hz);
            const u64 got = s.to_ns(ticks);
            const u64 diff = got > want ? got - want : want - got;
            EXPECT_LE(diff, want / (1ull << 30) + 1) << hz << " " << ticks;
        }
    }
}

TEST(ClockScale, MonotonicAcrossTheLowWordWrap) {
    const ClockScale s = ClockScale::for_hz(22166666u);
    u64 prev = 0;
    for (u64 t = 0xFFFFFF00ull; t < 0x100000100ull; ++t) {
        const u64 ns = s.to_ns(t);
        EXPECT_GE(ns, prev);
        prev = ns;
    }
}

TEST(ClockScale, OneGigahertzIsIdentity) {
    const ClockScale s = ClockScale::for_hz(1000000000u);
    EXPECT_EQ(s.to_ns(123456789ull), 123456789ull);
}

}  // namespace

namespace {

TEST(NsToCounts, NeverBelowTheExactCountAndAtMostOneAbove) {
    for (unsigned hz : {32768u, 1000000u, 22166666u, 24000000u}) {
        const xa::NsToCounts c = xa::NsToCounts::for_hz(hz);
        for (xa::u64 ns : {0ull, 1ull, 45ull, 1000ull, 999999ull, 10000000ull, 123456789ull, 4294967295ull}) {
            const unsigned __int128 exact_num = static_cast<unsigned __int128>(ns) * hz;
            const xa::u64 exact_ceil = static_cast<xa::u64>((exact_num + 999999999u) / 1000000000u);
            const xa::u64 got = c.counts_ceil(ns);
            EXPECT_GE(got, exact_ceil) << hz << " " << ns;
            EXPECT_LE(got, exact_ceil + 1) << hz << " " << ns;
        }
    }
}

TEST(NsToCounts, LongDelaysAreCappedNotWrapped) {
    const xa::NsToCounts c = xa::NsToCounts::for_hz(22166666u);
    EXPECT_EQ(c.counts_ceil(1ull << 40), c.counts_ceil(0xFFFFFFFFull));
}

}  // namespace
