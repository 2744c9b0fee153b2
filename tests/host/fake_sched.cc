// The scheduler and device pass-through hooks the domain builder and destroy call: counted
// (fake::calls()), nothing else. Their real versions need the timer and the interrupt
// controller; what they do is tested through QEMU.
#include "fake_vmm.hh"
#include "passthrough.hh"
#include "sched.hh"

namespace xa {

void sched::domain_started(Domain&, const SchedParams&) { ++fake::calls().domain_started; }
void sched::domain_stopped(Domain&) { ++fake::calls().domain_stopped; }
void passthrough::release(Domain&) { ++fake::calls().passthrough_released; }

}  // namespace xa
