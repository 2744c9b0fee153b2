// The scheduler's mechanism: context switch, runstate accounting, blocking and waking,
// the virtual timers, and the one-shot timer's deadline. Which domain runs, and for how
// long, is the policy's (sched_policy.hh). See sched.hh.
#include "sched.hh"

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "arch/arm/semihosting.hh"
#include "console.hh"
#include "exit_status.hh"
#include "fault_tolerance.hh"
#include "irq.hh"
#include "sched_wait.hh"
#include "timer.hh"
#include "traps.hh"
#include "vmm.hh"

namespace xa::sched {
namespace {

// Work for the slow path of leave() (detail::pending_work, sched.hh).
constexpr u8 kWorkResched = 1u << 0;  // ask the policy who runs next
constexpr u8 kWorkTimer = 1u << 1;    // recompute the one-shot timer
constexpr u8 kWorkYield = 1u << 2;    // ...and the current domain gave its turn away
constexpr u8 kWorkExpired = 1u << 3;  // ...and the current domain's run time is up

}  // namespace

u8 detail::pending_work = kWorkTimer;
using detail::pending_work;

namespace {

const Policy* policy = &kRoundRobin;

// The current domain's run: when it was picked or last charged, and when its run time
// (the policy's Choice::run_ns) is up.
u64 run_start_ns = 0;
u64 run_end_ns = 0;
u64 tick_ns = 0;            // the time the last timer interrupt saw
u64 idle_until_ns = ~0ull;  // with nothing to run: when the policy wants to be asked again

// Domains that may have a virtual-timer or poll deadline (a bit per slot; a stale bit is
// dropped at the next scan), so the tick and the timer programming look only at those,
// never at every slot.
u32 armed = 0;
u32 polling_domains = 0;  // domains in sched_op poll right now
u32 switches = 0;

void arm(const Domain& d) { armed |= 1u << d.id.value(); }

void set_runstate(Domain& d, u32 state, u64 now) {
    if (d.runstate < 4) d.runstate_ns[d.runstate] = d.runstate_time(d.runstate, now);
    d.runstate = state;
    d.runstate_entry_ns = now;
}

u32 idle_runstate(const Domain& d) {
    if (!d.alive()) return RUNSTATE_offline;
    return d.runnable() ? RUNSTATE_runnable : RUNSTATE_blocked;
}

// The earliest deadline among the armed domains; clears the bits of those with none.
u64 earliest_armed(u64 earliest) {
    for (u32 bits = armed; bits != 0; bits &= bits - 1) {
        const u32 i = static_cast<u32>(__builtin_ctz(bits));
        const Domain& d = domains::slot(i);
        const u64 poll = d.alive() && d.polling ? d.poll_timeout_ns : 0;
        const u64 vt = d.alive() ? d.timer_deadline_ns : 0;
        if (vt == 0 && poll == 0) armed &= ~(1u << i);
        if (vt != 0 && vt < earliest) earliest = vt;
        if (poll != 0 && poll < earliest) earliest = poll;
    }
    return earliest;
}

void program_timer() {
    pending_work &= static_cast<u8>(~kWorkTimer);
    timer::program(earliest_armed(domains::current() != nullptr ? run_end_ns : idle_until_ns));
}

[[noreturn]] void all_stopped() {
    u32 crashed = 0, stopped = 0;
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        const Domain& d = domains::slot(i);
        if (d.state == DomState::crashed) ++crashed;
        if (d.state == DomState::shutdown) ++stopped;
    }
    printk(
        "xen-arm: no domain left to run (%u shut down, %u crashed); %u domain switches (%u cleaning the caches), "
        "stopping at %llu ns\n",
        stopped, crashed, switches, space::clean_switches(), timer::now_ns());
    semihosting::exit(crashed != 0 ? kExitDomainCrashed : kExitOk);
}

// Nothing can run: wait for an interrupt with IRQs still masked (the VMM never takes an
// interrupt in SVC mode; WFI wakes on a pending line anyway) and serve it here.
void idle_wait() {
    vmm::trace_domain(XA_TRACE_IDLE);
    if (pending_work & kWorkTimer) program_timer();
    cpu::wait_for_interrupt();
    irq::handle_pending();
}

// vcpu_info's time, with the version protocol (odd while the update is in progress).
// The VMM is the version's only writer, so it counts from its own copy (d.time_version):
// vcpu_info is uncached (domain.hh), and reading it back would cost two memory accesses.
void publish_time(Domain& d, u64 now) {
    vcpu_info& v = domains::shared(d)->vcpu[0];
    const u32 odd = d.time_version + 1;
    v.time_version = odd;
    asm volatile("" ::: "memory");
    v.system_time_ns = now;
    asm volatile("" ::: "memory");
    v.time_version = odd + 1;
    d.time_version = odd + 1;
}

// Save prev's registers from the frame, load next's, and change address space: the caches
// and the TLB are kept unless next clashes with a domain that may still have lines there
// (address_space.hh).
void switch_to(Domain* prev, Domain& next, TrapFrame& f, u64 run_ns) {
    const u64 now = timer::now_ns();
    if (prev != nullptr && prev->state != DomState::free) {
        if (prev->fault_tolerance != boot_image::kFtNone) [[unlikely]]
            ft::scheduled(*prev, f, true);  // its table is still loaded
        cpu::copy_frame_registers(prev->ctx, f);
        set_runstate(*prev, idle_runstate(*prev), now);
    }
    cpu::copy_frame_registers(f, next.ctx);
    cpu::write_dacr(traps::dacr_for(next, next.mode));
    space::enter(next);
    domains::set_current(&next);
    vmm::trace_domain(next.id.value());
    set_runstate(next, RUNSTATE_running, now);
    publish_time(next, now);
    run_start_ns = now;
    run_end_ns = now + run_ns;
    timer::expect(run_end_ns);
    ++switches;
}

// A timed policy's run starts when the domain does, after the switch (the cache clean is
// the VMM's time, which sedf's admission reserves per period apart from the budget): the
// run is counted again from here. Out of line and only for timed policies, so round-robin's
// switch pays neither the clock read nor the call.
[[gnu::noinline]] void timed_start(Domain& next, u64 run_ns) {
    const u64 start = timer::now_ns();
    run_start_ns = start;
    run_end_ns = start + run_ns;
    timer::expect(run_end_ns);
    if (policy->started != nullptr) policy->started(next, start);
}

// d is runnable now: the policy queues it and says whether it preempts the running domain.
void made_runnable(Domain& d) {
    const Domain* cur = domains::current();
    if (policy->wake(d, cur != &d ? cur : nullptr)) pending_work |= kWorkResched;
}

void wake(Domain& d) {
    // The common case (not waiting) tested here, so it stays inline in the callers.
    if (!leave_wait(d, polling_domains)) return;
    if (&d != domains::current()) set_runstate(d, idle_runstate(d), timer::now_ns());
    if (d.runnable()) made_runnable(d);
}

void recheck_pollers() {
    if (polling_domains == 0) return;  // the common case: one load on every event operation
    for (u32 bits = armed; bits != 0; bits &= bits - 1) {
        Domain& d = domains::slot(static_cast<u32>(__builtin_ctz(bits)));
        if (!d.alive() || !d.polling) continue;
        for (u32 p = 0; p < d.poll_count; ++p) {
            if (vmm::evtchn().is_pending(d.id, d.poll_ports[p])) {
                wake(d);
                break;
            }
        }
    }
}

}  // namespace

