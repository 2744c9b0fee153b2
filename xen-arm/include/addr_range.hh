// Address ranges [va, va + len) as the VMM walks them, in units of a cache line or a page.
//
// Two rules, for every loop over a guest-supplied range: a zero-length range is empty
// wherever it starts (no unit is touched, not even the one holding va), and a range that
// would run past 0xFFFFFFFF is refused, never wrapped to 0. The end is computed once, here;
// a loop then counts units instead of comparing addresses, so it cannot wrap either.
// Pure, so tests/host/test_addr_range.cc checks it.
#pragma once

#include "types.hh"

namespace xa {

// The units touched by a range: the first one's base and how many (0: an empty range).
struct UnitSpan {
    u32 first = 0;
    u32 count = 0;
};

// The `unit`-sized (a power of two) units of [va, va + len) into out; false, with out
// empty, if the range runs past 4 GiB.
constexpr bool unit_span(u32 va, u32 len, u32 unit, UnitSpan& out) {
    out = UnitSpan{};
    if (len == 0) return true;
    const u32 last = va + (len - 1);
    if (last < va) return false;  // wraps past 0xFFFFFFFF
    const u32 mask = ~(unit - 1);
    out.first = va & mask;
    out.count = ((last & mask) - out.first) / unit + 1;
    return true;
}

}  // namespace xa
