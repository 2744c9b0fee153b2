// Round-robin: every runnable domain in turn, in domain-id order, for its timeslice.
#include "sched_policy.hh"
#include "sched_queues.hh"

namespace xa::sched {
namespace {

static_assert(kQueueSlots == Domain::kMaxDomains);

RoundRobinQueue queue;
u32 timeslice_ns[kQueueSlots];

void add(Domain& d, const SchedParams& p) { timeslice_ns[d.id.value()] = p.timeslice_ns; }
void remove(Domain& d) { queue.remove(d.id.value()); }
bool wake(Domain& d, const Domain*) {
    queue.insert(d.id.value());
    return false;  // the running domain keeps its slice
}
void sleep(Domain& d) { queue.remove(d.id.value()); }
// The next pick moves on past the current domain anyway: nothing to record.
void yield(Domain&) {}

Choice pick(u64) {
    const u32 slot = queue.pick();
    if (slot == kNoSlot) return {nullptr, 0};
    return {&domains::slot(slot), timeslice_ns[slot]};
}

}  // namespace

const Policy kRoundRobin{"round-robin", false, nullptr, add, remove, wake, sleep, yield, nullptr, pick, nullptr};

}  // namespace xa::sched
