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
//   (the mechanism's one-shot timer enforces it) unless something else preempts. With no
//   domain to run, run_ns says when to ask again (0: not before something wakes).
// - A timed policy gets the time: the mechanism reads the clock before every decision,
//   charges the running domain and passes `now` to pick(), and the domain it picks runs
//   exactly run_ns from then. An untimed one (round-robin: its order does not depend on
//   time) gets now = 0, and a domain picked again while it still runs keeps its run end,
//   which spares the yield path a clock read.
#pragma once

#include "domain.hh"
#include "types.hh"

namespace xa::sched {

// What a domain's configuration (boot_image::BootDomain) says to the policies; each reads
// its own fields.
struct SchedParams {
    u32 timeslice_ns;
    u32 priority = 0;    // fixed priority: 0 = highest
    u32 weight = 0;      // credit: relative share
    u32 cap_pct = 0;     // credit: at most this percentage of the CPU; 0 = no cap
    u32 period_ns = 0;   // sedf: the server's period (0: no reservation, background only)
    u32 budget_ns = 0;   // sedf: its budget in each period
    bool extra = false;  // sedf: may also run in time nobody reserved
};

struct Choice {
    Domain* next;  // nullptr: nothing can run (the CPU idles)
    u64 run_ns;    // how long `next` may run before the policy is asked again
};

struct Policy {
    const char* name;
    bool timed;
    // Whether a domain with these parameters may be added beside those already there
    // (admission control); nullptr: always.
    Err (*admit)(const SchedParams& p);
    void (*add)(Domain& d, const SchedParams& p);
    void (*remove)(Domain& d);
    // d is runnable now; returns whether it should take the CPU from `running` (non-null,
    // not d) at the next return to a guest.
    bool (*wake)(Domain& d, const Domain* running);
    void (*sleep)(Domain& d);
    void (*yield)(Domain& d);
    // The running domain ran ran_ns since it was picked or last charged (timed policies;
    // nullptr: not needed).
    void (*charge)(Domain& d, u64 ran_ns);
    Choice (*pick)(u64 now);
    // The domain pick() chose is on the CPU from `now` on, after the switch to it (timed
    // policies; nullptr: not needed). A policy that accounts wall-clock time from its pick
    // starts the count here, so the switch is not charged to the domain.
    void (*started)(Domain& d, u64 now);
};

// Round-robin in domain-id order, each for its configured timeslice; a woken domain
// waits for the running one's slice to end.
extern const Policy kRoundRobin;
// The runnable domain with the numerically lowest priority first; equals in round-robin,
// each for its timeslice; one that wakes with a strictly higher priority preempts, and the
// preempted domain resumes first, with what was left of its slice.
extern const Policy kFixedPriority;

// Xen's credit scheduler: a share of the CPU by weight, optionally capped; woken domains
// are boosted; nothing about *when* a domain runs.
extern const Policy kCredit;
// EDF over periodic servers (period, budget): each domain is guaranteed its budget in
// every period, the periodic resource of Shin and Lee's compositional analysis.
extern const Policy kSedf;

// The CPU bandwidth a sedf server needs, in parts per million: its budget plus what each
// period costs the VMM (boot_image::kSedfOverheadPerPeriodNs), over its period. A set of
// servers is admitted while the sum is at most kBandwidthWhole.
inline constexpr u64 kBandwidthWhole = 1000000;
u64 sedf_bandwidth_ppm(u64 period_ns, u64 budget_ns);

// The policy for a boot image's BootImageHeader.scheduler (checked: < kSchedCount).
const Policy& policy_for(u32 scheduler);

}  // namespace xa::sched