const Policy& policy_for(u32 scheduler) {
    switch (scheduler) {
        case boot_image::kSchedFixedPriority: return kFixedPriority;
        case boot_image::kSchedCredit: return kCredit;
        case boot_image::kSchedSedf: return kSedf;
        default: return kRoundRobin;
    }
}

void init(const Policy& p) {
    policy = &p;
    irq::init();
}

void timer_set(Domain& d) {
    if (d.timer_deadline_ns == 0) return;  // cancelled: the timer fires once for nothing
    arm(d);
    timer::expect(d.timer_deadline_ns);
}

void update_time(Domain& d) { publish_time(d, timer::now_ns()); }

Err admit(const SchedParams& params) { return policy->admit != nullptr ? policy->admit(params) : Err::ok; }

void domain_started(Domain& d, const SchedParams& params) {
    const u64 now = timer::now_ns();
    policy->add(d, params);
    d.runstate = RUNSTATE_runnable;
    d.runstate_entry_ns = now;
    update_time(d);
    if (d.runnable()) made_runnable(d);
}

void domain_stopped(Domain& d) {
    set_runstate(d, RUNSTATE_offline, timer::now_ns());
    policy->remove(d);
    d.blocked = false;
    if (d.polling) --polling_domains;
    d.polling = false;
    d.timer_deadline_ns = 0;
    if (&d == domains::current()) pending_work |= kWorkResched;
    // dom0 hears about it, as Xen's VIRQ_DOM_EXC.
    if (Domain* dom0 = domains::get(DomId(0)); dom0 != nullptr && dom0->alive() && dom0 != &d) {
        raise_virq(*dom0, VIRQ_DOM_EXC);
    }
}

