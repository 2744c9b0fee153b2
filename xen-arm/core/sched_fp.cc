// Fixed priority: the highest-priority runnable domain runs; equals share the CPU in
// round-robin, each for its timeslice (sched_queues.hh's PriorityQueues).
#include "boot_image.hh"
#include "sched_policy.hh"
#include "sched_queues.hh"

namespace xa::sched {
namespace {

static_assert(kQueueSlots == Domain::kMaxDomains);
static_assert(PriorityQueues::kLevels == boot_image::kPriorityMax + 1);

PriorityQueues queues;
struct PerDomain {
    Turn turn;  // a preempted domain resumes with what is left of it
    u32 priority;
} per_domain[kQueueSlots];

void add(Domain& d, const SchedParams& p) { per_domain[d.id.value()] = {{p.timeslice_ns, p.timeslice_ns}, p.priority}; }
void remove(Domain& d) { queues.remove(d.id.value()); }

bool wake(Domain& d, const Domain* running) {
    const u32 slot = d.id.value();
    if (!queues.contains(slot)) {
        per_domain[slot].turn.renew();  // a new turn after a wait
        queues.insert(slot, per_domain[slot].priority);
    }
    return running != nullptr && per_domain[slot].priority < per_domain[running->id.value()].priority;
}

void sleep(Domain& d) { queues.remove(d.id.value()); }

void yield(Domain& d) {
    per_domain[d.id.value()].turn.renew();
    queues.rotate(d.id.value());
}

void charge(Domain& d, u64 ran_ns) {
    if (per_domain[d.id.value()].turn.use(ran_ns)) queues.rotate(d.id.value());
}

Choice pick(u64) {
    const u32 slot = queues.pick();
    if (slot == kNoSlot) return {nullptr, 0};
    return {&domains::slot(slot), per_domain[slot].turn.left_ns};
}

}  // namespace

const Policy kFixedPriority{"fixed-priority", true, nullptr, add, remove, wake, sleep, yield, charge, pick, nullptr};

}  // namespace xa::sched
