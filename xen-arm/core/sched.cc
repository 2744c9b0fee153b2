// The scheduler and the VMM tick. See sched.hh.
#include "sched.hh"

#include "arch/arm/cpu.hh"
#include "arch/arm/semihosting.hh"
#include "board.hh"
#include "console.hh"
#include "exit_status.hh"
#include "passthrough.hh"
#include "sched_pick.hh"
#include "sched_wait.hh"
#include "traps.hh"
#include "vmm.hh"

namespace xa::sched {
namespace {

// Work for the slow path of leave(), one byte so the fast path tests it once.
constexpr u8 kWorkResched = 1u << 0;  // pick the next domain
constexpr u8 kWorkTimer = 1u << 1;    // recompute the one-shot timer
u8 pending_work = kWorkTimer;
// The one-shot timer: programmed for the earliest of the current domain's slice end, the
// virtual timers and poll timeouts. Lazily: a new deadline earlier than the programmed
// one re-programs at once (expect_deadline); a later one waits, since the earlier
// interrupt comes first and tick() then recomputes everything (kWorkTimer in pending_work). So a domain
// switch or set_timer_op usually costs one comparison, not a scan and a device write.
u64 programmed_ns = ~0ull;  // ~0: nothing programmed
constexpr u64 kIdleTimerNs = 1000000000ull;  // re-check once a second even with nothing due
u32 polling_domains = 0;  // domains in sched_op poll right now
u32 switches = 0;

void set_runstate(Domain& d, u32 state, u64 now) {
    if (d.runstate < 4) d.runstate_ns[d.runstate] = d.runstate_time(d.runstate, now);
    d.runstate = state;
    d.runstate_entry_ns = now;
}

u32 idle_runstate(const Domain& d) {
    if (!d.alive()) return RUNSTATE_offline;
    return d.runnable() ? RUNSTATE_runnable : RUNSTATE_blocked;
}

// Round-robin: the next runnable domain after the last one chosen, by id; the same one
// again only if nobody else can run.
Domain* round_robin_pick(const Domain* previous) {
    const u32 last = previous != nullptr ? previous->id.value() : Domain::kMaxDomains - 1;
    for (u32 step = 1; step <= Domain::kMaxDomains; ++step) {
        Domain& d = domains::slot((last + step) % Domain::kMaxDomains);
        if (d.runnable()) return &d;
    }
    return nullptr;
}

// Fixed priority (sched_pick.hh): the lowest priority number among the runnable domains,
// round-robin among equals.
Domain* fixed_priority_pick_next(const Domain* previous) {
    const u32 n = Domain::kMaxDomains;
    const u32 i = fixed_priority_pick(
        [](u32 k) {
            const Domain& d = domains::slot(k);
            return PickEntry{d.runnable(), d.priority};
        },
        n, previous != nullptr ? previous->id.value() : n);
    return i < n ? &domains::slot(i) : nullptr;
}

bool fixed_priority_wake_preempts(const Domain& woken, const Domain& running) {
    return fixed_priority_preempts(woken.priority, running.priority);
}

const Policy* policy = &kRoundRobin;
// The policy's pick function beside its argument: one base address for both, so choosing
// a policy at boot costs the yield path one load (its function was a constant before).
struct Pick {
    const Domain* last_chosen = nullptr;
    Domain* (*pick_next)(const Domain* previous) = round_robin_pick;
} pick;

Domain* pick_next() { return pick.pick_next(pick.last_chosen); }

void program_timer() {
    pending_work &= static_cast<u8>(~kWorkTimer);
    u64 next = ~0ull;
    if (const Domain* cur = domains::current(); cur != nullptr) next = cur->slice_end_ns;
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        const Domain& d = domains::slot(i);
        if (!d.alive()) continue;
        if (d.timer_deadline_ns != 0 && d.timer_deadline_ns < next) next = d.timer_deadline_ns;
        if (d.polling && d.poll_timeout_ns != 0 && d.poll_timeout_ns < next) next = d.poll_timeout_ns;
    }
    if (next == ~0ull) next = now_ns() + kIdleTimerNs;
    if (next != programmed_ns) {
        board::timer_oneshot(next);
        programmed_ns = next;
    }
}

void expect_deadline(u64 deadline_ns) {
    if (deadline_ns < programmed_ns) {
        board::timer_oneshot(deadline_ns);
        programmed_ns = deadline_ns;
    }
}

// Console input is dom0's (VIRQ_CONSOLE). The receive interrupt is level-triggered: mask
// the line until dom0 has read what waits (console_input_read re-enables it), so a slow
// dom0 costs one interrupt per burst, not one per instruction.
void console_input() {
    board::irq_disable(board::kConfig.console_irq);
    if (Domain* dom0 = domains::get(DomId(0)); dom0 != nullptr && dom0->alive()) raise_virq(*dom0, VIRQ_CONSOLE);
}

void handle_irqs() {
    for (int line; (line = board::irq_claim()) >= 0;) {
        if (static_cast<u32>(line) == board::kConfig.timer_irq) {
            (void)board::timer_ack();
            tick();
        } else if (static_cast<u32>(line) == board::kConfig.console_irq) {
            console_input();
        } else if (!passthrough::route_irq(static_cast<u32>(line))) {
            printk("xen-arm: spurious interrupt line %d, disabled\n", line);
            board::irq_disable(static_cast<u32>(line));
        }
    }
}

[[noreturn]] void all_stopped() {
    u32 crashed = 0, stopped = 0;
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        const Domain& d = domains::slot(i);
        if (d.state == DomState::crashed) ++crashed;
        if (d.state == DomState::shutdown) ++stopped;
    }
    printk("xen-arm: no domain left to run (%u shut down, %u crashed); %u domain switches, stopping at %llu ns\n",
           stopped, crashed, switches, now_ns());
    semihosting::exit(crashed != 0 ? kExitDomainCrashed : kExitOk);
}

