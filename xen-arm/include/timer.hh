// The VMM's one clock and one one-shot timer (the board's), shared by the scheduler's
// slices, the guests' virtual timers and poll timeouts. No periodic tick: the one-shot is
// programmed for the earliest thing due, so virtual timers fire at their deadline (never
// early) and an idle system takes one interrupt a second.
#pragma once

#include "types.hh"

namespace xa::board {
void timer_oneshot(u64 deadline_ns);  // board.hh (not included: it pulls in the board's config)
}

namespace xa::timer {

namespace detail {
extern u64 programmed_ns;  // ~0: nothing programmed
}

u64 now_ns();  // system time: ns since the board's clock started

// Something is due at deadline_ns: the one-shot fires no later than that. Lazy: a deadline
// later than the one programmed changes nothing (that earlier interrupt comes first and the
// scheduler then re-programs from scratch), so this usually costs one comparison (inline:
// it is on the switch path).
inline void expect(u64 deadline_ns) {
    if (deadline_ns < detail::programmed_ns) {
        board::timer_oneshot(deadline_ns);
        detail::programmed_ns = deadline_ns;
    }
}

// The one-shot fired: nothing is programmed any more.
void fired();

// Program exactly `earliest` (~0: nothing due, re-check in kIdleRecheckNs), unless that is
// what is programmed already.
void program(u64 earliest);

inline constexpr u64 kIdleRecheckNs = 1000000000ull;  // once a second with nothing due

}  // namespace xa::timer
