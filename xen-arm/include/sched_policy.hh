// The seam between the scheduler's mechanism (sched.cc: context switch, runstate
// accounting, blocking, the slice timer) and a scheduling policy, in the style of Xen's
// `struct scheduler`: the policy owns its per-domain parameters and its run queue, and is
// told about every change of a domain's runnability, so it can answer "who next, and for
// how long" without looking at all domain slots.
//
// The mechanism's promises to a policy:
// - add() once when a domain is built, remove() once when it stops for good (shutdown,
//   crash, destroy); nothing else is called for a domain outside add..remove.
// - wake() whenever a domain becomes runnable (started, woken from block/poll, unpaused),
//   sleep() whenever it stops being runnable (blocks, paused, stops); both may repeat.
// - The running domain stays in the policy's queue while it runs; yield() when it gives
//   up the rest of its turn, charge() with the time it ran since it was picked or last
//   charged, before every pick that may replace it and when its run time is up.
// - pick() only when a decision is due; the domain it returns runs for at most run_ns
//   (the mechanism's one-shot timer enforces it) unless something else preempts.
#pragma once

#include "domain.hh"
#include "types.hh"

namespace xa::sched {

// What a domain's configuration (boot_image::BootDomain) says to the policies.
struct SchedParams {
    u32 timeslice_ns;
    u32 priority;  // 0 = highest (fixed priority)
};

struct Choice {
    Domain* next;  // nullptr: nothing can run (the CPU idles)
    u64 run_ns;    // how long `next` may run before the policy is asked again
};

struct Policy {
    const char* name;
    void (*add)(Domain& d, const SchedParams& p);
    void (*remove)(Domain& d);
    // d is runnable now; returns whether it should take the CPU from `running` (non-null,
    // not d) at the next return to a guest.
    bool (*wake)(Domain& d, const Domain* running);
    void (*sleep)(Domain& d);
    void (*yield)(Domain& d);
    // nullptr when the policy does not account time (the mechanism then skips reading the
    // clock for it).
    void (*charge)(Domain& d, u64 ran_ns);
    Choice (*pick)();
};

// Round-robin in domain-id order, each for its configured timeslice; a woken domain
// waits for the running one's slice to end.
extern const Policy kRoundRobin;
// The runnable domain with the numerically lowest priority first; equals in round-robin,
// each for its timeslice; one that wakes with a strictly higher priority preempts, and the
// preempted domain resumes first, with what was left of its slice.
extern const Policy kFixedPriority;

// The policy for a boot image's BootImageHeader.scheduler (checked: < kSchedCount).
const Policy& policy_for(u32 scheduler);

}  // namespace xa::sched