// Nothing can run: wait for an interrupt with IRQs still masked (the VMM never takes an
// interrupt in SVC mode; WFI wakes on a pending line anyway) and serve it here.
void idle_wait() {
    vmm::trace_domain(XA_TRACE_IDLE);
    if (pending_work & kWorkTimer) program_timer();
    cpu::wait_for_interrupt();
    handle_irqs();
}

// vcpu_info's time, with the version protocol (odd while the update is in progress).
void publish_time(Domain& d, u64 now) {
    vcpu_info& v = domains::shared(d)->vcpu[0];
    v.time_version = v.time_version + 1;  // odd
    asm volatile("" ::: "memory");
    v.system_time_ns = now;
    asm volatile("" ::: "memory");
    v.time_version = v.time_version + 1;
}

// Save prev's registers from the frame, load next's, and change address space. The
// caches are virtually indexed: switch_ttbr cleans and invalidates them first.
void switch_to(Domain* prev, Domain& next, TrapFrame& f) {
    const u64 now = now_ns();
    if (prev != nullptr && prev->state != DomState::free) {
        prev->ctx = f;
        set_runstate(*prev, idle_runstate(*prev), now);
    }
    f = next.ctx;
    cpu::write_dacr(traps::dacr_for(next.mode));
    cpu::switch_ttbr(next.table->l1().value());
    domains::set_current(&next);
    vmm::trace_domain(next.id.value());
    set_runstate(next, RUNSTATE_running, now);
    publish_time(next, now);
    next.slice_end_ns = now + next.timeslice_ns;
    expect_deadline(next.slice_end_ns);
    ++switches;
}

}  // namespace

const Policy kRoundRobin{"round-robin", round_robin_pick, nullptr};
const Policy kFixedPriority{"fixed-priority", fixed_priority_pick_next, fixed_priority_wake_preempts};

const Policy& policy_for(u32 scheduler) {
    return scheduler == boot_image::kSchedFixedPriority ? kFixedPriority : kRoundRobin;
}

const Policy& current_policy() { return *policy; }

void init(const Policy& p) {
    policy = &p;
    pick.pick_next = p.pick_next;
    board::irq_init();
    board::irq_enable(board::kConfig.timer_irq);
    board::console_rx_interrupt_enable();
    board::irq_enable(board::kConfig.console_irq);
}

void console_input_read() { board::irq_enable(board::kConfig.console_irq); }

void timer_set(u64 deadline_ns) {
    if (deadline_ns != 0) expect_deadline(deadline_ns);
}

u64 now_ns() { return board::timer_now_ns(); }

void update_time(Domain& d) { publish_time(d, now_ns()); }

// d has just become runnable: under a policy that preempts (not round-robin), take the
// CPU from the running domain at the next return to a guest if d outranks it.
static void check_preempt(const Domain& d) {
    if (policy->preempts == nullptr) return;
    if (const Domain* cur = domains::current(); cur != nullptr && cur != &d && d.runnable() && policy->preempts(d, *cur))
        pending_work |= kWorkResched;
}

