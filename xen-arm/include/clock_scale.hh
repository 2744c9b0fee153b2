// Converting a free-running counter's ticks to nanoseconds without a 64-bit division.
//
// ns = ticks * 1e9 / hz is a call to __aeabi_uldivmod on ARMv5 (hundreds of
// instructions) and overflows 64 bits after 2^64 / 1e9 ticks (~14 minutes at 22 MHz).
// Instead, as Linux's clocksources do, precompute mult and shift with
// mult / 2^shift ~= 1e9 / hz and mult as large as fits 32 bits, and compute
// (ticks * mult) >> shift as a 96-bit product from two 32x32->64 multiplies.
// Relative error < 2^-31 (under 0.5 ns per second of uptime), monotonic, no overflow
// for any 64-bit tick count whose result fits 64 bits.
#pragma once

#include "types.hh"

namespace xa {

struct ClockScale {
    u32 mult;
    u32 shift;  // 1..32

    // For a counter of hz ticks per second (hz >= 1 and <= 1 GHz).
    static constexpr ClockScale for_hz(u32 hz) {
        u32 shift = 32;
        // Largest shift whose rounded multiplier still fits 32 bits.
        while (shift > 1 && ((1000000000ull << shift) + hz / 2) / hz > 0xFFFFFFFFull) --shift;
        return ClockScale{static_cast<u32>(((1000000000ull << shift) + hz / 2) / hz), shift};
    }

    constexpr u64 to_ns(u64 ticks) const {
        const u64 lo = static_cast<u64>(static_cast<u32>(ticks)) * mult;  // 32x32 -> 64
        const u64 hi = (ticks >> 32) * mult;                              // (ticks >> 32) < 2^32
        return (hi << (32 - shift)) + (lo >> shift);
    }
};

// The other direction, for programming a timer: counts = ceil(ns * hz / 1e9) by one
// 32x32->64 multiply, for delays below 2^32 ns (4.29 s; callers cap longer ones).
// mult = ceil(hz * 2^32 / 1e9), so the result is never below the exact count: a timer
// programmed with it never fires early (it may fire one count late).
struct NsToCounts {
    u32 mult;

    static constexpr NsToCounts for_hz(u32 hz) {
        return NsToCounts{static_cast<u32>(((static_cast<u64>(hz) << 32) + 999999999ull) / 1000000000ull)};
    }

    constexpr u64 counts_ceil(u64 ns) const {
        if (ns > 0xFFFFFFFFull) ns = 0xFFFFFFFFull;
        const u64 product = ns * mult;  // < 2^64: ns < 2^32, mult < 2^32
        return (product >> 32) + ((product & 0xFFFFFFFFull) != 0 ? 1 : 0);
    }
};

}  // namespace xa
