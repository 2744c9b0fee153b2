// The scheduler, trap and device pass-through hooks the domain builder, destroy and fault
// tolerance call: counted
// (fake::calls()), nothing else. Their real versions need the timer and the interrupt
// controller; what they do is tested through QEMU.
#include "fake_vmm.hh"
#include "passthrough.hh"
#include "sched.hh"
#include "timer.hh"
#include "traps.hh"

namespace xa {

Err sched::admit(const SchedParams&) { return fake::calls().admit_result; }
void sched::domain_started(Domain&, const SchedParams& p) {
    ++fake::calls().domain_started;
    fake::calls().started_timeslice_ns = p.timeslice_ns;
    fake::calls().started_priority = p.priority;
}
void sched::domain_stopped(Domain&) { ++fake::calls().domain_stopped; }
void sched::update_time(Domain&) { ++fake::calls().time_updated; }
void sched::timer_set(Domain&) { ++fake::calls().timer_set; }
void sched::raise_virq(Domain& d, u32 virq) {
    ++fake::calls().virqs_raised;
    fake::calls().last_virq = virq;
    fake::calls().last_virq_dom = d.id.value();
}
void passthrough::release(Domain&) { ++fake::calls().passthrough_released; }
u32 traps::dacr_for(const Domain& d, VirtMode mode) { return mode == VirtMode::kernel ? d.dacr_kernel : d.dacr_user; }

u64& fake::clock_ns() {
    static u64 now = 0;
    return now;
}
u64 timer::now_ns() { return fake::clock_ns(); }

}  // namespace xa
