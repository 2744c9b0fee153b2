// sedf: earliest deadline first over periodic servers, one per domain.
//
// A domain with (period, budget) is a server that gets `budget` of CPU time in every
// `period`: at each period start its budget is refilled and its deadline set to the
// period's end; among the servers with budget left the one with the earliest deadline is
// served. A served server's budget drains while it is served whether or not its domain has
// work (an idling periodic server): then the CPU goes to background work, and the domain
// takes it back the moment it wakes. This is why it is not Xen's RTDS, whose deferrable
// servers keep unused budget for later: a deferred budget can run back to back with the
// next period's and delay the other servers beyond what EDF's utilisation test assumes,
// while an idling server is exactly a periodic task (Σ budget/period ≤ 1 is then EDF's
// exact test) and exactly Shin and Lee's periodic resource, so the interface
// domains/schedtool.py computes for a guest's task set holds as computed.
//
// Background work: domains with `extra` run, in round-robin, when no server with budget
// left has a runnable domain (a server with no work idles its budget away). A domain
// without a reservation (period 0) runs only as background work.
#include "boot_image.hh"
#include "console.hh"
#include "sched_policy.hh"
#include "sched_queues.hh"
#include "timer.hh"

namespace xa::sched {
namespace {

static_assert(kQueueSlots == Domain::kMaxDomains);

struct Server {
    u64 period_ns;
    u64 budget_ns;
    u64 deadline_ns;  // the current period's end (= the next refill)
    u64 left_ns;      // budget left in the current period
};

Server servers[kQueueSlots];
u32 timeslice_ns[kQueueSlots];  // a background turn when no refill bounds it
u32 reserved = 0;               // slots with a reservation (period != 0)
u32 runnable = 0;               // slots whose domain can run
u32 extra = 0;                  // slots that may run as background work
RoundRobinQueue background;     // runnable extra slots
u32 served = kNoSlot;           // the server being charged since served_since
u64 served_since = 0;

constexpr u32 bit(u32 slot) { return 1u << slot; }

// Charge the served server for the time since it was chosen, then refill every server
// whose period ended.
void advance(u64 now) {
    if (served != kNoSlot) {
        Server& s = servers[served];
        const u64 used = now - served_since;
        s.left_ns = used < s.left_ns ? s.left_ns - used : 0;
    }
    served_since = now;
    for (u32 bits = reserved; bits != 0; bits &= bits - 1) {
        Server& s = servers[__builtin_ctz(bits)];
        if (now < s.deadline_ns) continue;
        // Periods missed while nothing asked (the CPU idle) are skipped whole.
        const u64 missed = (now - s.deadline_ns) / s.period_ns;
        s.deadline_ns += (missed + 1) * s.period_ns;
        s.left_ns = s.budget_ns;
    }
}

// The server to serve: budget left, earliest deadline (ties: lowest slot). kNoSlot if
// every budget is spent.
u32 earliest_server() {
    u32 best = kNoSlot;
    for (u32 bits = reserved; bits != 0; bits &= bits - 1) {
        const u32 i = static_cast<u32>(__builtin_ctz(bits));
        if (servers[i].left_ns == 0) continue;
        if (best == kNoSlot || servers[i].deadline_ns < servers[best].deadline_ns) best = i;
    }
    return best;
}

// The next refill of any server: a new period may change which deadline is earliest.
u64 next_refill() {
    u64 t = ~0ull;
    for (u32 bits = reserved; bits != 0; bits &= bits - 1) {
        const Server& s = servers[__builtin_ctz(bits)];
        if (s.deadline_ns < t) t = s.deadline_ns;
    }
    return t;
}

u64 reserved_ppm() {
    u64 sum = 0;
    for (u32 bits = reserved; bits != 0; bits &= bits - 1) {
        const Server& s = servers[__builtin_ctz(bits)];
        sum += sedf_bandwidth_ppm(s.period_ns, s.budget_ns);
    }
    return sum;
}

// A share in parts per million as a percentage with two decimals (rounded down).
void print_share(u64 ppm) { printk("%u.%02u%%", static_cast<u32>(ppm / 10000), static_cast<u32>(ppm % 10000 / 100)); }

// Runs at a domain's build only: cold, which GCC optimises for size.
[[gnu::cold]] Err admit(const SchedParams& p) {
    if (p.period_ns == 0) return Err::ok;  // background work reserves nothing
    const u64 asked = sedf_bandwidth_ppm(p.period_ns, p.budget_ns);
    if (reserved_ppm() + asked <= kBandwidthWhole) return Err::ok;
    // Say who holds the CPU: the refusal is the user's to resolve.
    printk("xen-arm: sedf: %u us every %u us needs ", static_cast<u32>(p.budget_ns / 1000),
           static_cast<u32>(p.period_ns / 1000));
    print_share(asked);
    printk(" of the CPU (with the VMM's %u us per period); reserved:", boot_image::kSedfOverheadPerPeriodNs / 1000);
    for (u32 bits = reserved; bits != 0; bits &= bits - 1) {
        const u32 i = static_cast<u32>(__builtin_ctz(bits));
        printk(" dom%u ", i);
        print_share(sedf_bandwidth_ppm(servers[i].period_ns, servers[i].budget_ns));
    }
    printk(", ");
    print_share(kBandwidthWhole - reserved_ppm());
    printk(" left\n");
    return Err::nospc;
}

void add(Domain& d, const SchedParams& p) {
    const u32 slot = d.id.value();
    const u64 now = timer::now_ns();
    servers[slot] = Server{p.period_ns, p.budget_ns, now + p.period_ns, p.budget_ns};
    timeslice_ns[slot] = p.timeslice_ns;
    if (p.period_ns != 0) reserved |= bit(slot);
    if (p.extra || p.period_ns == 0) extra |= bit(slot);
}

void remove(Domain& d) {
    const u32 slot = d.id.value();
    reserved &= ~bit(slot);
    runnable &= ~bit(slot);
    extra &= ~bit(slot);
    background.remove(slot);
    if (served == slot) served = kNoSlot;
}

bool wake(Domain& d, const Domain* running) {
    const u32 slot = d.id.value();
    runnable |= bit(slot);
    if (extra & bit(slot)) background.insert(slot);
    // It takes the CPU if its server is the one being served (its budget was idling), or
    // has budget and an earlier deadline than the running domain's own server (a domain
    // running as background work has none).
    if (running == nullptr) return false;
    if (served == slot) return true;
    const Server& s = servers[slot];
    if ((reserved & bit(slot)) == 0 || s.left_ns == 0) return false;
    const u32 r = running->id.value();
    if (served != r) return true;  // the running domain is background work
    return s.deadline_ns < servers[r].deadline_ns;
}

void sleep(Domain& d) {
    const u32 slot = d.id.value();
    runnable &= ~bit(slot);
    background.remove(slot);
}

// A yield gives up the rest of this period's budget: the domain says it has nothing due.
void yield(Domain& d) {
    const u32 slot = d.id.value();
    if (served == slot) servers[slot].left_ns = 0;
}

Choice pick(u64 now) {
    advance(now);
    served = earliest_server();
    const u64 refill = next_refill();
    u64 until = refill;
    if (served != kNoSlot && now + servers[served].left_ns < until) until = now + servers[served].left_ns;
    const u64 run_ns = until == ~0ull ? 0 : until - now;
    if (served != kNoSlot && (runnable & bit(served)) != 0) return {&domains::slot(served), run_ns};
    const u32 bg = background.pick();
    if (bg != kNoSlot) return {&domains::slot(bg), run_ns != 0 ? run_ns : timeslice_ns[bg]};
    return {nullptr, run_ns};
}

// The served server's count starts when its domain is on the CPU: the switch to it is the
// VMM's time (kSedfOverheadPerPeriodNs at admission), not the server's budget.
void started(Domain& d, u64 now) {
    if (d.id.value() == served) served_since = now;
}

}  // namespace

u64 sedf_bandwidth_ppm(u64 period_ns, u64 budget_ns) {
    // Rounded up: admission must never round a system that does not fit into one that does.
    return ((budget_ns + boot_image::kSedfOverheadPerPeriodNs) * kBandwidthWhole + period_ns - 1) / period_ns;
}

const Policy kSedf{"sedf", true, admit, add, remove, wake, sleep, yield, nullptr, pick, started};

}  // namespace xa::sched
