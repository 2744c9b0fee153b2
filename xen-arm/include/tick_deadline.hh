// The deadlines of a periodic tick driven by a one-shot timer. Deadlines advance by whole
// periods from the first one, so the tick never drifts however late an interrupt is
// served; advance() says how many periods passed (normally 1).
#pragma once

#include "types.hh"

namespace xa {

class TickDeadline {
  public:
    constexpr void start(u64 now_ns, u32 hz) {
        period_ns_ = 1000000000ull / hz;
        next_ns_ = now_ns + period_ns_;
    }

    // Called at the timer interrupt: moves past every deadline up to now.
    constexpr u32 advance(u64 now_ns) {
        u32 elapsed = 0;
        while (next_ns_ <= now_ns) {
            next_ns_ += period_ns_;
            ++elapsed;
        }
        return elapsed;
    }

    constexpr u64 next_ns() const { return next_ns_; }
    constexpr u64 period_ns() const { return period_ns_; }

  private:
    u64 period_ns_ = 0;
    u64 next_ns_ = 0;
};

}  // namespace xa
