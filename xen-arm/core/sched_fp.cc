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
    u32 timeslice_ns;
    u32 left_ns;  // of the current turn: a preempted domain resumes with this much
    u32 priority;
} per_domain[kQueueSlots];

void add(Domain& d, const SchedParams& p) { per_domain[d.id.value()] = {p.timeslice_ns, p.timeslice_ns, p.priority}; }
void remove(Domain& d) { queues.remove(d.id.value()); }

bool wake(Domain& d, const Domain* running) {
    const u32 slot = d.id.value();
    if (!queues.contains(slot)) {
        per_domain[slot].left_ns = per_domain[slot].timeslice_ns;  // a new turn after a wait
        queues.insert(slot, per_domain[slot].priority);
    }
    return running != nullptr && per_domain[slot].priority < per_domain[running->id.value()].priority;
}

void sleep(Domain& d) { queues.remove(d.id.value()); }

void end_turn(u32 slot) {
    per_domain[slot].left_ns = per_domain[slot].timeslice_ns;
    queues.rotate(slot);
}

void yield(Domain& d) { end_turn(d.id.value()); }

void charge(Domain& d, u64 ran_ns) {
    const u32 slot = d.id.value();
    PerDomain& p = per_domain[slot];
    if (ran_ns < p.left_ns) {
        p.left_ns -= static_cast<u32>(ran_ns);
    } else {
        end_turn(slot);
    }
}

Choice pick(u64) {
    const u32 slot = queues.pick();
    if (slot == kNoSlot) return {nullptr, 0};
    return {&domains::slot(slot), per_domain[slot].left_ns};
}

}  // namespace

const Policy kFixedPriority{"fixed-priority", true, nullptr, add, remove, wake, sleep, yield, charge, pick};

}  // namespace xa::sched
