// The one-shot timer's programming. See timer.hh.
#include "timer.hh"

#include "board.hh"

namespace xa::timer {

u64 detail::programmed_ns = ~0ull;
using detail::programmed_ns;

u64 now_ns() { return board::timer_now_ns(); }

void fired() { programmed_ns = ~0ull; }

void program(u64 earliest) {
    if (earliest == ~0ull) earliest = now_ns() + kIdleRecheckNs;
    if (earliest != programmed_ns) {
        board::timer_oneshot(earliest);
        programmed_ns = earliest;
    }
}

}  // namespace xa::timer