void event_raised(const Kick& k) {
    if (k.needed) {
        if (Domain* d = domains::get(k.dom); d != nullptr && d->alive()) wake(*d);
    }
    recheck_pollers();
}

void raise_virq(Domain& d, u32 virq) {
    Kick k;
    (void)vmm::evtchn().raise_virq(d.id, virq, k);
    event_raised(k);
}

void yield() { pending_work |= kWorkResched | kWorkYield; }

void block(Domain& d) {
    enter_wait(d, polling_domains);
    policy->sleep(d);
    if (d.polling) {
        arm(d);  // recheck_pollers finds pollers through `armed`, with or without a timeout
        if (d.poll_timeout_ns != 0) timer::expect(d.poll_timeout_ns);
    }
    if (&d == domains::current()) pending_work |= kWorkResched;
}

void pause_changed(Domain& d) {
    if (d.runnable()) {
        if (&d != domains::current()) set_runstate(d, idle_runstate(d), timer::now_ns());
        made_runnable(d);  // unpaused
    } else {
        policy->sleep(d);
        if (&d == domains::current()) {
            pending_work |= kWorkResched;
        } else {
            set_runstate(d, idle_runstate(d), timer::now_ns());
        }
    }
}

void tick() {
    const u64 now = timer::now_ns();
    tick_ns = now;
    timer::fired();              // the deadline that fired is spent
    pending_work |= kWorkTimer;  // program the next one before returning
    for (u32 bits = armed; bits != 0; bits &= bits - 1) {
        Domain& d = domains::slot(static_cast<u32>(__builtin_ctz(bits)));
        if (!d.alive()) continue;
        if (d.timer_deadline_ns != 0 && now >= d.timer_deadline_ns) {
            d.timer_deadline_ns = 0;
            if (&d != domains::current()) update_time(d);  // the current one's: below
            raise_virq(d, VIRQ_TIMER);
        }
        if (d.polling && d.poll_timeout_ns != 0 && now >= d.poll_timeout_ns) wake(d);
    }
    if (Domain* cur = domains::current(); cur != nullptr) {
        publish_time(*cur, now);
        if (now >= run_end_ns) pending_work |= kWorkResched | kWorkExpired;
    }
}

// A scheduling decision about the current domain (leaving: it leaves the CPU): a
// fault-tolerant domain's automatic checkpoint, while its table is loaded and its registers
// are in f (fault_tolerance.hh). Others pay the test of one byte, on the paths that switch
// (in switch_to), idle or end a time slice, never on a yield that keeps the CPU.
inline void checkpoint_point(Domain* cur, const TrapFrame& f, bool leaving) {
    if (cur != nullptr && cur->fault_tolerance != boot_image::kFtNone) [[unlikely]]
        ft::scheduled(*cur, f, leaving);
}

