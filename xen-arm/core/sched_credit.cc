// credit: Xen's credit scheduler, on this machine's single CPU.
//
// Every accounting period (kAccountNs, Xen's 30 ms) each active domain is given credit in
// proportion to its weight, one period of CPU time shared among them; running costs
// credit at the rate it runs (charged at every decision, not sampled at ticks as Xen
// does). Domains are queued in three classes, served in order, FIFO within a class:
// BOOST (woken from a wait while UNDER: it preempts anything not boosted, and is demoted
// at its first charge), UNDER (credit left) and OVER (credit spent). A domain that ran
// its timeslice goes to the back of its class. A cap limits a domain to a percentage of
// the CPU: past it the domain is parked until the next accounting. A domain that has not
// used its credit (credit above one period's worth) stops accruing, as Xen's inactive
// vCPUs, so an idle domain cannot hoard a burst. What credit does not say is *when* a
// domain runs: a domain with a large share may still wait a whole round of timeslices.
#include "sched_policy.hh"
#include "sched_queues.hh"

namespace xa::sched {
namespace {

static_assert(kQueueSlots == Domain::kMaxDomains);

constexpr u64 kAccountNs = 30'000'000;  // the accounting period
enum Class : u32 { kBoost = 0, kUnder = 1, kOver = 2 };

struct PerDomain {
    i64 credit_ns;
    u64 used_ns;  // in this accounting period (for the cap)
    u32 weight;
    u32 cap_pct;
    Turn turn;  // of its timeslice
    Class cls;
    bool parked;  // over its cap until the next accounting
};

PerDomain per_domain[kQueueSlots];
PriorityQueues queues;  // levels kBoost, kUnder, kOver
u32 members = 0;
u32 runnable = 0;
u64 next_account_ns = 0;

constexpr u32 bit(u32 slot) { return 1u << slot; }

void requeue(u32 slot, Class cls) {
    PerDomain& p = per_domain[slot];
    if (p.cls == cls && queues.contains(slot)) return;
    p.cls = cls;
    if (queues.contains(slot)) {
        queues.remove(slot);
        queues.insert(slot, cls);
    }
}

Class class_of(const PerDomain& p) { return p.credit_ns > 0 ? kUnder : kOver; }

void account(u64 now) {
    if (now < next_account_ns) return;
    const u64 missed = (now - next_account_ns) / kAccountNs;
    next_account_ns += (missed + 1) * kAccountNs;
    u64 total_weight = 0;
    for (u32 bits = members; bits != 0; bits &= bits - 1) total_weight += per_domain[__builtin_ctz(bits)].weight;
    if (total_weight == 0) return;
    for (u32 bits = members; bits != 0; bits &= bits - 1) {
        const u32 slot = static_cast<u32>(__builtin_ctz(bits));
        PerDomain& p = per_domain[slot];
        const i64 share = static_cast<i64>(kAccountNs * p.weight / total_weight);
        // Inactive (not using what it is given): it stops accruing.
        p.credit_ns = p.credit_ns + share > share ? share : p.credit_ns + share;
        p.used_ns = 0;
        if (p.parked) {
            p.parked = false;
            if (runnable & bit(slot)) queues.insert(slot, class_of(p));
        }
        if (p.cls != kBoost) requeue(slot, class_of(p));
    }
}

void add(Domain& d, const SchedParams& p) {
    const u32 slot = d.id.value();
    per_domain[slot] = PerDomain{0, 0, p.weight, p.cap_pct, {p.timeslice_ns, p.timeslice_ns}, kUnder, false};
    if (members == 0) next_account_ns = 0;  // the first decision accounts at once
    members |= bit(slot);
}

void remove(Domain& d) {
    const u32 slot = d.id.value();
    members &= ~bit(slot);
    runnable &= ~bit(slot);
    queues.remove(slot);
}

bool wake(Domain& d, const Domain* running) {
    const u32 slot = d.id.value();
    PerDomain& p = per_domain[slot];
    runnable |= bit(slot);
    if (p.parked || queues.contains(slot)) return false;
    // Woken from a wait with credit left: BOOST, as Xen does for I/O-bound domains.
    p.cls = p.credit_ns > 0 ? kBoost : kOver;
    p.turn.renew();
    queues.insert(slot, p.cls);
    return p.cls == kBoost && running != nullptr && per_domain[running->id.value()].cls != kBoost;
}

void sleep(Domain& d) {
    const u32 slot = d.id.value();
    runnable &= ~bit(slot);
    queues.remove(slot);
}

void yield(Domain& d) {
    per_domain[d.id.value()].turn.renew();
    queues.rotate(d.id.value());
}

void charge(Domain& d, u64 ran_ns) {
    const u32 slot = d.id.value();
    PerDomain& p = per_domain[slot];
    p.credit_ns -= static_cast<i64>(ran_ns);
    p.used_ns += ran_ns;
    if (p.cls == kBoost || class_of(p) != p.cls) requeue(slot, class_of(p));
    if (p.cap_pct != 0 && p.used_ns * 100 >= kAccountNs * p.cap_pct) {
        p.parked = true;
        queues.remove(slot);
        return;
    }
    if (p.turn.use(ran_ns)) queues.rotate(slot);
}

Choice pick(u64 now) {
    account(now);
    const u32 slot = queues.pick();
    const u64 to_account = next_account_ns - now;
    if (slot == kNoSlot) return {nullptr, to_account};
    const PerDomain& p = per_domain[slot];
    u64 run = p.turn.left_ns < to_account ? p.turn.left_ns : to_account;
    if (p.cap_pct != 0) {
        const u64 cap_ns = kAccountNs * p.cap_pct / 100;
        const u64 room = cap_ns > p.used_ns ? cap_ns - p.used_ns : 0;
        if (room < run) run = room;
    }
    return {&domains::slot(slot), run != 0 ? run : 1};
}

}  // namespace

const Policy kCredit{"credit", true, nullptr, add, remove, wake, sleep, yield, charge, pick, nullptr};

}  // namespace xa::sched