void domain_started(Domain& d) {
    const u64 now = now_ns();
    d.runstate = RUNSTATE_runnable;
    d.runstate_entry_ns = now;
    update_time(d);
    check_preempt(d);
}

void domain_stopped(Domain& d) {
    set_runstate(d, RUNSTATE_offline, now_ns());
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

static void wake(Domain& d) {
    // The common case (not waiting) tested here, so it stays inline in the callers.
    if (!d.blocked) return;
    (void)leave_wait(d, polling_domains);
    if (&d != domains::current()) set_runstate(d, idle_runstate(d), now_ns());
    check_preempt(d);
}

static void recheck_pollers() {
    if (polling_domains == 0) return;  // the common case: one load on every event operation
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        Domain& d = domains::slot(i);
        if (!d.alive() || !d.polling) continue;
        for (u32 p = 0; p < d.poll_count; ++p) {
            if (vmm::evtchn().is_pending(d.id, d.poll_ports[p])) {
                wake(d);
                break;
            }
        }
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

void yield() { pending_work |= kWorkResched; }

void block(Domain& d) {
    enter_wait(d, polling_domains);
    if (d.polling && d.poll_timeout_ns != 0) expect_deadline(d.poll_timeout_ns);
    if (&d == domains::current()) pending_work |= kWorkResched;
}

void pause_changed(Domain& d) {
    if (&d == domains::current()) {
        pending_work |= kWorkResched;
    } else {
        set_runstate(d, idle_runstate(d), now_ns());
        check_preempt(d);  // unpaused
    }
}

void tick() {
    const u64 now = now_ns();
    programmed_ns = ~0ull;  // the deadline that fired is spent
    pending_work |= kWorkTimer;  // program the next one before returning
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        Domain& d = domains::slot(i);
        if (!d.alive()) continue;
        if (d.timer_deadline_ns != 0 && now >= d.timer_deadline_ns) {
            d.timer_deadline_ns = 0;
            update_time(d);
            raise_virq(d, VIRQ_TIMER);
        }
        if (d.polling && d.poll_timeout_ns != 0 && now >= d.poll_timeout_ns) wake(d);
    }
    if (Domain* cur = domains::current(); cur != nullptr) {
        publish_time(*cur, now);
        if (now >= cur->slice_end_ns) {
            pending_work |= kWorkResched;
            cur->slice_end_ns = now + cur->timeslice_ns;  // kept if nobody else can run
        }
    }
}

// Everything leave() does besides the upcall check: kept out of line so the common
// return (nothing to do) stays a few instructions.
[[gnu::noinline]] static void leave_slow(TrapFrame& f, Domain* cur) {
    if ((pending_work & kWorkResched) != 0 || cur == nullptr || !cur->runnable()) {
        pending_work &= static_cast<u8>(~kWorkResched);
        Domain* next = pick_next();
        while (next == nullptr) {
            if (domains::alive_count() == 0) all_stopped();
            if (cur != nullptr && cur->state != DomState::free && cur == domains::current()) {
                // Park the current context before idling: it may be destroyed or woken.
                // Nothing is current from here on, so the VMM reaches this domain's pages
                // through DIRECTMAP: clean its lines at the guest's addresses first.
                cpu::flush_caches();
                cur->ctx = f;
                set_runstate(*cur, idle_runstate(*cur), now_ns());
                domains::set_current(nullptr);
                cur = nullptr;
                f = TrapFrame{};
            }
            idle_wait();
            next = pick_next();
        }
        pick.last_chosen = next;
        // The same domain again (it yielded with nobody else to run, or was woken from
        // idle while still current) keeps its slice: tick() renews an expired one.
        if (next != cur) switch_to(cur, *next, f);
    }
    if (pending_work & kWorkTimer) program_timer();
    if (Domain* d = domains::current(); d != nullptr) traps::deliver_upcall(*d, f);
}

void leave(TrapFrame& f) {
    Domain* cur = domains::current();
    if (pending_work != 0 || cur == nullptr || !cur->runnable()) [[unlikely]] {
        leave_slow(f, cur);
        return;
    }
    traps::deliver_upcall(*cur, f);
}

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
    sched::handle_irqs();
    sched::leave(*f);
}