// Nothing can run: park the current context, if any, and wait for interrupts until the
// policy picks a domain. Out of line: leave_slow's common paths stay short.
[[gnu::noinline]] static Choice idle_until_runnable(TrapFrame& f, Domain*& cur, Choice c) {
    while (c.next == nullptr) {
        if (domains::alive_count() == 0) all_stopped();
        if (cur != nullptr && cur->state != DomState::free && cur == domains::current()) {
            checkpoint_point(cur, f, true);
            // Park the current context before idling: it may be destroyed or woken. Its
            // lines stay in the caches: the VMM reaches its shared pages uncached
            // (domain.hh), and a switch or its destruction cleans them when needed.
            cur->ctx = f;
            set_runstate(*cur, idle_runstate(*cur), timer::now_ns());
            domains::set_current(nullptr);
            cur = nullptr;
            f = TrapFrame{};
        }
        // The policy may want to decide again at a time of its own (a budget refill).
        const u64 until = c.run_ns != 0 ? timer::now_ns() + c.run_ns : ~0ull;
        if (until != idle_until_ns) {
            idle_until_ns = until;
            pending_work |= kWorkTimer;
        }
        idle_wait();
        c = policy->pick(policy->timed ? timer::now_ns() : 0);
    }
    idle_until_ns = ~0ull;
    return c;
}

// Everything leave() does besides the upcall check: out of line so the common return
// (nothing to do) stays a few instructions.
void leave_slow(TrapFrame& f, Domain* cur) {
    const u8 work = pending_work;
    if ((work & kWorkResched) != 0 || cur == nullptr || !cur->runnable()) {
        pending_work = static_cast<u8>(work & ~(kWorkResched | kWorkYield | kWorkExpired));
        const bool timed = policy->timed;
        u64 now = 0;
        if (timed) now = timer::now_ns();
        if (cur != nullptr && cur->alive()) {
            // A timed policy hears what the current domain used before it chooses.
            if (timed && policy->charge != nullptr) policy->charge(*cur, now - run_start_ns);
            if (work & kWorkYield) policy->yield(*cur);
        }
        Choice c = policy->pick(now);
        // (After an idle wait cur is nullptr: whatever runs is switched to, with its own now.)
        if (c.next == nullptr) [[unlikely]]
            c = idle_until_runnable(f, cur, c);
        if (c.next != cur) {
            switch_to(cur, *c.next, f, c.run_ns);
            if (timed) timed_start(*c.next, c.run_ns);
        } else if (timed) {
            checkpoint_point(cur, f, false);
            // The same domain again: it runs exactly what the policy granted now.
            run_start_ns = now;
            run_end_ns = now + c.run_ns;
            timer::expect(run_end_ns);
        } else if (work & kWorkExpired) {
            // Untimed, the same domain again, nobody else to run: a new run from the tick
            // on. (One that yielded with nobody else keeps what it had.)
            checkpoint_point(cur, f, false);
            run_start_ns = tick_ns;
            run_end_ns = tick_ns + c.run_ns;
        }
    }
    if (pending_work & kWorkTimer) program_timer();
    if (Domain* d = domains::current(); d != nullptr) traps::deliver_upcall(*d, f);
}

void leave(TrapFrame& f) { leave_inline(f); }

extern "C" [[noreturn]] void xa_start_guests();  // arch/arm/vectors.S

void start() { xa_start_guests(); }

}  // namespace xa::sched

// The first entry into a guest: vectors.S's xa_start_guests gives us a frame at the top
// of the SVC stack and then returns through it.
extern "C" void xa_first_guest(xa::TrapFrame* f) {
    *f = xa::TrapFrame{};
    xa::sched::leave(*f);
}

// IRQ from a guest.
extern "C" void xa_irq(xa::TrapFrame* f) {
    using namespace xa;
    irq::handle_pending();
    // All of leave(): an interrupt nearly always leaves work (the tick: the timer to program).
    sched::leave_slow(*f, domains::current());
}
