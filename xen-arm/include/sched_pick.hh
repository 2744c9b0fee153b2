// Scheduling policies' choices as pure functions over the domain slots, so the host tests
// check them without a VMM (tests/host/test_sched_pick.cc). sched.cc calls them with an
// accessor over its Domain slots.
#pragma once

#include "types.hh"

namespace xa::sched {

// What a policy sees of one domain slot.
struct PickEntry {
    bool runnable;
    u32 priority;  // 0 = highest (boot_image::BootDomain.priority)
};

// Fixed priority: among the runnable entries with the numerically lowest priority, the
// first after `previous` in slot order (round-robin among equals); `previous` itself
// again only if no other entry of that priority can run. `previous` is the slot chosen
// last (n: none yet). at(i) gives slot i's PickEntry. Returns the slot, or n if none of
// the n slots can run.
template <typename At>
constexpr u32 fixed_priority_pick(const At& at, u32 n, u32 previous) {
    if (n == 0) return 0;
    const u32 last = previous < n ? previous : n - 1;
    u32 best = n;
    u32 best_priority = 0;
    for (u32 step = 1; step <= n; ++step) {
        const u32 i = (last + step) % n;
        const PickEntry e = at(i);
        if (e.runnable && (best == n || e.priority < best_priority)) {
            best = i;
            best_priority = e.priority;
        }
    }
    return best;
}

// Fixed priority: a domain that becomes runnable takes the CPU from the running one at
// the next return to a guest only if it ranks strictly higher (equals wait their turn).
constexpr bool fixed_priority_preempts(u32 woken_priority, u32 running_priority) {
    return woken_priority < running_priority;
}

}  // namespace xa::sched
