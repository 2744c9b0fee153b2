// The scheduler: which domain owns the CPU, the VMM tick, virtual time and timers.
//
// Two policies, chosen by the boot image's [system] scheduler: preemptive round-robin over
// runnable domains (the default), and fixed priority (the runnable domain with the lowest
// BootDomain.priority runs, equals in round-robin, a higher one that wakes preempts).
// Each domain runs for its configured timeslice, blocked and paused domains are skipped,
// the CPU idles (WFI) when none can run. A policy is a pick function and an optional wake
// check (Policy below), so credit or SEDF can be added without touching the mechanism:
// context switch, accounting, timers, upcall delivery.
//
// Every path back to a guest ends in sched::leave(frame): it switches domains if needed
// (rewriting the frame in place with the next domain's registers) and delivers a pending
// event upcall.
#pragma once

#include "domain.hh"
#include "event_channel.hh"
#include "trap_frame.h"
#include "types.hh"

namespace xa::sched {

// A scheduling policy: which runnable domain runs next. The mechanism (sched.cc) calls
// pick_next whenever the current domain blocks, yields, stops or uses up its slice, and
// tells the policy which domain it chose. Credit or SEDF would be one more instance of this
// struct; the mechanism stays.
struct Policy {
    const char* name;
    // The next domain to run (runnable() is true), or nullptr if none can run. `previous`
    // is the domain chosen last time (nullptr at first).
    Domain* (*pick_next)(const Domain* previous);
    // Whether `woken`, just made runnable, takes the CPU from `running` at the next return
    // to a guest; nullptr: never (it waits for the running domain's slice to end).
    bool (*preempts)(const Domain& woken, const Domain& running);
};

// Round-robin in domain-id order, each for its configured timeslice.
extern const Policy kRoundRobin;
// The runnable domain with the numerically lowest priority (0 = highest) first; equal
// priorities in round-robin; a strictly higher one that becomes runnable preempts.
extern const Policy kFixedPriority;

// The policy for a boot image's BootImageHeader.scheduler (checked: < kSchedCount).
const Policy& policy_for(u32 scheduler);

// No periodic tick: one one-shot board timer is programmed for the next thing due (the
// current domain's slice end, a virtual timer, a poll timeout), so virtual timers fire at
// their deadline (never early) and an idle system takes one interrupt a second.
// `policy` schedules from now on (set before any domain starts).
void init(const Policy& policy);
const Policy& current_policy();

// A virtual timer was set to deadline_ns (0: cancelled; the timer then just fires once for
// nothing, which is cheaper than re-scanning now).
void timer_set(u64 deadline_ns);

u64 now_ns();  // system time: ns since the board's clock started

// Domain life cycle.
void domain_started(Domain& d);   // built: becomes runnable
void domain_stopped(Domain& d);   // shut down or crashed: off the run queue for good

// An event operation is done: wake kick.dom if it sleeps waiting for an upcall, and any
// domain polling a port that is pending now (sched_op poll ignores masks). Every path
// that makes a port pending ends here.
void event_raised(const Kick& k);
// The VMM raises VIRQ `virq` in d (timer, console, domain exit, pass-through interrupt).
void raise_virq(Domain& d, u32 virq);

void yield();                 // the current domain gives up the rest of its slice
void block(Domain& d);        // wait for an event (the caller has checked none is pending)
void pause_changed(Domain& d);

// dom0 has read console input: let the next byte interrupt again (VIRQ_CONSOLE).
void console_input_read();

// The timer interrupt: fire due virtual timers and poll timeouts, end an expired slice.
void tick();

// Publish system time into d's vcpu_info (version protocol).
void update_time(Domain& d);

// End of every guest entry: switch if needed, deliver a pending upcall.
void leave(TrapFrame& f);

// Enter the first domain (from xa_main, never returns).
[[noreturn]] void start();

}  // namespace xa::sched
