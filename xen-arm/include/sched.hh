// The scheduler's mechanism: which domain owns the CPU, blocking and waking, virtual time
// and virtual timers, runstate accounting, context switch and upcall delivery.
//
// Who runs next and for how long is a policy's answer (sched_policy.hh: round-robin and
// fixed priority, chosen by the boot image's [system] scheduler); the mechanism tells the
// policy every change of a domain's runnability and enforces the run time it grants with
// the one-shot timer (timer.hh). The CPU idles (WFI) when nothing can run. Interrupt
// dispatch is irq.hh's.
//
// Every path back to a guest ends in sched::leave(frame): it switches domains if needed
// (rewriting the frame in place with the next domain's registers) and delivers a pending
// event upcall.
#pragma once

#include "domain.hh"
#include "event_channel.hh"
#include "sched_policy.hh"
#include "trap_frame.h"
#include "traps.hh"
#include "types.hh"

namespace xa::sched {

// `policy` schedules from now on (set before any domain starts); the VMM's interrupt
// lines are enabled (irq.hh).
void init(const Policy& policy);

// d's virtual timer was set to d.timer_deadline_ns (0: cancelled; the one-shot then just
// fires once for nothing, which is cheaper than re-scanning now). Time: timer.hh.
void timer_set(Domain& d);

// Whether the policy admits a domain with these parameters beside the live ones.
Err admit(const SchedParams& params);

// Domain life cycle.
void domain_started(Domain& d, const SchedParams& params);  // built: becomes runnable
void domain_stopped(Domain& d);                             // shut down or crashed: off the run queue for good

// An event operation is done: wake kick.dom if it sleeps waiting for an upcall, and any
// domain polling a port that is pending now (sched_op poll ignores masks). Every path
// that makes a port pending ends here.
void event_raised(const Kick& k);
// The VMM raises VIRQ `virq` in d (timer, console, domain exit, pass-through interrupt).
void raise_virq(Domain& d, u32 virq);

void yield();           // the current domain gives up the rest of its slice
void block(Domain& d);  // wait for an event (the caller has checked none is pending)
void pause_changed(Domain& d);

// The timer interrupt: fire due virtual timers and poll timeouts, end an expired slice.
void tick();

// Publish system time into d's vcpu_info (version protocol).
void update_time(Domain& d);

namespace detail {
// Work for leave()'s slow path, one byte so the fast path tests it once (sched.cc). Every
// change that can end the current domain's run (it blocks, is paused, stops, yields, its
// time is up, another domain preempts it) sets a bit here: with no bit set, the current
// domain is runnable and stays on the CPU.
extern u8 pending_work;
}  // namespace detail

// leave()'s everything-but-the-upcall: switch, idle, program the timer, then the upcall.
void leave_slow(TrapFrame& f, Domain* cur);

// End of every guest entry: switch if needed, deliver a pending upcall.
void leave(TrapFrame& f);

// leave() inline, for the hypercall and interrupt entries: the common case (nothing to do)
// is a few instructions there.
inline void leave_inline(TrapFrame& f) {
    Domain* cur = domains::current();
    if (__builtin_expect(detail::pending_work != 0, 0)) return leave_slow(f, cur);
    if (__builtin_expect(cur == nullptr, 0)) return leave_slow(f, nullptr);
    traps::deliver_upcall(*cur, f);
}

// Enter the first domain (from xa_main, never returns).
[[noreturn]] void start();

}  // namespace xa::sched
